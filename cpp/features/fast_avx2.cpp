// Fast row pass built for AVX2 + FMA, chosen at run time (simd_dispatch.cpp).
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "features/feature_set.h"
#include "features/vec_types.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define VXF_HAVE_LOAD_U8 1
#define VXF_HAVE_GRAD_VECTORS 1
namespace {
inline vxfast::features::vec::v8f load8_u8(const uint8_t* p) {
  return (vxfast::features::vec::v8f)_mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}
}  // namespace
#include "features/fast_kernels.inc"

namespace {
int64_t grad_columns(const uint8_t* a, const uint8_t* b, const uint8_t* c, int64_t cols, int16_t* V,
                     int16_t* D, int16_t* E, int16_t* B) {
  int64_t j = 0;
  for (; j + 16 <= cols; j += 16) {
    auto ld = [j](const uint8_t* p) {
      return _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + j)));
    };
    auto st = [j](int16_t* p, __m256i x) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + j), x); };
    const __m256i av = ld(a), bv = ld(b), cv = ld(c), ac = _mm256_add_epi16(av, cv);
    st(V, _mm256_add_epi16(ac, _mm256_add_epi16(bv, bv)));
    st(D, _mm256_sub_epi16(cv, av));
    st(E, _mm256_sub_epi16(ac, _mm256_slli_epi16(bv, 2)));
    st(B, bv);
  }
  return j;
}

// Sum of sqrt(g2) lanes as 2 * acc: sqrt(x) = x * rsqrt(x) refined by one Newton step (~23 bits),
// folded as 0.5 * t * (3 - t * y0) with t = x * y0; vsqrtps is a 6-cycle-throughput instruction.
// x = 0 masks y0 to 0, so zero gradients add exact zeros (rsqrt(0) = inf).
inline __m256 add_sqrt_x2(__m256 acc, __m256i g2) {
  const __m256 x = _mm256_cvtepi32_ps(g2);
  const __m256 y0 = _mm256_and_ps(_mm256_rsqrt_ps(x), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
  const __m256 t = _mm256_mul_ps(x, y0);
  return _mm256_fmadd_ps(t, _mm256_fnmadd_ps(t, y0, _mm256_set1_ps(3.0f)), acc);
}

inline __m256i ld16(const int16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

int64_t hsum_epi32(__m256i v) {
  alignas(32) int32_t l[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(l), v);
  int64_t t = 0;
  for (int32_t x : l) t += x;
  return t;
}

int64_t grad_sums(const int16_t* V, const int16_t* D, const int16_t* E, const int16_t* B, int64_t n,
                  GradSums& g) {
  // int32 lanes: per pass (<= kPassCols / 16 steps) each lane adds at most 2 * 2 * 1020^2 a step.
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i lsum = _mm256_setzero_si256(), lsq = lsum, gsq = lsum, bren = lsum;
  __m256 m0 = _mm256_setzero_ps(), m1 = m0;
  // keep(x) zeroes the lanes past n in the last, partial vector (the buffers are padded), so the
  // tail costs one vector step instead of up to 15 scalar ones with a double sqrt each.
  auto step = [&](int64_t i, auto keep) {
    auto ld = [](const int16_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); };
    const __m256i vm = ld(V + i), vp = ld(V + i + 2), dm = ld(D + i), d0 = ld(D + i + 1), dp = ld(D + i + 2);
    const __m256i bm = ld(B + i), bp = ld(B + i + 2);
    const __m256i gx = keep(_mm256_sub_epi16(vp, vm));
    const __m256i gy = keep(_mm256_add_epi16(_mm256_add_epi16(dm, dp), _mm256_add_epi16(d0, d0)));
    const __m256i lap = keep(_mm256_add_epi16(ld(E + i + 1), _mm256_add_epi16(bm, bp)));
    const __m256i br = keep(_mm256_sub_epi16(bp, bm));
    lsum = _mm256_add_epi32(lsum, _mm256_madd_epi16(lap, ones));
    lsq = _mm256_add_epi32(lsq, _mm256_madd_epi16(lap, lap));
    bren = _mm256_add_epi32(bren, _mm256_madd_epi16(br, br));
    // Interleaving (gx, gy) pairs makes madd give gx^2 + gy^2 per pixel.
    const __m256i lo = _mm256_unpacklo_epi16(gx, gy), hi = _mm256_unpackhi_epi16(gx, gy);
    const __m256i g2a = _mm256_madd_epi16(lo, lo), g2b = _mm256_madd_epi16(hi, hi);
    gsq = _mm256_add_epi32(gsq, _mm256_add_epi32(g2a, g2b));
    m0 = add_sqrt_x2(m0, g2a);
    m1 = add_sqrt_x2(m1, g2b);
  };
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) step(i, [](__m256i x) { return x; });
  if (i < n) {
    // Lanes k < n - i kept: a window into 16 all-ones then 16 zeros.
    alignas(32) static constexpr int16_t kWindow[32] = {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                        -1, -1, -1, -1, -1};
    const __m256i k = ld16(kWindow + 16 - (n - i));
    step(i, [k](__m256i x) { return _mm256_and_si256(x, k); });
    i = n;
  }
  g.lap_sum += hsum_epi32(lsum);
  g.lap_sq += hsum_epi32(lsq);
  g.grad_sq += hsum_epi32(gsq);
  g.brenner += hsum_epi32(bren);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(m0, m1));
  double mag = 0;
  for (float f : lanes) mag += f;
  g.grad_mag += 0.5 * mag;
  return i;
}
}  // namespace

namespace vxfast::features {
void row_pass_avx2(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_impl(v, y0, y1, s); }
}  // namespace vxfast::features
#pragma GCC pop_options
#else
namespace vxfast::features {
void row_pass_avx2(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_baseline(v, y0, y1, s); }
}  // namespace vxfast::features
#endif
