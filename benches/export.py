#!/usr/bin/env python3
"""Export benchmark: every format of a generated collection, against oxigraph's
own serializer and networkx's GraphML writer.

    python3 benches/export.py            # the 100k-article collection
    python3 benches/export.py --articles 10000

Makes its own virtual environment (benches/benchenv.py), builds signalgraph in
release mode, and uses the collection and store `cargo bench --bench store`
caches under ~/.cache/signalgraph-bench (generating and building them if
missing). Then, on a copy of the store:

1. `signalgraph analyze` (articles projection), so the graph formats carry
   an analysis;
2. `signalgraph export -v --all`: wall time and peak RSS of the whole run
   (wait4), and per format the bytes and seconds signalgraph reports;
3. oxigraph's own serializer on the same triples: pyoxigraph 0.5.13 (the
   oxigraph version signalgraph links) bulk-loads the N-Triples export into
   a store and dumps it as Turtle and N-Triples; ratio = signalgraph's time /
   oxigraph's;
4. networkx's `write_graphml` on the same graph: networkx reads signalgraph's
   GraphML (not timed) and writes it back; ratio = networkx / signalgraph.
"""

import argparse
import re
import shutil
import subprocess
import sys
import time

from benchenv import BENCH, BINARY, build_release, ensure_venv, run_measured


def ensure_store(articles: int):
    store = BENCH / f"store-{articles}"
    seeds = BENCH / f"gen-{articles}"
    if not seeds.exists():
        subprocess.run([str(BINARY), "generate", "--articles", str(articles), "--seed", "42", "--out", str(seeds)], check=True)
    if not store.exists():
        subprocess.run([str(BINARY), "--store", str(store), "build", "-q", str(seeds)], check=True)
    return store


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    ensure_venv()
    if not args.no_build:
        build_release()
    import networkx as nx
    import pyoxigraph

    work = BENCH / f"export-{args.articles}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    store = work / "store"
    shutil.copytree(ensure_store(args.articles), store)
    run_measured([str(BINARY), "--store", str(store), "analyze", "-q", "--centrality", "degree,weighted-degree,pagerank,eigenvector,core"])

    out = work / "out"
    wall, peak, _, stderr = run_measured([str(BINARY), "--store", str(store), "export", "-v", "--all", "--out", str(out)])
    print(f"signalgraph export --all: {wall:.1f} s, peak RSS {peak / 1e9:.2f} GB")
    opened = re.search(r"opened .* in ([0-9.]+) s", stderr)
    if opened:
        print(f"  opening the store: {opened.group(1)} s")
    ours = {}
    print("\n| format | size | time | MB/s |\n|---|---|---|---|")
    for line in stderr.splitlines():
        m = re.match(r"wrote (\S+) \((\S+), .*?([0-9.]+) MB\) in ([0-9.]+) s(?: \(\+ ([0-9.]+) s to prepare)?", line)
        if not m:
            continue
        path, media, mb, seconds = m.group(1), m.group(2), float(m.group(3)), float(m.group(4))
        name = path.rsplit("/", 1)[-1]
        ours[name] = seconds
        prepare = f" (+ {m.group(5)} s projection, analysis and layout)" if m.group(5) else ""
        print(f"| {name} ({media}) | {mb:.0f} MB | {seconds:.2f} s{prepare} | {mb / seconds:.0f} |")

    # oxigraph's serializer on its own store, same triples.
    store_ox = pyoxigraph.Store()
    started = time.perf_counter()
    store_ox.bulk_load(path=str(out / "graph.nt"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    print(f"\noxigraph bulk load of graph.nt: {time.perf_counter() - started:.1f} s, {len(store_ox)} triples")
    prefixes = {
        "sg": "https://w3id.org/signalgraph/ontology#",
        "dcterms": "http://purl.org/dc/terms/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "schema": "https://schema.org/",
        "prov": "http://www.w3.org/ns/prov#",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "owl": "http://www.w3.org/2002/07/owl#",
    }
    print("\n| format | signalgraph | oxigraph Store.dump | ratio (≤ 1.2) |\n|---|---|---|---|")
    for name, fmt in (("graph.ttl", pyoxigraph.RdfFormat.TURTLE), ("graph.nt", pyoxigraph.RdfFormat.N_TRIPLES)):
        target = work / f"oxigraph-{name}"
        started = time.perf_counter()
        kwargs = {"prefixes": prefixes} if name.endswith(".ttl") else {}
        store_ox.dump(output=str(target), format=fmt, from_graph=pyoxigraph.DefaultGraph(), **kwargs)
        theirs = time.perf_counter() - started
        print(f"| {name} | {ours[name]:.2f} s | {theirs:.2f} s ({target.stat().st_size / 1e6:.0f} MB) | {ours[name] / theirs:.2f} |")
    del store_ox

    # networkx writing the same GraphML.
    started = time.perf_counter()
    graph = nx.read_graphml(out / "graph.graphml")
    read = time.perf_counter() - started
    started = time.perf_counter()
    nx.write_graphml(graph, work / "networkx.graphml")
    theirs = time.perf_counter() - started
    print(f"\nGraphML, {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges: signalgraph {ours['graph.graphml']:.2f} s, "
          f"networkx write_graphml {theirs:.2f} s (read {read:.1f} s, not timed): {theirs / ours['graph.graphml']:.1f}× faster (target ≥ 10×)")
    shutil.rmtree(work / "store", ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
