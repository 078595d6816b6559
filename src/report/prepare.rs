//! The per-article and per-signal facts every part of the report shares, computed once: clusters, measures, concept weights, names and trends.

use super::model::{finite, ArticleRef, SignalRef};
use super::trajectory::{self, Period};
use super::Inputs;
use crate::analyze::naming;
use crate::analyze::stored::StoredAnalysis;
use crate::analyze::Measure;
use crate::graph::{NodeRef, ProjectedGraph};
use crate::model::{Collection, ConceptId};
use crate::seed::Date;
use crate::store::Iris;
use rayon::prelude::*;

/// Per-article and per-signal facts the parts of the report share.
pub(crate) struct Prepared<'a> {
    /// The collection the report is made of.
    pub collection: &'a Collection,
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
    /// The links of `graph` (the articles projection) between two read
    /// articles: `(article, article, weight)`, as article indices.
    pub(crate) fn article_links<'g>(
        &'g self,
        graph: &'g ProjectedGraph,
    ) -> impl Iterator<Item = (usize, usize, f64)> + 'g {
        graph.graph.raw_edges().iter().filter_map(|e| {
            Some((
                self.article_at[e.source().index()]?,
                self.article_at[e.target().index()]?,
                e.weight.weight,
            ))
        })
    }

    pub(crate) fn article_ref(&self, a: usize) -> ArticleRef {
        let article = &self.collection.articles[a].article;
        ArticleRef {
            id: article.id.clone(),
            iri: self.iris.article(&article.id).into_string(),
            title: article.title.clone(),
            date: article.date.map(|d| d.to_string()),
            source_url: article.source_url.clone(),
        }
    }

    /// Signal `j` (0-based) of article `a`.
    pub(crate) fn signal_ref(&self, a: usize, j: usize) -> SignalRef {
        let article = &self.collection.articles[a].article;
        let row = &article.signals[j];
        let index = self.signal_offset[a] + j;
        let driving_force = self.collection.links[a].signals[j]
            .driving_force
            .map(|id| self.collection.concepts[id].label.clone());
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
    pub(crate) fn signals_of(&self, a: usize) -> impl Iterator<Item = (usize, usize)> {
        (0..self.collection.articles[a].article.signals.len()).map(move |j| (a, j))
    }

    /// Orders signals by betweenness, then PageRank (highest first), then position.
    pub(crate) fn by_betweenness(
        &self,
        x: &(usize, usize),
        y: &(usize, usize),
    ) -> std::cmp::Ordering {
        let (i, k) = (self.signal_offset[x.0] + x.1, self.signal_offset[y.0] + y.1);
        key(self.signal_betweenness[k])
            .total_cmp(&key(self.signal_betweenness[i]))
            .then(key(self.signal_pagerank[k]).total_cmp(&key(self.signal_pagerank[i])))
            .then(x.cmp(y))
    }

    /// Orders signals by PageRank, then betweenness (highest first), then position.
    pub(crate) fn by_pagerank(&self, x: &(usize, usize), y: &(usize, usize)) -> std::cmp::Ordering {
        let (i, k) = (self.signal_offset[x.0] + x.1, self.signal_offset[y.0] + y.1);
        key(self.signal_pagerank[k])
            .total_cmp(&key(self.signal_pagerank[i]))
            .then(key(self.signal_betweenness[k]).total_cmp(&key(self.signal_betweenness[i])))
            .then(x.cmp(y))
    }

    pub(crate) fn name(&self, cluster: u32) -> String {
        self.names[cluster as usize].clone()
    }
}

/// A sort key for a score that may be NaN (missing): NaN sorts lowest.
pub(crate) fn key(v: f64) -> f64 {
    if v.is_nan() {
        f64::NEG_INFINITY
    } else {
        v
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
    let names = naming::names(c, &weights, &members);
    (cluster_of, names)
}

/// Computes the shared facts; fallbacks taken (a measure not computed) are
/// added to `notes`.
pub(crate) fn prepare<'a>(inputs: &Inputs<'a>, notes: &mut Vec<String>) -> Prepared<'a> {
    let c = inputs.collection;
    let (article_at, node_of) = article_nodes(inputs.articles, c.articles.len());
    let (cluster_of, clusters, members) = trend_membership(&node_of, inputs.article_analysis);
    let articles = article_measures(inputs, &node_of, notes);
    let signals = signal_measures(c, inputs.full, &articles);
    let concepts_of: Vec<Vec<ConceptId>> = crate::graph::projection::article_concepts(c);
    let idf = inverse_document_frequency(&concepts_of, c.articles.len(), c.concepts.len());
    let period = Period::of(c.articles.iter().filter_map(|a| a.article.date));
    let weights = naming::weights(&concepts_of, &cluster_of, clusters, c.concepts.len());
    let names = naming::names(c, &weights, &members);
    let trends = cluster_trends(c, &members, period.as_ref());
    Prepared {
        collection: c,
        iris: inputs.iris,
        cluster_of,
        clusters,
        members,
        concepts_of,
        idf,
        article_pagerank: articles.pagerank,
        article_betweenness: articles.betweenness,
        article_degree: articles.degree,
        signal_offset: signals.offset,
        signal_pagerank: signals.pagerank,
        signal_betweenness: signals.betweenness,
        period,
        weights,
        names,
        trends,
        article_at,
    }
}

/// The article of each node of the articles projection, and the node of
/// each of the `n` articles.
fn article_nodes(graph: &ProjectedGraph, n: usize) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
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
    (article_at, node_of)
}

/// Per-article measures of the articles analysis (NaN where missing).
struct ArticleMeasures {
    pagerank: Vec<f64>,
    betweenness: Vec<f64>,
    degree: Vec<f64>,
}

/// Each article's PageRank, betweenness and degree, with the fallbacks
/// (noted) when the analysis did not compute one.
fn article_measures(
    inputs: &Inputs,
    node_of: &[Option<usize>],
    notes: &mut Vec<String>,
) -> ArticleMeasures {
    let n = node_of.len();
    let graph = inputs.articles;
    let analysis = inputs.article_analysis;
    let per_article = |m: Measure| -> Option<Vec<f64>> {
        let scores = analysis.scores(m)?;
        Some(
            node_of
                .iter()
                .map(|node| node.map_or(f64::NAN, |i| scores[i]))
                .collect(),
        )
    };
    let pagerank = per_article(Measure::PageRank).unwrap_or_else(|| {
        notes.push("PageRank was not computed for the articles: central and representative items are ranked by degree.".into());
        per_article(Measure::WeightedDegree)
            .or_else(|| per_article(Measure::Degree))
            .unwrap_or_else(|| vec![f64::NAN; n])
    });
    let betweenness = per_article(Measure::Betweenness).unwrap_or_else(|| {
        notes.push("Betweenness was not computed for the articles: bridges and weak signals are ranked by PageRank.".into());
        vec![f64::NAN; n]
    });
    let degree = per_article(Measure::Degree).unwrap_or_else(|| {
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
    ArticleMeasures {
        pagerank,
        betweenness,
        degree,
    }
}

/// Per-signal measures, indexed by `offset[article] + j`.
struct SignalMeasures {
    offset: Vec<usize>,
    pagerank: Vec<f64>,
    betweenness: Vec<f64>,
}

/// Each signal's PageRank and betweenness: from the full analysis when
/// there is one, else its article's.
fn signal_measures(
    c: &Collection,
    full: Option<(&ProjectedGraph, &StoredAnalysis)>,
    articles: &ArticleMeasures,
) -> SignalMeasures {
    let mut offset = Vec::with_capacity(c.articles.len());
    let mut total = 0;
    for input in &c.articles {
        offset.push(total);
        total += input.article.signals.len();
    }
    let (pagerank, betweenness) = match full {
        Some((full, full_analysis)) => full_signal_measures(c, full, full_analysis, &offset, total),
        None => {
            let mut pagerank = Vec::with_capacity(total);
            let mut betweenness = Vec::with_capacity(total);
            for (a, input) in c.articles.iter().enumerate() {
                for _ in &input.article.signals {
                    pagerank.push(articles.pagerank[a]);
                    betweenness.push(articles.betweenness[a]);
                }
            }
            (pagerank, betweenness)
        }
    };
    SignalMeasures {
        offset,
        pagerank,
        betweenness,
    }
}

/// The PageRank and betweenness of each of the `total` signals in the full
/// projection's analysis (NaN for signals it does not have).
fn full_signal_measures(
    c: &Collection,
    full: &ProjectedGraph,
    full_analysis: &StoredAnalysis,
    offset: &[usize],
    total: usize,
) -> (Vec<f64>, Vec<f64>) {
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
                offset[article] + j,
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

/// `ln((n + 1) / df)` of each of the `concepts` over `n` articles' concepts.
fn inverse_document_frequency(
    concepts_of: &[Vec<ConceptId>],
    n: usize,
    concepts: usize,
) -> Vec<f64> {
    let mut df = vec![0u32; concepts];
    for ids in concepts_of {
        for &id in ids {
            df[id] += 1;
        }
    }
    df.iter()
        .map(|&d| {
            if d == 0 {
                0.0
            } else {
                ((n as f64 + 1.0) / f64::from(d)).ln()
            }
        })
        .collect()
}

/// Each cluster's trajectory over the collection's dated period.
fn cluster_trends(
    c: &Collection,
    members: &[Vec<usize>],
    period: Option<&Period>,
) -> Vec<trajectory::Trend> {
    members
        .iter()
        .map(|list| {
            let dates: Vec<Date> = list
                .iter()
                .filter_map(|&a| c.articles[a].article.date)
                .collect();
            trajectory::trend(period, &dates)
        })
        .collect()
}
