//! `import.sh` (neo4j-admin) and `load.cypher` (LOAD CSV) for the files of
//! the Neo4j folder.

use super::{NodeFile, RelationshipFile};
use crate::export::ExportError;
use std::fmt::Write as _;
use std::path::Path;

/// Writes `import.sh` (executable) and `load.cypher` into `dir`.
pub(super) fn write(
    dir: &Path,
    nodes: &[NodeFile],
    relationships: &[RelationshipFile],
) -> Result<(), ExportError> {
    let script = import_script(nodes, relationships);
    crate::export::write_output(&dir.join("import.sh"), |w| {
        std::io::Write::write_all(w, script.as_bytes())
    })?;
    set_executable(&dir.join("import.sh"));
    let cypher = load_cypher(nodes, relationships);
    crate::export::write_output(&dir.join("load.cypher"), |w| {
        std::io::Write::write_all(w, cypher.as_bytes())
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
    if nodes.iter().any(|f| f.name.ends_with(".gz")) {
        // LOAD CSV reads gzip over HTTP only; from local files, plain or ZIP.
        s.push_str(
            "// The files here are gzip-compressed: gunzip them into the import directory.\n",
        );
    }
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
            name = f.name.trim_end_matches(".gz"),
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
            name = f.name.trim_end_matches(".gz"),
            start = f.start,
            end = f.end,
            kind = f.kind,
        );
    }
    s
}
