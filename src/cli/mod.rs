//! Command-line parsing, progress display and exit codes; the library does the work.
//!
//! Exit status: 0 when everything was read, 3 when some files were skipped
//! (the rest was saved), 2 for usage errors, bad queries, or when nothing
//! could be saved, 1 for other failures (I/O errors, a corrupt store).

mod analyze;
mod numbers;
mod progress;
mod report;
mod run;

use anyhow::Context;
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use progress::Bar;
use signalgraph::build::{self, BuildError, BuildOptions, BuildReport};
use signalgraph::export::{self, Format};
use signalgraph::graph::Projection;
use signalgraph::query::{self, QueryError, ResultFormat};
use signalgraph::seed::Severity;
use signalgraph::store::{self, FrozenDataset, Iris, StoreDir, StoreError};
use std::io::Write;
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
    Build(BuildArgs),
    /// Count what the store holds.
    #[command(after_help = "Example:\n  signalgraph stats --json | jq .articles")]
    Stats {
        /// JSON with stable keys (see README.md).
        #[arg(long)]
        json: bool,
    },
    /// Run a SPARQL query over the store (the default graph is the union of all graphs).
    #[command(
        after_help = "Example:\n  signalgraph query 'SELECT ?t WHERE { ?a a schema:NewsArticle ; dcterms:title ?t } LIMIT 5'\n  signalgraph query --file q.rq --format csv\n\nThe prefixes sg, dcterms, skos, schema, prov, rdf, rdfs, xsd and owl are predeclared."
    )]
    Query(QueryArgs),
    /// Export the store as RDF, GraphML, GEXF, a Neo4j import folder or CSV.
    #[command(
        after_help = "Example:\n  signalgraph export --out graph.ttl\n  signalgraph export --format nquads --out graph.nq\n  signalgraph export --out clusters.gexf\n  signalgraph export --format neo4j --out neo4j/\n  signalgraph export --projection concepts --out concepts.graphml\n  signalgraph export --all --out exports/\n\nThe format is taken from --format or else from the extension of --out.\nGraph formats carry the results of `signalgraph analyze` for their projection."
    )]
    Export(ExportArgs),
    /// Find trend clusters and central nodes in a projection of the store (or an edge list).
    #[command(
        after_help = "Example:\n  signalgraph analyze\n  signalgraph analyze --projection concepts --method louvain --resolution 1.5 --json\n  signalgraph analyze --max-cluster-size 200 --centrality pagerank,betweenness\n  signalgraph analyze --edges graph.csv --out nodes.csv\n\nResults of a projection are written to the store's analysis graph\n{base}graph/analysis/{projection}, replacing the previous ones."
    )]
    Analyze(analyze::AnalyzeArgs),
    /// Serve the store as a read-only SPARQL 1.1 endpoint, with a query page at /.
    #[command(
        after_help = "Example:\n  signalgraph serve\n  signalgraph --store kg serve --bind 127.0.0.1:8080 --timeout 10 --cors https://yasgui.org\n  curl http://127.0.0.1:7878/sparql --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3'\n\nRoutes: /sparql (SPARQL 1.1 Protocol; without a query, the service description), / (query page),\n/report (the store's report.html). Stops cleanly on Ctrl+C or SIGTERM. A line per request goes to stderr."
    )]
    Serve(ServeArgs),
    /// Write the trend-cluster report of the store: HTML, Markdown or JSON.
    #[command(
        after_help = "Example:\n  signalgraph report --out report.html\n  signalgraph report --format md --out trends.md\n  signalgraph report --format json --out - | jq '.clusters[] | {name, status}'\n\nThe store needs an analysis of the articles projection (`signalgraph analyze`\nor `signalgraph run`). An HTML report is also kept in the store as report.html."
    )]
    Report(report::ReportArgs),
    /// Write a synthetic collection in the seed format (for scale and quality tests).
    #[command(
        after_help = "Example:\n  signalgraph generate --articles 10000 --seed 7 --out /tmp/gen10k"
    )]
    Generate(GenerateArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  signalgraph completions bash > ~/.local/share/bash-completion/completions/signalgraph"
    )]
    Completions { shell: clap_complete::Shell },
}

#[derive(Args)]
struct BuildArgs {
    /// Seed files and folders (folders are read recursively: *.txt and *.md).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Base IRI data is minted under (kept in the store once set).
    #[arg(long)]
    base_iri: Option<String>,
    /// Treat warnings as errors; save nothing if any occur.
    #[arg(long)]
    strict: bool,
    /// Remove saved articles whose files are gone from the given folders.
    #[arg(long)]
    prune: bool,
}

#[derive(Args)]
struct QueryArgs {
    /// The SPARQL query (or use --file).
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    query: Option<String>,
    /// Read the query from a file.
    #[arg(long, short)]
    file: Option<PathBuf>,
    /// Output format (default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE; jsonld and rdfxml for CONSTRUCT/DESCRIBE too).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Tsv,
    Json,
    Xml,
    Turtle,
    Ntriples,
    Jsonld,
    Rdfxml,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (port 0: any free port). Non-loopback addresses expose the store to the network.
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: String,
    /// Per-query time limit, in seconds (above 0, at most 86400).
    #[arg(long, default_value_t = 30.0, value_parser = numbers::float(0.0, 86_400.0, true))]
    timeout: f64,
    /// Largest answer to a query, in MiB (larger ones get 503).
    #[arg(long, default_value_t = 256, value_parser = numbers::count::<u64>(1, 1 << 20))]
    max_result_size: u64,
    /// Largest POST body, in KiB (larger ones get 413); a GET's query string is
    /// held to the same size and its URL to 64 KiB in any case (longer ones get 414).
    #[arg(long, default_value_t = 1024, value_parser = numbers::count::<u64>(1, 1 << 20))]
    max_body: u64,
    /// Queries evaluated at once; more get 503 with Retry-After.
    #[arg(long, default_value_t = 32, value_parser = numbers::count::<usize>(1, 4096))]
    max_concurrent: usize,
    /// Memory one query may hold, in MiB (0: no limit).
    #[arg(long, default_value_t = 1024, value_parser = numbers::count::<u64>(0, 1 << 24))]
    max_query_memory: u64,
    /// Memory the whole server may hold, in MiB (resident, the store included): past it new
    /// queries get 503 and the longest-running queries are stopped (0: no limit; default:
    /// half of the machine's memory).
    #[arg(long, value_parser = numbers::count::<u64>(0, 1 << 24))]
    max_memory: Option<u64>,
    /// Open connections at once; when all are taken, the one idle the longest is closed
    /// to admit a new one.
    #[arg(long, default_value_t = 1024, value_parser = numbers::count::<usize>(1, 1 << 20))]
    max_connections: usize,
    /// Allow cross-origin requests (CORS) from this origin, e.g. https://yasgui.org, or * for any.
    #[arg(long, value_parser = cors_origin)]
    cors: Option<String>,
    /// Seconds a client may take to send a request (and may stay idle between requests,
    /// or stall while reading a response) before its connection is closed.
    #[arg(long, default_value_t = 10.0, value_parser = numbers::float(0.0, 86_400.0, true))]
    client_timeout: f64,
    /// Milliseconds of CPU time after which a query pauses while younger queries need its core,
    /// so short queries answer quickly under load (0: off; time-slice all queries evenly).
    #[arg(long, default_value_t = 2.0, value_parser = numbers::float(0.0, 60_000.0, false))]
    short_first: f64,
}

/// `*` or an origin: scheme, host and optional port, no path (as browsers send it).
fn cors_origin(s: &str) -> Result<String, String> {
    if s == "*" {
        return Ok(s.to_string());
    }
    let bad = || {
        format!("`{s}` is not an origin: give * or scheme://host[:port] without a path, e.g. https://yasgui.org")
    };
    let uri: hyper::Uri = s.parse().map_err(|_| bad())?;
    // The parser gives an origin the path `/`; a real path, query or `/` is refused.
    let ok = uri.scheme().is_some()
        && uri
            .authority()
            .is_some_and(|a| !a.host().is_empty() && !a.as_str().contains('@'))
        && uri.path_and_query().is_none_or(|p| p.as_str() == "/")
        && !s.ends_with('/')
        && hyper::header::HeaderValue::from_str(s).is_ok();
    ok.then(|| s.to_string()).ok_or_else(bad)
}

impl From<FormatArg> for ResultFormat {
    fn from(f: FormatArg) -> ResultFormat {
        match f {
            FormatArg::Table => ResultFormat::Table,
            FormatArg::Csv => ResultFormat::Csv,
            FormatArg::Tsv => ResultFormat::Tsv,
            FormatArg::Json => ResultFormat::Json,
            FormatArg::Xml => ResultFormat::Xml,
            FormatArg::Turtle => ResultFormat::Turtle,
            FormatArg::Ntriples => ResultFormat::NTriples,
            FormatArg::Jsonld => ResultFormat::JsonLd,
            FormatArg::Rdfxml => ResultFormat::RdfXml,
        }
    }
}

#[derive(Args)]
struct ExportArgs {
    /// turtle, ntriples, nquads, trig, rdfxml, jsonld, graphml, gexf, neo4j
    /// (a folder) or csv (a folder); default: from the extension of --out.
    #[arg(long, conflicts_with = "all")]
    format: Option<String>,
    /// Write every format into the folder --out (graph.ttl, …, graph.gexf, neo4j/, csv/).
    #[arg(long)]
    all: bool,
    /// The file to write (or the folder, with --all, neo4j and csv).
    #[arg(long)]
    out: PathBuf,
    /// The projection to export: articles, concepts or full (RDF: its nodes
    /// and their facts; default: the whole store for RDF, articles for
    /// GraphML, GEXF and CSV, full for Neo4j).
    #[arg(long)]
    projection: Option<String>,
    /// Skip the layout (GraphML, GEXF and CSV without positions).
    #[arg(long)]
    no_layout: bool,
}

#[derive(Args)]
struct GenerateArgs {
    /// Number of articles.
    #[arg(long, value_parser = numbers::count::<usize>(1, signalgraph::generate::MAX_ARTICLES as u64))]
    articles: usize,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of planted topic groups (default: grows with the collection).
    #[arg(long, value_parser = numbers::count::<usize>(1, signalgraph::generate::MAX_GROUPS as u64))]
    groups: Option<usize>,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
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
        Command::Build(args) => run_build(g, &dir, args),
        Command::Stats { json } => {
            let stats = store::stats(&dir)?;
            let mut out = std::io::stdout().lock();
            if *json {
                serde_json::to_writer_pretty(&mut out, &stats)?;
                writeln!(out)?;
            } else {
                print_stats(&mut out, &stats)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Query(args) => {
            let text = match (&args.query, &args.file) {
                (Some(q), _) => q.clone(),
                (None, Some(f)) => std::fs::read_to_string(f)
                    .with_context(|| format!("cannot read query file {}", f.display()))?,
                (None, None) => return Err(UsageError("no query given".into()).into()),
            };
            let (rdf, iris) = open_store(g, &dir)?;
            // Not locked: the query runs on a thread of its own (query::run).
            let mut out = std::io::BufWriter::new(std::io::stdout());
            query::run(
                &rdf,
                &text,
                args.format.map(Into::into),
                iris.base(),
                &mut out,
            )?;
            out.flush()?;
            // Freeing millions of terms one by one only delays the exit.
            std::mem::forget(rdf);
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => run_export(g, &dir, args),
        Command::Analyze(args) => analyze::run(g, &dir, args),
        Command::Serve(args) => run_serve(g, &dir, args),
        Command::Report(args) => report::run(g, &dir, args),
        Command::Run(args) => run::run(g, &dir, args),
        Command::Generate(args) => {
            let started = Instant::now();
            let opts = signalgraph::generate::GenerateOptions {
                articles: args.articles,
                seed: args.seed,
                groups: args.groups,
                ..Default::default()
            };
            let summary =
                signalgraph::generate::generate(&opts, &args.out).map_err(|e| match e {
                    signalgraph::generate::GenerateError::InvalidOptions(m) => {
                        anyhow::Error::new(UsageError(m))
                    }
                    e => anyhow::Error::new(e),
                })?;
            if !g.quiet {
                eprintln!(
                    "wrote {} articles in {} groups ({} dangling links, {:.1} MB) to {} in {:.2} s",
                    summary.articles,
                    summary.groups,
                    summary.dangling_links,
                    summary.bytes as f64 / 1e6,
                    args.out.display(),
                    started.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "signalgraph",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Opens the store's RDF dataset (with a progress bar; the time with `-v`).
fn open_store(g: &Global, dir: &StoreDir) -> anyhow::Result<(FrozenDataset, Iris)> {
    let started = Instant::now();
    let (collection, iris) = build::load_collection(dir)?;
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

fn run_export(g: &Global, dir: &StoreDir, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let names = || Format::ALL.map(Format::name).join(", ");
    let targets: Vec<(Format, PathBuf)> = if args.all {
        std::fs::create_dir_all(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?;
        Format::ALL
            .into_iter()
            .map(|f| (f, args.out.join(f.file_name())))
            .collect()
    } else {
        let format = match &args.format {
            Some(name) => Format::from_name(name).ok_or_else(|| {
                UsageError(format!("unknown format `{name}`: use one of {}", names()))
            })?,
            None => Format::from_path(&args.out).ok_or_else(|| {
                UsageError(format!(
                    "cannot tell the format from `{}`: add --format or use an extension like .ttl, .nt, .nq, .trig, .rdf, .jsonld, .graphml, .gexf",
                    args.out.display()
                ))
            })?,
        };
        vec![(format, args.out.clone())]
    };
    let projection = match &args.projection {
        None => None,
        Some(name) => Some(Projection::from_name(name).ok_or_else(|| {
            UsageError(format!(
                "unknown projection `{name}`: use articles, concepts or full"
            ))
        })?),
    };
    // Temporary files of an export that was killed.
    let folder = if args.all || args.out.is_dir() {
        args.out.as_path()
    } else {
        args.out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
    };
    store::remove_stale_temps(folder, 2);
    let started = Instant::now();
    let options = export::ExportOptions {
        projection,
        no_layout: args.no_layout,
        ..Default::default()
    };
    let written = export::export(dir, &targets, &options, &Bar::new(g.quiet))?;
    if !g.quiet {
        for w in &written {
            print_written(w, g.verbose);
        }
    }
    if g.verbose {
        eprintln!("export took {:.2} s", started.elapsed().as_secs_f64());
    }
    Ok(ExitCode::SUCCESS)
}

fn run_serve(g: &Global, dir: &StoreDir, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    use std::net::ToSocketAddrs;
    let bind = args
        .bind
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| {
            UsageError(format!(
                "--bind {}: not an address and port like 127.0.0.1:7878",
                args.bind
            ))
        })?;
    let mib = |n: u64| usize::try_from(n.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
    let options = signalgraph::serve::Options {
        bind,
        timeout: std::time::Duration::from_secs_f64(args.timeout),
        max_result_bytes: mib(args.max_result_size),
        max_body_bytes: usize::try_from(args.max_body.saturating_mul(1 << 10))
            .unwrap_or(usize::MAX),
        max_concurrent: args.max_concurrent,
        max_query_memory: (args.max_query_memory > 0).then(|| mib(args.max_query_memory)),
        max_memory: match args.max_memory {
            Some(0) => None,
            Some(n) => Some(mib(n)),
            None => signalgraph::serve::default_max_memory(),
        },
        max_connections: args.max_connections,
        cors: args.cors.clone(),
        log_requests: !g.quiet,
        io_timeout: std::time::Duration::from_secs_f64(args.client_timeout),
        short_first: (args.short_first > 0.0)
            .then(|| std::time::Duration::from_secs_f64(args.short_first / 1e3)),
        ..Default::default()
    };
    let (rdf, iris) = open_store(g, dir)?;
    let dataset = std::sync::Arc::new(rdf);
    let triples = dataset.len();
    let endpoint = signalgraph::serve::Endpoint {
        dataset: std::sync::Arc::clone(&dataset),
        store_dir: dir.path().to_path_buf(),
        base: iris.base().to_string(),
    };
    let quiet = g.quiet;
    let summary = signalgraph::serve::run(endpoint, options, |addr| {
        if quiet {
            return;
        }
        if !addr.ip().is_loopback() {
            eprintln!(
                "warning: listening on {addr}, which other machines may reach: the endpoint has no authentication"
            );
        }
        eprintln!(
            "listening on http://{addr}/ (SPARQL endpoint http://{addr}/sparql; store {}: {triples} triples); Ctrl+C stops",
            dir.path().display()
        );
    })
    .map_err(|e| match e {
        e @ signalgraph::serve::ServeError::OverBudget { .. } => {
            anyhow::Error::new(UsageError(e.to_string()))
        }
        e => anyhow::Error::new(e),
    })?;
    if !g.quiet {
        let paused = if summary.pauses > 0 {
            format!(
                "; long queries paused {} time(s) for shorter ones",
                summary.pauses
            )
        } else {
            String::new()
        };
        let memory = if summary.memory_stops > 0 {
            format!(
                "; {} query(ies) stopped for --max-memory",
                summary.memory_stops
            )
        } else {
            String::new()
        };
        let evicted = if summary.evicted > 0 {
            format!(
                "; {} idle connection(s) closed for --max-connections",
                summary.evicted
            )
        } else {
            String::new()
        };
        eprintln!(
            "stopped after {} request(s){paused}{memory}{evicted}{}",
            summary.requests,
            if summary.forced {
                "; requests still running were cut off"
            } else {
                ""
            }
        );
    }
    // Freeing millions of terms one by one only delays the exit.
    std::mem::forget(dataset);
    Ok(ExitCode::SUCCESS)
}

/// `wrote PATH (media type, counts, size) in T s`.
fn print_written(w: &export::Written, verbose: bool) {
    let what = match w.edges {
        None => format!("{} statements", w.items),
        Some(edges) => format!("{} nodes, {edges} edges", w.items),
    };
    let merged = if w.merged > 0 {
        format!("; {} parallel edges merged, weights summed", w.merged)
    } else {
        String::new()
    };
    let prepared = if verbose && w.prepare_seconds > 0.0 {
        format!(" (+ {:.2} s to prepare the projection)", w.prepare_seconds)
    } else {
        String::new()
    };
    eprintln!(
        "wrote {} ({}, {what}{merged}, {:.1} MB) in {:.2} s{prepared}",
        w.path.display(),
        w.format.media_type(),
        w.bytes as f64 / 1e6,
        w.seconds
    );
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

fn run_build(g: &Global, dir: &StoreDir, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let _lock = lock_store(g, dir)?;
    let started = Instant::now();
    let opts = BuildOptions {
        paths: args.paths.clone(),
        base_iri: args.base_iri.clone(),
        strict: args.strict,
        prune: args.prune,
    };
    let bar = Bar::new(g.quiet);
    match build::build(dir, &opts, &bar) {
        Ok(report) => {
            print_diagnostics(g, &report, false);
            if !g.quiet {
                print_build_summary(dir, &report, started.elapsed().as_secs_f64());
            }
            Ok(build_status(&report))
        }
        Err(e) => build_failure(g, e),
    }
}

/// 3 when some files were skipped, else 0.
fn build_status(report: &BuildReport) -> ExitCode {
    if report.skipped > 0 {
        ExitCode::from(EXIT_SKIPPED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints why a build saved nothing and gives its exit status.
fn build_failure(g: &Global, e: BuildError) -> anyhow::Result<ExitCode> {
    match e {
        BuildError::Strict {
            errors,
            warnings,
            report,
        } => {
            print_diagnostics(g, &report, true);
            eprintln!(
                "error: --strict: {errors} error(s) and {warnings} warning(s); nothing was saved"
            );
            Ok(ExitCode::from(EXIT_USAGE))
        }
        BuildError::NothingToSave { reason, report } => {
            print_diagnostics(g, &report, false);
            eprintln!("error: nothing to save: {reason}");
            Ok(ExitCode::from(EXIT_USAGE))
        }
        BuildError::Usage(m) => Err(UsageError(m).into()),
        e => Err(e.into()),
    }
}

/// Errors always; warnings unless `-q` (as errors under `--strict`); notes with `-v`.
fn print_diagnostics(g: &Global, report: &BuildReport, strict: bool) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for d in &report.diagnostics {
        let show = match d.severity {
            Severity::Error => true,
            Severity::Warning => strict || !g.quiet,
            Severity::Note => g.verbose,
        };
        if !show {
            continue;
        }
        if strict && d.severity == Severity::Warning {
            let _ = writeln!(err, "error: {}:{}: {}", d.file, d.line, d.message);
        } else {
            let _ = writeln!(err, "{d}");
        }
    }
}

fn print_build_summary(dir: &StoreDir, r: &BuildReport, seconds: f64) {
    // The whole store's triples, the ontology and analysis graphs included.
    let triples = store::stats(dir).map_or(r.stats.triples, |s| s.triples);
    let s = &r.stats;
    let mut parts = vec![
        format!("{} read", r.read),
        format!("{} unchanged", r.reused),
    ];
    if r.skipped > 0 {
        parts.push(format!("{} skipped", r.skipped));
    }
    if r.pruned > 0 {
        parts.push(format!("{} pruned", r.pruned));
    }
    if r.kept > 0 {
        parts.push(format!("{} kept from the store", r.kept));
    }
    eprintln!(
        "{} {}: {} articles ({}), {} stubs, {} signals, {} concepts, {} triples in {:.2} s",
        if r.saved { "saved" } else { "up to date" },
        dir.path().display(),
        s.articles.read,
        parts.join(", "),
        s.articles.stub,
        s.signals,
        s.themes + s.keywords + s.driving_forces,
        triples,
        seconds
    );
    if r.gone > 0 {
        eprintln!(
            "note: {} saved article(s) whose files are gone were kept; rebuild with --prune to remove them",
            r.gone
        );
    }
}

fn print_stats(out: &mut impl Write, s: &signalgraph::model::Stats) -> std::io::Result<()> {
    let l = &s.closest_links;
    let rows: Vec<(&str, String)> = vec![
        (
            "articles",
            format!("{} read, {} stub", s.articles.read, s.articles.stub),
        ),
        ("signals", s.signals.to_string()),
        ("themes", s.themes.to_string()),
        ("keywords", s.keywords.to_string()),
        ("driving forces", s.driving_forces.to_string()),
        ("sources", s.sources.to_string()),
        ("digests", s.digests.to_string()),
        (
            "closest links",
            format!(
                "{} ({} resolved: {} by id, {} by title; {} unresolved)",
                l.total, l.resolved, l.resolved_by_id, l.resolved_by_title, l.unresolved
            ),
        ),
        ("triples", format!("{} in {} graphs", s.triples, s.graphs)),
        (
            "dates",
            match (&s.dates.first, &s.dates.last) {
                (Some(a), Some(b)) => format!("{a} .. {b} ({} undated)", s.dates.undated_articles),
                _ => format!("none ({} undated)", s.dates.undated_articles),
            },
        ),
    ];
    for (name, value) in rows {
        writeln!(out, "{name:<15} {value}")?;
    }
    Ok(())
}
