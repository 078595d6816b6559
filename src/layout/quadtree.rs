//! Barnes–Hut quadtree: approximate n-body repulsion in O(n log n).
//!
//! Barnes and Hut (1986), "A hierarchical O(N log N) force-calculation
//! algorithm", Nature 324. Points are sorted along a Z-order (Morton) curve, so
//! every cell of the tree is a contiguous range of the sorted points; cells are
//! stored in depth-first order with a `skip` index to the next cell outside
//! their subtree, so a query walks an array without a stack. A cell whose side
//! is small against its distance to a point (`side / distance < theta`) acts on
//! that point as one mass at its centre of mass; other cells are opened, and
//! leaves (a few points each) are summed exactly.
//!
//! The tree is read-only once built, so any number of threads can query it;
//! each query adds its terms in a fixed order, so results do not depend on
//! the thread count.

use rayon::prelude::*;

/// Points per leaf: a leaf is summed exactly, so small buckets trade a deeper
/// tree for fewer exact terms.
const LEAF_CAPACITY: usize = 16;

/// Bits per axis of the Morton code: the tree is at most this deep, and points
/// closer than `2^-BITS` of the bounding box share a leaf.
const BITS: u32 = 32;

/// Distances below this fraction of the bounding square are treated as this,
/// so coincident points repel by a large but finite force.
const MIN_DISTANCE: f64 = 1e-9;

#[derive(Clone, Copy, Debug)]
struct Cell {
    centre_x: f64,
    centre_y: f64,
    mass: f64,
    /// `(side / theta)²`: a point farther than this from the centre of mass
    /// may treat the cell as one mass.
    open_distance2: f64,
    /// The cell's points are `start..end` in sorted order.
    start: u32,
    end: u32,
    /// The index of the next cell after this one's subtree.
    skip: u32,
    leaf: bool,
}

/// A Barnes–Hut quadtree over weighted points, for [`QuadTree::repulsion`].
#[derive(Clone, Debug)]
pub(crate) struct QuadTree {
    cells: Vec<Cell>,
    /// Point data in Morton order (`slot`), for cache-friendly leaves.
    xs: Vec<f64>,
    ys: Vec<f64>,
    masses: Vec<f64>,
    /// The original index of the point in each slot.
    ids: Vec<u32>,
    /// Seeds the direction in which coincident points push each other.
    seed: u64,
    /// The shortest distance a pair repels over.
    min_distance: f64,
}

impl QuadTree {
    /// Builds the tree over `positions` with `masses`, opening cells whose
    /// side is at least `theta` times their distance to the query point.
    ///
    /// O(n log n): a parallel sort of Morton codes, then a linear build.
    /// `positions` must be finite.
    pub(crate) fn build(positions: &[[f64; 2]], masses: &[f64], theta: f64, seed: u64) -> QuadTree {
        assert_eq!(positions.len(), masses.len());
        assert!(positions.len() < u32::MAX as usize, "too many points");
        let (min_x, min_y, side) = bounding_square(positions);
        let scale = (1u64 << BITS) as f64 / side;
        let grid = |v: f64, min: f64| (((v - min) * scale) as u64).min((1u64 << BITS) - 1) as u32;
        let mut keys: Vec<(u64, u32)> = positions
            .par_iter()
            .enumerate()
            .map(|(i, p)| (morton(grid(p[0], min_x), grid(p[1], min_y)), i as u32))
            .collect();
        // Keys are unique (the index breaks ties), so the order is the same
        // whatever the sort's parallelism.
        keys.par_sort_unstable();

        let ids: Vec<u32> = keys.iter().map(|k| k.1).collect();
        let codes: Vec<u64> = keys.iter().map(|k| k.0).collect();
        let mut tree = QuadTree {
            cells: Vec::with_capacity(2 * positions.len() / LEAF_CAPACITY + 1),
            xs: ids.iter().map(|&i| positions[i as usize][0]).collect(),
            ys: ids.iter().map(|&i| positions[i as usize][1]).collect(),
            masses: ids.iter().map(|&i| masses[i as usize]).collect(),
            ids,
            seed,
            min_distance: MIN_DISTANCE * side,
        };
        let square = Square {
            x: min_x,
            y: min_y,
            side,
        };
        let inverse_theta2 = 1.0 / (theta * theta).max(f64::MIN_POSITIVE);
        tree.build_cell(&codes, 0, codes.len(), 0, square, inverse_theta2);
        tree
    }

    /// The number of points.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The original index of the point in Morton slot `slot`; queries in slot
    /// order walk neighbouring cells one after another.
    pub(crate) fn id(&self, slot: usize) -> u32 {
        self.ids[slot]
    }

    /// Σ_j m_j (p − p_j) / |p − p_j|² over every other point `j`, for the point
    /// in `slot`: the direction and strength of ForceAtlas2 repulsion
    /// `k_r m m_j / d` per unit of `k_r m`. Far cells contribute through their
    /// centre of mass. O(log n) for evenly spread points.
    pub(crate) fn repulsion(&self, slot: usize) -> [f64; 2] {
        let (x, y) = (self.xs[slot], self.ys[slot]);
        let slot = slot as u32;
        let (mut fx, mut fy) = (0.0, 0.0);
        let mut i = 0;
        while i < self.cells.len() {
            let cell = &self.cells[i];
            // A cell holding the point itself is always opened, or the point
            // would repel itself through the cell's centre of mass.
            let contains = cell.start <= slot && slot < cell.end;
            let (dx, dy) = (x - cell.centre_x, y - cell.centre_y);
            let d2 = dx * dx + dy * dy;
            if !contains && d2 > cell.open_distance2 {
                // d2 > open_distance2 >= 0: no division by zero.
                let f = cell.mass / d2;
                fx += f * dx;
                fy += f * dy;
                i = cell.skip as usize;
            } else if cell.leaf {
                for j in cell.start..cell.end {
                    if j != slot {
                        let [px, py] = self.pair(slot, j);
                        fx += px;
                        fy += py;
                    }
                }
                i = cell.skip as usize;
            } else {
                i += 1;
            }
        }
        [fx, fy]
    }

    /// The repulsion of point `j` on point `i` (slots), per unit of `k_r m_i`.
    #[inline]
    fn pair(&self, i: u32, j: u32) -> [f64; 2] {
        let (i, j) = (i as usize, j as usize);
        let (dx, dy) = (self.xs[i] - self.xs[j], self.ys[i] - self.ys[j]);
        let d2 = dx * dx + dy * dy;
        if d2 >= self.min_distance * self.min_distance {
            let f = self.masses[j] / d2;
            return [f * dx, f * dy];
        }
        let [ux, uy] = if d2 > 0.0 {
            let d = d2.sqrt();
            [dx / d, dy / d]
        } else {
            coincident_direction(self.seed, self.ids[i], self.ids[j])
        };
        let f = self.masses[j] / self.min_distance;
        [f * ux, f * uy]
    }

    /// Appends the cell for the sorted points `start..end`, which lie in
    /// `square` and share their first `level` quadrant choices, then its
    /// subtree. Returns the cell's index.
    fn build_cell(
        &mut self,
        codes: &[u64],
        start: usize,
        end: usize,
        level: u32,
        square: Square,
        inverse_theta2: f64,
    ) -> usize {
        let index = self.cells.len();
        self.cells.push(Cell {
            centre_x: 0.0,
            centre_y: 0.0,
            mass: 0.0,
            open_distance2: 0.0,
            start: start as u32,
            end: end as u32,
            skip: 0,
            leaf: true,
        });

        let (children, child_count, square) =
            self.build_children(codes, start..end, level, square, inverse_theta2);
        let children = &children[..child_count];
        let (mass, mass_x, mass_y) = self.mass_moments(start, end, children);
        let skip = self.cells.len() as u32;
        let cell = &mut self.cells[index];
        cell.mass = mass;
        if mass > 0.0 {
            cell.centre_x = mass_x / mass;
            cell.centre_y = mass_y / mass;
        } else {
            // Massless points: any point of the cell will do.
            cell.centre_x = self.xs[start];
            cell.centre_y = self.ys[start];
        }
        cell.leaf = children.is_empty();
        cell.skip = skip;
        // The square may have shrunk while descending through single quadrants.
        cell.open_distance2 = square.side * square.side * inverse_theta2;
        index
    }

    /// Builds the child cells of the sorted points `range` (none for a leaf),
    /// descending without cells of their own through quadrants that hold every
    /// point. Returns the children's indices, their count, and the square the
    /// points were split in.
    fn build_children(
        &mut self,
        codes: &[u64],
        range: std::ops::Range<usize>,
        level: u32,
        square: Square,
        inverse_theta2: f64,
    ) -> ([usize; 4], usize, Square) {
        let (start, end) = (range.start, range.end);
        let (mut level, mut square) = (level, square);
        let mut children = [0usize; 4];
        let mut child_count = 0;
        while end - start > LEAF_CAPACITY && level < BITS {
            let quadrants = split_quadrants(codes, start, end, level);
            let occupied = quadrants.iter().filter(|r| !r.is_empty()).count();
            if occupied == 1 {
                // All points in one quadrant: descend without a cell of its own.
                let q = quadrants
                    .iter()
                    .position(|r| !r.is_empty())
                    .expect("one quadrant");
                square = square.quadrant(q);
                level += 1;
                continue;
            }
            for (q, range) in quadrants.iter().enumerate() {
                if !range.is_empty() {
                    let child = self.build_cell(
                        codes,
                        range.start,
                        range.end,
                        level + 1,
                        square.quadrant(q),
                        inverse_theta2,
                    );
                    children[child_count] = child;
                    child_count += 1;
                }
            }
            break;
        }
        (children, child_count, square)
    }

    /// Total mass and mass-weighted x and y of a cell: summed over its points
    /// for a leaf, over its children otherwise.
    fn mass_moments(&self, start: usize, end: usize, children: &[usize]) -> (f64, f64, f64) {
        let (mut mass, mut mass_x, mut mass_y) = (0.0, 0.0, 0.0);
        if children.is_empty() {
            for j in start..end {
                mass += self.masses[j];
                mass_x += self.masses[j] * self.xs[j];
                mass_y += self.masses[j] * self.ys[j];
            }
        } else {
            for &c in children {
                let child = &self.cells[c];
                mass += child.mass;
                mass_x += child.mass * child.centre_x;
                mass_y += child.mass * child.centre_y;
            }
        }
        (mass, mass_x, mass_y)
    }
}

/// An axis-aligned square: lower corner and side.
#[derive(Clone, Copy, Debug)]
struct Square {
    x: f64,
    y: f64,
    side: f64,
}

impl Square {
    /// Quadrant `q`: bit 0 is the x half, bit 1 the y half (as in [`morton`]).
    fn quadrant(self, q: usize) -> Square {
        let half = self.side / 2.0;
        Square {
            x: self.x + if q & 1 == 1 { half } else { 0.0 },
            y: self.y + if q & 2 == 2 { half } else { 0.0 },
            side: half,
        }
    }
}

/// The smallest square (lower corner and side) holding every point; side 1
/// when all points coincide. Min and max are exact, so the parallel reduction
/// is deterministic.
fn bounding_square(positions: &[[f64; 2]]) -> (f64, f64, f64) {
    let (min_x, min_y, max_x, max_y) = positions
        .par_iter()
        .map(|p| (p[0], p[1], p[0], p[1]))
        .reduce(
            || {
                (
                    f64::INFINITY,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NEG_INFINITY,
                )
            },
            |a, b| (a.0.min(b.0), a.1.min(b.1), a.2.max(b.2), a.3.max(b.3)),
        );
    if positions.is_empty() {
        return (0.0, 0.0, 1.0);
    }
    let side = (max_x - min_x).max(max_y - min_y);
    // Widen a little so the largest coordinate maps inside the grid.
    let side = if side > 0.0 { side * (1.0 + 1e-9) } else { 1.0 };
    (min_x, min_y, side)
}

/// The ranges of `codes[start..end]` (sorted, sharing their first `level`
/// quadrant choices) in each of the four quadrants at depth `level`.
fn split_quadrants(
    codes: &[u64],
    start: usize,
    end: usize,
    level: u32,
) -> [std::ops::Range<usize>; 4] {
    let shift = 2 * (BITS - 1 - level);
    let quadrant = |code: u64| ((code >> shift) & 3) as usize;
    let slice = &codes[start..end];
    let boundary = |q: usize| start + slice.partition_point(|&c| quadrant(c) < q);
    let (b1, b2, b3) = (boundary(1), boundary(2), boundary(3));
    [start..b1, b1..b2, b2..b3, b3..end]
}

/// Interleaves the bits of `x` (even positions) and `y` (odd positions).
fn morton(x: u32, y: u32) -> u64 {
    spread_bits(x) | (spread_bits(y) << 1)
}

/// Moves bit `i` of `v` to bit `2i`.
fn spread_bits(v: u32) -> u64 {
    let mut v = v as u64;
    v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
    v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
    v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    v = (v | (v << 2)) & 0x3333_3333_3333_3333;
    v = (v | (v << 1)) & 0x5555_5555_5555_5555;
    v
}

/// A unit vector, fixed by `seed` and the pair, along which coincident points
/// `a` and `b` push each other apart: opposite for `(b, a)`, so the pair
/// separates instead of moving together.
pub(crate) fn coincident_direction(seed: u64, a: u32, b: u32) -> [f64; 2] {
    let (low, high) = (a.min(b) as u64, a.max(b) as u64);
    let bits = splitmix64(seed ^ splitmix64((low << 32) | high));
    let angle = (bits >> 11) as f64 / (1u64 << 53) as f64 * std::f64::consts::TAU;
    let sign = if a < b { 1.0 } else { -1.0 };
    [sign * angle.cos(), sign * angle.sin()]
}

/// Sebastiano Vigna's SplitMix64 finaliser: a cheap, well-mixed hash.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The same sum as [`QuadTree::repulsion`], over every pair: O(n²).
    fn exact(positions: &[[f64; 2]], masses: &[f64]) -> Vec<[f64; 2]> {
        (0..positions.len())
            .map(|i| {
                let (mut fx, mut fy) = (0.0, 0.0);
                for j in 0..positions.len() {
                    if j != i {
                        let dx = positions[i][0] - positions[j][0];
                        let dy = positions[i][1] - positions[j][1];
                        let f = masses[j] / (dx * dx + dy * dy);
                        fx += f * dx;
                        fy += f * dy;
                    }
                }
                [fx, fy]
            })
            .collect()
    }

    fn approximate(positions: &[[f64; 2]], masses: &[f64], theta: f64) -> Vec<[f64; 2]> {
        let tree = QuadTree::build(positions, masses, theta, 1);
        let mut forces = vec![[0.0; 2]; positions.len()];
        for slot in 0..tree.len() {
            forces[tree.id(slot) as usize] = tree.repulsion(slot);
        }
        forces
    }

    /// Clustered points (a few Gaussian blobs) with degree-like masses.
    fn clustered_points(n: usize, seed: u64) -> (Vec<[f64; 2]>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let centres: Vec<[f64; 2]> = (0..6)
            .map(|_| {
                [
                    rng.random_range(-100.0..100.0),
                    rng.random_range(-100.0..100.0),
                ]
            })
            .collect();
        let positions = (0..n)
            .map(|i| {
                let c = centres[i % centres.len()];
                let spread = 5.0 + 10.0 * (i % 3) as f64;
                let (a, b): (f64, f64) = (rng.random(), rng.random());
                let r = spread * (-2.0 * (1.0 - a).ln()).sqrt();
                let angle = b * std::f64::consts::TAU;
                [c[0] + r * angle.cos(), c[1] + r * angle.sin()]
            })
            .collect();
        let masses = (0..n)
            .map(|_| 1.0 + rng.random_range(0..20) as f64)
            .collect();
        (positions, masses)
    }

    fn norm(v: [f64; 2]) -> f64 {
        v[0].hypot(v[1])
    }

    /// Relative errors of the approximation, per point: |approx − exact| / |exact|.
    fn relative_errors(theta: f64) -> Vec<f64> {
        let (positions, masses) = clustered_points(1500, 3);
        let exact = exact(&positions, &masses);
        let approx = approximate(&positions, &masses, theta);
        exact
            .iter()
            .zip(&approx)
            .map(|(e, a)| norm([a[0] - e[0], a[1] - e[1]]) / norm(*e))
            .collect()
    }

    fn mean(values: &[f64]) -> f64 {
        values.iter().sum::<f64>() / values.len() as f64
    }

    #[test]
    fn barnes_hut_is_within_a_few_percent_of_the_exact_sum() {
        // Gephi's theta: a few percent for most points. A point whose pulls
        // nearly cancel can be off by more, relative to its tiny net force.
        let mut errors = relative_errors(1.2);
        errors.sort_by(f64::total_cmp);
        let median = errors[errors.len() / 2];
        let p90 = errors[errors.len() * 9 / 10];
        assert!(
            mean(&errors) < 0.05,
            "mean relative error {}",
            mean(&errors)
        );
        assert!(median < 0.03, "median relative error {median}");
        assert!(p90 < 0.10, "90th percentile relative error {p90}");

        // A tighter theta is tighter.
        let mut errors = relative_errors(0.5);
        errors.sort_by(f64::total_cmp);
        let p99 = errors[errors.len() * 99 / 100];
        assert!(
            mean(&errors) < 0.005,
            "mean relative error {}",
            mean(&errors)
        );
        assert!(p99 < 0.02, "99th percentile relative error {p99}");
    }

    #[test]
    fn theta_zero_is_exact() {
        let (positions, masses) = clustered_points(300, 4);
        let exact = exact(&positions, &masses);
        let approx = approximate(&positions, &masses, 0.0);
        for (e, a) in exact.iter().zip(&approx) {
            assert!(norm([a[0] - e[0], a[1] - e[1]]) <= 1e-9 * norm(*e));
        }
    }

    #[test]
    fn coincident_points_push_each_other_apart_finitely() {
        let positions = vec![[1.0, 1.0]; 20];
        let masses = vec![1.0; 20];
        let forces = approximate(&positions, &masses, 1.2);
        for f in &forces {
            assert!(f[0].is_finite() && f[1].is_finite());
            assert!(norm(*f) > 0.0);
        }
        let a = coincident_direction(9, 3, 7);
        let b = coincident_direction(9, 7, 3);
        assert_eq!([a[0], a[1]], [-b[0], -b[1]]);
    }

    #[test]
    fn morton_interleaves_x_then_y() {
        assert_eq!(morton(0b11, 0b00), 0b0101);
        assert_eq!(morton(0b00, 0b11), 0b1010);
        assert_eq!(morton(u32::MAX, u32::MAX), u64::MAX);
    }
}
