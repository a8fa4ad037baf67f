#pragma once
// The frame-quality feature set (definitions in docs/features.md) and its two implementations: a
// plain per-pixel reference in double precision (one file per feature) and the fast row-pass
// kernels compiled once per instruction set (fast_*.cpp), picked at run time.
#include <array>
#include <cstdint>
#include <string>

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

enum class SimdLevel { Scalar = 0, Baseline = 1, Avx2 = 2, Avx512 = 3 };
const char* simd_level_name(SimdLevel l);
SimdLevel parse_simd_level(const std::string& name);  // throws std::invalid_argument
bool simd_level_supported(SimdLevel l);
// Best supported level, or the one VXFAST_SIMD forces (scalar|baseline|avx2|avx512).
SimdLevel default_simd_level();

// Row range [y0, y1) of the fast path; y0 must be a multiple of 8 so that 8x8 DCT blocks are never
// split between ranges. Each variant lives in its own translation unit built for its ISA.
using RowPassFn = void (*)(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s);
void row_pass_baseline(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s);
void row_pass_avx2(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s);
void row_pass_avx512(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s);

// threads <= 0: automatic (one per ~0.5 MPixel, at most the hardware threads).
FeatureVector compute(const LumaView& v, SimdLevel level, int threads);

}  // namespace vxfast::features
