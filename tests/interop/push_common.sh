#!/usr/bin/env bash
# The steps of the push tests against real stores: the seeds with a hostile
# title, the build, the remote's SPARQL answers compared with `signalgraph
# query`, the edit of the seeds between pushes and the plan it should give.
# push_oxigraph.sh uses it; push_virtuoso.sh still holds the same steps
# inline. Source it after check.sh, with bin, here, root and work set:
#
#   push_seeds                # $work/seeds: the sample, a seed with a hostile title
#                             # and one that no other links to
#   sg ARGS…                  # signalgraph on the store $work/store
#   push_build                # build --prune from the seeds, analyze (both projections)
#   store_graphs              # how many named graphs the store holds
#   remote_graphs QUERY_URL   # how many of the store's graphs the endpoint holds
#   compare_all WHEN QUERY_URL # the comparison queries, the endpoint against signalgraph
#   push_edit_seeds           # two seeds edited, one no other links to deleted, one added
#   check_edit_plan URL       # the dry-run plan to URL is those graphs (and the
#                             # collection/analysis ones); its sends in $work/plan.txt
#   json FILE KEY             # a key of a push's JSON report

store="$work/store"
seeds="$work/seeds"
base="https://w3id.org/signalgraph/"
in_store="FILTER(STRSTARTS(STR(?g), \"$base\"))"
sg() { "$bin" --store "$store" "$@"; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d[sys.argv[2]])' "$@"; }
id_of() { basename "$1" .txt | cut -d_ -f2; }

# The sample, and an article whose title, signal and keyword hold what
# breaks careless serialisers (quotes, backslashes, markup, escapes,
# characters outside the BMP, a joiner sequence, right-to-left text).
push_seeds() {
    cp -r "$root/seeds" "$seeds"
    local hostile_title='Quotes "double" '"'single'"' \back\slash <b>&amp;</b> ]]> \u0041 \n é 日本 🚀 👩‍👩‍👧 עברית ^^xsd @en ; # %20 {braces}'
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
compare() { # NAME QUERY_URL QUERY
    local name="$1" url="$2" query="$3" out
    curl -sf "$url" -H 'Accept: application/sparql-results+json' \
        --data-urlencode "query=$query" > "$work/remote.json" || { check "$name" 0 "the endpoint refused the query"; return; }
    sg query --format json "$query" > "$work/local.json"
    out="$(python3 "$here/sparql_compare.py" "$work/remote.json" "$work/local.json" 2>&1)" && check "$name" 1 "$out" || check "$name" 0 "$out"
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
SELECT ?a ?title WHERE { GRAPH ?g { ?a dcterms:title ?title } $in_store }"
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
