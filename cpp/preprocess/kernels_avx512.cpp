// AVX-512F/BW kernels (16 floats a step), the AVX2 kernels widened. Gathers fetch the two taps of 16 output columns at
// once; columns past HTaps::n_safe and the final partial step use the scalar code.
#include "preprocess/kernels.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#include <algorithm>
#include <atomic>
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

// All weights 0 (integer downscale ratios, e.g. 1920 -> 640): the second tap cannot change the
// result (a + 0 * (b - a) == a), so skip its gather / conversion.
inline bool all_zero(__m512 w) { return _mm512_cmp_ps_mask(w, _mm512_setzero_ps(), _CMP_NEQ_OQ) == 0; }

void hpass_rgb(const uint8_t* row, const HTaps& t, float* const out[3]) {
  const int* base = reinterpret_cast<const int*>(row);
  int i = 0;
  for (; i + 16 <= t.n_safe; i += 16) {
    __m512i x0 = _mm512_loadu_si512(t.x0 + i);
    __m512i x1 = _mm512_loadu_si512(t.x1 + i);
    x0 = _mm512_add_epi32(x0, _mm512_add_epi32(x0, x0));
    __m512i g0 = _mm512_i32gather_epi32(x0, base, 1);
    __m512 w = _mm512_loadu_ps(t.w + i);
    if (all_zero(w)) {
      _mm512_storeu_ps(out[0] + i, byte_at(g0, 0));
      _mm512_storeu_ps(out[1] + i, byte_at(g0, 8));
      _mm512_storeu_ps(out[2] + i, byte_at(g0, 16));
      continue;
    }
    x1 = _mm512_add_epi32(x1, _mm512_add_epi32(x1, x1));
    __m512i g1 = _mm512_i32gather_epi32(x1, base, 1);
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

struct YuvTaps {
  __m512 y0, u0, v0, y1, u1, v1;
};

// Both taps of 16 output columns by gathers: x1 - x0 is 0 or 1, so one 4-byte gather at x0 holds
// both; the second is shifted down.
inline YuvTaps yuv_taps_gather(const int* yb, const int* ub, const int* vb, bool nv12, __m512i x0,
                               __m512i x1) {
  YuvTaps p;
  __m512i gy = _mm512_i32gather_epi32(x0, yb, 1);
  __m512i sy = _mm512_slli_epi32(_mm512_sub_epi32(x1, x0), 3);
  p.y0 = byte_at(gy, 0), p.y1 = byte_at(_mm512_srlv_epi32(gy, sy), 0);
  if (nv12) {  // U and V interleaved: one gather brings both, both taps
    __m512i c0 = _mm512_slli_epi32(_mm512_srli_epi32(x0, 1), 1);
    __m512i c1 = _mm512_slli_epi32(_mm512_srli_epi32(x1, 1), 1);
    __m512i g = _mm512_i32gather_epi32(c0, ub, 1);
    __m512i g1 = _mm512_srlv_epi32(g, _mm512_slli_epi32(_mm512_sub_epi32(c1, c0), 3));
    p.u0 = byte_at(g, 0), p.v0 = byte_at(g, 8), p.u1 = byte_at(g1, 0), p.v1 = byte_at(g1, 8);
  } else {
    __m512i c0 = _mm512_srli_epi32(x0, 1);
    __m512i sc = _mm512_slli_epi32(_mm512_sub_epi32(_mm512_srli_epi32(x1, 1), c0), 3);
    __m512i gu = _mm512_i32gather_epi32(c0, ub, 1), gv = _mm512_i32gather_epi32(c0, vb, 1);
    p.u0 = byte_at(gu, 0), p.v0 = byte_at(gv, 0);
    p.u1 = byte_at(_mm512_srlv_epi32(gu, sc), 0), p.v1 = byte_at(_mm512_srlv_epi32(gv, sc), 0);
  }
  return p;
}

// Converts both taps to RGB and blends them into out[c][i..i+16).
inline void yuv_store(const YuvCoeffs& k, const YuvTaps& p, __m512 w, int i, float* const out[3]) {
  Rgb16 p0 = yuv_rgb(k, p.y0, p.u0, p.v0);
  if (all_zero(w)) {
    _mm512_storeu_ps(out[0] + i, p0.r);
    _mm512_storeu_ps(out[1] + i, p0.g);
    _mm512_storeu_ps(out[2] + i, p0.b);
    return;
  }
  Rgb16 p1 = yuv_rgb(k, p.y1, p.u1, p.v1);
  _mm512_storeu_ps(out[0] + i, lerp(p0.r, p1.r, w));
  _mm512_storeu_ps(out[1] + i, lerp(p0.g, p1.g, w));
  _mm512_storeu_ps(out[2] + i, lerp(p0.b, p1.b, w));
}

void hpass_yuv(const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step, const HTaps& t,
               const YuvCoeffs& k, float* const out[3]) {
  const int* yb = reinterpret_cast<const int*>(y);
  const int* ub = reinterpret_cast<const int*>(u);
  const int* vb = reinterpret_cast<const int*>(v);
  int i = 0;
  for (; i + 16 <= t.n_safe; i += 16) {
    __m512i x0 = _mm512_loadu_si512(t.x0 + i), x1 = _mm512_loadu_si512(t.x1 + i);
    yuv_store(k, yuv_taps_gather(yb, ub, vb, uv_step == 2, x0, x1), _mm512_loadu_ps(t.w + i), i, out);
  }
  hpass_yuv_scalar_range(y, u, v, uv_step, t, k, out, i);
}

// AVX-512 VBMI: when the taps of 16 columns fall in a 64-byte window (downscales up to ~4x, e.g.
// 1080p -> 640), one masked load + vpermb per plane replaces each gather; gathers are microcoded
// (and slower still under the GDS mitigation), and were most of this kernel's time. The load's
// mask covers only bytes up to the last tap, so it never touches memory the gather would not.
__attribute__((target("avx512vbmi"))) inline __m512i bytes_at(__m512i window, __m512i idx) {
  return _mm512_maskz_permutexvar_epi8(0x1111111111111111ULL, idx, window);  // zero-extended
}

__attribute__((target("avx512vbmi"))) inline YuvTaps yuv_taps_permute(
    const uint8_t* y, const uint8_t* u, const uint8_t* v, bool nv12, __m512i x0, __m512i x1,
    int base, int last) {
  YuvTaps p;
  const __mmask64 ym = ~0ULL >> (63 - (last - base));
  __m512i wy = _mm512_maskz_loadu_epi8(ym, y + base);
  __m512i b = _mm512_set1_epi32(base);
  p.y0 = _mm512_cvtepi32_ps(bytes_at(wy, _mm512_sub_epi32(x0, b)));
  p.y1 = _mm512_cvtepi32_ps(bytes_at(wy, _mm512_sub_epi32(x1, b)));
  const int cb = base >> 1, cl = last >> 1;
  __m512i c0 = _mm512_sub_epi32(_mm512_srli_epi32(x0, 1), _mm512_set1_epi32(cb));
  __m512i c1 = _mm512_sub_epi32(_mm512_srli_epi32(x1, 1), _mm512_set1_epi32(cb));
  if (nv12) {  // byte 2c is U, 2c + 1 is V
    const __mmask64 cm = ~0ULL >> (63 - (2 * (cl - cb) + 1));
    __m512i wc = _mm512_maskz_loadu_epi8(cm, u + 2 * cb);
    c0 = _mm512_add_epi32(c0, c0), c1 = _mm512_add_epi32(c1, c1);
    const __m512i one = _mm512_set1_epi32(1);
    p.u0 = _mm512_cvtepi32_ps(bytes_at(wc, c0));
    p.v0 = _mm512_cvtepi32_ps(bytes_at(wc, _mm512_add_epi32(c0, one)));
    p.u1 = _mm512_cvtepi32_ps(bytes_at(wc, c1));
    p.v1 = _mm512_cvtepi32_ps(bytes_at(wc, _mm512_add_epi32(c1, one)));
  } else {
    const __mmask64 cm = ~0ULL >> (63 - (cl - cb));
    __m512i wu = _mm512_maskz_loadu_epi8(cm, u + cb), wv = _mm512_maskz_loadu_epi8(cm, v + cb);
    p.u0 = _mm512_cvtepi32_ps(bytes_at(wu, c0)), p.v0 = _mm512_cvtepi32_ps(bytes_at(wv, c0));
    p.u1 = _mm512_cvtepi32_ps(bytes_at(wu, c1)), p.v1 = _mm512_cvtepi32_ps(bytes_at(wv, c1));
  }
  return p;
}

__attribute__((target("avx512vbmi"))) void hpass_yuv_vbmi(
    const uint8_t* y, const uint8_t* u, const uint8_t* v, int uv_step, const HTaps& t,
    const YuvCoeffs& k, float* const out[3]) {
  const bool nv12 = uv_step == 2;
  int i = 0;
  for (; i + 16 <= t.n; i += 16) {
    __m512i x0 = _mm512_loadu_si512(t.x0 + i), x1 = _mm512_loadu_si512(t.x1 + i);
    // Taps ascend, so the block's window is [x0[i], x1[i + 15]]; NV12's chroma spans twice that.
    const int base = t.x0[i], last = t.x1[i + 15];
    const bool fits = last - base < (nv12 ? 62 : 64);
    YuvTaps p;
    if (fits) {
      p = yuv_taps_permute(y, u, v, nv12, x0, x1, base, last);
    } else if (i + 16 <= t.n_safe) {
      p = yuv_taps_gather(reinterpret_cast<const int*>(y), reinterpret_cast<const int*>(u),
                          reinterpret_cast<const int*>(v), nv12, x0, x1);
    } else {
      break;
    }
    yuv_store(k, p, _mm512_loadu_ps(t.w + i), i, out);
  }
  hpass_yuv_scalar_range(y, u, v, uv_step, t, k, out, i);
}

inline void store_chw(const VPassArgs& a, int i, int c, __m512 v) {
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

std::atomic<bool> g_streaming{true};

// Non-temporal stores for outputs bigger than the caches: a tensor row is written once and not
// read back here, so fetching its lines first (read-for-ownership) only doubles the traffic.
// Streams need 64-byte alignment: the head up to it uses masked ordinary stores.
inline void stream_row_f32(const VPassArgs& a) {
  const __m512 wy = _mm512_set1_ps(a.wy);
  for (int c = 0; c < 3; ++c) {
    float* d = static_cast<float*>(a.dst) + c * a.plane_stride;
    const __m512 k = _mm512_set1_ps(a.k[c]), bias = _mm512_set1_ps(a.bias[c]);
    auto value = [&](int i, __mmask16 m) {
      __m512 v = lerp(_mm512_maskz_loadu_ps(m, a.a[c] + i), _mm512_maskz_loadu_ps(m, a.b[c] + i), wy);
      return _mm512_fmadd_ps(v, k, bias);
    };
    int i = std::min(a.n, int(((64 - (reinterpret_cast<uintptr_t>(d) & 63)) & 63) / 4));
    if (i > 0) _mm512_mask_storeu_ps(d, __mmask16((1u << i) - 1), value(0, __mmask16((1u << i) - 1)));
    for (; i + 16 <= a.n; i += 16) _mm512_stream_ps(d + i, value(i, 0xffff));
    if (i < a.n) {
      const __mmask16 m = __mmask16((1u << (a.n - i)) - 1);
      _mm512_mask_storeu_ps(d + i, m, value(i, m));
    }
  }
}

void fill_f32(float* d, ptrdiff_t n, float v, bool stream) {
  const __m512 x = _mm512_set1_ps(v);
  ptrdiff_t i = 0;
  if (stream && g_streaming.load(std::memory_order_relaxed)) {
    for (; i < n && (reinterpret_cast<uintptr_t>(d + i) & 63); ++i) d[i] = v;
    for (; i + 16 <= n; i += 16) _mm512_stream_ps(d + i, x);
  }
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(d + i, x);
  for (; i < n; ++i) d[i] = v;
}

void vpass(const VPassArgs& a) {
  if (a.stream && a.dtype == OutDType::Float32 && a.layout == OutLayout::CHW &&
      (reinterpret_cast<uintptr_t>(a.dst) & 3) == 0 && g_streaming.load(std::memory_order_relaxed)) {
    stream_row_f32(a);
    return;
  }
  const __m512 wy = _mm512_set1_ps(a.wy);
  const bool chw = a.layout == OutLayout::CHW;
  int i = 0;
  for (; i + 16 <= a.n; i += 16) {
    __m512 v[3];
    for (int c = 0; c < 3; ++c) {
      v[c] = lerp(_mm512_loadu_ps(a.a[c] + i), _mm512_loadu_ps(a.b[c] + i), wy);
      v[c] = _mm512_fmadd_ps(v[c], _mm512_set1_ps(a.k[c]), _mm512_set1_ps(a.bias[c]));
      if (chw) store_chw(a, i, c, v[c]);
    }
    if (!chw) store_hwc(a, i, v);
  }
  vpass_scalar_range(a, i);
}

std::atomic<bool> g_use_vbmi{true};
}  // namespace

bool avx512_vbmi_available() {
  static const bool has = __builtin_cpu_supports("avx512vbmi");
  return has;
}
void set_avx512_vbmi(bool on) { g_use_vbmi.store(on); }
void set_avx512_streaming(bool on) { g_streaming.store(on); }

Kernels avx512_kernels() {
  return {hpass_rgb, g_use_vbmi.load() && avx512_vbmi_available() ? hpass_yuv_vbmi : hpass_yuv, vpass,
          SimdLevel::Avx512, fill_f32};
}

}  // namespace vxfast
#pragma GCC pop_options

#else
namespace vxfast {
Kernels avx512_kernels() { return scalar_kernels(); }
bool avx512_vbmi_available() { return false; }
void set_avx512_vbmi(bool) {}
void set_avx512_streaming(bool) {}
}  // namespace vxfast
#endif
