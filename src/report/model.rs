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
    /// Counts of the whole collection.
    pub collection: CollectionFacts,
    /// Which analysis the clusters come from.
    pub analysis: AnalysisFacts,
    /// The rule that gives each cluster its trajectory status.
    pub status_rule: StatusRule,
    /// What could not be computed, and fallbacks taken.
    pub notes: Vec<String>,
    /// Articles per quarter over the collection's dated period.
    pub timeline: Timeline,
    /// Every level-0 cluster of the articles analysis, ranked by size.
    pub clusters: Vec<ClusterReport>,
    /// The cluster map of the collection's articles.
    pub map: ClusterMap,
    /// Signals per driving force and cluster (the heat map).
    pub driving_forces: ForceOverview,
    /// Cluster pairs that share concepts yet have few direct links.
    pub gaps: Vec<Gap>,
    /// Concepts seen in few articles but recently and in several clusters.
    pub weak_signals: Vec<WeakSignal>,
    /// The trends: clusters followed through time with ids that stay
    /// (empty for a report made before trends were kept).
    #[serde(default)]
    pub trends: Vec<TrendEntry>,
    /// What changed since the previous scan, or since a date (`None` before
    /// a second scan, unless a date is given).
    #[serde(default)]
    pub since: Option<Since>,
    /// Scans the store remembers (0 when it keeps no trends).
    #[serde(default)]
    pub scans: usize,
    /// The trends through time windows and the events between them.
    #[serde(default)]
    pub lineage: LineageReport,
    /// The strongest concept bursts, and every burst that started since.
    #[serde(default)]
    pub bursts: Vec<BurstEntry>,
}

/// What changed: since the previous scan, or since a date (see [`changes`](super::changes)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Since {
    /// `scan` (the last scan against the one before) or `date` (`report --since`).
    pub basis: String,
    /// `YYYY-MM-DD`: of the previous scan, or the date given.
    pub date: String,
    /// Ids of the articles added (by the last scan, or dated after the date), sorted.
    pub new_articles: Vec<String>,
    /// The latest date of the articles before (`None` when none is dated):
    /// events and bursts after it are new.
    pub before_last_date: Option<String>,
    /// The added articles by their trend now, largest group first.
    pub by_trend: Vec<AddedGroup>,
    /// Trends found since (ids).
    pub new_trends: Vec<u32>,
    /// Trends whose status differs from the status the rule gives their
    /// articles before.
    pub status_changes: Vec<StatusChange>,
    /// Indexes into `lineage.events` of the events seen since.
    pub events: Vec<usize>,
    /// Indexes into `bursts` of the bursts that started since.
    pub bursts: Vec<usize>,
}

/// Added articles of one trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AddedGroup {
    /// The trend, or null for articles without one.
    pub trend: Option<u32>,
    /// The trend's name (empty without a trend).
    pub name: String,
    /// The added articles, newest first.
    pub articles: Vec<ArticleRef>,
}

/// A trend whose status changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    /// The trend.
    pub trend: u32,
    /// Its name.
    pub name: String,
    /// The status of its articles before.
    pub before: Status,
    /// Its status now.
    pub after: Status,
}

/// The lineage: windows, every trend seen in them, and the events.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LineageReport {
    /// The window kind (`month`, `quarter`, `year`, `Nd`), empty without windows.
    pub window: String,
    /// The windows, oldest first.
    pub windows: Vec<WindowEntry>,
    /// Every trend seen in a window or a cluster now, by id.
    pub trends: Vec<LineageTrend>,
    /// Birth, death, merge and split events, in window order.
    pub events: Vec<EventEntry>,
    /// The ribbons between trends: merges, splits and continuations under
    /// another id, by window then trends.
    pub flows: Vec<Flow>,
}

/// Trend `from` flowing into trend `to` in `window` (a merge, a split, or a
/// continuation under another id), with the articles that show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// The later window.
    pub window: usize,
    /// The trend before.
    pub from: u32,
    /// The trend after.
    pub to: u32,
    /// How many articles moved.
    pub articles: u32,
}

/// One time window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowEntry {
    /// First day, `YYYY-MM-DD`.
    pub start: String,
    /// Last day, `YYYY-MM-DD`.
    pub end: String,
    /// Articles dated in it.
    pub articles: u32,
}

/// One trend through the windows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LineageTrend {
    /// The trend's id.
    pub id: u32,
    /// Its name.
    pub name: String,
    /// Its cluster in the last analysis, if it is one.
    pub cluster: Option<u32>,
    /// Its articles dated in each window.
    pub windows: Vec<u32>,
    /// `active`, `dormant` or `ended` at the end of the timeline.
    pub activity: Option<String>,
}

/// One lineage event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventEntry {
    /// `birth`, `death`, `merge` or `split`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Start of the window where it was seen.
    pub date: String,
    /// That window's index in `lineage.windows`.
    pub window: usize,
    /// Trend ids before.
    pub from: Vec<u32>,
    /// Trend ids after.
    pub to: Vec<u32>,
    /// Every article that shows it, by date then id.
    pub article_ids: Vec<String>,
    /// The first few of them, as cited.
    pub cited: Vec<ArticleRef>,
}

/// One burst of a concept.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BurstEntry {
    /// The concept's label.
    pub label: String,
    /// `theme`, `keyword` or `driving-force`.
    pub kind: String,
    /// First day of its first month.
    pub start: String,
    /// Last day of its last month.
    pub end: String,
    /// Kleinberg's weight.
    pub weight: f64,
    /// Whether it reaches the collection's last month.
    pub now: bool,
    /// The articles naming the concept in those months, by date then id.
    pub article_ids: Vec<String>,
    /// The first few of them, as cited.
    pub cited: Vec<ArticleRef>,
}

/// A trend: a cluster of the articles analysis with its lasting id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendEntry {
    /// The trend's id, never given to another trend.
    pub id: u32,
    /// `{base}trend/{id}`.
    pub iri: String,
    /// The cluster's name.
    pub name: String,
    /// The cluster's status.
    pub status: Status,
    /// The cluster it is in this analysis.
    pub cluster: u32,
    /// Its articles' ids, sorted.
    pub article_ids: Vec<String>,
    /// Its articles dated in each window of `lineage.windows`.
    #[serde(default)]
    pub windows: Vec<u32>,
    /// `active`, `dormant` or `ended` at the end of the timeline (null without windows).
    #[serde(default)]
    pub activity: Option<String>,
    /// Its quadrant on the strategic diagram (`motor`, `basic`, `niche`,
    /// `emerging-or-declining`), when placed.
    #[serde(default)]
    pub quadrant: Option<String>,
    /// Weight of its links to other trends.
    #[serde(default)]
    pub centrality: Option<f64>,
    /// Weight of its links inside, per article.
    #[serde(default)]
    pub density: Option<f64>,
    /// Indexes into `lineage.events` of the events it takes part in.
    #[serde(default)]
    pub events: Vec<usize>,
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
    /// Articles read from seed files.
    pub articles: usize,
    /// Articles known only from links (no seed file of their own).
    pub stub_articles: usize,
    /// Signals (rows of the articles' signal tables).
    pub signals: usize,
    /// Distinct themes.
    pub themes: usize,
    /// Distinct keywords.
    pub keywords: usize,
    /// Distinct driving forces.
    pub driving_forces: usize,
    /// Distinct source hosts of the articles' news items.
    pub sources: usize,
    /// `YYYY-MM-DD`, or null when no article is dated.
    pub first_date: Option<String>,
    /// `YYYY-MM-DD` of the newest dated article, or null.
    pub last_date: Option<String>,
    /// Articles without a date.
    pub undated_articles: usize,
}

/// What the report's clusters come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisFacts {
    /// Always `articles`: trend clusters are clusters of articles.
    pub projection: String,
    /// Always 0: the clusters of the whole projection.
    pub level: usize,
    /// Level-0 clusters in the analysis.
    pub clusters: usize,
    /// Newman's modularity of the clustering, as stored; null when undefined.
    pub modularity: Option<f64>,
    /// Articles that have a cluster.
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
    /// The rule in words, as the report prints it.
    pub text: String,
    /// Fewest dated articles a cluster needs for a status.
    pub min_dated_articles: usize,
    /// Shortest dated period (first to last article), in days, a status needs.
    pub min_period_days: i64,
    /// The recent part of the period, as a fraction of it (0.25).
    pub recent_fraction: f64,
    /// Share of dated articles in the recent part that makes a cluster emerging.
    pub emerging_share: f64,
    /// Mean position (0 first date, 1 last) from which a cluster is growing.
    pub growing_from_mean_position: f64,
    /// Mean position up to which a cluster is declining.
    pub declining_up_to_mean_position: f64,
    /// The first day of the recent part of this collection's period.
    pub recent_since: Option<String>,
}

/// Quarter labels (`2024 Q3`) and the collection's dated articles in each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Quarter labels, oldest first (`2024 Q3`).
    pub quarters: Vec<String>,
    /// The collection's dated articles per quarter, aligned with `quarters`.
    pub articles: Vec<u32>,
}

/// One trend cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// 1 for the largest.
    pub rank: usize,
    /// The cluster's number in the store (`{base}cluster/articles/0/{cluster}`).
    pub cluster: u32,
    /// The cluster's IRI in the store.
    pub iri: String,
    /// Its most distinctive concepts, joined by ` · `.
    pub name: String,
    /// The most distinctive concepts, best first (c-TF-IDF).
    pub terms: Vec<Term>,
    /// Articles in the cluster.
    pub articles: usize,
    /// Signals of those articles.
    pub signals: usize,
    /// Articles of the cluster that have a date.
    pub dated_articles: usize,
    /// `YYYY-MM-DD` of its oldest dated article.
    pub first_date: Option<String>,
    /// `YYYY-MM-DD` of its newest dated article.
    pub last_date: Option<String>,
    /// Dated articles per quarter, aligned with [`Timeline::quarters`].
    pub quarters: Vec<u32>,
    /// Where the cluster is heading (see [`StatusRule`]).
    pub status: Status,
    /// Why it got that status, in words.
    pub status_reason: String,
    /// Share of its dated articles in the recent part of the period.
    pub recent_share: Option<f64>,
    /// Mean position of its dated articles in the period (0 first date, 1 last).
    pub mean_position: Option<f64>,
    /// Its signals of highest PageRank.
    pub central_signals: Vec<SignalRef>,
    /// Signals per driving force, most first.
    pub driving_forces: Vec<Count>,
    /// Articles per theme, most first.
    pub themes: Vec<Count>,
    /// Its most central articles.
    pub representative_articles: Vec<ArticleRef>,
    /// Two or three sentences from its representative articles' summaries
    /// that cover its distinctive concepts (see `report::brief`).
    #[serde(default)]
    pub brief: Vec<BriefSentence>,
    /// The clusters it links to most.
    pub neighbours: Vec<Neighbour>,
    /// The newest articles of the cluster (at most 30).
    pub newest_articles: Vec<ArticleRef>,
    /// Every article of the cluster, newest first (undated last).
    pub article_ids: Vec<String>,
}

/// A sentence of a cluster's brief, as its article's summary writes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BriefSentence {
    /// The sentence.
    pub text: String,
    /// The cluster's distinctive concepts it names.
    pub concepts: Vec<String>,
    /// The article whose summary it is from.
    pub article: ArticleRef,
}

/// A concept and its c-TF-IDF weight in a cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// The concept's label.
    pub label: String,
    /// `theme`, `keyword` or `driving-force`.
    pub kind: String,
    /// Articles of the cluster naming it.
    pub articles: u32,
    /// The c-TF-IDF weight (rounded to 6 significant digits).
    pub score: f64,
}

/// A label and how often it occurs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Count {
    /// The label.
    pub label: String,
    /// How often it occurs.
    pub count: u32,
}

/// An article, as cited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleRef {
    /// The article's 32-hex-digit id.
    pub id: String,
    /// The article's IRI in the store.
    pub iri: String,
    /// Its title.
    pub title: String,
    /// `YYYY-MM-DD`, or null when undated.
    pub date: Option<String>,
    /// The published news item.
    pub source_url: Option<String>,
}

/// A signal, as cited, with the article it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalRef {
    /// The signal's IRI in the store.
    pub iri: String,
    /// Its row in the article's signal table (from 1).
    pub row: u32,
    /// The signal's text.
    pub text: String,
    /// The change it describes (from what to what).
    pub change: String,
    /// What it may look like in ten years.
    pub horizon: String,
    /// Its driving force, if given.
    pub driving_force: Option<String>,
    /// The cluster of its article.
    pub cluster: Option<u32>,
    /// PageRank in the signal-level analysis, when computed.
    pub pagerank: Option<f64>,
    /// Betweenness in the signal-level analysis, when computed.
    pub betweenness: Option<f64>,
    /// The article the signal comes from.
    pub article: ArticleRef,
}

/// The cluster map: laid-out articles coloured by cluster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterMap {
    /// Side of the square the positions fit in.
    pub size: f64,
    /// Articles in the collection (all, drawn or not).
    pub articles: usize,
    /// Points drawn (all articles up to 4,000, else an even sample).
    pub points: Vec<MapPoint>,
    /// Links drawn, as indexes into `points` (small maps only).
    pub edges: Vec<[u32; 2]>,
    /// Cluster labels at the centroid of their articles.
    pub labels: Vec<MapLabel>,
}

/// One article on the cluster map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapPoint {
    /// Horizontal position, from 0 to [`ClusterMap::size`].
    pub x: f64,
    /// Vertical position, from 0 to [`ClusterMap::size`].
    pub y: f64,
    /// The article's cluster, or null when it has none.
    pub cluster: Option<u32>,
}

/// A cluster's label on the map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapLabel {
    /// The cluster's number.
    pub cluster: u32,
    /// Its rank by size (1 for the largest).
    pub rank: usize,
    /// Horizontal position of its articles' centroid.
    pub x: f64,
    /// Vertical position of its articles' centroid.
    pub y: f64,
    /// Its name (most distinctive concepts).
    pub name: String,
}

/// Signals of the main driving forces (rows) in the largest clusters (columns).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForceOverview {
    /// The driving forces shown, one per row.
    pub forces: Vec<String>,
    /// The clusters shown, one per column.
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
