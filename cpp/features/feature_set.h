#pragma once
// The frame-quality feature set (definitions in docs/features.md) and its two implementations: a
// plain per-pixel reference in double precision (one file per feature) and the fast row-pass
// kernels compiled once per instruction set (fast_*.cpp), picked at run time.
#include <array>
#include <cstdint>
#include <string>

#include "common/simd.h"
#include "features/luma.h"

namespace vxfast::features {

inline constexpr int kNumFeatures = 11;
// Column order of every feature vector and of FeatureTable.values.
inline constexpr std::array<const char*, kNumFeatures> kFeatureNames = {
    "laplacian_var", "tenengrad", "gradient_mean", "brenner",  "noise_residual", "dct_dc_mean",
    "dct_low",       "dct_mid",   "dct_high",      "dct_hf_ratio", "blockiness"};

using FeatureVector = std::array<double, kNumFeatures>;

// Scalar reference: straight from the definitions, per pixel, double precision, no threads.
double laplacian_var_ref(const LumaView& v);
void sobel_ref(const LumaView& v, double* tenengrad, double* gradient_mean);
double brenner_ref(const LumaView& v);
double noise_residual_ref(const LumaView& v);
// Writes dct_dc_mean, dct_low, dct_mid, dct_high, dct_hf_ratio.
void dct_bands_ref(const LumaView& v, double out[5]);
double blockiness_ref(const LumaView& v);
FeatureVector compute_reference(const LumaView& v);

// Exact integer sums where the definition allows it; everything a row range contributes, so row
// ranges computed on different threads add up.
struct FeatureSums {
  int64_t lap_sum = 0, lap_sq = 0;
  int64_t grad_sq = 0;
  double grad_mag = 0;
  int64_t brenner = 0;
  int64_t noise = 0;
  double dct_dc = 0, dct_low = 0, dct_mid = 0, dct_high = 0;
  int64_t bh_boundary = 0, bh_total = 0, bv_boundary = 0, bv_total = 0;
  void add(const FeatureSums& o);
};
FeatureVector finalize(const FeatureSums& s, int64_t height, int64_t width);

// What compute() runs. Reference: the per-pixel double-precision definitions above (the yardstick
// of the tests; only an explicit "reference" argument selects it). The others are the fast row
// pass: Scalar is built for the baseline ISA, plain loops and GCC/Clang vector extensions the
// compiler maps to SSE2 (x86-64) or NEON (AArch64), and serves the library's scalar and neon
// levels; Avx2 and Avx512 are its ISA builds.
enum class SimdLevel { Reference = 0, Scalar = 1, Avx2 = 2, Avx512 = 3 };
const char* simd_level_name(SimdLevel l);  // "reference", "scalar", "avx2", "avx512"
// The kernel the library level l (common/simd.h) runs here.
SimdLevel kernel_level(simd::Level l);
// kernel_level(simd::level()): what compute() runs unless told otherwise.
SimdLevel active_simd_level();
// An explicit level argument: "reference" or a library level this CPU runs; throws
// std::invalid_argument naming the valid values otherwise.
SimdLevel parse_simd_level(const std::string& name);
bool simd_level_supported(SimdLevel l);

// Row range [y0, y1) of the fast path; y0 must be a multiple of 8 so that 8x8 DCT blocks are never
// split between ranges. Each variant lives in its own translation unit built for its ISA
// (fast_baseline.cpp, fast_avx2.cpp, fast_avx512.cpp; the last two x86-64 only).
using RowPassFn = void (*)(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s);
void row_pass_baseline(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s);
void row_pass_avx2(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s);
void row_pass_avx512(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s);

// threads <= 0: automatic (one per ~0.5 MPixel, at most the hardware threads).
FeatureVector compute(const LumaView& v, SimdLevel level, int threads);

}  // namespace vxfast::features
