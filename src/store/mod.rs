//! The store: a collection saved in a directory, and the RDF dataset (oxigraph) it opens as.
//!
//! A store directory (`.signalgraph` by default) holds `collection.sgs`, the
//! read articles with their provenance (file path, size, modification time,
//! content hash) and diagnostics, and `graphs/*.nq`, further named graphs such
//! as analysis results. Every file is written to a temporary name, synced and
//! renamed over the old one, so a crash at any moment leaves the old or the
//! new store, never a broken one.
//!
//! The RDF dataset is a pure function of what is saved: [`open_rdf`] mints
//! the quads of every article graph and the collection graph ([`rdf`]) in
//! parallel batches, adds the ontology graph and the extra graphs, and builds
//! a [`FrozenDataset`]: a term dictionary with six sorted quad indexes that
//! oxigraph's SPARQL evaluator (spareval) queries. Saving the articles rather
//! than the quads keeps incremental builds simple (a changed file replaces its
//! article; labels and link resolution that depend on the whole collection are
//! recomputed), and the frozen dataset opens several times faster than
//! oxigraph's in-memory `Store` loads the same quads (its insert is
//! single-threaded and keeps per-quad version chains a read-only store never
//! needs; see benches/BENCHMARKS.md).

pub mod dataset;
pub mod iri;
mod lock;
pub mod nquads;
pub mod rdf;
mod snapshot;
pub mod vocab;

pub use dataset::FrozenDataset;
pub use iri::{BaseIriError, Iris};
pub use lock::{remove_stale_temps, StoreLock, LOCK_FILE};
pub use snapshot::{write_atomically, Entry, Header, Modified};

use crate::model::{Collection, Stats};
use crate::progress::Progress;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, Quad, QuadRef};
use rayon::prelude::*;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading or writing a file of the store failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A store file that does not decode; a build sets it aside.
    #[error(
        "{path}: damaged ({reason}); run `signalgraph build` with the seed folders: it sets the damaged file aside and reads them again"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A file of the store that fails its checksum; `fix` says what to run.
    #[error("{path}: damaged ({reason}); {fix}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
        /// The command that writes it again.
        fix: String,
    },
    /// The store was written in another format version.
    #[error("{0}: written by another version of signalgraph; rebuild it with `signalgraph build`")]
    OtherVersion(PathBuf),
    /// There is no store in the directory.
    #[error("no store at {0}; create one with `signalgraph build PATH...`")]
    Missing(PathBuf),
    /// The base IRI given is not usable.
    #[error(transparent)]
    BaseIri(#[from] BaseIriError),
    /// The ontology compiled into the program does not parse (a bug).
    #[error("the built-in ontology does not parse: {0}")]
    Ontology(String),
    /// An extra graph file of the store does not parse as N-Quads.
    #[error("{path}: {message}")]
    Graph {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
}

impl StoreError {
    pub(crate) fn io(path: &Path, source: io::Error) -> StoreError {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A store directory.
#[derive(Clone, Debug)]
pub struct StoreDir {
    path: PathBuf,
}

/// Which saved collection a derived file was computed from
/// ([`StoreDir::collection_stamp`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CollectionStamp {
    /// Length of `collection.sgs` in bytes.
    pub len: u64,
    /// BLAKE3 hash of its body (the saved entries), as written in the file.
    pub body: [u8; 32],
}

/// What a store holds once loaded from disk.
#[derive(Debug)]
pub struct Saved {
    /// The store's header.
    pub header: Header,
    /// One entry per seed file.
    pub entries: Vec<Entry>,
}

impl StoreDir {
    /// The store in directory `path` (nothing is read or created yet).
    pub fn new(path: impl Into<PathBuf>) -> StoreDir {
        StoreDir { path: path.into() }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn collection_file(&self) -> PathBuf {
        self.path.join("collection.sgs")
    }

    /// The folder of extra named graphs (one N-Quads file each).
    pub fn graphs_dir(&self) -> PathBuf {
        self.path.join("graphs")
    }

    /// Whether a saved collection exists.
    pub fn exists(&self) -> bool {
        self.collection_file().is_file()
    }

    /// Reads only the header (base IRI and counts): cheap even for a large store.
    pub fn read_header(&self) -> Result<Header, StoreError> {
        snapshot::read_header(&self.collection_file()).map_err(|e| self.missing_or(e))
    }

    /// Reads the whole saved collection; `Ok(None)` when there is no store yet.
    pub fn load(&self) -> Result<Option<Saved>, StoreError> {
        if !self.exists() {
            return Ok(None);
        }
        let (header, entries) = snapshot::read(&self.collection_file())?;
        Ok(Some(Saved { header, entries }))
    }

    /// What the saved collection is now, cheaply: the length of
    /// `collection.sgs` and the checksum of its articles section (read from
    /// the file, not recomputed). Files derived from the collection, such as
    /// the stored articles projection, carry it and are stale when it differs.
    pub fn collection_stamp(&self) -> Result<CollectionStamp, StoreError> {
        let (len, body) =
            snapshot::body_stamp(&self.collection_file()).map_err(|e| self.missing_or(e))?;
        Ok(CollectionStamp { len, body })
    }

    /// Saves a collection atomically (temporary file, fsync, rename, fsync of the folder).
    pub fn save(&self, header: &Header, entries: &[Entry]) -> Result<(), StoreError> {
        std::fs::create_dir_all(&self.path).map_err(|e| StoreError::io(&self.path, e))?;
        snapshot::write(&self.collection_file(), header, entries)
    }

    /// The extra graph files, sorted.
    pub fn graph_files(&self) -> Result<Vec<PathBuf>, StoreError> {
        let dir = self.graphs_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io(&dir, e)),
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "nq"))
            .collect();
        files.sort();
        Ok(files)
    }

    /// The path of the extra graph file `name` (which may not exist).
    pub fn graph_file(&self, name: &str) -> PathBuf {
        self.graphs_dir().join(format!("{name}.nq"))
    }

    /// Replaces (or creates) one extra named graph file atomically; its last
    /// line is its seal ([`verify_graph_file`]).
    pub fn write_graph(&self, name: &str, quads: &[Quad]) -> Result<(), StoreError> {
        self.write_graph_from(name, |emit| quads.iter().try_for_each(|q| emit(q.as_ref())))
    }

    /// Writes the extra graph file `name` as [`write_graph`](Self::write_graph)
    /// does, from the quads `quads` hands to its argument one at a time, so
    /// they need not be held.
    pub fn write_graph_from(
        &self,
        name: &str,
        quads: impl FnOnce(&mut dyn FnMut(QuadRef<'_>) -> io::Result<()>) -> io::Result<()>,
    ) -> Result<(), StoreError> {
        let dir = self.graphs_dir();
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let path = self.graph_file(name);
        snapshot::write_atomically(&path, |w| {
            let mut hasher = blake3::Hasher::new();
            let mut graphs: std::collections::HashSet<GraphName> = Default::default();
            let mut last: Option<GraphName> = None;
            // Lines are hashed and written in blocks: BLAKE3 hashes a long
            // input several chunks at a time, a line at a time one by one.
            const BLOCK: usize = 1 << 16;
            let (mut count, mut block) = (0usize, String::with_capacity(BLOCK + 1024));
            quads(&mut |q| {
                use std::fmt::Write as _;
                if last.as_ref().map(GraphName::as_ref) != Some(q.graph_name) {
                    let graph = q.graph_name.into_owned();
                    graphs.insert(graph.clone());
                    last = Some(graph);
                }
                writeln!(block, "{q} .").map_err(io::Error::other)?;
                count += 1;
                if block.len() >= BLOCK {
                    hasher.update(block.as_bytes());
                    w.write_all(block.as_bytes())?;
                    block.clear();
                }
                Ok(())
            })?;
            hasher.update(block.as_bytes());
            w.write_all(block.as_bytes())?;
            writeln!(
                w,
                "{SEAL}{} quads={} graphs={}",
                hasher.finalize().to_hex(),
                count,
                graphs.len()
            )
        })
    }

    /// Sets aside every extra graph file that fails its check (renamed to
    /// `NAME.nq.damaged`, which is no longer read) and says which, why and
    /// what to run.
    pub fn set_aside_damaged_graphs(&self) -> Result<Vec<SetAside>, StoreError> {
        let mut out = Vec::new();
        for path in self.graph_files()? {
            match verify_graph_file(&path) {
                Ok(_) => {}
                Err(StoreError::Damaged { reason, fix, .. }) => {
                    let aside = path.with_extension("nq.damaged");
                    std::fs::rename(&path, &aside).map_err(|e| StoreError::io(&path, e))?;
                    out.push(SetAside {
                        path,
                        aside,
                        reason,
                        fix,
                    });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Sets the collection file aside (`collection.sgs.damaged`).
    pub fn set_aside_collection(&self) -> Result<PathBuf, StoreError> {
        let path = self.collection_file();
        let aside = path.with_extension("sgs.damaged");
        std::fs::rename(&path, &aside).map_err(|e| StoreError::io(&path, e))?;
        Ok(aside)
    }

    fn missing_or(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Io { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                StoreError::Missing(self.path.clone())
            }
            e => e,
        }
    }
}

/// A damaged file moved out of the way.
#[derive(Clone, Debug)]
pub struct SetAside {
    /// The file's former path.
    pub path: PathBuf,
    /// Where it was moved.
    pub aside: PathBuf,
    /// What was wrong with it.
    pub reason: String,
    /// What to run to get it back.
    pub fix: String,
}

/// The start of the last line of every N-Quads file the store writes:
/// `# signalgraph blake3=HEX quads=N graphs=G`, the BLAKE3 hash of every
/// byte before that line and what they hold. N-Quads readers skip it as a
/// comment; a file cut short loses it, a changed byte breaks the hash.
const SEAL: &str = "# signalgraph blake3=";

/// What the seal of a graph file says it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// Quads in the file.
    pub quads: u64,
    /// Named graphs in the file.
    pub graphs: u64,
}

/// What to run when a graph file of the store is damaged.
fn fix_for(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    match name
        .as_deref()
        .and_then(|n| n.strip_prefix("analysis-"))
        .and_then(|n| n.strip_suffix(".nq"))
    {
        Some(projection) => format!(
            "run `signalgraph analyze --projection {projection}` to write it again (`signalgraph build` sets it aside)"
        ),
        None => "remove it, or run `signalgraph build` to set it aside".to_string(),
    }
}

/// Checks a graph file against its seal (its last line) without parsing it.
pub fn verify_graph_file(path: &Path) -> Result<Sealed, StoreError> {
    use std::io::{Read, Seek, SeekFrom};
    let damaged = |reason: &str| StoreError::Damaged {
        path: path.to_path_buf(),
        reason: reason.to_string(),
        fix: fix_for(path),
    };
    let mut file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    let len = file.metadata().map_err(|e| StoreError::io(path, e))?.len();
    let tail_len = len.min(256);
    let mut tail = vec![0u8; tail_len as usize];
    file.seek(SeekFrom::Start(len - tail_len))
        .and_then(|_| file.read_exact(&mut tail))
        .map_err(|e| StoreError::io(path, e))?;
    let unsealed = "no checksum line at its end: cut short, or written by an older signalgraph";
    let Some(body) = tail.strip_suffix(b"\n") else {
        return Err(damaged(unsealed));
    };
    let start = body.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if start == 0 && tail_len < len {
        return Err(damaged(unsealed));
    }
    let line = std::str::from_utf8(&body[start..]).map_err(|_| damaged(unsealed))?;
    let Some(fields) = line.strip_prefix(SEAL) else {
        return Err(damaged(unsealed));
    };
    let mut fields = fields.split(' ');
    let hash = fields.next().unwrap_or_default();
    let mut count = |key: &str| {
        fields
            .next()
            .and_then(|f| f.strip_prefix(key))
            .and_then(|n| n.parse::<u64>().ok())
    };
    let (Some(quads), Some(graphs)) = (count("quads="), count("graphs=")) else {
        return Err(damaged(unsealed));
    };
    let sealed_len = len - tail_len + start as u64;
    file.rewind().map_err(|e| StoreError::io(path, e))?;
    let mut hasher = blake3::Hasher::new();
    io::copy(&mut (&mut file).take(sealed_len), &mut hasher)
        .map_err(|e| StoreError::io(path, e))?;
    if hasher.finalize().to_hex().as_str() != hash {
        return Err(damaged(
            "checksum mismatch: changed or damaged since it was written",
        ));
    }
    Ok(Sealed { quads, graphs })
}

/// The quads of the ontology graph (`ontology/signalgraph.ttl`, built into the binary).
///
/// The parser names anonymous blank nodes at random; they are renamed in order
/// of appearance (`_:ontology1`, …) so the dataset is the same on every open.
pub fn ontology_quads(iris: &Iris) -> Result<Vec<Quad>, StoreError> {
    use oxigraph::model::{BlankNode, NamedOrBlankNode, Term};
    let mut names: std::collections::HashMap<BlankNode, BlankNode> = Default::default();
    let mut stable = |b: BlankNode| {
        let next = names.len() + 1;
        names
            .entry(b)
            .or_insert_with(|| BlankNode::new_unchecked(format!("ontology{next}")))
            .clone()
    };
    RdfParser::from_format(RdfFormat::Turtle)
        .with_default_graph(iris.ontology_graph())
        .for_slice(vocab::ONTOLOGY_TURTLE.as_bytes())
        .map(|q| {
            let mut q =
                q.map_err(|e| StoreError::Ontology(format!("ontology/signalgraph.ttl: {e}")))?;
            if let NamedOrBlankNode::BlankNode(b) = q.subject {
                q.subject = stable(b).into();
            }
            if let Term::BlankNode(b) = q.object {
                q.object = stable(b).into();
            }
            Ok(q)
        })
        .collect()
}

/// Articles minted per parallel batch while opening; bounds the quads held at once.
const BATCH: usize = 2048;

/// The quads of the articles in `range`, minted in parallel.
fn article_batch(c: &Collection, iris: &Iris, range: std::ops::Range<usize>) -> Vec<Quad> {
    range
        .into_par_iter()
        .fold(Vec::new, |mut out, i| {
            rdf::article_quads(c, i, iris, &mut out);
            out
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        })
}

/// How many quads the article and collection graphs have (what [`open_rdf`] would load of them).
pub fn count_quads(c: &Collection, iris: &Iris) -> u64 {
    let articles: u64 = (0..c.articles.len())
        .into_par_iter()
        .map_init(Vec::new, |buf, i| {
            buf.clear();
            rdf::article_quads(c, i, iris, buf);
            buf.len() as u64
        })
        .sum();
    let mut shared = Vec::new();
    rdf::collection_quads(c, iris, &mut shared);
    articles + shared.len() as u64
}

/// Opens the RDF dataset of a store: every article graph, the collection,
/// ontology and extra graphs, in a [`FrozenDataset`] that SPARQL runs on.
pub fn open_rdf(
    dir: &StoreDir,
    c: &Collection,
    iris: &Iris,
    progress: &dyn Progress,
) -> Result<FrozenDataset, StoreError> {
    let mut builder = FrozenDataset::builder();
    progress.start("opening", c.articles.len() as u64);
    // Batches are minted on another thread while this one interns and indexes
    // the previous ones; the bounded channel keeps minting just ahead.
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || {
            let mut start = 0;
            while start < c.articles.len() {
                let end = (start + BATCH).min(c.articles.len());
                if tx
                    .send((article_batch(c, iris, start..end), end - start))
                    .is_err()
                {
                    return;
                }
                start = end;
            }
        });
        for (batch, articles) in rx {
            builder.add(batch);
            progress.advance(articles as u64);
        }
    });
    progress.finish();
    let mut shared = Vec::new();
    rdf::collection_quads(c, iris, &mut shared);
    builder.add(shared);
    builder.add(ontology_quads(iris)?);
    for path in dir.graph_files()? {
        builder.add(read_graph_file(&path)?);
    }
    Ok(builder.finish())
}

/// The quads of one extra graph file (N-Quads), checked against its seal first.
pub fn read_graph_file(path: &Path) -> Result<Vec<Quad>, StoreError> {
    verify_graph_file(path)?;
    let file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    RdfParser::from_format(RdfFormat::NQuads)
        .for_reader(io::BufReader::new(file))
        .collect::<Result<_, _>>()
        .map_err(|e| StoreError::Graph {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
}

/// Counts the quads and named graphs of the extra graph files (each checked
/// against its seal, which holds the counts).
pub fn count_graph_file_quads(dir: &StoreDir) -> Result<(u64, usize), StoreError> {
    let mut quads = 0;
    let mut graphs = 0;
    for path in dir.graph_files()? {
        let sealed = verify_graph_file(&path)?;
        quads += sealed.quads;
        graphs += sealed.graphs as usize;
    }
    Ok((quads, graphs))
}

/// The full stats of a store without loading any RDF: the counts saved in
/// the collection file's header (the whole file checked against its
/// checksums first), plus the ontology and extra graphs.
pub fn stats(dir: &StoreDir) -> Result<Stats, StoreError> {
    let header = snapshot::verify(&dir.collection_file()).map_err(|e| dir.missing_or(e))?;
    let iris = Iris::new(&header.base_iri)?;
    let mut stats = header.stats;
    let (extra_quads, extra_graphs) = count_graph_file_quads(dir)?;
    stats.triples += ontology_quads(&iris)?.len() as u64 + extra_quads;
    stats.graphs += 1 + extra_graphs;
    Ok(stats)
}

/// Writes every quad of a dataset as N-Quads, sorted by line, so the same
/// store always gives the same bytes.
pub fn write_sorted_nquads(
    dataset: &FrozenDataset,
    out: &mut impl Write,
) -> Result<(), StoreError> {
    let mut lines: Vec<String> = dataset.iter().map(|q| format!("{q} .\n")).collect();
    lines.par_sort_unstable();
    for line in lines {
        out.write_all(line.as_bytes())
            .map_err(|e| StoreError::io(Path::new("<output>"), e))?;
    }
    Ok(())
}
