#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian/Ubuntu machine (root or sudo): FFmpeg dev libraries via apt
# when missing, a virtualenv in .venv, and an (incremental) build of vxfast into it.
# Source it: `source scripts/setup.sh` leaves the venv active.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

need_apt=()
for mod in libavformat libavcodec libavutil libswscale libswresample; do
  pkg-config --exists "$mod" 2>/dev/null || need_apt+=("$mod-dev")
done
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
command -v g++ >/dev/null || need_apt+=(g++)
command -v clang++ >/dev/null || need_apt+=(clang)  # CI also builds with clang (scripts/native_tests.sh)
# llvm-ar (clang LTO archives) and llvm-nm (scripts/check_isa_objects.sh on clang bitcode)
{ command -v llvm-ar && command -v llvm-nm; } >/dev/null || need_apt+=(llvm)
python3 -c "import venv, ensurepip" 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "[vxfast setup] apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends pkg-config "${need_apt[@]}" >/dev/null
fi

VENV="${VXFAST_VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "[vxfast setup] creating virtualenv $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q -U pip
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
STAMP="$VENV/.vxfast-deps-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  echo "[vxfast setup] installing build and test dependencies"
  python -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.12" ninja cmake
  python -m pip install -q numpy pytest pytest-benchmark hypothesis av opencv-python-headless \
    onnxruntime onnx tqdm ruff mypy
  touch "$STAMP"
fi
echo "[vxfast setup] building vxfast"
python -m pip install -q --no-build-isolation --no-deps .
