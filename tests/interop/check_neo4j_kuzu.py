"""Load a Neo4j export folder into Kùzu (an embedded Cypher database, standing
in for Neo4j) and compare it with SPARQL on the same store.

The bulk-import headers are translated into a Kùzu schema: a node table per
`nodes_LABEL.csv` (`id:ID(LABEL)` the primary key, `name:long` INT64,
`:double` DOUBLE, `:date` DATE, `:string[]` kept as one STRING), a
relationship table per type with one FROM/TO pair per `rels_TYPE_A_B.csv`;
the files are loaded with COPY. Then per-label node counts, per-type
relationship counts and every directed CLOSEST pair are compared with
`signalgraph query`, and so are the trends through time: `Trend` nodes (id
and name against `sg:trendId` and `rdfs:label`), `IN_TREND` against
`sg:hasMember`, and a Cypher query over `MERGED_INTO` and `SPLIT_INTO` against
the lineage events of the analysis graph (`sg:Merge`, `sg:Split`).

usage: python check_neo4j_kuzu.py SIGNALGRAPH STORE NEO4J_DIR
Prints one line per check and a closing `kuzu: N passed, M failed`.
"""

import csv
import os
import re
import subprocess
import sys
import tempfile

import kuzu

TYPES = {"long": "INT64", "double": "DOUBLE", "date": "DATE", "string[]": "STRING", None: "STRING"}
SG = "https://w3id.org/signalgraph/ontology#"
PREFIXES = (
    f"PREFIX sg: <{SG}>\nPREFIX schema: <https://schema.org/>\n"
    "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
# What each label and relationship type stands for in SPARQL.
LABELS = {
    "Article": "?x a schema:NewsArticle",
    "StubArticle": "?x a sg:StubArticle",
    "Signal": "?x a sg:Signal",
    "Theme": "?x a sg:Theme",
    "Keyword": "?x a sg:Keyword",
    "DrivingForce": "?x a sg:DrivingForce",
    "Source": "?x a sg:Source",
    "Digest": "?x a sg:Digest",
    # The full projection's clusters at every level and the trend clusters.
    "Cluster": '?x a sg:Cluster ; sg:projection ?p ; sg:level ?l '
    'FILTER(?p = "full" || (?p = "articles" && ?l = 0))',
    "Trend": "?x a sg:Trend",
}
RELATIONSHIPS = {
    "CLOSEST": "?x sg:closestTo ?y",
    "HAS_THEME": "?x sg:hasTheme ?y",
    "HAS_KEYWORD": "?x sg:hasKeyword ?y",
    "HAS_SIGNAL": "?x sg:hasSignal ?y",
    "DRIVEN_BY": "?x sg:drivenBy ?y",
    "PUBLISHED_BY": "?x schema:publisher ?y",
    "IN_DIGEST": "?x schema:isPartOf ?y",
    "IN_CLUSTER": '?x sg:memberOf ?y . ?y sg:projection ?p ; sg:level ?l '
    'FILTER(?p = "full" || (?p = "articles" && ?l = 0))',
    "IN_TREND": "?y sg:hasMember ?x",
}
# Trend-to-trend relationships from lineage events: (from, to, date) with
# another id after the event.
EVENT_LINKS = {
    "MERGED_INTO": "sg:Merge",
    "SPLIT_INTO": "sg:Split",
}

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""))


def sparql(binary, store, query):
    out = subprocess.run(
        [binary, "--store", store, "query", "--format", "csv", PREFIXES + query],
        check=True, capture_output=True, text=True,
    ).stdout
    rows = list(csv.reader(out.splitlines()))
    return rows[1:]


def column(header):
    """(name, Kùzu type) of a property header `name:type` or `name`."""
    name, _, kind = header.partition(":")
    return name, TYPES[kind or None]


def rewrite(src, dst, keep):
    """Copies the columns `keep` of a CSV file (RFC 4180, multi-line fields)."""
    with open(src, newline="", encoding="utf-8") as f, open(dst, "w", newline="", encoding="utf-8") as g:
        w = csv.writer(g)
        for row in csv.reader(f):
            w.writerow([row[i] for i in keep])


def load(folder, db_dir):
    conn = kuzu.Connection(kuzu.Database(db_dir))
    files = sorted(os.listdir(folder))
    work = os.path.join(db_dir + "-csv")
    os.makedirs(work)
    copies = []
    for name in files:
        m = re.fullmatch(r"nodes_(\w+)\.csv", name)
        if not m:
            continue
        label = m.group(1)
        with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header[0] == f"id:ID({label})" and header[1] == ":LABEL", (name, header[:2])
        props = [column(h) for h in header[2:]]
        cols = ", ".join(f"`{p}` {t}" for p, t in props)
        conn.execute(f"CREATE NODE TABLE `{label}`(id STRING PRIMARY KEY{', ' + cols if cols else ''})")
        clean = os.path.join(work, name)
        rewrite(os.path.join(folder, name), clean, [0] + list(range(2, len(header))))
        copies.append(f"COPY `{label}` FROM '{clean}' (header=true, parallel=false)")
    pairs = {}
    for name in files:
        m = re.fullmatch(r"rels_([A-Z_]+)_([A-Za-z]+)_([A-Za-z]+)\.csv", name)
        if not m:
            continue
        kind, start, end = m.groups()
        with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
            header = next(csv.reader(f))
        assert header[0] == f":START_ID({start})" and header[1] == f":END_ID({end})" and header[2] == ":TYPE", name
        props = [column(h) for h in header[3:]]
        pairs.setdefault(kind, ([], props))[0].append((start, end, name, len(header)))
    for kind, (ends, props) in pairs.items():
        spec = ", ".join(f"FROM `{a}` TO `{b}`" for a, b, _, _ in ends)
        cols = "".join(f", `{p}` {t}" for p, t in props)
        conn.execute(f"CREATE REL TABLE `{kind}`({spec}{cols})")
        for start, end, name, width in ends:
            clean = os.path.join(work, name)
            rewrite(os.path.join(folder, name), clean, [0, 1] + list(range(3, width)))
            copies.append(f"COPY `{kind}` FROM '{clean}' (from='{start}', to='{end}', header=true, parallel=false)")
    for statement in copies:
        conn.execute(statement)
    return conn


def scalar(conn, query):
    result = conn.execute(query)
    return result.get_next()[0]


def local(iri):
    return iri.rsplit("/", 1)[-1]


def main():
    binary, store, folder = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        conn = load(folder, os.path.join(tmp, "db"))
        tables = {row[1]: row[2] for row in iter_rows(conn, "CALL show_tables() RETURN *")}
        for label, pattern in LABELS.items():
            want = int(sparql(binary, store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}")[0][0])
            got = scalar(conn, f"MATCH (n:`{label}`) RETURN count(n)") if tables.get(label) == "NODE" else 0
            check(f"{label} nodes", got == want, f"Kùzu {got}, SPARQL {want}")
        for kind, pattern in RELATIONSHIPS.items():
            want = int(sparql(binary, store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")[0][0])
            got = scalar(conn, f"MATCH ()-[r:`{kind}`]->() RETURN count(r)") if tables.get(kind) == "REL" else 0
            check(f"{kind} relationships", got == want, f"Kùzu {got}, SPARQL {want}")
        closest = "MATCH (a)-[:CLOSEST]->(b) RETURN a.id, b.id"
        got = sorted(tuple(r) for r in iter_rows(conn, closest)) if tables.get("CLOSEST") == "REL" else []
        want = sorted((local(a), local(b)) for a, b in sparql(binary, store, "SELECT ?a ?b WHERE { ?a sg:closestTo ?b }"))
        links = set(want)
        one_way = sum(1 for a, b in want if (b, a) not in links)
        wrong = [p for p in got if p not in links]
        check("every CLOSEST is a closestTo link in its direction", got == want and not wrong,
              f"{len(got)} pairs, {one_way} one-way links"
              + (f"; {len(wrong)} not links, e.g. {wrong[:2]}" if wrong else ""))
        try:
            named = scalar(conn, "MATCH (c:Cluster) WHERE c.projection = 'articles' AND c.name <> '' RETURN count(c)")
        except RuntimeError:  # no such column
            named = 0
        trend = int(sparql(binary, store, 'SELECT (COUNT(*) AS ?n) WHERE { ?c sg:projection "articles" ; sg:level 0 }')[0][0])
        check("trend clusters are named", named == trend and trend > 0, f"{named} of {trend}")
        check_trends(binary, store, conn, tables)
    print(f"kuzu: {RESULTS.count(True)} passed, {RESULTS.count(False)} failed")
    return 0 if all(RESULTS) else 1


def check_trends(binary, store, conn, tables):
    """Trend nodes, and the lineage relationships asked in Cypher, against SPARQL."""
    want = sorted((int(i), name) for i, name in sparql(binary, store, "SELECT ?i ?name WHERE { ?t a sg:Trend ; sg:trendId ?i ; rdfs:label ?name }"))
    got = sorted((int(i), name) for i, name in iter_rows(conn, "MATCH (t:Trend) RETURN t.id, t.name")) if tables.get("Trend") == "NODE" else []
    check("Trend nodes have the ids and names of sg:Trend", got == want and len(want) > 0, f"{len(got)} trends")
    for kind, event in EVENT_LINKS.items():
        want = sorted(
            (local(a), local(b), d)
            for a, b, d in sparql(binary, store, f"SELECT DISTINCT ?a ?b ?d WHERE {{ ?e a {event} ; sg:fromTrend ?a ; sg:toTrend ?b ; dcterms:date ?d FILTER (?a != ?b) }}")
        )
        query = f"MATCH (a:Trend)-[r:{kind}]->(b:Trend) RETURN a.id, b.id, r.date"
        got = sorted((a, b, str(d)) for a, b, d in iter_rows(conn, query)) if tables.get(kind) == "REL" else []
        check(f"{kind} answers as the {event} events", got == want, f"{len(got)} relationships, e.g. {got[:2]}")
    if tables.get("CONTINUES") == "REL":
        starts = {row[0] for row in sparql(binary, store, "SELECT ?s WHERE { ?w a sg:TimeWindow ; sg:start ?s }")}
        rows = list(iter_rows(conn, "MATCH (a:Trend)-[r:CONTINUES]->(b:Trend) RETURN a.id, b.id, r.date"))
        ok = all(a != b and str(d) in starts for a, b, d in rows)
        check("CONTINUES links two trends at a window's start", ok, f"{len(rows)} relationships")


def iter_rows(conn, query):
    result = conn.execute(query)
    while result.has_next():
        yield result.get_next()


if __name__ == "__main__":
    sys.exit(main())
