#pragma once
// The one SIMD level of the library: CPU detection, the VXFAST_SIMD parser and the dispatch state
// every kernel family (preprocess, postprocess, features) reads. The library is built for the
// baseline ISA; the *_avx2.cpp / *_avx512.cpp / *_neon.cpp translation units get their ISA flags
// from cmake/simd.cmake and are only called when level() says the CPU runs them.
//
// Rules, identical for every area:
//   - VXFAST_SIMD is read once (first use). Unset, empty or "native" means the CPU's best level.
//   - An unknown value is an error (std::invalid_argument, ValueError in Python) raised by every
//     call that dispatches, with the same message listing the valid values.
//   - A level this CPU cannot run (VXFAST_SIMD or set_level) is lowered to the best one it can;
//     the lowering leaves one message for take_warning() (Python turns it into a RuntimeWarning).
//   - Areas without kernels for a level use the nearest lower one they have (e.g. postprocess has
//     no NEON kernels and runs its scalar code there); each reports what it really uses.
#include <string>

namespace vxfast::simd {

// Ordered so that, on x86, a higher value implies every lower x86 level.
enum class Level : int { Scalar = 0, Neon = 1, Avx2 = 2, Avx512 = 3 };

const char* name(Level l);
// "scalar, neon, avx2, avx512, native": the values VXFAST_SIMD and set_level accept.
const char* valid_values();
// Parses a level name ("native" is not a level: callers handle it). Throws std::invalid_argument
// "<what>: unknown SIMD level '<s>'; valid values: ..." on anything else.
Level parse(const std::string& s, const char* what);

// An explicit per-call level (tests, benchmarks): parse(), then std::invalid_argument if this CPU
// cannot run it. Explicit requests are never lowered: a test asking for a kernel must get it.
Level parse_runnable(const std::string& s, const char* what);

// The best level this CPU (and this build) can run.
Level cpu_best();
bool cpu_supports(Level l);
// AVX-512 VBMI (byte permutes), an extra some kernels use on top of the AVX-512 level.
bool cpu_has_avx512_vbmi();
// The best level <= want that the CPU runs (NEON and the x86 levels are separate ladders).
Level lower_to_supported(Level want);

// What VXFAST_SIMD asked for, verbatim ("" when unset).
const std::string& env_request();
// The level in force: set_level()'s, else VXFAST_SIMD's (lowered), else cpu_best(). Throws
// std::invalid_argument when VXFAST_SIMD holds an unknown value and no set_level() is in force.
Level level();
// Forces a level for the whole process (every area); "native" returns to VXFAST_SIMD / the CPU
// default. Unknown names throw; unsupported ones are lowered (with a take_warning() message).
void set_level(const std::string& name);
// The pending "lowered" message, once: returns it and clears it ("" when none).
std::string take_warning();

}  // namespace vxfast::simd
