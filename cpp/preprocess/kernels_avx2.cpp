// AVX2 + FMA + F16C kernels (8 floats a step). Gathers fetch the two taps of 8 output columns at
// once; columns past HTaps::n_safe and the final partial step use the scalar code.
#include "preprocess/kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

// Everything below is compiled for AVX2; only reached when cpu.h says the CPU has it. All standard
// headers are included above so no library inline function gets an AVX2 body.
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")
#include "preprocess/scalar_inl.h"

namespace vxfast {
namespace {
using namespace kernel_detail;

inline __m256 lerp(__m256 a, __m256 b, __m256 w) {
  return _mm256_fmadd_ps(w, _mm256_sub_ps(b, a), a);
}
inline __m256 byte_at(__m256i g, int shift) {
  __m256i v = shift == 0 ? g : (shift == 8 ? _mm256_srli_epi32(g, 8) : _mm256_srli_epi32(g, 16));
  return _mm256_cvtepi32_ps(_mm256_and_si256(v, _mm256_set1_epi32(0xff)));
}
inline __m256 clamp255v(__m256 v) {
  return _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(255.f));
}

void hpass_rgb(const uint8_t* row, const HTaps& t, float* const out[3]) {
  const int* base = reinterpret_cast<const int*>(row);
  int i = 0;
  for (; i + 8 <= t.n_safe; i += 8) {
    __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.x0 + i));
    __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.x1 + i));
    x0 = _mm256_add_epi32(x0, _mm256_add_epi32(x0, x0));
    x1 = _mm256_add_epi32(x1, _mm256_add_epi32(x1, x1));
    __m256i g0 = _mm256_i32gather_epi32(base, x0, 1);
    __m256i g1 = _mm256_i32gather_epi32(base, x1, 1);
    __m256 w = _mm256_loadu_ps(t.w + i);
    _mm256_storeu_ps(out[0] + i, lerp(byte_at(g0, 0), byte_at(g1, 0), w));
    _mm256_storeu_ps(out[1] + i, lerp(byte_at(g0, 8), byte_at(g1, 8), w));
    _mm256_storeu_ps(out[2] + i, lerp(byte_at(g0, 16), byte_at(g1, 16), w));
  }
  hpass_rgb_scalar_range(row, t, out, i);
}

struct Rgb8 {
  __m256 r, g, b;
};
inline Rgb8 yuv_rgb(const YuvCoeffs& k, __m256 y, __m256 u, __m256 v) {
  __m256 yy = _mm256_mul_ps(_mm256_set1_ps(k.ym), _mm256_sub_ps(y, _mm256_set1_ps(k.yo)));
  u = _mm256_sub_ps(u, _mm256_set1_ps(128.f));
  v = _mm256_sub_ps(v, _mm256_set1_ps(128.f));
  Rgb8 o;
  o.r = clamp255v(_mm256_fmadd_ps(_mm256_set1_ps(k.vr), v, yy));
  o.g = clamp255v(_mm256_fnmadd_ps(_mm256_set1_ps(k.vg), v,
                                   _mm256_fnmadd_ps(_mm256_set1_ps(k.ug), u, yy)));
  o.b = clamp255v(_mm256_fmadd_ps(_mm256_set1_ps(k.ub), u, yy));
  return o;
}

void hpass_yuv(const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step, const HTaps& t,
               const YuvCoeffs& k, float* const out[3]) {
  const int* yb = reinterpret_cast<const int*>(y);
  const int* ub = reinterpret_cast<const int*>(u);
  const int* vb = reinterpret_cast<const int*>(v);
  const bool nv12 = uv_step == 2;
  int i = 0;
  for (; i + 8 <= t.n_safe; i += 8) {
    __m256i x0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.x0 + i));
    __m256i x1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t.x1 + i));
    // x1 - x0 is 0 or 1, so one 4-byte gather at x0 holds both taps: shift the second one down.
    __m256i gy = _mm256_i32gather_epi32(yb, x0, 1);
    __m256i sy = _mm256_slli_epi32(_mm256_sub_epi32(x1, x0), 3);
    __m256 y0 = byte_at(gy, 0), y1 = byte_at(_mm256_srlv_epi32(gy, sy), 0);
    __m256 u0, v0, u1, v1;
    if (nv12) {  // U and V interleaved: one gather brings both, both taps
      __m256i c0 = _mm256_slli_epi32(_mm256_srli_epi32(x0, 1), 1);
      __m256i c1 = _mm256_slli_epi32(_mm256_srli_epi32(x1, 1), 1);
      __m256i g = _mm256_i32gather_epi32(ub, c0, 1);
      __m256i g1 = _mm256_srlv_epi32(g, _mm256_slli_epi32(_mm256_sub_epi32(c1, c0), 3));
      u0 = byte_at(g, 0), v0 = byte_at(g, 8), u1 = byte_at(g1, 0), v1 = byte_at(g1, 8);
    } else {
      __m256i c0 = _mm256_srli_epi32(x0, 1);
      __m256i sc = _mm256_slli_epi32(_mm256_sub_epi32(_mm256_srli_epi32(x1, 1), c0), 3);
      __m256i gu = _mm256_i32gather_epi32(ub, c0, 1), gv = _mm256_i32gather_epi32(vb, c0, 1);
      u0 = byte_at(gu, 0), v0 = byte_at(gv, 0);
      u1 = byte_at(_mm256_srlv_epi32(gu, sc), 0), v1 = byte_at(_mm256_srlv_epi32(gv, sc), 0);
    }
    Rgb8 p0 = yuv_rgb(k, y0, u0, v0), p1 = yuv_rgb(k, y1, u1, v1);
    __m256 w = _mm256_loadu_ps(t.w + i);
    _mm256_storeu_ps(out[0] + i, lerp(p0.r, p1.r, w));
    _mm256_storeu_ps(out[1] + i, lerp(p0.g, p1.g, w));
    _mm256_storeu_ps(out[2] + i, lerp(p0.b, p1.b, w));
  }
  hpass_yuv_scalar_range(y, u, v, uv_step, t, k, out, i);
}

inline void store8(const VPassArgs& a, float* tmp, int i, int c, __m256 v) {
  ptrdiff_t off = c * a.plane_stride + i;
  switch (a.dtype) {
    case OutDType::Float32: _mm256_storeu_ps(static_cast<float*>(a.dst) + off, v); break;
    case OutDType::Float16:
      _mm_storeu_si128(reinterpret_cast<__m128i*>(static_cast<uint16_t*>(a.dst) + off),
                       _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
      break;
    case OutDType::UInt8: {
      __m256i q = _mm256_cvtps_epi32(clamp255v(v));
      __m128i w16 = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(static_cast<uint8_t*>(a.dst) + off),
                       _mm_packus_epi16(w16, w16));
      break;
    }
  }
}

// HWC: convert each channel vector to the dtype, then interleave; 3-way shuffles would be faster
// but HWC is the rarer layout (mostly uint8 for TensorRT-style inputs).
template <typename D, typename S>
inline void interleave(D* d, const S (&t)[3][8]) {
  for (int j = 0; j < 8; ++j) d[3 * j] = D(t[0][j]), d[3 * j + 1] = D(t[1][j]), d[3 * j + 2] = D(t[2][j]);
}

inline void store_hwc(const VPassArgs& a, int i, const __m256 v[3]) {
  switch (a.dtype) {
    case OutDType::Float32: {
      alignas(32) float t[3][8];
      for (int c = 0; c < 3; ++c) _mm256_store_ps(t[c], v[c]);
      interleave(static_cast<float*>(a.dst) + 3 * i, t);
      break;
    }
    case OutDType::Float16: {
      alignas(32) uint16_t t[3][8];
      for (int c = 0; c < 3; ++c)
        _mm_store_si128(reinterpret_cast<__m128i*>(t[c]), _mm256_cvtps_ph(v[c], _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
      interleave(static_cast<uint16_t*>(a.dst) + 3 * i, t);
      break;
    }
    case OutDType::UInt8: {
      alignas(32) int32_t t[3][8];
      for (int c = 0; c < 3; ++c) _mm256_store_si256(reinterpret_cast<__m256i*>(t[c]), _mm256_cvtps_epi32(clamp255v(v[c])));
      interleave(static_cast<uint8_t*>(a.dst) + 3 * i, t);
      break;
    }
  }
}

void vpass(const VPassArgs& a) {
  const __m256 wy = _mm256_set1_ps(a.wy);
  const bool chw = a.layout == OutLayout::CHW;
  int i = 0;
  for (; i + 8 <= a.n; i += 8) {
    __m256 v[3];
    for (int c = 0; c < 3; ++c) {
      v[c] = lerp(_mm256_loadu_ps(a.a[c] + i), _mm256_loadu_ps(a.b[c] + i), wy);
      v[c] = _mm256_fmadd_ps(v[c], _mm256_set1_ps(a.k[c]), _mm256_set1_ps(a.bias[c]));
      if (chw) store8(a, nullptr, i, c, v[c]);
    }
    if (!chw) store_hwc(a, i, v);
  }
  vpass_scalar_range(a, i);
}

}  // namespace

Kernels avx2_kernels() { return {hpass_rgb, hpass_yuv, vpass, SimdLevel::Avx2}; }

}  // namespace vxfast
#pragma GCC pop_options

#else
namespace vxfast {
Kernels avx2_kernels() { return scalar_kernels(); }
}  // namespace vxfast
#endif
