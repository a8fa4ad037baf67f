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
double sum_sqrt(const int32_t* g, int64_t n) {
  __m512 acc = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    acc = _mm512_add_ps(acc, _mm512_sqrt_ps(_mm512_cvtepi32_ps(_mm512_loadu_si512(g + i))));
  double total = _mm512_reduce_add_ps(acc);
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
