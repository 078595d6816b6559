#!/usr/bin/env bash
# The steps of the push tests against real stores: the seeds with a hostile
# title, the build, the remote's SPARQL answers compared with `signalgraph
# query`, the pushes both stores take alike and the edits of the seeds
# between them. push_oxigraph.sh and push_virtuoso.sh use it. Source it
# after check.sh, with bin, here, root and work set, and push_opts (an
# array, maybe empty) holding what every push takes, such as --user:
#
#   push_seeds                # $work/seeds: the sample, a seed with a hostile title
#                             # and one that no other links to
#   sg ARGS…                  # signalgraph on the store $work/store
#   sg_push ARGS…             # sg push -q with push_opts
#   push_build                # build --prune from the seeds, analyze (both projections)
#   store_graphs              # how many named graphs the store holds
#   remote_graphs QUERY_URL   # how many of the store's graphs the endpoint holds
#   compare_all WHEN QUERY_URL # the comparison queries, the endpoint against signalgraph;
#                             # the titles must hold the hostile one verbatim
#   check_first_pushes NAME GSP QUERY_URL
#                             # a dry run sends nothing, a first push sends every
#                             # graph (answers compared), a second one nothing
#   push_edit_seeds           # two seeds edited, the one no other links to deleted
#                             # (never the hostile one), one added
#   check_edit_plan URL       # the dry-run plan to URL is those graphs (and the
#                             # collection/analysis ones); its sends in $work/plan.txt
#   check_incremental_push GSP QUERY_URL
#                             # the push sends what the plan said, deletes the one gone
#   check_down_then_back GSP QUERY_URL STOP START
#                             # a seed edited again; a push while STOP has stopped
#                             # the server fails, the next one after START converges
#   check_update_pushes UPDATE_URL QUERY_URL
#                             # --protocol update to a URL with no state: in full,
#                             # then after a seed deleted and one edited, incremental
#   json FILE KEY             # a key of a push's JSON report

store="$work/store"
seeds="$work/seeds"
base="https://w3id.org/signalgraph/"
in_store="FILTER(STRSTARTS(STR(?g), \"$base\"))"
sg() { "$bin" --store "$store" "$@"; }
[ -n "${push_opts+set}" ] || push_opts=()
sg_push() { sg push -q "${push_opts[@]}" "$@"; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$@"; }
id_of() { basename "$1" .txt | cut -d_ -f2; }

# The title of a seed that holds what breaks careless serialisers (quotes,
# backslashes, markup, escapes, characters outside the BMP, a joiner
# sequence, right-to-left text); so do its signal and keyword.
hostile_title='Quotes "double" '"'single'"' \back\slash <b>&amp;</b> ]]> \u0041 \n é 日本 🚀 👩‍👩‍👧 עברית ^^xsd @en ; # %20 {braces}'
# The title as the store holds it: the seed reader decodes HTML entities.
hostile_title_read="${hostile_title//"&amp;"/"&"}"
push_seeds() {
    cp -r "$root/seeds" "$seeds"
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
    # Every sample seed is linked from another: push_edit_seeds deletes this
    # one, so the hostile seed stays for every comparison.
    sed '1s/^# __/# __To be deleted: /' "$seeds/002_b063bc79639b0153.txt" | grep -v '^\* \[' > "$seeds/048_00000000dead0000.txt"
}

push_build() {
    sg build -q --prune "$seeds"
    sg analyze -q > /dev/null
    sg analyze -q --projection full > /dev/null
}

store_graphs() {
    sg query --format csv 'SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }' | tail -1 | tr -d '\r'
}

remote_graphs() { # QUERY_URL
    curl -sf "$1" -H 'Accept: text/csv' \
        --data-urlencode "query=SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } $in_store }" | tail -1 | tr -d '\r"'
}

# The same query on the endpoint and on signalgraph, compared row for row.
# With VALUE, the endpoint's answer must also hold it, whole, in a binding.
compare() { # NAME QUERY_URL QUERY [VALUE]
    local name="$1" url="$2" query="$3" out
    curl -sf "$url" -H 'Accept: application/sparql-results+json' \
        --data-urlencode "query=$query" > "$work/remote.json" || { check "$name" 0 "the endpoint refused the query"; return; }
    sg query --format json "$query" > "$work/local.json"
    out="$(python3 "$here/sparql_compare.py" "$work/remote.json" "$work/local.json" 2>&1)" || { check "$name" 0 "$out"; return; }
    if [ $# -ge 4 ] && ! python3 -c 'import json, sys
rows = json.load(open(sys.argv[1]))["results"]["bindings"]
sys.exit(not any(b["value"] == sys.argv[2] for r in rows for b in r.values()))' "$work/remote.json" "$4"; then
        check "$name" 0 "$out, but not the value ${4:0:20}…"
        return
    fi
    check "$name" 1 "$out"
}

compare_all() { # WHEN QUERY_URL
    local when="$1" url="$2" article
    # The text of each literal, whole; a double's as a number (?num: Virtuoso's
    # JSON results cut doubles to 6 digits, its STR() to 16).
    compare "$when: every quad" "$url" "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?g ?s ?p ?o (IF(isLiteral(?o) && DATATYPE(?o) != xsd:double, STR(?o), \"\") AS ?text)
  (IF(isLiteral(?o) && DATATYPE(?o) = xsd:double, STR(?o), \"\") AS ?num)
WHERE { GRAPH ?g { ?s ?p ?o } $in_store }"
    compare "$when: quads per graph" "$url" "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } $in_store } GROUP BY ?g"
    compare "$when: subjects per class" "$url" "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } $in_store } GROUP BY ?class"
    article="$(sg query --format csv 'SELECT ?a WHERE { ?a a schema:NewsArticle ; sg:hasSignal ?s } ORDER BY ?a LIMIT 1' | tail -1 | tr -d '\r')"
    compare "$when: signals of one article" "$url" "PREFIX sg: <https://w3id.org/signalgraph/ontology#>
SELECT ?signal ?p ?o WHERE { GRAPH ?g { <$article> sg:hasSignal ?signal . ?signal ?p ?o } $in_store }"
    compare "$when: titles verbatim" "$url" "PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?a ?title WHERE { GRAPH ?g { ?a dcterms:title ?title } $in_store }" "$hostile_title_read"
}

check_first_pushes() { # NAME GSP QUERY_URL
    local name="$1" gsp="$2" query_url="$3" graphs rc
    graphs="$(store_graphs)"
    sg_push --dry-run --json "$gsp" > "$work/dry.json"
    check "dry run sends nothing" "$([ "$(remote_graphs "$query_url")" = 0 ] && [ "$(json "$work/dry.json" graphs_sent)" = "$graphs" ] && echo 1 || echo 0)" \
        "would send $(json "$work/dry.json" graphs_sent) of $graphs graphs; $name holds $(remote_graphs "$query_url")"
    sg_push --json "$gsp" > "$work/push1.json" && rc=0 || rc=$?
    check "first push" "$([ $rc = 0 ] && [ "$(json "$work/push1.json" graphs_sent)" = "$graphs" ] && echo 1 || echo 0)" \
        "exit $rc, sent $(json "$work/push1.json" graphs_sent) of $graphs graphs, $(json "$work/push1.json" triples_sent) triples"
    compare_all "after the first push" "$query_url"
    sg_push --json "$gsp" > "$work/push2.json" && rc=0 || rc=$?
    check "second push sends nothing" "$([ $rc = 0 ] && [ "$(json "$work/push2.json" graphs_sent)" = 0 ] && [ "$(json "$work/push2.json" graphs_unchanged)" = "$graphs" ] && echo 1 || echo 0)" \
        "exit $rc, sent $(json "$work/push2.json" graphs_sent), unchanged $(json "$work/push2.json" graphs_unchanged)"
}

push_edit_seeds() {
    edited=("$seeds/003_a818df140f026ff7.txt" "$seeds/010_5cb7ef51c26ab859.txt")
    local f id
    for f in "${edited[@]}"; do
        sed -i '0,/^## Summary$/s//## Summary\n\nEdited for the push test./' "$f"
    done
    # A seed no other article links to, so no other article graph changes.
    deleted=""
    for f in "$seeds"/0[2-4]*.txt; do
        id="$(id_of "$f")"
        [ "$id" = 00000000c0ffee00 ] && continue
        if ! grep -rqi "($id" "$seeds" --exclude="$(basename "$f")"; then deleted="$f"; break; fi
    done
    rm "$deleted"
    added="$seeds/050_0123456789abcdef.txt"
    sed '1s/^# __/# __Added: /' "$seeds/001_5f187058da6feed4.txt" | grep -v '^\* \[' > "$added"
}

check_edit_plan() { # URL
    local expected sent_articles others deletes f
    expected="$( (for f in "${edited[@]}" "$added"; do echo "${base}id/graph/article/$(id_of "$f")"; done) | sort)"
    sg push -q --dry-run "$1" > "$work/plan.txt"
    sent_articles="$(awk '$1 == "send" { print $2 }' "$work/plan.txt" | grep /graph/article/ | sort || true)"
    others="$(awk '$1 == "send" { print $2 }' "$work/plan.txt" | grep -v /graph/article/ | sed "s|$base||" | tr '\n' ' ' || true)"
    deletes="$(awk '$1 == "delete" { print $2 }' "$work/plan.txt")"
    check "plan after the edits" "$([ "$sent_articles" = "$expected" ] && [ "$deletes" = "${base}id/graph/article/$(id_of "$deleted")" ] && echo 1 || echo 0)" \
        "$(wc -l <<< "$sent_articles") article graphs to send (edited, added), also: ${others:-nothing}; delete $(id_of "$deleted")"
}

check_incremental_push() { # GSP QUERY_URL
    local want_sent rc
    want_sent="$(grep -c '^send' "$work/plan.txt")"
    sg_push --json "$1" > "$work/push3.json" && rc=0 || rc=$?
    check "incremental push" "$([ $rc = 0 ] && [ "$(json "$work/push3.json" graphs_sent)" = "$want_sent" ] && [ "$(json "$work/push3.json" graphs_deleted)" = 1 ] && echo 1 || echo 0)" \
        "exit $rc, sent $(json "$work/push3.json" graphs_sent), deleted $(json "$work/push3.json" graphs_deleted), unchanged $(json "$work/push3.json" graphs_unchanged)"
    compare_all "after the edits" "$2"
}

check_down_then_back() { # GSP QUERY_URL STOP START
    local gsp="$1" query_url="$2" stop_server="$3" start_server="$4" rc
    sed -i 's/^Edited for the push test\./Edited again./' "${edited[0]}"
    push_build
    "$stop_server"
    sg_push --json --retries 1 "$gsp" > "$work/down.json" 2> "$work/err" && rc=0 || rc=$?
    check "push while the server is stopped" "$([ $rc = 1 ] && [ "$(json "$work/down.json" graphs_sent)" = 0 ] && echo 1 || echo 0)" \
        "exit $rc: $(head -1 "$work/err")"
    "$start_server"
    sg_push --json "$gsp" > "$work/back.json" && rc=0 || rc=$?
    check "next push converges" "$([ $rc = 0 ] && [ "$(json "$work/back.json" graphs_sent)" -ge 1 ] && echo 1 || echo 0)" \
        "exit $rc, sent $(json "$work/back.json" graphs_sent)"
    compare_all "after the server came back" "$query_url"
}

check_update_pushes() { # UPDATE_URL QUERY_URL
    local update="$1" query_url="$2" graphs rc
    graphs="$(store_graphs)"
    sg_push --json --protocol update "$update" > "$work/upd1.json" && rc=0 || rc=$?
    check "update push, in full" "$([ $rc = 0 ] && [ "$(json "$work/upd1.json" graphs_sent)" = "$graphs" ] && [ "$(json "$work/upd1.json" graphs_unchanged)" = 0 ] && echo 1 || echo 0)" \
        "exit $rc, sent $(json "$work/upd1.json" graphs_sent) graphs, $(json "$work/upd1.json" triples_sent) triples"
    compare_all "after an update push" "$query_url"
    rm "${edited[1]}"
    sed -i 's/^Edited again\./Edited a third time./' "${edited[0]}"
    push_build
    sg_push --json --protocol update --batch-size 2 "$update" > "$work/upd2.json" && rc=0 || rc=$?
    check "update push, incremental" "$([ $rc = 0 ] && [ "$(json "$work/upd2.json" graphs_deleted)" = 1 ] && [ "$(json "$work/upd2.json" graphs_unchanged)" -gt 40 ] && echo 1 || echo 0)" \
        "exit $rc, sent $(json "$work/upd2.json" graphs_sent), deleted $(json "$work/upd2.json" graphs_deleted), unchanged $(json "$work/upd2.json" graphs_unchanged)"
    compare_all "after an incremental update push" "$query_url"
}
