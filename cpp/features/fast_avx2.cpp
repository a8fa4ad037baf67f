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
namespace {
// sqrt as x * rsqrt(x) refined by one Newton step (~23 bits, well inside the 1e-4 the features
// need): vsqrtps is a 6-cycle-throughput instruction and was a third of the Sobel row's time.
inline __m256 sqrt_nr(__m256 x) {
  const __m256 y0 = _mm256_rsqrt_ps(x);
  const __m256 y = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), y0),
                                 _mm256_fnmadd_ps(_mm256_mul_ps(x, y0), y0, _mm256_set1_ps(3.0f)));
  // rsqrt(0) is inf and 0 * inf NaN: zero gradients are exact zeros.
  return _mm256_and_ps(_mm256_mul_ps(x, y), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
}

double sum_sqrt(const int32_t* g, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();  // two chains hide add latency
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_add_ps(acc0, sqrt_nr(_mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + i)))));
    acc1 = _mm256_add_ps(acc1, sqrt_nr(_mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + i + 8)))));
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_add_ps(acc0, acc1));
  double total = 0;
  for (float f : lanes) total += f;
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
}  // namespace
#include "features/fast_kernels.inc"

namespace vxfast::features {
void row_pass_avx2(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_impl(v, y0, y1, s); }
}  // namespace vxfast::features
#pragma GCC pop_options
#else
namespace vxfast::features {
void row_pass_avx2(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_baseline(v, y0, y1, s); }
}  // namespace vxfast::features
#endif
