#!/usr/bin/env bash
# Check a dump of a signalgraph store against ontology/shapes.ttl (SHACL) and
# ontology/signalgraph.ttl (every term used is declared).
#
#   bash tests/shacl/check.sh DATA_FILE [--full-report]
#
# DATA_FILE: Turtle (.ttl) or N-Triples (.nt) of the union of all named graphs,
# e.g. from
#   signalgraph query 'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }' > dump.ttl
# or N-Quads (.nq) / TriG (.trig) of the store (the graphs are merged).
#
# The pinned tools (requirements.txt beside this script) are installed into a
# virtual environment at ${SIGNALGRAPH_VENV:-$HOME/.cache/signalgraph-venv},
# created on first use and reused while the pins are unchanged.
# Exit status: 0 pass, 1 a check failed, 2 bad input or setup.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ "$#" -lt 1 ]; then
    echo "usage: bash tests/shacl/check.sh DATA_FILE [--full-report]" >&2
    exit 2
fi

venv="${SIGNALGRAPH_VENV:-$HOME/.cache/signalgraph-venv}"
requirements="$here/requirements.txt"
stamp="$venv/.signalgraph-shacl-requirements"

if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
    echo "check.sh: installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into $venv" >&2
    "${PYTHON:-python3}" -m venv "$venv" >&2 || {
        echo "check.sh: cannot create a virtual environment with ${PYTHON:-python3} (on Debian: apt-get install python3-venv)" >&2
        exit 2
    }
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2 || {
        echo "check.sh: cannot install $requirements into $venv" >&2
        exit 2
    }
    cp "$requirements" "$stamp"
fi

exec "$venv/bin/python" "$here/check.py" --root "$root" "$@"
