#!/usr/bin/env bash
# Apache Jena (Debian's libapache-jena-java) against signalgraph:
#  - riot parses every RDF export strictly and counts its statements;
#  - the TriG export is loaded into TDB2 and a set of queries is evaluated by
#    Jena with its union default graph (tdb:unionDefaultGraph) and by
#    `signalgraph query` on the same store; the answers must be equal.
#
#   bash tests/interop/jena.sh BIN STORE EXPORT_DIR [LEAN_DIR]
#
# LEAN_DIR holds graph.nq.gz and split/graph.part-*.nq.gz (compressed chunks).
#
# Installs Java and Jena with apt-get when missing (as root). Debian ships no
# riot/arq scripts, so the command classes run with `java -cp` over the jars
# in /usr/share/java. Two packaging gaps are bridged here: the repackaged
# xerces inside jena-core.jar looks up its message files under xerces/ while
# the jar has them under org/apache/jena/ext/xerces/ (Jena fails at start
# without them), and no JSON-P implementation is packaged, so JSON-LD is read
# with the JSON-LD 1.0 parser (--syntax=JSONLD10).
#
# Why TDB2: in Jena 4.5 the union default graph is a setting of TDB
# (`--set tdb:unionDefaultGraph=true`); an in-memory dataset (`arq --data`)
# ignores it and only offers the union as GRAPH <urn:x-arq:UnionGraph>. With
# TDB2 both sides run the very same query text.
set -euo pipefail
bin="$1" store="$2" exports="$3"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if ! command -v java > /dev/null || [ ! -f /usr/share/java/jena-arq.jar ]; then
    echo "jena.sh: installing default-jre-headless libapache-jena-java" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends default-jre-headless libapache-jena-java >&2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# xerces' message files where the repackaged classes look for them.
python3 - "$work/cp" <<'PY'
import os, sys, zipfile
prefix = "org/apache/jena/ext/"
with zipfile.ZipFile("/usr/share/java/jena-core.jar") as jar:
    for name in jar.namelist():
        if name.startswith(prefix + "xerces/") and name.endswith(".properties"):
            target = os.path.join(sys.argv[1], name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(jar.read(name))
PY
cp="$work/cp"
# The unversioned names of Jena's jars (each also exists as jena-x-4.5.0.jar).
for jar in /usr/share/java/jena-*.jar; do
    case "$jar" in *-[0-9]*.jar) continue ;; esac
    cp="$cp:$jar"
done
for name in commons-cli commons-codec commons-compress commons-csv commons-io commons-lang3 \
    dexx.collection gson guava httpclient httpclient-cache httpcore jackson-core \
    jackson-databind jackson-annotations jsonld-java protobuf slf4j-api slf4j-nop thrift \
    titanium-json-ld jakarta.json-api; do
    cp="$cp:/usr/share/java/$name.jar"
done
jena() { java -cp "$cp" "$@"; }

# shellcheck source=check.sh
source "$here/check.sh"

# Every RDF export, parsed strictly; the counts printed by riot.
counts="$(jena riotcmd.riot --strict --count "$exports"/graph.{ttl,nt,nq,trig,rdf} 2>&1)" && ok=1 || ok=0
counts="$counts
$(jena riotcmd.riot --strict --count --syntax=JSONLD10 "$exports/graph.jsonld" 2>&1)" || ok=0
quads="$("$bin" --store "$store" query --format csv 'SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }' | tail -1 | tr -d '\r')"
triples="$("$bin" --store "$store" query --format csv 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }' | tail -1 | tr -d '\r')"
# The statement count of each riot --count line whose file matches PATTERN.
riot_counts() { # PATTERN (reads riot's output)
    grep "$1 :" | sed -E 's/.*= ([0-9,]+).*/\1/' | tr -d , || true
}
for ext in ttl nt nq trig rdf jsonld; do
    got="$(riot_counts "graph.$ext" <<< "$counts")"
    case $ext in nq | trig | jsonld) want=$quads what=quads ;; *) want=$triples what=triples ;; esac
    [ "$ok" = 1 ] && [ "$got" = "$want" ] && r=1 || r=0
    check "riot reads graph.$ext" $r "${got:-?} $what (signalgraph: $want)"
done
[ "$ok" = 1 ] || echo "$counts" | grep -v '^\s*at ' | head -20

# Compressed N-Quads, whole and split into chunks, as a bulk load gets them
# (riot reads gzip by the .gz extension); each chunk is its own file.
if [ -n "${4:-}" ]; then
    lean="$4"
    got="$(jena riotcmd.riot --strict --count "$lean/graph.nq.gz" 2>&1 | riot_counts "graph.nq.gz")"
    [ "$got" = "$quads" ] && r=1 || r=0
    check "riot reads graph.nq.gz" $r "${got:-?} quads (signalgraph: $quads)"
    total=0 files=0
    while read -r n; do
        total=$((total + n)) files=$((files + 1))
    done < <(jena riotcmd.riot --strict --count "$lean"/split/graph.part-*.nq.gz 2>&1 |
        riot_counts "graph.part-.*\.nq\.gz")
    [ "$total" = "$quads" ] && [ "$files" -gt 1 ] && r=1 || r=0
    check "riot reads each chunk graph.part-*.nq.gz" $r "$files chunks, $total quads (signalgraph: $quads)"
fi

# The same queries on Jena's union default graph and on signalgraph's.
jena tdb2.tdbloader --loc "$work/tdb" "$exports/graph.trig" > "$work/load.log" 2>&1 ||
    { cat "$work/load.log"; exit 1; }
for query in "$here"/jena-queries/*.rq; do
    name="$(basename "$query" .rq)"
    jena tdb2.tdbquery --loc "$work/tdb" --set tdb:unionDefaultGraph=true \
        --results csv --query "$query" 2> "$work/err" | tr -d '\r' | LC_ALL=C sort > "$work/jena.csv" ||
        { cat "$work/err"; exit 1; }
    "$bin" --store "$store" query --format csv "$(cat "$query")" | tr -d '\r' | LC_ALL=C sort > "$work/sg.csv"
    rows=$(($(wc -l < "$work/jena.csv") - 1))
    first="$(grep -v '^[a-z]*\(,[a-z]*\)*$' "$work/jena.csv" | head -1 || true)"
    if cmp -s "$work/jena.csv" "$work/sg.csv"; then
        check "query $name" 1 "$rows rows equal (first: ${first:0:70})"
    else
        check "query $name" 0 "answers differ (Jena < > signalgraph):"
        diff "$work/jena.csv" "$work/sg.csv" | head -10 || true
    fi
done
echo "jena: $passed passed, $failed failed"
[ "$failed" = 0 ]
