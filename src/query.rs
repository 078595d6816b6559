//! SPARQL over an opened store, with results written in the standard formats.
//!
//! Queries are parsed by spargebra and evaluated by spareval (oxigraph's SPARQL
//! engine) over the store's [`FrozenDataset`]. The default graph of a query is
//! the union of every named graph (articles, collection, ontology, analysis),
//! so `?a dcterms:title ?t` finds every title without a `GRAPH` clause; a query
//! with its own `FROM`/`FROM NAMED` keeps its dataset.

use crate::store::vocab::PREFIXES;
use crate::store::FrozenDataset;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Term, TermRef};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::QueryResults;
use spareval::QueryEvaluator;
use spargebra::SparqlParser;
use std::io::{self, Write};

/// How to write query results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultFormat {
    /// An aligned text table for a terminal (SELECT/ASK).
    Table,
    /// SPARQL 1.1 Query Results CSV.
    Csv,
    /// SPARQL 1.1 Query Results TSV.
    Tsv,
    /// SPARQL 1.1 Query Results JSON.
    Json,
    /// SPARQL Query Results XML.
    Xml,
    /// Turtle, with the project's prefixes (CONSTRUCT/DESCRIBE).
    Turtle,
    /// N-Triples (CONSTRUCT/DESCRIBE).
    NTriples,
}

impl ResultFormat {
    fn for_graphs(self) -> bool {
        matches!(self, ResultFormat::Turtle | ResultFormat::NTriples)
    }
}

/// Errors of a query run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query does not parse; the message carries the line and column.
    #[error("invalid SPARQL query: {0}")]
    Syntax(String),
    #[error("query evaluation failed: {0}")]
    Evaluation(String),
    #[error("{0}")]
    Format(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// The shape of a query's answer, for callers that pick a default format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    Solutions,
    Boolean,
    Graph,
}

/// Parses `query`, evaluates it over `store` and writes the answer to `out`.
///
/// `format` `None` means the table for SELECT/ASK and Turtle for
/// CONSTRUCT/DESCRIBE; `base` is the data base IRI (shown as `id:` in tables).
pub fn run(
    dataset: &FrozenDataset,
    query: &str,
    format: Option<ResultFormat>,
    base: &str,
    out: &mut dyn Write,
) -> Result<Answer, QueryError> {
    let mut parser = SparqlParser::new();
    for (prefix, ns) in PREFIXES {
        parser = parser
            .with_prefix(prefix, ns)
            .map_err(|e| QueryError::Syntax(e.to_string()))?;
    }
    let query = parser
        .parse_query(query)
        .map_err(|e| QueryError::Syntax(e.to_string()))?;
    let evaluator = QueryEvaluator::new();
    let mut prepared = evaluator.prepare(&query);
    if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    let results = prepared
        .execute(dataset)
        .map_err(|e| QueryError::Evaluation(e.to_string()))?;
    let eval = |e: oxigraph::sparql::QueryEvaluationError| QueryError::Evaluation(e.to_string());
    match results {
        QueryResults::Graph(triples) => {
            let format = match format {
                None | Some(ResultFormat::Turtle) => RdfFormat::Turtle,
                Some(ResultFormat::NTriples) => RdfFormat::NTriples,
                Some(other) => {
                    return Err(QueryError::Format(format!(
                        "a CONSTRUCT/DESCRIBE query gives triples: use --format turtle or ntriples, not {other:?}"
                    )))
                }
            };
            let mut serializer = RdfSerializer::from_format(format);
            if format == RdfFormat::Turtle {
                for (prefix, ns) in PREFIXES {
                    serializer = serializer
                        .with_prefix(prefix, ns)
                        .map_err(|e| QueryError::Format(e.to_string()))?;
                }
            }
            let mut writer = serializer.for_writer(out);
            for triple in triples {
                writer.serialize_triple(&triple.map_err(eval)?)?;
            }
            writer.finish()?;
            Ok(Answer::Graph)
        }
        QueryResults::Boolean(value) => {
            match results_format(format)? {
                Some(f) => {
                    QueryResultsSerializer::from_format(f)
                        .serialize_boolean_to_writer(&mut *out, value)?;
                }
                None => writeln!(out, "{value}")?,
            }
            Ok(Answer::Boolean)
        }
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            match results_format(format)? {
                Some(f) => {
                    let mut writer = QueryResultsSerializer::from_format(f)
                        .serialize_solutions_to_writer(&mut *out, variables)?;
                    for solution in solutions {
                        writer.serialize(&solution.map_err(eval)?)?;
                    }
                    writer.finish()?;
                }
                None => {
                    let mut rows = Vec::new();
                    for solution in solutions {
                        let solution = solution.map_err(eval)?;
                        rows.push(
                            variables
                                .iter()
                                .map(|v| {
                                    solution
                                        .get(v)
                                        .map(|t| cell(t.as_ref(), base))
                                        .unwrap_or_default()
                                })
                                .collect::<Vec<String>>(),
                        );
                    }
                    let header: Vec<String> =
                        variables.iter().map(|v| v.as_str().to_string()).collect();
                    write_table(out, &header, &rows)?;
                }
            }
            Ok(Answer::Solutions)
        }
    }
}

/// The SPARQL results format for a SELECT/ASK answer; `None` is the text table.
fn results_format(format: Option<ResultFormat>) -> Result<Option<QueryResultsFormat>, QueryError> {
    Ok(match format {
        None | Some(ResultFormat::Table) => None,
        Some(ResultFormat::Csv) => Some(QueryResultsFormat::Csv),
        Some(ResultFormat::Tsv) => Some(QueryResultsFormat::Tsv),
        Some(ResultFormat::Json) => Some(QueryResultsFormat::Json),
        Some(ResultFormat::Xml) => Some(QueryResultsFormat::Xml),
        Some(f) if f.for_graphs() => {
            return Err(QueryError::Format(format!(
                "a SELECT/ASK query gives solutions: use --format table, csv, tsv, json or xml, not {f:?}"
            )))
        }
        Some(_) => None,
    })
}

/// How a term reads in a table: prefixed names where a prefix fits, literal values bare.
fn cell(term: TermRef<'_>, base: &str) -> String {
    const MAX: usize = 80;
    let text = match term {
        TermRef::NamedNode(n) => {
            let iri = n.as_str();
            if let Some(local) = iri.strip_prefix(base) {
                format!("id:{local}")
            } else if let Some((prefix, ns)) = PREFIXES.iter().find(|(_, ns)| iri.starts_with(ns)) {
                format!("{prefix}:{}", &iri[ns.len()..])
            } else {
                format!("<{iri}>")
            }
        }
        TermRef::Literal(l) => l.value().to_string(),
        other => Term::from(other).to_string(),
    };
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() > MAX {
        let cut: String = flat.chars().take(MAX - 1).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

fn write_table(out: &mut dyn Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(c));
        }
    }
    let line = |out: &mut dyn Write, cells: &[String]| -> io::Result<()> {
        let mut text = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                text.push_str(" | ");
            }
            text.push_str(c);
            if i + 1 < cells.len() {
                text.extend(std::iter::repeat_n(' ', w - width(c)));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, header)?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("-+-"))?;
    for row in rows {
        line(out, row)?;
    }
    writeln!(
        out,
        "({} row{})",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}
