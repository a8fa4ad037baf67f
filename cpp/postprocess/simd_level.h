#pragma once
// The postprocess kernels dispatch on the library's one SIMD level (common/simd.h). There are no
// NEON kernels here (the scalar code vectorises at baseline flags, NEON on AArch64), so the NEON
// level runs the scalar ones.
#include "common/simd.h"

namespace vxfast::post {

using SimdLevel = simd::Level;

inline SimdLevel kernel_level(simd::Level l) { return l == simd::Level::Neon ? simd::Level::Scalar : l; }
// The level the postprocess kernels use now.
inline SimdLevel active_simd_level() { return kernel_level(simd::level()); }

}  // namespace vxfast::post
