//! ForceAtlas2: a force-directed layout with degree-weighted repulsion.
//!
//! Jacomy, Venturini, Heymann and Bastian (2014), "ForceAtlas2, a continuous
//! graph layout algorithm for handy network visualization designed for the
//! Gephi software", PLOS ONE 9(6): e98679. With `m(n) = deg(n) + 1` and `d`
//! the distance between two nodes:
//!
//! - repulsion between every pair: `k_r m(a) m(b) / d`, approximated with a
//!   Barnes–Hut quadtree ([`super::quadtree`]);
//! - attraction along each edge of weight `w`: `w^δ d`, or `w^δ ln(1 + d)`
//!   with LinLog;
//! - gravity towards the origin: `k_g m(n)`, or `k_g m(n) d` when strong;
//! - adaptive speed: the global speed grows while forces keep their direction
//!   from one step to the next (traction) and shrinks when they flip (swing),
//!   and each node slows down by its own swing.

use super::quadtree::QuadTree;
use super::LayoutOptions;
use crate::graph::{Csr, NodeId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Lays out `g` with ForceAtlas2 from a seeded random start and returns one
/// position per node, centred on the origin.
///
/// O(iterations · (n log n + m)) with Barnes–Hut (`theta > 0`), parallel over
/// nodes. Every node's force is computed on its own and global sums run in
/// node order, so the result is bit-identical for any rayon thread count.
/// Positions are always finite: coincident nodes repel along a seeded
/// direction by a bounded force. Gravity keeps disconnected components and
/// isolated nodes together. An empty graph gives no positions and a single
/// node sits at the origin.
///
/// Reference: Jacomy et al. (2014), PLOS ONE 9(6): e98679.
pub fn forceatlas2(g: &Csr, options: &LayoutOptions) -> Vec<[f64; 2]> {
    let n = g.node_count();
    if n <= 1 {
        return vec![[0.0, 0.0]; n];
    }
    let options = &options.checked();
    let masses: Vec<f64> = (0..n as NodeId).map(|u| g.degree(u) as f64 + 1.0).collect();
    let attraction_weights: Vec<f64> = g
        .weights()
        .iter()
        .map(|&w| attraction_weight(w, options.edge_weight_influence))
        .collect();
    let forces = Forces {
        g,
        masses: &masses,
        attraction_weights: &attraction_weights,
        options,
    };

    let mut positions = initial_positions(n, &masses, options);
    let mut previous_forces = vec![[0.0; 2]; n];
    let mut speed = Speed::new(options.jitter_tolerance);
    for _ in 0..options.iterations {
        let current_forces = forces.compute(&positions);
        speed.step(&mut positions, &current_forces, &previous_forces, &masses);
        previous_forces = current_forces;
    }
    centre(&mut positions);
    positions
}

/// The attraction factor `w^δ` of an edge of weight `w`; 0 for a weight that
/// is not a positive number, so bad weights cannot poison the layout.
fn attraction_weight(weight: f64, influence: f64) -> f64 {
    if influence == 0.0 {
        1.0
    } else if weight > 0.0 && weight.is_finite() {
        let factor = weight.powf(influence);
        if factor.is_finite() {
            factor
        } else {
            0.0
        }
    } else {
        0.0
    }
}

/// Uniform in a disc whose radius is about the balance of repulsion and
/// attraction (`sqrt(k_r Σ m)`), so the layout starts near its final size.
fn initial_positions(n: usize, masses: &[f64], options: &LayoutOptions) -> Vec<[f64; 2]> {
    let total_mass: f64 = masses.iter().sum();
    let radius = (options.scaling * total_mass).sqrt().max(1.0);
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    (0..n)
        .map(|_| {
            let r = radius * rng.random::<f64>().sqrt();
            let angle = rng.random::<f64>() * std::f64::consts::TAU;
            [r * angle.cos(), r * angle.sin()]
        })
        .collect()
}

/// What the forces on the nodes depend on, besides their positions.
struct Forces<'a> {
    g: &'a Csr,
    masses: &'a [f64],
    /// `w^δ` per entry of the CSR rows.
    attraction_weights: &'a [f64],
    options: &'a LayoutOptions,
}

impl Forces<'_> {
    /// The resultant force on every node. Repulsion walks the quadtree in its
    /// Morton order, so neighbouring queries share cells; attraction walks
    /// the CSR rows in node order, so they stream from memory.
    fn compute(&self, positions: &[[f64; 2]]) -> Vec<[f64; 2]> {
        let tree = QuadTree::build(
            positions,
            self.masses,
            self.options.theta,
            self.options.seed,
        );
        let by_slot: Vec<[f64; 2]> = (0..tree.len())
            .into_par_iter()
            .map(|slot| tree.repulsion(slot))
            .collect();
        let mut forces = vec![[0.0; 2]; positions.len()];
        for (slot, repulsion) in by_slot.into_iter().enumerate() {
            forces[tree.id(slot) as usize] = repulsion;
        }
        forces.par_iter_mut().enumerate().for_each(|(u, force)| {
            let k = self.options.scaling * self.masses[u];
            let attraction = self.attraction(u as NodeId, positions);
            let gravity = self.gravity(u as NodeId, positions[u]);
            *force = [
                k * force[0] + attraction[0] + gravity[0],
                k * force[1] + attraction[1] + gravity[1],
            ];
        });
        forces
    }

    /// The pull of `u`'s neighbours: `w^δ d` (or `w^δ ln(1 + d)`) towards each.
    fn attraction(&self, u: NodeId, positions: &[[f64; 2]]) -> [f64; 2] {
        let offsets = self.g.offsets();
        let row = offsets[u as usize]..offsets[u as usize + 1];
        let targets = &self.g.targets()[row.clone()];
        let weights = &self.attraction_weights[row];
        let [x, y] = positions[u as usize];
        let (mut fx, mut fy) = (0.0, 0.0);
        for (&v, &w) in targets.iter().zip(weights) {
            let (dx, dy) = (positions[v as usize][0] - x, positions[v as usize][1] - y);
            let factor = if self.options.lin_log {
                let d = length(dx, dy);
                if d > 0.0 {
                    w * d.ln_1p() / d
                } else {
                    0.0
                }
            } else {
                w
            };
            fx += factor * dx;
            fy += factor * dy;
        }
        [fx, fy]
    }

    /// The pull towards the origin: `k_g m` (or `k_g m d` when strong).
    fn gravity(&self, u: NodeId, [x, y]: [f64; 2]) -> [f64; 2] {
        let k = self.options.gravity * self.masses[u as usize];
        let factor = if self.options.strong_gravity {
            k
        } else {
            let d = length(x, y);
            if d > 0.0 {
                k / d
            } else {
                0.0
            }
        };
        [-factor * x, -factor * y]
    }
}

/// The adaptive speed of Jacomy et al. (2014), section "Adaptive speed".
///
/// A node's swing is how much its force changed since the last step,
/// `|F_t − F_{t−1}|`, its traction how much it held, `|F_t + F_{t−1}| / 2`.
/// The global speed is `τ Σ m·traction / Σ m·swing` (τ the jitter
/// tolerance), rising by at most half per step. A node moves by
/// `s / (1 + sqrt(s · m · swing))` times its force, `s` the global speed:
/// the paper's per-node slowdown in the form Gephi's implementation uses,
/// which converges in fewer steps than the paper's `0.1 s / (1 + s √swing)`.
struct Speed {
    global: f64,
    jitter_tolerance: f64,
}

/// The global speed rises by at most this fraction per step.
const MAX_RISE: f64 = 0.5;

impl Speed {
    fn new(jitter_tolerance: f64) -> Speed {
        Speed {
            global: 1.0,
            jitter_tolerance,
        }
    }

    /// Updates the global speed from this step's swing and traction, then
    /// moves every node along its force.
    fn step(
        &mut self,
        positions: &mut [[f64; 2]],
        forces: &[[f64; 2]],
        previous: &[[f64; 2]],
        masses: &[f64],
    ) {
        let swings: Vec<(f64, f64)> = forces
            .par_iter()
            .zip(previous)
            .map(|(f, p)| {
                let swing = length(f[0] - p[0], f[1] - p[1]);
                let traction = length(f[0] + p[0], f[1] + p[1]) / 2.0;
                (swing, traction)
            })
            .collect();
        let (mut total_swing, mut total_traction) = (0.0, 0.0);
        for ((swing, traction), m) in swings.iter().zip(masses) {
            total_swing += m * swing;
            total_traction += m * traction;
        }
        if total_swing > 0.0 {
            let target = self.jitter_tolerance * total_traction / total_swing;
            self.global = target.min(self.global * (1.0 + MAX_RISE));
        }
        let global = self.global;
        positions
            .par_iter_mut()
            .zip(forces)
            .zip(&swings)
            .zip(masses)
            .for_each(|(((p, f), &(swing, _)), &m)| {
                let factor = global / (1.0 + (global * m * swing).sqrt());
                let (x, y) = (p[0] + factor * f[0], p[1] + factor * f[1]);
                if x.is_finite() && y.is_finite() {
                    *p = [x, y];
                }
            });
    }
}

/// The Euclidean length of `(x, y)`; coordinates stay far from overflow, so
/// this skips `hypot`'s slower care.
#[inline]
fn length(x: f64, y: f64) -> f64 {
    (x * x + y * y).sqrt()
}

/// Moves the centroid to the origin.
fn centre(positions: &mut [[f64; 2]]) {
    let (mut sx, mut sy) = (0.0, 0.0);
    for p in positions.iter() {
        sx += p[0];
        sy += p[1];
    }
    let n = positions.len() as f64;
    let (cx, cy) = (sx / n, sy / n);
    for p in positions.iter_mut() {
        p[0] -= cx;
        p[1] -= cy;
    }
}
