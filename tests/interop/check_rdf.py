"""Load every RDF export of a store with rdflib and compare its size with `signalgraph stats`.

Dataset formats (N-Quads, TriG, JSON-LD) must hold `stats.triples` quads in
`stats.graphs` graphs; graph formats (Turtle, N-Triples, RDF/XML) the distinct
triples of the union of those graphs (a triple stated in two graphs, such as a
node's degree in two analysis graphs, is one triple there).

With LEAN_DIR (written by `export --compress` and `--split-size`), also loads
LEAN_DIR/graph.nq.gz, and LEAN_DIR/split/graph.part-*.nq.gz each on its own
and then together: each must hold what graph.nq holds.

usage: python check_rdf.py EXPORT_DIR STATS_JSON [LEAN_DIR]
Prints one line per format and a closing `rdflib: N passed, M failed`.
"""

import glob
import gzip
import json
import sys

import rdflib

FORMATS = {
    "graph.ttl": ("turtle", False),
    "graph.nt": ("nt", False),
    "graph.rdf": ("xml", False),
    "graph.nq": ("nquads", True),
    "graph.trig": ("trig", True),
    "graph.jsonld": ("json-ld", True),
}


def main() -> int:
    folder, stats_path = sys.argv[1], sys.argv[2]
    with open(stats_path, encoding="utf-8") as f:
        stats = json.load(f)
    passed = failed = 0
    union = rdflib.Dataset()
    union.parse(f"{folder}/graph.nq", format="nquads")
    distinct_triples = len({(s, p, o) for s, p, o, _ in union.quads((None, None, None, None))})
    for name, (fmt, quads) in FORMATS.items():
        path = f"{folder}/{name}"
        try:
            if quads:
                data = rdflib.Dataset()
                data.parse(path, format=fmt)
                all_quads = list(data.quads((None, None, None, None)))
                count = len(all_quads)
                graphs = len({g for _, _, _, g in all_quads})
            else:
                data = rdflib.Graph()
                data.parse(path, format=fmt)
                count, graphs = len(data), None
        except Exception as e:  # a parse failure is this format's failure
            print(f"FAIL {name}: rdflib cannot parse it: {e}")
            failed += 1
            continue
        if quads:
            ok = count == stats["triples"] and graphs == stats["graphs"]
        else:
            ok = count == distinct_triples
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {count} statements"
              + (f" in {graphs} graphs" if graphs is not None else f" ({distinct_triples} distinct triples in graph.nq)")
              + f" (stats: {stats['triples']} quads, {stats['graphs']} graphs)")
        passed += ok
        failed += not ok
    if len(sys.argv) > 3:
        ok_gz, ok_split = check_lean(sys.argv[3], quads_of(union))
        passed += ok_gz + ok_split
        failed += (not ok_gz) + (not ok_split)
    print(f"rdflib: {passed} passed, {failed} failed")
    return 1 if failed else 0


def load_gz(path: str) -> list:
    """The quads of a gzip-compressed N-Quads file."""
    data = rdflib.Dataset()
    with gzip.open(path, "rb") as f:
        data.parse(f, format="nquads")
    return quads_of(data)


def quads_of(data) -> list:
    """The quads of a dataset, each graph by its name."""
    return [(s, p, o, getattr(g, "identifier", g)) for s, p, o, g in data.quads((None, None, None, None))]


def blank(term):
    return "_" if isinstance(term, rdflib.BNode) else term


def shape(found: list) -> tuple:
    """The quads with every blank node as `_` (each parse names them anew),
    and how many distinct blank nodes there are (a blank node cut in two by a
    split would count twice)."""
    blanks = {t for q in found for t in q if isinstance(t, rdflib.BNode)}
    return sorted(tuple(map(blank, q)) for q in found), len(blanks)


def check_lean(folder: str, expected: list) -> tuple[bool, bool]:
    """Whether graph.nq.gz, and the split chunks together, hold `expected`."""
    want = shape(expected)
    try:
        whole = load_gz(f"{folder}/graph.nq.gz")
        ok_gz = shape(whole) == want
        print(f"{'ok  ' if ok_gz else 'FAIL'} graph.nq.gz: {len(whole)} quads (graph.nq: {len(expected)})")
    except Exception as e:
        print(f"FAIL graph.nq.gz: rdflib cannot read it: {e}")
        ok_gz = False
    chunks = sorted(glob.glob(f"{folder}/split/graph.part-*.nq.gz"))
    together: list = []
    try:
        for chunk in chunks:
            together += load_gz(chunk)  # each chunk parses on its own
        ok_split = len(chunks) > 1 and shape(together) == want
        print(f"{'ok  ' if ok_split else 'FAIL'} {len(chunks)} chunks graph.part-*.nq.gz, each parsed alone: "
              f"{len(together)} quads and {shape(together)[1]} blank nodes together "
              f"(graph.nq: {len(expected)}, {want[1]})")
    except Exception as e:
        print(f"FAIL split chunks: rdflib cannot read one: {e}")
        ok_split = False
    return ok_gz, ok_split


if __name__ == "__main__":
    sys.exit(main())
