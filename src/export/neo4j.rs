//! A folder for Neo4j: CSV files for `neo4j-admin database import full`,
//! `import.sh` with the exact command, and `load.cypher` (LOAD CSV) for an
//! existing database.
//!
//! One node file per label (`nodes_Article.csv`, `nodes_StubArticle.csv` for
//! articles known only from closest links, …, `nodes_Cluster.csv`), each in
//! its own ID space (`id:ID(Article)`), and one relationship file per type and
//! pair of labels (`rels_HAS_THEME_Article_Theme.csv`, with
//! `:START_ID(Article)`, `:END_ID(Theme)`, `:TYPE`). Clusters are those of the
//! projection's analysis at every level and the trend clusters (level 0 of the
//! `articles` analysis) with the report's names. Properties carry the
//! importer's types (`date:date`, `pageRank:double`, `coreNumber:long`,
//! `altLabels:string[]`); a node file has the columns its nodes have values
//! for. Array elements are separated by U+001F (`--array-delimiter`), a
//! character labels never contain; quoting is RFC 4180 and fields may span
//! lines (`--multiline-fields=true`). `CLOSEST` is directed, as
//! `sg:closestTo`: one relationship per link, from the article that lists it.
//! Relationships of the undirected projections are written once, from the
//! node that owns the link (the article of `HAS_THEME`, the signal of
//! `DRIVEN_BY`) or, between two nodes of one label, from the one with the
//! smaller id. `import.sh` needs Neo4j 5.0 or later, `load.cypher` 5.23 or
//! later (its `CALL (row) { … }` subqueries). With the store's trends
//! through time, `nodes_Trend.csv` and the trend relationships ([`trends`]).

use super::table::text;
use super::view::{ColumnType, GraphView, Value};
use super::ExportError;
use crate::graph::{EdgeKind, NodeKind, NodeRef, Projection};
use crate::model::LinkTarget;
use crate::trends::history::History;
use std::collections::BTreeMap;
use std::path::Path;

mod clusters;
mod scripts;
mod trends;

/// Separates the elements of array properties.
pub const ARRAY_DELIMITER: char = '\u{1f}';

fn neo4j_type(kind: ColumnType) -> Option<&'static str> {
    match kind {
        ColumnType::String => None,
        ColumnType::Strings => Some("string[]"),
        ColumnType::Integer => Some("long"),
        ColumnType::Double => Some("double"),
        ColumnType::Date => Some("date"),
    }
}

/// The label of the node a link of this kind starts from.
fn owner(kind: EdgeKind) -> Option<NodeKind> {
    match kind {
        EdgeKind::HasSignal
        | EdgeKind::HasTheme
        | EdgeKind::HasKeyword
        | EdgeKind::PublishedBy
        | EdgeKind::InDigest => Some(NodeKind::Article),
        EdgeKind::DrivenBy => Some(NodeKind::Signal),
        EdgeKind::SharesConcepts | EdgeKind::Closest | EdgeKind::CoOccurs => None,
    }
}

/// A node label: the node kind, with stub articles apart from read ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Label {
    kind: NodeKind,
    stub: bool,
}

impl Label {
    fn of(view: &GraphView, i: u32) -> Label {
        Label {
            kind: view.kind(i),
            stub: matches!(view.node(i), NodeRef::Stub(_)),
        }
    }

    /// The label, named as the ontology's class (`StubArticle` for stubs).
    fn name(self) -> &'static str {
        if self.stub {
            "StubArticle"
        } else {
            self.kind.name()
        }
    }
}

/// The trend clusters (level 0 of the `articles` projection's analysis) with
/// the report's names, for a folder of another projection or to name the
/// clusters of the articles projection.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendClusters {
    /// Per article of the collection, its cluster.
    pub cluster_of: Vec<Option<u32>>,
    /// Per cluster, its name (`crate::report::trend_clusters`).
    pub names: Vec<String>,
    /// The modularity of the partition.
    pub modularity: f64,
}

/// One relationship to write: start node, end node, weight, edges merged.
type Relationship = (u32, u32, f64, u32);

/// (header, property, type) of a property column.
type Property = (String, String, Option<&'static str>);

/// A node file written, for `import.sh` and `load.cypher`.
struct NodeFile {
    label: String,
    name: String,
    properties: Vec<Property>,
}

/// A relationship file written, for `import.sh` and `load.cypher`.
struct RelationshipFile {
    kind: String,
    start: String,
    end: String,
    name: String,
    properties: Vec<Property>,
}

/// Writes the import folder for `view` into `dir`, with the trend clusters
/// and the trends through time when given.
pub fn write(
    view: &GraphView,
    trend: Option<&TrendClusters>,
    history: Option<&History>,
    dir: &Path,
    gz: bool,
) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| ExportError::io(dir, e))?;
    let mut folder = Folder::new(view, dir, gz);
    folder.write_nodes()?;
    let nodes = ArticleNodes::of(view);
    folder.write_relationships(&nodes)?;
    folder.write_clusters(trend, &nodes.article)?;
    if let Some(history) = history {
        folder.write_trends(history, &nodes.article)?;
    }
    scripts::write(dir, &folder.node_files, &folder.relationship_files)
}

/// The folder being written: what every file reads, and the files written so
/// far (for `import.sh` and `load.cypher`).
struct Folder<'a> {
    view: &'a GraphView<'a>,
    dir: &'a Path,
    /// Whether the CSV files are gzip-compressed (`.csv.gz`).
    gz: bool,
    /// Per node, its id in the files.
    keys: Vec<String>,
    /// Per node, its label.
    labels: Vec<Label>,
    node_files: Vec<NodeFile>,
    relationship_files: Vec<RelationshipFile>,
}

/// The node of each article and stub of the collection in the projection.
struct ArticleNodes {
    article: Vec<Option<u32>>,
    stub: Vec<Option<u32>>,
}

impl ArticleNodes {
    fn of(view: &GraphView) -> ArticleNodes {
        let mut nodes = ArticleNodes {
            article: vec![None; view.collection.articles.len()],
            stub: vec![None; view.collection.stubs.len()],
        };
        for i in 0..view.node_count() as u32 {
            match view.node(i) {
                NodeRef::Article(a) => nodes.article[a] = Some(i),
                NodeRef::Stub(s) => nodes.stub[s] = Some(i),
                _ => {}
            }
        }
        nodes
    }
}

/// Relationships grouped by (type, start label, end label), one file each.
type Groups = BTreeMap<(&'static str, Label, Label), Vec<Relationship>>;

impl<'a> Folder<'a> {
    fn new(view: &'a GraphView<'a>, dir: &'a Path, gz: bool) -> Folder<'a> {
        let n = view.node_count() as u32;
        Folder {
            view,
            dir,
            gz,
            keys: (0..n).map(|i| view.key(i)).collect(),
            labels: (0..n).map(|i| Label::of(view, i)).collect(),
            node_files: Vec::new(),
            relationship_files: Vec::new(),
        }
    }

    /// The name of the CSV file `name` (`.gz` added when compressed).
    fn file_name(&self, name: String) -> String {
        if self.gz {
            name + ".gz"
        } else {
            name
        }
    }

    /// Writes the CSV file `name` of the folder.
    fn write_csv(
        &self,
        name: &str,
        fill: impl FnOnce(&mut csv::Writer<&mut dyn std::io::Write>) -> Result<(), csv::Error>,
    ) -> Result<(), ExportError> {
        super::write_output_gz(&self.dir.join(name), self.gz, |w| {
            let mut csv = csv::Writer::from_writer(w);
            fill(&mut csv).map_err(std::io::Error::other)?;
            csv.flush()
        })?;
        Ok(())
    }

    fn node_count(&self) -> u32 {
        self.keys.len() as u32
    }

    /// One node file per label, with the columns its nodes have values for.
    fn write_nodes(&mut self) -> Result<(), ExportError> {
        let columns = self.view.columns();
        for (label, flags) in self.used_columns() {
            let chosen: Vec<usize> = (0..columns.len())
                .filter(|&c| flags[c] && !matches!(columns[c].id.as_str(), "kind" | "x" | "y"))
                .collect();
            self.write_node_file(label, &chosen)?;
        }
        Ok(())
    }

    /// Per label, which columns its nodes have values for.
    fn used_columns(&self) -> BTreeMap<Label, Vec<bool>> {
        let columns = self.view.columns();
        let mut values = Vec::new();
        let mut used: BTreeMap<Label, Vec<bool>> = BTreeMap::new();
        for i in 0..self.node_count() {
            self.view.values(i, &mut values);
            let flags = used
                .entry(self.labels[i as usize])
                .or_insert_with(|| vec![false; columns.len()]);
            for (flag, v) in flags.iter_mut().zip(&values) {
                *flag |= *v != Value::None;
            }
        }
        used
    }

    /// `nodes_<label>.csv` with the `chosen` columns of the view.
    fn write_node_file(&mut self, label: Label, chosen: &[usize]) -> Result<(), ExportError> {
        let columns = self.view.columns();
        let label_name = label.name();
        let properties: Vec<Property> = chosen
            .iter()
            .map(|&c| {
                let col = &columns[c];
                let ty = neo4j_type(col.kind);
                let header = match ty {
                    Some(t) => format!("{}:{t}", col.property),
                    None => col.property.clone(),
                };
                (header, col.property.clone(), ty)
            })
            .collect();
        let name = self.file_name(format!("nodes_{label_name}.csv"));
        self.write_csv(&name, |w| {
            let mut header = vec![format!("id:ID({label_name})"), ":LABEL".to_string()];
            header.extend(properties.iter().map(|p| p.0.clone()));
            w.write_record(&header)?;
            let mut values = Vec::new();
            let mut row: Vec<String> = Vec::new();
            for i in (0..self.node_count()).filter(|&i| self.labels[i as usize] == label) {
                self.view.values(i, &mut values);
                row.clear();
                row.push(self.keys[i as usize].clone());
                row.push(label_name.to_string());
                row.extend(
                    chosen
                        .iter()
                        .map(|&c| clean(&text(&values[c], "\u{1f}"), columns[c].kind)),
                );
                w.write_record(&row)?;
            }
            Ok(())
        })?;
        self.node_files.push(NodeFile {
            label: label_name.to_string(),
            name,
            properties,
        });
        Ok(())
    }

    /// One relationship file per type and pair of labels: the projection's
    /// edges, then the closest links.
    fn write_relationships(&mut self, nodes: &ArticleNodes) -> Result<(), ExportError> {
        let mut groups = self.edge_groups();
        self.add_closest_links(&mut groups, nodes);
        for ((kind, start, end), edges) in &groups {
            self.write_relationship_file(kind, *start, *end, edges)?;
        }
        Ok(())
    }

    /// The projection's edges (closest links of the full projection apart),
    /// each from the node that owns it.
    fn edge_groups(&self) -> Groups {
        let labels = &self.labels;
        let mut groups = Groups::new();
        for e in &self.view.edges {
            let kind = match (e.kind, self.view.graph.projection) {
                // Written by `add_closest_links`, one per directed link.
                (EdgeKind::Closest, Projection::Full) => continue,
                // In the articles projection, an edge of a closest link is also the
                // weighted similarity edge the analysis ran on.
                (EdgeKind::Closest, _) => EdgeKind::SharesConcepts,
                (kind, _) => kind,
            };
            let (mut a, mut b) = (e.source, e.target);
            let (ka, kb) = (labels[a as usize], labels[b as usize]);
            let flip = match owner(kind) {
                Some(k) => ka.kind != k && kb.kind == k,
                None => ka > kb,
            };
            if flip {
                std::mem::swap(&mut a, &mut b);
            }
            groups
                .entry((kind.name(), labels[a as usize], labels[b as usize]))
                .or_default()
                .push((a, b, e.weight, e.count));
        }
        groups
    }

    /// Closest links are directed (what an article lists): one relationship
    /// per link between two nodes of the projection, as `sg:closestTo`.
    fn add_closest_links(&self, groups: &mut Groups, nodes: &ArticleNodes) {
        for (a, links) in self.view.collection.links.iter().enumerate() {
            let Some(from) = nodes.article[a] else {
                continue;
            };
            let mut targets: Vec<LinkTarget> = links.closest.iter().map(|l| l.target).collect();
            targets.sort_unstable();
            targets.dedup();
            for target in targets {
                let to = match target {
                    LinkTarget::Article(b) => nodes.article[b],
                    LinkTarget::Stub(s) => nodes.stub[s],
                };
                if let Some(to) = to {
                    groups
                        .entry((
                            EdgeKind::Closest.name(),
                            self.labels[from as usize],
                            self.labels[to as usize],
                        ))
                        .or_default()
                        .push((from, to, f64::NAN, 1));
                }
            }
        }
    }

    /// `rels_<type>_<start>_<end>.csv`; closest links carry no weight.
    fn write_relationship_file(
        &mut self,
        kind: &str,
        start: Label,
        end: Label,
        edges: &[Relationship],
    ) -> Result<(), ExportError> {
        let (start, end) = (start.name(), end.name());
        let weighted = kind != EdgeKind::Closest.name();
        let name = self.file_name(format!("rels_{kind}_{start}_{end}.csv"));
        self.write_csv(&name, |w| {
            let mut header = vec![
                format!(":START_ID({start})"),
                format!(":END_ID({end})"),
                ":TYPE".to_string(),
            ];
            if weighted {
                header.push("weight:double".to_string());
                header.push("merged:long".to_string());
            }
            w.write_record(&header)?;
            for &(a, b, weight, count) in edges {
                let mut row = vec![
                    self.keys[a as usize].clone(),
                    self.keys[b as usize].clone(),
                    kind.to_string(),
                ];
                if weighted {
                    row.push(format!("{weight:?}"));
                    row.push(count.to_string());
                }
                w.write_record(&row)?;
            }
            Ok(())
        })?;
        let properties = if weighted {
            vec![
                (
                    "weight:double".to_string(),
                    "weight".to_string(),
                    Some("double"),
                ),
                (
                    "merged:long".to_string(),
                    "merged".to_string(),
                    Some("long"),
                ),
            ]
        } else {
            Vec::new()
        };
        self.relationship_files.push(RelationshipFile {
            kind: kind.to_string(),
            start: start.to_string(),
            end: end.to_string(),
            name,
            properties,
        });
        Ok(())
    }
}

/// Array elements must not contain the delimiter; other values pass unchanged.
fn clean(value: &str, kind: ColumnType) -> String {
    if kind == ColumnType::Strings {
        value.to_string()
    } else {
        value.replace(ARRAY_DELIMITER, " ")
    }
}
