//! The `query` command: a SPARQL query over the store, its results on standard output.

use super::{open_store, values, Global, UsageError};
use anyhow::Context;
use clap::Args;
use signalgraph::query::{self, ResultFormat};
use signalgraph::store::StoreDir;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct QueryArgs {
    /// The SPARQL query (or use --file).
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    query: Option<String>,
    /// Read the query from a file.
    #[arg(long, short)]
    file: Option<PathBuf>,
    /// Output format (default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE; jsonld and rdfxml for CONSTRUCT/DESCRIBE too).
    #[arg(long, value_parser = values::named(&ResultFormat::ALL, ResultFormat::name))]
    format: Option<ResultFormat>,
}

impl QueryArgs {
    /// The query's text, from the argument or the file.
    fn text(&self) -> anyhow::Result<String> {
        match (&self.query, &self.file) {
            (Some(q), _) => Ok(q.clone()),
            (None, Some(f)) => std::fs::read_to_string(f)
                .with_context(|| format!("cannot read query file {}", f.display())),
            (None, None) => Err(UsageError("no query given".into()).into()),
        }
    }
}

pub fn run(g: &Global, dir: &StoreDir, args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let text = args.text()?;
    let (rdf, iris) = open_store(g, dir)?;
    // Not locked: the query runs on a thread of its own (query::run).
    let mut out = std::io::BufWriter::new(std::io::stdout());
    query::run(&rdf, &text, args.format, iris.base(), &mut out)?;
    out.flush()?;
    // Freeing millions of terms one by one only delays the exit.
    std::mem::forget(rdf);
    Ok(ExitCode::SUCCESS)
}
