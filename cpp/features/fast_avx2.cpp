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
double sum_sqrt(const int32_t* g, int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    acc = _mm256_add_ps(acc, _mm256_sqrt_ps(_mm256_cvtepi32_ps(
                                 _mm256_loadu_si256(reinterpret_cast<const __m256i*>(g + i)))));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc);
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
