#!/usr/bin/env bash
# The test command (README line 2, called by .ci/run): set up everything, then run the suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC1091
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
python -m pytest tests -q "$@"
