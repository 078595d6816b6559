#!/usr/bin/env bash
# The project's test command (README.md): the Rust test suite, then the checks
# that need third-party tools (SHACL shapes and vocabulary with pyshacl/rdflib,
# every RDF export loaded by rdflib and by Apache Jena (whose union default
# graph answers queries as signalgraph's does), the Neo4j folder loaded into
# Kuzu, GraphML/GEXF/CSV/Neo4j exports loaded by
# networkx and igraph, the SPARQL endpoint queried by SPARQLWrapper and
# rdflib's SPARQLStore, `push` into Virtuoso and its answers against
# signalgraph's, the report's JSON schema with jsonschema, the HTML
# report in headless Chromium), and the status rule's score on generated
# collections.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/signalgraph-target}"
# Nothing here reads the terminal; an empty stdin keeps stray output of one
# step (the browser's launcher) from reaching a later one (rustc reads
# stdin when cargo probes it).
exec < /dev/null

echo "== third-party graph readers (networkx, igraph) for the export tests"
SIGNALGRAPH_INTEROP_PYTHON="$(bash tests/interop/venv.sh)"
export SIGNALGRAPH_INTEROP_PYTHON

echo "== cargo test --release"
cargo test --release

echo "== SHACL shapes and vocabulary on the sample collection"
bin="$CARGO_TARGET_DIR/release/signalgraph"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$bin" --store "$work/store" build -q seeds
# The analysis graphs are part of what is checked below.
"$bin" --store "$work/store" analyze -q --projection full
"$bin" --store "$work/store" analyze --json > "$work/analyze.json"
"$bin" --store "$work/store" query \
    'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }' > "$work/dump.ttl"
bash tests/shacl/check.sh "$work/dump.ttl"
bash tests/shacl/examples.sh
echo "shacl: 3 passed, 0 failed"

echo "== every RDF export loaded by rdflib (the venv check.sh made)"
"$bin" --store "$work/store" export -q --all --out "$work/exports"
"$bin" --store "$work/store" stats --json > "$work/stats.json"
# Compressed N-Quads, and N-Quads split into chunks, as bulk loaders get them.
mkdir -p "$work/lean/split"
"$bin" --store "$work/store" export -q --out "$work/lean/graph.nq.gz"
"$bin" --store "$work/store" export -q --compress --split-size 200kB --out "$work/lean/split/graph.nq"
"${SIGNALGRAPH_VENV:-$HOME/.cache/signalgraph-venv}/bin/python" tests/interop/check_rdf.py "$work/exports" "$work/stats.json" "$work/lean"

echo "== RDF exports read by Apache Jena; its union default graph against signalgraph's (10 queries)"
bash tests/interop/jena.sh "$bin" "$work/store" "$work/exports" "$work/lean"

echo "== the Neo4j folder loaded into Kuzu (embedded Cypher) and compared with SPARQL"
"$SIGNALGRAPH_INTEROP_PYTHON" tests/interop/check_neo4j_kuzu.py "$bin" "$work/store" "$work/exports/neo4j"

echo "== graph exports of the sample loaded by networkx and igraph"
"$SIGNALGRAPH_INTEROP_PYTHON" tests/interop/check_graphs.py "$work/exports" "$work/analyze.json"
echo "== the SPARQL endpoint queried by SPARQLWrapper and rdflib's SPARQLStore (same venv)"
"${SIGNALGRAPH_VENV:-$HOME/.cache/signalgraph-venv}/bin/python" tests/interop/check_serve.py "$bin" "$work/store"

echo "== push to a real Virtuoso (Graph Store Protocol and SPARQL Update, Digest auth), incremental, compared with signalgraph's answers"
bash tests/interop/push_virtuoso.sh "$bin"
echo "== push to a real Oxigraph server (PyPI), and over https through a TLS proxy with a throw-away CA (--ca-cert)"
bash tests/interop/push_oxigraph.sh "$bin"

echo "== run on the sample: report checked against its schema, stats and analyze"
# `run` writes into the repository's exports/ (git-ignored): the CI artifacts.
run_store="$work/run-store"
"$bin" --store "$run_store" run -q seeds --out exports
"$bin" --store "$run_store" stats --json > "$work/run-stats.json"
"$bin" --store "$run_store" analyze --json > "$work/run-analyze.json"
"$SIGNALGRAPH_INTEROP_PYTHON" tests/interop/check_report.py exports/report.json \
    docs/report.schema.json "$work/run-stats.json" "$work/run-analyze.json"

echo "== browser test of the HTML report (headless Chromium)"
bash tests/browser/check_report.sh exports/report.html exports/report.png

echo "== the report of a generated collection (5k articles): schema, then the browser"
# An analyst's view of a larger store: 31 clusters, a sampled map, long
# per-quarter charts. Its report and screenshots are CI artifacts too.
"$bin" generate -q --articles 5000 --out "$work/gen5k"
"$bin" --store "$work/gen5k-store" run -q "$work/gen5k" --out exports/generated-5k --formats graphml
"$bin" --store "$work/gen5k-store" stats --json > "$work/gen5k-stats.json"
"$bin" --store "$work/gen5k-store" analyze --json > "$work/gen5k-analyze.json"
"$SIGNALGRAPH_INTEROP_PYTHON" tests/interop/check_report.py exports/generated-5k/report.json \
    docs/report.schema.json "$work/gen5k-stats.json" "$work/gen5k-analyze.json"
bash tests/browser/check_report.sh exports/generated-5k/report.html exports/generated-5k/report.png

echo "== status rule scored on generated collections (1k pooled over 4 seeds, 10k)"
cargo test --release --test report -- --ignored --nocapture

echo "== weak signals and briefs on a generated collection (5k)"
cargo test --release --test report_reading -- --ignored --nocapture

echo "== trend-id stability through a rescan (10k generated articles, 3 seeds)"
cargo test --release --test trends -- --ignored --nocapture

echo "== lineage events and bursts scored against the planted ones (1k over 26 seeds, 10k over 8)"
cargo test --release --test lineage -- --ignored --nocapture 2>&1 | grep -v "^  "

echo "== concept alignment scored against the planted variants (1k over 4 seeds, 10k over 2)"
cargo test --release --test concepts alignment_precision_and_recall -- --ignored --nocapture 2>&1 | grep -v "^  "
