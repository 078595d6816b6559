//! The report's data model: the serde types every writer formats, and how its numbers are rounded.

use super::links::{Gap, Neighbour};
use super::trajectory::Status;
use super::weak::WeakSignal;
use serde::{Deserialize, Serialize};

/// The value of the report's `format` key; changes when keys change meaning.
pub const FORMAT: &str = "signalgraph-report/1";

/// The whole report. The JSON keys are stable (README.md, `docs/report.schema.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`FORMAT`].
    pub format: String,
    pub collection: CollectionFacts,
    pub analysis: AnalysisFacts,
    pub status_rule: StatusRule,
    /// What could not be computed, and fallbacks taken.
    pub notes: Vec<String>,
    /// Articles per quarter over the collection's dated period.
    pub timeline: Timeline,
    /// Every level-0 cluster of the articles analysis, ranked by size.
    pub clusters: Vec<ClusterReport>,
    pub map: ClusterMap,
    /// Signals per driving force and cluster (the heat map).
    pub driving_forces: ForceOverview,
    /// Cluster pairs that share concepts yet have few direct links.
    pub gaps: Vec<Gap>,
    pub weak_signals: Vec<WeakSignal>,
}

impl Report {
    /// The name of `cluster` as the gap `g` records it.
    pub fn gaps_name(&self, g: &Gap, cluster: u32) -> String {
        let i = usize::from(g.clusters[1] == cluster);
        g.names[i].clone()
    }
}

/// Counts of the collection, as `signalgraph stats` gives them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollectionFacts {
    pub articles: usize,
    pub stub_articles: usize,
    pub signals: usize,
    pub themes: usize,
    pub keywords: usize,
    pub driving_forces: usize,
    pub sources: usize,
    /// `YYYY-MM-DD`, or null when no article is dated.
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub undated_articles: usize,
}

/// What the report's clusters come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisFacts {
    /// Always `articles`: trend clusters are clusters of articles.
    pub projection: String,
    /// Always 0: the clusters of the whole projection.
    pub level: usize,
    pub clusters: usize,
    /// Newman's modularity of the clustering, as stored; null when undefined.
    pub modularity: Option<f64>,
    pub clustered_articles: usize,
    /// Articles the stored analysis does not know (it is older than the build).
    pub unclustered_articles: usize,
    /// `full` when signals have their own measures, else `articles` (each
    /// signal has its article's).
    pub signal_measures: String,
}

/// The trajectory status rule and its parameters (see [`trajectory`](super::trajectory)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusRule {
    pub text: String,
    pub min_dated_articles: usize,
    pub min_period_days: i64,
    pub recent_fraction: f64,
    pub emerging_share: f64,
    pub growing_from_mean_position: f64,
    pub declining_up_to_mean_position: f64,
    /// The first day of the recent part of this collection's period.
    pub recent_since: Option<String>,
}

/// Quarter labels (`2024 Q3`) and the collection's dated articles in each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    pub quarters: Vec<String>,
    pub articles: Vec<u32>,
}

/// One trend cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// 1 for the largest.
    pub rank: usize,
    /// The cluster's number in the store (`{base}cluster/articles/0/{cluster}`).
    pub cluster: u32,
    pub iri: String,
    /// Its most distinctive concepts, joined by ` · `.
    pub name: String,
    /// The most distinctive concepts, best first (c-TF-IDF).
    pub terms: Vec<Term>,
    pub articles: usize,
    pub signals: usize,
    pub dated_articles: usize,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Dated articles per quarter, aligned with [`Timeline::quarters`].
    pub quarters: Vec<u32>,
    pub status: Status,
    pub status_reason: String,
    pub recent_share: Option<f64>,
    pub mean_position: Option<f64>,
    pub central_signals: Vec<SignalRef>,
    /// Signals per driving force, most first.
    pub driving_forces: Vec<Count>,
    /// Articles per theme, most first.
    pub themes: Vec<Count>,
    pub representative_articles: Vec<ArticleRef>,
    pub neighbours: Vec<Neighbour>,
    /// The newest articles of the cluster (at most 30).
    pub newest_articles: Vec<ArticleRef>,
    /// Every article of the cluster, newest first (undated last).
    pub article_ids: Vec<String>,
}

/// A concept and its c-TF-IDF weight in a cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub label: String,
    /// `theme`, `keyword` or `driving-force`.
    pub kind: String,
    /// Articles of the cluster naming it.
    pub articles: u32,
    pub score: f64,
}

/// A label and how often it occurs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub count: u32,
}

/// An article, as cited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleRef {
    pub id: String,
    pub iri: String,
    pub title: String,
    pub date: Option<String>,
    /// The published news item.
    pub source_url: Option<String>,
}

/// A signal, as cited, with the article it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalRef {
    pub iri: String,
    pub row: u32,
    pub text: String,
    pub change: String,
    /// What it may look like in ten years.
    pub horizon: String,
    pub driving_force: Option<String>,
    /// The cluster of its article.
    pub cluster: Option<u32>,
    pub pagerank: Option<f64>,
    pub betweenness: Option<f64>,
    pub article: ArticleRef,
}

/// The cluster map: laid-out articles coloured by cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterMap {
    /// Side of the square the positions fit in.
    pub size: f64,
    pub articles: usize,
    /// Points drawn (all articles up to 4,000, else an even sample).
    pub points: Vec<MapPoint>,
    /// Links drawn, as indexes into `points` (small maps only).
    pub edges: Vec<[u32; 2]>,
    /// Cluster labels at the centroid of their articles.
    pub labels: Vec<MapLabel>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    pub x: f64,
    pub y: f64,
    pub cluster: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapLabel {
    pub cluster: u32,
    pub rank: usize,
    pub x: f64,
    pub y: f64,
    pub name: String,
}

/// Signals of the main driving forces (rows) in the largest clusters (columns).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForceOverview {
    pub forces: Vec<String>,
    pub clusters: Vec<u32>,
    /// `signals[force][cluster]`.
    pub signals: Vec<Vec<u32>>,
    /// All signals of each listed cluster (for shares).
    pub cluster_signals: Vec<u32>,
}

/// `v` rounded to 6 significant digits, if finite: enough to rank by and
/// stable in the last digits whatever path computed it.
pub fn finite(v: f64) -> Option<f64> {
    v.is_finite().then(|| round6(v))
}

/// `v` rounded to 6 significant digits.
pub fn round6(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() { 0.0 } else { v };
    }
    format!("{v:.5e}").parse().unwrap_or(v)
}
