// AVX-512 kernels of kernels.h (flags from cmake/simd.cmake). Masked loads cover each band's tail,
// so a band of up to 16 bins (most of them at 80-128 mels) is one FMA.
#include <immintrin.h>

#include <cfloat>

#include "audio_frontend/batch_fft_impl.h"
#include "audio_frontend/kernels.h"

namespace vxfast::audio_frontend {
namespace {

// ln(x) for normal positive x (kernels.h, LogFn): x = m 2^e with m in [sqrt(1/2), sqrt(2)) by
// integer arithmetic on the bits, ln m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716, as the series
// 2s + s^3 (2/3 + 2/5 s^2 + 2/7 s^4 + 2/9 s^6) (the next term is < 1e-9), and e ln2 in two parts.
__m512 log_parts(__m512 x, __m512& ef) {
  const __m512i xi = _mm512_castps_si512(x);
  const __m512i e = _mm512_srai_epi32(_mm512_sub_epi32(xi, _mm512_set1_epi32(0x3f3504f3)), 23);
  const __m512 m = _mm512_castsi512_ps(_mm512_sub_epi32(xi, _mm512_slli_epi32(e, 23)));
  const __m512 one = _mm512_set1_ps(1.f);
  const __m512 s = _mm512_div_ps(_mm512_sub_ps(m, one), _mm512_add_ps(m, one));
  const __m512 s2 = _mm512_mul_ps(s, s);
  __m512 q = _mm512_fmadd_ps(s2, _mm512_set1_ps(2.f / 9.f), _mm512_set1_ps(2.f / 7.f));
  q = _mm512_fmadd_ps(s2, q, _mm512_set1_ps(2.f / 5.f));
  q = _mm512_fmadd_ps(s2, q, _mm512_set1_ps(2.f / 3.f));
  ef = _mm512_cvtepi32_ps(e);
  return _mm512_fmadd_ps(_mm512_mul_ps(s, s2), q, _mm512_add_ps(s, s));
}

// log_b(x) = e log_b(2) + ln(m) / ln(b), with log_b(2) and 1 / ln(b) each split in a 16-bit head
// (e * head is exact) and a tail, so the sum rounds once at the end.
struct LogConsts {
  __m512 lg2_hi, lg2_lo, inv_hi, inv_lo;
  explicit LogConsts(int base)
      : lg2_hi(_mm512_set1_ps(base == 10 ? 0.301025390625f : 0.693145751953125f)),
        lg2_lo(_mm512_set1_ps(base == 10 ? 4.605039066518657e-06f : 1.428606765330187e-06f)),
        inv_hi(_mm512_set1_ps(base == 10 ? 0.4342944920063019f : 1.f)),
        inv_lo(_mm512_set1_ps(base == 10 ? -1.0103049952192578e-08f : 0.f)) {}
};

__m512 log_normal(__m512 x, const LogConsts& k) {
  __m512 ef;
  const __m512 lnm = log_parts(x, ef);
  __m512 a = _mm512_fmadd_ps(ef, k.lg2_lo, _mm512_mul_ps(lnm, k.inv_lo));
  a = _mm512_fmadd_ps(lnm, k.inv_hi, a);
  return _mm512_fmadd_ps(ef, k.lg2_hi, a);
}

struct Ops {  // 16 lanes for batch_fft_impl.h
  using T = __m512;
  static constexpr int W = 16;
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, T v) { _mm512_storeu_ps(p, v); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T fmadd(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T set1(float v) { return _mm512_set1_ps(v); }
  static T zero() { return _mm512_setzero_ps(); }
  // 16 rows of 16 samples, transposed by swapping off-diagonal blocks at each bit level (b = 1, 2,
  // 4, 8): row i (bit b clear) takes row i|b's elements j & ~b where j has bit b, and vice versa.
  static void load_columns(const float* p, int64_t stride, int valid, T* cols) {
    const __mmask16 k = valid >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << valid) - 1u);
    for (int j = 0; j < 16; ++j) cols[j] = _mm512_maskz_loadu_ps(k, p + j * stride);
    alignas(64) static const int32_t kLo[4][16] = {{0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30},
                                                   {0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29},
                                                   {0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27},
                                                   {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}};
    alignas(64) static const int32_t kHi[4][16] = {{1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31},
                                                   {2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31},
                                                   {4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31},
                                                   {8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31}};
    for (int level = 0; level < 4; ++level) {
      const int b = 1 << level;
      const __m512i lo = _mm512_load_si512(kLo[level]), hi = _mm512_load_si512(kHi[level]);
      for (int i = 0; i < 16; ++i) {
        if (i & b) continue;
        const __m512 a = cols[i], c = cols[i | b];
        cols[i] = _mm512_permutex2var_ps(a, lo, c);
        cols[i | b] = _mm512_permutex2var_ps(a, hi, c);
      }
    }
  }

};

}  // namespace

void power_avx512(const float* X, int n, float* power) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  int k = 0;
  for (; k + 16 <= n; k += 16) {
    const __m512 a = _mm512_loadu_ps(X + 2 * k), b = _mm512_loadu_ps(X + 2 * k + 16);
    const __m512 re = _mm512_permutex2var_ps(a, even, b), im = _mm512_permutex2var_ps(a, odd, b);
    _mm512_storeu_ps(power + k, _mm512_fmadd_ps(re, re, _mm512_mul_ps(im, im)));
  }
  for (; k < n; ++k) power[k] = X[2 * k] * X[2 * k] + X[2 * k + 1] * X[2 * k + 1];
}

void bands_avx512(const BandsView& b, const float* spec, float* out) {
  for (int m = 0; m < b.n_mels; ++m) {
    const float* w = b.weights + b.offset[m];
    const float* s = spec + b.start[m];
    const int c = b.count[m];
    __m512 acc = _mm512_setzero_ps();
    int k = 0;
    for (; k + 16 <= c; k += 16) acc = _mm512_fmadd_ps(_mm512_loadu_ps(w + k), _mm512_loadu_ps(s + k), acc);
    if (k < c) {
      const __mmask16 tail = static_cast<__mmask16>((1u << (c - k)) - 1u);
      acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(tail, w + k), _mm512_maskz_loadu_ps(tail, s + k), acc);
    }
    out[m] = _mm512_reduce_add_ps(acc);
  }
}

}  // namespace vxfast::audio_frontend

namespace vxfast::audio_frontend {

float log_avx512(float* v, int n, const LogParams& p) {
  const __m512 fl = _mm512_set1_ps(p.floor), off = _mm512_set1_ps(p.offset);
  const LogConsts lc(p.base);
  const __m512 mul = _mm512_set1_ps(p.mul);
  const bool scaled = p.mul != 1.f;
  const __m512 lo = _mm512_set1_ps(FLT_MIN), hi = _mm512_set1_ps(FLT_MAX);
  __m512 mx = _mm512_set1_ps(-__builtin_huge_valf());
  for (int i = 0; i < n; i += 16) {
    const __mmask16 k = n - i >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n - i)) - 1u);
    const __m512 in = _mm512_maskz_loadu_ps(k, v + i);
    const __m512 x = _mm512_add_ps(_mm512_max_ps(fl, in), off);  // max(fl, in) keeps a NaN input, as std::max
    __m512 y = log_normal(x, lc);
    if (scaled) y = _mm512_mul_ps(y, mul);
    const __mmask16 bad = k & ~(_mm512_cmp_ps_mask(x, lo, _CMP_GE_OQ) & _mm512_cmp_ps_mask(x, hi, _CMP_LE_OQ));
    if (bad) {  // zero, subnormal, inf, NaN: the reference's value
      alignas(64) float a[16], b[16];
      _mm512_store_ps(a, in);
      _mm512_store_ps(b, y);
      for (int j = 0; j < 16; ++j)
        if (bad >> j & 1) b[j] = log_one(a[j], p);
      y = _mm512_load_ps(b);
    }
    _mm512_mask_storeu_ps(v + i, k, y);
    mx = _mm512_mask_max_ps(mx, k, mx, y);
  }
  return _mm512_reduce_max_ps(mx);
}

}  // namespace vxfast::audio_frontend

namespace vxfast::audio_frontend {

void power_batch_avx512(const BatchFftView& plan, const float* in, int64_t stride, const float* window, int L, float* work,
                    float* pw) {
  batch_impl::power_batch<Ops>(plan, in, stride, window, L, work, pw);
}

void bands_batch_avx512(const BandsView& b, const float* pw, float* out) { batch_impl::bands_batch<Ops>(b, pw, out); }

}  // namespace vxfast::audio_frontend
