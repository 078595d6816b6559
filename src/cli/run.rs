//! The `run` command: build, analyze, export and report in one go, with one progress display.

use super::build::{build_failure, build_status, print_build_summary, print_diagnostics};
use super::export::print_written;
use super::progress::Steps;
use super::{report::report_error, Global};
use clap::Args;
use signalgraph::analyze::AnalyzeOptions;
use signalgraph::build::BuildOptions;
use signalgraph::export::Format;
use signalgraph::graph::ProjectionOptions;
use signalgraph::pipeline::{self, AnalysisDone, RunError, RunOptions, RunSummary};
use signalgraph::store::StoreDir;
use signalgraph::trends::windows::Window;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct RunArgs {
    /// Seed files and folders (folders are read recursively: *.txt and *.md).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The folder the exports and reports are written to (created if missing).
    #[arg(long, default_value = "exports")]
    out: PathBuf,
    /// Remove saved articles whose files are gone from the given folders.
    #[arg(long)]
    prune: bool,
    /// Seed of the analyses' random choices.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Time windows of the trends: month, quarter, year or Nd (N days);
    /// default quarters, or months for under 18 months of dates.
    #[arg(long, value_name = "WINDOW", value_parser = super::analyze::parse_window)]
    window: Option<Window>,
    #[command(flatten)]
    align: super::build::AlignArgs,
    /// The exports to write, comma-separated (names as `export --format`
    /// takes them), or `all`; default: nquads,graphml,gexf,neo4j.
    #[arg(long, value_name = "LIST", value_parser = parse_formats)]
    formats: Option<Formats>,
    /// gzip the RDF file and the Neo4j (and CSV) files: `graph.nq.gz`, `*.csv.gz`.
    #[arg(long)]
    compress: bool,
}

/// The export formats of `--formats`.
#[derive(Clone, Debug)]
pub struct Formats(Vec<Format>);

/// `all`, or format names separated by commas.
fn parse_formats(s: &str) -> Result<Formats, String> {
    if s.trim() == "all" {
        return Ok(Formats(Format::ALL.to_vec()));
    }
    let mut formats = Vec::new();
    for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let format = Format::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
            format!(
                "unknown format `{name}`: give all, or some of {}",
                names.join(", ")
            )
        })?;
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    if formats.is_empty() {
        return Err("give at least one format, or all".into());
    }
    Ok(Formats(formats))
}

impl From<&RunArgs> for RunOptions {
    fn from(args: &RunArgs) -> RunOptions {
        let mut build = BuildOptions {
            paths: args.paths.clone(),
            prune: args.prune,
            ..BuildOptions::default()
        };
        args.align.apply(&mut build);
        RunOptions {
            build,
            out: args.out.clone(),
            analyze: AnalyzeOptions {
                seed: args.seed,
                window: args.window,
                ..AnalyzeOptions::default()
            },
            projection_options: ProjectionOptions::default(),
            formats: args
                .formats
                .as_ref()
                .map_or(pipeline::DEFAULT_FORMATS.to_vec(), |f| f.0.clone()),
            compress: args.compress,
        }
    }
}

pub fn run(g: &Global, dir: &StoreDir, args: &RunArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let options = RunOptions::from(args);
    let _lock = super::lock_store(g, dir)?;
    let steps = Steps::new(g.quiet);
    let result = pipeline::run(dir, &options, &steps);
    steps.clear();
    let summary = match result {
        Ok(summary) => summary,
        Err(RunError::Build(e)) => return build_failure(g, e),
        Err(RunError::Report(e)) => return Err(report_error(e)),
        Err(RunError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(e.into()),
    };
    print_diagnostics(g, &summary.build, false);
    if !g.quiet {
        print_summary(g, dir, &summary, args, started);
    }
    Ok(build_status(&summary.build))
}

/// What each step did and how long it took, on stderr.
fn print_summary(
    g: &Global,
    dir: &StoreDir,
    summary: &RunSummary,
    args: &RunArgs,
    started: Instant,
) {
    let seconds = |step: &str| {
        summary
            .timings
            .iter()
            .find(|(name, _)| *name == step)
            .map_or(0.0, |t| t.1)
    };
    print_build_summary(dir, &summary.build, seconds("build"));
    print_analyses(&summary.analyses, seconds);
    for w in &summary.exports {
        print_written(w, g.verbose);
    }
    let reports: Vec<String> = summary
        .reports
        .iter()
        .map(|r| format!("{} ({:.1} MB)", r.path.display(), r.bytes as f64 / 1e6))
        .collect();
    let statuses: Vec<String> = summary
        .statuses
        .iter()
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    eprintln!(
        "wrote the report to {} in {:.2} s; clusters: {}",
        reports.join(", "),
        seconds("report"),
        statuses.join(", ")
    );
    let steps: Vec<String> = summary
        .timings
        .iter()
        .map(|(name, t)| format!("{name} {t:.2} s"))
        .collect();
    eprintln!(
        "done in {:.2} s ({}); open {}",
        started.elapsed().as_secs_f64(),
        steps.join(", "),
        args.out.join("report.html").display()
    );
}

/// The measures left out of each analysis, then one line per analysis.
fn print_analyses(analyses: &[AnalysisDone], seconds: impl Fn(&str) -> f64) {
    for a in analyses {
        if let Some(warning) = &a.trend_warning {
            eprintln!("warning: {warning}");
        }
        for (measure, reason) in &a.skipped {
            eprintln!(
                "warning: {} of the {} projection left out: {reason}",
                measure.name(),
                a.projection
            );
        }
    }
    for a in analyses {
        eprintln!(
            "analyzed {}: {} nodes, {} edges, {} clusters, modularity {:.4} in {:.2} s",
            a.projection,
            a.nodes,
            a.edges,
            a.clusters,
            a.modularity,
            seconds(&format!("analyze {}", a.projection))
        );
    }
}
