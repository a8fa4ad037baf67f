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
namespace {
// sqrt as x * rsqrt14(x) refined by one Newton step (full float precision): vsqrtps zmm has a
// 12-cycle throughput and was a third of the Sobel row's time.
inline __m512 sqrt_nr(__m512 x) {
  const __m512 y0 = _mm512_rsqrt14_ps(x);
  const __m512 y = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), y0),
                                 _mm512_fnmadd_ps(_mm512_mul_ps(x, y0), y0, _mm512_set1_ps(3.0f)));
  // rsqrt(0) is inf and 0 * inf NaN: zero gradients are exact zeros.
  return _mm512_maskz_mul_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), x, y);
}

double sum_sqrt(const int32_t* g, int64_t n) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();  // two chains hide add latency
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    acc0 = _mm512_add_ps(acc0, sqrt_nr(_mm512_cvtepi32_ps(_mm512_loadu_si512(g + i))));
    acc1 = _mm512_add_ps(acc1, sqrt_nr(_mm512_cvtepi32_ps(_mm512_loadu_si512(g + i + 16))));
  }
  double total = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
  for (; i < n; ++i) total += std::sqrt(static_cast<double>(g[i]));
  return total;
}
}  // namespace
#define VXF_HAVE_LOAD_U8 1
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

namespace vxfast::features {
void row_pass_avx512(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_impl(v, y0, y1, s); }
}  // namespace vxfast::features
#pragma GCC pop_options
#else
namespace vxfast::features {
void row_pass_avx512(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_baseline(v, y0, y1, s); }
}  // namespace vxfast::features
#endif
