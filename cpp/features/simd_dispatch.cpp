// Run-time choice of the fast kernels' instruction set. Detected once; VXFAST_SIMD forces a level
// (tests and benchmarks compare levels in one process through the explicit `level` argument).
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "common/cpu.h"
#include "features/feature_set.h"

namespace vxfast::features {

const char* simd_level_name(SimdLevel l) {
  switch (l) {
    case SimdLevel::Scalar: return "scalar";
    case SimdLevel::Baseline: return "baseline";
    case SimdLevel::Avx2: return "avx2";
    case SimdLevel::Avx512: return "avx512";
  }
  return "?";
}

SimdLevel parse_simd_level(const std::string& name) {
  for (SimdLevel l : {SimdLevel::Scalar, SimdLevel::Baseline, SimdLevel::Avx2, SimdLevel::Avx512})
    if (name == simd_level_name(l)) return l;
  throw std::invalid_argument("SIMD level must be one of scalar, baseline, avx2, avx512 (or auto); got '" +
                              name + "'");
}

bool simd_level_supported(SimdLevel l) {
  switch (l) {
    case SimdLevel::Scalar:
    case SimdLevel::Baseline:
      return true;
    case SimdLevel::Avx2:  // the library's one CPU check (common/cpu.h)
      return vxfast::simd_level_supported(vxfast::SimdLevel::Avx2);
    case SimdLevel::Avx512:
      return vxfast::simd_level_supported(vxfast::SimdLevel::Avx512);
  }
  return false;
}

SimdLevel default_simd_level() {
  static const SimdLevel level = [] {
    if (const char* env = std::getenv("VXFAST_SIMD"); env && *env && std::string(env) != "auto") {
      SimdLevel forced = parse_simd_level(env);
      if (!simd_level_supported(forced))
        throw std::invalid_argument(std::string("VXFAST_SIMD=") + env + " is not supported by this CPU");
      return forced;
    }
    for (SimdLevel l : {SimdLevel::Avx512, SimdLevel::Avx2})
      if (simd_level_supported(l)) return l;
    return SimdLevel::Baseline;
  }();
  return level;
}

}  // namespace vxfast::features
