// Fast row pass built for AVX2 + FMA (flags from cmake/simd.cmake), chosen at run time
// (simd_dispatch.cpp): fast_kernels.inc with the 256-bit grad vectors of fast_grad_lanes.inc.
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "common/simd_lanes.h"
#include "features/feature_set.h"
#include "features/vec_types.h"

#define VXF_HAVE_LOAD_U8 1
#define VXF_HAVE_GRAD_VECTORS 1
namespace {
inline vxfast::features::vec::v8f load8_u8(const uint8_t* p) {
  return (vxfast::features::vec::v8f)_mm256_cvtepi32_ps(
      _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}
}  // namespace
#include "features/fast_kernels.inc"
#define VXF_GRAD_LANES Lanes256
#include "features/fast_grad_lanes.inc"

namespace vxfast::features {
void row_pass_avx2(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) { row_pass_impl(v, y0, y1, s); }
}  // namespace vxfast::features
