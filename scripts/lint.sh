#!/usr/bin/env bash
# Static checks, as CI runs them: ruff (python/, tests/, bench/), mypy (python/vxfast, settings in
# pyproject.toml) and stubtest (python/vxfast/_core/*.pyi against the built extension).
#
#   scripts/lint.sh              # with the active Python (a venv with vxfast's _core built)
#   PYTHON=/path/to/python scripts/lint.sh
#
# Installs ruff and mypy into that Python's environment when they are missing. stubtest imports
# vxfast._core: build it first (an in-place dev build, see docs/development.md, or an installed
# wheel). With an in-place build (python/vxfast/_core*.so) PYTHONPATH=python makes it win; without
# one (CI: pip-installed), the installed package and its stubs are checked. Exits non-zero when any
# check fails.
set -u
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"

for tool in ruff mypy; do
  if ! "$PY" -m "$tool" --version >/dev/null 2>&1; then
    echo "lint.sh: installing $tool into $("$PY" -c 'import sys; print(sys.prefix)')"
    "$PY" -m pip install --quiet "$tool" || { echo "lint.sh: cannot install $tool" >&2; exit 2; }
  fi
done

status=0
run() {
  echo "== $*"
  "$@" || status=1
}
run "$PY" -m ruff check python tests bench
run "$PY" -m mypy
stub_path="${PYTHONPATH:-}"
if compgen -G "python/vxfast/_core*.so" >/dev/null; then stub_path="python${PYTHONPATH:+:$PYTHONPATH}"; fi
run env PYTHONPATH="$stub_path" "$PY" -m mypy.stubtest vxfast._core \
    --allowlist scripts/stubtest_allowlist.txt
if [ "$status" -ne 0 ]; then
  echo "lint.sh: FAILED" >&2
else
  echo "lint.sh: all checks passed"
fi
exit "$status"
