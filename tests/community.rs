//! Community detection against igraph and networkx reference values
//! (tests/reference/make_lfr_reference.py), plus property tests.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::Value;
use signalgraph::analyze::community::{
    components, cpm_quality, hierarchical, label_propagation, leiden, louvain, modularity, nmi,
    split_large, CommunityError, LeidenOptions, LouvainOptions, Method, Objective, Partition,
};
use signalgraph::graph::Csr;

fn reference_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/lfr")
}

fn read_json(name: &str) -> Value {
    let text = std::fs::read_to_string(reference_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The unweighted graph of `PREFIX.edges.csv` and the planted membership of
/// `PREFIX.membership.csv`.
fn read_lfr(prefix: &Path) -> (Csr, Vec<u32>) {
    let with_suffix = |suffix: &str| {
        let mut path = prefix.as_os_str().to_owned();
        path.push(suffix);
        PathBuf::from(path)
    };
    let pairs = |suffix: &str| -> Vec<(u32, u32)> {
        let mut reader = csv::Reader::from_path(with_suffix(suffix)).unwrap();
        reader
            .deserialize::<(u32, u32)>()
            .map(|row| row.unwrap())
            .collect()
    };
    let planted: Vec<u32> = pairs(".membership.csv")
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let edges = pairs(".edges.csv").into_iter().map(|(u, v)| (u, v, 1.0));
    (Csr::from_edges(planted.len(), edges), planted)
}

fn karate() -> (Csr, Value) {
    let reference = read_json("karate.json");
    let edges = reference["edges"].as_array().unwrap().iter().map(|e| {
        (
            e[0].as_u64().unwrap() as u32,
            e[1].as_u64().unwrap() as u32,
            e[2].as_f64().unwrap(),
        )
    });
    let g = Csr::from_edges(reference["nodes"].as_u64().unwrap() as usize, edges);
    (g, reference)
}

fn unweighted(g: &Csr) -> Csr {
    Csr::from_edges(g.node_count(), g.edges().map(|(u, v, _)| (u, v, 1.0)))
}

fn membership_of(value: &Value) -> Vec<u32> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap() as u32)
        .collect()
}

// ---------------------------------------------------------------- karate club

#[test]
fn modularity_matches_networkx_on_the_karate_club() {
    let (weighted, reference) = karate();
    let plain = unweighted(&weighted);
    let cases = reference["modularity"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for case in cases {
        let membership =
            membership_of(&reference["partitions"][case["partition"].as_str().unwrap()]);
        let g = if case["weighted"].as_bool().unwrap() {
            &weighted
        } else {
            &plain
        };
        let resolution = case["resolution"].as_f64().unwrap();
        let expected = case["modularity"].as_f64().unwrap();
        let ours = modularity(g, &membership, resolution);
        assert!((ours - expected).abs() < 1e-9, "{case}: ours {ours}");
    }
}

#[test]
fn cpm_quality_matches_leidenalg_on_the_karate_club() {
    let (weighted, reference) = karate();
    let plain = unweighted(&weighted);
    for case in reference["cpm"].as_array().unwrap() {
        let membership =
            membership_of(&reference["partitions"][case["partition"].as_str().unwrap()]);
        let g = if case["weighted"].as_bool().unwrap() {
            &weighted
        } else {
            &plain
        };
        let ours = cpm_quality(g, &membership, case["resolution"].as_f64().unwrap());
        let expected = case["cpm_quality"].as_f64().unwrap();
        assert!((ours - expected).abs() < 1e-9, "{case}: ours {ours}");
    }
}

#[test]
fn nmi_matches_igraph_on_the_karate_club() {
    let (_, reference) = karate();
    let club = membership_of(&reference["partitions"]["club"]);
    let greedy = membership_of(&reference["partitions"]["greedy"]);
    let expected = reference["nmi_club_greedy"].as_f64().unwrap();
    assert!((nmi(&club, &greedy) - expected).abs() < 1e-12);
    assert!((nmi(&greedy, &club) - expected).abs() < 1e-12);
}

#[test]
fn louvain_and_leiden_find_the_karate_club_optimum() {
    // The best modularity of the unweighted karate club is 0.41979; igraph's
    // multilevel ends between 0.392 and 0.4198 depending on the seed (mean
    // 0.413 over 50 seeds), its Leiden until stable at 0.4198 on every seed.
    let g = unweighted(&karate().0);
    let seeds = 20;
    let mut louvain_total = 0.0;
    for seed in 0..seeds {
        let options = LouvainOptions {
            seed,
            ..LouvainOptions::default()
        };
        let q = *louvain(&g, &options).unwrap().modularity.last().unwrap();
        assert!(q > 0.39, "louvain seed {seed}: {q}");
        louvain_total += q;
        let options = LeidenOptions {
            seed,
            iterations: None,
            ..LeidenOptions::default()
        };
        let q = leiden(&g, &options).unwrap().quality;
        assert!(q > 0.4197, "leiden seed {seed}: {q}");
    }
    let louvain_mean = louvain_total / seeds as f64;
    assert!(louvain_mean > 0.405, "louvain mean {louvain_mean}");
}

// ------------------------------------------------------- LFR against igraph

const LFR_GRAPHS: [&str; 3] = ["lfr-1000-mu0.3", "lfr-2000-mu0.5", "lfr-3000-mu0.4"];

/// Mean modularity and NMI to the planted partition over the seeds igraph
/// was run with.
fn mean_scores(g: &Csr, planted: &[u32], seeds: u64, run: impl Fn(u64) -> Partition) -> (f64, f64) {
    let (mut q, mut n) = (0.0, 0.0);
    for seed in 0..seeds {
        let p = run(seed);
        q += modularity(g, &p.membership, 1.0);
        n += nmi(&p.membership, planted);
    }
    (q / seeds as f64, n / seeds as f64)
}

/// Our mean over the same seeds against igraph's mean, with the allowed
/// shortfalls in modularity and NMI.
fn compare_with_igraph(
    algorithm: &str,
    max_modularity_shortfall: f64,
    max_nmi_shortfall: f64,
    run: impl Fn(&Csr, u64) -> Partition,
) {
    let reference = read_json("igraph.json");
    let seeds = reference["seeds"].as_u64().unwrap();
    let mut failures = Vec::new();
    for name in LFR_GRAPHS {
        let (g, planted) = read_lfr(&reference_dir().join(name));
        let igraph = &reference["graphs"][name][algorithm];
        let igraph_q = igraph["modularity"]["mean"].as_f64().unwrap();
        let igraph_nmi = igraph["nmi"]["mean"].as_f64().unwrap();
        let (q, n) = mean_scores(&g, &planted, seeds, |seed| run(&g, seed));
        println!(
            "{name} {algorithm}: modularity ours {q:.5} igraph {igraph_q:.5} ({:+.5}), \
             NMI ours {n:.4} igraph {igraph_nmi:.4} ({:+.4})",
            q - igraph_q,
            n - igraph_nmi
        );
        if q < igraph_q - max_modularity_shortfall || n < igraph_nmi - max_nmi_shortfall {
            failures.push(name);
        }
    }
    assert!(failures.is_empty(), "worse than igraph on {failures:?}");
}

#[test]
fn louvain_matches_igraph_multilevel_on_lfr() {
    compare_with_igraph("multilevel", 0.002, 0.01, |g, seed| {
        let options = LouvainOptions {
            seed,
            ..LouvainOptions::default()
        };
        louvain(g, &options).unwrap().best().clone()
    });
}

#[test]
fn leiden_matches_igraph_leiden_with_two_iterations_on_lfr() {
    compare_with_igraph("leiden_modularity_2_iterations", 0.002, 0.01, |g, seed| {
        let options = LeidenOptions {
            seed,
            iterations: Some(2),
            ..LeidenOptions::default()
        };
        leiden(g, &options).unwrap().partition
    });
}

#[test]
fn leiden_matches_igraph_leiden_until_stable_on_lfr() {
    compare_with_igraph("leiden_modularity_until_stable", 0.002, 0.01, |g, seed| {
        let options = LeidenOptions {
            seed,
            iterations: None,
            ..LeidenOptions::default()
        };
        leiden(g, &options).unwrap().partition
    });
}

#[test]
fn label_propagation_matches_igraph_on_lfr() {
    compare_with_igraph("label_propagation", 0.002, 0.01, label_propagation);
}

#[test]
fn leiden_communities_on_lfr_are_connected() {
    let (g, _) = read_lfr(&reference_dir().join("lfr-2000-mu0.5"));
    for objective in [Objective::Modularity, Objective::Cpm] {
        let options = LeidenOptions {
            objective,
            resolution: if objective == Objective::Cpm {
                0.05
            } else {
                1.0
            },
            ..LeidenOptions::default()
        };
        let p = leiden(&g, &options).unwrap().partition;
        assert!(p.count > 1);
        assert_communities_connected(&g, &p);
    }
}

#[test]
fn hierarchical_leiden_splits_only_large_communities() {
    let (g, _) = read_lfr(&reference_dir().join("lfr-3000-mu0.4"));
    let method = Method::Leiden(LeidenOptions::default());
    let max_size = 40;
    let levels = hierarchical(&g, &method, max_size, 4).unwrap();
    assert!(levels.len() >= 2, "some LFR community exceeds 40 nodes");
    for pair in levels.windows(2) {
        let (coarse, fine) = (&pair[0], &pair[1]);
        let coarse_sizes = coarse.sizes();
        // The fine partition refines the coarse one, and every small coarse
        // community is carried over whole.
        for members in fine.communities() {
            let parent = coarse.membership[members[0] as usize];
            assert!(members
                .iter()
                .all(|&u| coarse.membership[u as usize] == parent));
            if coarse_sizes[parent as usize] <= max_size {
                assert_eq!(members.len(), coarse_sizes[parent as usize]);
            }
        }
    }
    let once = split_large(&g, &levels[0], max_size, &method).unwrap();
    assert_eq!(once, levels[1]);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let (g, _) = read_lfr(&reference_dir().join("lfr-2000-mu0.5"));
    let method = Method::Leiden(LeidenOptions::default());
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| hierarchical(&g, &method, 30, 3).unwrap())
    };
    assert_eq!(run(1), run(2));
    assert_eq!(run(1), run(4));
    let louvain_in = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| louvain(&g, &LouvainOptions::default()).unwrap())
    };
    assert_eq!(louvain_in(1), louvain_in(3));
}

#[test]
fn errors_are_reported_not_panicked() {
    let g = Csr::from_edges(3, [(0, 1, 1.0), (1, 2, 1.0)]);
    let negative = LouvainOptions {
        resolution: -0.1,
        ..LouvainOptions::default()
    };
    assert_eq!(
        louvain(&g, &negative),
        Err(CommunityError::InvalidResolution(-0.1))
    );
    assert_eq!(
        louvain(&Csr::from_edges(0, []), &LouvainOptions::default()),
        Err(CommunityError::EmptyGraph)
    );
    let nan_weight = Csr::from_edges(2, [(0, 1, f64::NAN)]);
    let err = leiden(&nan_weight, &LeidenOptions::default()).unwrap_err();
    assert!(err.to_string().contains("weight NaN"), "{err}");
    let no_randomness = LeidenOptions {
        randomness: 0.0,
        ..LeidenOptions::default()
    };
    assert_eq!(
        leiden(&g, &no_randomness),
        Err(CommunityError::InvalidRandomness(0.0))
    );
    let zero_iterations = LeidenOptions {
        iterations: Some(0),
        ..LeidenOptions::default()
    };
    assert_eq!(
        leiden(&g, &zero_iterations),
        Err(CommunityError::InvalidIterations)
    );
    assert_eq!(
        leiden(&Csr::from_edges(4, []), &LeidenOptions::default()),
        Err(CommunityError::NoEdgeWeight)
    );
    let no_levels = LouvainOptions {
        max_levels: Some(0),
        ..LouvainOptions::default()
    };
    assert_eq!(
        louvain(&g, &no_levels),
        Err(CommunityError::InvalidMaxLevels)
    );
    let method = Method::LabelPropagation { seed: 1 };
    assert_eq!(
        hierarchical(&g, &method, 0, 3),
        Err(CommunityError::InvalidMaxSize)
    );
    assert_eq!(
        hierarchical(&g, &method, 10, 0),
        Err(CommunityError::InvalidMaxLevels)
    );
}

// ------------------------------------------------------------ property tests

/// Nodes in `community` reachable from its first node, staying inside it.
fn assert_communities_connected(g: &Csr, p: &Partition) {
    for members in p.communities() {
        let c = p.membership[members[0] as usize];
        let mut seen = vec![false; g.node_count()];
        let mut stack = vec![members[0]];
        seen[members[0] as usize] = true;
        let mut reached = 1;
        while let Some(v) = stack.pop() {
            for &u in g.neighbours(v).0 {
                if !seen[u as usize] && p.membership[u as usize] == c {
                    seen[u as usize] = true;
                    reached += 1;
                    stack.push(u);
                }
            }
        }
        assert_eq!(reached, members.len(), "community {c} is not connected");
    }
}

/// Textbook modularity `1/2m Σ_ij (A_ij − γ k_i k_j / 2m) δ(c_i, c_j)`, with
/// `A_ii` twice the self-loop weight so that `k_i = Σ_j A_ij`.
fn naive_modularity(n: usize, edges: &[(u32, u32, f64)], membership: &[u32], gamma: f64) -> f64 {
    let mut a = vec![vec![0.0; n]; n];
    for &(u, v, w) in edges {
        let (u, v) = (u as usize, v as usize);
        if u == v {
            a[u][u] += 2.0 * w;
        } else {
            a[u][v] += w;
            a[v][u] += w;
        }
    }
    let k: Vec<f64> = a.iter().map(|row| row.iter().sum()).collect();
    let two_m: f64 = k.iter().sum();
    let mut q = 0.0;
    for i in 0..n {
        for j in 0..n {
            if membership[i] == membership[j] {
                q += a[i][j] - gamma * k[i] * k[j] / two_m;
            }
        }
    }
    q / two_m
}

/// A random weighted graph on up to 40 nodes: random edges (self-loops,
/// parallel edges and zero weights included) plus some edges of a ring.
fn small_graph() -> impl Strategy<Value = (usize, Vec<(u32, u32, f64)>)> {
    (2usize..40).prop_flat_map(|n| {
        let edge = (
            0..n as u32,
            0..n as u32,
            prop_oneof![4 => Just(1.0), 4 => 0.1f64..5.0, 1 => Just(0.0)],
        );
        let ring_edge = (0..n as u32).prop_map(move |u| (u, (u + 1) % n as u32, 1.0));
        (
            Just(n),
            prop::collection::vec(edge, 1..120),
            prop::collection::vec(ring_edge, 0..n),
        )
            .prop_map(|(n, mut edges, ring)| {
                edges.extend(ring);
                (n, edges)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn modularity_equals_the_naive_formula(
        (n, edges) in small_graph(),
        labels in prop::collection::vec(0u32..5, 40),
        gamma in 0.0f64..3.0,
    ) {
        let g = Csr::from_edges(n, edges.iter().copied());
        prop_assume!(g.total_weight() > 0.0);
        let membership = &labels[..n];
        let ours = modularity(&g, membership, gamma);
        let naive = naive_modularity(n, &edges, membership, gamma);
        prop_assert!((ours - naive).abs() < 1e-9, "ours {} naive {}", ours, naive);
    }

    #[test]
    fn louvain_levels_coarsen_and_gain_modularity(
        (n, edges) in small_graph(),
        seed in any::<u64>(),
        gamma in 0.2f64..2.0,
    ) {
        let g = Csr::from_edges(n, edges);
        prop_assume!(g.total_weight() > 0.0);
        let options = LouvainOptions { resolution: gamma, seed, ..LouvainOptions::default() };
        let h = louvain(&g, &options).unwrap();
        prop_assert_eq!(h.levels.len(), h.modularity.len());
        for (level, &q) in h.levels.iter().zip(&h.modularity) {
            prop_assert!((modularity(&g, &level.membership, gamma) - q).abs() < 1e-12);
        }
        for pair in h.modularity.windows(2) {
            prop_assert!(pair[1] >= pair[0], "{:?}", h.modularity);
        }
        for pair in h.levels.windows(2) {
            // Each level merges communities of the one before.
            for u in 0..n {
                for v in 0..n {
                    if pair[0].membership[u] == pair[0].membership[v] {
                        prop_assert_eq!(pair[1].membership[u], pair[1].membership[v]);
                    }
                }
            }
        }
        prop_assert_eq!(&h, &louvain(&g, &options).unwrap());
    }

    #[test]
    fn leiden_communities_are_connected_and_seeded(
        (n, edges) in small_graph(),
        seed in any::<u64>(),
        cpm in any::<bool>(),
        until_stable in any::<bool>(),
    ) {
        let g = Csr::from_edges(n, edges);
        prop_assume!(cpm || g.total_weight() > 0.0);
        let options = LeidenOptions {
            objective: if cpm { Objective::Cpm } else { Objective::Modularity },
            resolution: if cpm { 0.3 } else { 1.0 },
            seed,
            iterations: if until_stable { None } else { Some(2) },
            ..LeidenOptions::default()
        };
        let result = leiden(&g, &options).unwrap();
        assert_communities_connected(&g, &result.partition);
        prop_assert_eq!(&result, &leiden(&g, &options).unwrap());
        // Never worse than every node alone.
        let singletons = Partition::singletons(n);
        let alone = if cpm {
            cpm_quality(&g, &singletons.membership, 0.3)
        } else {
            modularity(&g, &singletons.membership, 1.0)
        };
        prop_assert!(result.quality >= alone - 1e-12);
    }

    #[test]
    fn label_propagation_is_seeded_and_gives_connected_communities(
        (n, edges) in small_graph(),
        seed in any::<u64>(),
    ) {
        let g = Csr::from_edges(n, edges);
        let p = label_propagation(&g, seed);
        assert_communities_connected(&g, &p);
        prop_assert_eq!(p, label_propagation(&g, seed));
    }

    #[test]
    fn components_match_union_find((n, edges) in small_graph()) {
        let g = Csr::from_edges(n, edges.iter().copied());
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(parent: &mut [usize], x: usize) -> usize {
            let mut root = x;
            while parent[root] != root {
                root = parent[root];
            }
            parent[x] = root;
            root
        }
        for &(u, v, _) in &edges {
            let (a, b) = (find(&mut parent, u as usize), find(&mut parent, v as usize));
            parent[a.max(b)] = a.min(b);
        }
        let roots: Vec<u32> = (0..n).map(|u| find(&mut parent, u) as u32).collect();
        prop_assert_eq!(components(&g), Partition::from_membership(roots));
    }

    #[test]
    fn nmi_is_symmetric_and_one_on_relabelled_copies(
        a in prop::collection::vec(0u32..6, 1..60),
        shift in 1u32..100,
    ) {
        let relabelled: Vec<u32> = a.iter().map(|&c| c * 7 + shift).collect();
        prop_assert!((nmi(&a, &relabelled) - 1.0).abs() < 1e-12);
        let b: Vec<u32> = a.iter().enumerate().map(|(i, &c)| (c + i as u32) % 3).collect();
        prop_assert!((nmi(&a, &b) - nmi(&b, &a)).abs() < 1e-12);
    }
}

// --------------------------------------------------------------- timings

/// Best wall time of `runs` calls.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = None;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        let elapsed = start.elapsed();
        best = Some(best.map_or(elapsed, |b: Duration| b.min(elapsed)));
        last = Some(value);
    }
    (best.unwrap(), last.unwrap())
}

/// Times every algorithm on a large LFR graph made by
/// `benches/lfr/make_lfr.py ~/.cache/signalgraph-bench/lfr --preset bench`
/// (or `SG_LFR=path/prefix`). Not a performance claim by itself: run
/// igraph on the same files in the same session to compare.
///
/// cargo test --release --test community -- --ignored --nocapture lfr_timings
#[test]
#[ignore]
fn lfr_timings() {
    let prefix = std::env::var_os("SG_LFR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME");
            Path::new(&home).join(".cache/signalgraph-bench/lfr/lfr-100000-mu0.3")
        });
    let (g, planted) = read_lfr(&prefix);
    println!(
        "{}: {} nodes, {} edges",
        prefix.display(),
        g.node_count(),
        g.edge_count()
    );
    let report = |name: &str, time: Duration, p: &Partition| {
        println!(
            "{name:>28}: {:>8.3} s  Q={:.5}  NMI={:.4}  communities={}",
            time.as_secs_f64(),
            modularity(&g, &p.membership, 1.0),
            nmi(&p.membership, &planted),
            p.count
        );
    };
    let (t, h) = best_of(3, || louvain(&g, &LouvainOptions::default()).unwrap());
    report("louvain", t, h.best());
    for (name, iterations) in [
        ("leiden (2 iterations)", Some(2)),
        ("leiden (until stable)", None),
    ] {
        let options = LeidenOptions {
            iterations,
            ..LeidenOptions::default()
        };
        let (t, r) = best_of(3, || leiden(&g, &options).unwrap());
        report(name, t, &r.partition);
    }
    let (t, p) = best_of(3, || label_propagation(&g, 0));
    report("label propagation", t, &p);
    let (t, p) = best_of(3, || components(&g));
    report("components", t, &p);
}
