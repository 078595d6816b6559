//! The command line: global flags, dispatch to a module per subcommand, errors and exit codes.
//!
//! Each subcommand's file holds its clap arguments, turns them into the
//! library's options in one place and prints its outcome; the library does the work.
//!
//! Exit status: 0 when everything was read, 3 when some files were skipped
//! (the rest was saved), 2 for usage errors, bad queries, or when nothing
//! could be saved, 1 for other failures (I/O errors, a corrupt store).

mod analyze;
mod build;
mod completions;
mod concepts;
mod export;
#[cfg(feature = "generate")]
mod generate;
mod numbers;
mod progress;
mod push;
mod query;
mod report;
mod run;
mod serve;
mod stats;
mod values;

use clap::{Args, Parser, Subcommand};
use progress::Bar;
use signalgraph::build::BuildError;
use signalgraph::query::QueryError;
use signalgraph::store::{self, FrozenDataset, Iris, StoreDir, StoreError};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const EXIT_SKIPPED: u8 = 3;
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "signalgraph",
    version,
    about = "Build, query and analyse knowledge graphs of foresight seed articles",
    after_help = "Exit status: 0 all files read; 3 some files skipped (the rest was saved); \
                  2 usage error, bad query, or nothing could be saved; 1 other failure.",
    propagate_version = true
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// The store directory.
    #[arg(
        long,
        global = true,
        env = "SIGNALGRAPH_STORE",
        default_value = ".signalgraph"
    )]
    store: PathBuf,
    /// Only errors on stderr (no warnings, progress or summary).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print notes (unknown sections kept, missing source links, …).
    #[arg(short, long, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Build, analyze, export every format and write the report, in one go.
    #[command(
        after_help = "Example:\n  signalgraph run seeds\n  signalgraph --store kg run --out site/ seeds/ more/\n\nWrites graph.* exports, neo4j/, csv/ and report.html, report.md, report.json\ninto --out, and report.html into the store."
    )]
    Run(run::RunArgs),
    /// Read seed files and folders into the store (incremental).
    #[command(
        after_help = "Example:\n  signalgraph build seeds/\n  signalgraph --store kg build --prune --base-iri https://example.org/kg/ seeds/ more/"
    )]
    Build(build::BuildArgs),
    /// List the concepts merged and linked by alignment, with the evidence for each.
    #[command(
        after_help = "Example:\n  signalgraph concepts\n  signalgraph concepts kg --json | jq '.groups[] | .concepts[].label'\n\nRules: vocabulary, label-definition, spelling, text-definition, co-occurrence\n(see README.md, \"Concepts\")."
    )]
    Concepts(concepts::ConceptsArgs),
    /// Count what the store holds.
    #[command(after_help = "Example:\n  signalgraph stats --json | jq .articles")]
    Stats(stats::StatsArgs),
    /// Run a SPARQL query over the store (the default graph is the union of all graphs).
    #[command(
        after_help = "Example:\n  signalgraph query 'SELECT ?t WHERE { ?a a schema:NewsArticle ; dcterms:title ?t } LIMIT 5'\n  signalgraph query --file q.rq --format csv\n\nThe prefixes sg, dcterms, skos, schema, prov, rdf, rdfs, xsd and owl are predeclared."
    )]
    Query(query::QueryArgs),
    /// Export the store as RDF, GraphML, GEXF, a Neo4j import folder or CSV.
    #[command(
        after_help = "Example:\n  signalgraph export --out graph.ttl\n  signalgraph export --format nquads --out graph.nq\n  signalgraph export --out clusters.gexf\n  signalgraph export --format neo4j --out neo4j/\n  signalgraph export --projection concepts --out concepts.graphml\n  signalgraph export --all --out exports/\n\nThe format is taken from --format or else from the extension of --out.\nGraph formats carry the results of `signalgraph analyze` for their projection."
    )]
    Export(export::ExportArgs),
    /// Find trend clusters and central nodes in a projection of the store (or an edge list).
    #[command(
        after_help = "Example:\n  signalgraph analyze\n  signalgraph analyze --projection concepts --method louvain --resolution 1.5 --json\n  signalgraph analyze --max-cluster-size 200 --centrality pagerank,betweenness\n  signalgraph analyze --edges graph.csv --out nodes.csv\n\nResults of a projection are written to the store's analysis graph\n{base}graph/analysis/{projection}, replacing the previous ones."
    )]
    Analyze(analyze::AnalyzeArgs),
    /// Serve the store as a read-only SPARQL 1.1 endpoint, with a query page at /.
    #[command(
        after_help = "Example:\n  signalgraph serve\n  signalgraph --store kg serve --bind 127.0.0.1:8080 --timeout 10 --cors https://yasgui.org\n  curl http://127.0.0.1:7878/sparql --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3'\n\nRoutes: /sparql (SPARQL 1.1 Protocol; without a query, the service description), / (query page),\n/report (the store's report.html). Stops cleanly on Ctrl+C or SIGTERM. A line per request goes to stderr."
    )]
    Serve(serve::ServeArgs),
    /// Send the store's named graphs to a SPARQL store (Graph Store Protocol or SPARQL Update), incrementally.
    #[command(
        after_help = "Example:\n  SIGNALGRAPH_PASSWORD=dba signalgraph push --user dba http://127.0.0.1:8890/sparql-graph-crud-auth\n  signalgraph push --protocol update --user dba http://127.0.0.1:8890/sparql-auth\n  signalgraph push --dry-run http://localhost:7878/store\n\nOnly graphs changed since the last push to the same URL are sent, graphs gone are deleted\n(the store remembers each URL's graphs in <store>/push/). --full resends everything.\nExit status: 0 the endpoint holds what the store holds; 1 it could not be brought there\n(the next push sends the rest); 2 usage error."
    )]
    Push(push::PushArgs),
    /// Write the trend-cluster report of the store: HTML, Markdown or JSON.
    #[command(
        after_help = "Example:\n  signalgraph report --out report.html\n  signalgraph report --format md --out trends.md\n  signalgraph report --format json --out - | jq '.clusters[] | {name, status}'\n\nThe store needs an analysis of the articles projection (`signalgraph analyze`\nor `signalgraph run`). An HTML report is also kept in the store as report.html."
    )]
    Report(report::ReportArgs),
    /// Write a synthetic collection in the seed format (for scale and quality tests).
    #[cfg(feature = "generate")]
    #[command(
        after_help = "Example:\n  signalgraph generate --articles 10000 --seed 7 --out /tmp/gen10k"
    )]
    Generate(generate::GenerateArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  signalgraph completions bash > ~/.local/share/bash-completion/completions/signalgraph"
    )]
    Completions(completions::CompletionsArgs),
}

/// Parses the command line, runs the command and maps the outcome to an exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", error_text(&e));
            let usage = e.chain().any(|c| {
                matches!(
                    c.downcast_ref::<QueryError>(),
                    Some(QueryError::Syntax(_) | QueryError::Format(_) | QueryError::Update)
                ) || matches!(
                    store_error(c),
                    Some(StoreError::Missing(_) | StoreError::BaseIri(_))
                ) || c.downcast_ref::<UsageError>().is_some()
            });
            ExitCode::from(if usage { EXIT_USAGE } else { 1 })
        }
    }
}

/// The error and its causes joined by ": ", without a cause whose text is
/// already there (many errors repeat their source's text in their own).
fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let part = cause.to_string();
        if text.contains(&part) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&part);
    }
    text
}

/// The store error inside an error of any layer (their `Store` variants are
/// transparent, so the error chain skips the store error itself).
fn store_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a StoreError> {
    use signalgraph::{analyze::AnalyzeError, export::ExportError, report::ReportError};
    let build = |b: &'a BuildError| match b {
        BuildError::Store(s) => Some(s),
        _ => None,
    };
    let export = |x: &'a ExportError| match x {
        ExportError::Store(s) => Some(s),
        _ => None,
    };
    if let Some(s) = e.downcast_ref::<StoreError>() {
        return Some(s);
    }
    if let Some(b) = e.downcast_ref::<BuildError>() {
        return build(b);
    }
    if let Some(x) = e.downcast_ref::<ExportError>() {
        return export(x);
    }
    if let Some(ReportError::Store(s)) = e.downcast_ref::<ReportError>() {
        return Some(s);
    }
    if let Some(AnalyzeError::Store(s)) = e.downcast_ref::<AnalyzeError>() {
        return Some(s);
    }
    match e.downcast_ref::<signalgraph::pipeline::RunError>()? {
        signalgraph::pipeline::RunError::Store(s) => Some(s),
        signalgraph::pipeline::RunError::Build(b) => build(b),
        signalgraph::pipeline::RunError::Export(x) => export(x),
        _ => None,
    }
}

/// A mistake in how the command was called.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct UsageError(String);

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let g = &cli.global;
    let dir = StoreDir::new(&g.store);
    match &cli.command {
        Command::Run(args) => run::run(g, &dir, args),
        Command::Build(args) => build::run(g, &dir, args),
        Command::Stats(args) => stats::run(&dir, args),
        Command::Concepts(args) => concepts::run(&dir, args),
        Command::Query(args) => query::run(g, &dir, args),
        Command::Export(args) => export::run(g, &dir, args),
        Command::Analyze(args) => analyze::run(g, &dir, args),
        Command::Serve(args) => serve::run(g, &dir, args),
        Command::Push(args) => push::run(g, &dir, args),
        Command::Report(args) => report::run(g, &dir, args),
        #[cfg(feature = "generate")]
        Command::Generate(args) => generate::run(g, args),
        Command::Completions(args) => completions::run(args),
    }
}

/// Opens the store's RDF dataset (with a progress bar; the time with `-v`).
fn open_store(g: &Global, dir: &StoreDir) -> anyhow::Result<(FrozenDataset, Iris)> {
    let started = Instant::now();
    let (collection, iris) = signalgraph::build::load_collection(dir)?;
    let rdf = store::open_rdf(dir, &collection, &iris, &Bar::new(g.quiet))?;
    if g.verbose {
        eprintln!(
            "opened {} in {:.2} s",
            dir.path().display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok((rdf, iris))
}

/// Takes the store's write lock, saying so when another process holds it
/// (the command then waits for it).
fn lock_store(g: &Global, dir: &StoreDir) -> anyhow::Result<store::StoreLock> {
    let quiet = g.quiet;
    Ok(dir.lock(|holder| {
        if !quiet {
            let pid = holder.map_or(String::new(), |p| format!(" (pid {p})"));
            eprintln!(
                "waiting for the lock on {} held by another signalgraph process{pid}",
                dir.path().display()
            );
        }
    })?)
}
