//! SPARQL over an opened store, with results written in the standard formats.
//!
//! Queries are parsed by spargebra and evaluated by spareval (oxigraph's SPARQL
//! engine) over the store's [`FrozenDataset`]. The default graph of a query is
//! the union of every named graph (articles, collection, ontology, analysis),
//! so `?a dcterms:title ?t` finds every title without a `GRAPH` clause; a query
//! with its own `FROM`/`FROM NAMED` keeps its dataset, and a dataset given by
//! the SPARQL protocol ([`GraphSelection`]) replaces both.
//!
//! [`run`] parses and evaluates in one go (the `query` command); [`parse`] and
//! [`evaluate`] are the two halves, for callers that pick the result format
//! from the query form (the HTTP endpoint) or need [`Limits`]: a timeout, a
//! memory budget, an output size limit and an external stop, enforced while
//! the engine pulls quads and while results are serialised (see `guard`),
//! and a [`Checkpoint`] the caller runs at the evaluation's checkpoints.

mod bounds;
mod grouping;
mod guard;
mod strings;

pub use bounds::{on_query_stack, scan, Size, MAX_NESTING, MAX_TOKENS, STACK_SIZE};
pub use guard::{start_watchdog, Checkpoint, GuardError, Limits, Stop};

use crate::store::vocab::PREFIXES;
use crate::store::FrozenDataset;
use guard::{Control, Guarded, Limited};
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, NamedOrBlankNode, Term, TermRef};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::QueryResults;
use spareval::{QueryEvaluationError, QueryEvaluator};
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
    /// JSON-LD (CONSTRUCT/DESCRIBE).
    JsonLd,
    /// RDF/XML, with the project's prefixes (CONSTRUCT/DESCRIBE).
    RdfXml,
}

impl ResultFormat {
    /// Every format, in the order help texts list them.
    pub const ALL: [ResultFormat; 9] = [
        ResultFormat::Table,
        ResultFormat::Csv,
        ResultFormat::Tsv,
        ResultFormat::Json,
        ResultFormat::Xml,
        ResultFormat::Turtle,
        ResultFormat::NTriples,
        ResultFormat::JsonLd,
        ResultFormat::RdfXml,
    ];

    /// The name used by `query --format`.
    pub fn name(self) -> &'static str {
        match self {
            ResultFormat::Table => "table",
            ResultFormat::Csv => "csv",
            ResultFormat::Tsv => "tsv",
            ResultFormat::Json => "json",
            ResultFormat::Xml => "xml",
            ResultFormat::Turtle => "turtle",
            ResultFormat::NTriples => "ntriples",
            ResultFormat::JsonLd => "jsonld",
            ResultFormat::RdfXml => "rdfxml",
        }
    }

    /// Whether the format writes triples (CONSTRUCT/DESCRIBE) rather than solutions.
    pub fn for_graphs(self) -> bool {
        matches!(
            self,
            ResultFormat::Turtle
                | ResultFormat::NTriples
                | ResultFormat::JsonLd
                | ResultFormat::RdfXml
        )
    }

    /// The IANA media type (`text/plain` for the table).
    pub fn media_type(self) -> &'static str {
        match self {
            ResultFormat::Table => "text/plain; charset=utf-8",
            ResultFormat::Csv => "text/csv; charset=utf-8",
            ResultFormat::Tsv => "text/tab-separated-values; charset=utf-8",
            ResultFormat::Json => QueryResultsFormat::Json.media_type(),
            ResultFormat::Xml => QueryResultsFormat::Xml.media_type(),
            ResultFormat::Turtle => RdfFormat::Turtle.media_type(),
            ResultFormat::NTriples => RdfFormat::NTriples.media_type(),
            ResultFormat::JsonLd => "application/ld+json",
            ResultFormat::RdfXml => RdfFormat::RdfXml.media_type(),
        }
    }

    fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            ResultFormat::Turtle => RdfFormat::Turtle,
            ResultFormat::NTriples => RdfFormat::NTriples,
            ResultFormat::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            ResultFormat::RdfXml => RdfFormat::RdfXml,
            _ => return None,
        })
    }
}

/// Errors of a query run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query does not parse; the message carries the line and column.
    #[error("invalid SPARQL query: {0}")]
    Syntax(String),
    /// The text is a SPARQL Update, which signalgraph never runs.
    #[error("SPARQL Update is not accepted: the store is read-only (edit the seed files and run `signalgraph build`)")]
    Update,
    /// The query asks for something the engine does not do here (SERVICE, unknown functions).
    #[error("unsupported query: {0}")]
    Unsupported(String),
    /// The engine failed on the query.
    #[error("query evaluation failed: {0}")]
    Evaluation(String),
    /// A limit of [`Limits`] stopped the query.
    #[error("{}", stop_message(.0))]
    Stopped(Stop),
    /// The format does not fit the answer (a graph format for solutions, or the reverse).
    #[error("{0}")]
    Format(String),
    /// Writing the answer failed.
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn stop_message(stop: &Stop) -> String {
    match stop {
        Stop::Timeout(t) => format!("query stopped: it ran longer than {} s", t.as_secs_f64()),
        Stop::Memory(bytes) => format!(
            "query stopped: it held more than {} MiB of memory",
            bytes >> 20
        ),
        Stop::Output(bytes) => format!(
            "query stopped: its results are larger than {} MiB",
            bytes >> 20
        ),
        Stop::Cancelled => "query cancelled: the server is shutting down".to_string(),
    }
}

/// The shape of a query's answer, for callers that pick a default format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Solutions of a SELECT.
    Solutions,
    /// The boolean of an ASK.
    Boolean,
    /// The triples of a CONSTRUCT or DESCRIBE.
    Graph,
}

/// The most triple and path patterns a query may have (EXISTS and subqueries
/// included). spareval's optimizer orders joins in time that grows much
/// faster than the patterns (a star of 200 patterns on one subject takes
/// about 10 s, of 1,000 minutes) and checks no deadline, so a short text could
/// hold a core long after its timeout; evaluating as written instead turned a
/// 200-pattern chain of links from a quarter of a second into minutes and
/// gigabytes. At this bound the slowest shape measured (a star of unbound
/// predicates on one subject) plans in 0.9 s; at 128 it took 2.4 s.
pub const MAX_PATTERNS: usize = 100;

/// A parsed SPARQL query (the project prefixes predeclared).
#[derive(Clone, Debug)]
pub struct ParsedQuery {
    query: spargebra::Query,
}

impl ParsedQuery {
    /// What the query gives: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).
    pub fn answer(&self) -> Answer {
        match self.query {
            spargebra::Query::Select { .. } => Answer::Solutions,
            spargebra::Query::Ask { .. } => Answer::Boolean,
            spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. } => Answer::Graph,
        }
    }
}

/// The RDF dataset of a query as the SPARQL protocol gives it
/// (`default-graph-uri`, `named-graph-uri`): it replaces the query's own
/// `FROM`/`FROM NAMED` and the union default graph. With only default graphs
/// given, no named graph is available, as the protocol specifies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GraphSelection {
    /// The graphs whose union is the default graph.
    pub default_graphs: Vec<NamedNode>,
    /// The graphs available as named graphs.
    pub named_graphs: Vec<NamedNode>,
}

/// How to evaluate a query beyond its text.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The protocol's dataset, replacing the query's (`None`: the query's own, or the union).
    pub dataset: Option<GraphSelection>,
    /// The deadline, memory budget and output cap (default: none).
    pub limits: Limits,
}

fn parser() -> Result<SparqlParser, QueryError> {
    let mut parser = SparqlParser::new();
    for (prefix, ns) in PREFIXES {
        parser = parser
            .with_prefix(prefix, ns)
            .map_err(|e| QueryError::Syntax(e.to_string()))?;
    }
    Ok(parser)
}

/// Parses a query; an update is [`QueryError::Update`], anything else that
/// does not parse [`QueryError::Syntax`] with the line and column, and so is
/// a query of more than [`MAX_PATTERNS`] triple and path patterns, and
/// a text of more than [`MAX_TOKENS`] tokens or nested deeper than
/// [`MAX_NESTING`] (refused before parsing).
///
/// Parse, evaluate and drop a query on a thread of [`STACK_SIZE`] bytes of
/// stack (see [`on_query_stack`]): the parser, the engine and the algebra's
/// `Drop` recurse once per token in the worst case.
pub fn parse(text: &str) -> Result<ParsedQuery, QueryError> {
    bounds::check(text).map_err(QueryError::Syntax)?;
    match parser()?.parse_query(text) {
        Ok(mut query) => {
            let patterns = strings::guard_string_functions(&mut query);
            if patterns > MAX_PATTERNS {
                return Err(QueryError::Syntax(format!(
                    "the query has {patterns} triple and path patterns, more than the \
                     {MAX_PATTERNS} a query may have (planning grows steeply with them)"
                )));
            }
            Ok(ParsedQuery { query })
        }
        Err(e) => {
            if parser()?.parse_update(text).is_ok() {
                Err(QueryError::Update)
            } else {
                let message = e.to_string();
                Err(QueryError::Syntax(
                    grouping::explain(text, &message).unwrap_or(message),
                ))
            }
        }
    }
}

/// Parses `query`, evaluates it over `store` and writes the answer to `out`,
/// on a thread of [`STACK_SIZE`] bytes of stack.
///
/// `format` `None` means the table for SELECT/ASK and Turtle for
/// CONSTRUCT/DESCRIBE; `base` is the data base IRI (shown as `id:` in tables).
pub fn run(
    dataset: &FrozenDataset,
    query: &str,
    format: Option<ResultFormat>,
    base: &str,
    out: &mut (dyn Write + Send),
) -> Result<Answer, QueryError> {
    on_query_stack(|| {
        let query = parse(query)?;
        evaluate(dataset, &query, &Options::default(), format, base, out)
    })?
}

/// Evaluates a parsed query over `dataset` within `options` and writes the
/// answer to `out` (formats as in [`run`]). When a limit stops the query the
/// error is [`QueryError::Stopped`], whatever part of the work noticed it.
pub fn evaluate(
    dataset: &FrozenDataset,
    query: &ParsedQuery,
    options: &Options,
    format: Option<ResultFormat>,
    base: &str,
    out: &mut dyn Write,
) -> Result<Answer, QueryError> {
    let control = Control::start(&options.limits);
    let evaluator = strings::with_guarded_functions(
        QueryEvaluator::new().with_cancellation_token(control.token()),
    );
    let mut prepared = evaluator.prepare(&query.query);
    match &options.dataset {
        Some(selection) => {
            prepared.dataset_mut().set_default_graph(
                selection
                    .default_graphs
                    .iter()
                    .cloned()
                    .map(GraphName::from)
                    .collect(),
            );
            prepared.dataset_mut().set_available_named_graphs(
                selection
                    .named_graphs
                    .iter()
                    .cloned()
                    .map(NamedOrBlankNode::from)
                    .collect(),
            );
        }
        None => {
            if prepared.dataset().is_default_dataset() {
                crate::store::dataset::set_union_default_graph(prepared.dataset_mut());
            }
        }
    }
    let mut limited = Limited::new(out, options.limits.max_output, control.clone());
    // A stopped query may unwind out of the engine (see `guard`): caught here.
    let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        prepared
            .execute(Guarded::new(dataset, control.clone()))
            .map_err(evaluation_error)
            .and_then(|results| write_results(results, format, base, &mut limited))
    }));
    let written = match written {
        Ok(written) => written,
        Err(payload) if payload.is::<guard::Interrupted>() => {
            Err(QueryError::Evaluation("interrupted".into()))
        }
        Err(payload) => std::panic::resume_unwind(payload),
    };
    match (written, control.stopped()) {
        (_, Some(stop)) => Err(QueryError::Stopped(stop)),
        (result, None) => result,
    }
}

fn evaluation_error(e: QueryEvaluationError) -> QueryError {
    match e {
        QueryEvaluationError::UnsupportedService(_)
        | QueryEvaluationError::UnboundService
        | QueryEvaluationError::InvalidServiceName(_)
        | QueryEvaluationError::UnsupportedCustomFunction(_)
        | QueryEvaluationError::UnsupportedCustomFunctionArity { .. }
        | QueryEvaluationError::Service(_) => QueryError::Unsupported(e.to_string()),
        e => QueryError::Evaluation(e.to_string()),
    }
}

fn write_results(
    results: QueryResults<'_>,
    format: Option<ResultFormat>,
    base: &str,
    out: &mut dyn Write,
) -> Result<Answer, QueryError> {
    let eval = evaluation_error;
    match results {
        QueryResults::Graph(triples) => {
            let format = match format {
                None => RdfFormat::Turtle,
                Some(f) => f.rdf_format().ok_or_else(|| {
                    QueryError::Format(format!(
                        "a CONSTRUCT/DESCRIBE query gives triples: use --format turtle, ntriples, jsonld or rdfxml, not {f:?}"
                    ))
                })?,
            };
            let mut serializer = RdfSerializer::from_format(format);
            if matches!(format, RdfFormat::Turtle | RdfFormat::RdfXml) {
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
