#!/usr/bin/env python3
"""Time signalgraph's analyzers against igraph, rustworkx and networkx on the same graphs.

    python3 benches/compare.py                 # 10k and 100k LFR graphs
    python3 benches/compare.py --sizes 10000   # only the small one
    python3 benches/compare.py --no-networkx   # skip the slowest peer

The script makes its own virtual environment (~/.cache/signalgraph-bench-venv,
from benches/requirements.txt) and re-runs itself inside it, generates the LFR
graphs with benches/lfr/make_lfr.py into ~/.cache/signalgraph-bench/lfr/, builds
signalgraph in release mode, and then, for each graph, runs every algorithm of
every tool on the same edge list:

- signalgraph: `signalgraph analyze --edges FILE --out NODES.csv --json`, one
  process per algorithm; the time is the algorithm's own step from the JSON
  `timings_seconds` (reading the CSV is reported apart), as the peers are timed
  on graphs already in memory. Its peak RSS comes from wait4().
- igraph (single-threaded C), rustworkx (Rust, multi-threaded where it can be),
  networkx (pure Python; only where it finishes in reasonable time).

It prints a Markdown table with times and the ratio signalgraph / fastest peer,
and for the community methods the modularity and NMI to the planted partition.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time

from benchenv import BENCH, BINARY, ROOT, build_release, ensure_venv, run_measured

DATA = BENCH / "lfr"

# What each tool computes, per graph size: (name, signalgraph flags).
ALGORITHMS = [
    ("pagerank", ["--method", "components", "--centrality", "pagerank"]),
    ("pagerank (tol 1e-10)", ["--method", "components", "--centrality", "pagerank", "--tolerance", "1e-10"]),
    ("louvain", ["--method", "louvain", "--centrality", "none"]),
    ("leiden", ["--method", "leiden", "--centrality", "none"]),
    ("label propagation", ["--method", "label-propagation", "--centrality", "none"]),
    ("betweenness (exact)", ["--method", "components", "--centrality", "betweenness", "--length", "hops", "--samples", "all"]),
    ("betweenness (256 sources)", ["--method", "components", "--centrality", "betweenness", "--length", "hops", "--samples", "256"]),
    ("closeness", ["--method", "components", "--centrality", "closeness", "--length", "hops"]),
]
# All-pairs measures only on the small graph (igraph needs minutes beyond it).
ALL_PAIRS = {"betweenness (exact)", "closeness"}
STEP = {
    "pagerank": "pagerank",
    "pagerank (tol 1e-10)": "pagerank",
    "louvain": "louvain",
    "leiden": "leiden",
    "label propagation": "label-propagation",
    "betweenness (exact)": "betweenness",
    "betweenness (256 sources)": "betweenness",
    "closeness": "closeness",
}


def run_signalgraph(edges, flags: list[str]) -> dict:
    out = DATA / "signalgraph-nodes.csv"
    cmd = [str(BINARY), "analyze", "--edges", str(edges), "--out", str(out), "--json", "--top", "1", *flags]
    _, peak, stdout, _ = run_measured(cmd)
    summary = json.loads(stdout)
    summary["peak_rss_bytes"] = peak
    summary["membership"] = read_membership(out)
    return summary


def read_membership(path) -> list[int] | None:
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows or "cluster_0" not in rows[0]:
        return None
    # Node names are the LFR node numbers.
    membership = [0] * len(rows)
    for row in rows:
        membership[int(row["node"])] = int(row["cluster_0"])
    return membership


def timed(f):
    started = time.perf_counter()
    result = f()
    return time.perf_counter() - started, result


def load_graph(edges):
    import igraph as ig
    import networkx as nx
    import rustworkx as rx

    pairs = []
    with open(edges, newline="") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            pairs.append((int(row[0]), int(row[1])))
    n = 1 + max(max(p) for p in pairs)
    g_ig = ig.Graph(n=n, edges=pairs, directed=False)
    g_rx = rx.PyGraph(multigraph=False)
    g_rx.add_nodes_from(range(n))
    g_rx.add_edges_from_no_data(pairs)
    g_rx_di = rx.PyDiGraph(multigraph=False)
    g_rx_di.add_nodes_from(range(n))
    g_rx_di.add_edges_from_no_data(pairs + [(v, u) for u, v in pairs])
    g_nx = nx.Graph()
    g_nx.add_nodes_from(range(n))
    g_nx.add_edges_from(pairs)
    return n, len(pairs), g_ig, g_rx, g_rx_di, g_nx


def peers(name: str, n: int, g_ig, g_rx, g_rx_di, g_nx, use_networkx: bool, seed: int = 42):
    """Times of each peer for one algorithm: {tool: (seconds, membership or None)}."""
    import random

    import networkx as nx
    import rustworkx as rx

    random.seed(seed)
    times = {}
    if name == "pagerank":
        times["igraph"] = timed(lambda: g_ig.pagerank(damping=0.85))
        times["rustworkx"] = timed(lambda: rx.pagerank(g_rx_di, alpha=0.85, tol=1e-6))
        if use_networkx:
            times["networkx"] = timed(lambda: nx.pagerank(g_nx, alpha=0.85, tol=1e-6))
    elif name == "pagerank (tol 1e-10)":
        # The same stopping rule (L1 change < n * tol) run to a tight tolerance,
        # so the per-iteration cost shows; igraph solves exactly (PRPACK) anyway.
        times["igraph"] = timed(lambda: g_ig.pagerank(damping=0.85))
        times["rustworkx"] = timed(lambda: rx.pagerank(g_rx_di, alpha=0.85, tol=1e-10))
        if use_networkx:
            times["networkx"] = timed(lambda: nx.pagerank(g_nx, alpha=0.85, tol=1e-10))
    elif name == "louvain":
        t, c = timed(lambda: g_ig.community_multilevel())
        times["igraph"] = (t, c.membership)
        if use_networkx and n <= 10_000:
            t, parts = timed(lambda: nx.community.louvain_communities(g_nx, seed=seed))
            times["networkx"] = (t, membership_of(parts, n))
    elif name == "leiden":
        # igraph's default of two iterations, as signalgraph's default.
        t, c = timed(lambda: g_ig.community_leiden(objective_function="modularity", n_iterations=2))
        times["igraph"] = (t, c.membership)
    elif name == "label propagation":
        t, c = timed(lambda: g_ig.community_label_propagation())
        times["igraph"] = (t, c.membership)
        if use_networkx and n <= 10_000:
            t, parts = timed(lambda: list(nx.community.asyn_lpa_communities(g_nx, seed=seed)))
            times["networkx"] = (t, membership_of(parts, n))
    elif name == "betweenness (exact)":
        times["igraph"] = timed(lambda: g_ig.betweenness())
        times["rustworkx"] = timed(lambda: rx.betweenness_centrality(g_rx))
    elif name == "betweenness (256 sources)":
        sources = random.sample(range(n), 256)
        times["igraph"] = timed(lambda: g_ig.betweenness(sources=sources))
        if use_networkx and n <= 10_000:
            times["networkx"] = timed(lambda: nx.betweenness_centrality(g_nx, k=256, seed=seed))
    elif name == "closeness":
        times["igraph"] = timed(lambda: g_ig.closeness())
        times["rustworkx"] = timed(lambda: rx.closeness_centrality(g_rx))
    return times


def membership_of(parts, n):
    membership = [0] * n
    for i, part in enumerate(parts):
        for node in part:
            membership[node] = i
    return membership


def quality(g_ig, membership, planted):
    import igraph as ig

    if membership is None:
        return None
    q = g_ig.modularity(membership)
    nmi = ig.compare_communities(membership, planted, method="nmi")
    return q, nmi


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="LFR node counts (10000 and/or 100000)")
    parser.add_argument("--no-networkx", action="store_true", help="skip networkx")
    parser.add_argument("--no-build", action="store_true", help="use the signalgraph binary as built")
    args = parser.parse_args()
    ensure_venv()
    sizes = [int(s) for s in args.sizes.split(",")]

    DATA.mkdir(parents=True, exist_ok=True)
    if not args.no_build:
        build_release()
    names = {n: DATA / f"lfr-{n}-mu0.3.edges.csv" for n in sizes}
    if not all(p.exists() for p in names.values()):
        subprocess.run([sys.executable, str(ROOT / "benches" / "lfr" / "make_lfr.py"), str(DATA), "--preset", "bench"], check=True)

    import igraph as ig
    import networkx as nx
    import rustworkx as rx

    print(f"igraph {ig.__version__}, rustworkx {rx.__version__}, networkx {nx.__version__}; {os.cpu_count()} cores")
    rows = []
    for n in sizes:
        edges = names[n]
        planted_path = edges.with_name(edges.name.replace(".edges.csv", ".membership.csv"))
        planted = [0] * n
        with open(planted_path, newline="") as f:
            for row in csv.DictReader(f):
                planted[int(row["node"])] = int(row["community"])
        nodes, m, g_ig, g_rx, g_rx_di, g_nx = load_graph(edges)
        print(f"\n{edges.name}: {nodes} nodes, {m} edges", flush=True)
        for name, flags in ALGORITHMS:
            if name in ALL_PAIRS and n > 10_000:
                continue
            ours = run_signalgraph(edges, flags)
            ours_time = dict(ours["timings_seconds"])[STEP[name]]
            theirs = peers(name, n, g_ig, g_rx, g_rx_di, g_nx, not args.no_networkx)
            best_tool, (best_time, _) = min(theirs.items(), key=lambda kv: kv[1][0])
            row = {
                "graph": f"{n // 1000}k",
                "algorithm": name,
                "signalgraph": ours_time,
                "peers": {tool: t for tool, (t, _) in theirs.items()},
                "fastest": best_tool,
                "ratio": ours_time / best_time,
                "read_seconds": dict(ours["timings_seconds"]).get("read"),
                "peak_rss_bytes": ours["peak_rss_bytes"],
                "bytes_per_edge": ours["peak_rss_bytes"] / m,
            }
            if name in ("louvain", "leiden", "label propagation"):
                row["quality"] = {"signalgraph": quality(g_ig, ours["membership"], planted)}
                for tool, (_, membership) in theirs.items():
                    row["quality"][tool] = quality(g_ig, membership, planted)
            if ours.get("pagerank_iterations"):
                row["iterations"] = ours["pagerank_iterations"]
            rows.append(row)
            peer_text = ", ".join(f"{tool} {t:.3f} s" for tool, t in row["peers"].items())
            iterations = f" ({row['iterations']} iterations)" if "iterations" in row else ""
            print(f"  {name}: signalgraph {ours_time:.3f} s{iterations}; {peer_text}; ratio {row['ratio']:.2f}", flush=True)

    print("\n| graph | algorithm | signalgraph | igraph | rustworkx | networkx | ratio to fastest | peak RSS / edge |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        cell = lambda tool: f"{r['peers'][tool]:.3f} s" if tool in r["peers"] else "–"
        print(
            f"| {r['graph']} | {r['algorithm']} | {r['signalgraph']:.3f} s | {cell('igraph')} | {cell('rustworkx')} "
            f"| {cell('networkx')} | {r['ratio']:.2f} ({r['fastest']}) | {r['bytes_per_edge']:.0f} B |"
        )
    quality_rows = [r for r in rows if "quality" in r]
    if quality_rows:
        print("\n| graph | method | tool | modularity | NMI to planted |")
        print("|---|---|---|---|---|")
        for r in quality_rows:
            for tool, q in r["quality"].items():
                if q:
                    print(f"| {r['graph']} | {r['algorithm']} | {tool} | {q[0]:.4f} | {q[1]:.4f} |")
    (DATA / "compare.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
