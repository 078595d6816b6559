#!/usr/bin/env bash
# `signalgraph push` against Virtuoso's own bulk loader, on the same machine
# (benches/BENCHMARKS.md, "Push to Virtuoso"):
#  1. a generated collection (default 10k articles) is built and analysed
#     (both projections) and exported as N-Quads;
#  2. a fresh Virtuoso loads the N-Quads with ld_dir + rdf_loader_run()
#     through isql-vt (timed, then the checkpoint timed apart);
#  3. a second fresh Virtuoso gets a full push (Graph Store Protocol, Digest);
#  4. 1 % of the seed files are edited (a sentence added to the summary) and
#     the store rebuilt: the incremental push is timed after `build` alone and
#     again after `analyze` (which rewrites the analysis graphs);
#  5. a third fresh Virtuoso gets the same graphs PUT by a minimal client
#     (benches/gsp_floor.py: the least time the protocol takes);
#  6. a fourth fresh Virtuoso gets a full push with --protocol update.
# Prints one line per measure and the ratios.
#
#   bash benches/push_virtuoso.sh BIN [ARTICLES]
set -euo pipefail
bin="$1" articles="${2:-10000}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../tests/interop/virtuoso_server.sh
source "$root/tests/interop/virtuoso_server.sh"
virtuoso_install

work="$(mktemp -d)"
trap 'virtuoso_stop; rm -rf "$work"' EXIT
export SIGNALGRAPH_PASSWORD=dba
store="$work/store"
sg() { "$bin" --store "$store" "$@"; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }

"$bin" generate -q --articles "$articles" --seed 7 --out "$work/seeds"
t0=$(now)
sg build -q "$work/seeds"
sg analyze -q > /dev/null
sg analyze -q --projection full > /dev/null
t1=$(now)
mkdir -p "$work/load"
sg export -q --format nquads --out "$work/load/graph.nq"
t2=$(now)
quads=$(wc -l < "$work/load/graph.nq")
echo "store: $articles articles, $quads quads; build+analyze $(secs "$t0" "$t1") s, N-Quads export $(secs "$t1" "$t2") s ($(du -m "$work/load/graph.nq" | cut -f1) MB)"

echo "== Virtuoso bulk loader (ld_dir + rdf_loader_run)"
virtuoso_start "$work/db-bulk" "$work/load"
t0=$(now)
virtuoso_isql "ld_dir('$work/load', 'graph.nq', 'urn:default'); rdf_loader_run();" > "$work/bulk.log"
t1=$(now)
virtuoso_isql "checkpoint;" > /dev/null
t2=$(now)
loaded=$(curl -sf "http://127.0.0.1:$VIRTUOSO_HTTP/sparql" -H 'Accept: text/csv' \
    --data-urlencode 'query=SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/signalgraph/")) }' | tail -1)
bulk=$(secs "$t0" "$t1")
echo "bulk load: $bulk s (checkpoint after it: $(secs "$t1" "$t2") s), $loaded quads in Virtuoso"
virtuoso_stop

echo "== full push, Graph Store Protocol"
virtuoso_start "$work/db-push"
gsp="http://127.0.0.1:$VIRTUOSO_HTTP/sparql-graph-crud-auth"
t0=$(now)
sg push -q --json --user dba "$gsp" > "$work/full.json"
full=$(secs "$t0" "$(now)")
echo "full push: $full s wall ($(printf %.1f "$(field "$work/full.json" seconds)") s in the push itself), $(field "$work/full.json" graphs_sent) graphs, $(field "$work/full.json" triples_sent) triples"
python3 -c "print(f'ratio full push / bulk load: {$full / $bulk:.2f}')"

echo "== 1 % of the articles edited"
n=$((articles / 100))
find "$work/seeds" -name '*.txt' | sort | awk -v n="$n" -v total="$articles" 'NR % int(total / n) == 1' | head -n "$n" > "$work/edited"
while read -r f; do
    sed -i '0,/^## Summary$/s//## Summary\n\nEdited for the push benchmark./' "$f"
done < "$work/edited"
sg build -q "$work/seeds"
t0=$(now)
sg push -q --json --user dba "$gsp" > "$work/inc1.json"
inc1=$(secs "$t0" "$(now)")
echo "incremental push after build: $inc1 s wall ($(printf %.2f "$(field "$work/inc1.json" seconds)") s in the push itself), $(field "$work/inc1.json" graphs_sent) graphs, $(field "$work/inc1.json" triples_sent) triples"
sg analyze -q > /dev/null
sg analyze -q --projection full > /dev/null
t0=$(now)
sg push -q --json --user dba "$gsp" > "$work/inc2.json"
inc2=$(secs "$t0" "$(now)")
echo "incremental push after analyze: $inc2 s wall ($(printf %.2f "$(field "$work/inc2.json" seconds)") s in the push itself), $(field "$work/inc2.json" graphs_sent) graphs, $(field "$work/inc2.json" triples_sent) triples"
python3 -c "print(f'incremental / full: {100 * $inc1 / $full:.1f} % (build only), {100 * $inc2 / $full:.1f} % (build + analyze)')"
t0=$(now)
sg push -q --json --user dba "$gsp" > "$work/none.json"
echo "push with nothing to send: $(secs "$t0" "$(now)") s wall (opening the store included), $(field "$work/none.json" graphs_sent) graphs"
virtuoso_stop

echo "== the same graphs PUT by a minimal client (benches/gsp_floor.py)"
virtuoso_start "$work/db-floor"
virtuoso_isql 'GRANT SPARQL_UPDATE TO "SPARQL";' > /dev/null
t0=$(now)
python3 "$root/benches/gsp_floor.py" "$work/load/graph.nq" "http://127.0.0.1:$VIRTUOSO_HTTP/sparql-graph-crud" 4
floor=$(secs "$t0" "$(now)")
echo "minimal client: $floor s; ratio to bulk load $(python3 -c "print(f'{$floor / $bulk:.2f}')"), full push / minimal client $(python3 -c "print(f'{$full / $floor:.2f}')")"
virtuoso_stop

if [ "${PUSH_BENCH_UPDATE:-1}" = 1 ]; then
    echo "== full push, SPARQL Update"
    virtuoso_start "$work/db-update"
    t0=$(now)
    sg push -q --json --protocol update --user dba "http://127.0.0.1:$VIRTUOSO_HTTP/sparql-auth" > "$work/update.json"
    upd=$(secs "$t0" "$(now)")
    echo "full push (update): $upd s wall, $(field "$work/update.json" graphs_sent) graphs; ratio to bulk load $(python3 -c "print(f'{$upd / $bulk:.2f}')")"
    virtuoso_stop
fi
