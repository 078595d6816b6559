//! Inverse document frequency of concepts over articles: the weights the cuts and the lineage's profiles share.

use crate::model::ConceptId;

/// Each concept's inverse document frequency over the nodes with concepts
/// (indexed by concept id; 0 for a concept no node names).
pub fn idf(concepts_of: &[&[ConceptId]]) -> Vec<f64> {
    let size = concepts_of
        .iter()
        .flat_map(|cs| cs.iter())
        .map(|&c| c + 1)
        .max()
        .unwrap_or(0);
    let mut df = vec![0u32; size];
    for cs in concepts_of {
        for &c in *cs {
            df[c] += 1;
        }
    }
    let n = concepts_of
        .iter()
        .filter(|cs| !cs.is_empty())
        .count()
        .max(1) as f64;
    df.iter()
        .map(|&d| if d == 0 { 0.0 } else { (n / f64::from(d)).ln() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_concept_everywhere_weighs_nothing_and_a_rare_one_most() {
        let concepts: Vec<Vec<ConceptId>> = vec![vec![0, 1], vec![0], vec![0, 2], vec![0], vec![]];
        let slices: Vec<&[ConceptId]> = concepts.iter().map(Vec::as_slice).collect();
        let weights = idf(&slices);
        assert_eq!(weights.len(), 3);
        assert_eq!(weights[0], 0.0);
        assert!((weights[1] - 4f64.ln()).abs() < 1e-12);
        assert_eq!(weights[1], weights[2]);
    }
}
