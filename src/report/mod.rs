//! The trend-cluster report: what a collection's clusters are, where they are heading, what drives them and where they meet.
//!
//! [`build`] turns a collection, the stored analyses of its `articles`
//! projection (the trend clusters: level 0) and, when present, of its `full`
//! projection (signal-level PageRank and betweenness), plus a layout of the
//! articles projection, into a [`Report`]: a plain data model that
//! [`html`], [`markdown`] and [`json`] write out. Everything in it is
//! computed from the graph and deterministic: the same store gives the same
//! bytes. Every cluster, signal and bridge names the articles behind it.
//!
//! The parts: [`naming`] (c-TF-IDF cluster names), [`trajectory`] (articles
//! per quarter and the status rule), [`links`] (neighbours, bridging
//! articles, signals and concepts, structural gaps), [`weak`] (weak signals)
//! and [`svg`] (the pictures); [`layout`] places the map's articles (the
//! exact layout of a small projection, a sampled stand-in graph for a large
//! one). [`compute`] reads everything from a store;
//! [`load_or_compute`] reuses the model a previous run saved in the store
//! (`report-cache.json`) while the store's files are unchanged, which is what
//! makes a report of a large store quick.

pub mod html;
pub mod json;
pub mod layout;
pub mod links;
pub mod markdown;
pub mod naming;
pub mod svg;
pub mod trajectory;
pub mod weak;

use crate::analyze::stored::{self, StoredAnalysis};
use crate::analyze::Measure;
use crate::graph::{NodeRef, ProjectedGraph, Projection, ProjectionOptions};
use crate::model::{Collection, ConceptId};
use crate::progress::Progress;
use crate::seed::Date;
use crate::store::{Iris, StoreDir, StoreError};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use trajectory::{Period, Status};

/// The value of the report's `format` key; changes when keys change meaning.
pub const FORMAT: &str = "signalgraph-report/1";

/// Most clusters drawn with a label on the map.
const MAP_LABELS: usize = 20;
/// Most articles drawn on the map; larger collections are sampled evenly.
pub const MAP_POINTS: usize = 4000;
/// Links are drawn on maps of at most this many articles.
const MAP_EDGES_UP_TO: usize = 600;
/// Side of the map's square view box.
pub const MAP_SIZE: f64 = 1000.0;
/// Entries per cluster in each top list.
const TOP: usize = 5;
/// Newest articles listed by title per cluster.
const NEWEST: usize = 30;
/// Driving forces (rows) and clusters (columns) of the overview heat map.
const OVERVIEW_FORCES: usize = 12;
const OVERVIEW_CLUSTERS: usize = 15;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} has no analysis of the articles projection; run `signalgraph analyze` (or `signalgraph run`) first")]
    NoAnalysis(PathBuf),
}

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
    pub gaps: Vec<links::Gap>,
    pub weak_signals: Vec<weak::WeakSignal>,
}

impl Report {
    /// The name of `cluster` as the gap `g` records it.
    pub fn gaps_name(&self, g: &links::Gap, cluster: u32) -> String {
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

/// The trajectory status rule and its parameters (see [`trajectory`]).
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
    pub neighbours: Vec<links::Neighbour>,
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

/// Everything [`build`] reads.
pub struct Inputs<'a> {
    pub collection: &'a Collection,
    pub iris: &'a Iris,
    /// The articles projection and its stored analysis.
    pub articles: &'a ProjectedGraph,
    pub article_analysis: &'a StoredAnalysis,
    /// The full projection and its stored analysis, when analysed.
    pub full: Option<(&'a ProjectedGraph, &'a StoredAnalysis)>,
    /// Layout positions of the articles projection's nodes, at least of
    /// those the map draws ([`layout::map_positions`]).
    pub positions: &'a [[f64; 2]],
}

/// Per-article and per-signal facts the parts of the report share.
pub(crate) struct Prepared<'a> {
    pub c: &'a Collection,
    pub iris: &'a Iris,
    /// The level-0 cluster of each article.
    pub cluster_of: Vec<Option<u32>>,
    pub clusters: usize,
    /// Articles of each cluster, in collection order.
    pub members: Vec<Vec<usize>>,
    /// Each article's themes, keywords and driving forces (sorted, unique).
    pub concepts_of: Vec<Vec<ConceptId>>,
    /// `ln((N + 1) / df)` of each concept.
    pub idf: Vec<f64>,
    pub article_pagerank: Vec<f64>,
    pub article_betweenness: Vec<f64>,
    pub article_degree: Vec<f64>,
    /// Index of each article's first signal in the signal vectors.
    pub signal_offset: Vec<usize>,
    pub signal_pagerank: Vec<f64>,
    pub signal_betweenness: Vec<f64>,
    pub period: Option<Period>,
    /// c-TF-IDF weights of each cluster's concepts, best first.
    pub weights: Vec<Vec<naming::Weighted>>,
    pub names: Vec<String>,
    pub trends: Vec<trajectory::Trend>,
    /// Article node of the articles projection for each node index.
    pub article_at: Vec<Option<usize>>,
}

impl Prepared<'_> {
    pub fn article_ref(&self, a: usize) -> ArticleRef {
        let article = &self.c.articles[a].article;
        ArticleRef {
            id: article.id.clone(),
            iri: self.iris.article(&article.id).into_string(),
            title: article.title.clone(),
            date: article.date.map(|d| d.to_string()),
            source_url: article.source_url.clone(),
        }
    }

    /// Signal `j` (0-based) of article `a`.
    pub fn signal_ref(&self, a: usize, j: usize) -> SignalRef {
        let article = &self.c.articles[a].article;
        let row = &article.signals[j];
        let index = self.signal_offset[a] + j;
        let driving_force = self.c.links[a].signals[j]
            .driving_force
            .map(|id| self.c.concepts[id].label.clone());
        SignalRef {
            iri: self.iris.signal(&article.id, row.row).into_string(),
            row: row.row,
            text: row.signal.clone(),
            change: row.change.clone(),
            horizon: row.horizon.clone(),
            driving_force,
            cluster: self.cluster_of[a],
            pagerank: finite(self.signal_pagerank[index]),
            betweenness: finite(self.signal_betweenness[index]),
            article: self.article_ref(a),
        }
    }

    /// The signals of article `a` as `(article, j)` pairs.
    pub fn signals_of(&self, a: usize) -> impl Iterator<Item = (usize, usize)> {
        (0..self.c.articles[a].article.signals.len()).map(move |j| (a, j))
    }

    /// Orders signals by betweenness, then PageRank (highest first), then position.
    pub fn by_betweenness(&self, x: &(usize, usize), y: &(usize, usize)) -> std::cmp::Ordering {
        let (i, k) = (self.signal_offset[x.0] + x.1, self.signal_offset[y.0] + y.1);
        key(self.signal_betweenness[k])
            .total_cmp(&key(self.signal_betweenness[i]))
            .then(key(self.signal_pagerank[k]).total_cmp(&key(self.signal_pagerank[i])))
            .then(x.cmp(y))
    }

    /// Orders signals by PageRank, then betweenness (highest first), then position.
    pub fn by_pagerank(&self, x: &(usize, usize), y: &(usize, usize)) -> std::cmp::Ordering {
        let (i, k) = (self.signal_offset[x.0] + x.1, self.signal_offset[y.0] + y.1);
        key(self.signal_pagerank[k])
            .total_cmp(&key(self.signal_pagerank[i]))
            .then(key(self.signal_betweenness[k]).total_cmp(&key(self.signal_betweenness[i])))
            .then(x.cmp(y))
    }

    pub fn name(&self, cluster: u32) -> String {
        self.names[cluster as usize].clone()
    }
}

/// A sort key for a score that may be NaN (missing): NaN sorts lowest.
fn key(v: f64) -> f64 {
    if v.is_nan() {
        f64::NEG_INFINITY
    } else {
        v
    }
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

/// Builds the report from a collection, its stored analyses and a layout.
pub fn build(inputs: &Inputs) -> Report {
    let c = inputs.collection;
    let mut notes = Vec::new();
    let p = prepare(inputs, &mut notes);

    let stats = c.stats();
    let collection = CollectionFacts {
        articles: stats.articles.read,
        stub_articles: stats.articles.stub,
        signals: stats.signals,
        themes: stats.themes,
        keywords: stats.keywords,
        driving_forces: stats.driving_forces,
        sources: stats.sources,
        first_date: stats.dates.first.clone(),
        last_date: stats.dates.last.clone(),
        undated_articles: stats.dates.undated_articles,
    };
    let level = inputs.article_analysis.levels.first();
    let clustered = p.cluster_of.iter().filter(|c| c.is_some()).count();
    let unclustered = c.articles.len() - clustered;
    if unclustered > 0 {
        notes.push(format!(
            "{unclustered} article(s) have no cluster: the stored analysis is older than the last build. Run `signalgraph analyze` again."
        ));
    }
    let modularity = level
        .map(|l| l.modularity)
        .filter(|q| q.is_finite())
        .map(|q| if q == 0.0 { 0.0 } else { round6(q) });
    if inputs.articles.edge_count() == 0 {
        notes.push(
            "The articles share no concepts or links: modularity is undefined and each article is a cluster of its own.".into(),
        );
    }
    if p.clusters == 1 {
        notes.push("All articles are in one cluster: there are no neighbours, bridges or gaps between clusters.".into());
    }
    let signal_measures = if inputs.full.is_some() {
        "full"
    } else {
        notes.push(
            "Signals have no measures of their own (no analysis of the full projection): each signal is ranked by its article's PageRank and betweenness. Run `signalgraph analyze --projection full` for signal-level measures.".into(),
        );
        "articles"
    };
    match &p.period {
        None => notes.push(
            "No article is dated: articles per quarter, statuses and weak signals cannot be computed.".into(),
        ),
        Some(period) if period.days() < trajectory::MIN_PERIOD_DAYS => notes.push(format!(
            "The dated articles span {} days: statuses need at least {}.",
            period.days(),
            trajectory::MIN_PERIOD_DAYS
        )),
        Some(_) => {}
    }
    if c.articles.len() < trajectory::MIN_DATED {
        notes.push(format!(
            "The collection has {} article(s): statuses need at least {} dated articles in a cluster.",
            c.articles.len(),
            trajectory::MIN_DATED
        ));
    }

    let timeline = timeline(&p);
    let mut order: Vec<u32> = (0..p.clusters as u32).collect();
    order.sort_by_key(|&k| (std::cmp::Reverse(p.members[k as usize].len()), k));
    let rank_of: BTreeMap<u32, usize> =
        order.iter().enumerate().map(|(r, &k)| (k, r + 1)).collect();

    let pairs = links::cross_links(&p, inputs.articles);
    let clusters: Vec<ClusterReport> = order
        .par_iter()
        .map(|&k| cluster_report(&p, k, rank_of[&k], &timeline, &pairs))
        .collect();

    let gaps = links::gaps(&p, &pairs);
    let weak_signals = weak::weak_signals(&p);
    if p.period.is_some() && weak_signals.is_empty() {
        notes.push("No weak signals: no recent article bridges clusters with few links, and no small cluster is emerging or growing.".into());
    }

    Report {
        format: FORMAT.to_string(),
        collection,
        analysis: AnalysisFacts {
            projection: Projection::Articles.name().to_string(),
            level: 0,
            clusters: p.clusters,
            modularity,
            clustered_articles: clustered,
            unclustered_articles: unclustered,
            signal_measures: signal_measures.to_string(),
        },
        status_rule: StatusRule {
            text: trajectory::rule_text(),
            min_dated_articles: trajectory::MIN_DATED,
            min_period_days: trajectory::MIN_PERIOD_DAYS,
            recent_fraction: trajectory::RECENT_FRACTION,
            emerging_share: round6(trajectory::EMERGING_SHARE),
            growing_from_mean_position: round6(0.5 + trajectory::TREND_MARGIN),
            declining_up_to_mean_position: round6(0.5 - trajectory::TREND_MARGIN),
            recent_since: p.period.map(|x| x.recent_since().to_string()),
        },
        notes,
        timeline,
        map: cluster_map(&p, inputs, &order, &rank_of),
        driving_forces: force_overview(&p, &order),
        clusters,
        gaps,
        weak_signals,
    }
}

/// Each article's level-0 cluster (`node_of[a]`: its node in the articles
/// projection), the number of clusters and their articles.
fn trend_membership(
    node_of: &[Option<usize>],
    analysis: &StoredAnalysis,
) -> (Vec<Option<u32>>, usize, Vec<Vec<usize>>) {
    let level = analysis.levels.first();
    let clusters = level.map_or(0, |l| l.count);
    let cluster_of: Vec<Option<u32>> = node_of
        .iter()
        .map(|node| {
            let m = level?.membership.get((*node)?)?;
            (*m != u32::MAX && (*m as usize) < clusters).then_some(*m)
        })
        .collect();
    let mut members = vec![Vec::new(); clusters];
    for (a, cluster) in cluster_of.iter().enumerate() {
        if let Some(k) = cluster {
            members[*k as usize].push(a);
        }
    }
    (cluster_of, clusters, members)
}

/// A name per cluster: the labels of its [`naming::name_terms`].
fn cluster_names(
    c: &Collection,
    weights: &[Vec<naming::Weighted>],
    members: &[Vec<usize>],
) -> Vec<String> {
    weights
        .iter()
        .zip(members)
        .enumerate()
        .map(|(k, (weights, members))| {
            let terms = naming::name_terms(weights, members.len());
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

/// The trend clusters of an analysis of the `articles` projection as the
/// report has them: each article's level-0 cluster (by index in the
/// collection) and each cluster's name.
pub fn trend_clusters(
    c: &Collection,
    articles: &ProjectedGraph,
    analysis: &StoredAnalysis,
) -> (Vec<Option<u32>>, Vec<String>) {
    let mut node_of = vec![None; c.articles.len()];
    for node in 0..articles.node_count() {
        if let NodeRef::Article(a) = articles.node(node as u32) {
            node_of[a] = Some(node);
        }
    }
    let (cluster_of, clusters, members) = trend_membership(&node_of, analysis);
    let concepts_of = crate::graph::projection::article_concepts(c);
    let weights = naming::weights(&concepts_of, &cluster_of, clusters, c.concepts.len());
    let names = cluster_names(c, &weights, &members);
    (cluster_of, names)
}

fn prepare<'a>(inputs: &Inputs<'a>, notes: &mut Vec<String>) -> Prepared<'a> {
    let c = inputs.collection;
    let n = c.articles.len();
    let graph = inputs.articles;
    let analysis = inputs.article_analysis;

    let article_at: Vec<Option<usize>> = (0..graph.node_count() as u32)
        .map(|node| match graph.node(node) {
            NodeRef::Article(a) => Some(a),
            _ => None,
        })
        .collect();
    let mut node_of = vec![None; n];
    for (node, a) in article_at.iter().enumerate() {
        if let Some(a) = a {
            node_of[*a] = Some(node);
        }
    }
    let (cluster_of, clusters, members) = trend_membership(&node_of, analysis);

    let per_article = |m: Measure| -> Option<Vec<f64>> {
        let scores = analysis.scores(m)?;
        Some(
            node_of
                .iter()
                .map(|node| node.map_or(f64::NAN, |i| scores[i]))
                .collect(),
        )
    };
    let article_pagerank = per_article(Measure::PageRank).unwrap_or_else(|| {
        notes.push("PageRank was not computed for the articles: central and representative items are ranked by degree.".into());
        per_article(Measure::WeightedDegree)
            .or_else(|| per_article(Measure::Degree))
            .unwrap_or_else(|| vec![f64::NAN; n])
    });
    let article_betweenness = per_article(Measure::Betweenness).unwrap_or_else(|| {
        notes.push("Betweenness was not computed for the articles: bridges and weak signals are ranked by PageRank.".into());
        vec![f64::NAN; n]
    });
    let article_degree = per_article(Measure::Degree).unwrap_or_else(|| {
        (0..n)
            .map(|a| {
                node_of[a].map_or(0.0, |i| {
                    graph
                        .graph
                        .neighbors(petgraph::graph::NodeIndex::new(i))
                        .count() as f64
                })
            })
            .collect()
    });

    let mut signal_offset = Vec::with_capacity(n);
    let mut total = 0;
    for input in &c.articles {
        signal_offset.push(total);
        total += input.article.signals.len();
    }
    let (signal_pagerank, signal_betweenness) = match inputs.full {
        Some((full, full_analysis)) => {
            let mut pagerank = vec![f64::NAN; total];
            let mut betweenness = vec![f64::NAN; total];
            let pr = full_analysis.scores(Measure::PageRank);
            let bc = full_analysis.scores(Measure::Betweenness);
            let found: Vec<(usize, f64, f64)> = (0..full.node_count())
                .into_par_iter()
                .filter_map(|node| {
                    let NodeRef::Signal { article, row } = full.node(node as u32) else {
                        return None;
                    };
                    let signals = &c.articles[article].article.signals;
                    let j = signals.iter().position(|s| s.row == row)?;
                    Some((
                        signal_offset[article] + j,
                        pr.map_or(f64::NAN, |s| s[node]),
                        bc.map_or(f64::NAN, |s| s[node]),
                    ))
                })
                .collect();
            for (index, p, b) in found {
                pagerank[index] = p;
                betweenness[index] = b;
            }
            (pagerank, betweenness)
        }
        None => {
            let mut pagerank = Vec::with_capacity(total);
            let mut betweenness = Vec::with_capacity(total);
            for (a, input) in c.articles.iter().enumerate() {
                for _ in &input.article.signals {
                    pagerank.push(article_pagerank[a]);
                    betweenness.push(article_betweenness[a]);
                }
            }
            (pagerank, betweenness)
        }
    };

    let concepts_of: Vec<Vec<ConceptId>> = crate::graph::projection::article_concepts(c);
    let mut df = vec![0u32; c.concepts.len()];
    for ids in &concepts_of {
        for &id in ids {
            df[id] += 1;
        }
    }
    let idf = df
        .iter()
        .map(|&d| {
            if d == 0 {
                0.0
            } else {
                ((n as f64 + 1.0) / f64::from(d)).ln()
            }
        })
        .collect();

    let period = Period::of(c.articles.iter().filter_map(|a| a.article.date));
    let weights = naming::weights(&concepts_of, &cluster_of, clusters, c.concepts.len());
    let names = cluster_names(c, &weights, &members);
    let trends = members
        .iter()
        .map(|list| {
            let dates: Vec<Date> = list
                .iter()
                .filter_map(|&a| c.articles[a].article.date)
                .collect();
            trajectory::trend(period.as_ref(), &dates)
        })
        .collect();

    Prepared {
        c,
        iris: inputs.iris,
        cluster_of,
        clusters,
        members,
        concepts_of,
        idf,
        article_pagerank,
        article_betweenness,
        article_degree,
        signal_offset,
        signal_pagerank,
        signal_betweenness,
        period,
        weights,
        names,
        trends,
        article_at,
    }
}

fn timeline(p: &Prepared) -> Timeline {
    let Some(period) = p.period else {
        return Timeline {
            quarters: Vec::new(),
            articles: Vec::new(),
        };
    };
    let quarters = period.quarters();
    let first = *quarters.start();
    let mut articles = vec![0u32; quarters.clone().count()];
    for input in &p.c.articles {
        if let Some(d) = input.article.date {
            articles[(trajectory::quarter_index(d) - first) as usize] += 1;
        }
    }
    Timeline {
        quarters: quarters.map(trajectory::quarter_label).collect(),
        articles,
    }
}

/// The most frequent labels of `ids`, with counts (ties by label).
fn top_counts(p: &Prepared, ids: impl Iterator<Item = ConceptId>, k: usize) -> Vec<Count> {
    let mut counts: BTreeMap<ConceptId, u32> = BTreeMap::new();
    for id in ids {
        *counts.entry(id).or_insert(0) += 1;
    }
    let mut list: Vec<Count> = counts
        .into_iter()
        .map(|(id, count)| Count {
            label: p.c.concepts[id].label.clone(),
            count,
        })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    list.truncate(k);
    list
}

fn cluster_report(
    p: &Prepared,
    k: u32,
    rank: usize,
    timeline: &Timeline,
    pairs: &links::CrossLinks,
) -> ClusterReport {
    let c = p.c;
    let members = &p.members[k as usize];
    let dates: Vec<Date> = members
        .iter()
        .filter_map(|&a| c.articles[a].article.date)
        .collect();
    let mut quarters = vec![0u32; timeline.quarters.len()];
    if let Some(period) = p.period {
        let first = *period.quarters().start();
        for d in &dates {
            quarters[(trajectory::quarter_index(*d) - first) as usize] += 1;
        }
    }
    let trend = &p.trends[k as usize];
    let weights = &p.weights[k as usize];

    let signal_count: usize = members
        .iter()
        .map(|&a| c.articles[a].article.signals.len())
        .sum();
    let central = links::best(
        members.iter().flat_map(|&a| p.signals_of(a)),
        TOP,
        |x, y| p.by_pagerank(x, y),
    );
    let central_signals = central.iter().map(|&(a, j)| p.signal_ref(a, j)).collect();

    let driving_forces = top_counts(
        p,
        members
            .iter()
            .flat_map(|&a| c.links[a].signals.iter().filter_map(|s| s.driving_force)),
        TOP,
    );
    let themes = top_counts(
        p,
        members
            .iter()
            .flat_map(|&a| c.links[a].themes.iter().copied()),
        TOP,
    );

    // Representative: the articles richest in the cluster's distinctive concepts.
    let mut by_concept: Vec<(ConceptId, f64)> =
        weights.iter().map(|w| (w.concept, w.score)).collect();
    by_concept.sort_unstable_by_key(|x| x.0);
    let score_of = |id: &ConceptId| {
        by_concept
            .binary_search_by_key(id, |x| x.0)
            .map_or(0.0, |i| by_concept[i].1)
    };
    let representative = links::best(
        members.iter().map(|&a| {
            let s: f64 = p.concepts_of[a].iter().map(score_of).sum();
            (round6(s), a)
        }),
        TOP,
        |x, y| {
            y.0.total_cmp(&x.0)
                .then(key(p.article_pagerank[y.1]).total_cmp(&key(p.article_pagerank[x.1])))
                .then(x.1.cmp(&y.1))
        },
    );

    let mut by_date: Vec<usize> = members.clone();
    by_date.sort_by(|&x, &y| {
        let (dx, dy) = (c.articles[x].article.date, c.articles[y].article.date);
        match (dx, dy) {
            (Some(a), Some(b)) => b.cmp(&a),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(x.cmp(&y))
    });

    ClusterReport {
        rank,
        cluster: k,
        iri: p
            .iris
            .cluster(Projection::Articles.name(), 0, k)
            .into_string(),
        name: p.name(k),
        terms: weights
            .iter()
            .take(8)
            .map(|w| Term {
                label: c.concepts[w.concept].label.clone(),
                kind: c.concepts[w.concept].kind.slug().to_string(),
                articles: w.articles,
                score: round6(w.score),
            })
            .collect(),
        articles: members.len(),
        signals: signal_count,
        dated_articles: dates.len(),
        first_date: dates.iter().min().map(|d| d.to_string()),
        last_date: dates.iter().max().map(|d| d.to_string()),
        quarters,
        status: trend.status,
        status_reason: trend.reason.clone(),
        recent_share: trend.recent_share.map(round6),
        mean_position: trend.mean_position.map(round6),
        central_signals,
        driving_forces,
        themes,
        representative_articles: representative
            .iter()
            .map(|&(_, a)| p.article_ref(a))
            .collect(),
        neighbours: links::neighbours(p, k, pairs),
        newest_articles: by_date
            .iter()
            .take(NEWEST)
            .map(|&a| p.article_ref(a))
            .collect(),
        article_ids: by_date
            .iter()
            .map(|&a| c.articles[a].article.id.clone())
            .collect(),
    }
}

fn cluster_map(
    p: &Prepared,
    inputs: &Inputs,
    order: &[u32],
    rank_of: &BTreeMap<u32, usize>,
) -> ClusterMap {
    let graph = inputs.articles;
    let n = graph.node_count();
    let mut positions: Vec<[f64; 2]> = if inputs.positions.len() == n {
        inputs.positions.to_vec()
    } else {
        vec![[0.0, 0.0]; n]
    };
    crate::layout::normalize(&mut positions, MAP_SIZE);
    // Keep a margin so dots at the edge are whole.
    let inset = |v: f64| {
        round1(if v.is_finite() {
            20.0 + v * 0.96
        } else {
            MAP_SIZE / 2.0
        })
    };
    let step = layout::map_step(n);
    let mut point_of = vec![u32::MAX; n];
    let mut points = Vec::new();
    for node in (0..n).step_by(step) {
        point_of[node] = points.len() as u32;
        points.push(MapPoint {
            x: inset(positions[node][0]),
            y: inset(positions[node][1]),
            cluster: p.article_at[node].and_then(|a| p.cluster_of[a]),
        });
    }
    let mut edges = Vec::new();
    if n <= MAP_EDGES_UP_TO {
        for e in graph.graph.raw_edges() {
            let (u, v) = (e.source().index(), e.target().index());
            edges.push([point_of[u], point_of[v]]);
        }
        edges.sort_unstable();
    }
    // Labels sit at the centroid of their cluster's drawn articles.
    let mut sums = vec![(0.0, 0.0, 0usize); p.clusters];
    for point in &points {
        if let Some(k) = point.cluster {
            let s = &mut sums[k as usize];
            s.0 += point.x;
            s.1 += point.y;
            s.2 += 1;
        }
    }
    let labels = order
        .iter()
        .filter(|&&k| sums[k as usize].2 > 0)
        .take(MAP_LABELS)
        .map(|&k| {
            let (x, y, count) = sums[k as usize];
            MapLabel {
                cluster: k,
                rank: rank_of[&k],
                x: round1(x / count as f64),
                y: round1(y / count as f64),
                name: p.name(k),
            }
        })
        .collect();
    ClusterMap {
        size: MAP_SIZE + 40.0,
        articles: n,
        points,
        edges,
        labels,
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn force_overview(p: &Prepared, order: &[u32]) -> ForceOverview {
    let c = p.c;
    let clusters: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&k| !p.members[k as usize].is_empty())
        .take(OVERVIEW_CLUSTERS)
        .collect();
    let mut totals: BTreeMap<ConceptId, u32> = BTreeMap::new();
    for (a, links) in c.links.iter().enumerate() {
        if p.cluster_of[a].is_some() {
            for id in links.signals.iter().filter_map(|s| s.driving_force) {
                *totals.entry(id).or_insert(0) += 1;
            }
        }
    }
    let mut forces: Vec<(u32, ConceptId)> = totals.into_iter().map(|(id, n)| (n, id)).collect();
    forces.sort_by(|x, y| {
        y.0.cmp(&x.0)
            .then_with(|| c.concepts[x.1].label.cmp(&c.concepts[y.1].label))
    });
    forces.truncate(OVERVIEW_FORCES);
    let row_of: BTreeMap<ConceptId, usize> =
        forces.iter().enumerate().map(|(i, f)| (f.1, i)).collect();
    let mut signals = vec![vec![0u32; clusters.len()]; forces.len()];
    let mut cluster_signals = vec![0u32; clusters.len()];
    for (col, &k) in clusters.iter().enumerate() {
        for &a in &p.members[k as usize] {
            for s in &c.links[a].signals {
                cluster_signals[col] += 1;
                if let Some(&row) = s.driving_force.and_then(|id| row_of.get(&id)) {
                    signals[row][col] += 1;
                }
            }
        }
    }
    ForceOverview {
        forces: forces
            .iter()
            .map(|f| c.concepts[f.1].label.clone())
            .collect(),
        clusters,
        signals,
        cluster_signals,
    }
}

/// The format a report is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    Html,
    Markdown,
    Json,
}

impl ReportFormat {
    pub const ALL: [ReportFormat; 3] = [
        ReportFormat::Html,
        ReportFormat::Markdown,
        ReportFormat::Json,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Markdown => "md",
            ReportFormat::Json => "json",
        }
    }

    /// The format a file name's extension stands for.
    pub fn from_path(path: &Path) -> Option<ReportFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "html" | "htm" => Some(ReportFormat::Html),
            "md" | "markdown" => Some(ReportFormat::Markdown),
            "json" => Some(ReportFormat::Json),
            _ => None,
        }
    }
}

/// Writes `report` in `format`.
pub fn write(
    report: &Report,
    format: ReportFormat,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Html => html::write(report, out),
        ReportFormat::Markdown => markdown::write(report, out),
        ReportFormat::Json => json::write(report, out),
    }
}

/// Writes `report` in `format` to `path`: a file atomically, through links,
/// a device or FIFO directly ([`crate::export::write_output`]).
pub fn write_file(report: &Report, format: ReportFormat, path: &Path) -> Result<u64, ReportError> {
    crate::export::write_output(path, |w| write(report, format, w))?;
    Ok(std::fs::metadata(path).map_or(0, |m| m.len()))
}

/// The HTML report kept in the store, which `signalgraph serve` shows.
pub fn store_copy(dir: &StoreDir) -> PathBuf {
    dir.path().join("report.html")
}

/// The last line of the store's HTML report: an HTML comment with the BLAKE3
/// hash of everything before it, so a damaged copy is never shown.
const COPY_SEAL: &str = "<!-- signalgraph blake3=";

/// Writes the store's HTML report ([`store_copy`]) with its seal line; the
/// path and size written.
pub fn save_store_copy(dir: &StoreDir, report: &Report) -> Result<(PathBuf, u64), ReportError> {
    let path = store_copy(dir);
    let mut html = Vec::new();
    html::write(report, &mut html).map_err(|e| StoreError::io(&path, e))?;
    crate::export::write_output(&path, |w| {
        w.write_all(&html)?;
        writeln!(w, "{COPY_SEAL}{} -->", blake3::hash(&html).to_hex())
    })?;
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    Ok((path, bytes))
}

/// Reads the store's HTML report and checks its seal: `NotFound` when there
/// is none, `InvalidData` (naming the file and the command that writes it
/// again) when it is damaged.
pub fn read_store_copy(dir: &StoreDir) -> io::Result<Vec<u8>> {
    let path = store_copy(dir);
    let mut bytes = std::fs::read(&path)?;
    let body_end = bytes[..bytes.len().saturating_sub(1)]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let sealed = std::str::from_utf8(&bytes[body_end..])
        .ok()
        .and_then(|line| {
            line.trim_end()
                .strip_prefix(COPY_SEAL)?
                .strip_suffix(" -->")
        })
        .is_some_and(|hash| blake3::hash(&bytes[..body_end]).to_hex().as_str() == hash);
    if !sealed {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is damaged (its checksum does not match); run `signalgraph report` to write it again",
                path.display()
            ),
        ));
    }
    bytes.truncate(body_end);
    Ok(bytes)
}

/// Seconds per step of [`compute`], in the order they ran.
pub type Timings = Vec<(&'static str, f64)>;

/// Reads everything the report needs from the store and builds it; the
/// timings say where the time went.
///
/// Fails with [`ReportError::NoAnalysis`] when the articles projection was
/// never analysed. The full projection's analysis is used when present.
pub fn compute(dir: &StoreDir, progress: &dyn Progress) -> Result<(Report, Timings), ReportError> {
    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        timings.push((name, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let (collection, iris) = crate::build::load_collection(dir)?;
    if !dir.graph_file("analysis-articles").exists() {
        return Err(ReportError::NoAnalysis(dir.path().to_path_buf()));
    }
    lap("load collection");
    progress.start("report", 5);
    // The articles projection as the analysis saw it (its sidecar records the
    // options; without one, the defaults `analyze` uses).
    let options = stored::sidecar_options(dir, Projection::Articles).unwrap_or_default();
    let articles = ProjectedGraph::build(&collection, Projection::Articles, &options);
    let article_analysis = stored::load(dir, &articles, &collection, &iris)?
        .ok_or_else(|| ReportError::NoAnalysis(dir.path().to_path_buf()))?;
    progress.advance(1);
    lap("read articles analysis");
    let full = if dir.graph_file("analysis-full").exists() {
        let graph = ProjectedGraph::build(&collection, Projection::Full, &options);
        let analysis = stored::load(dir, &graph, &collection, &iris)?;
        analysis.map(|a| (graph, a))
    } else {
        None
    };
    progress.advance(1);
    lap("read full analysis");
    let positions = layout::map_positions(&articles, &article_analysis);
    progress.advance(1);
    lap("layout");
    let report = build(&Inputs {
        collection: &collection,
        iris: &iris,
        articles: &articles,
        article_analysis: &article_analysis,
        full: full.as_ref().map(|(g, a)| (g, a)),
        positions: &positions,
    });
    progress.advance(1);
    lap("build report");
    progress.finish();
    Ok((report, timings))
}

/// What a saved report model was computed from: the size and modification
/// time of the store's collection and analysis files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Fingerprint {
    format: String,
    version: String,
    files: Vec<(String, u64, i128)>,
}

impl Fingerprint {
    fn of(dir: &StoreDir) -> Fingerprint {
        let collection = dir.path().join("collection.sgs");
        let files = [
            collection,
            dir.graph_file("analysis-articles"),
            dir.graph_file("analysis-full"),
        ]
        .iter()
        .filter_map(|path| {
            let (size, modified) = stored::file_stamp(path)?;
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, size, modified))
        })
        .collect();
        Fingerprint {
            format: FORMAT.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            files,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Cache {
    inputs: Fingerprint,
    report: Report,
}

/// Where the report model is kept between runs.
pub fn cache_path(dir: &StoreDir) -> PathBuf {
    dir.path().join("report-cache.json")
}

/// The first line of `report-cache.json`, before the BLAKE3 hash of the JSON below it.
const CACHE_SEAL: &str = "signalgraph-cache blake3=";

/// Saves `report` as the model of the store's current files, for
/// [`load_or_compute`]. Call it after the analyses are written. The file is
/// a line with the checksum of the JSON, then the JSON.
pub fn save_cache(dir: &StoreDir, report: &Report) -> Result<(), ReportError> {
    let cache = Cache {
        inputs: Fingerprint::of(dir),
        report: report.clone(),
    };
    let path = cache_path(dir);
    let json = serde_json::to_vec(&cache).map_err(|e| StoreError::Io {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    crate::store::write_atomically(&path, |w| {
        use std::io::Write;
        writeln!(w, "{CACHE_SEAL}{}", blake3::hash(&json).to_hex())?;
        w.write_all(&json)
    })?;
    Ok(())
}

/// Why a saved model was not used.
#[derive(Debug, PartialEq, Eq)]
pub enum CacheMiss {
    /// No saved model, or one of other files or another version: computed again quietly.
    Stale,
    /// The file fails its checksum (the reason): worth a warning.
    Damaged(String),
}

/// The saved model, if it was computed from the store's current files and
/// passes its checksum.
pub fn cached(dir: &StoreDir) -> Result<Report, CacheMiss> {
    let bytes = std::fs::read(cache_path(dir)).map_err(|_| CacheMiss::Stale)?;
    let Some(rest) = bytes.strip_prefix(CACHE_SEAL.as_bytes()) else {
        // A model saved before models had checksums.
        return Err(CacheMiss::Stale);
    };
    let damaged = |why: &str| {
        CacheMiss::Damaged(format!(
            "{}: damaged ({why}); the report model is computed again",
            cache_path(dir).display()
        ))
    };
    let newline = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| damaged("no checksum line"))?;
    let (hash, json) = (&rest[..newline], &rest[newline + 1..]);
    if blake3::hash(json).to_hex().as_bytes() != hash {
        return Err(damaged("checksum mismatch"));
    }
    let cache: Cache = serde_json::from_slice(json).map_err(|_| CacheMiss::Stale)?;
    if cache.inputs == Fingerprint::of(dir) {
        Ok(cache.report)
    } else {
        Err(CacheMiss::Stale)
    }
}

/// The report of the store: the saved model when its files are unchanged,
/// else computed (and saved, when the store can be written), with the
/// timings of [`compute`] (`None` when the saved model was used). A saved
/// model that fails its checksum is computed again, and `warn` is told.
pub fn load_or_compute(
    dir: &StoreDir,
    progress: &dyn Progress,
    warn: &mut dyn FnMut(&str),
) -> Result<(Report, Option<Timings>), ReportError> {
    dir.read_header()?;
    match cached(dir) {
        Ok(report) => return Ok((report, None)),
        Err(CacheMiss::Damaged(why)) => warn(&why),
        Err(CacheMiss::Stale) => {}
    }
    let (report, timings) = compute(dir, progress)?;
    // A read-only store still gets its report, just not faster next time.
    let _ = save_cache(dir, &report);
    Ok((report, Some(timings)))
}

/// What [`refresh`] did with the saved model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// The model was rebuilt and saved, and the store's HTML copy rewritten.
    Saved,
    /// The analysis is not one the report reads (a concepts analysis): the
    /// saved model stays as it was.
    NotNeeded,
    /// The model could not be rebuilt from what is at hand (the reason);
    /// `report` computes it from the store.
    Skipped(String),
}

/// Rebuilds and saves the report model right after `analyze` wrote the
/// analysis of `graph`'s projection, from what the caller has in memory
/// (the collection, the projection, its analysis) and the sidecar of the
/// other projection ([`stored::load_sidecar`]), so that the next `report`
/// reuses it instead of reading the store. Gives the same model
/// [`compute`] would. The store's HTML copy ([`store_copy`], what `serve`
/// shows at `/report`) is rewritten from it too, when there is one.
pub fn refresh(
    dir: &StoreDir,
    collection: &Collection,
    iris: &Iris,
    graph: &ProjectedGraph,
    analysis: &StoredAnalysis,
) -> Result<Refresh, ReportError> {
    let skipped = |why: &str| Ok(Refresh::Skipped(why.to_string()));
    // The other projection the report reads, from its sidecar.
    let other = |projection: Projection, options: &ProjectionOptions| {
        let graph = ProjectedGraph::build(collection, projection, options);
        stored::load_sidecar(dir, &graph).map(|a| (graph, a))
    };
    let loaded;
    let ((articles, article_analysis), full) = match graph.projection {
        Projection::Concepts => return Ok(Refresh::NotNeeded),
        Projection::Articles if dir.graph_file("analysis-full").exists() => {
            match other(Projection::Full, &ProjectionOptions::default()) {
                Some(found) => loaded = found,
                None => return skipped("the full projection's analysis has no current sidecar"),
            }
            ((graph, analysis), Some((&loaded.0, &loaded.1)))
        }
        Projection::Articles => ((graph, analysis), None),
        Projection::Full => {
            if !dir.graph_file("analysis-articles").exists() {
                return skipped("the articles projection is not analysed yet");
            }
            let found = stored::sidecar_options(dir, Projection::Articles)
                .and_then(|options| other(Projection::Articles, &options));
            match found {
                Some(found) => loaded = found,
                None => {
                    return skipped("the articles projection's analysis has no current sidecar")
                }
            }
            ((&loaded.0, &loaded.1), Some((graph, analysis)))
        }
    };
    let positions = layout::map_positions(articles, article_analysis);
    let report = build(&Inputs {
        collection,
        iris,
        articles,
        article_analysis,
        full,
        positions: &positions,
    });
    save_cache(dir, &report)?;
    if store_copy(dir).exists() {
        save_store_copy(dir, &report)?;
    }
    Ok(Refresh::Saved)
}
