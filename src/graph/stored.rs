//! The articles projection kept in the store (`<store>/projection-articles.bin`), so analyses do not rebuild it.
//!
//! `build` writes it next to `collection.sgs` once the collection is saved;
//! `analyze` (and `run`) read it instead of projecting the collection again.
//! The file is the projection as built — its edges in petgraph's order with
//! their kinds and the bits of their weights — so the graph read back is the
//! graph [`ProjectedGraph::build`] gives, edge for edge, and every analysis of
//! it the same.
//!
//! Layout, little-endian: `SGPROJ` + `\x00` + format byte; the stamp of the
//! collection it was built from (`collection.sgs` length `u64` and the
//! BLAKE3 hash of its body, [`StoreDir::collection_stamp`]); the projection
//! options (`neighbours`, `window`, `u64` each); the node count and the edge
//! count (`u64`); per edge `source u32, target u32, kind u8, weight f64`;
//! then the BLAKE3 hash of everything before it. Every node of the articles
//! projection is a read article, node `i` being article `i`, so nodes are not
//! listed.
//!
//! A file that is stale (another collection or other options), damaged or of
//! another format version is never used: [`load_or_build`] builds the
//! projection from the collection instead and, for the default options,
//! writes the file again, saying why in its [`Source`].

use super::projection::{Edge, EdgeKind, NodeRef, ProjectedGraph, Projection, ProjectionOptions};
use crate::model::Collection;
use crate::store::{write_atomically, CollectionStamp, StoreDir, StoreError};
use petgraph::graph::{NodeIndex, UnGraph};
use std::io::Write;
use std::path::PathBuf;

const MAGIC: &[u8; 8] = b"SGPROJ\x00\x01";

/// Bytes per edge: source, target, kind, weight.
const EDGE_BYTES: usize = 4 + 4 + 1 + 8;

/// Bytes before the edges: magic, stamp, options, counts.
const HEAD_BYTES: usize = 8 + 8 + 32 + 8 + 8 + 8 + 8;

/// Edge kinds by their byte in the file (the articles projection has two).
const KINDS: [EdgeKind; 2] = [EdgeKind::SharesConcepts, EdgeKind::Closest];

/// Where the articles projection is kept.
pub fn path(dir: &StoreDir) -> PathBuf {
    dir.path().join("projection-articles.bin")
}

/// Where a projection came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Read from the store's file.
    Stored,
    /// Built from the collection, with the reason the file was not used.
    Built(String),
}

/// Writes the articles projection `graph` of the collection saved in `dir`,
/// built with `options`, stamped with that collection.
pub fn save(
    dir: &StoreDir,
    graph: &ProjectedGraph,
    options: &ProjectionOptions,
) -> Result<(), StoreError> {
    let stamp = dir.collection_stamp()?;
    let bytes = encode(&stamp, graph, options);
    write_atomically(&path(dir), |w| w.write_all(&bytes))
}

/// Builds the articles projection of `collection` (the collection saved in
/// `dir`) with the default options and writes it: what `build` calls.
pub fn build_and_save(dir: &StoreDir, collection: &Collection) -> Result<(), StoreError> {
    let options = ProjectionOptions::default();
    let graph = ProjectedGraph::build(collection, Projection::Articles, &options);
    save(dir, &graph, &options)
}

/// Stamps the file again with the collection now saved in `dir` when it
/// was current for `before` (the collection as it was before a save that
/// changed no article, only modification times); otherwise leaves it to be
/// rebuilt. Returns whether it is current now.
pub fn restamp(dir: &StoreDir, before: &CollectionStamp) -> Result<bool, StoreError> {
    restamp_file(dir, &path(dir), before, check)
}

/// The bytes of `file` once `check` passed; else why not (missing,
/// unreadable, damaged), naming the file.
pub(crate) fn read_checked(
    file: &std::path::Path,
    check: fn(&[u8]) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    let bytes = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("{} is missing", file.display()))
        }
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    check(&bytes).map_err(|why| format!("{}: {why}", file.display()))?;
    Ok(bytes)
}

/// [`restamp`] for any file [`check_file`] checks (with `check`).
pub(crate) fn restamp_file(
    dir: &StoreDir,
    file: &std::path::Path,
    before: &CollectionStamp,
    check: fn(&[u8]) -> Result<(), String>,
) -> Result<bool, StoreError> {
    let Ok(mut bytes) = std::fs::read(file) else {
        return Ok(false);
    };
    if check(&bytes).is_err() || stamp_of(&bytes) != *before {
        return Ok(false);
    }
    let now = dir.collection_stamp()?;
    bytes[8..16].copy_from_slice(&now.len.to_le_bytes());
    bytes[16..48].copy_from_slice(&now.body);
    let body = bytes.len() - 32;
    let hash = blake3::hash(&bytes[..body]);
    bytes[body..].copy_from_slice(hash.as_bytes());
    write_atomically(file, |w| w.write_all(&bytes))?;
    Ok(true)
}

/// The projection `projection` of `collection` with `options`: read from
/// the store when it keeps it for this collection and these options, else
/// built (and, for the articles projection with the default options,
/// written back so the next analysis reads it).
pub fn load_or_build(
    dir: &StoreDir,
    collection: &Collection,
    projection: Projection,
    options: &ProjectionOptions,
) -> Result<(ProjectedGraph, Source), StoreError> {
    if projection != Projection::Articles {
        let graph = ProjectedGraph::build(collection, projection, options);
        return Ok((
            graph,
            Source::Built("only the articles projection is kept".into()),
        ));
    }
    let why = match load(dir, options) {
        Ok(graph) if graph.node_count() == collection.articles.len() => {
            return Ok((graph, Source::Stored))
        }
        Ok(_) => "its node count is not the collection's".to_string(),
        Err(why) => why,
    };
    let graph = ProjectedGraph::build(collection, projection, options);
    if is_default(options) {
        save(dir, &graph, options)?;
    }
    Ok((graph, Source::Built(why)))
}

fn is_default(options: &ProjectionOptions) -> bool {
    let default = ProjectionOptions::default();
    (options.neighbours, options.window) == (default.neighbours, default.window)
}

/// The stored articles projection when it is current for the collection
/// saved in `dir` and for `options`; else why not.
pub fn load(dir: &StoreDir, options: &ProjectionOptions) -> Result<ProjectedGraph, String> {
    let file = path(dir);
    let bytes = read_checked(&file, check)?;
    let now = dir.collection_stamp().map_err(|e| e.to_string())?;
    if stamp_of(&bytes) != now {
        return Err(format!(
            "{} was built from another collection",
            file.display()
        ));
    }
    let saved = (read_u64(&bytes, 48), read_u64(&bytes, 56));
    if saved != (options.neighbours as u64, options.window as u64) {
        return Err(format!(
            "{} was built with other projection options",
            file.display()
        ));
    }
    decode(&bytes).map_err(|why| format!("{}: {why}", file.display()))
}

fn read_u64(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

fn check(bytes: &[u8]) -> Result<(), String> {
    check_file(bytes, MAGIC, HEAD_BYTES, "a stored projection")
}

/// Checks a file the store keeps beside the collection (the stored
/// projection, the article index): its `magic` (8 bytes, the last the
/// format's version), at least `head` bytes before the checksum, and the
/// BLAKE3 checksum of everything before it in its last 32 bytes.
pub(crate) fn check_file(
    bytes: &[u8],
    magic: &[u8; 8],
    head: usize,
    what: &str,
) -> Result<(), String> {
    if !bytes.starts_with(magic) {
        return Err(if bytes.starts_with(&magic[..7]) {
            "written by another version of signalgraph".into()
        } else {
            format!("not {what}")
        });
    }
    if bytes.len() < head + 32 {
        return Err("truncated".into());
    }
    let body = bytes.len() - 32;
    if blake3::hash(&bytes[..body]).as_bytes() != &bytes[body..] {
        return Err("checksum mismatch".into());
    }
    Ok(())
}

/// The collection stamp of a file [`check_file`] checked (after its magic).
pub(crate) fn stamp_of(bytes: &[u8]) -> CollectionStamp {
    CollectionStamp {
        len: read_u64(bytes, 8),
        body: bytes[16..48].try_into().expect("32 bytes"),
    }
}

fn encode(stamp: &CollectionStamp, graph: &ProjectedGraph, options: &ProjectionOptions) -> Vec<u8> {
    debug_assert_eq!(graph.projection, Projection::Articles);
    let edges = graph.graph.raw_edges();
    let mut out = Vec::with_capacity(HEAD_BYTES + edges.len() * EDGE_BYTES + 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&stamp.len.to_le_bytes());
    out.extend_from_slice(&stamp.body);
    out.extend_from_slice(&(options.neighbours as u64).to_le_bytes());
    out.extend_from_slice(&(options.window as u64).to_le_bytes());
    out.extend_from_slice(&(graph.node_count() as u64).to_le_bytes());
    out.extend_from_slice(&(edges.len() as u64).to_le_bytes());
    for e in edges {
        out.extend_from_slice(&(e.source().index() as u32).to_le_bytes());
        out.extend_from_slice(&(e.target().index() as u32).to_le_bytes());
        let kind = KINDS.iter().position(|&k| k == e.weight.kind);
        out.push(kind.expect("an articles projection edge") as u8);
        out.extend_from_slice(&e.weight.weight.to_bits().to_le_bytes());
    }
    let hash = blake3::hash(&out);
    out.extend_from_slice(hash.as_bytes());
    out
}

/// The graph of a checked file.
fn decode(bytes: &[u8]) -> Result<ProjectedGraph, String> {
    let nodes = usize::try_from(read_u64(bytes, 64)).map_err(|_| "too many nodes")?;
    let edges = usize::try_from(read_u64(bytes, 72)).map_err(|_| "too many edges")?;
    let body = &bytes[HEAD_BYTES..bytes.len() - 32];
    if Some(body.len()) != edges.checked_mul(EDGE_BYTES) || nodes > u32::MAX as usize {
        return Err("the edge count does not match the length".into());
    }
    let mut graph = UnGraph::with_capacity(nodes, edges);
    for i in 0..nodes {
        graph.add_node(NodeRef::Article(i));
    }
    for edge in body.chunks_exact(EDGE_BYTES) {
        let (u, v) = (read_u32(edge, 0) as usize, read_u32(edge, 4) as usize);
        let kind = *KINDS.get(edge[8] as usize).ok_or("unknown edge kind")?;
        let weight = f64::from_bits(read_u64(edge, 9));
        if u >= nodes || v >= nodes {
            return Err("an edge names a node out of range".into());
        }
        graph.add_edge(NodeIndex::new(u), NodeIndex::new(v), Edge { kind, weight });
    }
    Ok(ProjectedGraph {
        projection: Projection::Articles,
        graph,
    })
}
