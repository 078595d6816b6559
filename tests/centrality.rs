//! Centrality measures against networkx reference values, and properties.
//!
//! `tests/reference/centrality.json` holds networkx 3.6.1 values (cross-checked
//! with igraph) for six graphs; `tests/reference/make_centrality_reference.py`
//! says how it was made. Every value must agree within 1e-6, absolute for
//! values up to 1 and relative above (`|ours - theirs| <= 1e-6 * max(1, |theirs|)`).

use proptest::prelude::*;
use serde::Deserialize;
use signalgraph::analyze::centrality::{
    betweenness, closeness, core_number, degree, eigenvector, harmonic, pagerank, weighted_degree,
    BetweennessOptions, ClosenessOptions, EdgeLength, EigenvectorOptions, PageRankOptions,
    Sampling,
};
use signalgraph::graph::{Csr, NodeId};
use std::collections::BTreeMap;

const TOLERANCE: f64 = 1e-6;

#[derive(Deserialize)]
struct Reference {
    graphs: Vec<ReferenceGraph>,
}

#[derive(Deserialize)]
struct ReferenceGraph {
    name: String,
    nodes: Vec<String>,
    edges: Vec<(NodeId, NodeId, f64)>,
    measures: BTreeMap<String, Option<Vec<f64>>>,
}

fn load_reference() -> Reference {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/centrality.json"
    );
    let text = std::fs::read_to_string(path).expect("reference JSON is committed");
    serde_json::from_str(&text).expect("reference JSON parses")
}

/// The measure named as in the reference JSON, computed by signalgraph.
fn compute(g: &Csr, measure: &str) -> Vec<f64> {
    let betweenness_by = |length| {
        betweenness(
            g,
            &BetweennessOptions {
                length,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let closeness_by = |length, wf_improved| {
        closeness(
            g,
            &ClosenessOptions {
                length,
                wf_improved,
            },
        )
        .unwrap()
    };
    let pagerank_by = |weighted| {
        let options = PageRankOptions {
            weighted,
            ..Default::default()
        };
        pagerank(g, &options).unwrap().scores
    };
    let eigenvector_by = |weighted| {
        let options = EigenvectorOptions {
            weighted,
            ..Default::default()
        };
        eigenvector(g, &options).unwrap().scores
    };
    match measure {
        "degree" => degree(g),
        "weighted_degree" => weighted_degree(g),
        "pagerank_weighted" => pagerank_by(true),
        "pagerank_unweighted" => pagerank_by(false),
        "betweenness_hops" => betweenness_by(EdgeLength::Hops),
        "betweenness_weight" => betweenness_by(EdgeLength::Weight),
        "betweenness_inverse" => betweenness_by(EdgeLength::InverseWeight),
        "betweenness_raw_hops" => betweenness(
            g,
            &BetweennessOptions {
                normalized: false,
                ..Default::default()
            },
        )
        .unwrap(),
        "closeness_hops" => closeness_by(EdgeLength::Hops, true),
        "closeness_weight" => closeness_by(EdgeLength::Weight, true),
        "closeness_inverse" => closeness_by(EdgeLength::InverseWeight, true),
        "closeness_hops_plain" => closeness_by(EdgeLength::Hops, false),
        "harmonic_hops" => harmonic(g, EdgeLength::Hops).unwrap(),
        "harmonic_weight" => harmonic(g, EdgeLength::Weight).unwrap(),
        "harmonic_inverse" => harmonic(g, EdgeLength::InverseWeight).unwrap(),
        "eigenvector_weighted" => eigenvector_by(true),
        "eigenvector_unweighted" => eigenvector_by(false),
        "core_number" => core_number(g).into_iter().map(f64::from).collect(),
        other => panic!("reference measure {other} has no test: add it to compute()"),
    }
}

fn agrees(ours: f64, theirs: f64) -> bool {
    (ours - theirs).abs() <= TOLERANCE * theirs.abs().max(1.0)
}

#[test]
fn every_measure_matches_networkx_on_every_reference_graph() {
    let reference = load_reference();
    assert_eq!(reference.graphs.len(), 6);
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for graph in &reference.graphs {
        let g = Csr::from_edges(graph.nodes.len(), graph.edges.iter().copied());
        assert_eq!(g.edge_count(), graph.edges.len(), "{}", graph.name);
        for (measure, expected) in &graph.measures {
            let Some(expected) = expected else { continue };
            let ours = compute(&g, measure);
            assert_eq!(ours.len(), expected.len(), "{} {measure}", graph.name);
            for (node, (&a, &b)) in ours.iter().zip(expected).enumerate() {
                compared += 1;
                if !agrees(a, b) {
                    mismatches.push(format!(
                        "{} {measure} node {} ({node}): signalgraph {a}, networkx {b}",
                        graph.name, graph.nodes[node]
                    ));
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} values differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(compared > 3000, "only {compared} values compared");
}

#[test]
fn eigenvector_reference_covers_the_connected_graphs() {
    let reference = load_reference();
    let with_eigenvector = reference
        .graphs
        .iter()
        .filter(|g| g.measures["eigenvector_weighted"].is_some())
        .count();
    assert_eq!(with_eigenvector, 5);
}

#[test]
fn empty_graph_gives_empty_results() {
    let g = Csr::from_edges(0, []);
    assert!(degree(&g).is_empty());
    assert!(weighted_degree(&g).is_empty());
    assert!(core_number(&g).is_empty());
    let rank = pagerank(&g, &PageRankOptions::default()).unwrap();
    assert!(rank.scores.is_empty());
    assert!(eigenvector(&g, &EigenvectorOptions::default())
        .unwrap()
        .scores
        .is_empty());
    for length in [
        EdgeLength::Hops,
        EdgeLength::Weight,
        EdgeLength::InverseWeight,
    ] {
        let options = BetweennessOptions {
            length,
            ..Default::default()
        };
        assert!(betweenness(&g, &options).unwrap().is_empty());
        let sampled = BetweennessOptions {
            samples: Some(Sampling {
                sources: 0,
                seed: 1,
            }),
            ..options
        };
        assert!(betweenness(&g, &sampled).unwrap().is_empty());
        let options = ClosenessOptions {
            length,
            wf_improved: true,
        };
        assert!(closeness(&g, &options).unwrap().is_empty());
        assert!(harmonic(&g, length).unwrap().is_empty());
    }
}

#[test]
fn error_messages_name_the_problem() {
    let g = Csr::from_edges(3, [(0, 1, -1.0), (1, 2, 1.0)]);
    let err = pagerank(&g, &PageRankOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "edge 0-1 has weight -1; weights must be finite and non-negative"
    );
    let err = closeness(
        &g,
        &ClosenessOptions {
            length: EdgeLength::InverseWeight,
            wf_improved: true,
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "edge 0-1 has length -1; shortest-path lengths must be positive and finite"
    );
    let options = BetweennessOptions {
        samples: Some(Sampling {
            sources: 1,
            seed: 0,
        }),
        ..Default::default()
    };
    let err = betweenness(&g, &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot sample 1 sources from 3 nodes (need between min(2, nodes) and nodes)"
    );
    let err = pagerank(
        &Csr::from_edges(2, [(0, 1, 1.0)]),
        &PageRankOptions {
            damping: -0.1,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "damping factor must be in [0, 1), got -0.1"
    );
}

/// A random graph: node count and edges with weights from a small set, so
/// that weighted shortest paths tie.
fn random_graph(max_nodes: usize, max_edges: usize) -> impl Strategy<Value = Csr> {
    (1..=max_nodes).prop_flat_map(move |n| {
        let node = 0..n as NodeId;
        let weight = prop::sample::select(vec![0.5, 1.0, 2.0, 3.0]);
        prop::collection::vec((node.clone(), node, weight), 0..=max_edges)
            .prop_map(move |edges| Csr::from_edges(n, edges))
    })
}

fn with_threads<T: Send>(threads: usize, run: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(run)
}

/// Everything parallel, for comparing thread counts bit for bit.
fn parallel_measures(g: &Csr) -> Vec<Vec<f64>> {
    let mut all = Vec::new();
    for weighted in [false, true] {
        let rank = PageRankOptions {
            weighted,
            ..Default::default()
        };
        all.push(pagerank(g, &rank).map(|r| r.scores).unwrap_or_default());
        let eigen = EigenvectorOptions {
            weighted,
            ..Default::default()
        };
        all.push(eigenvector(g, &eigen).map(|r| r.scores).unwrap_or_default());
    }
    for length in [
        EdgeLength::Hops,
        EdgeLength::Weight,
        EdgeLength::InverseWeight,
    ] {
        let options = BetweennessOptions {
            length,
            ..Default::default()
        };
        all.push(betweenness(g, &options).unwrap());
        let options = ClosenessOptions {
            length,
            wf_improved: true,
        };
        all.push(closeness(g, &options).unwrap());
        all.push(harmonic(g, length).unwrap());
    }
    all
}

fn same_bits(a: &[Vec<f64>], b: &[Vec<f64>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
        })
}

#[test]
fn large_graph_gives_the_same_bits_with_any_thread_count() {
    // Larger than one node chunk (4096) and with more sources than partitions (64).
    let n = 9000u32;
    let edges = (0..n).flat_map(|u| {
        [1u32, 7, 91].map(move |step| (u, (u * 13 + step * 101) % n, 1.0 + (u % 5) as f64))
    });
    let g = Csr::from_edges(n as usize, edges);
    let rank = |threads| {
        with_threads(threads, || {
            let options = PageRankOptions::default();
            let unweighted = PageRankOptions {
                weighted: false,
                ..options
            };
            [
                pagerank(&g, &options).unwrap().scores,
                pagerank(&g, &unweighted).unwrap().scores,
                eigenvector(&g, &EigenvectorOptions::default())
                    .map(|r| r.scores)
                    .unwrap_or_default(),
            ]
        })
    };
    assert!(same_bits(&rank(1), &rank(2)));
    assert!(same_bits(&rank(1), &rank(3)));
    let sampled = |threads| {
        with_threads(threads, || {
            let options = BetweennessOptions {
                samples: Some(Sampling {
                    sources: 300,
                    seed: 9,
                }),
                ..Default::default()
            };
            let weighted = BetweennessOptions {
                length: EdgeLength::Weight,
                ..options
            };
            vec![
                betweenness(&g, &options).unwrap(),
                betweenness(&g, &weighted).unwrap(),
            ]
        })
    };
    assert!(same_bits(&sampled(1), &sampled(2)));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn pagerank_sums_to_one(g in random_graph(80, 200), weighted in any::<bool>()) {
        let options = PageRankOptions { weighted, ..Default::default() };
        let rank = pagerank(&g, &options).unwrap();
        let total: f64 = rank.scores.iter().sum();
        prop_assert!((total - 1.0).abs() < 1e-9, "sum {total}");
        prop_assert!(rank.scores.iter().all(|&s| s > 0.0));
    }

    #[test]
    fn path_betweenness_has_the_closed_form(n in 3usize..60) {
        // Node i of P_n lies between the i nodes before it and the n - 1 - i
        // after it; networkx normalizes by the (n - 1)(n - 2) / 2 pairs.
        let g = Csr::from_edges(n, (1..n as NodeId).map(|i| (i - 1, i, 1.0)));
        let raw = BetweennessOptions { normalized: false, ..Default::default() };
        let scores = betweenness(&g, &raw).unwrap();
        let normalized = betweenness(&g, &BetweennessOptions::default()).unwrap();
        for i in 0..n {
            let pairs = (i * (n - 1 - i)) as f64;
            prop_assert_eq!(scores[i], pairs);
            let expected = pairs / ((n - 1) * (n - 2)) as f64 * 2.0;
            prop_assert!((normalized[i] - expected).abs() < 1e-12);
        }
    }

    #[test]
    fn sampling_every_node_is_exact(g in random_graph(70, 200), seed in any::<u64>(), normalized in any::<bool>()) {
        let n = g.node_count();
        for length in [EdgeLength::Hops, EdgeLength::Weight] {
            let exact = BetweennessOptions { normalized, length, samples: None };
            let sampled = BetweennessOptions { samples: Some(Sampling { sources: n, seed }), ..exact };
            prop_assert_eq!(betweenness(&g, &exact).unwrap(), betweenness(&g, &sampled).unwrap());
        }
    }

    #[test]
    fn sampled_betweenness_is_deterministic_and_bounded(g in random_graph(70, 200), seed in any::<u64>()) {
        let n = g.node_count();
        prop_assume!(n >= 3);
        let options = BetweennessOptions {
            samples: Some(Sampling { sources: n.div_ceil(2).max(2), seed }),
            ..Default::default()
        };
        let first = betweenness(&g, &options).unwrap();
        prop_assert_eq!(&first, &betweenness(&g, &options).unwrap());
        prop_assert!(first.iter().all(|&b| b.is_finite() && b >= 0.0));
    }

    #[test]
    fn thread_count_does_not_change_any_bit(g in random_graph(150, 400)) {
        let one = with_threads(1, || parallel_measures(&g));
        let two = with_threads(2, || parallel_measures(&g));
        prop_assert!(same_bits(&one, &two));
    }

    #[test]
    fn unit_weights_give_the_hop_results(g in random_graph(60, 150)) {
        let unit = Csr::from_edges(g.node_count(), g.edges().map(|(u, v, _)| (u, v, 1.0)));
        let hops = betweenness(&unit, &BetweennessOptions::default()).unwrap();
        // A graph whose weights are all 1 runs Dijkstra's way only in name.
        let weighted = BetweennessOptions { length: EdgeLength::Weight, ..Default::default() };
        prop_assert_eq!(&hops, &betweenness(&unit, &weighted).unwrap());
        // A graph with weights 2 everywhere (not unit, so Dijkstra runs)
        // has the same shortest paths.
        let doubled = Csr::from_edges(g.node_count(), g.edges().map(|(u, v, _)| (u, v, 2.0)));
        let dijkstra = betweenness(&doubled, &weighted).unwrap();
        for (a, b) in hops.iter().zip(&dijkstra) {
            prop_assert!((a - b).abs() < 1e-12);
        }
        let closeness_hops = harmonic(&unit, EdgeLength::Hops).unwrap();
        let closeness_doubled = harmonic(&doubled, EdgeLength::Weight).unwrap();
        for (a, b) in closeness_hops.iter().zip(&closeness_doubled) {
            prop_assert!((a - 2.0 * b).abs() < 1e-12);
        }
    }
}
