// Fast row pass built for AVX-512 (F, BW, VL, DQ), chosen at run time (simd_dispatch.cpp).
#include "features/feature_set.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cmath>
#include <cstdint>
#include <cstdlib>
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")
#pragma GCC optimize("no-math-errno")
#include "features/fast_kernels.inc"

namespace vxfast::features {
void row_pass_avx512(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) {
  row_pass_impl(v, y0, y1, s);
}
}  // namespace vxfast::features
#pragma GCC pop_options
#else
namespace vxfast::features {
void row_pass_avx512(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) {
  row_pass_baseline(v, y0, y1, s);
}
}  // namespace vxfast::features
#endif
