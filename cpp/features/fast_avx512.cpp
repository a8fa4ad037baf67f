// Fast row pass built for AVX-512 (F, BW, VL, DQ), chosen at run time (simd_dispatch.cpp).
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "features/feature_set.h"
#include "features/vec_types.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")
#define VXF_DCT_PAIRS 1  // two 8x8 blocks per zmm (fast_kernels.inc)
#define VXF_HAVE_LOAD_U8 1
#define VXF_HAVE_GRAD_VECTORS 1
namespace {
inline vxfast::features::vec::v8f load8_u8(const uint8_t* p) {
  return (vxfast::features::vec::v8f)_mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}
inline vxfast::features::vec::v16f load16_u8(const uint8_t* p) {
  return (vxfast::features::vec::v16f)_mm512_cvtepi32_ps(
      _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
}
}  // namespace
#include "features/fast_kernels.inc"

namespace {
int64_t grad_columns(const uint8_t* a, const uint8_t* b, const uint8_t* c, int64_t cols, int16_t* V,
                     int16_t* D, int16_t* E, int16_t* B) {
  int64_t j = 0;
  for (; j + 32 <= cols; j += 32) {
    auto ld = [j](const uint8_t* p) {
      return _mm512_cvtepu8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + j)));
    };
    const __m512i av = ld(a), bv = ld(b), cv = ld(c), ac = _mm512_add_epi16(av, cv);
    _mm512_storeu_si512(V + j, _mm512_add_epi16(ac, _mm512_add_epi16(bv, bv)));
    _mm512_storeu_si512(D + j, _mm512_sub_epi16(cv, av));
    _mm512_storeu_si512(E + j, _mm512_sub_epi16(ac, _mm512_slli_epi16(bv, 2)));
    _mm512_storeu_si512(B + j, bv);
  }
  return j;
}

// Sum of sqrt(g2) lanes as 2 * acc: sqrt(x) = x * rsqrt(x) with rsqrt14 refined by one Newton step,
// folded as 0.5 * t * (3 - t * y0) with t = x * y0 (full float precision; vsqrtps zmm has a
// 12-cycle throughput). x = 0 masks y0 to 0, so zero gradients add exact zeros (rsqrt(0) = inf).
inline __m512 add_sqrt_x2(__m512 acc, __m512i g2) {
  const __m512 x = _mm512_cvtepi32_ps(g2);
  const __m512 y0 = _mm512_maskz_rsqrt14_ps(_mm512_test_epi32_mask(g2, g2), x);
  const __m512 t = _mm512_mul_ps(x, y0);
  return _mm512_fmadd_ps(t, _mm512_fnmadd_ps(t, y0, _mm512_set1_ps(3.0f)), acc);
}

int64_t grad_sums(const int16_t* V, const int16_t* D, const int16_t* E, const int16_t* B, int64_t n,
                  GradSums& g) {
  // int32 lanes: per pass (<= kPassCols / 32 steps) each lane adds at most 2 * 2 * 1020^2 a step.
  const __m512i ones = _mm512_set1_epi16(1);
  __m512i lsum = _mm512_setzero_si512(), lsq = lsum, gsq = lsum, bren = lsum;
  __m512 m0 = _mm512_setzero_ps(), m1 = m0;
  // keep(x) zeroes the lanes past n in the last, partial vector (the buffers are padded), so the
  // tail costs one vector step instead of up to 31 scalar ones with a double sqrt each.
  auto step = [&](int64_t i, auto keep) {
    auto ld = [](const int16_t* p) { return _mm512_loadu_si512(p); };
    const __m512i vm = ld(V + i), vp = ld(V + i + 2), dm = ld(D + i), d0 = ld(D + i + 1), dp = ld(D + i + 2);
    const __m512i bm = ld(B + i), bp = ld(B + i + 2);
    const __m512i gx = keep(_mm512_sub_epi16(vp, vm));
    const __m512i gy = keep(_mm512_add_epi16(_mm512_add_epi16(dm, dp), _mm512_add_epi16(d0, d0)));
    const __m512i lap = keep(_mm512_add_epi16(ld(E + i + 1), _mm512_add_epi16(bm, bp)));
    const __m512i br = keep(_mm512_sub_epi16(bp, bm));
    lsum = _mm512_add_epi32(lsum, _mm512_madd_epi16(lap, ones));
    lsq = _mm512_add_epi32(lsq, _mm512_madd_epi16(lap, lap));
    bren = _mm512_add_epi32(bren, _mm512_madd_epi16(br, br));
    // Interleaving (gx, gy) pairs makes madd give gx^2 + gy^2 per pixel.
    const __m512i lo = _mm512_unpacklo_epi16(gx, gy), hi = _mm512_unpackhi_epi16(gx, gy);
    const __m512i g2a = _mm512_madd_epi16(lo, lo), g2b = _mm512_madd_epi16(hi, hi);
    gsq = _mm512_add_epi32(gsq, _mm512_add_epi32(g2a, g2b));
    m0 = add_sqrt_x2(m0, g2a);
    m1 = add_sqrt_x2(m1, g2b);
  };
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) step(i, [](__m512i x) { return x; });
  if (i < n) {
    const __mmask32 k = (1u << (n - i)) - 1;
    step(i, [k](__m512i x) { return _mm512_maskz_mov_epi16(k, x); });
    i = n;
  }
  g.lap_sum += _mm512_reduce_add_epi32(lsum);
  g.lap_sq += _mm512_reduce_add_epi32(lsq);
  g.grad_sq += _mm512_reduce_add_epi32(gsq);
  g.brenner += _mm512_reduce_add_epi32(bren);
  g.grad_mag += 0.5 * static_cast<double>(_mm512_reduce_add_ps(_mm512_add_ps(m0, m1)));
  return i;
}
}  // namespace

namespace vxfast::features {
void row_pass_avx512(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_impl(v, y0, y1, s); }
}  // namespace vxfast::features
#pragma GCC pop_options
#else
namespace vxfast::features {
void row_pass_avx512(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_baseline(v, y0, y1, s); }
}  // namespace vxfast::features
#endif
