//! Analysing a projection of a store: read or build it, analyse it, follow the trends and write the results back.
//!
//! [`analyze_store`] loads the collection and analyses a projection of it;
//! [`analyze_projection`] does the same for a collection already loaded
//! (`run`). The articles projection comes from the store when it keeps it
//! current ([`crate::graph::stored`]); `analyze_store` then analyses it while
//! the store's article index ([`crate::graph::article_index`]) loads on
//! another thread, and never loads the collection when that is current.

use super::{analyze, rdf, stored, Analysis, AnalyzeError, AnalyzeOptions};
use crate::graph::stored::Source;
use crate::graph::{Csr, ProjectedGraph, Projection, ProjectionOptions};
use crate::model::Collection;
use crate::store::{Iris, StoreDir};
use crate::trends::track::track;
use std::time::Instant;

/// A projection of a store with its analysis, as written into the store.
pub struct StoreAnalysis {
    /// The collection loaded from the store, or, when `partial`, the
    /// partial collection of its article index
    /// ([`crate::graph::article_index`]: articles' ids, titles, dates and
    /// concepts, and the concepts; nothing else).
    pub collection: Collection,
    /// Whether `collection` is the article index's partial collection.
    pub partial: bool,
    /// The store's IRIs.
    pub iris: Iris,
    /// The projection that was analysed.
    pub graph: ProjectedGraph,
    /// What the analysis found (also written into the store).
    pub analysis: Analysis,
}

/// Loads the store in `dir`, analyses `projection` of it and writes the
/// results into its analysis graph `{base}graph/analysis/{projection}`
/// (replacing the previous ones). The timings start with `load` (or `load
/// index`).
///
/// The stored articles projection ([`crate::graph::stored`]) needs no
/// collection, so when the store keeps it current it is read and analysed
/// while, on another thread, the article index is read (a partial
/// collection: what the trends, the writing and the summary read) or, when
/// that is not current, the collection is loaded; the trends and the
/// writing wait for both. When the projection must be built, the whole
/// collection is loaded. The results are the same either way.
///
/// ```no_run
/// use signalgraph::analyze::{analyze_store, AnalyzeOptions, Method};
/// use signalgraph::graph::Projection;
///
/// let options = AnalyzeOptions { method: Method::Louvain, ..Default::default() };
/// let dir = signalgraph::StoreDir::new(".signalgraph");
/// let done = analyze_store(&dir, Projection::Articles, &Default::default(), &options)?;
/// println!("{} clusters", done.analysis.levels[0].count);
/// # Ok::<(), signalgraph::analyze::AnalyzeError>(())
/// ```
pub fn analyze_store(
    dir: &StoreDir,
    projection: Projection,
    projection_options: &ProjectionOptions,
    options: &AnalyzeOptions,
) -> Result<StoreAnalysis, AnalyzeError> {
    let started = Instant::now();
    let articles = projection == Projection::Articles;
    let ((loaded, mut load_seconds), early) = std::thread::scope(|s| {
        let loader = s.spawn(|| {
            let loaded = load(dir, articles);
            (loaded, started.elapsed().as_secs_f64())
        });
        let early = articles
            .then(|| analyze_stored(dir, projection_options, options))
            .flatten();
        let loaded = loader
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (loaded, early)
    });
    let (mut collection, mut iris, mut partial) = loaded?;
    let (graph, mut analysis) = match early {
        // The file was current when read, so its nodes are this collection's
        // articles; the count is checked all the same.
        Some((graph, csr, analysis)) if graph.node_count() == collection.articles.len() => {
            let analysis = analysis?;
            let analysis = finish(
                dir,
                &collection,
                &iris,
                &graph,
                &csr,
                analysis,
                projection_options,
                options,
            )?;
            (graph, analysis)
        }
        _ => {
            if partial {
                // A partial collection cannot be projected: load the whole one.
                let reload = Instant::now();
                (collection, iris) = crate::build::load_collection(dir)?;
                partial = false;
                load_seconds += reload.elapsed().as_secs_f64();
            }
            analyze_projection(
                dir,
                &collection,
                &iris,
                projection,
                projection_options,
                options,
            )?
        }
    };
    let load_step = if partial { "load index" } else { "load" };
    analysis.timings.insert(0, (load_step, load_seconds));
    Ok(StoreAnalysis {
        collection,
        partial,
        iris,
        graph,
        analysis,
    })
}

/// The store's article index ([`crate::graph::article_index`]) as a partial
/// collection when `articles` and it is current (`true` last), else the
/// whole collection, from which the index is then written again (a store
/// built before it existed gets it, as it gets the stored projection).
fn load(dir: &StoreDir, articles: bool) -> Result<(Collection, Iris, bool), AnalyzeError> {
    if articles {
        if let Ok((collection, iris)) = crate::graph::article_index::load(dir) {
            return Ok((collection, iris, true));
        }
    }
    let (collection, iris) = crate::build::load_collection(dir)?;
    if articles {
        crate::graph::article_index::save(dir, &collection)?;
    }
    Ok((collection, iris, false))
}

/// The stored articles projection, when current, with its analysis
/// (timings starting with `read projection`); `None` when the store does
/// not keep it current for `projection_options`.
fn analyze_stored(
    dir: &StoreDir,
    projection_options: &ProjectionOptions,
    options: &AnalyzeOptions,
) -> Option<(ProjectedGraph, Csr, Result<Analysis, AnalyzeError>)> {
    let started = Instant::now();
    let graph = crate::graph::stored::load(dir, projection_options).ok()?;
    let csr = graph.to_csr();
    let read = started.elapsed().as_secs_f64();
    let analysis = before_trends(Projection::Articles, options)
        .and_then(|first| analyze(&csr, &first))
        .map(|mut a| {
            a.timings.insert(0, ("read projection", read));
            a
        });
    Some((graph, csr, analysis))
}

/// Reads `projection` of a loaded collection from the store, or builds it
/// when the store does not keep it current ([`crate::graph::stored`]),
/// analyses it and writes the results into the store's analysis graph,
/// with its binary sidecar ([`stored::save_sidecar`]). The timings include
/// `read projection` or `project` (first) and `write` (last).
pub fn analyze_projection(
    dir: &StoreDir,
    collection: &Collection,
    iris: &Iris,
    projection: Projection,
    projection_options: &ProjectionOptions,
    options: &AnalyzeOptions,
) -> Result<(ProjectedGraph, Analysis), AnalyzeError> {
    let started = Instant::now();
    let (graph, source) =
        crate::graph::stored::load_or_build(dir, collection, projection, projection_options)?;
    let csr = graph.to_csr();
    let projected = started.elapsed().as_secs_f64();
    let mut analysis = analyze(&csr, &before_trends(projection, options)?)?;
    let step = match source {
        Source::Stored => "read projection",
        Source::Built(why) => {
            if projection == Projection::Articles {
                analysis.projection_built = Some(why);
            }
            "project"
        }
    };
    analysis.timings.insert(0, (step, projected));
    let analysis = finish(
        dir,
        collection,
        iris,
        &graph,
        &csr,
        analysis,
        projection_options,
        options,
    )?;
    Ok((graph, analysis))
}

/// `options` for the analysis of `projection` before its trends: the
/// articles projection's clusters are split (`max_cluster_size`) in
/// [`finish`], once the trends have cut level 0 at its merges and splits.
fn before_trends(
    projection: Projection,
    options: &AnalyzeOptions,
) -> Result<AnalyzeOptions, AnalyzeError> {
    super::check_options(options)?;
    let mut first = options.clone();
    if projection == Projection::Articles {
        first.max_cluster_size = None;
    }
    Ok(first)
}

/// Follows the trends of an articles analysis and writes the analysis into
/// the store (the `trends` and `write` steps).
#[allow(clippy::too_many_arguments)]
fn finish(
    dir: &StoreDir,
    collection: &Collection,
    iris: &Iris,
    graph: &ProjectedGraph,
    csr: &Csr,
    mut analysis: Analysis,
    projection_options: &ProjectionOptions,
    options: &AnalyzeOptions,
) -> Result<Analysis, AnalyzeError> {
    let projection = graph.projection;
    if projection == Projection::Articles {
        let started = Instant::now();
        let clusters = &analysis.levels[0].membership;
        let (tracked, cut) = track(dir, collection, graph, csr, clusters, options.window)?;
        if cut != analysis.levels[0].membership {
            // The clusters cut at merges and splits are the analysis's level 0.
            analysis.levels[0] = super::level_of(csr, cut);
        }
        analysis.trends = Some(tracked);
        analysis
            .timings
            .push(("trends", started.elapsed().as_secs_f64()));
        if options.max_cluster_size.is_some() {
            let started = Instant::now();
            super::split_levels(csr, &mut analysis.levels, options)?;
            analysis
                .timings
                .push(("split", started.elapsed().as_secs_f64()));
        }
    }
    let writing = Instant::now();
    dir.write_graph_from(&format!("analysis-{}", projection.name()), |emit| {
        rdf::each_analysis_quad(&analysis, graph, collection, iris, emit)
    })?;
    stored::save_sidecar(dir, graph, &analysis, projection_options)?;
    analysis
        .timings
        .push(("write", writing.elapsed().as_secs_f64()));
    Ok(analysis)
}
