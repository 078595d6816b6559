//! One projection with everything the graph exporters attach to it.
//!
//! GraphML, GEXF, Neo4j and plain CSV all describe nodes with the same
//! attribute columns ([`Column`]): what the node is (label, kind, IRI, date,
//! …), its analysis results from the store (each measure, the cluster at each
//! level) and its layout position. Parallel edges (the full projection has an
//! edge per closest link, and two articles may name each other) are merged
//! here, summing weights, because Gephi would merge them silently.

use crate::analyze::stored::StoredAnalysis;
use crate::graph::{EdgeKind, NodeKind, NodeRef, ProjectedGraph};
use crate::model::{Collection, LinkTarget};
use crate::seed::Date;
use crate::store::iri::Iris;
use std::borrow::Cow;

/// The type of an attribute column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    /// One string.
    String,
    /// A list of strings (alternative labels).
    Strings,
    /// A whole number.
    Integer,
    /// A floating-point number.
    Double,
    /// A calendar date.
    Date,
}

/// An attribute of nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Readable id, also the attribute name (`label`, `pagerank`, `cluster_0`).
    pub id: String,
    /// The type of its values.
    pub kind: ColumnType,
    /// The Neo4j property name (camelCase).
    pub property: String,
}

/// One attribute value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// No value for this node.
    None,
    /// A string.
    Text(Cow<'a, str>),
    /// A list of strings.
    Texts(Vec<&'a str>),
    /// A whole number.
    Integer(i64),
    /// A floating-point number.
    Double(f64),
    /// A calendar date.
    Date(Date),
}

/// An edge after merging parallel edges.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MergedEdge {
    /// Index of one end node.
    pub source: u32,
    /// Index of the other end node.
    pub target: u32,
    /// The kind of the first edge merged.
    pub kind: EdgeKind,
    /// The summed weight of the merged edges.
    pub weight: f64,
    /// How many edges of the projection it stands for.
    pub count: u32,
}

/// A projection ready to export.
pub struct GraphView<'a> {
    /// The projection exported.
    pub graph: &'a ProjectedGraph,
    /// The collection it was built from.
    pub collection: &'a Collection,
    /// The store's IRIs (node IRIs in the exports).
    pub iris: &'a Iris,
    /// The projection's stored analysis, if any (clusters and measures as attributes).
    pub analysis: Option<StoredAnalysis>,
    /// Layout positions, one per node.
    pub positions: Option<Vec<[f64; 2]>>,
    /// When each node first appears: its date, or for concepts, sources and
    /// stubs the earliest date of the articles naming them.
    pub starts: Vec<Option<Date>>,
    /// The edges after merging parallel ones.
    pub edges: Vec<MergedEdge>,
    /// Edges of the projection merged into others.
    pub merged: usize,
    columns: Vec<Column>,
    kinds: Vec<NodeKind>,
}

impl<'a> GraphView<'a> {
    /// Joins `graph` with its analysis and layout, merges parallel edges and lists the attribute columns.
    pub fn new(
        graph: &'a ProjectedGraph,
        collection: &'a Collection,
        iris: &'a Iris,
        analysis: Option<StoredAnalysis>,
        positions: Option<Vec<[f64; 2]>>,
    ) -> Self {
        let kinds: Vec<NodeKind> = (0..graph.node_count() as u32)
            .map(|i| graph.node(i).kind(collection))
            .collect();
        let starts = starts(graph, collection);
        let (edges, merged) = merge_edges(graph);
        let mut view = GraphView {
            graph,
            collection,
            iris,
            analysis,
            positions,
            starts,
            edges,
            merged,
            columns: Vec::new(),
            kinds,
        };
        view.columns = view.make_columns();
        view
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// What node `i` stands for.
    pub fn node(&self, i: u32) -> NodeRef {
        self.graph.node(i)
    }

    /// The kind of node `i`.
    pub fn kind(&self, i: u32) -> NodeKind {
        self.kinds[i as usize]
    }

    /// The node kinds present, in [`NodeKind::ALL`] order.
    pub fn kinds_present(&self) -> Vec<NodeKind> {
        let mut present = [false; NodeKind::ALL.len()];
        for &k in &self.kinds {
            present[k as usize] = true;
        }
        NodeKind::ALL
            .into_iter()
            .filter(|&k| present[k as usize])
            .collect()
    }

    /// The unique, readable id of node `i` (article id, `theme:key`, …).
    pub fn key(&self, i: u32) -> String {
        self.node(i).key(self.collection)
    }

    /// The readable label of node `i`.
    pub fn label(&self, i: u32) -> String {
        self.node(i).label(self.collection)
    }

    /// The cluster of node `i` at level 0, if analysed.
    pub fn cluster(&self, i: u32) -> Option<u32> {
        let level = self.analysis.as_ref()?.levels.first()?;
        let c = level.membership[i as usize];
        (c != u32::MAX).then_some(c)
    }

    /// The PageRank of node `i`, if analysed.
    pub fn pagerank(&self, i: u32) -> Option<f64> {
        let scores = self
            .analysis
            .as_ref()?
            .scores(crate::analyze::Measure::PageRank)?;
        Some(scores[i as usize]).filter(|v| v.is_finite())
    }

    /// The node attribute columns, in output order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    fn make_columns(&self) -> Vec<Column> {
        let present = self.kinds_present();
        let has = |k: NodeKind| present.contains(&k);
        let any_concept =
            has(NodeKind::Theme) || has(NodeKind::Keyword) || has(NodeKind::DrivingForce);
        let col = |id: &str, kind: ColumnType, property: &str| Column {
            id: id.to_string(),
            kind,
            property: property.to_string(),
        };
        let mut columns = vec![
            col("label", ColumnType::String, "label"),
            col("kind", ColumnType::String, "kind"),
            col("iri", ColumnType::String, "iri"),
            col("date", ColumnType::Date, "date"),
        ];
        if has(NodeKind::Article) {
            columns.push(col("url", ColumnType::String, "url"));
            columns.push(col("signals", ColumnType::Integer, "signals"));
        }
        if has(NodeKind::Signal) {
            columns.push(col("change", ColumnType::String, "change"));
            columns.push(col("horizon", ColumnType::String, "horizon"));
            columns.push(col("driving_force", ColumnType::String, "drivingForce"));
        }
        if any_concept {
            columns.push(col("alt_labels", ColumnType::Strings, "altLabels"));
            columns.push(col("uses", ColumnType::Integer, "uses"));
        }
        if let Some(a) = &self.analysis {
            for (m, _) in &a.measures {
                let kind = if m.is_integer() {
                    ColumnType::Integer
                } else {
                    ColumnType::Double
                };
                // Named like the ontology's property (`pageRank`, `coreNumber`).
                let predicate = crate::analyze::rdf::predicate(*m);
                let property = predicate.rsplit('#').next().unwrap_or(m.key());
                columns.push(col(m.key(), kind, property));
            }
            for level in 0..a.levels.len() {
                columns.push(col(
                    &format!("cluster_{level}"),
                    ColumnType::Integer,
                    &format!("cluster{level}"),
                ));
            }
        }
        if self.positions.is_some() {
            columns.push(col("x", ColumnType::Double, "x"));
            columns.push(col("y", ColumnType::Double, "y"));
        }
        columns
    }

    /// The values of node `i`, one per column (into `out`, cleared first).
    pub fn values(&self, i: u32, out: &mut Vec<Value<'a>>) {
        out.clear();
        let c = self.collection;
        let node = self.node(i);
        for column in &self.columns {
            let v = match column.id.as_str() {
                "label" => Value::Text(Cow::Owned(self.label(i))),
                "kind" => Value::Text(Cow::Borrowed(self.kind(i).name())),
                "iri" => Value::Text(Cow::Owned(node.iri(c, self.iris).into_string())),
                "date" => match node {
                    NodeRef::Article(a) | NodeRef::Signal { article: a, .. } => {
                        c.articles[a].article.date.map_or(Value::None, Value::Date)
                    }
                    NodeRef::Digest(d) => Value::Date(c.digests[d].date),
                    _ => Value::None,
                },
                "url" => match node {
                    NodeRef::Article(a) => c.articles[a]
                        .article
                        .source_url
                        .as_deref()
                        .map_or(Value::None, |u| Value::Text(Cow::Borrowed(u))),
                    _ => Value::None,
                },
                "signals" => match node {
                    NodeRef::Article(a) => {
                        Value::Integer(c.articles[a].article.signals.len() as i64)
                    }
                    _ => Value::None,
                },
                "change" | "horizon" | "driving_force" => match node {
                    NodeRef::Signal { article, row } => {
                        let s = &c.articles[article].article.signals[row as usize - 1];
                        let text = match column.id.as_str() {
                            "change" => &s.change,
                            "horizon" => &s.horizon,
                            _ => &s.driving_force,
                        };
                        Value::Text(Cow::Borrowed(text.as_str()))
                    }
                    _ => Value::None,
                },
                "alt_labels" => match node {
                    NodeRef::Concept(id) => Value::Texts(
                        c.concepts[id]
                            .alt_labels
                            .iter()
                            .map(String::as_str)
                            .collect(),
                    ),
                    _ => Value::None,
                },
                "uses" => match node {
                    NodeRef::Concept(id) => Value::Integer(c.concepts[id].uses as i64),
                    _ => Value::None,
                },
                "x" | "y" => {
                    let p =
                        self.positions.as_ref().expect("x/y columns need positions")[i as usize];
                    Value::Double(if column.id == "x" { p[0] } else { p[1] })
                }
                id => self.analysis_value(id, i),
            };
            out.push(v);
        }
    }

    fn analysis_value(&self, id: &str, i: u32) -> Value<'a> {
        let Some(a) = &self.analysis else {
            return Value::None;
        };
        if let Some(level) = id
            .strip_prefix("cluster_")
            .and_then(|l| l.parse::<usize>().ok())
        {
            let c = a.levels[level].membership[i as usize];
            return if c == u32::MAX {
                Value::None
            } else {
                Value::Integer(c as i64)
            };
        }
        for (m, scores) in &a.measures {
            if m.key() == id {
                let v = scores[i as usize];
                return if !v.is_finite() {
                    Value::None
                } else if m.is_integer() {
                    Value::Integer(v as i64)
                } else {
                    Value::Double(v)
                };
            }
        }
        Value::None
    }
}

/// The first appearance of every node of the projection.
fn starts(graph: &ProjectedGraph, c: &Collection) -> Vec<Option<Date>> {
    let earliest = |slot: &mut Option<Date>, d: Option<Date>| {
        if let Some(d) = d {
            if slot.is_none_or(|s| d < s) {
                *slot = Some(d);
            }
        }
    };
    let mut concept = vec![None; c.concepts.len()];
    let mut source = vec![None; c.sources.len()];
    let mut stub = vec![None; c.stubs.len()];
    for (input, l) in c.articles.iter().zip(&c.links) {
        let d = input.article.date;
        for &id in l.themes.iter().chain(&l.keywords) {
            earliest(&mut concept[id], d);
        }
        for s in &l.signals {
            if let Some(id) = s.driving_force {
                earliest(&mut concept[id], d);
            }
        }
        if let Some(s) = l.source {
            earliest(&mut source[s], d);
        }
        for link in &l.closest {
            if let LinkTarget::Stub(s) = link.target {
                earliest(&mut stub[s], d);
            }
        }
    }
    (0..graph.node_count() as u32)
        .map(|i| match graph.node(i) {
            NodeRef::Article(a) | NodeRef::Signal { article: a, .. } => c.articles[a].article.date,
            NodeRef::Stub(s) => stub[s],
            NodeRef::Concept(id) => concept[id],
            NodeRef::Source(s) => source[s],
            NodeRef::Digest(d) => Some(c.digests[d].date),
        })
        .collect()
}

/// Edges sorted by (source, target) with parallel edges merged: weights
/// summed, the first kind in [`EdgeKind`] order kept; and how many merged.
fn merge_edges(graph: &ProjectedGraph) -> (Vec<MergedEdge>, usize) {
    let mut edges: Vec<MergedEdge> = graph
        .graph
        .raw_edges()
        .iter()
        .map(|e| {
            let (a, b) = (e.source().index() as u32, e.target().index() as u32);
            MergedEdge {
                source: a.min(b),
                target: a.max(b),
                kind: e.weight.kind,
                weight: e.weight.weight,
                count: 1,
            }
        })
        .collect();
    edges.sort_by_key(|e| (e.source, e.target, e.kind));
    let before = edges.len();
    edges.dedup_by(|later, kept| {
        let same = (later.source, later.target) == (kept.source, kept.target);
        if same {
            kept.weight += later.weight;
            kept.count += later.count;
        }
        same
    });
    let merged = before - edges.len();
    (edges, merged)
}
