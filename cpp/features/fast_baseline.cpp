// Fast row pass built for the baseline ISA (SSE2 on x86-64, NEON on AArch64): always available.
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "features/feature_set.h"
#pragma GCC push_options
#pragma GCC optimize("no-math-errno")  // lets sqrtf vectorise; its argument is never negative
#include "features/fast_kernels.inc"

namespace vxfast::features {
void row_pass_baseline(const LumaView& v, int64_t y0, int64_t y1, FeatureSums& s) {
  row_pass_impl(v, y0, y1, s);
}
}  // namespace vxfast::features
#pragma GCC pop_options
