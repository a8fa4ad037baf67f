#!/usr/bin/env bash
# The C++ tests (tests/cpp, CTest) of the core library under sanitizers, and the clang build.
#   asan   GCC, AddressSanitizer + UndefinedBehaviorSanitizer, any finding fails   -> build/asan
#   tsan   GCC, ThreadSanitizer                                                   -> build/tsan
#   clang  clang++: core + Python module + C++ tests, then the Python test suite against the
#          clang-built module, staged in build/clang/stage (the installed GCC build is untouched)
#   asan-py  (opt-in, not in the default list: ~10 min) GCC, the Python module under ASan+UBSan
#          and the whole pytest suite against it, staged in build/asan-py/stage
# Usage: scripts/native_tests.sh [asan] [tsan] [clang] [asan-py]   (no argument: asan tsan clang)
#        extra pytest arguments for the clang and asan-py steps: VXFAST_PYTEST_ARGS="-x -k video"
#        extra CMake arguments for every build: VXFAST_CMAKE_ARGS="-DFOO=bar"
# Needs: FFmpeg dev libraries, cmake, ninja, the ffmpeg CLI (test videos), clang for the clang step,
# the Python test dependencies for its pytest run (scripts/setup.sh installs all of these).
# FFmpeg's own libraries are not instrumented: the sanitizers see our code and the calls into them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
JOBS="${VXFAST_JOBS:-2}"
# Outside an activated virtualenv, use the project's (scripts/setup.sh): cmake, ninja, pytest.
VENV="${VXFAST_VENV:-$ROOT/.venv}"
if [ -z "${VIRTUAL_ENV:-}" ] && [ -x "$VENV/bin/python" ]; then PATH="$VENV/bin:$PATH"; fi
PYTHON="${PYTHON:-$(command -v python || command -v python3)}"
steps=("$@")
[ ${#steps[@]} -eq 0 ] && steps=(asan tsan clang)

log() { echo "[native_tests] $*"; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

# configure_build <dir> <compiler> <extra cmake args...>
configure_build() {
  local dir="$1" cxx="$2"
  shift 2
  # shellcheck disable=SC2086
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DVXFAST_TESTS=ON "$@" ${VXFAST_CMAKE_ARGS:-} \
    >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$JOBS"
}

run_ctest() {
  ctest --test-dir "$1" --output-on-failure --timeout 600
}

step_asan() {
  local flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  configure_build build/asan g++ -DVXFAST_PYTHON=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
  ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    run_ctest build/asan
}

step_tsan() {
  local flags="-fsanitize=thread -fno-omit-frame-pointer"
  configure_build build/tsan g++ -DVXFAST_PYTHON=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags"
  # TSan runtimes before LLVM 18 (GCC 12's too) abort with "unexpected memory mapping" on kernels
  # with 32 bits of mmap randomisation (vm.mmap_rnd_bits): run without address randomisation.
  local norand=()
  if command -v setarch >/dev/null && setarch "$(uname -m)" -R true 2>/dev/null; then
    norand=(setarch "$(uname -m)" -R)
  fi
  # ignore_noninstrumented_modules: FFmpeg is not built with TSan, so the hand-over of its buffers
  # between its frame threads and ours goes through atomics TSan cannot see; without this, every
  # malloc in a decoder thread and free in ours (av_buffer_unref, av_frame_unref) is reported as a
  # race. Our code's accesses, and every lock and thread start/join, are still checked.
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:ignore_noninstrumented_modules=1" \
    "${norand[@]}" ctest --test-dir build/tsan --output-on-failure --timeout 600
}

step_clang() {
  local cxx="${VXFAST_CLANG:-$(command -v clang++ || command -v clang++-14 || true)}"
  [ -n "$cxx" ] || { log "clang++ not found (scripts/setup.sh installs it)"; return 1; }
  configure_build build/clang "$cxx" -DCMAKE_BUILD_TYPE=Release -DVXFAST_PYTHON=ON \
    -DPython_EXECUTABLE="$PYTHON" -Dpybind11_DIR="$("$PYTHON" -m pybind11 --cmakedir)"
  bash scripts/check_isa_objects.sh build/clang
  run_ctest build/clang
  stage_and_pytest build/clang
}

# stage_and_pytest <build dir> [env assignments...]: the Python package with that build's _core,
# first on sys.path (ahead of the installed build), and the whole pytest suite against it.
stage_and_pytest() {
  local dir="$1" stage="$1/stage"
  shift
  rm -rf "$stage"
  mkdir -p "$stage"
  cp -r python/vxfast "$stage/vxfast"
  rm -f "$stage"/vxfast/_core*.so
  find "$stage" -name __pycache__ -prune -exec rm -rf {} +
  cp "$dir"/_core*.so "$stage/vxfast/"
  env "$@" PYTHONPATH="$ROOT/$stage" "$PYTHON" -c \
    "import vxfast._core as c; assert c.__file__.startswith('$ROOT/$stage'), c.__file__"
  # shellcheck disable=SC2086
  env "$@" PYTHONPATH="$ROOT/$stage" "$PYTHON" -m pytest tests -q -p no:cacheprovider ${VXFAST_PYTEST_ARGS:-}
}

step_asan-py() {
  local flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  configure_build build/asan-py g++ -DVXFAST_PYTHON=ON -DVXFAST_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_MODULE_LINKER_FLAGS="$flags" \
    -DPython_EXECUTABLE="$PYTHON" -Dpybind11_DIR="$("$PYTHON" -m pybind11 --cmakedir)"
  # Python itself is not instrumented: the ASan runtime must be loaded first. Leaks are not checked
  # (CPython, numpy and onnxruntime keep allocations until exit by design).
  stage_and_pytest build/asan-py \
    LD_PRELOAD="$(g++ -print-file-name=libasan.so):$(g++ -print-file-name=libubsan.so)" \
    ASAN_OPTIONS="detect_leaks=0" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
}

for s in "${steps[@]}"; do
  case "$s" in
    asan|tsan|clang|asan-py) ;;
    *) echo "unknown step '$s' (valid: asan tsan clang asan-py)" >&2; exit 2 ;;
  esac
done
mkdir -p build
summary=()
for s in "${steps[@]}"; do
  log "== $s"
  t0=$(date +%s)
  "step_$s"
  summary+=("$s $(elapsed "$t0")")
  log "== $s passed in $(elapsed "$t0")"
done
log "all passed: ${summary[*]}"
