//! The trend-cluster report: what a collection's clusters are, where they are heading, what drives them and where they meet.
//!
//! [`build`] turns a collection, the stored analyses of its `articles`
//! projection (the trend clusters: level 0) and, when present, of its `full`
//! projection (signal-level PageRank and betweenness), plus a layout of the
//! articles projection, into a [`Report`]: a plain data model that
//! [`html`], [`markdown`] and [`json`] write out. Everything in it is
//! computed from the graph and deterministic: the same store gives the same
//! bytes. Every cluster, signal and bridge names the articles behind it.
//!
//! The parts: [`naming`] (c-TF-IDF cluster names), [`trajectory`] (articles
//! per quarter and the status rule), [`links`] (neighbours, bridging
//! articles, signals and concepts, structural gaps), [`weak`] (weak signals,
//! ranked by a documented score of novelty, few links and reach), [`brief`]
//! (each cluster's cited extractive brief) and [`svg`] (the pictures); [`layout`] places the map's articles (the
//! exact layout of a small projection, a sampled stand-in graph for a large
//! one). [`compute`] reads everything from a store;
//! [`load_or_compute`] reuses the model a previous run saved in the store
//! (`report-cache.json`) while the store's files are unchanged, which is what
//! makes a report of a large store quick.
//!
//! The files: `model.rs` (the serde types), `prepare.rs` (the per-article
//! and per-signal facts computed once), `assemble.rs` (the [`Report`] built
//! from them, phase by phase), `cache.rs` (the model and the HTML copy kept
//! in the store), `text.rs` (wording the HTML and Markdown writers share),
//! `html_cluster.rs` (the HTML cluster cards and signal tables);
//! for trends through time, read from the store's [`History`]:
//! `over_time.rs` (trend entries, lineage, bursts), [`changes`] (what
//! changed, and its rule), [`charts`] (the lineage, burst and strategic
//! pictures), `html_time.rs` and `markdown_time.rs` (their sections); this
//! file has the entry points and the format dispatch.

pub mod brief;
pub mod html;
pub mod json;
pub mod layout;
pub mod links;
pub mod markdown;
pub mod svg;
pub mod trajectory;
pub mod weak;

mod assemble;
mod cache;
pub mod changes;
pub mod charts;
mod html_cluster;
mod html_time;
mod markdown_time;
mod model;
mod over_time;
mod prepare;
mod text;

use crate::trends::history::History;
pub use assemble::build;
pub use cache::{
    cache_path, cached, load_or_compute, read_store_copy, refresh, save_cache, save_store_copy,
    store_copy, CacheMiss, Refresh,
};
pub use changes::Basis;
pub use model::*;
pub use prepare::trend_clusters;
pub(crate) use prepare::{key, Prepared};

use crate::analyze::stored::{self, StoredAnalysis};
use crate::graph::{ProjectedGraph, Projection};
use crate::model::Collection;
use crate::progress::Progress;
use crate::store::{Iris, StoreDir, StoreError};
use std::path::{Path, PathBuf};

/// Most articles drawn on the map; larger collections are sampled evenly.
pub const MAP_POINTS: usize = 4000;
/// Side of the map's square view box.
pub const MAP_SIZE: f64 = 1000.0;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The articles projection was never analysed (the store is the path).
    #[error("{0} has no analysis of the articles projection; run `signalgraph analyze` (or `signalgraph run`) first")]
    NoAnalysis(PathBuf),
}

/// Everything [`build`] reads.
pub struct Inputs<'a> {
    /// The collection.
    pub collection: &'a Collection,
    /// The store's IRIs.
    pub iris: &'a Iris,
    /// The articles projection and its stored analysis.
    pub articles: &'a ProjectedGraph,
    /// The analysis of the articles projection.
    pub article_analysis: &'a StoredAnalysis,
    /// The full projection and its stored analysis, when analysed.
    pub full: Option<(&'a ProjectedGraph, &'a StoredAnalysis)>,
    /// Layout positions of the articles projection's nodes, at least of
    /// those the map draws ([`layout::map_positions`]).
    pub positions: &'a [[f64; 2]],
    /// The store's trends through time ([`History::read`]), when it keeps them.
    pub history: Option<&'a History>,
    /// What the what-changed section compares.
    pub basis: Basis,
}

/// The format a report is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// A standalone HTML page.
    Html,
    /// Markdown.
    Markdown,
    /// JSON (`docs/report.schema.json`).
    Json,
}

impl ReportFormat {
    /// Every format.
    pub const ALL: [ReportFormat; 3] = [
        ReportFormat::Html,
        ReportFormat::Markdown,
        ReportFormat::Json,
    ];

    /// The file extension (`html`, `md`, `json`).
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Markdown => "md",
            ReportFormat::Json => "json",
        }
    }

    /// The format a file name's extension stands for.
    pub fn from_path(path: &Path) -> Option<ReportFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "html" | "htm" => Some(ReportFormat::Html),
            "md" | "markdown" => Some(ReportFormat::Markdown),
            "json" => Some(ReportFormat::Json),
            _ => None,
        }
    }
}

/// Writes `report` in `format`.
pub fn write(
    report: &Report,
    format: ReportFormat,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        ReportFormat::Html => html::write(report, out),
        ReportFormat::Markdown => markdown::write(report, out),
        ReportFormat::Json => json::write(report, out),
    }
}

/// Writes `report` in `format` to `path`: a file atomically, through links,
/// a device or FIFO directly ([`crate::export::write_output`]).
pub fn write_file(report: &Report, format: ReportFormat, path: &Path) -> Result<u64, ReportError> {
    crate::export::write_output(path, |w| write(report, format, w))?;
    Ok(std::fs::metadata(path).map_or(0, |m| m.len()))
}

/// Seconds per step of [`compute`], in the order they ran.
pub type Timings = Vec<(&'static str, f64)>;

/// Reads everything the report needs from the store and builds it; the
/// timings say where the time went.
///
/// Fails with [`ReportError::NoAnalysis`] when the articles projection was
/// never analysed. The full projection's analysis is used when present.
///
/// ```no_run
/// use signalgraph::report::{compute, write_file, ReportFormat};
///
/// let dir = signalgraph::StoreDir::new(".signalgraph");
/// let (report, _timings) = compute(&dir, &signalgraph::NoProgress)?;
/// write_file(&report, ReportFormat::Markdown, "trends.md".as_ref())?;
/// # Ok::<(), signalgraph::report::ReportError>(())
/// ```
pub fn compute(dir: &StoreDir, progress: &dyn Progress) -> Result<(Report, Timings), ReportError> {
    compute_with(dir, Basis::LastScan, progress)
}

/// [`compute`] with the what-changed section on `basis` (`report --since`).
pub fn compute_with(
    dir: &StoreDir,
    basis: Basis,
    progress: &dyn Progress,
) -> Result<(Report, Timings), ReportError> {
    let mut timings = Vec::new();
    let mut clock = std::time::Instant::now();
    let mut lap = |name: &'static str| {
        timings.push((name, clock.elapsed().as_secs_f64()));
        clock = std::time::Instant::now();
    };
    let (collection, iris) = crate::build::load_collection(dir)?;
    if !dir.graph_file("analysis-articles").exists() {
        return Err(ReportError::NoAnalysis(dir.path().to_path_buf()));
    }
    lap("load collection");
    progress.start("report", 5);
    // The articles projection as the analysis saw it (its sidecar records the
    // options; without one, the defaults `analyze` uses).
    let options = stored::sidecar_options(dir, Projection::Articles).unwrap_or_default();
    // Read from the store when it keeps it for these options (the same
    // graph, edge for edge); built, not written back, otherwise.
    let articles = match crate::graph::stored::load(dir, &options) {
        Ok(graph) if graph.node_count() == collection.articles.len() => graph,
        _ => ProjectedGraph::build(&collection, Projection::Articles, &options),
    };
    let article_analysis = stored::load(dir, &articles, &collection, &iris)?
        .ok_or_else(|| ReportError::NoAnalysis(dir.path().to_path_buf()))?;
    progress.advance(1);
    lap("read articles analysis");
    let full = if dir.graph_file("analysis-full").exists() {
        let graph = ProjectedGraph::build(&collection, Projection::Full, &options);
        let analysis = stored::load(dir, &graph, &collection, &iris)?;
        analysis.map(|a| (graph, a))
    } else {
        None
    };
    progress.advance(1);
    lap("read full analysis");
    let positions = layout::map_positions(&articles, &article_analysis);
    progress.advance(1);
    lap("layout");
    let history = read_history(dir, &collection);
    let report = build(&Inputs {
        collection: &collection,
        iris: &iris,
        articles: &articles,
        article_analysis: &article_analysis,
        full: full.as_ref().map(|(g, a)| (g, a)),
        positions: &positions,
        history: history.as_ref(),
        basis,
    });
    progress.advance(1);
    lap("build report");
    progress.finish();
    Ok((report, timings))
}

/// The store's trend history over `collection`; none when the store keeps
/// no trends or their file is damaged (the next analysis reports it).
pub fn read_history(dir: &StoreDir, collection: &Collection) -> Option<History> {
    History::read(dir, collection).ok().flatten()
}
