//! Each trend's place on the strategic diagram of co-word analysis: motor, basic, niche, emerging or declining.
//!
//! Callon, Courtial and Laville (1991) place each theme of a co-word network
//! by two numbers: its **centrality**, the weight of its links to other
//! themes (how much the rest of the field relies on it), and its
//! **density**, the weight of its links inside (how well developed it is).
//! Here a trend's centrality is the total weight of the projection's edges
//! with one end in the trend, and its density the total weight of the edges
//! with both ends in it per member (as in Cobo et al., SciMAT, 2012: the
//! mean shows cohesion without rewarding size). Each axis is split at the
//! median over the trends placed (a value at the median counts as high):
//!
//! | | high density | low density |
//! |---|---|---|
//! | **high centrality** | motor | basic |
//! | **low centrality** | niche | emerging or declining |

use crate::graph::Csr;

/// The four quadrants.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Quadrant {
    /// Central and dense: well developed and important for the field.
    Motor,
    /// Central but loose: general, transversal themes.
    Basic,
    /// Dense but peripheral: specialised, of marginal importance.
    Niche,
    /// Neither: weakly developed and marginal, appearing or fading.
    EmergingOrDeclining,
}

impl Quadrant {
    /// The quadrant's name in the report and the exports.
    pub fn name(self) -> &'static str {
        match self {
            Quadrant::Motor => "motor",
            Quadrant::Basic => "basic",
            Quadrant::Niche => "niche",
            Quadrant::EmergingOrDeclining => "emerging-or-declining",
        }
    }
}

/// A trend's coordinates and quadrant.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Placement {
    /// Weight of the edges leaving the trend.
    pub centrality: f64,
    /// Weight of the edges inside the trend, per member.
    pub density: f64,
    /// Where the medians put it.
    pub quadrant: Quadrant,
}

/// Places each group: `group[u]` is node `u`'s group (`None` outside every
/// group), `groups` the number of groups. Groups without members get
/// `None`. O(m) for the sums, O(g log g) for the medians.
pub fn place(graph: &Csr, group: &[Option<u32>], groups: usize) -> Vec<Option<Placement>> {
    let mut inside = vec![0.0; groups];
    let mut outside = vec![0.0; groups];
    let mut members = vec![0usize; groups];
    for g in group.iter().flatten() {
        members[*g as usize] += 1;
    }
    for (u, v, w) in graph.edges() {
        match (group[u as usize], group[v as usize]) {
            (Some(a), Some(b)) if a == b => inside[a as usize] += w,
            (a, b) => {
                for g in [a, b].into_iter().flatten() {
                    outside[g as usize] += w;
                }
            }
        }
    }
    let density: Vec<f64> = (0..groups)
        .map(|g| inside[g] / members[g].max(1) as f64)
        .collect();
    let present: Vec<usize> = (0..groups).filter(|&g| members[g] > 0).collect();
    let centre_median = median(present.iter().map(|&g| outside[g]).collect());
    let density_median = median(present.iter().map(|&g| density[g]).collect());
    (0..groups)
        .map(|g| {
            (members[g] > 0).then(|| {
                let central = outside[g] >= centre_median;
                let dense = density[g] >= density_median;
                Placement {
                    centrality: outside[g],
                    density: density[g],
                    quadrant: match (central, dense) {
                        (true, true) => Quadrant::Motor,
                        (true, false) => Quadrant::Basic,
                        (false, true) => Quadrant::Niche,
                        (false, false) => Quadrant::EmergingOrDeclining,
                    },
                }
            })
        })
        .collect()
}

/// The median (mean of the middle two for an even count); 0 for none.
fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four groups of three: 0 dense and central, 1 loose and central,
    /// 2 dense and isolated, 3 loose and isolated.
    #[test]
    fn quadrants_follow_the_medians() {
        let mut edges = Vec::new();
        let triangle = |base: u32, w: f64, edges: &mut Vec<(u32, u32, f64)>| {
            edges.extend([
                (base, base + 1, w),
                (base + 1, base + 2, w),
                (base, base + 2, w),
            ]);
        };
        triangle(0, 5.0, &mut edges);
        triangle(3, 1.0, &mut edges);
        triangle(6, 5.0, &mut edges);
        triangle(9, 1.0, &mut edges);
        edges.extend([(0, 3, 4.0), (1, 4, 4.0), (2, 6, 0.5), (5, 9, 0.5)]);
        let graph = Csr::from_edges(12, edges);
        let group: Vec<Option<u32>> = (0..12).map(|u| Some(u / 3)).collect();
        let placed: Vec<_> = place(&graph, &group, 5)
            .into_iter()
            .map(|p| p.map(|p| p.quadrant))
            .collect();
        assert_eq!(
            placed,
            [
                Some(Quadrant::Motor),
                Some(Quadrant::Basic),
                Some(Quadrant::Niche),
                Some(Quadrant::EmergingOrDeclining),
                None
            ]
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median(vec![]), 0.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
