//! The one-command pipeline behind `signalgraph run`: build, analyze, export and report.
//!
//! [`run`] builds the store from seed files (incrementally), analyses its
//! `articles` projection (the trend clusters) and its `full` projection
//! (signal-level measures) with the given options, lays out the articles
//! projection once for the graph exports and, up to `report::MAP_POINTS`
//! articles, the report's map (a larger map gets the report's sampled
//! layout, `report::layout`), writes the chosen export formats
//! ([`DEFAULT_FORMATS`] unless told otherwise) and the report (HTML,
//! Markdown, JSON) into the output folder, keeps a copy of the HTML report in the store (`report.html`, which
//! `signalgraph serve` shows) and saves the report model for later
//! `signalgraph report` calls. The collection is loaded once, and the report
//! is built from the analyses in memory, which equal what the store holds.

use crate::analyze::stored::StoredAnalysis;
use crate::analyze::{self, AnalyzeError, AnalyzeOptions, Measure};
use crate::build::{self, BuildError, BuildOptions, BuildReport};
use crate::export::{self, ExportError, ExportOptions, Format, Prepared, Written};
use crate::graph::{ProjectedGraph, Projection, ProjectionOptions};
use crate::model::Collection;
use crate::progress::Progress;
use crate::report::{self, ReportError, ReportFormat};
use crate::store::{Iris, StoreDir, StoreError};
use crate::trends::history::History;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// What to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Which seed files to build from, and how.
    pub build: BuildOptions,
    /// The folder exports and reports are written to.
    pub out: PathBuf,
    /// Options of both analyses (articles and full projections).
    pub analyze: AnalyzeOptions,
    /// How sparse the weighted projections are.
    pub projection_options: ProjectionOptions,
    /// The export formats to write ([`DEFAULT_FORMATS`], or `Format::ALL`).
    pub formats: Vec<Format>,
    /// gzip the RDF and CSV exports (`ExportOptions::compress`).
    pub compress: bool,
}

/// What `run` exports unless told otherwise: the graph for Gephi (GraphML,
/// GEXF), the Neo4j import folder and one RDF dataset file. N-Quads is the
/// one RDF file: it keeps the named graphs, and a bulk loader reads it
/// fastest (one statement per line, no prefixes or nesting to resolve, so a
/// loader may cut it anywhere between lines and parse the pieces in
/// parallel). Every other RDF serialisation holds the same statements.
pub const DEFAULT_FORMATS: [Format; 4] =
    [Format::NQuads, Format::GraphMl, Format::Gexf, Format::Neo4j];

/// The steps of a run, in order (for progress displays).
pub const STEPS: [&str; 6] = [
    "build",
    "analyze articles",
    "analyze full",
    "layout",
    "export",
    "report",
];

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The build saved nothing.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An analysis could not run.
    #[error(transparent)]
    Analyze(#[from] AnalyzeError),
    /// An export failed.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// The report could not be made.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// The output folder could not be created.
    #[error("{path}: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// One projection analysed.
#[derive(Clone, Debug)]
pub struct AnalysisDone {
    /// The projection analysed.
    pub projection: Projection,
    /// Its nodes.
    pub nodes: usize,
    /// Its edges.
    pub edges: usize,
    /// Level-0 clusters found.
    pub clusters: usize,
    /// Newman's modularity of those clusters.
    pub modularity: f64,
    /// Measures left out (they did not converge), with the reason.
    pub skipped: Vec<(Measure, String)>,
    /// Why the trends started afresh, when the store's trend state was damaged.
    pub trend_warning: Option<String>,
}

/// A report file written.
#[derive(Clone, Debug)]
pub struct ReportWritten {
    /// Its format.
    pub format: ReportFormat,
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
}

/// What a run did.
#[derive(Debug)]
pub struct RunSummary {
    /// What the build did.
    pub build: BuildReport,
    /// Each projection analysed, in order.
    pub analyses: Vec<AnalysisDone>,
    /// Each export written.
    pub exports: Vec<Written>,
    /// Each report written, the store's copy of the HTML report last.
    pub reports: Vec<ReportWritten>,
    /// The clusters of the report by status (`emerging`, …) with counts.
    pub statuses: Vec<(&'static str, usize)>,
    /// Seconds per step, in [`STEPS`] order.
    pub timings: Vec<(&'static str, f64)>,
}

/// Builds, analyses, exports and reports; see the module documentation.
///
/// ```no_run
/// use signalgraph::{NoProgress, RunOptions, StoreDir};
///
/// let options = RunOptions {
///     build: signalgraph::BuildOptions { paths: vec!["seeds".into()], ..Default::default() },
///     out: "site".into(),
///     analyze: Default::default(),
///     projection_options: Default::default(),
///     formats: signalgraph::pipeline::DEFAULT_FORMATS.to_vec(),
///     compress: false,
/// };
/// let summary = signalgraph::run(&StoreDir::new(".signalgraph"), &options, &NoProgress)?;
/// for written in &summary.exports {
///     println!("{} ({} bytes)", written.path.display(), written.bytes);
/// }
/// # Ok::<(), signalgraph::pipeline::RunError>(())
/// ```
pub fn run(
    dir: &StoreDir,
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunSummary, RunError> {
    let mut steps = Steps::new(progress);
    steps.next();
    let built = build::build(dir, &options.build, progress)?;
    let (collection, iris) = build::load_collection(dir)?;

    steps.next();
    let (articles_done, articles, article_analysis, history) = analyse(
        dir,
        &collection,
        &iris,
        Projection::Articles,
        options,
        progress,
    )?;
    steps.next();
    let (full_done, full, full_analysis, _) =
        analyse(dir, &collection, &iris, Projection::Full, options, progress)?;
    let history = history.map(Arc::new);
    // Shared with the exports, which need not build them or read their
    // analyses back from the store.
    let articles = Arc::new(Prepared {
        graph: articles,
        analysis: article_analysis,
    });
    let full = Arc::new(Prepared {
        graph: full,
        analysis: full_analysis,
    });

    steps.next();
    let positions = export::layout_of(&articles.graph);

    steps.next();
    let export_options = ExportOptions {
        projection_options: options.projection_options,
        layouts: [(Projection::Articles, positions.clone())]
            .into_iter()
            .collect(),
        history: history.clone(),
        prepared: [
            (Projection::Articles, Arc::clone(&articles)),
            (Projection::Full, Arc::clone(&full)),
        ]
        .into_iter()
        .collect(),
        compress: options.compress,
        ..ExportOptions::default()
    };
    let exports = export_all(dir, &collection, &iris, options, &export_options, progress)?;

    steps.next();
    // Up to MAP_POINTS articles the map shows the exports' layout; above it,
    // the sampled layout `report` computes (report::layout).
    let map_positions = if articles.graph.node_count() <= report::MAP_POINTS {
        positions
    } else {
        report::layout::map_positions(&articles.graph, &articles.analysis)
    };
    let model = report::build(&report::Inputs {
        collection: &collection,
        iris: &iris,
        articles: &articles.graph,
        article_analysis: &articles.analysis,
        full: Some((&full.graph, &full.analysis)),
        positions: &map_positions,
        history: history.as_deref(),
        basis: report::Basis::LastScan,
    });
    let reports = write_reports(dir, &model, &options.out)?;
    steps.next();

    Ok(RunSummary {
        build: built,
        analyses: vec![articles_done, full_done],
        exports,
        reports,
        statuses: status_counts(&model),
        timings: steps.timings,
    })
}

/// The progress display and the timings of the run's [`STEPS`].
struct Steps<'p> {
    progress: &'p dyn Progress,
    /// The index of the step [`Steps::next`] starts.
    next: usize,
    started: Instant,
    timings: Vec<(&'static str, f64)>,
}

impl<'p> Steps<'p> {
    fn new(progress: &'p dyn Progress) -> Steps<'p> {
        Steps {
            progress,
            next: 0,
            started: Instant::now(),
            timings: Vec::new(),
        }
    }

    /// Ends the current step (its time is recorded) and starts the next one.
    fn next(&mut self) {
        let index = self.next;
        let now = Instant::now();
        if index > 0 {
            self.timings.push((
                STEPS[index - 1],
                now.duration_since(self.started).as_secs_f64(),
            ));
        }
        if index < STEPS.len() {
            self.progress.step(index + 1, STEPS.len(), STEPS[index]);
        }
        self.started = now;
        self.next += 1;
    }
}

/// Analyses one projection (saving the analysis in the store): what was done,
/// the graph, its analysis and (articles projection) its trends through time.
fn analyse(
    dir: &StoreDir,
    collection: &Collection,
    iris: &Iris,
    projection: Projection,
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<
    (
        AnalysisDone,
        ProjectedGraph,
        StoredAnalysis,
        Option<History>,
    ),
    RunError,
> {
    progress.start(projection.name(), 1);
    let (graph, analysis) = analyze::analyze_projection(
        dir,
        collection,
        iris,
        projection,
        &options.projection_options,
        &options.analyze,
    )?;
    progress.advance(1);
    progress.finish();
    let level = analysis.levels.first();
    let done = AnalysisDone {
        projection,
        nodes: analysis.node_count,
        edges: analysis.edge_count,
        clusters: level.map_or(0, |l| l.count),
        modularity: level.map_or(0.0, |l| l.modularity),
        skipped: analysis
            .skipped
            .iter()
            .map(|(m, e)| (*m, e.to_string()))
            .collect(),
        trend_warning: analysis.trends.as_ref().and_then(|t| t.warning.clone()),
    };
    let stored = StoredAnalysis::from(&analysis);
    Ok((done, graph, stored, analysis.trends.map(|t| t.history)))
}

/// Writes the run's export formats into the output folder with
/// `export_options` (the articles projection's layout, the analysed projections).
fn export_all(
    dir: &StoreDir,
    collection: &Collection,
    iris: &Iris,
    options: &RunOptions,
    export_options: &ExportOptions,
    progress: &dyn Progress,
) -> Result<Vec<Written>, RunError> {
    std::fs::create_dir_all(&options.out).map_err(|source| RunError::Io {
        path: options.out.clone(),
        source,
    })?;
    // Temporary files of an export that was killed (the store's are removed
    // when its lock is taken).
    crate::store::remove_stale_temps(&options.out, 2);
    let targets: Vec<(Format, PathBuf)> = Format::ALL
        .into_iter()
        .filter(|f| options.formats.contains(f))
        .map(|f| (f, options.out.join(f.file_name())))
        .collect();
    Ok(export::export_collection(
        dir,
        collection,
        iris,
        &targets,
        export_options,
        progress,
    )?)
}

/// Writes the report in every format into `out`, its HTML copy into the
/// store, and saves the report model for later `signalgraph report` calls.
fn write_reports(
    dir: &StoreDir,
    model: &report::Report,
    out: &Path,
) -> Result<Vec<ReportWritten>, RunError> {
    let mut reports = Vec::new();
    for format in ReportFormat::ALL {
        let path = out.join(format!("report.{}", format.extension()));
        let bytes = report::write_file(model, format, &path)?;
        reports.push(ReportWritten {
            format,
            path,
            bytes,
        });
    }
    let (path, bytes) = report::save_store_copy(dir, model)?;
    reports.push(ReportWritten {
        format: ReportFormat::Html,
        path,
        bytes,
    });
    report::save_cache(dir, model)?;
    Ok(reports)
}

/// The report's clusters by status, statuses without clusters left out.
fn status_counts(model: &report::Report) -> Vec<(&'static str, usize)> {
    report::trajectory::Status::ALL
        .iter()
        .map(|&s| {
            (
                s.name(),
                model.clusters.iter().filter(|k| k.status == s).count(),
            )
        })
        .filter(|&(_, n)| n > 0)
        .collect()
}
