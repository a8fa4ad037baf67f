#!/usr/bin/env bash
# The main job (README line 1): set up everything, then run vxfast over the sample video.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1091
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
VIDEO="$(python -c 'import vxfast.shared_data as s; print(s.shared_path("media/vtest.avi"))')"
vxfast info "$VIDEO"
vxfast decode "$VIDEO" --format rgb24
