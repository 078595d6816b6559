//! A folder for Neo4j: CSV files for `neo4j-admin database import full`,
//! `import.sh` with the exact command, and `load.cypher` (LOAD CSV) for an
//! existing database.
//!
//! One node file per label (`nodes_Article.csv`, …, `nodes_Cluster.csv`),
//! each in its own ID space (`id:ID(Article)`), and one relationship file per
//! type and pair of labels (`rels_HAS_THEME_Article_Theme.csv`, with
//! `:START_ID(Article)`, `:END_ID(Theme)`, `:TYPE`). Properties carry the
//! importer's types (`date:date`, `pageRank:double`, `coreNumber:long`,
//! `altLabels:string[]`); a node file has the columns its nodes have values
//! for. Array elements are separated by U+001F (`--array-delimiter`), a
//! character labels never contain; quoting is RFC 4180 and fields may span
//! lines (`--multiline-fields=true`). Relationships of the undirected
//! projections are written once, from the node that owns the link (the
//! article of `HAS_THEME`, the signal of `DRIVEN_BY`) or, between two nodes
//! of one label, from the one with the smaller id.

use super::table::text;
use super::view::{ColumnType, GraphView, Value};
use super::ExportError;
use crate::graph::{EdgeKind, NodeKind};
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

/// Writes the import folder for `view` into `dir`.
pub fn write(view: &GraphView, dir: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| ExportError::io(dir, e))?;
    let n = view.node_count();
    let keys: Vec<String> = (0..n as u32).map(|i| view.key(i)).collect();

    // Which columns each label has values for.
    let mut values = Vec::new();
    let columns = view.columns();
    let mut used: BTreeMap<NodeKind, Vec<bool>> = BTreeMap::new();
    for i in 0..n as u32 {
        view.values(i, &mut values);
        let flags = used
            .entry(view.kind(i))
            .or_insert_with(|| vec![false; columns.len()]);
        for (flag, v) in flags.iter_mut().zip(&values) {
            *flag |= *v != Value::None;
        }
    }

    let mut node_files = Vec::new();
    for (&kind, flags) in &used {
        let label = kind.name();
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
        let name = format!("nodes_{label}.csv");
        let path = dir.join(&name);
        write_csv(&path, |w| {
            let mut header = vec![format!("id:ID({label})"), ":LABEL".to_string()];
            header.extend(properties.iter().map(|p| p.0.clone()));
            w.write_record(&header)?;
            let mut row: Vec<String> = Vec::new();
            for i in (0..n as u32).filter(|&i| view.kind(i) == kind) {
                view.values(i, &mut values);
                row.clear();
                row.push(keys[i as usize].clone());
                row.push(label.to_string());
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
            label: label.to_string(),
            name,
            properties,
        });
    }

    // Relationships, grouped by (type, start label, end label).
    let mut groups: BTreeMap<(&'static str, NodeKind, NodeKind), Vec<Relationship>> =
        BTreeMap::new();
    for e in &view.edges {
        let (mut a, mut b) = (e.source, e.target);
        let (ka, kb) = (view.kind(a), view.kind(b));
        let flip = match owner(e.kind) {
            Some(k) => ka != k && kb == k,
            None => ka > kb,
        };
        if flip {
            std::mem::swap(&mut a, &mut b);
        }
        groups
            .entry((e.kind.name(), view.kind(a), view.kind(b)))
            .or_default()
            .push((a, b, e.weight, e.count));
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
        let name = format!("rels_{kind}_{}_{}.csv", start.name(), end.name());
        write_csv(&dir.join(&name), |w| {
            w.write_record([
                format!(":START_ID({})", start.name()),
                format!(":END_ID({})", end.name()),
                ":TYPE".to_string(),
                "weight:double".to_string(),
                "merged:long".to_string(),
            ])?;
            for &(a, b, weight, count) in edges {
                w.write_record([
                    keys[a as usize].as_str(),
                    keys[b as usize].as_str(),
                    kind,
                    &format!("{weight:?}"),
                    &count.to_string(),
                ])?;
            }
            Ok(())
        })?;
        relationship_files.push(RelationshipFile {
            kind: kind.to_string(),
            start: start.name().to_string(),
            end: end.name().to_string(),
            name,
            properties: weight_properties.clone(),
        });
    }

    if let Some(analysis) = &view.analysis {
        let projection = view.graph.projection.name();
        let cluster_id = |level: usize, index: u32| format!("{projection}/{level}/{index}");
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
        ];
        write_csv(&dir.join(&name), |w| {
            let mut header = vec!["id:ID(Cluster)".to_string(), ":LABEL".to_string()];
            header.extend(properties.iter().map(|p| p.0.clone()));
            w.write_record(&header)?;
            for (level, l) in analysis.levels.iter().enumerate() {
                for (index, size) in l.sizes().into_iter().enumerate() {
                    w.write_record([
                        cluster_id(level, index as u32),
                        "Cluster".to_string(),
                        projection.to_string(),
                        level.to_string(),
                        index.to_string(),
                        size.to_string(),
                        format!("{:?}", l.modularity),
                    ])?;
                }
            }
            Ok(())
        })?;
        node_files.push(NodeFile {
            label: "Cluster".into(),
            name,
            properties,
        });

        let level_property = vec![("level:long".to_string(), "level".to_string(), Some("long"))];
        for kind in view.kinds_present() {
            let name = format!("rels_IN_CLUSTER_{}_Cluster.csv", kind.name());
            write_csv(&dir.join(&name), |w| {
                w.write_record([
                    format!(":START_ID({})", kind.name()),
                    ":END_ID(Cluster)".to_string(),
                    ":TYPE".to_string(),
                    "level:long".to_string(),
                ])?;
                for i in (0..n as u32).filter(|&i| view.kind(i) == kind) {
                    for (level, l) in analysis.levels.iter().enumerate() {
                        let c = l.membership[i as usize];
                        if c != u32::MAX {
                            w.write_record([
                                keys[i as usize].clone(),
                                cluster_id(level, c),
                                "IN_CLUSTER".to_string(),
                                level.to_string(),
                            ])?;
                        }
                    }
                }
                Ok(())
            })?;
            relationship_files.push(RelationshipFile {
                kind: "IN_CLUSTER".into(),
                start: kind.name().into(),
                end: "Cluster".into(),
                name,
                properties: level_property.clone(),
            });
        }
        if analysis.levels.len() > 1 {
            let name = "rels_SUB_CLUSTER_OF_Cluster_Cluster.csv".to_string();
            write_csv(&dir.join(&name), |w| {
                w.write_record([":START_ID(Cluster)", ":END_ID(Cluster)", ":TYPE"])?;
                for (level, l) in analysis.levels.iter().enumerate().skip(1) {
                    for (index, &parent) in l.parents.iter().enumerate() {
                        w.write_record([
                            cluster_id(level, index as u32),
                            cluster_id(level - 1, parent),
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
    }

    let script = import_script(&node_files, &relationship_files);
    crate::store::write_atomically(&dir.join("import.sh"), |w| {
        std::io::Write::write_all(w, script.as_bytes())
    })?;
    set_executable(&dir.join("import.sh"));
    let cypher = load_cypher(&node_files, &relationship_files);
    crate::store::write_atomically(&dir.join("load.cypher"), |w| {
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
    crate::store::write_atomically(path, |w| {
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
    s.push_str("# Imports this folder into a new Neo4j 5 database with neo4j-admin.\n");
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
    s.push_str("// Loads this folder into an existing Neo4j 5 database with LOAD CSV.\n");
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
            "LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row\nCALL {{\n  WITH row\n  MERGE (n:{label} {{id: row.`id:ID({label})`}})\n  SET {set}\n}} IN TRANSACTIONS OF 10000 ROWS;\n",
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
        let _ = writeln!(
            s,
            "LOAD CSV WITH HEADERS FROM 'file:///{name}' AS row\nCALL {{\n  WITH row\n  MATCH (a:{start} {{id: row.`:START_ID({start})`}})\n  MATCH (b:{end} {{id: row.`:END_ID({end})`}})\n  CREATE (a)-[:{kind} {{{props}}}]->(b)\n}} IN TRANSACTIONS OF 10000 ROWS;\n",
            name = f.name,
            start = f.start,
            end = f.end,
            kind = f.kind,
            props = props.join(", "),
        );
    }
    s
}
