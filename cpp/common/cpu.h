#pragma once
// Run-time CPU feature detection for the SIMD kernels, the only CPUID check in vxfast. The wheel is
// built for the baseline ISA; each kernel family keeps a scalar reference and picks AVX2 / AVX-512 /
// NEON at run time from here (postprocess and features map this level onto their own kernel sets).
// VXFAST_SIMD=scalar|neon|avx2|avx512 caps the level (read once, on first use), so tests and
// benchmarks can compare paths; set_simd_level() does the same from code (tests only).
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace vxfast {

enum class SimdLevel : int { Scalar = 0, Neon = 1, Avx2 = 2, Avx512 = 3 };

inline const char* simd_level_name(SimdLevel l) {
  switch (l) {
    case SimdLevel::Scalar: return "scalar";
    case SimdLevel::Neon: return "neon";
    case SimdLevel::Avx2: return "avx2";
    case SimdLevel::Avx512: return "avx512";
  }
  return "?";
}

inline SimdLevel parse_simd_level(const std::string& s, const char* what) {
  if (s == "scalar") return SimdLevel::Scalar;
  if (s == "neon") return SimdLevel::Neon;
  if (s == "avx2") return SimdLevel::Avx2;
  if (s == "avx512") return SimdLevel::Avx512;
  throw std::invalid_argument(std::string(what) + ": unknown SIMD level '" + s +
                              "' (expected scalar, neon, avx2 or avx512)");
}

// The best level this CPU (and this build) can run.
inline SimdLevel hardware_simd_level() {
  static const SimdLevel level = [] {
#if defined(__x86_64__) || defined(__i386__)
#if defined(__GNUC__)
    __builtin_cpu_init();
    // F16C and FMA come with every AVX2 CPU in practice, but the kernels use them, so check.
    // One definition of "AVX-512" for every kernel family: F + BW (byte/word ops in preprocess and
    // features), DQ + VL (postprocess and features' 256-bit forms).
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("f16c"))
      return SimdLevel::Avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        __builtin_cpu_supports("f16c"))
      return SimdLevel::Avx2;
#endif
    return SimdLevel::Scalar;
#elif defined(__aarch64__)
    return SimdLevel::Neon;  // Advanced SIMD is mandatory on AArch64.
#else
    return SimdLevel::Scalar;
#endif
  }();
  return level;
}

inline bool simd_level_supported(SimdLevel l) {
  if (l == SimdLevel::Scalar) return true;
  SimdLevel hw = hardware_simd_level();
  if (l == SimdLevel::Neon) return hw == SimdLevel::Neon;
  return hw != SimdLevel::Neon && static_cast<int>(l) <= static_cast<int>(hw);
}

namespace detail {
inline std::atomic<int>& simd_override() {
  static std::atomic<int> v{-1};
  return v;
}
inline SimdLevel env_simd_level() {
  static const SimdLevel level = [] {
    const char* env = std::getenv("VXFAST_SIMD");
    if (!env || !*env || std::string(env) == "native") return hardware_simd_level();
    SimdLevel want = parse_simd_level(env, "VXFAST_SIMD");
    if (!simd_level_supported(want))
      throw std::invalid_argument(std::string("VXFAST_SIMD=") + env + ": this CPU supports only '" +
                                  simd_level_name(hardware_simd_level()) + "'");
    return want;
  }();
  return level;
}
}  // namespace detail

// The level kernels dispatch on now.
inline SimdLevel active_simd_level() {
  int o = detail::simd_override().load(std::memory_order_relaxed);
  return o >= 0 ? static_cast<SimdLevel>(o) : detail::env_simd_level();
}

// Forces a level (tests, benchmarks); "native" returns to VXFAST_SIMD / the hardware default.
inline void set_simd_level(const std::string& name) {
  if (name == "native") {
    detail::simd_override().store(-1);
    return;
  }
  SimdLevel l = parse_simd_level(name, "set_simd_level");
  if (!simd_level_supported(l))
    throw std::invalid_argument("set_simd_level: '" + name + "' is not supported by this CPU (best: '" +
                                simd_level_name(hardware_simd_level()) + "')");
  detail::simd_override().store(static_cast<int>(l));
}

}  // namespace vxfast
