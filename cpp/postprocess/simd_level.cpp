#include "postprocess/simd_level.h"

#include "common/cpu.h"

#include <cstdlib>
#include <stdexcept>

namespace vxfast::post {

SimdLevel cpu_simd_level() {
  switch (vxfast::hardware_simd_level()) {  // the library's one CPU check (common/cpu.h)
    case vxfast::SimdLevel::Avx512: return SimdLevel::Avx512;
    case vxfast::SimdLevel::Avx2: return SimdLevel::Avx2;
    default: return SimdLevel::Scalar;  // no NEON postprocess kernels: the scalar path vectorises
  }
}

SimdLevel parse_simd_level(const std::string& name, const char* what) {
  if (name == "scalar") return SimdLevel::Scalar;
  if (name == "avx2") return SimdLevel::Avx2;
  if (name == "avx512") return SimdLevel::Avx512;
  throw std::invalid_argument(std::string(what) + " must be 'scalar', 'avx2' or 'avx512', got '" +
                              name + "'");
}

SimdLevel active_simd_level() {
  static const SimdLevel level = [] {
    SimdLevel best = cpu_simd_level();
    const char* env = std::getenv("VXFAST_SIMD");
    if (!env || !*env) return best;
    SimdLevel want = parse_simd_level(env, "VXFAST_SIMD");
    return static_cast<int>(want) < static_cast<int>(best) ? want : best;
  }();
  return level;
}

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::Avx512: return "avx512";
    case SimdLevel::Avx2: return "avx2";
    default: return "scalar";
  }
}

}  // namespace vxfast::post
