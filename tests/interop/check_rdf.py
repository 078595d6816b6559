"""Load every RDF export of a store with rdflib and compare its size with `signalgraph stats`.

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
    for name, (fmt, quads) in FORMATS.items():
        path = f"{folder}/{name}"
        try:
            if quads:
                data = rdflib.Dataset()
                data.parse(path, format=fmt)
                count = len(data)
                graphs = len({g for _, _, _, g in data.quads((None, None, None, None))})
            else:
                data = rdflib.Graph()
                data.parse(path, format=fmt)
                count, graphs = len(data), None
        except Exception as e:  # a parse failure is this format's failure
            print(f"FAIL {name}: rdflib cannot parse it: {e}")
            failed += 1
            continue
        ok = count == stats["triples"] and (graphs is None or graphs == stats["graphs"])
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {count} statements"
              + (f" in {graphs} graphs" if graphs is not None else "")
              + f" (stats: {stats['triples']} triples, {stats['graphs']} graphs)")
        passed += ok
        failed += not ok
    print(f"rdflib: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
