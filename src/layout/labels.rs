//! Label placement on a drawing: boxes near their anchors that cover neither each other nor the drawn dots, placed greedily.
//!
//! Labels are placed in the order given (the most important first). For
//! each, candidate boxes are tried nearest first: centred on the anchor,
//! then above, below, right, left and the four diagonals, at growing
//! distances (steps of the box's height, up to [`RINGS`] rings). A box is
//! taken when it lies inside the drawing, keeps [`GAP`] away from every box
//! already placed and from every dot (a circle). A label with no such box is
//! skipped: better a legend entry than a label over the picture.

/// Rings of candidate positions tried around an anchor.
pub const RINGS: usize = 6;
/// Least clearance between a label and a placed label or a dot.
pub const GAP: f64 = 2.0;

/// An axis-aligned box: left, top, width, height.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Whether the two boxes come closer than `gap`.
    pub fn overlaps(&self, o: &Rect, gap: f64) -> bool {
        self.x < o.x + o.w + gap
            && o.x < self.x + self.w + gap
            && self.y < o.y + o.h + gap
            && o.y < self.y + self.h + gap
    }

    /// Whether a circle at (`cx`, `cy`) of radius `r` comes closer than `gap`.
    pub fn touches_circle(&self, cx: f64, cy: f64, r: f64, gap: f64) -> bool {
        let nx = cx.clamp(self.x, self.x + self.w);
        let ny = cy.clamp(self.y, self.y + self.h);
        let (dx, dy) = (cx - nx, cy - ny);
        let reach = r + gap;
        dx * dx + dy * dy < reach * reach
    }
}

/// A label to place: the point it names and its box's size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Label {
    /// The anchor (a cluster's centroid, say).
    pub anchor: [f64; 2],
    /// Width of its box.
    pub w: f64,
    /// Height of its box.
    pub h: f64,
}

/// Dots bucketed on a grid, for quick "does this box touch a dot" checks.
struct Dots<'a> {
    dots: &'a [[f64; 2]],
    radius: f64,
    cell: f64,
    cols: usize,
    rows: usize,
    buckets: Vec<Vec<u32>>,
}

impl<'a> Dots<'a> {
    fn new(dots: &'a [[f64; 2]], radius: f64, size: [f64; 2]) -> Dots<'a> {
        let cell = 40.0f64.max(radius * 4.0);
        let cols = (size[0] / cell).ceil().max(1.0) as usize;
        let rows = (size[1] / cell).ceil().max(1.0) as usize;
        let mut buckets = vec![Vec::new(); cols * rows];
        for (i, p) in dots.iter().enumerate() {
            let (c, r) = Self::cell_of(p[0], p[1], cell, cols, rows);
            buckets[r * cols + c].push(i as u32);
        }
        Dots {
            dots,
            radius,
            cell,
            cols,
            rows,
            buckets,
        }
    }

    fn cell_of(x: f64, y: f64, cell: f64, cols: usize, rows: usize) -> (usize, usize) {
        let c = ((x / cell).floor().max(0.0) as usize).min(cols - 1);
        let r = ((y / cell).floor().max(0.0) as usize).min(rows - 1);
        (c, r)
    }

    fn touch(&self, b: &Rect) -> bool {
        let reach = self.radius + GAP;
        let (c0, r0) = Self::cell_of(b.x - reach, b.y - reach, self.cell, self.cols, self.rows);
        let (c1, r1) = Self::cell_of(
            b.x + b.w + reach,
            b.y + b.h + reach,
            self.cell,
            self.cols,
            self.rows,
        );
        (r0..=r1).any(|r| {
            (c0..=c1).any(|c| {
                self.buckets[r * self.cols + c].iter().any(|&i| {
                    let p = self.dots[i as usize];
                    b.touches_circle(p[0], p[1], self.radius, GAP)
                })
            })
        })
    }
}

/// Where each label goes (`None`: skipped), in the order given: boxes
/// inside `size` that overlap no other placed box and no dot of `radius`.
pub fn place(
    labels: &[Label],
    dots: &[[f64; 2]],
    radius: f64,
    size: [f64; 2],
) -> Vec<Option<Rect>> {
    let grid = Dots::new(dots, radius, size);
    let mut placed: Vec<Rect> = Vec::new();
    labels
        .iter()
        .map(|l| {
            let found = candidates(l).find(|b| {
                b.x >= 0.0
                    && b.y >= 0.0
                    && b.x + b.w <= size[0]
                    && b.y + b.h <= size[1]
                    && !placed.iter().any(|p| p.overlaps(b, GAP))
                    && !grid.touch(b)
            });
            if let Some(b) = found {
                placed.push(b);
            }
            found
        })
        .collect()
}

/// The candidate boxes of a label, nearest its anchor first.
fn candidates(l: &Label) -> impl Iterator<Item = Rect> + '_ {
    const DIRECTIONS: [(f64, f64); 8] = [
        (0.0, -1.0),
        (0.0, 1.0),
        (1.0, 0.0),
        (-1.0, 0.0),
        (1.0, -1.0),
        (-1.0, -1.0),
        (1.0, 1.0),
        (-1.0, 1.0),
    ];
    let centre = std::iter::once((0.0, 0.0, 0usize));
    let around =
        (1..=RINGS).flat_map(|ring| DIRECTIONS.iter().map(move |&(dx, dy)| (dx, dy, ring)));
    centre.chain(around).map(move |(dx, dy, ring)| {
        // Step out by half the box plus `ring` heights, so the first ring
        // clears the anchor's own dot.
        let step = ring as f64 * l.h;
        let ox = dx
            * (if dx == 0.0 {
                0.0
            } else {
                l.w / 2.0 + step * 0.5
            });
        let oy = dy
            * (if dy == 0.0 {
                0.0
            } else {
                l.h / 2.0 + step * 0.5
            });
        Rect {
            x: l.anchor[0] + ox - l.w / 2.0,
            y: l.anchor[1] + oy - l.h / 2.0,
            w: l.w,
            h: l.h,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (no dependency needed for a test).
    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn placed_labels_overlap_neither_each_other_nor_dots() {
        let size = [1000.0, 1000.0];
        let mut state = 7;
        // Dots in 30 clumps, and one label per clump at its centre.
        let mut dots = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..30 {
            let (cx, cy) = (
                100.0 + lcg(&mut state) * 800.0,
                100.0 + lcg(&mut state) * 800.0,
            );
            for _ in 0..40 {
                dots.push([
                    cx + (lcg(&mut state) - 0.5) * 120.0,
                    cy + (lcg(&mut state) - 0.5) * 120.0,
                ]);
            }
            labels.push(Label {
                anchor: [cx, cy],
                w: 80.0 + lcg(&mut state) * 120.0,
                h: 24.0,
            });
        }
        let radius = 5.0;
        let placed = place(&labels, &dots, radius, size);
        assert_eq!(placed.len(), labels.len());
        let boxes: Vec<Rect> = placed.iter().flatten().copied().collect();
        assert!(boxes.len() >= 10, "only {} of 30 placed", boxes.len());
        for (i, a) in boxes.iter().enumerate() {
            assert!(a.x >= 0.0 && a.y >= 0.0 && a.x + a.w <= size[0] && a.y + a.h <= size[1]);
            for b in &boxes[i + 1..] {
                assert!(!a.overlaps(b, 0.0), "{a:?} overlaps {b:?}");
            }
            for d in &dots {
                assert!(
                    !a.touches_circle(d[0], d[1], radius, 0.0),
                    "{a:?} covers {d:?}"
                );
            }
        }
    }

    #[test]
    fn a_free_anchor_keeps_its_label_centred_and_a_crowded_one_is_skipped() {
        let label = Label {
            anchor: [500.0, 500.0],
            w: 100.0,
            h: 20.0,
        };
        let placed = place(&[label], &[], 3.0, [1000.0, 1000.0]);
        assert_eq!(
            placed[0],
            Some(Rect {
                x: 450.0,
                y: 490.0,
                w: 100.0,
                h: 20.0
            })
        );
        // A drawing filled with dots leaves no room.
        let dots: Vec<[f64; 2]> = (0..100)
            .flat_map(|i| (0..100).map(move |j| [i as f64 * 10.0 + 5.0, j as f64 * 10.0 + 5.0]))
            .collect();
        assert_eq!(place(&[label], &dots, 3.0, [1000.0, 1000.0]), vec![None]);
    }
}
