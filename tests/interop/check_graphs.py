"""Load signalgraph's graph exports with third-party readers and check them.

usage: python check_graphs.py EXPORT_DIR ANALYZE_JSON [LABEL]
       python check_graphs.py --gexf-trends EXPORT_DIR

EXPORT_DIR holds `export --all` output (graph.graphml, graph.gexf, csv/,
neo4j/); ANALYZE_JSON is `signalgraph analyze --json` of the articles
projection, whose node and edge counts every export of that projection must
match. LABEL, if given, is an article title that must come back unchanged
from every format. Prints one line per check and `graphs: N passed, M failed`.

When the GEXF has the trends through time (a dynamic `trend` attribute), its
spells are parsed from the XML and checked against the trends, windows and
merges of `graph.nq` (the analysis graph of the same store): every spell is a
whole window, an article's spells do not overlap, the spell at an article's
date holds its home trend (`sg:hasMember`), each merge shows as articles
moving from each trend before to the trend after, and networkx reads the
same spells. `--gexf-trends` runs only these checks.
"""

import csv
import datetime
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

import igraph
import networkx as nx

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""))


def graphml(folder, expected, label):
    path = os.path.join(folder, "graph.graphml")
    g = nx.read_graphml(path)
    check("networkx reads GraphML", g.number_of_nodes() == expected["nodes"] and g.number_of_edges() == expected["edges"],
          f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges (analyze: {expected['nodes']}, {expected['edges']})")
    data = next(iter(g.nodes(data=True)))[1]
    typed = isinstance(data.get("pagerank"), float) and isinstance(data.get("cluster_0"), int) and isinstance(data.get("x"), float)
    check("GraphML attributes are typed", typed, f"pagerank {type(data.get('pagerank')).__name__}, cluster_0 {type(data.get('cluster_0')).__name__}")
    check("GraphML edges have weight and kind", all("weight" in d and "kind" in d for _, _, d in g.edges(data=True)))
    ig = igraph.Graph.Read_GraphML(path)
    check("igraph reads GraphML", ig.vcount() == expected["nodes"] and ig.ecount() == expected["edges"],
          f"{ig.vcount()} nodes, {ig.ecount()} edges")
    check("igraph sees every attribute", {"label", "kind", "pagerank", "cluster_0", "x", "y"} <= set(ig.vs.attributes()),
          ", ".join(sorted(ig.vs.attributes())))
    if label:
        check("nasty label survives GraphML", label in {d.get("label") for _, d in g.nodes(data=True)})


def gexf(folder, expected, label):
    path = os.path.join(folder, "graph.gexf")
    g = nx.read_gexf(path, version="1.3")
    check("networkx reads GEXF 1.3", g.number_of_nodes() == expected["nodes"] and g.number_of_edges() == expected["edges"],
          f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    nodes = list(g.nodes(data=True))
    check("GEXF nodes carry colour, size and position", all("viz" in d and {"color", "size", "position"} <= set(d["viz"]) for _, d in nodes))
    dated = [d for _, d in nodes if "start" in d]
    check("GEXF is dynamic with dated nodes", g.graph.get("mode") == "dynamic" and len(dated) > 0, f"{len(dated)} nodes with a start date")
    if label:
        check("nasty label survives GEXF", label in {d.get("label") for _, d in nodes})
    gexf_trends(folder, g)


SG = "https://w3id.org/signalgraph/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCTERMS_DATE = "http://purl.org/dc/terms/date"
# The statements the checks need: IRI objects and plain or typed literals
# without quotes inside (dates, numbers); other lines are skipped.
QUAD = re.compile(r'^<([^>]*)> <([^>]*)> (?:<([^>]*)>|"([^"\\]*)"(?:\^\^<[^>]*>)?) <[^>]*> \.$')


def lineage_of(path):
    """Windows (start -> end), home trends (article IRI -> id) and merges
    (date, from ids, to id) from an N-Quads export."""
    types, values = {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = QUAD.match(line)
            if not m:
                continue
            s, p, iri, literal = m.groups()
            if p == RDF_TYPE:
                types.setdefault(s, set()).add(iri)
            else:
                values.setdefault(s, {}).setdefault(p, []).append(iri if iri is not None else literal)
    trend = lambda iri: int(iri.rsplit("/", 1)[1])
    windows = {v[SG + "start"][0]: v[SG + "end"][0] for s, v in values.items() if SG + "TimeWindow" in types.get(s, ())}
    home = {}
    for s, v in values.items():
        for article in v.get(SG + "hasMember", []):
            home[article] = trend(s)
    merges = [
        (v[DCTERMS_DATE][0], sorted(trend(t) for t in v.get(SG + "fromTrend", [])), trend(v[SG + "toTrend"][0]))
        for s, v in values.items() if SG + "Merge" in types.get(s, ())
    ]
    return windows, home, sorted(merges)


def gexf_spells(path):
    """Per article IRI, its node's start date and its `trend` spells
    (value, start, end), read from the XML; None without a dynamic `trend`."""
    ns = {"g": "http://gexf.net/1.3"}
    root = ET.parse(path).getroot()
    dynamic = [a for a in root.iter("{http://gexf.net/1.3}attributes") if a.get("mode") == "dynamic" and a.get("class") == "node"]
    if not any(x.get("id") == "trend" for a in dynamic for x in a):
        return None
    spells = {}
    for node in root.iterfind(".//g:nodes/g:node", ns):
        values = node.findall("g:attvalues/g:attvalue", ns)
        iri = next((v.get("value") for v in values if v.get("for") == "iri"), None)
        spells[iri] = (node.get("id"), node.get("start"), [
            (int(v.get("value")), v.get("start"), v.get("end")) for v in values if v.get("for") == "trend"
        ])
    return spells


def gexf_trends(folder, g=None):
    path = os.path.join(folder, "graph.gexf")
    spells = gexf_spells(path)
    windows, home, merges = lineage_of(os.path.join(folder, "graph.nq"))
    if spells is None:
        check("GEXF has the trends through time when the store has them", not windows, f"{len(windows)} windows in graph.nq")
        return
    all_spells = [s for _, _, ss in spells.values() for s in ss]
    whole = all(windows.get(start) == end for _, start, end in all_spells)
    disjoint = all(
        all(a[2] < b[1] for a, b in zip(sorted(ss, key=lambda x: x[1]), sorted(ss, key=lambda x: x[1])[1:]))
        for _, _, ss in spells.values()
    )
    check("GEXF trend spells are whole windows, disjoint per article", whole and disjoint and len(all_spells) > 0,
          f"{len(all_spells)} spells over {len(windows)} windows")
    wrong = []
    for article, trend in home.items():
        _, date, ss = spells.get(article, (None, None, []))
        at = [v for v, start, end in ss if date and start <= date <= end]
        if at != [trend]:
            wrong.append((article.rsplit("/", 1)[1], date, at, trend))
    check("GEXF spell at each article's date is its home trend", home and not wrong,
          f"{len(home)} articles" + (f"; e.g. {wrong[:2]}" if wrong else ""))
    starts = sorted(windows)
    index = {start: i for i, start in enumerate(starts)}
    shown = 0
    for date, before, after in merges:
        # Each trend before passes into the trend after: one of its articles
        # shows it in one window and the trend after in the next, within one
        # window of the merge's date.
        near = {index[date] + d for d in (-1, 0, 1)} if date in index else set()
        def moved(t):
            return any(
                any(v == t and index.get(s) == k - 1 for v, s, _ in ss)
                and any(v == after and index.get(s) == k for v, s, _ in ss)
                for _, _, ss in spells.values()
                for k in near
            ) or t == after
        shown += all(moved(t) for t in before)
    check("GEXF spells show every merge", shown == len(merges), f"{shown} of {len(merges)} merges")
    if g is not None:
        read = {d.get("iri"): sorted(d.get("trend", [])) for _, d in g.nodes(data=True) if d.get("iri") in spells}
        same = all(read.get(iri) == sorted(ss) for iri, (_, _, ss) in spells.items() if ss)
        check("networkx reads the same trend spells", same)


def plain_csv(folder, expected, label):
    with open(os.path.join(folder, "csv", "nodes.csv"), newline="", encoding="utf-8") as f:
        nodes = list(csv.DictReader(f))
    with open(os.path.join(folder, "csv", "edges.csv"), newline="", encoding="utf-8") as f:
        edges = list(csv.DictReader(f))
    ids = {n["id"] for n in nodes}
    check("CSV ids unique, counts match", len(ids) == len(nodes) == expected["nodes"] and len(edges) == expected["edges"],
          f"{len(nodes)} nodes, {len(edges)} edges")
    check("CSV edge ends exist", all(e["source"] in ids and e["target"] in ids for e in edges))
    if label:
        check("nasty label survives CSV", label in {n["label"] for n in nodes})


PARSERS = {
    "long": int,
    "int": int,
    "double": float,
    "float": float,
    "date": datetime.date.fromisoformat,
    "boolean": lambda v: {"true": True, "false": False}[v],
    "string": str,
    "string[]": lambda v: v.split("\x1f"),
}


def neo4j(folder, label):
    """The rules of neo4j-admin database import: typed headers, ids unique per
    ID space, relationship ends present in the named spaces."""
    folder = os.path.join(folder, "neo4j")
    files = sorted(os.listdir(folder))
    spaces = {}
    labels_seen = set()
    problems = []
    for name in files:
        if not name.startswith("nodes_"):
            continue
        with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            m = re.fullmatch(r"id:ID\((\w+)\)", header[0])
            if not m or header[1] != ":LABEL":
                problems.append(f"{name}: header starts {header[:2]}")
                continue
            space = m.group(1)
            ids = spaces.setdefault(space, set())
            types = [h.split(":", 1)[1] if ":" in h else "string" for h in header[2:]]
            for row in reader:
                if row[0] in ids:
                    problems.append(f"{name}: duplicate id {row[0]!r}")
                ids.add(row[0])
                labels_seen.add(row[1])
                for value, t in zip(row[2:], types):
                    if value == "":
                        continue
                    try:
                        PARSERS[t](value)
                    except Exception:
                        problems.append(f"{name}: {value!r} is not {t}")
                if label and space == "Article" and label in row:
                    labels_seen.add("nasty")
    relationships = 0
    for name in files:
        if not name.startswith("rels_"):
            continue
        with open(os.path.join(folder, name), newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            start = re.fullmatch(r":START_ID\((\w+)\)", header[0])
            end = re.fullmatch(r":END_ID\((\w+)\)", header[1])
            if not start or not end or header[2] != ":TYPE":
                problems.append(f"{name}: header starts {header[:3]}")
                continue
            for row in reader:
                relationships += 1
                if row[0] not in spaces.get(start.group(1), ()):
                    problems.append(f"{name}: start {row[0]!r} missing")
                if row[1] not in spaces.get(end.group(1), ()):
                    problems.append(f"{name}: end {row[1]!r} missing")
                if not row[2]:
                    problems.append(f"{name}: empty type")
    script = open(os.path.join(folder, "import.sh"), encoding="utf-8").read()
    listed = all(f"={name}" in script for name in files if name.endswith(".csv"))
    check("Neo4j import folder follows the importer's rules", not problems,
          f"{sum(len(v) for v in spaces.values())} nodes in {len(spaces)} ID spaces, {relationships} relationships"
          + (f"; {problems[:3]}" if problems else ""))
    expected_labels = {"Article", "Signal", "Theme", "Keyword", "DrivingForce", "Source", "Digest"}
    check("Neo4j has every label", expected_labels <= labels_seen, ", ".join(sorted(labels_seen - {"nasty"})))
    check("import.sh names every CSV file", listed)
    if label:
        check("nasty label survives Neo4j CSV", "nasty" in labels_seen)


def main():
    if sys.argv[1] == "--gexf-trends":
        gexf_trends(sys.argv[2], nx.read_gexf(os.path.join(sys.argv[2], "graph.gexf"), version="1.3"))
        failed = RESULTS.count(False)
        print(f"graphs: {len(RESULTS) - failed} passed, {failed} failed")
        return 1 if failed else 0
    folder, analyze_path = sys.argv[1], sys.argv[2]
    label = sys.argv[3] if len(sys.argv) > 3 else None
    with open(analyze_path, encoding="utf-8") as f:
        expected = json.load(f)
    for part in (lambda: graphml(folder, expected, label), lambda: gexf(folder, expected, label),
                 lambda: plain_csv(folder, expected, label), lambda: neo4j(folder, label)):
        try:
            part()
        except Exception as e:
            check("reader", False, f"{type(e).__name__}: {e}")
    failed = RESULTS.count(False)
    print(f"graphs: {len(RESULTS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
