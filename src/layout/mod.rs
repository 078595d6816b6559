//! Graph layout: 2-D node positions for exports (GEXF, GraphML) and maps.
//!
//! [`forceatlas2`] lays out a [`Csr`](crate::graph::Csr) with ForceAtlas2
//! (Jacomy et al. 2014), its repulsion approximated by a Barnes–Hut quadtree,
//! from a seeded start: the same graph, options and seed give the same
//! positions, bit for bit, whatever the number of threads. [`normalize`]
//! fits positions into a square, e.g. an SVG view box. [`labels`] places
//! labels on a drawing so that they cover neither each other nor its dots;
//! [`palette`] colours the clusters.

mod forceatlas2;
pub mod labels;
pub mod palette;
mod quadtree;

pub use forceatlas2::forceatlas2;

/// Parameters of [`forceatlas2`]. [`LayoutOptions::for_size`] picks the
/// iteration count for a graph's size; [`Default`] suits a graph of about a
/// thousand nodes. A negative or non-finite number counts as its default.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LayoutOptions {
    /// Number of force steps.
    pub iterations: usize,
    /// Seed of the random start (ChaCha8).
    pub seed: u64,
    /// Repulsion strength `k_r`: larger spreads the layout.
    pub scaling: f64,
    /// Gravity strength `k_g`: pulls every node towards the origin, which
    /// keeps components and isolated nodes from drifting away.
    pub gravity: f64,
    /// Gravity grows with the distance to the origin (`k_g m d`) instead of
    /// staying constant (`k_g m`).
    pub strong_gravity: bool,
    /// Logarithmic attraction (LinLog): tighter, more separated clusters.
    pub lin_log: bool,
    /// Barnes–Hut opening criterion: a quadtree cell whose side is less than
    /// `theta` times its distance acts as one mass. 0 is exact (and O(n²)).
    pub theta: f64,
    /// Attraction along an edge is scaled by `weight^edge_weight_influence`:
    /// 0 ignores weights, 1 is proportional to them.
    pub edge_weight_influence: f64,
    /// How much oscillation the adaptive speed accepts: higher is faster
    /// and less precise.
    pub jitter_tolerance: f64,
}

impl LayoutOptions {
    /// Options for a graph of `node_count` nodes: 1000 iterations up to 1k
    /// nodes, then fewer (500 to 10k, 300 to 50k, 200 to 200k, then 100) so
    /// that 100k nodes take seconds, and the stronger repulsion Gephi uses
    /// below 100 nodes. Large graphs settle their clusters in far fewer steps
    /// than their fine detail, which matters less at their scale.
    pub fn for_size(node_count: usize) -> LayoutOptions {
        let iterations = match node_count {
            0..=1_000 => 1_000,
            1_001..=10_000 => 500,
            10_001..=50_000 => 300,
            50_001..=200_000 => 200,
            _ => 100,
        };
        LayoutOptions {
            iterations,
            scaling: if node_count < 100 { 10.0 } else { 2.0 },
            ..LayoutOptions::default()
        }
    }

    /// These options with every negative or non-finite number replaced by its
    /// default, so that no setting can make a position non-finite.
    pub(crate) fn checked(&self) -> LayoutOptions {
        let defaults = LayoutOptions::default();
        let non_negative = |value: f64, default: f64| {
            if value.is_finite() && value >= 0.0 {
                value
            } else {
                default
            }
        };
        LayoutOptions {
            scaling: non_negative(self.scaling, defaults.scaling),
            gravity: non_negative(self.gravity, defaults.gravity),
            theta: non_negative(self.theta, defaults.theta),
            edge_weight_influence: non_negative(
                self.edge_weight_influence,
                defaults.edge_weight_influence,
            ),
            jitter_tolerance: non_negative(self.jitter_tolerance, defaults.jitter_tolerance),
            ..*self
        }
    }
}

impl Default for LayoutOptions {
    /// Gephi's ForceAtlas2 defaults, with 1000 iterations and seed 42, except
    /// for gravity: strong at 0.1 instead of constant at 1.
    ///
    /// Under constant gravity an isolated node or a small component settles
    /// where gravity `k_g m` matches the repulsion `k_r m Σm / d` of the rest,
    /// at `d = k_r Σm / k_g`, while the main component's radius grows like
    /// `sqrt(k_r Σm)`: at 100k nodes the strays would sit hundreds of radii
    /// away and a fitted picture would show the main component as a dot.
    /// Strong gravity balances at `d = sqrt(k_r Σm / k_g)`, on the main
    /// component's scale at any size; 0.1 keeps it from squeezing the main
    /// component much.
    fn default() -> Self {
        LayoutOptions {
            iterations: 1_000,
            seed: 42,
            scaling: 2.0,
            gravity: 0.1,
            strong_gravity: true,
            lin_log: false,
            theta: 1.2,
            edge_weight_influence: 1.0,
            jitter_tolerance: 1.0,
        }
    }
}

/// Fits `positions` into the square `[0, size] × [0, size]`, keeping the
/// aspect ratio and centring the shorter axis; a single point (or several
/// at one place) goes to the centre. Non-finite coordinates are ignored when
/// measuring the extent (and stay non-finite). O(n).
///
/// Useful for an SVG view box `0 0 size size`; subtract `size / 2` for a
/// square centred on the origin.
pub fn normalize(positions: &mut [[f64; 2]], size: f64) {
    let finite = || {
        positions
            .iter()
            .filter(|p| p[0].is_finite() && p[1].is_finite())
    };
    let mut min = [f64::INFINITY; 2];
    let mut max = [f64::NEG_INFINITY; 2];
    for p in finite() {
        for axis in 0..2 {
            min[axis] = min[axis].min(p[axis]);
            max[axis] = max[axis].max(p[axis]);
        }
    }
    if min[0] > max[0] {
        return;
    }
    let extent = (max[0] - min[0]).max(max[1] - min[1]);
    let scale = if extent > 0.0 { size / extent } else { 0.0 };
    let centre = [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0];
    for p in positions.iter_mut() {
        for axis in 0..2 {
            p[axis] = (p[axis] - centre[axis]) * scale + size / 2.0;
        }
    }
}
