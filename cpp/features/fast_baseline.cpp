// Fast row pass built for the baseline ISA (SSE2 on x86-64, NEON on AArch64): always available.
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "features/feature_set.h"
#include "features/vec_types.h"
// v8f values stay inside this file (internal linkage), so the AVX-less vector ABI note is moot.
#pragma GCC diagnostic ignored "-Wpsabi"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace {
double sum_sqrt(const int32_t* g, int64_t n) {
  double total = 0;
  int64_t i = 0;
#if defined(__SSE2__)
  __m128 acc = _mm_setzero_ps();
  for (; i + 4 <= n; i += 4)
    acc = _mm_add_ps(acc, _mm_sqrt_ps(_mm_cvtepi32_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(g + i)))));
  alignas(16) float lanes[4];
  _mm_store_ps(lanes, acc);
  for (float f : lanes) total += f;
#endif
  for (; i < n; ++i) total += std::sqrt(static_cast<double>(g[i]));
  return total;
}
}  // namespace
#if defined(__SSE2__)
#define VXF_HAVE_LOAD_U8 1
namespace {
inline vxfast::features::vec::v8f load8_u8(const uint8_t* p) {
  const __m128i z = _mm_setzero_si128();
  const __m128i w = _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), z);
  const __m128 lo = _mm_cvtepi32_ps(_mm_unpacklo_epi16(w, z)), hi = _mm_cvtepi32_ps(_mm_unpackhi_epi16(w, z));
  vxfast::features::vec::v8f r;
  __builtin_memcpy(&r, &lo, 16);
  __builtin_memcpy(reinterpret_cast<char*>(&r) + 16, &hi, 16);
  return r;
}
}  // namespace
#endif
#include "features/fast_kernels.inc"

namespace vxfast::features {
void row_pass_baseline(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_impl(v, y0, y1, s); }
}  // namespace vxfast::features
