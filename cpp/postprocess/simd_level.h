#pragma once
// Run-time choice of the instruction set for the postprocess kernels. The build uses baseline flags
// only; kernels compiled for AVX2/AVX-512 through target attributes are picked here once per process.
// VXFAST_SIMD=scalar|avx2|avx512 forces a level (capped at what the CPU supports) so tests can compare
// every path against the scalar reference.
#include <string>

namespace vxfast::post {

enum class SimdLevel { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// Best level the CPU supports, ignoring the environment.
SimdLevel cpu_simd_level();
// Level in force: VXFAST_SIMD if set (and supported), else cpu_simd_level(). Read once.
SimdLevel active_simd_level();
// Parses "scalar"/"avx2"/"avx512"; throws std::invalid_argument naming `what` on anything else.
SimdLevel parse_simd_level(const std::string& name, const char* what);
const char* simd_level_name(SimdLevel level);

}  // namespace vxfast::post
