#include "common/simd.h"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace vxfast::simd {
namespace {

// Set by set_level(): -1 = none (VXFAST_SIMD / the CPU decide), else a Level.
std::atomic<int> g_override{-1};

std::mutex g_warning_mu;
std::string g_warning;  // pending "lowered" message, guarded by g_warning_mu

void note_lowered(const std::string& what, Level want, Level got) {
  std::lock_guard<std::mutex> lock(g_warning_mu);
  g_warning = what + ": this CPU cannot run SIMD level '" + name(want) + "'; using '" + name(got) +
              "' (the best it runs) in every area";
}

// VXFAST_SIMD, resolved once. An unknown value is kept as its error message so every later call,
// from any area, fails with the same words.
struct EnvLevel {
  std::string raw;
  Level level = Level::Scalar;
  std::string error;
};

const EnvLevel& env_level() {
  static const EnvLevel e = [] {
    EnvLevel r;
    const char* env = std::getenv("VXFAST_SIMD");
    r.raw = env ? env : "";
    if (r.raw.empty() || r.raw == "native") {
      r.level = cpu_best();
      return r;
    }
    try {
      const Level want = parse(r.raw, "VXFAST_SIMD");
      r.level = lower_to_supported(want);
      if (r.level != want) note_lowered("VXFAST_SIMD=" + r.raw, want, r.level);
    } catch (const std::invalid_argument& err) {
      r.error = err.what();
    }
    return r;
  }();
  return e;
}

}  // namespace

const char* name(Level l) {
  switch (l) {
    case Level::Scalar: return "scalar";
    case Level::Neon: return "neon";
    case Level::Avx2: return "avx2";
    case Level::Avx512: return "avx512";
  }
  return "?";
}

const char* valid_values() { return "scalar, neon, avx2, avx512, native"; }

Level parse(const std::string& s, const char* what) {
  for (Level l : {Level::Scalar, Level::Neon, Level::Avx2, Level::Avx512})
    if (s == name(l)) return l;
  throw std::invalid_argument(std::string(what) + ": unknown SIMD level '" + s + "'; valid values: " +
                              valid_values());
}

Level parse_runnable(const std::string& s, const char* what) {
  const Level l = parse(s, what);
  if (!cpu_supports(l))
    throw std::invalid_argument(std::string(what) + ": SIMD level '" + s +
                                "' is not supported by this CPU (best: '" + name(cpu_best()) + "')");
  return l;
}

#if defined(__x86_64__) || defined(__i386__)
// F16C from CPUID leaf 1 (ECX bit 29): Clang's __builtin_cpu_supports does not know "f16c".
static bool cpu_has_f16c() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C);
}
#endif

Level cpu_best() {
  static const Level best = [] {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    // One definition of "AVX-512" for every kernel family: F + BW (byte/word ops in preprocess and
    // features), DQ + VL (postprocess and features' 256-bit forms). F16C and FMA come with every
    // AVX2 CPU in practice, but the kernels use them, so check.
    const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
    if (avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
      return Level::Avx512;
    return avx2 ? Level::Avx2 : Level::Scalar;
#elif defined(__aarch64__)
    return Level::Neon;  // Advanced SIMD is mandatory on AArch64.
#else
    return Level::Scalar;
#endif
  }();
  return best;
}

bool cpu_supports(Level l) {
  if (l == Level::Scalar) return true;
  const Level best = cpu_best();
  if (l == Level::Neon) return best == Level::Neon;
  return best != Level::Neon && static_cast<int>(l) <= static_cast<int>(best);
}

bool cpu_has_avx512_vbmi() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = cpu_best() == Level::Avx512 && __builtin_cpu_supports("avx512vbmi");
  return has;
#else
  return false;
#endif
}

Level lower_to_supported(Level want) {
  if (cpu_supports(want)) return want;
  // Only the x86 ladder has several rungs; NEON on x86 or AVX on ARM falls to scalar.
  if (want == Level::Avx512 && cpu_supports(Level::Avx2)) return Level::Avx2;
  return Level::Scalar;
}

const std::string& env_request() { return env_level().raw; }

Level level() {
  const int o = g_override.load(std::memory_order_relaxed);
  if (o >= 0) return static_cast<Level>(o);
  const EnvLevel& e = env_level();
  if (!e.error.empty()) throw std::invalid_argument(e.error);
  return e.level;
}

void set_level(const std::string& s) {
  if (s == "native") {
    g_override.store(-1);
    return;
  }
  const Level want = parse(s, "set_simd_level");
  const Level got = lower_to_supported(want);
  if (got != want) note_lowered("set_simd_level('" + s + "')", want, got);
  g_override.store(static_cast<int>(got));
}

std::string take_warning() {
  std::lock_guard<std::mutex> lock(g_warning_mu);
  std::string w;
  w.swap(g_warning);
  return w;
}

}  // namespace vxfast::simd
