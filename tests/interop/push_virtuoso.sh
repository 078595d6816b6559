#!/usr/bin/env bash
# `signalgraph push` against a real Virtuoso Open Source 7 (Debian's
# virtuoso-opensource) with a throw-away database on 127.0.0.1:
#  - a dry run sends nothing; a store of the sample seeds plus a seed with a
#    hostile title (and one no other links to) is pushed with the Graph
#    Store Protocol (Digest auth, as Virtuoso asks); SPARQL on Virtuoso then
#    answers as `signalgraph query` does (push_common.sh's queries, the
#    hostile title verbatim among them after every push);
#  - a second push sends nothing; two seeds edited, the unlinked one
#    deleted, one added: the next push sends those article graphs (plus
#    collection/analysis graphs that changed) and deletes the one gone, and
#    the answers match;
#  - a push while the server is stopped fails (exit 1) and the next one
#    converges; so does a push killed half-way; a wrong password is exit 1;
#  - `--protocol update` (SPARQL Update on /sparql-auth) brings a second
#    endpoint URL to the same answers, first in full, then incrementally;
#  - the compressed export split into chunks loads through Virtuoso's bulk
#    loader (ld_dir + rdf_loader_run) into a fresh database, every quad;
#    `push --record-only` then sends nothing, the push after it nothing, and
#    after an edit just the changed graph, and the answers match.
#
#   bash tests/interop/push_virtuoso.sh BIN
#
# Installs virtuoso-opensource with apt-get when virtuoso-t is missing (as root).
set -euo pipefail
bin="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=virtuoso_server.sh
source "$here/virtuoso_server.sh"
virtuoso_install

work="$(mktemp -d)"
trap 'virtuoso_stop; rm -rf "$work"' EXIT
virtuoso_start "$work/db"
http="http://127.0.0.1:$VIRTUOSO_HTTP"
gsp="$http/sparql-graph-crud-auth"
update="$http/sparql-auth"
query="$http/sparql"
export SIGNALGRAPH_PASSWORD=dba
push_opts=(--user dba)

# shellcheck source=check.sh
source "$here/check.sh"
# shellcheck source=push_common.sh
source "$here/push_common.sh"
push_seeds
push_build

echo "== first push (Graph Store Protocol, Digest)"
check_first_pushes Virtuoso "$gsp" "$query"

echo "== wrong password"
# Through another URL (its own state), so the graph it marks pending does not
# change what the pushes below send.
SIGNALGRAPH_PASSWORD=wrong sg push -q --user dba "$gsp?wrong" > /dev/null 2> "$work/err" && rc=0 || rc=$?
check "wrong password" "$([ $rc = 1 ] && grep -q 'credentials' "$work/err" && echo 1 || echo 0)" "exit $rc: $(head -1 "$work/err")"

echo "== two seeds edited, one deleted, one added"
push_edit_seeds
push_build
check_edit_plan "$gsp"
check_incremental_push "$gsp" "$query"

echo "== server down, then back"
check_down_then_back "$gsp" "$query" virtuoso_stop virtuoso_restart

echo "== a push killed half-way"
"$bin" --store "$store" push -q --full --concurrency 1 --user dba "$gsp" > /dev/null 2>&1 &
pid=$!
# Killed once it has marked the graphs it is about to send as pending.
state="$(grep -l "\"endpoint\":\"$gsp\"" "$store"/push/*.json)"
for _ in $(seq 1 200); do grep -q '""' "$state" && break; sleep 0.01; done
kill -KILL "$pid" 2> /dev/null || true
wait "$pid" 2> /dev/null || true
sg_push --json "$gsp" > "$work/killed.json" && rc=0 || rc=$?
check "push after a killed one" "$([ $rc = 0 ] && [ "$(json "$work/killed.json" graphs_sent)" -ge 1 ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/killed.json" graphs_sent) left over"
compare_all "after a killed push" "$query"

echo "== SPARQL Update protocol (a second endpoint URL: its own state)"
check_update_pushes "$update" "$query"

# The lean export as a bulk load gets it: compressed N-Quads in chunks, read
# by Virtuoso's own loader (ld_dir reads .gz) into a fresh database.
virtuoso_stop
mkdir -p "$work/load"
sg export -q --compress --split-size 200kB --out "$work/load/graph.nq"
chunks="$(ls "$work/load" | grep -c '^graph\.part-.*\.nq\.gz$' || true)"
virtuoso_start "$work/db-bulk" "$work/load"
virtuoso_isql "ld_dir('$work/load', 'graph.part-*.nq.gz', 'urn:default'); rdf_loader_run();" > "$work/bulk.log"
loaded="$(curl -sf "http://127.0.0.1:$VIRTUOSO_HTTP/sparql" -H 'Accept: text/csv' --data-urlencode "query=SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } $in_store }" | tail -1 | tr -d '\r')"
quads="$(sg query --format csv 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }' | tail -1 | tr -d '\r')"
check "bulk loader reads the compressed chunks" "$([ "$chunks" -gt 1 ] && [ "$loaded" = "$quads" ] && echo 1 || echo 0)" \
    "$chunks chunks, $loaded quads in Virtuoso (signalgraph: $quads)"

# After that bulk load, --record-only sends nothing and records every graph,
# so the next push sends nothing, and after an edit only what changed.
bulk_gsp="http://127.0.0.1:$VIRTUOSO_HTTP/sparql-graph-crud-auth"
bulk_query="http://127.0.0.1:$VIRTUOSO_HTTP/sparql"
graphs="$(store_graphs)"
sg_push --json --record-only "$bulk_gsp" > "$work/rec1.json" && rc=0 || rc=$?
sg_push --json "$bulk_gsp" > "$work/rec2.json" && rc2=0 || rc2=$?
check "record-only after the bulk load, then a push sends nothing" \
    "$([ $rc = 0 ] && [ "$(json "$work/rec1.json" graphs_sent)" = 0 ] && [ "$(json "$work/rec1.json" graphs_unchanged)" = "$graphs" ] && [ $rc2 = 0 ] && [ "$(json "$work/rec2.json" graphs_sent)" = 0 ] && echo 1 || echo 0)" \
    "exit $rc/$rc2, recorded $(json "$work/rec1.json" graphs_unchanged) of $graphs graphs, then sent $(json "$work/rec2.json" graphs_sent)"
sed -i '0,/^## Summary$/s//## Summary\n\nEdited after the bulk load./' "${edited[0]}"
push_build
sg_push --json "$bulk_gsp" > "$work/rec3.json" && rc=0 || rc=$?
sent="$(json "$work/rec3.json" graphs_sent)"
check "after the bulk load, a push sends only what changed" \
    "$([ $rc = 0 ] && [ "$sent" -ge 1 ] && [ $((sent * 4)) -lt "$graphs" ] && echo 1 || echo 0)" \
    "exit $rc, sent $sent of $graphs graphs"
compare_all "after the bulk load and an edit" "$bulk_query"

echo "push_virtuoso: $passed passed, $failed failed"
[ "$failed" = 0 ]
