//! Counts over a collection, as `signalgraph stats` prints them.

use super::{Collection, ConceptKind, Resolution};
use serde::{Deserialize, Serialize};

/// Article counts: read from files, and stubs known only from closest links.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleCounts {
    pub read: usize,
    pub stub: usize,
}

/// Closest-link counts by how they resolved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkCounts {
    pub total: usize,
    pub resolved: usize,
    pub resolved_by_id: usize,
    pub resolved_by_title: usize,
    /// Links that point at stubs.
    pub unresolved: usize,
}

/// The span of digest dates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// `YYYY-MM-DD`, or null when no article has a date.
    pub first: Option<String>,
    pub last: Option<String>,
    pub undated_articles: usize,
}

/// What `signalgraph stats` reports. The JSON keys are stable (documented in README.md).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Articles, read and stub.
    pub articles: ArticleCounts,
    /// Signal rows.
    pub signals: usize,
    /// Distinct themes.
    pub themes: usize,
    /// Distinct keywords.
    pub keywords: usize,
    /// Distinct driving forces.
    pub driving_forces: usize,
    /// Distinct publisher hosts.
    pub sources: usize,
    /// Digest issues.
    pub digests: usize,
    /// Closest links, by how they resolved.
    pub closest_links: LinkCounts,
    /// Quads in the store, over every named graph (ontology and analysis included).
    pub triples: u64,
    /// Named graphs in the store.
    pub graphs: usize,
    /// The dated period of the articles.
    pub dates: DateRange,
}

impl Stats {
    /// Counts everything but `triples` and `graphs`, which the store fills in.
    pub fn of(c: &Collection) -> Stats {
        let concepts = |kind| c.concepts.iter().filter(|x| x.kind == kind).count();
        let mut links = LinkCounts::default();
        for l in c.links.iter().flat_map(|l| &l.closest) {
            links.total += 1;
            match l.resolution {
                Resolution::ById => links.resolved_by_id += 1,
                Resolution::ByTitle => links.resolved_by_title += 1,
                Resolution::Unresolved => links.unresolved += 1,
            }
        }
        links.resolved = links.resolved_by_id + links.resolved_by_title;
        let dates = c.articles.iter().filter_map(|i| i.article.date);
        Stats {
            articles: ArticleCounts {
                read: c.articles.len(),
                stub: c.stubs.len(),
            },
            signals: c.articles.iter().map(|i| i.article.signals.len()).sum(),
            themes: concepts(ConceptKind::Theme),
            keywords: concepts(ConceptKind::Keyword),
            driving_forces: concepts(ConceptKind::DrivingForce),
            sources: c.sources.len(),
            digests: c.digests.len(),
            closest_links: links,
            triples: 0,
            graphs: 0,
            dates: DateRange {
                first: dates.clone().min().map(|d| d.to_string()),
                last: dates.max().map(|d| d.to_string()),
                undated_articles: c
                    .articles
                    .iter()
                    .filter(|i| i.article.date.is_none())
                    .count(),
            },
        }
    }
}
