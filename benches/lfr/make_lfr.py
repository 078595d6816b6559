#!/usr/bin/env python3
"""Generate LFR benchmark graphs for the community-detection tests and benchmarks.

Each graph is written as two CSV files in the output directory:

    NAME.edges.csv        header `source,target`, one undirected edge per row,
                          source < target, sorted
    NAME.membership.csv   header `node,community`, the planted partition

Nodes are numbered 0..n-1. Graphs come from networkit's LFRGenerator
(Lancichinetti, Fortunato & Radicchi 2008), seeded, single-threaded, so the
same arguments give the same files.

    python benches/lfr/make_lfr.py OUT_DIR --preset reference   # small, committed
    python benches/lfr/make_lfr.py OUT_DIR --preset bench       # 10k and 100k nodes
    python benches/lfr/make_lfr.py OUT_DIR --n 5000 --mu 0.4    # one custom graph

Requirements: benches/lfr/requirements.txt (networkit).
"""

import argparse
import csv
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Spec:
    n: int
    mu: float
    average_degree: float = 20.0
    max_degree: int = 50
    degree_exponent: float = 2.5
    min_community: int = 20
    max_community: int = 100
    community_exponent: float = 1.5
    seed: int = 42

    @property
    def name(self) -> str:
        return f"lfr-{self.n}-mu{self.mu:g}"


PRESETS = {
    # Small graphs committed under tests/reference/lfr (a few hundred kB).
    "reference": [
        Spec(n=1000, mu=0.3),
        Spec(n=2000, mu=0.5),
        Spec(n=3000, mu=0.4, average_degree=15, max_degree=40),
    ],
    # Benchmark sizes: ~100k and ~1M edges. Not committed (~/.cache).
    "bench": [
        Spec(n=10_000, mu=0.3, max_degree=100, max_community=200),
        Spec(n=100_000, mu=0.3, max_degree=100, max_community=500),
    ],
}


def generate(spec: Spec):
    import networkit as nk

    nk.setNumberOfThreads(1)
    nk.setSeed(spec.seed, False)
    generator = nk.generators.LFRGenerator(spec.n)
    generator.generatePowerlawDegreeSequence(
        spec.average_degree, spec.max_degree, -spec.degree_exponent
    )
    generator.generatePowerlawCommunitySizeSequence(
        spec.min_community, spec.max_community, -spec.community_exponent
    )
    generator.setMu(spec.mu)
    graph = generator.generate()
    partition = generator.getPartition()

    edges = sorted(
        {(min(u, v), max(u, v)) for u, v in graph.iterEdges() if u != v}
    )
    membership = [partition.subsetOf(u) for u in range(spec.n)]
    return edges, membership


def write(out_dir: str, spec: Spec) -> None:
    edges, membership = generate(spec)
    os.makedirs(out_dir, exist_ok=True)
    edge_path = os.path.join(out_dir, f"{spec.name}.edges.csv")
    with open(edge_path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["source", "target"])
        out.writerows(edges)
    # Planted community ids renumbered by first member, like Partition in Rust.
    renumber = {}
    with open(os.path.join(out_dir, f"{spec.name}.membership.csv"), "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["node", "community"])
        for node, community in enumerate(membership):
            out.writerow([node, renumber.setdefault(community, len(renumber))])
    print(
        f"{edge_path}: {spec.n} nodes, {len(edges)} edges, "
        f"{len(renumber)} planted communities, mu={spec.mu:g}",
        file=sys.stderr,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", help="directory for the CSV files")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="a named set of graphs")
    parser.add_argument("--n", type=int, help="number of nodes (custom graph)")
    parser.add_argument("--mu", type=float, default=0.3, help="mixing parameter")
    parser.add_argument("--average-degree", type=float, default=20.0)
    parser.add_argument("--max-degree", type=int, default=50)
    parser.add_argument("--min-community", type=int, default=20)
    parser.add_argument("--max-community", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    if args.preset:
        specs = PRESETS[args.preset]
    elif args.n:
        specs = [
            Spec(
                n=args.n,
                mu=args.mu,
                average_degree=args.average_degree,
                max_degree=args.max_degree,
                min_community=args.min_community,
                max_community=args.max_community,
                seed=args.seed,
            )
        ]
    else:
        parser.error("give --preset or --n")
    for spec in specs:
        write(args.out_dir, spec)


if __name__ == "__main__":
    main()
