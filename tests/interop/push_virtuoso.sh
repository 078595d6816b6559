#!/usr/bin/env bash
# `signalgraph push` against a real Virtuoso Open Source 7 (Debian's
# virtuoso-opensource) with a throw-away database on 127.0.0.1:
#  - a store of the sample seeds plus a seed with a hostile title is pushed
#    with the Graph Store Protocol (Digest auth, as Virtuoso asks); SPARQL on
#    Virtuoso then answers as `signalgraph query` does (every quad of every
#    graph, counts per class and per graph, the signals of one article, the
#    titles verbatim);
#  - a second push sends nothing; two seeds edited, one deleted, one added:
#    the next push sends those article graphs (plus collection/analysis
#    graphs that changed) and deletes the one gone, and the answers match;
#  - a push while the server is stopped fails (exit 1) and the next one
#    converges; so does a push killed half-way; a wrong password is exit 1;
#  - `--protocol update` (SPARQL Update on /sparql-auth) brings a second
#    endpoint URL to the same answers, first in full, then incrementally;
#  - the compressed export split into chunks loads through Virtuoso's bulk
#    loader (ld_dir + rdf_loader_run) into a fresh database, every quad.
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
export SIGNALGRAPH_PASSWORD=dba
store="$work/store"
sg() { "$bin" --store "$store" "$@"; }
base="https://w3id.org/signalgraph/"

# shellcheck source=check.sh
source "$here/check.sh"
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$@"; }

# The seeds: the sample, and an article whose title, signal and keyword hold
# what breaks careless serialisers (quotes, backslashes, markup, escapes,
# characters outside the BMP, a joiner sequence, right-to-left text).
seeds="$work/seeds"
cp -r "$root/seeds" "$seeds"
hostile_title='Quotes "double" '"'single'"' \back\slash <b>&amp;</b> ]]> \u0041 \n é 日本 🚀 👩‍👩‍👧 עברית ^^xsd @en ; # %20 {braces}'
cat > "$seeds/049_00000000c0ffee00.txt" <<EOF
# __${hostile_title}__, from ([20250102](https://example.org/20250102).)

__[External link](https://example.org/hostile?a=1&b="2")__

## Summary

A summary with "quotes", a backslash \\ and a tab	here, and 🚀.

## Keywords

* hostile "keyword" 🚀
* AI

## Signals

| Signal | Change | 10y horizon | Driving force |
|:--|:--|:--|:--|
| Signal with "quotes" and \\ and <tag> | from "A" to B | 🚀 horizon | force é |
EOF

build() {
    sg build -q --prune "$seeds"
    sg analyze -q > /dev/null
    sg analyze -q --projection full > /dev/null
}

# The same query on Virtuoso and on signalgraph, compared row for row.
compare() { # NAME QUERY
    local name="$1" query="$2"
    curl -sf "$http/sparql" -H 'Accept: application/sparql-results+json' \
        --data-urlencode "query=$query" > "$work/v.json" || { check "$name" 0 "Virtuoso refused the query"; return; }
    sg query --format json "$query" > "$work/s.json"
    local out
    out="$(python3 "$here/sparql_compare.py" "$work/v.json" "$work/s.json" 2>&1)" && check "$name" 1 "$out" || check "$name" 0 "$out"
}
in_store="FILTER(STRSTARTS(STR(?g), \"$base\"))"
compare_all() { # WHEN
    local when="$1" article
    # The text of each literal, whole; a double's as a number (?num: Virtuoso's
    # JSON results cut doubles to 6 digits, its STR() to 16).
    compare "$when: every quad" "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?g ?s ?p ?o (IF(isLiteral(?o) && DATATYPE(?o) != xsd:double, STR(?o), \"\") AS ?text)
  (IF(isLiteral(?o) && DATATYPE(?o) = xsd:double, STR(?o), \"\") AS ?num)
WHERE { GRAPH ?g { ?s ?p ?o } $in_store }"
    compare "$when: quads per graph" "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } $in_store } GROUP BY ?g"
    compare "$when: subjects per class" "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } $in_store } GROUP BY ?class"
    article="$(sg query --format csv 'SELECT ?a WHERE { ?a a schema:NewsArticle ; sg:hasSignal ?s } ORDER BY ?a LIMIT 1' | tail -1 | tr -d '\r')"
    compare "$when: signals of one article" "PREFIX sg: <https://w3id.org/signalgraph/ontology#>
SELECT ?signal ?p ?o WHERE { GRAPH ?g { <$article> sg:hasSignal ?signal . ?signal ?p ?o } $in_store }"
    compare "$when: titles verbatim" "PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?a ?title WHERE { GRAPH ?g { ?a dcterms:title ?title } $in_store }"
}
remote_graphs() { # how many of the store's graphs Virtuoso holds
    curl -sf "$http/sparql" -H 'Accept: text/csv' \
        --data-urlencode "query=SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } $in_store }" | tail -1 | tr -d '\r"'
}

echo "== first push (Graph Store Protocol, Digest)"
build
graphs="$(sg query --format csv 'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }' | tail -1 | tr -d '\r')"
sg push -q --dry-run --json "$gsp" > "$work/dry.json"
check "dry run sends nothing" "$([ "$(remote_graphs)" = 0 ] && [ "$(json "$work/dry.json" graphs_sent)" = "$graphs" ] && echo 1 || echo 0)" \
    "would send $(json "$work/dry.json" graphs_sent) of $graphs graphs; Virtuoso holds $(remote_graphs)"
sg push -q --json --user dba "$gsp" > "$work/push1.json" && rc=0 || rc=$?
check "first push" "$([ $rc = 0 ] && [ "$(json "$work/push1.json" graphs_sent)" = "$graphs" ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/push1.json" graphs_sent) of $graphs graphs, $(json "$work/push1.json" triples_sent) triples"
compare_all "after the first push"
sg push -q --json --user dba "$gsp" > "$work/push2.json" && rc=0 || rc=$?
check "second push sends nothing" "$([ $rc = 0 ] && [ "$(json "$work/push2.json" graphs_sent)" = 0 ] && [ "$(json "$work/push2.json" graphs_unchanged)" = "$graphs" ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/push2.json" graphs_sent), unchanged $(json "$work/push2.json" graphs_unchanged)"

echo "== wrong password"
# Through another URL (its own state), so the graph it marks pending does not
# change what the pushes below send.
SIGNALGRAPH_PASSWORD=wrong sg push -q --user dba "$gsp?wrong" > /dev/null 2> "$work/err" && rc=0 || rc=$?
check "wrong password" "$([ $rc = 1 ] && grep -q 'credentials' "$work/err" && echo 1 || echo 0)" "exit $rc: $(head -1 "$work/err")"

echo "== two seeds edited, one deleted, one added"
id_of() { basename "$1" .txt | cut -d_ -f2; }
edited=("$seeds/003_a818df140f026ff7.txt" "$seeds/010_5cb7ef51c26ab859.txt")
for f in "${edited[@]}"; do
    sed -i '0,/^## Summary$/s//## Summary\n\nEdited for the push test./' "$f"
done
# A seed no other article links to, so no other article graph changes.
deleted=""
for f in "$seeds"/0[2-4]*.txt; do
    id="$(id_of "$f")"
    if ! grep -rqi "($id" "$seeds" --exclude="$(basename "$f")"; then deleted="$f"; break; fi
done
rm "$deleted"
added="$seeds/050_0123456789abcdef.txt"
sed '1s/^# __/# __Added: /' "$seeds/001_5f187058da6feed4.txt" | grep -v '^\* \[' > "$added"
build
expected="$( (for f in "${edited[@]}" "$added"; do echo "${base}id/graph/article/$(id_of "$f")"; done) | sort)"
sg push -q --dry-run "$gsp" > "$work/plan.txt"
sent_articles="$(awk '$1 == "send" { print $2 }' "$work/plan.txt" | grep /graph/article/ | sort || true)"
others="$(awk '$1 == "send" { print $2 }' "$work/plan.txt" | grep -v /graph/article/ | sed "s|$base||" | tr '\n' ' ' || true)"
deletes="$(awk '$1 == "delete" { print $2 }' "$work/plan.txt")"
check "plan after the edits" "$([ "$sent_articles" = "$expected" ] && [ "$deletes" = "${base}id/graph/article/$(id_of "$deleted")" ] && echo 1 || echo 0)" \
    "$(wc -l <<< "$sent_articles") article graphs to send (edited, added), also: ${others:-nothing}; delete $(id_of "$deleted")"
sg push -q --json --user dba "$gsp" > "$work/push3.json" && rc=0 || rc=$?
want_sent="$(grep -c '^send' "$work/plan.txt")"
check "incremental push" "$([ $rc = 0 ] && [ "$(json "$work/push3.json" graphs_sent)" = "$want_sent" ] && [ "$(json "$work/push3.json" graphs_deleted)" = 1 ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/push3.json" graphs_sent), deleted $(json "$work/push3.json" graphs_deleted), unchanged $(json "$work/push3.json" graphs_unchanged)"
compare_all "after the edits"

echo "== server down, then back"
sed -i 's/^Edited for the push test\./Edited again./' "${edited[0]}"
build
virtuoso_stop
sg push -q --json --user dba --retries 1 "$gsp" > "$work/down.json" 2> "$work/err" && rc=0 || rc=$?
check "push while the server is stopped" "$([ $rc = 1 ] && [ "$(json "$work/down.json" graphs_sent)" = 0 ] && echo 1 || echo 0)" \
    "exit $rc: $(head -1 "$work/err")"
virtuoso_restart
sg push -q --json --user dba "$gsp" > "$work/back.json" && rc=0 || rc=$?
check "next push converges" "$([ $rc = 0 ] && [ "$(json "$work/back.json" graphs_sent)" -ge 1 ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/back.json" graphs_sent)"
compare_all "after the server came back"

echo "== a push killed half-way"
"$bin" --store "$store" push -q --full --concurrency 1 --user dba "$gsp" > /dev/null 2>&1 &
pid=$!
# Killed once it has marked the graphs it is about to send as pending.
state="$(grep -l "\"endpoint\":\"$gsp\"" "$store"/push/*.json)"
for _ in $(seq 1 200); do grep -q '""' "$state" && break; sleep 0.01; done
kill -KILL "$pid" 2> /dev/null || true
wait "$pid" 2> /dev/null || true
sg push -q --json --user dba "$gsp" > "$work/killed.json" && rc=0 || rc=$?
check "push after a killed one" "$([ $rc = 0 ] && [ "$(json "$work/killed.json" graphs_sent)" -ge 1 ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/killed.json" graphs_sent) left over"
compare_all "after a killed push"

echo "== SPARQL Update protocol (a second endpoint URL: its own state)"
graphs="$(sg query --format csv 'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }' | tail -1 | tr -d '\r')"
sg push -q --json --protocol update --user dba "$update" > "$work/upd1.json" && rc=0 || rc=$?
check "update push, in full" "$([ $rc = 0 ] && [ "$(json "$work/upd1.json" graphs_sent)" = "$graphs" ] && [ "$(json "$work/upd1.json" graphs_unchanged)" = 0 ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/upd1.json" graphs_sent) graphs, $(json "$work/upd1.json" triples_sent) triples"
compare_all "after an update push"
rm "${edited[1]}"
sed -i 's/^Edited again\./Edited a third time./' "${edited[0]}"
build
sg push -q --json --protocol update --batch-size 2 --user dba "$update" > "$work/upd2.json" && rc=0 || rc=$?
check "update push, incremental" "$([ $rc = 0 ] && [ "$(json "$work/upd2.json" graphs_deleted)" = 1 ] && [ "$(json "$work/upd2.json" graphs_unchanged)" -gt 40 ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/upd2.json" graphs_sent), deleted $(json "$work/upd2.json" graphs_deleted), unchanged $(json "$work/upd2.json" graphs_unchanged)"
compare_all "after an incremental update push"

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

echo "push_virtuoso: $passed passed, $failed failed"
[ "$failed" = 0 ]
