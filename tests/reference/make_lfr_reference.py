#!/usr/bin/env python3
"""Reference values for tests/community.rs, from igraph, networkx and leidenalg.

    python3 tests/reference/make_lfr_reference.py [--regenerate-graphs]

Run with any Python 3.11+: without igraph, networkx, leidenalg and networkit
importable, the script creates (once) the venv ~/.cache/sg-community-venv from
benches/lfr/requirements.txt and re-runs itself there.

Writes, in tests/reference/lfr/:

- the small LFR graphs of `make_lfr.py --preset reference` (only when missing,
  or with --regenerate-graphs): NAME.edges.csv and NAME.membership.csv;
- igraph.json: for each graph, igraph's community_multilevel,
  community_leiden(objective_function="modularity") with n_iterations=2 and
  with n_iterations=-1, and community_label_propagation, each run with seeds
  0..SEEDS-1 (igraph draws from Python's `random`): per seed modularity, NMI
  to the planted partition (compare_communities(method="nmi")) and community
  count, and their mean, min and max. The Rust tests compare the MEAN of our
  runs over the same number of seeds with the MEAN recorded here;
- karate.json: Zachary's karate club (networkx.karate_club_graph, weighted)
  with fixed partitions and networkx.community.modularity at several
  resolutions, weighted and unweighted; leidenalg CPM quality; and one
  igraph NMI between two partitions, to check `nmi`.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "lfr")
REQUIREMENTS = os.path.join(ROOT, "benches", "lfr", "requirements.txt")
VENV = os.path.expanduser("~/.cache/sg-community-venv")
SEEDS = 10


def ensure_packages() -> None:
    try:
        import igraph  # noqa: F401
        import leidenalg  # noqa: F401
        import networkit  # noqa: F401
        import networkx  # noqa: F401
    except ImportError:
        python = os.path.join(VENV, "bin", "python")
        if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
            raise
        if not os.path.exists(python):
            subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([python, "-m", "pip", "install", "-q", "-r", REQUIREMENTS])
        os.execv(python, [python, *sys.argv])


def read_graph(name):
    import csv

    with open(os.path.join(OUT, f"{name}.edges.csv")) as f:
        rows = csv.reader(f)
        next(rows)
        edges = [(int(u), int(v)) for u, v in rows]
    with open(os.path.join(OUT, f"{name}.membership.csv")) as f:
        rows = csv.reader(f)
        next(rows)
        planted = [int(c) for _, c in rows]
    return edges, planted


def summary(runs, key):
    values = [run[key] for run in runs]
    return {"mean": statistics.fmean(values), "min": min(values), "max": max(values)}


def igraph_reference(name):
    import igraph as ig

    edges, planted = read_graph(name)
    g = ig.Graph(n=len(planted), edges=edges)
    algorithms = {
        "multilevel": lambda: g.community_multilevel(),
        "leiden_modularity_2_iterations": lambda: g.community_leiden(
            objective_function="modularity", n_iterations=2
        ),
        "leiden_modularity_until_stable": lambda: g.community_leiden(
            objective_function="modularity", n_iterations=-1
        ),
        "label_propagation": lambda: g.community_label_propagation(),
    }
    result = {
        "nodes": g.vcount(),
        "edges": g.ecount(),
        "planted_communities": len(set(planted)),
        "planted_modularity": g.modularity(planted),
    }
    for algorithm, run in algorithms.items():
        runs = []
        for seed in range(SEEDS):
            random.seed(seed)
            membership = run().membership
            runs.append(
                {
                    "seed": seed,
                    "modularity": g.modularity(membership),
                    "nmi": ig.compare_communities(membership, planted, method="nmi"),
                    "communities": len(set(membership)),
                }
            )
        result[algorithm] = {
            "modularity": summary(runs, "modularity"),
            "nmi": summary(runs, "nmi"),
            "communities": summary(runs, "communities"),
            "runs": runs,
        }
        print(
            f"{name} {algorithm}: Q mean {result[algorithm]['modularity']['mean']:.5f} "
            f"NMI mean {result[algorithm]['nmi']['mean']:.4f}",
            file=sys.stderr,
        )
    return result


def karate_reference():
    import igraph as ig
    import leidenalg
    import networkx as nx

    graph = nx.karate_club_graph()
    edges = [[u, v, d["weight"]] for u, v, d in graph.edges(data=True)]
    club = [0 if graph.nodes[u]["club"] == "Mr. Hi" else 1 for u in graph]
    greedy = [0] * graph.number_of_nodes()
    for c, members in enumerate(nx.community.greedy_modularity_communities(graph, weight=None)):
        for u in members:
            greedy[u] = c

    def communities(membership):
        groups = {}
        for u, c in enumerate(membership):
            groups.setdefault(c, set()).add(u)
        return list(groups.values())

    modularity = []
    for partition_name, membership in [("club", club), ("greedy", greedy)]:
        for resolution in [0.5, 1.0, 2.0]:
            for weighted in [True, False]:
                modularity.append(
                    {
                        "partition": partition_name,
                        "resolution": resolution,
                        "weighted": weighted,
                        "modularity": nx.community.modularity(
                            graph,
                            communities(membership),
                            weight="weight" if weighted else None,
                            resolution=resolution,
                        ),
                    }
                )

    g = ig.Graph(n=graph.number_of_nodes(), edges=[(u, v) for u, v, _ in edges])
    g.es["weight"] = [w for _, _, w in edges]
    cpm = []
    for resolution in [0.05, 0.1, 0.5]:
        for weighted in [True, False]:
            quality = leidenalg.CPMVertexPartition(
                g,
                initial_membership=greedy,
                weights="weight" if weighted else None,
                resolution_parameter=resolution,
            ).quality()
            # leidenalg reports twice Σ_c (e_c − γ n_c (n_c − 1) / 2) on
            # undirected graphs.
            cpm.append(
                {
                    "partition": "greedy",
                    "resolution": resolution,
                    "weighted": weighted,
                    "leidenalg_quality": quality,
                    "cpm_quality": quality / 2,
                }
            )

    return {
        "source": f"networkx {nx.__version__} karate_club_graph, leidenalg {leidenalg.__version__}, igraph {ig.__version__}",
        "nodes": graph.number_of_nodes(),
        "edges": edges,
        "partitions": {"club": club, "greedy": greedy},
        "modularity": modularity,
        "cpm": cpm,
        "nmi_club_greedy": ig.compare_communities(club, greedy, method="nmi"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regenerate-graphs", action="store_true")
    args = parser.parse_args()
    ensure_packages()

    import igraph as ig

    sys.path.insert(0, os.path.join(ROOT, "benches", "lfr"))
    import make_lfr

    names = []
    for spec in make_lfr.PRESETS["reference"]:
        names.append(spec.name)
        if args.regenerate_graphs or not os.path.exists(
            os.path.join(OUT, f"{spec.name}.edges.csv")
        ):
            make_lfr.write(OUT, spec)

    reference = {
        "generated_by": "tests/reference/make_lfr_reference.py",
        "igraph_version": ig.__version__,
        "seeds": SEEDS,
        "compare_against": "mean over the seeds",
        "graphs": {name: igraph_reference(name) for name in names},
    }
    with open(os.path.join(OUT, "igraph.json"), "w") as f:
        json.dump(reference, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "karate.json"), "w") as f:
        json.dump(karate_reference(), f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
