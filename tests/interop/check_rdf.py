"""Load every RDF export of a store with rdflib and compare its size with `signalgraph stats`.

Dataset formats (N-Quads, TriG, JSON-LD) must hold `stats.triples` quads in
`stats.graphs` graphs; graph formats (Turtle, N-Triples, RDF/XML) the distinct
triples of the union of those graphs (a triple stated in two graphs, such as a
node's degree in two analysis graphs, is one triple there).

usage: python check_rdf.py EXPORT_DIR STATS_JSON
Prints one line per format and a closing `rdflib: N passed, M failed`.
"""

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
    print(f"rdflib: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
