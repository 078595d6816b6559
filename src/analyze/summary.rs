//! What `analyze` prints: a text summary, the same as JSON, and per-node CSV.
//!
//! The summary names nodes through [`NodeNames`], so it reads the same for a
//! projection of the store (article titles, concept labels) and for an edge
//! list (the names in the file).

use super::{Analysis, AnalyzeOptions, Measure};
use serde::Serialize;
use std::io::{self, Write};

/// How the nodes of an analysed graph are called.
pub trait NodeNames {
    /// A stable identifier (article id, `theme:key`, the name in an edge list).
    fn key(&self, node: u32) -> String;
    /// A readable label (title, concept label); the key by default.
    fn label(&self, node: u32) -> String {
        self.key(node)
    }
    /// The node's kind (`Article`, `Theme`, …), if the graph has kinds.
    fn kind(&self, node: u32) -> Option<&'static str> {
        let _ = node;
        None
    }
}

/// Names from an edge list.
impl NodeNames for [String] {
    fn key(&self, node: u32) -> String {
        self[node as usize].clone()
    }
}

/// One node in a ranking.
#[derive(Debug, Serialize)]
pub struct Ranked {
    /// The node's key (a stable readable id).
    pub key: String,
    /// The node's label.
    pub label: String,
    /// The node's kind (full projection only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// Its score.
    pub value: f64,
}

/// One cluster with its largest members.
#[derive(Debug, Serialize)]
pub struct ClusterSummary {
    /// The level of the hierarchy (0 the whole graph).
    pub level: usize,
    /// The cluster's number in its level (0 the largest).
    pub cluster: u32,
    /// Its number of nodes.
    pub size: usize,
    /// The cluster of the level above it was split from.
    pub parent: Option<u32>,
    /// Members ranked by the ranking measure (PageRank when computed, else degree).
    pub top: Vec<Ranked>,
}

/// One level of the hierarchy.
#[derive(Debug, Serialize)]
pub struct LevelSummary {
    /// The level (0 the whole graph).
    pub level: usize,
    /// Number of clusters.
    pub clusters: usize,
    /// Newman's modularity (γ = 1) of the level's partition.
    pub modularity: f64,
}

/// The whole summary, as printed by `analyze --json`.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// `articles`, `concepts`, `full`, or the edge list's path.
    pub graph: String,
    /// Nodes of the graph.
    pub nodes: usize,
    /// Edges of the graph.
    pub edges: usize,
    /// The community method's name.
    pub method: &'static str,
    /// Leiden's objective (`modularity` or `cpm`).
    pub objective: &'static str,
    /// The resolution γ used.
    pub resolution: f64,
    /// The random seed used.
    pub seed: u64,
    /// Each level of the cluster hierarchy.
    pub levels: Vec<LevelSummary>,
    /// Modularity after each pass of the method (never decreasing).
    pub passes: Vec<f64>,
    /// Every cluster of every level with its top members.
    pub clusters: Vec<ClusterSummary>,
    /// The top nodes per measure, keyed by measure.
    pub top: Vec<(&'static str, Vec<Ranked>)>,
    /// Sources betweenness was computed from when it was sampled.
    pub betweenness_samples: Option<usize>,
    /// Iterations PageRank took, when computed.
    pub pagerank_iterations: Option<usize>,
    /// Measures left out because they did not converge.
    pub skipped: Vec<Skipped>,
    /// Seconds per step, in the order they ran.
    pub timings_seconds: Vec<(&'static str, f64)>,
}

/// A measure the analysis left out, and why.
#[derive(Debug, Serialize)]
pub struct Skipped {
    /// The measure's key.
    pub measure: &'static str,
    /// Why it was left out.
    pub reason: String,
}

impl Summary {
    /// Summarises `a`: every cluster with its `top` best members, and the
    /// `top` best nodes per measure.
    pub fn new(
        graph: String,
        a: &Analysis,
        options: &AnalyzeOptions,
        names: &(impl NodeNames + ?Sized),
        top: usize,
    ) -> Summary {
        Summary {
            graph,
            nodes: a.node_count,
            edges: a.edge_count,
            method: options.method.name(),
            objective: super::objective_name(options.objective),
            resolution: options.resolution,
            seed: options.seed,
            levels: level_summaries(a),
            passes: a.passes.clone(),
            clusters: cluster_summaries(a, names, top),
            top: top_nodes(a, names, top),
            betweenness_samples: a.betweenness_samples,
            pagerank_iterations: a.pagerank_iterations,
            skipped: a
                .skipped
                .iter()
                .map(|(m, e)| Skipped {
                    measure: m.name(),
                    reason: e.to_string(),
                })
                .collect(),
            timings_seconds: a.timings.clone(),
        }
    }

    /// The summary as pretty JSON; `top` and `timings_seconds` become objects.
    pub fn write_json(&self, mut out: impl Write) -> io::Result<()> {
        let mut value = serde_json::to_value(self).map_err(io::Error::other)?;
        for key in ["top", "timings_seconds"] {
            if let Some(pairs) = value.get_mut(key) {
                let object: serde_json::Map<String, serde_json::Value> = pairs
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|pair| {
                        Some((pair.get(0)?.as_str()?.to_string(), pair.get(1)?.clone()))
                    })
                    .collect();
                *pairs = serde_json::Value::Object(object);
            }
        }
        serde_json::to_writer_pretty(&mut out, &value).map_err(io::Error::other)?;
        writeln!(out)
    }

    /// The summary for people: levels, the `clusters` largest clusters of
    /// level 0 with their top members, and the top nodes per measure.
    pub fn write_text(&self, mut out: impl Write, clusters: usize) -> io::Result<()> {
        let settings = match self.method {
            "leiden" => format!(
                " ({}, resolution {}, seed {})",
                self.objective, self.resolution, self.seed
            ),
            "louvain" => format!(" (resolution {}, seed {})", self.resolution, self.seed),
            "label-propagation" => format!(" (seed {})", self.seed),
            _ => String::new(),
        };
        writeln!(
            out,
            "{}: {} nodes, {} edges; {}{settings}",
            self.graph, self.nodes, self.edges, self.method
        )?;
        for l in &self.levels {
            writeln!(
                out,
                "level {}: {} clusters, modularity {:.4}",
                l.level, l.clusters, l.modularity
            )?;
        }
        if let Some(k) = self.betweenness_samples {
            writeln!(out, "betweenness estimated from {k} sampled sources")?;
        }
        writeln!(out)?;
        let level0: Vec<&ClusterSummary> = self.clusters.iter().filter(|c| c.level == 0).collect();
        writeln!(
            out,
            "Largest clusters (level 0, {} of {}):",
            clusters.min(level0.len()),
            level0.len()
        )?;
        for c in level0.iter().take(clusters) {
            let members: Vec<&str> = c.top.iter().take(5).map(|r| short(&r.label)).collect();
            writeln!(
                out,
                "  {:>4}  {:>6} nodes  {}",
                c.cluster,
                c.size,
                members.join(" · ")
            )?;
        }
        for (measure, list) in &self.top {
            writeln!(out)?;
            writeln!(out, "Top by {measure}:")?;
            for r in list {
                let kind = r.kind.map(|k| format!(" [{k}]")).unwrap_or_default();
                writeln!(
                    out,
                    "  {:>12}  {}{kind}",
                    format_value(r.value),
                    short(&r.label)
                )?;
            }
        }
        Ok(())
    }
}

/// At most 60 characters of a label, on one line.
fn short(label: &str) -> &str {
    let line = label.lines().next().unwrap_or("");
    match line.char_indices().nth(60) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

fn format_value(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.6}")
    }
}

/// Writes one CSV row per node: `node`, every measure, and the cluster at
/// every level (`cluster_0`, `cluster_1`, …).
pub fn write_node_csv(
    a: &Analysis,
    names: &(impl NodeNames + ?Sized),
    out: impl Write,
) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = vec!["node".into()];
    header.extend(a.measures.iter().map(|(m, _)| m.key().to_string()));
    header.extend((0..a.levels.len()).map(|l| format!("cluster_{l}")));
    w.write_record(&header)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for node in 0..a.node_count {
        row.clear();
        row.push(names.key(node as u32));
        for (m, scores) in &a.measures {
            row.push(if m.is_integer() {
                format!("{}", scores[node] as i64)
            } else {
                format!("{}", scores[node])
            });
        }
        for l in &a.levels {
            row.push(l.membership[node].to_string());
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// Names of the nodes of a projection of a collection.
pub struct ProjectionNames<'a> {
    /// The projection whose nodes are named.
    pub graph: &'a crate::graph::ProjectedGraph,
    /// The collection it was built from.
    pub collection: &'a crate::model::Collection,
}

impl NodeNames for ProjectionNames<'_> {
    fn key(&self, node: u32) -> String {
        self.graph.node(node).key(self.collection)
    }

    fn label(&self, node: u32) -> String {
        self.graph.node(node).label(self.collection)
    }

    fn kind(&self, node: u32) -> Option<&'static str> {
        Some(self.graph.node(node).kind(self.collection).name())
    }
}

fn ranked(names: &(impl NodeNames + ?Sized), node: u32, value: f64) -> Ranked {
    Ranked {
        key: names.key(node),
        label: names.label(node),
        kind: names.kind(node),
        value,
    }
}

/// Keeps the `k` best of `nodes` by `scores`: highest first, ties by node
/// order (stable and deterministic).
fn best(scores: &[f64], nodes: &mut Vec<u32>, k: usize) {
    nodes.sort_by(|&x, &y| {
        scores[y as usize]
            .total_cmp(&scores[x as usize])
            .then(x.cmp(&y))
    });
    nodes.truncate(k);
}

/// Every cluster of every level with its `top` members by the ranking measure
/// (PageRank when computed, else weighted degree or degree).
fn cluster_summaries(
    a: &Analysis,
    names: &(impl NodeNames + ?Sized),
    top: usize,
) -> Vec<ClusterSummary> {
    let ranking: Option<&[f64]> = a
        .scores(Measure::PageRank)
        .or_else(|| a.scores(Measure::WeightedDegree))
        .or_else(|| a.scores(Measure::Degree));
    let mut clusters = Vec::new();
    for (level, l) in a.levels.iter().enumerate() {
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); l.count];
        for (node, &c) in l.membership.iter().enumerate() {
            members[c as usize].push(node as u32);
        }
        for (i, mut nodes) in members.into_iter().enumerate() {
            let size = nodes.len();
            if let Some(scores) = ranking {
                best(scores, &mut nodes, top);
            } else {
                nodes.truncate(top);
            }
            clusters.push(ClusterSummary {
                level,
                cluster: i as u32,
                size,
                parent: (level > 0).then(|| l.parents[i]),
                top: nodes
                    .into_iter()
                    .map(|n| ranked(names, n, ranking.map_or(0.0, |s| s[n as usize])))
                    .collect(),
            });
        }
    }
    clusters
}

/// The `top` best nodes per measure.
fn top_nodes(
    a: &Analysis,
    names: &(impl NodeNames + ?Sized),
    top: usize,
) -> Vec<(&'static str, Vec<Ranked>)> {
    a.measures
        .iter()
        .map(|(m, scores)| {
            let mut nodes: Vec<u32> = (0..a.node_count as u32).collect();
            best(scores, &mut nodes, top);
            let list = nodes
                .into_iter()
                .map(|n| ranked(names, n, scores[n as usize]))
                .collect();
            (m.key(), list)
        })
        .collect()
}

fn level_summaries(a: &Analysis) -> Vec<LevelSummary> {
    a.levels
        .iter()
        .enumerate()
        .map(|(level, l)| LevelSummary {
            level,
            clusters: l.count,
            // No "-0.0000" for a single cluster.
            modularity: if l.modularity == 0.0 {
                0.0
            } else {
                l.modularity
            },
        })
        .collect()
}
