#!/usr/bin/env bash
# Set up docsec in ./.venv: find a Python >= 3.12 (Mesa 3.5 needs it), create the virtual
# environment, install docsec with its test, dashboard, EMA Workbench and Mesa visualisation extras
# (so the tests of those users' tools run too). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

python_ok() {  # usable and >= 3.12 (pyenv shims exist even when their version is not selected)
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidates=()
    [ -n "${DOCSEC_PYTHON:-}" ] && candidates+=("$DOCSEC_PYTHON")
    candidates+=(python3.13 python3.12 python3)
    for dir in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin /usr/local/bin /usr/bin; do
        [ -d "$dir" ] && candidates+=("$dir/python3")
    done
    for c in "${candidates[@]}"; do
        if python_ok "$c"; then command -v "$c" || echo "$c"; return 0; fi
    done
    return 1
}

if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python; then
    if ! PY="$(find_python)"; then
        echo "setup: docsec needs Python >= 3.12 (Mesa 3.5 requires it) and none was found;" \
             "install python3.12 or set DOCSEC_PYTHON=/path/to/python3.12" >&2
        exit 1
    fi
    echo "setup: creating .venv with $PY ($("$PY" --version 2>&1))"
    rm -rf .venv
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[dev,dashboard,ema,mesa-viz]'
echo "setup: ready ($(.venv/bin/python --version)); run .venv/bin/docsec --help"
