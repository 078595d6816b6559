#!/usr/bin/env bash
# Prints the python of the interop checks' virtual environment, creating it
# (from requirements.txt beside this script) on first use or when the pins change.
#
#   py="$(bash tests/interop/venv.sh)" && "$py" tests/interop/check_graphs.py …
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${SIGNALGRAPH_INTEROP_VENV:-$HOME/.cache/signalgraph-interop-venv}"
requirements="$here/requirements.txt"
stamp="$venv/.signalgraph-interop-requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
    echo "venv.sh: installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into $venv" >&2
    "${PYTHON:-python3}" -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
