//! Plain CSV: `nodes.csv` and `edges.csv` with ids, kinds, labels and every attribute.
//!
//! RFC 4180 quoting (fields with commas, quotes or line breaks are quoted,
//! quotes doubled). Lists (alternative labels) are joined with newlines.

use super::view::{GraphView, Value};
use std::io::Write;
use std::path::Path;

/// Writes `nodes.csv` and `edges.csv` into `dir` (created if needed),
/// `nodes.csv.gz` and `edges.csv.gz` when `gz`.
pub fn write(view: &GraphView, dir: &Path, gz: bool) -> Result<(), super::ExportError> {
    std::fs::create_dir_all(dir).map_err(|e| super::ExportError::io(dir, e))?;
    let nodes = super::gz_path(&dir.join("nodes.csv"), gz);
    super::write_output_gz(&nodes, gz, |w| write_nodes(view, w).map_err(csv_io))
        .map_err(super::ExportError::Store)?;
    let edges = super::gz_path(&dir.join("edges.csv"), gz);
    super::write_output_gz(&edges, gz, |w| write_edges(view, w).map_err(csv_io))
        .map_err(super::ExportError::Store)?;
    Ok(())
}

fn csv_io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// One row per node: `id`, then every column of the view.
pub fn write_nodes(view: &GraphView, out: impl Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["id".to_string()];
    header.extend(view.columns().iter().map(|c| c.id.clone()));
    w.write_record(&header)?;
    let mut values = Vec::new();
    let mut row: Vec<String> = Vec::new();
    for i in 0..view.node_count() as u32 {
        view.values(i, &mut values);
        row.clear();
        row.push(view.key(i));
        row.extend(values.iter().map(|v| text(v, "\n")));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// One row per (merged) edge: `source,target,kind,weight,merged`.
pub fn write_edges(view: &GraphView, out: impl Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["source", "target", "kind", "weight", "merged"])?;
    let keys: Vec<String> = (0..view.node_count() as u32).map(|i| view.key(i)).collect();
    for e in &view.edges {
        w.write_record([
            keys[e.source as usize].as_str(),
            keys[e.target as usize].as_str(),
            e.kind.name(),
            &format!("{:?}", e.weight),
            &e.count.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// A value as CSV text (empty for none); lists joined by `separator`.
pub fn text(v: &Value, separator: &str) -> String {
    match v {
        Value::None => String::new(),
        Value::Text(t) => t.to_string(),
        Value::Texts(list) => list.join(separator),
        Value::Integer(n) => n.to_string(),
        Value::Double(x) => format!("{x:?}"),
        Value::Date(d) => d.to_string(),
    }
}
