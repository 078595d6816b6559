//! ForceAtlas2 layout: deterministic for any thread count, always finite,
//! separates planted groups, keeps disconnected graphs together.

#![allow(unsafe_code)] // getrusage for the CPU time

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use signalgraph::graph::{Csr, NodeId};
use signalgraph::layout::{forceatlas2, normalize, LayoutOptions};
use std::time::Instant;

/// `groups` dense groups of `size` nodes (each pair linked with probability
/// `p_in`) plus `links` random edges between groups. Node `u` is in group
/// `u / size`.
fn planted_partition(groups: usize, size: usize, p_in: f64, links: usize, seed: u64) -> Csr {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut edges = Vec::new();
    for g in 0..groups {
        for a in 0..size {
            for b in a + 1..size {
                if rng.random::<f64>() < p_in {
                    edges.push(((g * size + a) as NodeId, (g * size + b) as NodeId, 1.0));
                }
            }
        }
    }
    let n = groups * size;
    let mut between = 0;
    while between < links {
        let (a, b) = (rng.random_range(0..n), rng.random_range(0..n));
        if a / size != b / size {
            edges.push((a as NodeId, b as NodeId, 1.0));
            between += 1;
        }
    }
    Csr::from_edges(n, edges)
}

/// `n` nodes and `m` edges with uniformly random endpoints (self-loops dropped).
fn random_graph(n: usize, m: usize, seed: u64) -> Csr {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let edges: Vec<(NodeId, NodeId, f64)> = (0..m)
        .map(|_| {
            (
                rng.random_range(0..n) as NodeId,
                rng.random_range(0..n) as NodeId,
                1.0,
            )
        })
        .filter(|e| e.0 != e.1)
        .collect();
    Csr::from_edges(n, edges)
}

/// Three rings with chords, a star, a path, and ten isolated nodes.
fn disconnected() -> Csr {
    let mut edges = Vec::new();
    for ring in 0..3u32 {
        for i in 0..20u32 {
            edges.push((ring * 20 + i, ring * 20 + (i + 1) % 20, 1.0));
            edges.push((ring * 20 + i, ring * 20 + (i + 5) % 20, 1.0));
        }
    }
    for leaf in 61..75 {
        edges.push((60, leaf, 1.0));
    }
    for i in 75..84 {
        edges.push((i, i + 1, 1.0));
    }
    Csr::from_edges(95, edges)
}

fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

fn all_finite(positions: &[[f64; 2]]) -> bool {
    positions
        .iter()
        .all(|p| p[0].is_finite() && p[1].is_finite())
}

fn radius(positions: &[[f64; 2]]) -> f64 {
    positions
        .iter()
        .map(|&p| distance(p, [0.0, 0.0]))
        .fold(0.0, f64::max)
}

fn bits(positions: &[[f64; 2]]) -> Vec<[u64; 2]> {
    positions
        .iter()
        .map(|p| [p[0].to_bits(), p[1].to_bits()])
        .collect()
}

fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

#[test]
fn empty_and_single_node_graphs() {
    let options = LayoutOptions::default();
    assert!(forceatlas2(&Csr::from_edges(0, []), &options).is_empty());
    assert_eq!(
        forceatlas2(&Csr::from_edges(1, []), &options),
        vec![[0.0, 0.0]]
    );
    assert_eq!(
        forceatlas2(&Csr::from_edges(1, [(0, 0, 1.0)]), &options),
        vec![[0.0, 0.0]]
    );
}

#[test]
fn two_nodes_settle_apart_around_the_origin() {
    for edges in [vec![], vec![(0, 1, 1.0)]] {
        let positions = forceatlas2(&Csr::from_edges(2, edges), &LayoutOptions::for_size(2));
        assert!(all_finite(&positions));
        assert!(distance(positions[0], positions[1]) > 1.0);
        let centre = [
            (positions[0][0] + positions[1][0]) / 2.0,
            (positions[0][1] + positions[1][1]) / 2.0,
        ];
        assert!(distance(centre, [0.0, 0.0]) < 1e-9);
    }
}

#[test]
fn same_seed_same_bits_and_another_seed_another_layout() {
    let g = planted_partition(5, 40, 0.3, 40, 1);
    let options = LayoutOptions {
        iterations: 200,
        ..LayoutOptions::for_size(g.node_count())
    };
    let a = forceatlas2(&g, &options);
    let b = forceatlas2(&g, &options);
    assert_eq!(bits(&a), bits(&b));
    let c = forceatlas2(&g, &LayoutOptions { seed: 7, ..options });
    assert_ne!(bits(&a), bits(&c));
}

#[test]
fn thread_count_does_not_change_a_bit() {
    // Large enough that rayon splits every parallel loop and sort.
    let g = random_graph(5_000, 20_000, 3);
    let options = LayoutOptions {
        iterations: 30,
        ..LayoutOptions::for_size(g.node_count())
    };
    let one = with_threads(1, || forceatlas2(&g, &options));
    let two = with_threads(2, || forceatlas2(&g, &options));
    let three = with_threads(3, || forceatlas2(&g, &options));
    assert_eq!(bits(&one), bits(&two));
    assert_eq!(bits(&one), bits(&three));
}

#[test]
fn planted_groups_lie_apart() {
    let size = 40;
    let g = planted_partition(5, size, 0.3, 40, 2);
    for lin_log in [false, true] {
        let options = LayoutOptions {
            lin_log,
            ..LayoutOptions::for_size(g.node_count())
        };
        let positions = forceatlas2(&g, &options);
        let (mut intra, mut intra_pairs, mut inter, mut inter_pairs) = (0.0, 0, 0.0, 0);
        for a in 0..positions.len() {
            for b in a + 1..positions.len() {
                let d = distance(positions[a], positions[b]);
                if a / size == b / size {
                    intra += d;
                    intra_pairs += 1;
                } else {
                    inter += d;
                    inter_pairs += 1;
                }
            }
        }
        let ratio = (intra / intra_pairs as f64) / (inter / inter_pairs as f64);
        assert!(
            ratio < 0.5,
            "lin_log {lin_log}: intra / inter distance {ratio}"
        );
    }
}

#[test]
fn disconnected_graph_stays_bounded_and_centred() {
    let g = disconnected();
    let total_mass: f64 = (0..95).map(|u| g.degree(u) as f64 + 1.0).sum();
    let at = |iterations, strong_gravity, gravity| {
        forceatlas2(
            &g,
            &LayoutOptions {
                iterations,
                strong_gravity,
                gravity,
                ..LayoutOptions::for_size(g.node_count())
            },
        )
    };

    // Strong gravity (the default) settles within a few hundred steps.
    let (early, late) = (at(500, true, 0.1), at(5_000, true, 0.1));
    assert!(all_finite(&late));
    assert!(
        radius(&late) < 1.2 * radius(&early),
        "radius {} after 500 steps, {} after 5000",
        radius(&early),
        radius(&late)
    );
    let mean = late
        .iter()
        .fold([0.0, 0.0], |m, p| [m[0] + p[0], m[1] + p[1]]);
    assert!(distance(mean, [0.0, 0.0]) / (late.len() as f64) < 1e-9 * radius(&late));
    // Each isolated node stays near the rest.
    for isolated in 85..95 {
        let nearest = (0..95)
            .filter(|&v| v != isolated)
            .map(|v| distance(late[isolated], late[v]))
            .fold(f64::INFINITY, f64::min);
        assert!(nearest < radius(&late) / 2.0);
    }

    // Constant gravity creeps out to where it balances the repulsion of the
    // whole graph, `k_r Σm / k_g`, and no farther.
    let options = LayoutOptions::for_size(g.node_count());
    let balance = options.scaling * total_mass / 1.0;
    let late = at(5_000, false, 1.0);
    assert!(all_finite(&late));
    assert!(
        radius(&late) < 1.2 * balance,
        "radius {} against {balance}",
        radius(&late)
    );
}

#[test]
fn awkward_graphs_and_options_stay_finite() {
    let star = Csr::from_edges(200, (1..200).map(|leaf| (0, leaf, 1.0)));
    let clique = Csr::from_edges(
        30,
        (0..30).flat_map(|a| (a + 1..30).map(move |b| (a, b, 1.0))),
    );
    let odd_weights = Csr::from_edges(
        6,
        [
            (0, 1, 0.0),
            (1, 2, f64::NAN),
            (2, 3, 1e300),
            (3, 4, -2.0),
            (4, 5, f64::INFINITY),
            (5, 5, 3.0),
            (0, 0, 1.0),
        ],
    );
    let isolated = Csr::from_edges(500, []);
    let bad_options = LayoutOptions {
        scaling: f64::NAN,
        gravity: -1.0,
        theta: f64::INFINITY,
        edge_weight_influence: f64::NAN,
        jitter_tolerance: -3.0,
        ..LayoutOptions::default()
    };
    for g in [&star, &clique, &odd_weights, &isolated, &disconnected()] {
        for options in [
            LayoutOptions::for_size(g.node_count()),
            LayoutOptions {
                lin_log: true,
                strong_gravity: true,
                edge_weight_influence: 0.5,
                ..LayoutOptions::for_size(g.node_count())
            },
            LayoutOptions {
                theta: 0.0,
                gravity: 0.0,
                ..LayoutOptions::for_size(g.node_count())
            },
            bad_options,
        ] {
            let positions = forceatlas2(
                g,
                &LayoutOptions {
                    iterations: 300,
                    ..options
                },
            );
            assert_eq!(positions.len(), g.node_count());
            assert!(all_finite(&positions), "{options:?}");
            assert!(radius(&positions) > 0.0);
        }
    }
}

#[test]
fn iterations_shrink_with_size() {
    let small = LayoutOptions::for_size(50);
    let large = LayoutOptions::for_size(100_000);
    assert!(small.iterations > large.iterations);
    assert!((100..=300).contains(&large.iterations));
    assert!(small.scaling > large.scaling);
    assert_eq!(LayoutOptions::for_size(1_000).theta, 1.2);
}

#[test]
fn normalize_fits_a_square_keeping_the_aspect_ratio() {
    let mut positions = vec![[-2.0, 1.0], [2.0, 1.0], [0.0, 2.0]];
    normalize(&mut positions, 100.0);
    assert_eq!(positions, vec![[0.0, 37.5], [100.0, 37.5], [50.0, 62.5]]);

    let mut one = vec![[3.0, -4.0]];
    normalize(&mut one, 10.0);
    assert_eq!(one, vec![[5.0, 5.0]]);

    let mut none: Vec<[f64; 2]> = Vec::new();
    normalize(&mut none, 10.0);
    assert!(none.is_empty());
}

/// User plus system CPU time of this process so far, in seconds.
fn cpu_seconds() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct it is given.
    let status = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(status, 0);
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Wall and CPU time on random graphs (CPU time is steadier on a shared
/// machine); run with
/// `cargo test --release --test layout -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_random_graphs() {
    for (n, m) in [(10_000, 100_000), (100_000, 1_000_000)] {
        let g = random_graph(n, m, 1);
        let options = LayoutOptions::for_size(n);
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        let positions = forceatlas2(&g, &options);
        let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        assert!(all_finite(&positions));
        println!(
            "{n} nodes, {} edges, {} iterations, {} threads: {wall:.2} s wall, {cpu:.2} s CPU",
            g.edge_count(),
            options.iterations,
            rayon::current_num_threads()
        );
    }

    // Barnes–Hut against exact repulsion (theta 0), a few steps at 10k nodes.
    let g = random_graph(10_000, 100_000, 1);
    let time = |theta| {
        let options = LayoutOptions {
            iterations: 10,
            theta,
            ..LayoutOptions::for_size(g.node_count())
        };
        let cpu = cpu_seconds();
        forceatlas2(&g, &options);
        cpu_seconds() - cpu
    };
    let (barnes_hut, exact) = (time(1.2), time(0.0));
    println!(
        "10000 nodes, 10 iterations: Barnes-Hut {barnes_hut:.2} s CPU, exact {exact:.2} s CPU ({:.0}x)",
        exact / barnes_hut
    );
}
