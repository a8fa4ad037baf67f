#pragma once
// Row kernels of the fused resize. A tensor row is made in two steps, as OpenCV's resize does:
//   hpass: one source row -> three float rows (R,G,B or the source's byte order) at output width,
//          bilinear in x; YUV is converted to RGB at each tap, so only output-width rows exist.
//   vpass: blend two hpass rows in y, normalise (v * k + bias), convert to the dtype, store.
// Each has a scalar reference (kernels_scalar.cpp) and SIMD versions (one template body for AVX2
// and AVX-512, kernels_lanes.inc); select_kernels() picks by the library's level (common/simd.h).
#include <cstddef>
#include <cstdint>

#include "common/simd.h"
#include "preprocess/spec.h"

namespace vxfast {

using SimdLevel = simd::Level;

// Source taps for output columns [0, n): pixels x0[i], x1[i] with weight w[i] on x1.
// Columns [0, n_safe) may read 4 bytes from each tap's byte offset (gathers); the rest may not.
struct HTaps {
  const int32_t* x0;
  const int32_t* x1;
  const float* w;
  int n;
  int n_safe;
};

// YUV -> RGB in 0..255: R = ym*(Y-yo) + vr*(V-128), G = ym*(Y-yo) - ug*(U-128) - vg*(V-128),
// B = ym*(Y-yo) + ub*(U-128), each clamped to 0..255 (as an 8-bit RGB frame would be).
struct YuvCoeffs {
  float yo, ym, vr, ug, vg, ub;
};

struct VPassArgs {
  const float* a[3];  // upper row per OUTPUT channel
  const float* b[3];  // lower row per output channel
  float wy;           // weight of b
  int n;              // columns
  float k[3], bias[3];
  void* dst;          // output element of channel 0 at the first column
  OutDType dtype;
  OutLayout layout;
  ptrdiff_t plane_stride;  // CHW: elements between channel planes
  bool stream = false;     // output larger than the caches: SIMD may store non-temporally
};

// 3-byte interleaved pixels; out[c] gets byte c of each pixel.
using HPassRgbFn = void (*)(const uint8_t* row, const HTaps& t, float* const out[3]);
// Y row plus its chroma row(s); uv_step 1 (planar U, V) or 2 (NV12: v = u + 1). out = R, G, B.
using HPassYuvFn = void (*)(const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step,
                            const HTaps& t, const YuvCoeffs& c, float* const out[3]);
using VPassFn = void (*)(const VPassArgs& a);
// Fills n floats with v (padding); stream as in VPassArgs.
using FillF32Fn = void (*)(float* d, ptrdiff_t n, float v, bool stream);
// Out of line (kernels_scalar.cpp): an inline one would be emitted by the ISA files too.
void fill_f32_plain(float* d, ptrdiff_t n, float v, bool stream);

struct Kernels {
  HPassRgbFn hpass_rgb;
  HPassYuvFn hpass_yuv;
  VPassFn vpass;
  SimdLevel level;
  FillF32Fn fill_f32 = fill_f32_plain;
};

Kernels scalar_kernels();
// The ISA kernel sets (x86-64 only; each only valid where the CPU runs its level).
Kernels avx2_kernels();
// streaming: float32 CHW rows of outputs bigger than the caches use non-temporal stores.
Kernels avx512_kernels(bool streaming);
// AVX-512 VBMI: taps fetched with byte permutes instead of gathers (needs the VBMI CPUID bit).
void hpass_yuv_avx512vbmi(const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step,
                          const HTaps& t, const YuvCoeffs& c, float* const out[3]);
// The AVX-512 YUV kernel fetches taps with VBMI byte permutes where the CPU has them, else gathers;
// set_avx512_vbmi(false) forces the gathers (tests compare both against the scalar reference).
bool avx512_vbmi_available();
void set_avx512_vbmi(bool on);
// Benchmarks: false keeps the AVX-512 float32 CHW stores and padding temporal even for big outputs.
void set_avx512_streaming(bool on);
Kernels neon_kernels();    // AArch64 only; elsewhere returns scalar_kernels()
// The kernels of `level` (which the CPU must run): scalar, NEON, AVX2 or AVX-512 (+ its options).
Kernels select_kernels(SimdLevel level);

}  // namespace vxfast
