//! Exporting a store: every format as one enum with its extension and media type.
//!
//! RDF formats ([`rdf`]) stream from the frozen dataset. Graph formats — GraphML
//! ([`graphml`]) and GEXF ([`gexf`]) for Gephi, a Neo4j import folder
//! ([`neo4j`]) and plain CSV ([`table`]) — describe one projection
//! ([`view::GraphView`]) with the analysis stored for it and, for GraphML and
//! GEXF, a ForceAtlas2 layout. Every file is written to a temporary name and
//! renamed ([`output`]: through symbolic links, directly to devices and
//! FIFOs), and the same store always gives the same bytes. RDF files and
//! the CSV files of the Neo4j and CSV folders can be gzip-compressed
//! ([`output::write_output_gz`]), and N-Triples and N-Quads written in
//! chunks ([`split`]) for loaders that read several files at once.

pub mod gexf;
pub mod graphml;
pub mod neo4j;
pub mod output;
pub mod rdf;
pub mod split;
pub mod table;
pub mod view;
mod xml;

use crate::analyze::stored;
use crate::graph::{ProjectedGraph, Projection, ProjectionOptions};
use crate::model::Collection;
use crate::progress::Progress;
use crate::store::{self, Iris, StoreDir, StoreError};
use crate::trends::history::History;
use oxigraph::io::{JsonLdProfileSet, RdfFormat};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use view::GraphView;

pub use output::{gz_path, write_output, write_output_gz};
pub use rdf::write as write_rdf;

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// Turtle (`.ttl`): the statements without their graphs.
    Turtle,
    /// N-Triples (`.nt`): the statements without their graphs.
    NTriples,
    /// N-Quads (`.nq`): every statement in its named graph.
    NQuads,
    /// TriG (`.trig`): every statement in its named graph.
    TriG,
    /// RDF/XML (`.rdf`): the statements without their graphs.
    RdfXml,
    /// JSON-LD (`.jsonld`).
    JsonLd,
    /// GraphML (`.graphml`): a projection with its analysis as attributes.
    GraphMl,
    /// GEXF 1.3 (`.gexf`): a projection with its analysis and dates.
    Gexf,
    /// A folder for `neo4j-admin database import`.
    Neo4j,
    /// A folder with `nodes.csv` and `edges.csv`.
    Csv,
}

impl Format {
    /// Every format, in the order `export --all` writes them.
    pub const ALL: [Format; 10] = [
        Format::Turtle,
        Format::NTriples,
        Format::NQuads,
        Format::TriG,
        Format::RdfXml,
        Format::JsonLd,
        Format::GraphMl,
        Format::Gexf,
        Format::Neo4j,
        Format::Csv,
    ];

    /// The name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Turtle => "turtle",
            Format::NTriples => "ntriples",
            Format::NQuads => "nquads",
            Format::TriG => "trig",
            Format::RdfXml => "rdfxml",
            Format::JsonLd => "jsonld",
            Format::GraphMl => "graphml",
            Format::Gexf => "gexf",
            Format::Neo4j => "neo4j",
            Format::Csv => "csv",
        }
    }

    /// The file extension (without the dot); for folder formats, the folder
    /// name `export --all` uses.
    pub fn extension(self) -> &'static str {
        match self {
            Format::GraphMl => "graphml",
            Format::Gexf => "gexf",
            Format::Neo4j => "neo4j",
            Format::Csv => "csv",
            f => f.rdf_format().expect("an RDF format").file_extension(),
        }
    }

    /// The media type (for folders, the type of the files in them).
    pub fn media_type(self) -> &'static str {
        match self {
            Format::GraphMl => "application/graphml+xml",
            Format::Gexf => "application/gexf+xml",
            Format::Neo4j | Format::Csv => "text/csv",
            f => f.rdf_format().expect("an RDF format").media_type(),
        }
    }

    /// The file `export --all` writes the format to, inside its folder.
    pub fn file_name(self) -> String {
        if self.is_folder() {
            self.extension().to_string()
        } else {
            format!("graph.{}", self.extension())
        }
    }

    /// The format a file name's extension stands for (files only).
    pub fn from_path(path: &Path) -> Option<Format> {
        // `graph.nq.gz` is N-Quads, compressed.
        let path = match output::has_gz_extension(path) {
            true => Path::new(path.file_stem()?),
            false => path,
        };
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .filter(|f| !f.is_folder())
            .find(|f| f.extension() == ext || (ext == "xml" && *f == Format::RdfXml))
    }

    /// The format `--format NAME` names.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the format keeps named graphs.
    pub fn keeps_graphs(self) -> bool {
        matches!(self, Format::NQuads | Format::TriG | Format::JsonLd)
    }

    /// Whether the format has one statement per line, so that it can be
    /// written in chunks (`--split-size`).
    pub fn is_line_based(self) -> bool {
        matches!(self, Format::NTriples | Format::NQuads)
    }

    /// Whether `--compress` compresses the format (RDF, and the CSV files of
    /// the folder formats; GraphML and GEXF stay as Gephi opens them).
    pub fn compresses(self) -> bool {
        !matches!(self, Format::GraphMl | Format::Gexf)
    }

    /// Whether the format is RDF (written from the dataset, not a projection).
    pub fn is_rdf(self) -> bool {
        self.rdf_format().is_some()
    }

    /// Whether the export is a folder of files rather than one file.
    pub fn is_folder(self) -> bool {
        matches!(self, Format::Neo4j | Format::Csv)
    }

    /// The projection a graph format describes when none is asked for: the
    /// article graph for Gephi and CSV (the trend clusters), the full typed
    /// graph for Neo4j (every label).
    pub fn default_projection(self) -> Projection {
        match self {
            Format::Neo4j => Projection::Full,
            _ => Projection::Articles,
        }
    }

    fn rdf_format(self) -> Option<RdfFormat> {
        Some(match self {
            Format::Turtle => RdfFormat::Turtle,
            Format::NTriples => RdfFormat::NTriples,
            Format::NQuads => RdfFormat::NQuads,
            Format::TriG => RdfFormat::TriG,
            Format::RdfXml => RdfFormat::RdfXml,
            Format::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            _ => return None,
        })
    }
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing an output failed.
    #[error("{path}: {source}")]
    Io {
        /// The output.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store's trend state could not be read.
    #[error(transparent)]
    Trends(#[from] crate::trends::state::StateError),
}

impl ExportError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        ExportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// The projection of every format (RDF: its nodes and their facts);
    /// `None`: the whole store for RDF, [`Format::default_projection`] otherwise.
    pub projection: Option<Projection>,
    /// Compute no layout (GraphML and GEXF without positions).
    pub no_layout: bool,
    /// How sparse the weighted projections are.
    pub projection_options: ProjectionOptions,
    /// Layouts computed beforehand (by `run`, which draws the same layout in
    /// the report), used instead of computing them again.
    pub layouts: BTreeMap<Projection, Vec<[f64; 2]>>,
    /// The store's trends through time computed beforehand (by `run`, from
    /// its analysis), used instead of reading `trends.bin` again.
    pub history: Option<Arc<History>>,
    /// gzip the RDF files (`.gz` added to their names) and the CSV files of
    /// the Neo4j and CSV folders (`.csv.gz`).
    pub compress: bool,
    /// Projections built and analysed beforehand (by `run`, which has just
    /// analysed them), used instead of building them and reading their
    /// analysis back from the store; they equal what the store holds.
    pub prepared: BTreeMap<Projection, Arc<Prepared>>,
    /// Write N-Triples and N-Quads in chunks of at most this many
    /// (uncompressed) bytes, `NAME.part-0001.nq` and so on ([`split`]).
    pub split_size: Option<u64>,
}

/// A projection with its analysis, ready to export.
#[derive(Debug)]
pub struct Prepared {
    /// The projection.
    pub graph: ProjectedGraph,
    /// Its analysis, as the store holds it.
    pub analysis: stored::StoredAnalysis,
}

/// One export written.
#[derive(Clone, Debug)]
pub struct Written {
    /// The format written.
    pub format: Format,
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes (0 for a device or FIFO).
    pub bytes: u64,
    /// Statements (RDF) or nodes (graph formats).
    pub items: u64,
    /// Edges written (graph formats).
    pub edges: Option<usize>,
    /// Parallel edges merged into others.
    pub merged: usize,
    /// Writing this export.
    pub seconds: f64,
    /// Building, laying out and joining the projection with its analysis,
    /// shared by the graph formats of one projection (0 for RDF).
    pub prepare_seconds: f64,
}

/// Writes each `(format, path)` of `targets` from the store in `dir`.
///
/// The RDF dataset is opened only for RDF targets, and each projection is
/// built, laid out and joined with its stored analysis once.
///
/// ```no_run
/// use signalgraph::export::{export, ExportOptions, Format};
///
/// let dir = signalgraph::StoreDir::new(".signalgraph");
/// let targets = [
///     (Format::Turtle, "graph.ttl".into()),
///     (Format::Gexf, "clusters.gexf".into()),
/// ];
/// export(&dir, &targets, &ExportOptions::default(), &signalgraph::NoProgress)?;
/// # Ok::<(), signalgraph::export::ExportError>(())
/// ```
pub fn export(
    dir: &StoreDir,
    targets: &[(Format, PathBuf)],
    options: &ExportOptions,
    progress: &dyn Progress,
) -> Result<Vec<Written>, ExportError> {
    let (collection, iris) = crate::build::load_collection(dir)?;
    export_collection(dir, &collection, &iris, targets, options, progress)
}

/// [`export`] for a collection already loaded from the store in `dir`.
pub fn export_collection(
    dir: &StoreDir,
    collection: &Collection,
    iris: &Iris,
    targets: &[(Format, PathBuf)],
    options: &ExportOptions,
    progress: &dyn Progress,
) -> Result<Vec<Written>, ExportError> {
    let projections = build_projections(collection, targets, options);
    // The trends through time, read once for every projection that shows them.
    let wants_history = projections.keys().any(|&p| {
        targets.iter().any(|(f, _)| {
            !f.is_rdf()
                && options.projection.unwrap_or(f.default_projection()) == p
                && shows_trends(*f, p)
        })
    });
    let history = match &options.history {
        Some(history) => Some(Arc::clone(history)),
        None if wants_history => History::read(dir, collection)?.map(Arc::new),
        None => None,
    };
    let source = Source {
        dir,
        collection,
        iris,
        history: history.as_deref(),
    };
    let graph_formats = |projections: &BTreeMap<Projection, Graph>| {
        let mut written = Vec::new();
        for (&projection, graph) in projections {
            let formats: Vec<&(Format, PathBuf)> = targets
                .iter()
                .filter(|(f, _)| {
                    !f.is_rdf()
                        && options.projection.unwrap_or(f.default_projection()) == projection
                })
                .collect();
            if !formats.is_empty() {
                written.extend(write_graph_formats(&source, graph, &formats, options)?);
            }
        }
        Ok::<_, ExportError>(written)
    };
    let wants_rdf = targets.iter().any(|(f, _)| f.is_rdf());
    let selected = options
        .projection
        .filter(|_| wants_rdf)
        .map(|p| selection_sets(&projections[&p], collection, iris));
    let rdf_formats = || match wants_rdf {
        true => write_rdf_formats(&source, targets, selected.as_ref(), options, progress),
        false => Ok(Vec::new()),
    };
    let mut written = if options.prepared.is_empty() {
        // Graph formats first: the RDF dataset is the largest thing an export
        // holds, and it is never freed (see `write_rdf_formats`), so it comes
        // after the projections are freed.
        let mut written = graph_formats(&projections)?;
        drop(projections);
        written.extend(rdf_formats()?);
        written
    } else {
        // The caller keeps the projections anyway: the RDF dataset is opened
        // and written on another thread while the graph formats are written.
        let (graphs, rdf) = std::thread::scope(|scope| {
            let rdf = scope.spawn(rdf_formats);
            let graphs = graph_formats(&projections);
            (graphs, rdf.join().expect("the RDF export does not panic"))
        });
        let mut written = graphs?;
        written.extend(rdf?);
        written
    };
    written.sort_by_key(|w| w.format);
    Ok(written)
}

/// The store an export reads from.
struct Source<'a> {
    dir: &'a StoreDir,
    collection: &'a Collection,
    iris: &'a Iris,
    /// Its trends through time, when a format to write shows them.
    history: Option<&'a History>,
}

/// Whether `format` of `projection` shows the trends through time: Neo4j
/// always; GEXF on the articles projection, where the trends' articles are.
fn shows_trends(format: Format, projection: Projection) -> bool {
    format == Format::Neo4j || (format == Format::Gexf && projection == Projection::Articles)
}

/// A projection to export: built here, or prepared by the caller.
enum Graph {
    Built(ProjectedGraph),
    Prepared(Arc<Prepared>),
}

impl std::ops::Deref for Graph {
    type Target = ProjectedGraph;
    fn deref(&self) -> &ProjectedGraph {
        match self {
            Graph::Built(g) => g,
            Graph::Prepared(p) => &p.graph,
        }
    }
}

/// Each projection the targets need, built once: the graph formats' own (or
/// the one asked for), and for RDF the one asked for, if any.
fn build_projections(
    collection: &Collection,
    targets: &[(Format, PathBuf)],
    options: &ExportOptions,
) -> BTreeMap<Projection, Graph> {
    let mut projections: BTreeMap<Projection, Graph> = BTreeMap::new();
    for &(format, _) in targets {
        let wanted = match (format.is_rdf(), options.projection) {
            (true, p) => p,
            (false, p) => Some(p.unwrap_or(format.default_projection())),
        };
        if let Some(p) = wanted {
            projections
                .entry(p)
                .or_insert_with(|| match options.prepared.get(&p) {
                    Some(prepared) => Graph::Prepared(Arc::clone(prepared)),
                    None => Graph::Built(ProjectedGraph::build(
                        collection,
                        p,
                        &options.projection_options,
                    )),
                });
        }
    }
    projections
}

/// Writes the graph `formats` of one projection from one view of it: joined
/// with its stored analysis, laid out, and with the trend clusters for Neo4j.
fn write_graph_formats(
    source: &Source,
    graph: &Graph,
    formats: &[&(Format, PathBuf)],
    options: &ExportOptions,
) -> Result<Vec<Written>, ExportError> {
    let Source {
        dir,
        collection,
        iris,
        history,
    } = *source;
    let projection = graph.projection;
    let started = Instant::now();
    let analysis = match graph {
        Graph::Prepared(p) => Some(p.analysis.clone()),
        Graph::Built(g) => stored::load(dir, g, collection, iris)?,
    };
    // Layout positions for the formats people look at; Neo4j leaves them out.
    let needs_layout = formats.iter().any(|(f, _)| *f != Format::Neo4j);
    let positions =
        (needs_layout && !options.no_layout).then(|| match options.layouts.get(&projection) {
            Some(positions) if positions.len() == graph.node_count() => positions.clone(),
            _ => layout_of(graph),
        });
    let trend = if formats.iter().any(|(f, _)| *f == Format::Neo4j) {
        trend_clusters(source, projection, graph, analysis.as_ref(), options)?
    } else {
        None
    };
    let view = GraphView::new(graph, collection, iris, analysis, positions);
    let prepared = started.elapsed().as_secs_f64();
    let mut written = Vec::new();
    for (format, path) in formats.iter().copied() {
        let started = Instant::now();
        match format {
            Format::GraphMl => write_output(path, |w| graphml::write(&view, w))?,
            Format::Gexf => write_output(path, |w| {
                gexf::write(
                    &view,
                    history.filter(|_| shows_trends(*format, projection)),
                    w,
                )
            })?,
            Format::Neo4j => neo4j::write(&view, trend.as_ref(), history, path, options.compress)?,
            Format::Csv => table::write(&view, path, options.compress)?,
            _ => unreachable!("RDF formats are written by write_rdf_formats"),
        }
        written.push(Written {
            format: *format,
            path: path.clone(),
            bytes: if format.is_folder() {
                folder_size(path)
            } else {
                file_size(path)
            },
            items: view.node_count() as u64,
            edges: Some(view.edges.len()),
            merged: view.merged,
            seconds: started.elapsed().as_secs_f64(),
            prepare_seconds: prepared,
        });
    }
    Ok(written)
}

/// Writes the RDF targets from the store's dataset, limited to the
/// `selected` (subject IRIs, graphs) of a projection when given.
fn write_rdf_formats(
    source: &Source,
    targets: &[(Format, PathBuf)],
    selected: Option<&(HashSet<String>, HashSet<String>)>,
    options: &ExportOptions,
    progress: &dyn Progress,
) -> Result<Vec<Written>, ExportError> {
    // N-Quads of everything is written straight from the store; the other
    // targets need the indexed dataset, opened only when one is asked for.
    let direct = |format: Format| format == Format::NQuads && selected.is_none();
    let dataset = match targets.iter().any(|(f, _)| f.is_rdf() && !direct(*f)) {
        true => Some(store::open_rdf(
            source.dir,
            source.collection,
            source.iris,
            progress,
        )?),
        false => None,
    };
    let selection = match selected {
        Some((subjects, graphs)) => rdf::Selection::Subjects {
            iris: subjects,
            graphs,
        },
        None => rdf::Selection::Everything,
    };
    let mut written = Vec::new();
    for (format, path) in targets.iter().filter(|(f, _)| f.is_rdf()) {
        if direct(*format) {
            written.extend(write_nquads_direct(source, path, options, progress)?);
            continue;
        }
        let dataset = dataset.as_ref().expect("opened for the indexed formats");
        if let Some(limit) = options.split_size.filter(|_| format.is_line_based()) {
            let chunks = write_chunks(dataset, *format, &selection, path, limit, options)?;
            written.extend(chunks_written(*format, chunks));
            continue;
        }
        let started = Instant::now();
        let mut items = 0;
        let path = gz_path(path, options.compress);
        write_output_gz(&path, options.compress, |w| {
            items = rdf::write(dataset, *format, &selection, w)?;
            Ok(())
        })?;
        written.push(file_written(*format, &path, items, started));
    }
    // Freeing millions of terms one by one only delays the caller.
    std::mem::forget(dataset);
    Ok(written)
}

/// Writes the whole store as N-Quads to `path` in one pass
/// ([`store::nquads`]), whole or in chunks (`--split-size`), the blank-node
/// statements last (in the last chunk).
fn write_nquads_direct(
    source: &Source,
    path: &Path,
    options: &ExportOptions,
    progress: &dyn Progress,
) -> Result<Vec<Written>, ExportError> {
    let started = Instant::now();
    let write = |out: &mut dyn std::io::Write| {
        store::nquads::write_nquads(source.dir, source.collection, source.iris, out, progress)
    };
    if let Some(limit) = options.split_size {
        let mut chunks = split::Chunks::new(path, limit, options.compress);
        let first = chunks.chunk_path(1);
        let done = {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut chunks);
            let done = write(&mut buffered)?;
            std::io::Write::flush(&mut buffered).map_err(|e| StoreError::io(&first, e))?;
            done
        };
        let chunks = chunks
            .hold_text(done.blank, done.blank_quads)
            .finish()
            .map_err(|e| ExportError::io(&first, e))?;
        return Ok(chunks_written(Format::NQuads, chunks).collect());
    }
    let path = gz_path(path, options.compress);
    let mut items = 0;
    // A store error (a damaged graph file) passes through the output's
    // io::Result as it is, not as an error writing the output.
    let mut failed = None;
    write_output_gz(&path, options.compress, |w| {
        let done = write(w).map_err(|e| {
            let message = e.to_string();
            failed = Some(e);
            std::io::Error::other(message)
        })?;
        w.write_all(&done.blank)?;
        items = done.quads + done.blank_quads;
        Ok(())
    })
    .map_err(|e| failed.take().unwrap_or(e))?;
    Ok(vec![file_written(Format::NQuads, &path, items, started)])
}

/// What was written into one file, `items` statements since `started`.
fn file_written(format: Format, path: &Path, items: u64, started: Instant) -> Written {
    Written {
        format,
        path: path.to_path_buf(),
        bytes: file_size(path),
        items,
        edges: None,
        merged: 0,
        seconds: started.elapsed().as_secs_f64(),
        prepare_seconds: 0.0,
    }
}

/// What was written, one entry per chunk.
fn chunks_written(format: Format, chunks: Vec<split::Chunk>) -> impl Iterator<Item = Written> {
    chunks.into_iter().map(move |c| Written {
        format,
        path: c.path,
        bytes: c.bytes,
        items: c.lines,
        edges: None,
        merged: 0,
        seconds: c.seconds,
        prepare_seconds: 0.0,
    })
}

/// Writes `format` (line-based) in chunks of at most `limit` bytes named after `path`.
fn write_chunks(
    dataset: &store::FrozenDataset,
    format: Format,
    selection: &rdf::Selection,
    path: &Path,
    limit: u64,
    options: &ExportOptions,
) -> Result<Vec<split::Chunk>, ExportError> {
    let blank =
        rdf::blank_node_lines(dataset, format, selection).map_err(|e| ExportError::io(path, e))?;
    let mut chunks = split::Chunks::new(path, limit, options.compress).hold_lines(blank);
    let first = chunks.chunk_path(1);
    let result = (|| {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut chunks);
        rdf::write(dataset, format, selection, &mut buffered)?;
        std::io::Write::flush(&mut buffered)
    })();
    result
        .and_then(|()| chunks.finish())
        .map_err(|e| ExportError::io(&first, e))
}

/// The trend clusters of the store with the report's names: from `analysis`
/// when `graph` is the articles projection, else from the stored analysis of
/// the articles projection (as the report reads it); `None` when not analysed.
fn trend_clusters(
    source: &Source,
    projection: Projection,
    graph: &ProjectedGraph,
    analysis: Option<&stored::StoredAnalysis>,
    options: &ExportOptions,
) -> Result<Option<neo4j::TrendClusters>, ExportError> {
    let (dir, collection, iris) = (source.dir, source.collection, source.iris);
    let named = |graph: &ProjectedGraph, analysis: &stored::StoredAnalysis| {
        let (cluster_of, names) = crate::report::trend_clusters(collection, graph, analysis);
        neo4j::TrendClusters {
            cluster_of,
            names,
            modularity: analysis.levels.first().map_or(f64::NAN, |l| l.modularity),
        }
    };
    if projection == Projection::Articles {
        return Ok(analysis.map(|a| named(graph, a)));
    }
    if let Some(articles) = options.prepared.get(&Projection::Articles) {
        return Ok(Some(named(&articles.graph, &articles.analysis)));
    }
    let options = stored::sidecar_options(dir, Projection::Articles).unwrap_or_default();
    let articles = ProjectedGraph::build(collection, Projection::Articles, &options);
    let analysis = stored::load(dir, &articles, collection, iris)?;
    Ok(analysis.map(|a| named(&articles, &a)))
}

/// The ForceAtlas2 layout every export and the report draw of a projection.
pub fn layout_of(graph: &ProjectedGraph) -> Vec<[f64; 2]> {
    let csr = graph.to_csr();
    let layout = crate::layout::LayoutOptions::for_size(csr.node_count());
    crate::layout::forceatlas2(&csr, &layout)
}

/// The IRIs of a projection's nodes, and the analysis graph of it.
fn selection_sets(
    graph: &ProjectedGraph,
    c: &Collection,
    iris: &Iris,
) -> (HashSet<String>, HashSet<String>) {
    let subjects = (0..graph.node_count() as u32)
        .map(|i| graph.node(i).iri(c, iris).into_string())
        .collect();
    let graphs = [iris.analysis_graph(graph.projection.name()).into_string()]
        .into_iter()
        .collect();
    (subjects, graphs)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

fn folder_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| entries.flatten().map(|e| file_size(&e.path())).sum())
        .unwrap_or(0)
}
