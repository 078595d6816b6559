#!/usr/bin/env python3
"""Write tests/reference/centrality.json: networkx centrality values that
tests/centrality.rs compares signalgraph's against.

Set up once, then run from the repository root:

    python3 -m venv ~/.cache/signalgraph-venv-ref
    ~/.cache/signalgraph-venv-ref/bin/pip install -r tests/reference/requirements.txt
    ~/.cache/signalgraph-venv-ref/bin/python tests/reference/make_centrality_reference.py

The output is committed; rerun only when a graph or a measure changes. The
script also cross-checks networkx against igraph on several measures and
stops if they disagree, so the reference is not one library's quirk.

Layout of the JSON: {"versions": {...}, "graphs": [graph, ...]}, where a graph
is {"name", "description", "nodes": [label, ...], "edges": [[u, v, w], ...],
"measures": {measure: [value per node] or null}}. Node i is nodes[i]: the
graph's nodes in sorted order (integers for karate, names for Les
Misérables). Edges are undirected, once each with u <= v, self-loops
included; no graph has parallel edges. Measures (networkx defaults unless
said otherwise; "inverse" is an edge attribute holding 1 / weight):

    degree, weighted_degree            G.degree(), G.degree(weight="weight")
    pagerank_weighted / _unweighted    nx.pagerank(G, weight="weight" / None)
    betweenness_{hops,weight,inverse}  nx.betweenness_centrality(G, weight=...)
    betweenness_raw_hops               ... normalized=False
    closeness_{hops,weight,inverse}    nx.closeness_centrality(G, distance=...)
    closeness_hops_plain               ... wf_improved=False
    harmonic_{hops,weight,inverse}     nx.harmonic_centrality(G, distance=...)
    eigenvector_weighted / _unweighted nx.eigenvector_centrality(G, weight=...)
                                       (null for disconnected graphs)
    core_number                        nx.core_number(G without self-loops)
"""

import json
import math
import os
import random
import sys
from pathlib import Path

import igraph
import networkx as nx
import numpy
import scipy

OUTPUT = Path(__file__).resolve().parent / "centrality.json"


def karate():
    return nx.karate_club_graph(), "Zachary's karate club (networkx, weighted by contexts)"


def les_miserables():
    return nx.les_miserables_graph(), "Les Misérables co-occurrence (networkx, weighted)"


def small_weighted():
    # Weights chosen so that several weighted shortest paths tie exactly,
    # both as weights (sums of 1, 2, 3) and as inverses (1/2 + 1/2 = 1).
    g = nx.Graph()
    g.add_weighted_edges_from(
        [
            ("a", "b", 1.0), ("b", "c", 2.0), ("a", "c", 3.0), ("c", "d", 1.0),
            ("b", "d", 3.0), ("d", "e", 0.5), ("e", "f", 2.0), ("d", "f", 2.5),
            ("f", "g", 4.0), ("c", "g", 7.0), ("a", "h", 2.0), ("h", "g", 8.0),
        ]
    )
    return g, "hand-made weighted graph with exact ties"


def disconnected():
    g = nx.Graph()
    g.add_weighted_edges_from(
        [
            (0, 1, 1.0), (1, 2, 2.0), (2, 0, 1.5), (2, 3, 1.0), (3, 4, 3.0),
            (5, 6, 1.0), (6, 7, 0.25), (7, 8, 1.0), (8, 5, 4.0), (6, 8, 2.0),
        ]
    )
    g.add_node(9)
    return g, "two weighted components and an isolated node"


def self_loops():
    g = nx.Graph()
    g.add_weighted_edges_from(
        [
            (0, 1, 1.0), (1, 2, 2.0), (2, 3, 1.0), (3, 0, 3.0), (0, 2, 0.5),
            (3, 4, 1.0), (4, 4, 2.0), (1, 1, 0.5), (4, 5, 1.5),
        ]
    )
    return g, "connected weighted graph with two self-loops"


def random_ties():
    g = nx.gnm_random_graph(60, 150, seed=7)
    rng = random.Random(7)
    for u, v in sorted(g.edges()):
        g[u][v]["weight"] = float(rng.choice([1, 2, 3, 4]))
    return g, "G(60, 150) with integer weights 1-4 (many tied paths), seed 7"


def measures(g):
    for u, v, data in g.edges(data=True):
        data["inverse"] = 1.0 / data["weight"]
    connected = nx.is_connected(g)
    plain = g.copy()
    plain.remove_edges_from(list(nx.selfloop_edges(plain)))
    lengths = {"hops": None, "weight": "weight", "inverse": "inverse"}
    result = {
        "degree": dict(g.degree()),
        "weighted_degree": dict(g.degree(weight="weight")),
        "pagerank_weighted": nx.pagerank(g, weight="weight"),
        "pagerank_unweighted": nx.pagerank(g, weight=None),
        "betweenness_raw_hops": nx.betweenness_centrality(g, normalized=False),
        "closeness_hops_plain": nx.closeness_centrality(g, wf_improved=False),
        "eigenvector_weighted": nx.eigenvector_centrality(g, weight="weight") if connected else None,
        "eigenvector_unweighted": nx.eigenvector_centrality(g, weight=None) if connected else None,
        "core_number": nx.core_number(plain),
    }
    for name, attribute in lengths.items():
        result[f"betweenness_{name}"] = nx.betweenness_centrality(g, weight=attribute)
        result[f"closeness_{name}"] = nx.closeness_centrality(g, distance=attribute)
        result[f"harmonic_{name}"] = nx.harmonic_centrality(g, distance=attribute)
    return result


def close(a, b, tolerance):
    return abs(a - b) <= tolerance * max(1.0, abs(b))


def check_igraph(name, g, nodes, values):
    """Exits unless igraph agrees with networkx where both define a measure."""
    index = {node: i for i, node in enumerate(nodes)}
    edges = sorted((index[u], index[v], d["weight"]) for u, v, d in g.edges(data=True))
    ig = igraph.Graph(n=len(nodes), edges=[(u, v) for u, v, _ in edges])
    ig.es["weight"] = [w for _, _, w in edges]

    def agree(measure, networkx_values, igraph_values, tolerance=1e-9):
        for node, theirs in zip(nodes, igraph_values):
            ours = networkx_values[node]
            if not (math.isnan(theirs) and g.degree(node) == 0) and not close(ours, theirs, tolerance):
                sys.exit(f"{name}: {measure} of node {node!r}: networkx {ours}, igraph {theirs}")

    agree("degree", values["degree"], ig.degree(loops=True))
    agree("weighted_degree", values["weighted_degree"], ig.strength(weights="weight", loops=True))
    agree("betweenness_raw_hops", values["betweenness_raw_hops"], ig.betweenness(directed=False))
    agree(
        "raw weighted betweenness",
        nx.betweenness_centrality(g, weight="weight", normalized=False),
        ig.betweenness(directed=False, weights="weight"),
    )
    # igraph's closeness ignores unreachable nodes (no Wasserman-Faust
    # scaling) and is NaN for an isolated node.
    agree("closeness_hops_plain", values["closeness_hops_plain"], ig.closeness())
    agree("harmonic_hops", values["harmonic_hops"], ig.harmonic_centrality(normalized=False))
    agree(
        "harmonic_weight",
        values["harmonic_weight"],
        ig.harmonic_centrality(weights="weight", normalized=False),
    )
    simple = ig.copy()
    simple.simplify(multiple=False, loops=True)
    agree("core_number", values["core_number"], simple.coreness())

    if any(u == v for u, v, _ in edges):
        # igraph puts an undirected self-loop in the adjacency matrix twice,
        # networkx once; their PageRank and eigenvector centrality differ there.
        return
    # igraph solves these exactly; compare with a tightly converged networkx.
    agree(
        "pagerank (exact)",
        nx.pagerank(g, weight="weight", tol=1e-13, max_iter=10_000),
        ig.pagerank(directed=False, weights="weight"),
        tolerance=1e-7,
    )
    if nx.is_connected(g):
        exact = nx.eigenvector_centrality(g, weight="weight", tol=1e-13, max_iter=10_000)
        top = max(exact.values())
        agree(
            "eigenvector (exact, max 1)",
            {node: value / top for node, value in exact.items()},
            ig.eigenvector_centrality(weights="weight"),
            tolerance=1e-7,
        )


def main():
    # networkx sums over sets in places (harmonic centrality), so string hash
    # randomization would change last bits from run to run.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable, *sys.argv])
    graphs = []
    for make in (karate, les_miserables, small_weighted, disconnected, self_loops, random_ties):
        g, description = make()
        nodes = sorted(g.nodes())
        index = {node: i for i, node in enumerate(nodes)}
        values = measures(g)
        check_igraph(make.__name__, g, nodes, values)
        edges = sorted(
            (min(index[u], index[v]), max(index[u], index[v]), float(d["weight"]))
            for u, v, d in g.edges(data=True)
        )
        graphs.append(
            {
                "name": make.__name__,
                "description": description,
                "nodes": [str(node) for node in nodes],
                "edges": [list(edge) for edge in edges],
                "measures": {
                    measure: None if by_node is None else [float(by_node[node]) for node in nodes]
                    for measure, by_node in sorted(values.items())
                },
            }
        )
        assert all(
            by_node is None or all(math.isfinite(x) for x in by_node.values())
            for by_node in values.values()
        )
    reference = {
        "generator": "tests/reference/make_centrality_reference.py",
        "versions": {
            "python": sys.version.split()[0],
            "networkx": nx.__version__,
            "igraph": igraph.__version__,
            "scipy": scipy.__version__,
            "numpy": numpy.__version__,
        },
        "graphs": graphs,
    }
    OUTPUT.write_text(json.dumps(reference, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUTPUT} ({len(graphs)} graphs)")


if __name__ == "__main__":
    main()
