//! Minting IRIs from stable keys under the base IRI — the only place IRIs are made.

use super::vocab::ONTOLOGY;
use crate::model::ConceptKind;
use crate::normalize::iri_segment;
use oxigraph::model::NamedNode;

/// Mints the IRIs of one store. Every IRI is the base IRI plus a path built
/// from a stable key, so the same input always gives the same IRIs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Iris {
    base: String,
}

/// Why a base IRI was refused.
#[derive(Debug, thiserror::Error)]
#[error("invalid base IRI `{iri}`: {reason}")]
pub struct BaseIriError {
    /// The IRI given.
    pub iri: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Iris {
    /// Checks the base IRI: absolute, and ending in `/` or `#` so paths can follow.
    pub fn new(base: &str) -> Result<Iris, BaseIriError> {
        let error = |reason: &str| BaseIriError {
            iri: base.to_string(),
            reason: reason.to_string(),
        };
        NamedNode::new(base).map_err(|e| error(&e.to_string()))?;
        if !(base.ends_with('/') || base.ends_with('#')) {
            return Err(error("it must end with `/` or `#`"));
        }
        Ok(Iris {
            base: base.to_string(),
        })
    }

    /// The base IRI, ending in `/` or `#`.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn mint(&self, parts: &[&str]) -> NamedNode {
        let mut iri = String::with_capacity(self.base.len() + 48);
        iri.push_str(&self.base);
        for p in parts {
            iri.push_str(p);
        }
        NamedNode::new_unchecked(iri)
    }

    /// An article: `{base}article/{id}`.
    pub fn article(&self, id: &str) -> NamedNode {
        self.mint(&["article/", id])
    }

    /// The named graph of an article's statements: `{base}graph/article/{id}`.
    pub fn article_graph(&self, id: &str) -> NamedNode {
        self.mint(&["graph/article/", id])
    }

    /// The named graph of the collection-wide statements: `{base}graph/collection`.
    pub fn collection_graph(&self) -> NamedNode {
        self.mint(&["graph/collection"])
    }

    /// The graph analysis results of one projection are written to.
    pub fn analysis_graph(&self, projection: &str) -> NamedNode {
        self.mint(&["graph/analysis/", projection])
    }

    /// The named graph the ontology is loaded into (the ontology's own IRI).
    pub fn ontology_graph(&self) -> NamedNode {
        NamedNode::new_unchecked(ONTOLOGY)
    }

    /// An article's seed file: `{base}file/{id}`.
    pub fn seed_file(&self, article_id: &str) -> NamedNode {
        self.mint(&["file/", article_id])
    }

    /// An unknown section of an article, by position.
    pub fn section(&self, article_id: &str, position: usize) -> NamedNode {
        self.mint(&["article/", article_id, "/section/", &position.to_string()])
    }

    /// A signal: `{base}signal/{id}-{row}`.
    pub fn signal(&self, article_id: &str, row: u32) -> NamedNode {
        self.mint(&["signal/", article_id, "-", &row.to_string()])
    }

    /// A cell of a signal row's extra columns, by position.
    pub fn cell(&self, article_id: &str, row: u32, position: usize) -> NamedNode {
        self.mint(&[
            "signal/",
            article_id,
            "-",
            &row.to_string(),
            "/cell/",
            &position.to_string(),
        ])
    }

    /// A theme, keyword or driving force, from its normalised key.
    pub fn concept(&self, kind: ConceptKind, key: &str) -> NamedNode {
        self.mint(&[kind.slug(), "/", &iri_segment(key)])
    }

    /// The SKOS concept scheme of a kind: `{base}scheme/{kind}s`.
    pub fn scheme(&self, kind: ConceptKind) -> NamedNode {
        self.mint(&["scheme/", kind.slug(), "s"])
    }

    /// A source host: `{base}source/{host}`.
    pub fn source(&self, host: &str) -> NamedNode {
        self.mint(&["source/", &iri_segment(host)])
    }

    /// A trend followed through time: `{base}trend/{n}`.
    pub fn trend(&self, n: u32) -> NamedNode {
        self.mint(&["trend/", &n.to_string()])
    }

    /// A time window of the trends: `{base}window/{kind}/{YYYY-MM-DD}` (its first day).
    pub fn window(&self, kind: &str, start: &str) -> NamedNode {
        self.mint(&["window/", kind, "/", start])
    }

    /// A lineage event: `{base}lineage/{kind}/{YYYY-MM-DD}/{trend}`, where the
    /// date is the first day of the window it was seen in and the trend the
    /// one that names it in that window (the trend born, or the one after a
    /// merge; the trend that died, or the one before a split).
    pub fn lineage_event(&self, kind: &str, date: &str, trend: u32) -> NamedNode {
        self.mint(&["lineage/", kind, "/", date, "/", &trend.to_string()])
    }

    /// A burst of a concept: `{base}burst/{kind}/{slug}/{YYYY-MM-DD}` (its first day).
    pub fn burst(&self, kind: ConceptKind, key: &str, start: &str) -> NamedNode {
        self.mint(&["burst/", kind.slug(), "/", &iri_segment(key), "/", start])
    }

    /// A digest issue, from its `YYYYMMDD` date.
    pub fn digest(&self, yyyymmdd: &str) -> NamedNode {
        self.mint(&["digest/", yyyymmdd])
    }

    /// Cluster `index` (0 = largest) of `level` in the analysis of `projection`.
    pub fn cluster(&self, projection: &str, level: usize, index: u32) -> NamedNode {
        self.mint(&[
            "cluster/",
            projection,
            "/",
            &level.to_string(),
            "/",
            &index.to_string(),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iris_are_readable_and_stable() {
        let iris = Iris::new("https://example.org/kg/").unwrap();
        assert_eq!(
            iris.concept(ConceptKind::DrivingForce, "cost reduction and efficiency")
                .as_str(),
            "https://example.org/kg/driving-force/cost_reduction_and_efficiency"
        );
        assert_eq!(
            iris.signal("5dd56928cd244e73", 3).as_str(),
            "https://example.org/kg/signal/5dd56928cd244e73-3"
        );
        assert_eq!(
            iris.scheme(ConceptKind::Keyword).as_str(),
            "https://example.org/kg/scheme/keywords"
        );
        assert_eq!(
            iris.window("quarter", "2025-04-01").as_str(),
            "https://example.org/kg/window/quarter/2025-04-01"
        );
        assert_eq!(
            iris.lineage_event("merge", "2025-04-01", 7).as_str(),
            "https://example.org/kg/lineage/merge/2025-04-01/7"
        );
        assert_eq!(
            iris.burst(ConceptKind::Keyword, "job cuts", "2025-01-01")
                .as_str(),
            "https://example.org/kg/burst/keyword/job_cuts/2025-01-01"
        );
        assert!(Iris::new("not an iri").is_err());
        assert!(Iris::new("https://example.org/kg").is_err());
    }
}
