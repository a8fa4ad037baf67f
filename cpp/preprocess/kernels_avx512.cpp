// AVX-512F/BW kernels (16 floats a step), the AVX2 kernels widened. Gathers fetch the two taps of 16 output columns at
// once; columns past HTaps::n_safe and the final partial step use the scalar code.
#include "preprocess/kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

// Everything below is compiled for AVX-512; only reached when cpu.h says the CPU has it. All standard
// headers are included above so no library inline function gets an AVX2 body.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx2,fma,f16c")
#include "preprocess/scalar_inl.h"

namespace vxfast {
namespace {
using namespace kernel_detail;

inline __m512 lerp(__m512 a, __m512 b, __m512 w) {
  return _mm512_fmadd_ps(w, _mm512_sub_ps(b, a), a);
}
inline __m512 byte_at(__m512i g, int shift) {
  __m512i v = shift == 0 ? g : (shift == 8 ? _mm512_srli_epi32(g, 8) : _mm512_srli_epi32(g, 16));
  return _mm512_cvtepi32_ps(_mm512_and_si512(v, _mm512_set1_epi32(0xff)));
}
inline __m512 clamp255v(__m512 v) {
  return _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(255.f));
}

void hpass_rgb(const uint8_t* row, const HTaps& t, float* const out[3]) {
  const int* base = reinterpret_cast<const int*>(row);
  int i = 0;
  for (; i + 16 <= t.n_safe; i += 16) {
    __m512i x0 = _mm512_loadu_si512(t.x0 + i);
    __m512i x1 = _mm512_loadu_si512(t.x1 + i);
    x0 = _mm512_add_epi32(x0, _mm512_add_epi32(x0, x0));
    x1 = _mm512_add_epi32(x1, _mm512_add_epi32(x1, x1));
    __m512i g0 = _mm512_i32gather_epi32(x0, base, 1);
    __m512i g1 = _mm512_i32gather_epi32(x1, base, 1);
    __m512 w = _mm512_loadu_ps(t.w + i);
    _mm512_storeu_ps(out[0] + i, lerp(byte_at(g0, 0), byte_at(g1, 0), w));
    _mm512_storeu_ps(out[1] + i, lerp(byte_at(g0, 8), byte_at(g1, 8), w));
    _mm512_storeu_ps(out[2] + i, lerp(byte_at(g0, 16), byte_at(g1, 16), w));
  }
  hpass_rgb_scalar_range(row, t, out, i);
}

struct Rgb16 {
  __m512 r, g, b;
};
inline Rgb16 yuv_rgb(const YuvCoeffs& k, __m512 y, __m512 u, __m512 v) {
  __m512 yy = _mm512_mul_ps(_mm512_set1_ps(k.ym), _mm512_sub_ps(y, _mm512_set1_ps(k.yo)));
  u = _mm512_sub_ps(u, _mm512_set1_ps(128.f));
  v = _mm512_sub_ps(v, _mm512_set1_ps(128.f));
  Rgb16 o;
  o.r = clamp255v(_mm512_fmadd_ps(_mm512_set1_ps(k.vr), v, yy));
  o.g = clamp255v(_mm512_fnmadd_ps(_mm512_set1_ps(k.vg), v,
                                   _mm512_fnmadd_ps(_mm512_set1_ps(k.ug), u, yy)));
  o.b = clamp255v(_mm512_fmadd_ps(_mm512_set1_ps(k.ub), u, yy));
  return o;
}

void hpass_yuv(const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step, const HTaps& t,
               const YuvCoeffs& k, float* const out[3]) {
  const int* yb = reinterpret_cast<const int*>(y);
  const int* ub = reinterpret_cast<const int*>(u);
  const int* vb = reinterpret_cast<const int*>(v);
  const bool nv12 = uv_step == 2;
  int i = 0;
  for (; i + 16 <= t.n_safe; i += 16) {
    __m512i x0 = _mm512_loadu_si512(t.x0 + i);
    __m512i x1 = _mm512_loadu_si512(t.x1 + i);
    // x1 - x0 is 0 or 1, so one 4-byte gather at x0 holds both taps: shift the second one down.
    __m512i gy = _mm512_i32gather_epi32(x0, yb, 1);
    __m512i sy = _mm512_slli_epi32(_mm512_sub_epi32(x1, x0), 3);
    __m512 y0 = byte_at(gy, 0), y1 = byte_at(_mm512_srlv_epi32(gy, sy), 0);
    __m512 u0, v0, u1, v1;
    if (nv12) {  // U and V interleaved: one gather brings both, both taps
      __m512i c0 = _mm512_slli_epi32(_mm512_srli_epi32(x0, 1), 1);
      __m512i c1 = _mm512_slli_epi32(_mm512_srli_epi32(x1, 1), 1);
      __m512i g = _mm512_i32gather_epi32(c0, ub, 1);
      __m512i g1 = _mm512_srlv_epi32(g, _mm512_slli_epi32(_mm512_sub_epi32(c1, c0), 3));
      u0 = byte_at(g, 0), v0 = byte_at(g, 8), u1 = byte_at(g1, 0), v1 = byte_at(g1, 8);
    } else {
      __m512i c0 = _mm512_srli_epi32(x0, 1);
      __m512i sc = _mm512_slli_epi32(_mm512_sub_epi32(_mm512_srli_epi32(x1, 1), c0), 3);
      __m512i gu = _mm512_i32gather_epi32(c0, ub, 1), gv = _mm512_i32gather_epi32(c0, vb, 1);
      u0 = byte_at(gu, 0), v0 = byte_at(gv, 0);
      u1 = byte_at(_mm512_srlv_epi32(gu, sc), 0), v1 = byte_at(_mm512_srlv_epi32(gv, sc), 0);
    }
    Rgb16 p0 = yuv_rgb(k, y0, u0, v0), p1 = yuv_rgb(k, y1, u1, v1);
    __m512 w = _mm512_loadu_ps(t.w + i);
    _mm512_storeu_ps(out[0] + i, lerp(p0.r, p1.r, w));
    _mm512_storeu_ps(out[1] + i, lerp(p0.g, p1.g, w));
    _mm512_storeu_ps(out[2] + i, lerp(p0.b, p1.b, w));
  }
  hpass_yuv_scalar_range(y, u, v, uv_step, t, k, out, i);
}

inline void store16(const VPassArgs& a, float* tmp, int i, int c, __m512 v) {
  ptrdiff_t off = c * a.plane_stride + i;
  switch (a.dtype) {
    case OutDType::Float32: _mm512_storeu_ps(static_cast<float*>(a.dst) + off, v); break;
    case OutDType::Float16:
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(static_cast<uint16_t*>(a.dst) + off),
                          _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
      break;
    case OutDType::UInt8: {
      __m512i q = _mm512_cvtps_epi32(clamp255v(v));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(static_cast<uint8_t*>(a.dst) + off),
                       _mm512_cvtusepi32_epi8(q));
      break;
    }
  }
}

// HWC: convert each channel vector to the dtype, then interleave; 3-way shuffles would be faster
// but HWC is the rarer layout (mostly uint8 for TensorRT-style inputs).
template <typename D, typename S>
inline void interleave(D* d, const S (&t)[3][16]) {
  for (int j = 0; j < 16; ++j) d[3 * j] = D(t[0][j]), d[3 * j + 1] = D(t[1][j]), d[3 * j + 2] = D(t[2][j]);
}

inline void store_hwc(const VPassArgs& a, int i, const __m512 v[3]) {
  switch (a.dtype) {
    case OutDType::Float32: {
      alignas(64) float t[3][16];
      for (int c = 0; c < 3; ++c) _mm512_store_ps(t[c], v[c]);
      interleave(static_cast<float*>(a.dst) + 3 * i, t);
      break;
    }
    case OutDType::Float16: {
      alignas(64) uint16_t t[3][16];
      for (int c = 0; c < 3; ++c)
        _mm256_store_si256(reinterpret_cast<__m256i*>(t[c]), _mm512_cvtps_ph(v[c], _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
      interleave(static_cast<uint16_t*>(a.dst) + 3 * i, t);
      break;
    }
    case OutDType::UInt8: {
      alignas(64) int32_t t[3][16];
      for (int c = 0; c < 3; ++c) _mm512_store_si512(t[c], _mm512_cvtps_epi32(clamp255v(v[c])));
      interleave(static_cast<uint8_t*>(a.dst) + 3 * i, t);
      break;
    }
  }
}

void vpass(const VPassArgs& a) {
  const __m512 wy = _mm512_set1_ps(a.wy);
  const bool chw = a.layout == OutLayout::CHW;
  int i = 0;
  for (; i + 16 <= a.n; i += 16) {
    __m512 v[3];
    for (int c = 0; c < 3; ++c) {
      v[c] = lerp(_mm512_loadu_ps(a.a[c] + i), _mm512_loadu_ps(a.b[c] + i), wy);
      v[c] = _mm512_fmadd_ps(v[c], _mm512_set1_ps(a.k[c]), _mm512_set1_ps(a.bias[c]));
      if (chw) store16(a, nullptr, i, c, v[c]);
    }
    if (!chw) store_hwc(a, i, v);
  }
  vpass_scalar_range(a, i);
}

}  // namespace

Kernels avx512_kernels() { return {hpass_rgb, hpass_yuv, vpass, SimdLevel::Avx512}; }

}  // namespace vxfast
#pragma GCC pop_options

#else
namespace vxfast {
Kernels avx512_kernels() { return scalar_kernels(); }
}  // namespace vxfast
#endif
