// The features area's view of the library's one SIMD level (common/simd.h).
#include <stdexcept>
#include <string>

#include "common/simd.h"
#include "features/feature_set.h"

namespace vxfast::features {

const char* simd_level_name(SimdLevel l) {
  switch (l) {
    case SimdLevel::Reference: return "reference";
    case SimdLevel::Scalar: return "scalar";
    case SimdLevel::Avx2: return "avx2";
    case SimdLevel::Avx512: return "avx512";
  }
  return "?";
}

SimdLevel kernel_level(simd::Level l) {
  switch (l) {
    case simd::Level::Avx512: return SimdLevel::Avx512;
    case simd::Level::Avx2: return SimdLevel::Avx2;
    default: return SimdLevel::Scalar;  // scalar and neon: the baseline build of the row pass
  }
}

SimdLevel active_simd_level() { return kernel_level(simd::level()); }

SimdLevel parse_simd_level(const std::string& name) {
  if (name == "reference") return SimdLevel::Reference;
  try {
    return kernel_level(simd::parse_runnable(name, "simd"));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(e.what()) + " (or 'reference', the double-precision definitions)");
  }
}

bool simd_level_supported(SimdLevel l) {
  switch (l) {
    case SimdLevel::Reference:
    case SimdLevel::Scalar: return true;
    case SimdLevel::Avx2: return simd::cpu_supports(simd::Level::Avx2);
    case SimdLevel::Avx512: return simd::cpu_supports(simd::Level::Avx512);
  }
  return false;
}

}  // namespace vxfast::features
