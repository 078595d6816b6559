//! The `analyze` command: options, and the glue from store or edge list to summary.
//!
//! After analysing a store's projection from the whole collection it also
//! refreshes the saved report model (`report::refresh`), so `report` right
//! after it is quick. An analysis of the articles projection from the
//! store's article index has no collection to refresh it from: it leaves
//! the model stale, and the next `report` computes it (`run` writes it with
//! its reports).

use super::{numbers, values, Global, UsageError};
use anyhow::Context;
use clap::Args;
use signalgraph::analyze::centrality::EdgeLength;
use signalgraph::analyze::stored::StoredAnalysis;
use signalgraph::analyze::summary::{self, ProjectionNames, Summary};
use signalgraph::analyze::{self, AnalyzeError, AnalyzeOptions, Measure, Method, Objective};
use signalgraph::graph::{edgelist, Projection, ProjectionOptions};
use signalgraph::report::{self, Refresh};
use signalgraph::store::StoreDir;
use signalgraph::trends::windows::Window;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct AnalyzeArgs {
    /// The graph view to analyse.
    #[arg(long, default_value = "articles", conflicts_with = "edges",
          value_parser = values::named(&Projection::ALL, Projection::name))]
    projection: Projection,
    /// Analyse a weighted edge list (source,target[,weight]) instead of the store.
    #[arg(long, value_name = "FILE.csv", requires = "out")]
    edges: Option<PathBuf>,
    /// With --edges: write one CSV row per node (measures and clusters) here.
    #[arg(long, value_name = "FILE.csv")]
    out: Option<PathBuf>,
    /// Community detection method.
    #[arg(long, default_value = "leiden", value_parser = values::named(&Method::ALL, Method::name))]
    method: Method,
    /// What Leiden optimises (Louvain always uses modularity).
    #[arg(long, default_value = "modularity",
          value_parser = values::named(&Objective::ALL, analyze::objective_name))]
    objective: Objective,
    /// Resolution γ (≥ 0); higher gives more, smaller clusters.
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true,
          value_parser = numbers::float(0.0, 1e9, false))]
    resolution: f64,
    /// Seed of every random choice; the same seed gives the same result.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Comma-separated measures: degree, weighted-degree, pagerank, betweenness,
    /// closeness, harmonic, eigenvector, core; or `all` or `none`.
    /// Default: all but closeness and harmonic.
    #[arg(long, value_name = "LIST")]
    centrality: Option<String>,
    /// Estimate betweenness from K sampled sources, or `all` for exact
    /// betweenness at any size (default: exact up to 5,000 nodes, else 100).
    #[arg(long, value_name = "K|all", value_parser = samples)]
    samples: Option<String>,
    /// PageRank damping factor.
    #[arg(long, default_value_t = 0.85, value_parser = numbers::float(0.0, 1.0, false))]
    damping: f64,
    /// Convergence tolerance of PageRank and eigenvector centrality.
    #[arg(long, default_value_t = 1e-6, value_parser = numbers::float(0.0, 1.0, true))]
    tolerance: f64,
    /// Split clusters larger than N again, keeping the levels.
    #[arg(long, value_name = "N", value_parser = numbers::count::<usize>(2, 1_000_000_000))]
    max_cluster_size: Option<usize>,
    /// How edge weights become path lengths for betweenness and closeness
    /// (projection weights are similarities, so the default is 1/weight).
    #[arg(long, default_value = "inverse-weight",
          value_parser = values::named(&EdgeLength::ALL, EdgeLength::name))]
    length: EdgeLength,
    /// Strongest links each node keeps in the articles and concepts projections.
    #[arg(long, value_name = "K", default_value_t = ProjectionOptions::default().neighbours,
          value_parser = numbers::count::<usize>(1, 10_000))]
    neighbours: usize,
    /// Time windows of the trends (articles projection): month, quarter,
    /// year or Nd (N days); default quarters, or months for under 18 months of dates.
    #[arg(long, value_name = "WINDOW", value_parser = parse_window)]
    window: Option<Window>,
    /// How many clusters and top nodes to print.
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = numbers::count::<usize>(0, 1_000_000))]
    top: usize,
    /// Print the summary as JSON (stable keys).
    #[arg(long)]
    json: bool,
}

/// `--samples`: a number of sources (1 to 2^32 - 1) or `all`.
fn samples(s: &str) -> Result<String, String> {
    match s.parse::<u32>() {
        _ if s == "all" => Ok(s.to_string()),
        Ok(k) if k > 0 => Ok(s.to_string()),
        _ => Err(format!(
            "give a number of sources from 1 to {} or `all`",
            u32::MAX
        )),
    }
}

impl AnalyzeArgs {
    fn options(&self) -> anyhow::Result<AnalyzeOptions> {
        let measures = match self.centrality.as_deref() {
            None => Measure::DEFAULT.to_vec(),
            Some("all") => Measure::ALL.to_vec(),
            Some("none") | Some("") => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|name| {
                    Measure::from_name(name.trim()).ok_or_else(|| {
                        UsageError(format!(
                            "unknown centrality `{}`; use {}, all or none",
                            name.trim(),
                            Measure::ALL.map(Measure::name).join(", ")
                        ))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        if !(0.0..1.0).contains(&self.damping) {
            return Err(
                UsageError(format!("--damping must be in [0, 1), not {}", self.damping)).into(),
            );
        }
        if self.tolerance.is_nan() || self.tolerance <= 0.0 {
            return Err(
                UsageError(format!("--tolerance must be > 0, not {}", self.tolerance)).into(),
            );
        }
        let (samples, exact_betweenness_limit) = match self.samples.as_deref() {
            None => (None, AnalyzeOptions::default().exact_betweenness_limit),
            Some("all") => (None, usize::MAX),
            Some(k) => match k.parse::<usize>() {
                Ok(k) => (Some(k), AnalyzeOptions::default().exact_betweenness_limit),
                Err(_) => {
                    return Err(UsageError(format!(
                        "--samples takes a number of sources or `all`, not `{k}`"
                    ))
                    .into())
                }
            },
        };
        if self.neighbours == 0 {
            return Err(UsageError("--neighbours must be at least 1".into()).into());
        }
        Ok(AnalyzeOptions {
            method: self.method,
            objective: self.objective,
            resolution: self.resolution,
            seed: self.seed,
            measures,
            damping: self.damping,
            tolerance: self.tolerance,
            samples,
            exact_betweenness_limit,
            max_cluster_size: self.max_cluster_size,
            length: self.length,
            window: self.window,
        })
    }
}

/// Bad option values are usage errors (exit 2), not failures.
fn usage(e: AnalyzeError) -> anyhow::Error {
    match e {
        AnalyzeError::Centrality(_) | AnalyzeError::Community(_) => anyhow::Error::new(e),
        // The store error itself, so a missing store stays a usage error.
        AnalyzeError::Store(e) => anyhow::Error::new(e),
        e => anyhow::Error::new(UsageError(e.to_string())),
    }
}

/// Rebuilds the saved report model from the analysis just written, so the
/// next `report` need not read the store; its time is the `report model`
/// step. A model that cannot be rebuilt is left to `report` (a note with
/// -v, a warning when saving failed): the analysis itself is done. Not
/// after an analysis from the article index: loading the whole collection
/// for the model would cost more than the analysis; the store's HTML copy,
/// which showed the previous analysis, is removed then.
fn refresh_report(g: &Global, dir: &StoreDir, stored: &mut analyze::StoreAnalysis) {
    if stored.partial {
        // The store's HTML copy shows the previous analysis: `serve` must
        // not show it as this one's.
        let copy = report::store_copy(dir);
        let removed = std::fs::remove_file(&copy).is_ok();
        if g.verbose {
            eprintln!("report model not refreshed: the analysis read the article index, not the collection; `signalgraph report` computes it");
            if removed {
                eprintln!(
                    "{} removed: it showed the previous analysis",
                    copy.display()
                );
            }
        }
        return;
    }
    let started = Instant::now();
    let refreshed = report::refresh(
        dir,
        &stored.collection,
        &stored.iris,
        &stored.graph,
        &StoredAnalysis::from(&stored.analysis),
        stored.analysis.trends.as_ref().map(|t| &t.history),
    );
    match refreshed {
        Ok(Refresh::Saved) => stored
            .analysis
            .timings
            .push(("report model", started.elapsed().as_secs_f64())),
        Ok(Refresh::NotNeeded) => {}
        Ok(Refresh::Skipped(why)) => {
            if g.verbose {
                eprintln!("report model not refreshed: {why}; `signalgraph report` computes it");
            }
        }
        Err(e) => {
            if !g.quiet {
                eprintln!("warning: the report model was not saved: {e}");
            }
        }
    }
}

pub fn run(g: &Global, dir: &StoreDir, args: &AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let options = args.options()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let started = Instant::now();

    let summary = if let Some(path) = &args.edges {
        let list = edgelist::read(path).map_err(|e| UsageError(e.to_string()))?;
        let read = started.elapsed().as_secs_f64();
        let mut analysis = analyze::analyze(&list.graph, &options).map_err(usage)?;
        analysis.timings.insert(0, ("read", read));
        let target = args.out.as_ref().expect("clap requires --out with --edges");
        let file = std::fs::File::create(target)
            .with_context(|| format!("cannot write {}", target.display()))?;
        summary::write_node_csv(
            &analysis,
            list.names.as_slice(),
            std::io::BufWriter::new(file),
        )
        .with_context(|| format!("cannot write {}", target.display()))?;
        Summary::new(
            path.display().to_string(),
            &analysis,
            &options,
            list.names.as_slice(),
            args.top,
        )
    } else {
        let projection = args.projection;
        let projection_options = ProjectionOptions {
            neighbours: args.neighbours,
            ..ProjectionOptions::default()
        };
        let _lock = dir
            .exists()
            .then(|| super::lock_store(g, dir))
            .transpose()?;
        let mut stored = analyze::analyze_store(dir, projection, &projection_options, &options)
            .map_err(usage)?;
        refresh_report(g, dir, &mut stored);
        let (graph, collection, analysis) = (&stored.graph, &stored.collection, &stored.analysis);
        if let Some(warning) = analysis.trends.as_ref().and_then(|t| t.warning.as_ref()) {
            eprintln!("warning: {warning}");
        }
        if let Some(why) = analysis.projection_built.as_ref().filter(|_| g.verbose) {
            eprintln!("note: the articles projection was built from the collection: {why}");
        }
        let names = ProjectionNames { graph, collection };
        Summary::new(
            projection.name().to_string(),
            analysis,
            &options,
            &names,
            args.top,
        )
    };

    for s in summary.skipped.iter().filter(|_| !g.quiet) {
        eprintln!("warning: {} left out: {}", s.measure, s.reason);
    }
    if args.json {
        summary.write_json(&mut out)?;
    } else {
        summary.write_text(&mut out, args.top)?;
    }
    out.flush()?;
    if g.verbose {
        for (step, seconds) in &summary.timings_seconds {
            eprintln!("{step}: {seconds:.3} s");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--window`: month, quarter, year or Nd.
pub(super) fn parse_window(s: &str) -> Result<Window, String> {
    s.parse()
}
