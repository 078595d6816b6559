//! What concept alignment did to a collection: merges, links and hierarchy, with their evidence.

use super::{Concept, ConceptId};
use crate::align::{Aligned, Evidence, Settings};

/// The alignment of a collection's concepts (see [`crate::align`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Alignment {
    /// Whether the automatic rules ran.
    pub automatic: bool,
    /// The hash of the vocabulary that decided merges, if any.
    pub vocabulary: Option<String>,
    /// Every edge that joined two groups, each with its group, sorted by
    /// group, then in the order it was joined.
    pub evidence: Vec<(u32, Evidence)>,
    /// `(narrower, broader)` concepts from the vocabulary, sorted.
    pub broader: Vec<(ConceptId, ConceptId)>,
}

impl Alignment {
    pub(super) fn of(concepts: &[Concept], aligned: &Aligned, settings: &Settings) -> Alignment {
        let mut evidence: Vec<(u32, Evidence)> = aligned
            .evidence
            .iter()
            .map(|e| (aligned.group_of(&e.a).unwrap_or_default(), e.clone()))
            .collect();
        evidence.sort_by_key(|(g, _)| *g);
        // Concepts of each group, in kind order.
        let mut by_group: Vec<Vec<ConceptId>> = vec![Vec::new(); aligned.groups()];
        for (id, c) in concepts.iter().enumerate() {
            by_group[c.group as usize].push(id);
        }
        let mut broader = Vec::new();
        for &(narrow, wide) in &aligned.broader {
            let wide_ids = &by_group[wide as usize];
            for &n in &by_group[narrow as usize] {
                let kind = concepts[n].kind;
                let target = wide_ids
                    .iter()
                    .copied()
                    .find(|&w| concepts[w].kind == kind)
                    .or_else(|| wide_ids.first().map(|&w| concepts[w].meaning));
                if let Some(w) = target {
                    broader.push((n, w));
                }
            }
        }
        broader.sort_unstable();
        broader.dedup();
        Alignment {
            automatic: settings.automatic,
            vocabulary: settings.vocabulary_hash().map(str::to_string),
            evidence,
            broader,
        }
    }

    /// The evidence of one group.
    pub fn evidence_of(&self, group: u32) -> &[(u32, Evidence)] {
        let start = self.evidence.partition_point(|(g, _)| *g < group);
        let end = self.evidence.partition_point(|(g, _)| *g <= group);
        &self.evidence[start..end]
    }
}
