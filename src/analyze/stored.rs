//! Analysis results read back from the store, for exporters and the report.
//!
//! `analyze` writes its results as RDF ([`super::rdf`]); this reads the
//! analysis graph of one projection back into per-node vectors aligned with
//! the projection's nodes, so every consumer sees exactly what SPARQL sees.
//!
//! Parsing the N-Quads is slow for a large store (about 15 s for the 977 MB
//! full analysis of 100k articles), so `analyze` also writes the same values
//! as a binary sidecar, `<store>/analysis/{projection}.bin` (outside
//! `graphs/`, whose files are all opened as RDF). [`load`] reads the sidecar
//! when its stamp matches the store's current files and parses the N-Quads
//! otherwise; both give the same vectors, bit for bit.
//!
//! The sidecar's layout, all integers little-endian:
//!
//! ```text
//! magic "SGANALYS", u32 version (1)
//! u8 length + UTF-8 projection name
//! stamp: .nq size u64, .nq mtime i128 (ns since the epoch), BLAKE3 of the
//!        .nq's first and last 64 KiB (32 bytes),
//!        collection.sgs size u64, collection.sgs mtime i128
//! projection options: neighbours u64, window u64 (what the projection was
//!        built with; node order does not depend on them)
//! u64 node count n
//! u32 measures, each: u8 index into Measure::ALL, n × f64 (IEEE bits)
//! u32 levels, each: u64 count, f64 modularity, u64 parents p, p × u32,
//!        n × u32 membership (u32::MAX: no cluster)
//! BLAKE3 of everything above (32 bytes)
//! ```
//!
//! Node order of a projection depends only on the collection (not on the
//! projection options), so the collection file's stamp and the node count
//! tie the vectors to the nodes. Anything that does not match (another
//! version, a rewritten file, truncation, a bad checksum) means "no sidecar",
//! never an error.

use super::{Analysis, Level, Measure};
use crate::graph::{ProjectedGraph, Projection, ProjectionOptions};
use crate::model::Collection;
use crate::store::iri::Iris;
use crate::store::vocab::term;
use crate::store::{read_graph_file, StoreDir, StoreError};
use oxigraph::model::{NamedOrBlankNode, Quad, Term};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The stored analysis of one projection.
#[derive(Clone, Debug, Default)]
pub struct StoredAnalysis {
    /// One vector per measure found, NaN for nodes without a value.
    pub measures: Vec<(Measure, Vec<f64>)>,
    /// Cluster levels; nodes without a cluster have `u32::MAX`.
    pub levels: Vec<Level>,
}

impl StoredAnalysis {
    /// The scores of measure `m`, one per node, if it was stored.
    pub fn scores(&self, m: Measure) -> Option<&[f64]> {
        self.measures
            .iter()
            .find(|(x, _)| *x == m)
            .map(|(_, v)| v.as_slice())
    }
}

impl From<&Analysis> for StoredAnalysis {
    /// What [`load`] reads back after the analysis is written, bit for bit
    /// (integer measures pass through `xsd:integer`, NaN is canonical), so a
    /// caller holding the analysis need not read the store again.
    fn from(a: &Analysis) -> Self {
        as_written(a)
    }
}

/// The analysis graph of `graph`'s projection, if `analyze` wrote one: from
/// the sidecar when it is current, else parsed from the N-Quads.
pub fn load(
    dir: &StoreDir,
    graph: &ProjectedGraph,
    c: &Collection,
    iris: &Iris,
) -> Result<Option<StoredAnalysis>, StoreError> {
    if let Some(stored) = load_sidecar(dir, graph) {
        return Ok(Some(stored));
    }
    load_nquads(dir, graph, c, iris)
}

/// The analysis graph of `graph`'s projection parsed from its N-Quads file
/// (what [`load`] falls back to), if `analyze` wrote one.
pub fn load_nquads(
    dir: &StoreDir,
    graph: &ProjectedGraph,
    c: &Collection,
    iris: &Iris,
) -> Result<Option<StoredAnalysis>, StoreError> {
    let name = graph.projection.name();
    let path = dir.graph_file(&format!("analysis-{name}"));
    if !path.exists() {
        return Ok(None);
    }
    let quads = read_graph_file(&path)?;
    let n = graph.node_count();
    let node_of: HashMap<String, u32> = (0..n as u32)
        .map(|i| (graph.node(i).iri(c, iris).into_string(), i))
        .collect();
    let cluster_prefix = format!("{}cluster/{name}/", iris.base());
    let mut facts = Facts::collect(&quads, n, &node_of, &cluster_prefix);
    facts.measures.sort_by_key(|(m, _)| *m);
    let levels = facts.levels(n);
    Ok(Some(StoredAnalysis {
        measures: facts.measures,
        levels,
    }))
}

/// What the analysis quads say, before the cluster levels are put together.
struct Facts {
    /// One vector per measure, in the order first seen.
    measures: Vec<(Measure, Vec<f64>)>,
    /// (level, cluster index, node).
    members: Vec<(usize, u32, u32)>,
    /// (level, cluster index, parent cluster index).
    parents: Vec<(usize, u32, u32)>,
    /// Modularity by level.
    modularity: HashMap<usize, f64>,
}

impl Facts {
    /// Reads measures, memberships, parents and modularities from the quads;
    /// quads about unknown nodes or clusters, or with unparsable values, are skipped.
    fn collect(
        quads: &[Quad],
        n: usize,
        node_of: &HashMap<String, u32>,
        cluster_prefix: &str,
    ) -> Facts {
        let parse_cluster = |iri: &str| -> Option<(usize, u32)> {
            let (level, index) = iri.strip_prefix(cluster_prefix)?.split_once('/')?;
            Some((level.parse().ok()?, index.parse().ok()?))
        };
        let measure_of: HashMap<&str, Measure> = Measure::ALL
            .into_iter()
            .map(|m| (super::rdf::predicate(m), m))
            .collect();

        let mut facts = Facts {
            measures: Vec::new(),
            members: Vec::new(),
            parents: Vec::new(),
            modularity: HashMap::new(),
        };
        for q in quads {
            let NamedOrBlankNode::NamedNode(subject) = &q.subject else {
                continue;
            };
            let predicate = q.predicate.as_str();
            if let Some(&m) = measure_of.get(predicate) {
                let (Some(&node), Term::Literal(value)) =
                    (node_of.get(subject.as_str()), &q.object)
                else {
                    continue;
                };
                let Ok(value) = value.value().parse::<f64>() else {
                    continue;
                };
                facts.set_measure(m, n, node, value);
            } else if predicate == term::MEMBER_OF {
                let (Some(&node), Term::NamedNode(cluster)) =
                    (node_of.get(subject.as_str()), &q.object)
                else {
                    continue;
                };
                if let Some((level, index)) = parse_cluster(cluster.as_str()) {
                    facts.members.push((level, index, node));
                }
            } else if predicate == term::SUB_CLUSTER_OF {
                if let (Some((level, index)), Term::NamedNode(parent)) =
                    (parse_cluster(subject.as_str()), &q.object)
                {
                    if let Some((_, parent)) = parse_cluster(parent.as_str()) {
                        facts.parents.push((level, index, parent));
                    }
                }
            } else if predicate == term::MODULARITY {
                if let (Some((level, _)), Term::Literal(value)) =
                    (parse_cluster(subject.as_str()), &q.object)
                {
                    if let Ok(v) = value.value().parse() {
                        facts.modularity.insert(level, v);
                    }
                }
            }
        }
        facts
    }

    fn set_measure(&mut self, m: Measure, n: usize, node: u32, value: f64) {
        let slot = match self.measures.iter().position(|(x, _)| *x == m) {
            Some(i) => i,
            None => {
                self.measures.push((m, vec![f64::NAN; n]));
                self.measures.len() - 1
            }
        };
        self.measures[slot].1[node as usize] = value;
    }

    /// The cluster levels: memberships, counts, parents and modularity.
    fn levels(&self, n: usize) -> Vec<Level> {
        let level_count = self.members.iter().map(|m| m.0 + 1).max().unwrap_or(0);
        let mut levels: Vec<Level> = (0..level_count)
            .map(|level| Level {
                membership: vec![u32::MAX; n],
                count: 0,
                parents: Vec::new(),
                modularity: self.modularity.get(&level).copied().unwrap_or(f64::NAN),
            })
            .collect();
        for &(level, index, node) in &self.members {
            let l = &mut levels[level];
            l.membership[node as usize] = index;
            l.count = l.count.max(index as usize + 1);
        }
        for l in levels.iter_mut().skip(1) {
            l.parents = vec![0; l.count];
        }
        for &(level, index, parent) in &self.parents {
            if let Some(slot) = levels
                .get_mut(level)
                .and_then(|l| l.parents.get_mut(index as usize))
            {
                *slot = parent;
            }
        }
        levels
    }
}

/// Version of the sidecar layout (the module documentation).
const SIDECAR_VERSION: u32 = 1;
const MAGIC: &[u8; 8] = b"SGANALYS";
/// Bytes of the start and of the end of the N-Quads file that are hashed.
const EDGE_BYTES: u64 = 64 * 1024;

/// Where the sidecar of `projection`'s analysis is kept.
pub fn sidecar_path(dir: &StoreDir, projection: Projection) -> PathBuf {
    dir.path()
        .join("analysis")
        .join(format!("{}.bin", projection.name()))
}

/// Size and modification time (ns since the epoch) of a file.
pub fn file_stamp(path: &Path) -> Option<(u64, i128)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_nanos() as i128;
    Some((meta.len(), modified))
}

/// BLAKE3 of the first and last [`EDGE_BYTES`] of a file.
fn edge_hash(path: &Path, size: u64) -> Option<[u8; 32]> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; EDGE_BYTES.min(size) as usize];
    file.read_exact(&mut buf).ok()?;
    hasher.update(&buf);
    if size > EDGE_BYTES {
        let tail = EDGE_BYTES.min(size - EDGE_BYTES);
        file.seek(SeekFrom::Start(size - tail)).ok()?;
        buf.resize(tail as usize, 0);
        file.read_exact(&mut buf).ok()?;
        hasher.update(&buf);
    }
    Some(*hasher.finalize().as_bytes())
}

/// What a sidecar was computed from.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    projection: String,
    nquads: (u64, i128),
    nquads_hash: [u8; 32],
    collection: (u64, i128),
}

impl Stamp {
    /// The stamp of the store's current files for `projection`.
    fn of(dir: &StoreDir, projection: Projection) -> Option<Stamp> {
        let nq = dir.graph_file(&format!("analysis-{}", projection.name()));
        let nquads = file_stamp(&nq)?;
        Some(Stamp {
            projection: projection.name().to_string(),
            nquads,
            nquads_hash: edge_hash(&nq, nquads.0)?,
            collection: file_stamp(&dir.path().join("collection.sgs"))?,
        })
    }
}

/// What [`load_nquads`] reads back once `analysis` is written: integer
/// measures pass through their `xsd:integer` literals, NaN comes back as the
/// one NaN `"NaN".parse()` gives, other doubles round-trip exactly.
fn as_written(analysis: &Analysis) -> StoredAnalysis {
    let mut measures: Vec<(Measure, Vec<f64>)> = analysis
        .measures
        .iter()
        .map(|(m, v)| {
            let v = if m.is_integer() {
                v.iter().map(|&x| x as i64 as f64).collect()
            } else {
                v.iter()
                    .map(|&x| if x.is_nan() { f64::NAN } else { x })
                    .collect()
            };
            (*m, v)
        })
        .collect();
    measures.sort_by_key(|(m, _)| *m);
    StoredAnalysis {
        measures,
        levels: analysis.levels.clone(),
    }
}

/// Writes the sidecar of `graph`'s analysis, stamped with the store's
/// current files; call it right after the analysis graph is written.
pub fn save_sidecar(
    dir: &StoreDir,
    graph: &ProjectedGraph,
    analysis: &Analysis,
    options: &ProjectionOptions,
) -> Result<(), StoreError> {
    let path = sidecar_path(dir, graph.projection);
    let folder = path.parent().unwrap_or(dir.path());
    std::fs::create_dir_all(folder).map_err(|e| StoreError::io(folder, e))?;
    let Some(stamp) = Stamp::of(dir, graph.projection) else {
        // The files it would be stamped with are gone: nothing to describe.
        let _ = std::fs::remove_file(&path);
        return Ok(());
    };
    let bytes = encode(&stamp, options, &as_written(analysis), analysis.node_count);
    crate::store::write_atomically(&path, |w| std::io::Write::write_all(w, &bytes))
}

fn encode(
    stamp: &Stamp,
    options: &ProjectionOptions,
    stored: &StoredAnalysis,
    n: usize,
) -> Vec<u8> {
    let per_node = 8 * stored.measures.len() + 4 * stored.levels.len();
    let mut out = Vec::with_capacity(256 + n * per_node);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&SIDECAR_VERSION.to_le_bytes());
    out.push(stamp.projection.len() as u8);
    out.extend_from_slice(stamp.projection.as_bytes());
    out.extend_from_slice(&stamp.nquads.0.to_le_bytes());
    out.extend_from_slice(&stamp.nquads.1.to_le_bytes());
    out.extend_from_slice(&stamp.nquads_hash);
    out.extend_from_slice(&stamp.collection.0.to_le_bytes());
    out.extend_from_slice(&stamp.collection.1.to_le_bytes());
    out.extend_from_slice(&(options.neighbours as u64).to_le_bytes());
    out.extend_from_slice(&(options.window as u64).to_le_bytes());
    out.extend_from_slice(&(n as u64).to_le_bytes());
    out.extend_from_slice(&(stored.measures.len() as u32).to_le_bytes());
    for (m, values) in &stored.measures {
        let index = Measure::ALL.iter().position(|x| x == m).unwrap_or(0);
        out.push(index as u8);
        for v in values {
            out.extend_from_slice(&v.to_bits().to_le_bytes());
        }
    }
    out.extend_from_slice(&(stored.levels.len() as u32).to_le_bytes());
    for l in &stored.levels {
        out.extend_from_slice(&(l.count as u64).to_le_bytes());
        out.extend_from_slice(&l.modularity.to_bits().to_le_bytes());
        out.extend_from_slice(&(l.parents.len() as u64).to_le_bytes());
        for p in &l.parents {
            out.extend_from_slice(&p.to_le_bytes());
        }
        for c in &l.membership {
            out.extend_from_slice(&c.to_le_bytes());
        }
    }
    let sum = blake3::hash(&out);
    out.extend_from_slice(sum.as_bytes());
    out
}

/// A cursor over a sidecar's bytes; every read is checked.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }
    fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }
    fn i128(&mut self) -> Option<i128> {
        self.array().map(i128::from_le_bytes)
    }
    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }
    /// `count` values of `width` bytes, refusing counts the bytes cannot hold.
    fn chunks(&mut self, count: usize, width: usize) -> Option<std::slice::ChunksExact<'a, u8>> {
        Some(self.take(count.checked_mul(width)?)?.chunks_exact(width))
    }
}

/// A sidecar's header: its stamp and the projection options.
struct Header {
    stamp: Stamp,
    options: ProjectionOptions,
    nodes: usize,
}

fn read_header(b: &mut Bytes) -> Option<Header> {
    if b.take(8)? != MAGIC || b.u32()? != SIDECAR_VERSION {
        return None;
    }
    let len = b.u8()? as usize;
    let projection = std::str::from_utf8(b.take(len)?).ok()?.to_string();
    let stamp = Stamp {
        projection,
        nquads: (b.u64()?, b.i128()?),
        nquads_hash: b.array()?,
        collection: (b.u64()?, b.i128()?),
    };
    let options = ProjectionOptions {
        neighbours: b.len()?,
        window: b.len()?,
    };
    Some(Header {
        stamp,
        options,
        nodes: b.len()?,
    })
}

/// The sidecar's bytes without its checksum, if the checksum holds.
fn verified(bytes: &[u8]) -> Option<&[u8]> {
    let body_len = bytes.len().checked_sub(32)?;
    let (body, sum) = bytes.split_at(body_len);
    (blake3::hash(body).as_bytes() == sum).then_some(body)
}

/// The projection options the current sidecar of `projection` was computed
/// with, if there is one that matches the store's files.
pub fn sidecar_options(dir: &StoreDir, projection: Projection) -> Option<ProjectionOptions> {
    // Only the header is needed; the checksum and the values are checked by
    // load_sidecar.
    let file = std::fs::File::open(sidecar_path(dir, projection)).ok()?;
    let mut head = Vec::with_capacity(512);
    file.take(512).read_to_end(&mut head).ok()?;
    let header = read_header(&mut Bytes(&head))?;
    (Some(&header.stamp) == Stamp::of(dir, projection).as_ref()).then_some(header.options)
}

/// The analysis of `graph`'s projection from its sidecar, if the sidecar
/// matches the store's current files and the projection.
pub fn load_sidecar(dir: &StoreDir, graph: &ProjectedGraph) -> Option<StoredAnalysis> {
    let bytes = std::fs::read(sidecar_path(dir, graph.projection)).ok()?;
    let mut b = Bytes(verified(&bytes)?);
    let header = read_header(&mut b)?;
    let n = graph.node_count();
    if header.nodes != n || Some(header.stamp) != Stamp::of(dir, graph.projection) {
        return None;
    }
    let mut measures = Vec::new();
    for _ in 0..b.u32()? {
        let m = *Measure::ALL.get(b.u8()? as usize)?;
        let values = b
            .chunks(n, 8)?
            .map(|c| f64::from_bits(u64::from_le_bytes(c.try_into().unwrap_or_default())))
            .collect();
        measures.push((m, values));
    }
    let u32s = |chunks: std::slice::ChunksExact<u8>| -> Vec<u32> {
        chunks
            .map(|c| u32::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect()
    };
    let mut levels = Vec::new();
    for _ in 0..b.u32()? {
        let count = b.len()?;
        let modularity = f64::from_bits(b.u64()?);
        let parents = b.len()?;
        let parents = u32s(b.chunks(parents, 4)?);
        let membership = u32s(b.chunks(n, 4)?);
        levels.push(Level {
            membership,
            count,
            parents,
            modularity,
        });
    }
    b.0.is_empty()
        .then_some(StoredAnalysis { measures, levels })
}
