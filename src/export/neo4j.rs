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
//! later (its `CALL (row) { … }` subqueries).

use super::table::text;
use super::view::{ColumnType, GraphView, Value};
use super::ExportError;
use crate::graph::{EdgeKind, NodeKind, NodeRef, Projection};
use crate::model::LinkTarget;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

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

/// A file written, for `import.sh` and `load.cypher`.
struct NodeFile {
    label: String,
    name: String,
    /// (header, property, type) of each property column.
    properties: Vec<(String, String, Option<&'static str>)>,
}

struct RelationshipFile {
    kind: String,
    start: String,
    end: String,
    name: String,
    properties: Vec<(String, String, Option<&'static str>)>,
}

/// A row of `nodes_Cluster.csv`.
struct ClusterRow {
    projection: &'static str,
    level: usize,
    index: usize,
    size: usize,
    modularity: f64,
    name: Option<String>,
}

impl ClusterRow {
    fn id(&self) -> String {
        cluster_id(self.projection, self.level, self.index as u32)
    }
}

fn cluster_id(projection: &str, level: usize, index: u32) -> String {
    format!("{projection}/{level}/{index}")
}

/// Writes the import folder for `view` into `dir`, with the trend clusters
/// when given.
pub fn write(
    view: &GraphView,
    trend: Option<&TrendClusters>,
    dir: &Path,
) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| ExportError::io(dir, e))?;
    let n = view.node_count();
    let keys: Vec<String> = (0..n as u32).map(|i| view.key(i)).collect();
    let labels: Vec<Label> = (0..n as u32).map(|i| Label::of(view, i)).collect();
    let projection = view.graph.projection;

    // Which columns each label has values for.
    let mut values = Vec::new();
    let columns = view.columns();
    let mut used: BTreeMap<Label, Vec<bool>> = BTreeMap::new();
    for i in 0..n as u32 {
        view.values(i, &mut values);
        let flags = used
            .entry(labels[i as usize])
            .or_insert_with(|| vec![false; columns.len()]);
        for (flag, v) in flags.iter_mut().zip(&values) {
            *flag |= *v != Value::None;
        }
    }

    let mut node_files = Vec::new();
    for (&label, flags) in &used {
        let label_name = label.name();
        let chosen: Vec<usize> = (0..columns.len())
            .filter(|&c| flags[c] && !matches!(columns[c].id.as_str(), "kind" | "x" | "y"))
            .collect();
        let properties: Vec<(String, String, Option<&'static str>)> = chosen
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
        let name = format!("nodes_{label_name}.csv");
        let path = dir.join(&name);
        write_csv(&path, |w| {
            let mut header = vec![format!("id:ID({label_name})"), ":LABEL".to_string()];
            header.extend(properties.iter().map(|p| p.0.clone()));
            w.write_record(&header)?;
            let mut row: Vec<String> = Vec::new();
            for i in (0..n as u32).filter(|&i| labels[i as usize] == label) {
                view.values(i, &mut values);
                row.clear();
                row.push(keys[i as usize].clone());
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
        node_files.push(NodeFile {
            label: label_name.to_string(),
            name,
            properties,
        });
    }

    // Relationships, grouped by (type, start label, end label).
    let mut groups: BTreeMap<(&'static str, Label, Label), Vec<Relationship>> = BTreeMap::new();
    for e in &view.edges {
        let kind = match (e.kind, projection) {
            // Written below, one per directed link.
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
    // Closest links are directed (what an article lists): one relationship
    // per link between two nodes of the projection, as `sg:closestTo`.
    let mut article_node = vec![None; view.collection.articles.len()];
    let mut stub_node = vec![None; view.collection.stubs.len()];
    for i in 0..n as u32 {
        match view.node(i) {
            NodeRef::Article(a) => article_node[a] = Some(i),
            NodeRef::Stub(s) => stub_node[s] = Some(i),
            _ => {}
        }
    }
    for (a, links) in view.collection.links.iter().enumerate() {
        let Some(from) = article_node[a] else {
            continue;
        };
        let mut targets: Vec<LinkTarget> = links.closest.iter().map(|l| l.target).collect();
        targets.sort_unstable();
        targets.dedup();
        for target in targets {
            let to = match target {
                LinkTarget::Article(b) => article_node[b],
                LinkTarget::Stub(s) => stub_node[s],
            };
            if let Some(to) = to {
                groups
                    .entry((
                        EdgeKind::Closest.name(),
                        labels[from as usize],
                        labels[to as usize],
                    ))
                    .or_default()
                    .push((from, to, f64::NAN, 1));
            }
        }
    }
    let mut relationship_files = Vec::new();
    let weight_properties = vec![
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
    ];
    for ((kind, start, end), edges) in &groups {
        let (start, end) = (start.name(), end.name());
        let weighted = *kind != EdgeKind::Closest.name();
        let name = format!("rels_{kind}_{start}_{end}.csv");
        write_csv(&dir.join(&name), |w| {
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
                    keys[a as usize].clone(),
                    keys[b as usize].clone(),
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
        relationship_files.push(RelationshipFile {
            kind: kind.to_string(),
            start: start.to_string(),
            end: end.to_string(),
            name,
            properties: if weighted {
                weight_properties.clone()
            } else {
                Vec::new()
            },
        });
    }

    // Clusters: every level of the projection's own analysis, and the trend
    // clusters (named) when the projection is another one.
    let own_projection = projection.name();
    let mut clusters: Vec<ClusterRow> = Vec::new();
    // (label, node, cluster id, level) of each IN_CLUSTER relationship.
    let mut members: BTreeMap<Label, Vec<(u32, String, usize)>> = BTreeMap::new();
    if let Some(analysis) = &view.analysis {
        for (level, l) in analysis.levels.iter().enumerate() {
            for (index, size) in l.sizes().into_iter().enumerate() {
                let name = match (projection, trend) {
                    (Projection::Articles, Some(t)) if level == 0 => t.names.get(index).cloned(),
                    _ => None,
                };
                clusters.push(ClusterRow {
                    projection: own_projection,
                    level,
                    index,
                    size,
                    modularity: l.modularity,
                    name,
                });
            }
        }
        for i in 0..n as u32 {
            for (level, l) in analysis.levels.iter().enumerate() {
                let c = l.membership[i as usize];
                if c != u32::MAX {
                    members.entry(labels[i as usize]).or_default().push((
                        i,
                        cluster_id(own_projection, level, c),
                        level,
                    ));
                }
            }
        }
    }
    if let Some(t) = trend.filter(|_| projection != Projection::Articles) {
        let articles = Projection::Articles.name();
        let mut sizes = vec![0; t.names.len()];
        for c in t.cluster_of.iter().flatten() {
            if let Some(size) = sizes.get_mut(*c as usize) {
                *size += 1;
            }
        }
        for (index, (name, size)) in t.names.iter().zip(sizes).enumerate() {
            clusters.push(ClusterRow {
                projection: articles,
                level: 0,
                index,
                size,
                modularity: t.modularity,
                name: Some(name.clone()),
            });
        }
        for (a, c) in t.cluster_of.iter().enumerate() {
            if let (Some(node), Some(c)) = (article_node.get(a).copied().flatten(), c) {
                if (*c as usize) < t.names.len() {
                    members.entry(labels[node as usize]).or_default().push((
                        node,
                        cluster_id(articles, 0, *c),
                        0,
                    ));
                }
            }
        }
    }
    if !clusters.is_empty() {
        let name = "nodes_Cluster.csv".to_string();
        let properties = vec![
            ("projection".to_string(), "projection".to_string(), None),
            ("level:long".to_string(), "level".to_string(), Some("long")),
            ("index:long".to_string(), "index".to_string(), Some("long")),
            ("size:long".to_string(), "size".to_string(), Some("long")),
            (
                "modularity:double".to_string(),
                "modularity".to_string(),
                Some("double"),
            ),
            ("name".to_string(), "name".to_string(), None),
        ];
        write_csv(&dir.join(&name), |w| {
            let mut header = vec!["id:ID(Cluster)".to_string(), ":LABEL".to_string()];
            header.extend(properties.iter().map(|p| p.0.clone()));
            w.write_record(&header)?;
            for c in &clusters {
                w.write_record([
                    c.id(),
                    "Cluster".to_string(),
                    c.projection.to_string(),
                    c.level.to_string(),
                    c.index.to_string(),
                    c.size.to_string(),
                    format!("{:?}", c.modularity),
                    c.name.clone().unwrap_or_default(),
                ])?;
            }
            Ok(())
        })?;
        node_files.push(NodeFile {
            label: "Cluster".into(),
            name,
            properties,
        });
    }
    let level_property = vec![("level:long".to_string(), "level".to_string(), Some("long"))];
    for (label, rows) in &mut members {
        // Each node with its clusters, own projection's levels first.
        rows.sort_by_key(|&(node, _, _)| node);
        let label = label.name();
        let name = format!("rels_IN_CLUSTER_{label}_Cluster.csv");
        write_csv(&dir.join(&name), |w| {
            w.write_record([
                format!(":START_ID({label})"),
                ":END_ID(Cluster)".to_string(),
                ":TYPE".to_string(),
                "level:long".to_string(),
            ])?;
            for (node, cluster, level) in rows.iter() {
                w.write_record([
                    keys[*node as usize].as_str(),
                    cluster,
                    "IN_CLUSTER",
                    &level.to_string(),
                ])?;
            }
            Ok(())
        })?;
        relationship_files.push(RelationshipFile {
            kind: "IN_CLUSTER".into(),
            start: label.into(),
            end: "Cluster".into(),
            name,
            properties: level_property.clone(),
        });
    }
    if let Some(analysis) = view.analysis.as_ref().filter(|a| a.levels.len() > 1) {
        let name = "rels_SUB_CLUSTER_OF_Cluster_Cluster.csv".to_string();
        write_csv(&dir.join(&name), |w| {
            w.write_record([":START_ID(Cluster)", ":END_ID(Cluster)", ":TYPE"])?;
            for (level, l) in analysis.levels.iter().enumerate().skip(1) {
                for (index, &parent) in l.parents.iter().enumerate() {
                    w.write_record([
                        cluster_id(own_projection, level, index as u32),
                        cluster_id(own_projection, level - 1, parent),
                        "SUB_CLUSTER_OF".to_string(),
                    ])?;
                }
            }
            Ok(())
        })?;
        relationship_files.push(RelationshipFile {
            kind: "SUB_CLUSTER_OF".into(),
            start: "Cluster".into(),
            end: "Cluster".into(),
            name,
            properties: Vec::new(),
        });
    }

    let script = import_script(&node_files, &relationship_files);
    super::write_output(&dir.join("import.sh"), |w| {
        std::io::Write::write_all(w, script.as_bytes())
    })?;
    set_executable(&dir.join("import.sh"));
    let cypher = load_cypher(&node_files, &relationship_files);
    super::write_output(&dir.join("load.cypher"), |w| {
        std::io::Write::write_all(w, cypher.as_bytes())
    })?;
    Ok(())
}

/// Array elements must not contain the delimiter; other values pass unchanged.
fn clean(value: &str, kind: ColumnType) -> String {
    if kind == ColumnType::Strings {
        value.to_string()
    } else {
        value.replace(ARRAY_DELIMITER, " ")
    }
}

fn write_csv(
    path: &Path,
    fill: impl FnOnce(
        &mut csv::Writer<&mut std::io::BufWriter<&std::fs::File>>,
    ) -> Result<(), csv::Error>,
) -> Result<(), ExportError> {
    super::write_output(path, |w| {
        let mut csv = csv::Writer::from_writer(w);
        fill(&mut csv).map_err(std::io::Error::other)?;
        csv.flush()
    })?;
    Ok(())
}

#[cfg(unix)]
fn set_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn set_executable(_: &Path) {}

fn import_script(nodes: &[NodeFile], relationships: &[RelationshipFile]) -> String {
    let mut s = String::new();
    s.push_str("#!/bin/sh\n");
    s.push_str("# Imports this folder into a new database with neo4j-admin: Neo4j 5.0 or later\n");
    s.push_str("# (2025.x calendar versions included).\n");
    s.push_str(
        "# Usage: ./import.sh [DATABASE]   (default: neo4j; the database must be stopped)\n",
    );
    s.push_str("# Written by `signalgraph export --format neo4j`.\n");
    s.push_str("set -e\ncd \"$(dirname \"$0\")\"\n");
    s.push_str("neo4j-admin database import full \\\n");
    s.push_str("  --overwrite-destination=true \\\n");
    s.push_str("  --multiline-fields=true \\\n");
    s.push_str("  --array-delimiter=\"U+001F\" \\\n");
    for f in nodes {
        let _ = writeln!(s, "  --nodes={}={} \\", f.label, f.name);
    }
    for f in relationships {
        let _ = writeln!(s, "  --relationships={}={} \\", f.kind, f.name);
    }
    s.push_str("  \"${1:-neo4j}\"\n");
    s
}

/// A Cypher expression converting `row.`header`` to the property's type.
fn converted(header: &str, ty: Option<&str>) -> String {
    let field = format!("row.`{header}`");
    match ty {
        None => format!("nullIf({field}, '')"),
        Some("string[]") => format!("split({field}, '\\u001F')"),
        Some("long") => format!("toInteger({field})"),
        Some("double") => format!("toFloat({field})"),
        Some("date") => format!("date(nullIf({field}, ''))"),
        Some(_) => field,
    }
}

fn load_cypher(nodes: &[NodeFile], relationships: &[RelationshipFile]) -> String {
    let mut s = String::new();
    s.push_str("// Loads this folder into an existing database with LOAD CSV.\n");
    s.push_str("// Needs Neo4j 5.23 or later (2025.x calendar versions included): it uses\n");
    s.push_str("// the variable scope clause `CALL (row) { ... }`, which replaced the\n");
    s.push_str("// importing `WITH` deprecated in 5.x. On Neo4j 5.0 to 5.22 use import.sh.\n");
    s.push_str("// Copy the CSV files into the database's import directory, then run:\n");
    s.push_str("//   cypher-shell -u neo4j -p PASSWORD -f load.cypher\n");
    s.push_str("// Written by `signalgraph export --format neo4j`.\n\n");
    for f in nodes {
        let _ = writeln!(
            s,
            "CREATE CONSTRAINT {label}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE;",
            label = f.label
        );
    }
    s.push('\n');
    for f in nodes {
        let mut set = String::new();
        for (header, property, ty) in &f.properties {
            let _ = write!(set, ", n.{property} = {}", converted(header, *ty));
        }
        let _ = writeln!(
            s,
            "LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row\nCALL (row) {{\n  MERGE (n:{label} {{id: row.`id:ID({label})`}})\n  SET {set}\n}} IN TRANSACTIONS OF 10000 ROWS;\n",
            name = f.name,
            label = f.label,
            set = set.trim_start_matches(", "),
        );
    }
    for f in relationships {
        let mut props = Vec::new();
        for (header, property, ty) in &f.properties {
            props.push(format!("{property}: {}", converted(header, *ty)));
        }
        let props = if props.is_empty() {
            String::new()
        } else {
            format!(" {{{}}}", props.join(", "))
        };
        let _ = writeln!(
            s,
            "LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row\nCALL (row) {{\n  MATCH (a:{start} {{id: row.`:START_ID({start})`}})\n  MATCH (b:{end} {{id: row.`:END_ID({end})`}})\n  CREATE (a)-[:{kind}{props}]->(b)\n}} IN TRANSACTIONS OF 10000 ROWS;\n",
            name = f.name,
            start = f.start,
            end = f.end,
            kind = f.kind,
        );
    }
    s
}
