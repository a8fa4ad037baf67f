#pragma once
// Per-element scalar code shared by the reference kernels and the SIMD kernels' tails. Everything
// is `static inline` on purpose: the SIMD translation units include this under a target pragma,
// and internal linkage keeps their AVX copies from replacing the baseline ones at link time.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "preprocess/kernels.h"

namespace vxfast {
namespace kernel_detail {

// min/max rather than branches: YUV clamping is data-dependent and mispredicts (3x slower scalar).
static inline float clamp255(float v) { return std::min(std::max(v, 0.f), 255.f); }

// Round half to even for 0..255 without a libm call (baseline x86-64 has no roundss); matches
// cvtps2dq under the default rounding mode.
static inline uint8_t round_u8(float v) {
  const float big = 8388608.f;  // IEEE (no -ffast-math): (v + 2^23) - 2^23 is not folded
  return uint8_t(int((clamp255(v) + big) - big));
}

// IEEE binary16 from float, round to nearest even (what F16C does), with inf/NaN/subnormals.
static inline uint16_t float_to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u) return uint16_t(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0u));
  if (ax >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to >= 65520: overflow
  if (ax < 0x38800000u) {  // subnormal half (or zero): add 0.5 so the FPU rounds for us
    float a;
    std::memcpy(&a, &ax, 4);
    a += 0.5f;
    uint32_t r;
    std::memcpy(&r, &a, 4);
    return uint16_t(sign | (r - 0x3f000000u));
  }
  uint32_t mant_odd = (ax >> 13) & 1u;
  ax += 0xc8000fffu + mant_odd;  // rebias exponent (-112 << 23) and round half to even
  return uint16_t(sign | (ax >> 13));
}

static inline void store_scalar(const VPassArgs& a, int i, int c, float v) {
  ptrdiff_t idx = a.layout == OutLayout::CHW ? c * a.plane_stride + i : ptrdiff_t(i) * 3 + c;
  switch (a.dtype) {
    case OutDType::Float32: static_cast<float*>(a.dst)[idx] = v; break;
    case OutDType::Float16: static_cast<uint16_t*>(a.dst)[idx] = float_to_half(v); break;
    case OutDType::UInt8:
      static_cast<uint8_t*>(a.dst)[idx] = round_u8(v);
      break;
  }
}

static inline void vpass_scalar_range(const VPassArgs& a, int from) {
  for (int c = 0; c < 3; ++c) {
    const float* pa = a.a[c];
    const float* pb = a.b[c];
    for (int i = from; i < a.n; ++i) {
      float v = pa[i] + a.wy * (pb[i] - pa[i]);
      store_scalar(a, i, c, v * a.k[c] + a.bias[c]);
    }
  }
}

static inline void hpass_rgb_scalar_range(const uint8_t* row, const HTaps& t, float* const out[3],
                                          int from) {
  for (int i = from; i < t.n; ++i) {
    const uint8_t* p0 = row + 3 * t.x0[i];
    const uint8_t* p1 = row + 3 * t.x1[i];
    float w = t.w[i];
    for (int c = 0; c < 3; ++c) {
      float v0 = p0[c], v1 = p1[c];
      out[c][i] = v0 + w * (v1 - v0);
    }
  }
}

static inline void yuv_to_rgb(const YuvCoeffs& k, float y, float u, float v, float rgb[3]) {
  float yy = k.ym * (y - k.yo);
  u -= 128.f;
  v -= 128.f;
  rgb[0] = clamp255(yy + k.vr * v);
  rgb[1] = clamp255(yy - k.ug * u - k.vg * v);
  rgb[2] = clamp255(yy + k.ub * u);
}

static inline void hpass_yuv_scalar_range(const uint8_t* y, const uint8_t* u, const uint8_t* v,
                                          int uv_step, const HTaps& t, const YuvCoeffs& k,
                                          float* const out[3], int from) {
  for (int i = from; i < t.n; ++i) {
    int x0 = t.x0[i], x1 = t.x1[i];
    int c0 = (x0 >> 1) * uv_step, c1 = (x1 >> 1) * uv_step;
    float p0[3], p1[3];
    yuv_to_rgb(k, y[x0], u[c0], v[c0], p0);
    yuv_to_rgb(k, y[x1], u[c1], v[c1], p1);
    float w = t.w[i];
    for (int c = 0; c < 3; ++c) out[c][i] = p0[c] + w * (p1[c] - p0[c]);
  }
}

}  // namespace kernel_detail
}  // namespace vxfast
