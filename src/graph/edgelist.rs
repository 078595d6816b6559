//! Weighted edge lists from CSV files (`source,target[,weight]`), for
//! analysing graphs made elsewhere.
//!
//! A header row is recognised when its first two fields are `source` and
//! `target` (any case); `#` lines are comments. Fields may also be separated
//! by tabs or spaces when the file has no comma on its first data line (as
//! igraph and networkx write edge lists). Node names are kept as written and
//! numbered in order of first appearance, so the same file always gives the
//! same graph.

use super::csr::{Csr, NodeId};
use std::collections::HashMap;
use std::path::Path;

/// Why an edge list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EdgeListError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        source: std::io::Error,
    },
    /// A line does not parse.
    #[error("{path}:{line}: {message}")]
    Line {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// The file holds no edges.
    #[error("{path}: no edges")]
    Empty {
        /// The file.
        path: String,
    },
    /// Modularity squares the total weight: it must stay a normal `f64`.
    #[error(
        "{path}: the edge weights add up to {total:e}, outside what the analysis can square \
         (about 1e-150 to 1e150); multiply or divide every weight by one factor"
    )]
    TotalWeight {
        /// The file.
        path: String,
        /// The edges' total weight.
        total: f64,
    },
}

/// A graph read from an edge list, with the names of its nodes.
#[derive(Clone, Debug)]
pub struct EdgeList {
    /// The graph; node `i` is the `i`-th name met in the file.
    pub graph: Csr,
    /// `names[i]` is how node `i` was written in the file.
    pub names: Vec<String>,
}

/// Reads `path` as a weighted edge list.
pub fn read(path: &Path) -> Result<EdgeList, EdgeListError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| EdgeListError::Io {
        path: shown.clone(),
        source,
    })?;
    parse(&bytes, &shown)
}

/// Parses an edge list; `shown` names it in errors.
pub fn parse(bytes: &[u8], shown: &str) -> Result<EdgeList, EdgeListError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let delimiter = delimiter_of(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let error = |line: usize, message: String| EdgeListError::Line {
        path: shown.to_string(),
        line,
        message,
    };
    let mut graph = Builder::default();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                return Err(error(line, e.to_string()));
            }
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        graph
            .add_record(&record, delimiter)
            .map_err(|message| error(line, message))?;
    }
    graph.finish(shown)
}

/// A comma when the first data line has one, else a space (tabs and spaces,
/// as igraph and networkx write edge lists).
fn delimiter_of(bytes: &[u8]) -> u8 {
    let first_data_line = bytes
        .split(|&b| b == b'\n')
        .find(|l| !l.trim_ascii().is_empty() && !l.starts_with(b"#"))
        .unwrap_or_default();
    if first_data_line.contains(&b',') {
        b','
    } else {
        b' '
    }
}

/// The weight in a third field: 1 when empty, else a positive finite number.
fn weight_of(field: &str) -> Result<f64, String> {
    if field.is_empty() {
        return Ok(1.0);
    }
    match field.parse::<f64>() {
        // Betweenness and closeness take 1/w as the edge's length.
        Ok(w) if w > 0.0 && (1.0 / w).is_finite() && w.is_finite() => Ok(w),
        _ => Err(format!(
            "weight {field:?} is not a positive finite number \
             (leave the line out for no edge)"
        )),
    }
}

/// Names numbered in order of first appearance, and the edges between them.
#[derive(Default)]
struct Builder {
    ids: HashMap<String, NodeId>,
    names: Vec<String>,
    edges: Vec<(NodeId, NodeId, f64)>,
}

impl Builder {
    fn is_empty(&self) -> bool {
        self.edges.is_empty()
    }

    fn id(&mut self, name: &str) -> Option<NodeId> {
        if let Some(&i) = self.ids.get(name) {
            return Some(i);
        }
        let i = NodeId::try_from(self.names.len()).ok()?;
        self.ids.insert(name.to_string(), i);
        self.names.push(name.to_string());
        Some(i)
    }

    /// Adds the edge of one record; a blank record or the header row (before
    /// any edge) adds none. The error is the message for the record's line.
    fn add_record(&mut self, record: &csv::ByteRecord, delimiter: u8) -> Result<(), String> {
        // Several spaces in a row make empty fields: drop them.
        let fields: Vec<&[u8]> = record
            .iter()
            .filter(|f| delimiter == b',' || !f.is_empty())
            .collect();
        if fields.iter().all(|f| f.is_empty()) {
            return Ok(());
        }
        let field = |i: usize| std::str::from_utf8(fields[i]).map_err(|_| "not UTF-8".to_string());
        if fields.len() < 2 {
            return Err(format!(
                "expected source,target[,weight], found {:?}",
                field(0)?
            ));
        }
        let (source, target) = (field(0)?, field(1)?);
        if self.is_empty()
            && source.eq_ignore_ascii_case("source")
            && target.eq_ignore_ascii_case("target")
        {
            return Ok(());
        }
        let weight = match fields.get(2) {
            None => 1.0,
            Some(_) => weight_of(field(2)?)?,
        };
        if source.is_empty() || target.is_empty() {
            return Err("empty node name".to_string());
        }
        let u = self.id(source).ok_or("more than 2^32 nodes")?;
        let v = self.id(target).ok_or("more than 2^32 nodes")?;
        self.edges.push((u, v, weight));
        Ok(())
    }

    /// The graph, unless it has no edges or a total weight modularity
    /// cannot square.
    fn finish(self, shown: &str) -> Result<EdgeList, EdgeListError> {
        if self.is_empty() {
            return Err(EdgeListError::Empty {
                path: shown.to_string(),
            });
        }
        let total: f64 = self.edges.iter().map(|e| e.2).sum();
        let squared = (2.0 * total) * (2.0 * total);
        if !squared.is_normal() {
            return Err(EdgeListError::TotalWeight {
                path: shown.to_string(),
                total,
            });
        }
        Ok(EdgeList {
            graph: Csr::from_edges(self.names.len(), self.edges),
            names: self.names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_header_weights_and_names_in_order() {
        let text = "source,target,weight\nb,a,2\na,c\n# note\n\nc,b,0.5\n";
        let e = parse(text.as_bytes(), "t.csv").unwrap();
        assert_eq!(e.names, ["b", "a", "c"]);
        assert_eq!(e.graph.edge_count(), 3);
        assert_eq!(e.graph.total_weight(), 3.5);
    }

    #[test]
    fn reads_quoted_names() {
        let e = parse(b"\"a, inc\",\"b \"\"x\"\"\"\n", "t.csv").unwrap();
        assert_eq!(e.names, ["a, inc", "b \"x\""]);
    }

    #[test]
    fn reads_whitespace_separated_lists() {
        let e = parse("1 2\n2 3 4.5\n".as_bytes(), "t.txt").unwrap();
        assert_eq!(e.names, ["1", "2", "3"]);
        assert_eq!(e.graph.total_weight(), 5.5);
    }

    #[test]
    fn bad_lines_name_the_line() {
        let err = parse("a,b\nc\n".as_bytes(), "t.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:2: expected source,target[,weight], found \"c\""
        );
        let err = parse("a,b,-1\n".as_bytes(), "t.csv").unwrap_err();
        assert!(err.to_string().starts_with("t.csv:1: weight \"-1\""));
        let err = parse("source,target\n".as_bytes(), "t.csv").unwrap_err();
        assert_eq!(err.to_string(), "t.csv: no edges");
    }

    #[test]
    fn weights_must_be_usable_as_lengths() {
        // 0 would be an infinite length; 1e-320 too (its inverse overflows).
        for w in ["0", "-0", "1e-320", "inf", "NaN"] {
            let err = parse(format!("a,b,1\nb,c,{w}\n").as_bytes(), "t.csv").unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("t.csv:2: weight \"{w}\"")),
                "{w}: {err}"
            );
        }
    }

    #[test]
    fn total_weights_that_cannot_be_squared_are_refused() {
        // Modularity was NaN and PageRank summed to 0.15 on these.
        for text in [
            "a,b,1e308\nb,c,1e308\nc,a,1e308\n",
            "a,b,1e160\n",
            "a,b,1e-160\n",
        ] {
            let err = parse(text.as_bytes(), "t.csv").unwrap_err();
            assert!(
                matches!(err, EdgeListError::TotalWeight { .. }),
                "{text}: {err}"
            );
        }
        assert!(parse(b"a,b,1e150\nb,c,1e-150\n", "t.csv").is_ok());
    }
}
