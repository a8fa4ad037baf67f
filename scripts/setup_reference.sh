#!/usr/bin/env bash
# Reference implementations for the test suite and bench/ (scripts/requirements-reference.txt) and
# the tools its fixtures use to make media (espeak-ng, sox). Kept out of scripts/setup.sh so the
# main job does not install several GB of torch. Expects the venv from scripts/setup.sh to be active.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
need_apt=()
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
command -v sox >/dev/null || need_apt+=(sox)
# The RTSP tests' server (tests/gst_rtsp_server.py) runs on the system python: GStreamer's RTSP
# server and its introspection data pull in plugins base/good/bad (openh264enc is in -bad).
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import gi' 2>/dev/null || need_apt+=(python3-gi)
dpkg -s gir1.2-gst-rtsp-server-1.0 >/dev/null 2>&1 || need_apt+=(gir1.2-gst-rtsp-server-1.0)
if [ ${#need_apt[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "[vxfast setup] apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
STAMP="$VIRTUAL_ENV/.vxfast-reference-$(cat scripts/requirements-reference.txt | sha1sum | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  echo "[vxfast setup] installing reference implementations for tests (torch, ultralytics, audio front-ends)"
  python -m pip install -q -r scripts/requirements-reference.txt
  # Their own dependency lists pull in what the tests do not use (ultralytics: polars, thop, its
  # platform client; silero-vad: torchaudio, whose wheel must match torch exactly): the code paths
  # the tests call need only what is installed above.
  python -m pip install -q --no-deps ultralytics silero-vad
  touch "$STAMP"
fi
