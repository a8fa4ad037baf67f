#!/usr/bin/env bash
# The test command (README line 2, called by .ci/run): set up everything, then every check CI runs:
#   1. static checks: ruff, mypy, stubtest of vxfast._core against its stubs (scripts/lint.sh);
#   2. the GCC build's ISA objects free of weak symbols (scripts/check_isa_objects.sh);
#   3. the whole pytest suite against the GCC build installed in .venv;
#   4. C++ tests (CTest) under ASan+UBSan and TSan, and the clang build: ISA check, CTest and the whole
#      pytest suite again against the clang-built module (scripts/native_tests.sh).
# Arguments go to the first pytest run. VXFAST_NATIVE_STEPS="asan tsan clang" picks the native steps
# ("none" skips them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1091
source "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/setup_reference.sh"
cd "$ROOT"
t0=$(date +%s)
bash scripts/lint.sh
wheel_build=$(find build -maxdepth 1 -type d -name 'cp3*' | sort | tail -n 1)
bash scripts/check_isa_objects.sh "$wheel_build"
python -m pytest tests -q "$@"
steps=${VXFAST_NATIVE_STEPS:-asan tsan clang}
if [ "$steps" != "none" ]; then
  # shellcheck disable=SC2086
  bash scripts/native_tests.sh $steps
fi
echo "[test.sh] all checks passed in $(( $(date +%s) - t0 ))s after set-up"
