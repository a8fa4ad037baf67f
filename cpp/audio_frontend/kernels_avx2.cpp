// AVX2 + FMA kernels of kernels.h (flags from cmake/simd.cmake).
#include <immintrin.h>

#include <cfloat>

#include "audio_frontend/batch_fft_impl.h"
#include "audio_frontend/kernels.h"

namespace vxfast::audio_frontend {
namespace {

// ln(x) for normal positive x: the method of kernels_avx512.cpp's log_parts, 8 lanes.
__m256 log_parts(__m256 x, __m256& ef) {
  const __m256i xi = _mm256_castps_si256(x);
  const __m256i e = _mm256_srai_epi32(_mm256_sub_epi32(xi, _mm256_set1_epi32(0x3f3504f3)), 23);
  const __m256 m = _mm256_castsi256_ps(_mm256_sub_epi32(xi, _mm256_slli_epi32(e, 23)));
  const __m256 one = _mm256_set1_ps(1.f);
  const __m256 s = _mm256_div_ps(_mm256_sub_ps(m, one), _mm256_add_ps(m, one));
  const __m256 s2 = _mm256_mul_ps(s, s);
  __m256 q = _mm256_fmadd_ps(s2, _mm256_set1_ps(2.f / 9.f), _mm256_set1_ps(2.f / 7.f));
  q = _mm256_fmadd_ps(s2, q, _mm256_set1_ps(2.f / 5.f));
  q = _mm256_fmadd_ps(s2, q, _mm256_set1_ps(2.f / 3.f));
  ef = _mm256_cvtepi32_ps(e);
  return _mm256_fmadd_ps(_mm256_mul_ps(s, s2), q, _mm256_add_ps(s, s));
}

// log_b(x) = e log_b(2) + ln(m) / ln(b), with log_b(2) and 1 / ln(b) each split in a 16-bit head
// (e * head is exact) and a tail, so the sum rounds once at the end.
struct LogConsts {
  __m256 lg2_hi, lg2_lo, inv_hi, inv_lo;
  explicit LogConsts(int base)
      : lg2_hi(_mm256_set1_ps(base == 10 ? 0.301025390625f : 0.693145751953125f)),
        lg2_lo(_mm256_set1_ps(base == 10 ? 4.605039066518657e-06f : 1.428606765330187e-06f)),
        inv_hi(_mm256_set1_ps(base == 10 ? 0.4342944920063019f : 1.f)),
        inv_lo(_mm256_set1_ps(base == 10 ? -1.0103049952192578e-08f : 0.f)) {}
};

__m256 log_normal(__m256 x, const LogConsts& k) {
  __m256 ef;
  const __m256 lnm = log_parts(x, ef);
  __m256 a = _mm256_fmadd_ps(ef, k.lg2_lo, _mm256_mul_ps(lnm, k.inv_lo));
  a = _mm256_fmadd_ps(lnm, k.inv_hi, a);
  return _mm256_fmadd_ps(ef, k.lg2_hi, a);
}

struct Ops {  // 8 lanes for batch_fft_impl.h
  using T = __m256;
  static constexpr int W = 8;
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, T v) { _mm256_storeu_ps(p, v); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T fmadd(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T set1(float v) { return _mm256_set1_ps(v); }
  static T zero() { return _mm256_setzero_ps(); }
  // 8 rows of 8 samples, transposed with the usual unpack / shuffle / 128-bit permute steps.
  static void load_columns(const float* p, int64_t stride, int valid, T* cols) {
    __m256 r[8];
    if (valid >= 8) {
      for (int j = 0; j < 8; ++j) r[j] = _mm256_loadu_ps(p + j * stride);
    } else {
      const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
      for (int j = 0; j < 8; ++j) r[j] = _mm256_maskload_ps(p + j * stride, k);
    }
    const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    cols[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
    cols[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
    cols[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
    cols[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
    cols[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
    cols[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
    cols[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
    cols[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
  }
};

}  // namespace

void power_avx2(const float* X, int n, float* power) {
  int k = 0;
  for (; k + 8 <= n; k += 8) {
    const __m256 a = _mm256_loadu_ps(X + 2 * k), b = _mm256_loadu_ps(X + 2 * k + 8);
    // hadd sums adjacent pairs per 128-bit lane: (a0 a1 b0 b1 | a2 a3 b2 b3) -> fix the order.
    const __m256 s = _mm256_hadd_ps(_mm256_mul_ps(a, a), _mm256_mul_ps(b, b));
    _mm256_storeu_ps(power + k, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(s), 0xD8)));
  }
  for (; k < n; ++k) power[k] = X[2 * k] * X[2 * k] + X[2 * k + 1] * X[2 * k + 1];
}

void bands_avx2(const BandsView& b, const float* spec, float* out) {
  for (int m = 0; m < b.n_mels; ++m) {
    const float* w = b.weights + b.offset[m];
    const float* s = spec + b.start[m];
    const int c = b.count[m];
    __m256 acc = _mm256_setzero_ps();
    int k = 0;
    for (; k + 8 <= c; k += 8) acc = _mm256_fmadd_ps(_mm256_loadu_ps(w + k), _mm256_loadu_ps(s + k), acc);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_movehdup_ps(h));
    float r = _mm_cvtss_f32(h);
    for (; k < c; ++k) r += w[k] * s[k];
    out[m] = r;
  }
}

}  // namespace vxfast::audio_frontend

namespace vxfast::audio_frontend {

float log_avx2(float* v, int n, const LogParams& p) {
  const __m256 fl = _mm256_set1_ps(p.floor), off = _mm256_set1_ps(p.offset);
  const LogConsts lc(p.base);
  const __m256 mul = _mm256_set1_ps(p.mul);
  const bool scaled = p.mul != 1.f;
  const __m256 lo = _mm256_set1_ps(FLT_MIN), hi = _mm256_set1_ps(FLT_MAX), ninf = _mm256_set1_ps(-__builtin_huge_valf());
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 mx = ninf;
  for (int i = 0; i < n; i += 8) {
    const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32(n - i), iota);  // active lanes
    const __m256 in = _mm256_maskload_ps(v + i, k);
    const __m256 x = _mm256_add_ps(_mm256_max_ps(fl, in), off);
    __m256 y = log_normal(x, lc);
    if (scaled) y = _mm256_mul_ps(y, mul);
    const __m256 good = _mm256_and_ps(_mm256_cmp_ps(x, lo, _CMP_GE_OQ), _mm256_cmp_ps(x, hi, _CMP_LE_OQ));
    const int bad = _mm256_movemask_ps(_mm256_andnot_ps(good, _mm256_castsi256_ps(k)));
    if (bad) {
      alignas(32) float a[8], b[8];
      _mm256_store_ps(a, in);
      _mm256_store_ps(b, y);
      for (int j = 0; j < 8; ++j)
        if (bad >> j & 1) b[j] = log_one(a[j], p);
      y = _mm256_load_ps(b);
    }
    _mm256_maskstore_ps(v + i, k, y);
    mx = _mm256_max_ps(mx, _mm256_blendv_ps(ninf, y, _mm256_castsi256_ps(k)));
  }
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  h = _mm_max_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

}  // namespace vxfast::audio_frontend

namespace vxfast::audio_frontend {

void power_batch_avx2(const BatchFftView& plan, const float* in, int64_t stride, const float* window, int L, float* work,
                    float* pw) {
  batch_impl::power_batch<Ops>(plan, in, stride, window, L, work, pw);
}

void bands_batch_avx2(const BandsView& b, const float* pw, float* out) { batch_impl::bands_batch<Ops>(b, pw, out); }

}  // namespace vxfast::audio_frontend
