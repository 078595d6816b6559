//! Cluster names from their most distinctive concepts: class-based TF-IDF (c-TF-IDF).
//!
//! Each cluster is treated as one document made of the concepts (themes,
//! keywords, driving forces) of its articles. A concept `t` weighs
//!
//! ```text
//! W(t, c) = tf(t, c) · ln(1 + A / f(t))
//! ```
//!
//! where `tf(t, c)` is the number of the cluster's articles naming `t` over
//! the cluster's total of concept mentions, `f(t)` the number of articles
//! naming `t` in all clusters and `A` the average number of concept mentions
//! per cluster (Grootendorst 2022, BERTopic). A concept common everywhere
//! scores low even where it is most frequent; one the cluster nearly owns
//! scores high. A name is the labels of the three best concepts that at least
//! two of the cluster's articles name (one, for clusters under three articles).

use crate::model::{Collection, ConceptId};
use rayon::slice::ParallelSliceMut;

/// Concepts a cluster name is made of.
pub const NAME_TERMS: usize = 3;

/// A concept's weight in one cluster.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weighted {
    /// The concept.
    pub concept: ConceptId,
    /// Articles of the cluster naming it.
    pub articles: u32,
    /// Its c-TF-IDF weight.
    pub score: f64,
}

/// The c-TF-IDF weights of every cluster's concepts, best first (ties by
/// concept id). `concepts_of[a]` are article `a`'s concepts (sorted, unique)
/// and `cluster_of[a]` its cluster, `None` for articles without one.
pub fn weights(
    concepts_of: &[Vec<ConceptId>],
    cluster_of: &[Option<u32>],
    clusters: usize,
    concept_count: usize,
) -> Vec<Vec<Weighted>> {
    let mut pairs: Vec<(u32, ConceptId)> = Vec::new();
    for (ids, cluster) in concepts_of.iter().zip(cluster_of) {
        if let Some(c) = *cluster {
            pairs.extend(ids.iter().map(|&id| (c, id)));
        }
    }
    pairs.par_sort_unstable();
    let mut frequency = vec![0u32; concept_count];
    let mut mentions = vec![0u64; clusters];
    for &(c, id) in &pairs {
        frequency[id] += 1;
        mentions[c as usize] += 1;
    }
    let non_empty = mentions.iter().filter(|&&m| m > 0).count().max(1);
    let average = pairs.len() as f64 / non_empty as f64;

    let mut out: Vec<Vec<Weighted>> = vec![Vec::new(); clusters];
    for run in pairs.chunk_by(|a, b| a == b) {
        let (c, id) = run[0];
        let articles = run.len() as u32;
        let tf = f64::from(articles) / mentions[c as usize] as f64;
        let idf = (1.0 + average / f64::from(frequency[id])).ln();
        out[c as usize].push(Weighted {
            concept: id,
            articles,
            score: tf * idf,
        });
    }
    for list in &mut out {
        list.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.concept.cmp(&b.concept)));
    }
    out
}

/// The concepts a cluster of `size` articles is named after: the best
/// [`NAME_TERMS`] that enough of its articles share.
pub fn name_terms(weights: &[Weighted], size: usize) -> Vec<Weighted> {
    let needed = if size >= 3 { 2 } else { 1 };
    let mut chosen: Vec<Weighted> = weights
        .iter()
        .filter(|w| w.articles >= needed)
        .take(NAME_TERMS)
        .copied()
        .collect();
    if chosen.is_empty() {
        chosen = weights.iter().take(NAME_TERMS).copied().collect();
    }
    chosen
}

/// A name per cluster: the labels of its [`name_terms`] joined by " · "
/// (`Cluster k` when it has none). `members[k]` are cluster `k`'s articles.
pub fn names(c: &Collection, weights: &[Vec<Weighted>], members: &[Vec<usize>]) -> Vec<String> {
    weights
        .iter()
        .zip(members)
        .enumerate()
        .map(|(k, (weights, members))| {
            let terms = name_terms(weights, members.len());
            if terms.is_empty() {
                format!("Cluster {k}")
            } else {
                terms
                    .iter()
                    .map(|w| c.concepts[w.concept].label.as_str())
                    .collect::<Vec<_>>()
                    .join(" · ")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinctive_beats_frequent() {
        // Concept 0 is everywhere; concept 1 only in cluster 0; concept 2 only in cluster 1.
        let concepts_of = vec![vec![0, 1], vec![0, 1], vec![0, 1], vec![0, 2], vec![0, 2]];
        let cluster_of = vec![Some(0), Some(0), Some(0), Some(1), Some(1)];
        let w = weights(&concepts_of, &cluster_of, 2, 3);
        assert_eq!(w[0][0].concept, 1);
        assert_eq!(w[1][0].concept, 2);
        assert!(w[0][1].score < w[0][0].score);
        assert_eq!(name_terms(&w[0], 3)[0].concept, 1);
    }

    #[test]
    fn articles_without_a_cluster_are_left_out() {
        let w = weights(&[vec![0], vec![1]], &[Some(0), None], 1, 2);
        assert_eq!(w[0].len(), 1);
        assert_eq!(w[0][0].concept, 0);
    }
}
