//! A frozen, indexed in-memory RDF dataset that oxigraph's SPARQL evaluator queries.
//!
//! Once a store is opened its dataset never changes, so it is built once, in
//! parallel, into a compact read-only structure instead of being inserted quad
//! by quad into oxigraph's transactional in-memory `Store`:
//!
//! * a **term dictionary** maps every distinct RDF term (IRI, blank node,
//!   literal) to a `u32` id. It is split into 64 shards chosen by the term's
//!   hash; each shard keeps its terms' text in one arena `String` (no
//!   allocation per term) and an open-addressing hash table of ids, so no term
//!   is stored twice. A batch is interned in two parallel steps: pieces of
//!   4096 quads are hashed, and each occurrence is either recognised in a
//!   small per-piece cache (the graph and subject of the previous quad,
//!   predicates, classes, concepts: most occurrences) or put in its shard's
//!   bucket, in batch order; then every shard interns its buckets on its own
//!   thread. New terms of a shard get consecutive local ids in order of first
//!   appearance and the id is `local << 6 | shard`, so ids depend only on the
//!   sequence of quads added, never on threads or batch sizes;
//! * six **sorted permutations** of the quads as packed `u128` keys (`spog`,
//!   `posg`, `ospg`, `gspo`, `gpos`, `gosp`, as oxigraph orders them), so every
//!   combination of bound positions is one contiguous range found by binary
//!   search. `spog` is sorted with rayon's `par_sort_unstable` and
//!   deduplicated, `gspo` is derived from it by a counting sort on the graph,
//!   the others are sorted. The default graph is stored under the reserved
//!   graph id `u32::MAX`, which sorts after every named graph.
//!
//! [`FrozenDataset`] implements [`spareval::QueryableDataset`], so oxigraph's
//! own SPARQL evaluator (`spareval`, the crate oxigraph uses) queries it
//! directly. Terms of a query that are not in the data (constants the data
//! lacks, values computed by `BIND` or aggregates) are carried as owned terms
//! ([`FrozenTerm`]); a term that is in the dictionary is always represented by
//! its id, so term equality is id equality.
//!
//! As `spareval`'s trait specifies, a pattern on "any graph" covers the
//! *named* graphs only, and it gives every copy of a triple that is in
//! several graphs: `GRAPH ?g` needs them all. spareval 0.2 makes its union
//! default graph (`set_default_graph_as_union`) from that same call, so a
//! triple in two graphs would be in it twice, where the union default graph
//! is the RDF merge, a set of triples. Queries name the union instead as the
//! graph [`UNION_GRAPH`] (Jena's name for it; [`set_union_default_graph`]):
//! the dataset answers a pattern on it from an index with the graph last, where
//! the copies of a triple are adjacent, skipping the repeats without allocating.

use oxigraph::model::vocab::xsd;
use oxigraph::model::{
    BlankNodeRef, GraphNameRef, LiteralRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Quad,
    QuadRef, Term, TermRef,
};
use rayon::prelude::*;
use spareval::{InternalQuad, QueryDatasetSpecification, QueryableDataset};
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// The graph that stands for the union of the named graphs, each triple once
/// (the RDF merge), as Apache Jena names it.
pub const UNION_GRAPH: &str = "urn:x-arq:UnionGraph";

/// Makes the default graph of a query the union of the named graphs of a
/// [`FrozenDataset`], each triple once (`GRAPH ?g` still sees every copy).
/// Use it instead of spareval's `set_default_graph_as_union`, which counts a
/// triple once per graph holding it.
pub fn set_union_default_graph(dataset: &mut QueryDatasetSpecification) {
    dataset.set_default_graph(vec![NamedNode::new_unchecked(UNION_GRAPH).into()]);
}

/// Bits of a term id that select its dictionary shard.
const SHARD_BITS: u32 = 6;
/// Number of dictionary shards (interned in parallel).
const SHARDS: usize = 1 << SHARD_BITS;
/// Mask of the shard bits of a term id.
const SHARD_MASK: u32 = (1 << SHARD_BITS) - 1;
/// Local ids of a shard are below this, so no term id is ever [`DEFAULT_GRAPH`].
const MAX_LOCAL: u32 = u32::MAX >> SHARD_BITS;
/// The graph id of the default graph (never a term id).
const DEFAULT_GRAPH: u32 = u32::MAX;
/// Quads interned per round of [`DatasetBuilder::add`] (bounds the temporary
/// per-occurrence arrays and keeps occurrence indices within `u32`).
const ROUND: usize = 1 << 18;
/// Quads hashed per parallel task while interning.
const PIECE: usize = 4096;

/// Kinds of terms, stored in the top byte of an arena entry.
const IRI: u8 = 0;
const BLANK: u8 = 1;
const SIMPLE_LITERAL: u8 = 2;
const LANG_LITERAL: u8 = 3;
const TYPED_LITERAL: u8 = 4;
/// The arena offset bits of an entry's `start`.
const OFFSET_MASK: u64 = (1 << 56) - 1;

/// Positions of a quad.
const S: usize = 0;
const P: usize = 1;
const O: usize = 2;
const G: usize = 3;

/// The six index orders: `ORDERS[i][k]` is the quad position of key component `k`.
const ORDERS: [[usize; 4]; 6] = [
    [S, P, O, G],
    [P, O, S, G],
    [O, S, P, G],
    [G, S, P, O],
    [G, P, O, S],
    [G, O, S, P],
];
/// Index numbers into [`ORDERS`] / `FrozenDataset::indexes`.
const SPOG: usize = 0;
const POSG: usize = 1;
const OSPG: usize = 2;
const GSPO: usize = 3;
const GPOS: usize = 4;
const GOSP: usize = 5;

// ---------------------------------------------------------------------------
// Hashing

const K0: u64 = 0xa076_1d64_78bd_642f;
const K1: u64 = 0xe703_7ed1_a0b4_28db;
const K2: u64 = 0x8ebc_6af0_9c88_c6e3;
const K3: u64 = 0x5899_65cc_7537_4cc3;

/// Folded multiply: the xor of both halves of the 128-bit product (wyhash's mixer).
#[inline]
fn mix(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

/// Up to 8 bytes, little-endian, zero-padded.
#[inline]
fn read_tail(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(buf)
}

/// Exactly 8 bytes (the caller guarantees the length), little-endian.
#[inline]
fn read_word(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map_or_else(|_| read_tail(bytes), u64::from_le_bytes)
}

/// Hashes `s` into `seed`, 16 bytes per multiplication; the length is mixed
/// in, so consecutive strings hash unambiguously.
#[inline]
fn hash_str(seed: u64, s: &str) -> u64 {
    let bytes = s.as_bytes();
    let mut h = seed;
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        let (a, b) = chunk.split_at(8);
        h = mix(read_word(a) ^ K0, read_word(b) ^ h);
    }
    let rest = chunks.remainder();
    let (a, b) = rest.split_at(rest.len().min(8));
    mix(
        read_tail(a) ^ K1 ^ bytes.len() as u64,
        read_tail(b) ^ h ^ K2,
    )
}

// ---------------------------------------------------------------------------
// Terms as flat parts

/// A term as its kind and at most two strings (the value, and the language
/// tag or datatype IRI of a literal): what the dictionary stores.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Parts<'a> {
    kind: u8,
    value: &'a str,
    extra: &'a str,
}

impl<'a> Parts<'a> {
    #[inline]
    fn of(term: TermRef<'a>) -> Self {
        let (kind, value, extra) = match term {
            TermRef::NamedNode(n) => (IRI, n.as_str(), ""),
            TermRef::BlankNode(b) => (BLANK, b.as_str(), ""),
            TermRef::Literal(l) => {
                if let Some(language) = l.language() {
                    (LANG_LITERAL, l.value(), language)
                } else {
                    let datatype = l.datatype();
                    if datatype == xsd::STRING {
                        (SIMPLE_LITERAL, l.value(), "")
                    } else {
                        (TYPED_LITERAL, l.value(), datatype.as_str())
                    }
                }
            }
        };
        Parts { kind, value, extra }
    }

    #[inline]
    fn hash(&self) -> u64 {
        let mut h = hash_str(u64::from(self.kind).wrapping_mul(K3) ^ K0, self.value);
        if self.kind >= LANG_LITERAL {
            h = hash_str(h, self.extra);
        }
        mix(h ^ K1, K3)
    }

    /// The term back (`None` only for a corrupt kind, which cannot be stored).
    #[inline]
    fn term(self) -> Option<TermRef<'a>> {
        Some(match self.kind {
            IRI => NamedNodeRef::new_unchecked(self.value).into(),
            BLANK => BlankNodeRef::new_unchecked(self.value).into(),
            SIMPLE_LITERAL => LiteralRef::new_simple_literal(self.value).into(),
            LANG_LITERAL => {
                LiteralRef::new_language_tagged_literal_unchecked(self.value, self.extra).into()
            }
            TYPED_LITERAL => {
                LiteralRef::new_typed_literal(self.value, NamedNodeRef::new_unchecked(self.extra))
                    .into()
            }
            _ => return None,
        })
    }
}

/// The shard of a term hash (its top bits; the table uses the low bits).
#[inline]
fn shard_of(hash: u64) -> usize {
    (hash >> (64 - SHARD_BITS)) as usize
}

/// The term at a quad position (`None` for the default graph).
#[inline]
fn position(quad: &Quad, pos: usize) -> Option<TermRef<'_>> {
    match pos {
        S => Some(quad.subject.as_ref().into()),
        P => Some(quad.predicate.as_ref().into()),
        O => Some(quad.object.as_ref()),
        _ => graph_term(quad.graph_name.as_ref()),
    }
}

/// A graph name as a term (`None` for the default graph).
#[inline]
fn graph_term(graph: GraphNameRef<'_>) -> Option<TermRef<'_>> {
    match graph {
        GraphNameRef::NamedNode(n) => Some(n.into()),
        GraphNameRef::BlankNode(b) => Some(b.into()),
        GraphNameRef::DefaultGraph => None,
    }
}

// ---------------------------------------------------------------------------
// Dictionary shards

/// Where a term's text lies in its shard's arena; it ends where the next entry starts.
#[derive(Clone, Copy)]
struct Entry {
    /// Arena offset of the value, with the term kind in the top byte.
    start: u64,
    /// Arena offset where the value ends and the extra part starts.
    mid: u64,
}

/// One shard of the term dictionary.
#[derive(Default)]
struct Shard {
    /// The text of every term, concatenated in local id order.
    text: String,
    /// Per local id, where its text lies.
    entries: Vec<Entry>,
    /// Linear-probing hash table: `(low 32 hash bits) << 32 | (local id + 1)`, 0 = empty.
    slots: Vec<u64>,
}

impl Shard {
    /// The parts of local term `local`.
    #[inline]
    fn parts(&self, local: usize) -> Option<Parts<'_>> {
        let entry = self.entries.get(local)?;
        let start = (entry.start & OFFSET_MASK) as usize;
        let end = match self.entries.get(local + 1) {
            Some(next) => (next.start & OFFSET_MASK) as usize,
            None => self.text.len(),
        };
        Some(Parts {
            kind: (entry.start >> 56) as u8,
            value: self.text.get(start..entry.mid as usize)?,
            extra: self.text.get(entry.mid as usize..end)?,
        })
    }

    /// The local id of `parts` (hash `hash`), or the empty slot where it would go.
    #[inline]
    fn find(&self, parts: &Parts<'_>, hash: u64) -> Result<u32, usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let tag = hash as u32;
        let mut i = tag as usize & mask;
        // The table is never full (see `intern`), so an empty slot ends the probe.
        while let Some(&slot) = self.slots.get(i) {
            if slot == 0 {
                return Err(i);
            }
            if (slot >> 32) as u32 == tag {
                let local = (slot as u32).wrapping_sub(1);
                if self.parts(local as usize).as_ref() == Some(parts) {
                    return Ok(local);
                }
            }
            i = (i + 1) & mask;
        }
        Err(usize::MAX)
    }

    /// The local id of a term, if interned.
    fn get(&self, parts: &Parts<'_>, hash: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.find(parts, hash).ok()
    }

    /// The local id of a term, interning it if new (`None`: the shard is full).
    #[inline]
    fn intern(&mut self, parts: &Parts<'_>, hash: u64) -> Option<u32> {
        // Keep the load factor at most 5/8.
        if (self.entries.len() + 1) * 8 > self.slots.len() * 5 {
            self.grow();
        }
        match self.find(parts, hash) {
            Ok(local) => Some(local),
            Err(i) => {
                let local = u32::try_from(self.entries.len())
                    .ok()
                    .filter(|&l| l < MAX_LOCAL)?;
                let slot = self.slots.get_mut(i)?;
                *slot = (u64::from(hash as u32) << 32) | u64::from(local + 1);
                let start = self.text.len() as u64;
                self.text.push_str(parts.value);
                let mid = self.text.len() as u64;
                self.text.push_str(parts.extra);
                self.entries.push(Entry {
                    start: start | (u64::from(parts.kind) << 56),
                    mid,
                });
                Some(local)
            }
        }
    }

    /// Doubles the hash table.
    fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(64);
        let mask = capacity - 1;
        let mut slots = vec![0u64; capacity];
        for &slot in self.slots.iter().filter(|&&s| s != 0) {
            let mut i = (slot >> 32) as usize & mask;
            while slots.get(i).is_some_and(|&s| s != 0) {
                i = (i + 1) & mask;
            }
            if let Some(free) = slots.get_mut(i) {
                *free = slot;
            }
        }
        self.slots = slots;
    }

    fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.entries.shrink_to_fit();
    }

    fn heap_size(&self) -> usize {
        self.text.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.slots.capacity() * 8
    }
}

/// The id of a term in a set of shards.
#[inline]
fn lookup(shards: &[Shard], term: TermRef<'_>) -> Option<u32> {
    let parts = Parts::of(term);
    let hash = parts.hash();
    let shard = shard_of(hash);
    let local = shards.get(shard)?.get(&parts, hash)?;
    Some((local << SHARD_BITS) | shard as u32)
}

/// The term of an id in a set of shards.
#[inline]
fn resolve(shards: &[Shard], id: u32) -> Option<TermRef<'_>> {
    shards
        .get((id & SHARD_MASK) as usize)?
        .parts((id >> SHARD_BITS) as usize)?
        .term()
}

// ---------------------------------------------------------------------------
// Keys

/// Packs a quad (in `s, p, o, g` position order) as a key of the given order.
#[inline]
fn pack(quad: [u32; 4], order: &[usize; 4]) -> u128 {
    (u128::from(quad[order[0]]) << 96)
        | (u128::from(quad[order[1]]) << 64)
        | (u128::from(quad[order[2]]) << 32)
        | u128::from(quad[order[3]])
}

/// Unpacks a key of the given order into a quad in `s, p, o, g` position order.
#[inline]
fn unpack(key: u128, order: &[usize; 4]) -> [u32; 4] {
    let mut quad = [0; 4];
    quad[order[0]] = (key >> 96) as u32;
    quad[order[1]] = (key >> 64) as u32;
    quad[order[2]] = (key >> 32) as u32;
    quad[order[3]] = key as u32;
    quad
}

/// The keys of `keys` whose first `len` components equal those of `prefix`.
fn prefix_range(keys: &[u128], prefix: u128, len: usize) -> &[u128] {
    if len == 0 {
        return keys;
    }
    let shift = 32 * (4 - len as u32);
    let wanted = prefix >> shift;
    let start = keys.partition_point(|&k| (k >> shift) < wanted);
    let rest = keys.get(start..).unwrap_or_default();
    let len = rest.partition_point(|&k| (k >> shift) == wanted);
    rest.get(..len).unwrap_or_default()
}

/// Where each graph's keys start in a graph-first index: a counting sort by graph.
struct GraphStarts {
    /// Per graph id, the position of its first key (ids that are not graphs
    /// start where the next graph does).
    starts: Vec<usize>,
    /// The position of the first key of the default graph (after every named graph).
    default_start: usize,
}

impl GraphStarts {
    /// Counts the keys of each graph in `spog`.
    fn of(spog: &[u128]) -> GraphStarts {
        let graph = |k: &u128| unpack(*k, &ORDERS[SPOG])[G];
        let max = spog
            .par_iter()
            .map(graph)
            .filter(|&g| g != DEFAULT_GRAPH)
            .max()
            .map_or(0, |g| g as usize + 1);
        let mut starts = vec![0usize; max];
        for g in spog.iter().map(graph) {
            if let Some(count) = starts.get_mut(g as usize) {
                *count += 1;
            }
        }
        let mut next = 0;
        for count in starts.iter_mut() {
            let n = *count;
            *count = next;
            next += n;
        }
        GraphStarts {
            starts,
            default_start: next,
        }
    }

    /// The keys of `keys` (sorted in order `from`, whose last component is the
    /// graph) in order `to` (`from` with the graph moved first), by a stable
    /// counting sort on the graph.
    fn sort(&self, keys: &[u128], from: &[usize; 4], to: &[usize; 4]) -> Box<[u128]> {
        let mut next = self.starts.clone();
        let mut next_default = self.default_start;
        let mut out = vec![0u128; keys.len()];
        for &k in keys {
            let quad = unpack(k, from);
            let at = match next.get_mut(quad[G] as usize) {
                Some(at) if quad[G] != DEFAULT_GRAPH => at,
                _ => &mut next_default,
            };
            if let Some(slot) = out.get_mut(*at) {
                *slot = pack(quad, to);
            }
            *at += 1;
        }
        out.into_boxed_slice()
    }
}

// ---------------------------------------------------------------------------
// Builder

/// Direct-mapped cache slots of recently seen terms, per piece.
const CACHE: usize = 1024;
/// No occurrence (an empty cache slot; the link of a default graph).
const NONE: u32 = u32::MAX;

/// The occurrences of a piece of a batch, ready to intern.
struct Piece {
    /// Per shard, the occurrences to intern, with their hashes, in order.
    buckets: Vec<Vec<(u32, u64)>>,
    /// Per occurrence of the piece, the occurrence whose id it takes (itself
    /// when it is in a bucket), or [`NONE`] for the default graph.
    links: Vec<u32>,
}

impl Piece {
    /// Hashes and buckets the quads of `chunk`, whose first quad is number `first` of the round.
    fn new(first: usize, chunk: &[Quad]) -> Piece {
        let mut buckets: Vec<Vec<(u32, u64)>> = (0..SHARDS)
            .map(|_| Vec::with_capacity(chunk.len() / SHARDS + 8))
            .collect();
        let mut links: Vec<u32> = Vec::with_capacity(chunk.len() * 4);
        let mut cache = [(0u64, NONE); CACHE];
        let term_at = |occurrence: u32| {
            let index = (occurrence as usize / 4).checked_sub(first)?;
            position(chunk.get(index)?, occurrence as usize % 4)
        };
        let mut previous: Option<&Quad> = None;
        for (i, quad) in chunk.iter().enumerate() {
            let base = (first + i) * 4;
            for pos in [S, P, O, G] {
                let occurrence = (base + pos) as u32;
                let Some(term) = position(quad, pos) else {
                    links.push(NONE);
                    continue;
                };
                // The graph and subject usually repeat those of the previous quad.
                if pos == S || pos == G {
                    if let Some(prev) = previous {
                        if position(prev, pos) == Some(term) {
                            let link = links.len().checked_sub(4).and_then(|l| links.get(l));
                            if let Some(&link) = link {
                                links.push(link);
                                continue;
                            }
                        }
                    }
                }
                let hash = Parts::of(term).hash();
                let slot = &mut cache[(hash >> 20) as usize % CACHE];
                if slot.0 == hash && slot.1 != NONE && term_at(slot.1) == Some(term) {
                    links.push(slot.1);
                    continue;
                }
                *slot = (hash, occurrence);
                if let Some(bucket) = buckets.get_mut(shard_of(hash)) {
                    bucket.push((occurrence, hash));
                }
                links.push(occurrence);
            }
            previous = Some(quad);
        }
        Piece { buckets, links }
    }
}

/// Collects quads, interning their terms as they come, then sorts them into a
/// [`FrozenDataset`] with [`finish`](DatasetBuilder::finish).
///
/// Term ids depend only on the sequence of quads added (not on the number of
/// threads or their timing), so the same batches always give the same dataset,
/// iterated in the same order.
pub struct DatasetBuilder {
    shards: Vec<Shard>,
    /// Every quad added, as `spog` keys, duplicates included.
    quads: Vec<u128>,
    /// Scratch space: the term id of each occurrence of a round.
    ids: Vec<AtomicU32>,
}

impl Default for DatasetBuilder {
    fn default() -> Self {
        DatasetBuilder {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            quads: Vec::new(),
            ids: Vec::new(),
        }
    }
}

impl fmt::Debug for DatasetBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatasetBuilder")
            .field("quads_added", &self.quads.len())
            .field(
                "terms",
                &self.shards.iter().map(|s| s.entries.len()).sum::<usize>(),
            )
            .finish()
    }
}

impl DatasetBuilder {
    /// Adds a batch of quads (called repeatedly from one thread; the terms are
    /// interned in parallel on rayon's pool). Duplicates are allowed, within
    /// and across batches, and removed by [`finish`](DatasetBuilder::finish).
    ///
    /// # Panics
    ///
    /// Only if the dictionary overflows its `u32` ids: more than about four
    /// billion distinct terms (far more than fits in memory).
    pub fn add(&mut self, quads: Vec<Quad>) {
        for round in quads.chunks(ROUND) {
            self.add_round(round);
        }
        // Freeing the terms is a sizeable share of the work: do it in parallel.
        quads.into_par_iter().for_each(drop);
    }

    fn add_round(&mut self, quads: &[Quad]) {
        // 1. Hash every term occurrence and bucket it by shard, in batch order.
        //    Occurrence `4 * i + position` is position `position` of quad `i`.
        //    Most occurrences repeat a term met shortly before (the graph and
        //    subject of the previous quad, predicates, classes, concepts): those
        //    are found in a small per-piece cache and only point at their
        //    earlier occurrence, so the shards see each term about once per piece.
        let pieces: Vec<Piece> = quads
            .par_chunks(PIECE)
            .enumerate()
            .map(|(piece, chunk)| Piece::new(piece * PIECE, chunk))
            .collect();
        let mut per_shard: Vec<Vec<Vec<(u32, u64)>>> = (0..SHARDS)
            .map(|_| Vec::with_capacity(pieces.len()))
            .collect();
        let mut links = Vec::with_capacity(pieces.len());
        for piece in pieces {
            for (shard, bucket) in per_shard.iter_mut().zip(piece.buckets) {
                shard.push(bucket);
            }
            links.push(piece.links);
        }

        // 2. Intern each shard's occurrences, in order, on its own task. The
        //    id of every occurrence in a bucket goes to `ids` (entries of other
        //    occurrences are stale from earlier rounds and never read).
        let needed = quads.len() * 4;
        if self.ids.len() < needed {
            self.ids
                .resize_with(needed, || AtomicU32::new(DEFAULT_GRAPH));
        }
        let ids = &self.ids;
        self.shards
            .par_iter_mut()
            .zip(per_shard)
            .enumerate()
            .for_each(|(shard_index, (shard, buckets))| {
                for (occurrence, hash) in buckets.into_iter().flatten() {
                    let occurrence = occurrence as usize;
                    let Some(term) = quads
                        .get(occurrence / 4)
                        .and_then(|q| position(q, occurrence % 4))
                    else {
                        continue;
                    };
                    let Some(local) = shard.intern(&Parts::of(term), hash) else {
                        panic!("FrozenDataset: too many distinct terms for u32 ids");
                    };
                    if let Some(id) = ids.get(occurrence) {
                        id.store(
                            (local << SHARD_BITS) | shard_index as u32,
                            Ordering::Relaxed,
                        );
                    }
                }
            });

        // 3. Record the quads as `spog` keys.
        let id = |link: Option<&u32>| {
            link.and_then(|&l| ids.get(l as usize))
                .map_or(DEFAULT_GRAPH, |a| a.load(Ordering::Relaxed))
        };
        self.quads
            .par_extend((0..quads.len()).into_par_iter().map(|i| {
                let links = links.get(i / PIECE).map_or(&[][..], Vec::as_slice);
                let at = (i % PIECE) * 4;
                let quad = [S, P, O, G].map(|pos| id(links.get(at + pos)));
                pack(quad, &ORDERS[SPOG])
            }));
    }

    /// Sorts and deduplicates the quads into the six indexes (in parallel).
    pub fn finish(self) -> FrozenDataset {
        let DatasetBuilder {
            mut shards, quads, ..
        } = self;
        shards.par_iter_mut().for_each(Shard::shrink);
        let mut spog = quads;
        spog.par_sort_unstable();
        spog.dedup();
        let spog = spog.into_boxed_slice();
        let sorted = |order: &[usize; 4]| -> Box<[u128]> {
            let mut keys: Vec<u128> = spog
                .par_iter()
                .map(|&k| pack(unpack(k, &ORDERS[SPOG]), order))
                .collect();
            keys.par_sort_unstable();
            keys.into_boxed_slice()
        };
        // `gspo` is `spog` with the same order inside each graph: a stable
        // counting sort by graph of `spog`, whose consecutive keys mostly share
        // a graph, is much faster than sorting (overlapped with a sort).
        let (gspo, posg) = rayon::join(
            || GraphStarts::of(&spog).sort(&spog, &ORDERS[SPOG], &ORDERS[GSPO]),
            || sorted(&ORDERS[POSG]),
        );
        let ospg = sorted(&ORDERS[OSPG]);
        let gpos = sorted(&ORDERS[GPOS]);
        let gosp = sorted(&ORDERS[GOSP]);

        // Distinct graph ids, by jumping from graph to graph in `gspo`.
        let mut graphs = Vec::new();
        let mut rest: &[u128] = &gspo;
        while let Some(&first) = rest.first() {
            let graph = (first >> 96) as u32;
            graphs.push(graph);
            let next = rest.partition_point(|&k| (k >> 96) as u32 == graph);
            rest = rest.get(next..).unwrap_or_default();
        }
        let has_default_graph = graphs.last() == Some(&DEFAULT_GRAPH);
        if has_default_graph {
            graphs.pop();
        }
        let mut by_name: Vec<(u8, &str, u32)> = graphs
            .par_iter()
            .map(|&g| match resolve(&shards, g) {
                Some(TermRef::NamedNode(n)) => (0, n.as_str(), g),
                Some(TermRef::BlankNode(b)) => (1, b.as_str(), g),
                Some(TermRef::Literal(l)) => (2, l.value(), g),
                None => (3, "", g),
            })
            .collect();
        by_name.par_sort_unstable();
        let by_name: Box<[u32]> = by_name.into_iter().map(|(_, _, g)| g).collect();
        let union_graph = lookup(&shards, NamedNodeRef::new_unchecked(UNION_GRAPH).into());
        FrozenDataset {
            shards,
            indexes: [spog, posg, ospg, gspo, gpos, gosp],
            named_graphs: graphs.into_boxed_slice(),
            named_graphs_by_name: by_name,
            has_default_graph,
            union_graph,
        }
    }
}

// ---------------------------------------------------------------------------
// The dataset

/// A read-only RDF dataset: a term dictionary and six sorted quad indexes.
///
/// Build it with [`FrozenDataset::builder`]; query it with SPARQL through
/// [`spareval`] (`&FrozenDataset` implements [`QueryableDataset`]), or
/// directly with [`quads_for_pattern`](FrozenDataset::quads_for_pattern).
///
/// ```
/// use oxigraph::model::{NamedNode, Quad};
/// use signalgraph::store::dataset::FrozenDataset;
/// use spareval::{QueryEvaluator, QueryResults};
///
/// let ex = |s: &str| NamedNode::new_unchecked(format!("http://example.com/{s}"));
/// let mut builder = FrozenDataset::builder();
/// builder.add(vec![Quad::new(ex("s"), ex("p"), ex("o"), ex("g"))]);
/// let dataset = builder.finish();
/// assert_eq!(dataset.len(), 1);
///
/// let query = spargebra::SparqlParser::new().parse_query("SELECT ?s WHERE { ?s ?p ?o }")?;
/// let evaluator = QueryEvaluator::new();
/// let mut prepared = evaluator.prepare(&query);
/// signalgraph::store::dataset::set_union_default_graph(prepared.dataset_mut());
/// if let QueryResults::Solutions(solutions) = prepared.execute(&dataset)? {
///     let solutions = solutions.collect::<Result<Vec<_>, _>>()?;
///     assert_eq!(solutions[0].get("s"), Some(&ex("s").into()));
/// }
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub struct FrozenDataset {
    shards: Vec<Shard>,
    /// The quads in the orders of [`ORDERS`].
    indexes: [Box<[u128]>; 6],
    /// Named graph ids, sorted by id.
    named_graphs: Box<[u32]>,
    /// Named graph ids, sorted by name (IRIs, then blank nodes).
    named_graphs_by_name: Box<[u32]>,
    /// Whether any quad is in the default graph.
    has_default_graph: bool,
    /// The id of [`UNION_GRAPH`], if the data names it.
    union_graph: Option<u32>,
}

impl fmt::Debug for FrozenDataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrozenDataset")
            .field("quads", &self.len())
            .field("terms", &self.term_count())
            .field("named_graphs", &self.named_graphs.len())
            .finish()
    }
}

/// The quads of an index range, in `s, p, o, g` position order, with the
/// positions the range does not already fix filtered here.
struct Matches<'a> {
    keys: std::slice::Iter<'a, u128>,
    order: &'static [usize; 4],
    /// Bound positions the range does not cover.
    check: [Option<u32>; 4],
    /// Whether to skip quads of the default graph.
    named_only: bool,
}

impl Iterator for Matches<'_> {
    type Item = [u32; 4];

    #[inline]
    fn next(&mut self) -> Option<[u32; 4]> {
        loop {
            let quad = unpack(*self.keys.next()?, self.order);
            if self.named_only && quad[G] == DEFAULT_GRAPH {
                continue;
            }
            if self
                .check
                .iter()
                .zip(quad)
                .any(|(want, got)| want.is_some_and(|w| w != got))
            {
                continue;
            }
            return Some(quad);
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, self.keys.size_hint().1)
    }
}

/// The quads of [`Matches`] with the repeats of a triple skipped (`merge`:
/// its index has the graph last, so the copies of a triple are adjacent).
struct Merged<'a> {
    matches: Matches<'a>,
    merge: bool,
    last: Option<[u32; 3]>,
}

impl Iterator for Merged<'_> {
    type Item = [u32; 4];

    #[inline]
    fn next(&mut self) -> Option<[u32; 4]> {
        loop {
            let quad = self.matches.next()?;
            if self.merge {
                let triple = [quad[S], quad[P], quad[O]];
                if self.last == Some(triple) {
                    continue;
                }
                self.last = Some(triple);
            }
            return Some(quad);
        }
    }
}

impl<'a> From<Matches<'a>> for Merged<'a> {
    fn from(matches: Matches<'a>) -> Self {
        Merged {
            matches,
            merge: false,
            last: None,
        }
    }
}

impl FrozenDataset {
    /// A builder to add quads to, batch by batch.
    pub fn builder() -> DatasetBuilder {
        DatasetBuilder::default()
    }

    /// The number of distinct quads.
    pub fn len(&self) -> usize {
        self.indexes[SPOG].len()
    }

    /// Whether there are no quads.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of distinct terms (including graph names).
    pub fn term_count(&self) -> usize {
        self.shards.iter().map(|s| s.entries.len()).sum()
    }

    /// Approximate heap bytes held (indexes and dictionary).
    pub fn heap_size(&self) -> usize {
        self.indexes.iter().map(|i| i.len() * 16).sum::<usize>()
            + self.shards.iter().map(Shard::heap_size).sum::<usize>()
            + (self.named_graphs.len() + self.named_graphs_by_name.len()) * 4
    }

    /// Every quad, in a deterministic order: sorted by graph, subject,
    /// predicate and object *term ids* (the default graph last). Ids are
    /// assigned deterministically from the sequence of quads added, so the
    /// same batches always iterate in the same order; it is not a
    /// lexicographic order of the terms.
    pub fn iter(&self) -> impl Iterator<Item = QuadRef<'_>> + '_ {
        self.indexes[GSPO]
            .iter()
            .filter_map(move |&k| self.quad_ref(unpack(k, &ORDERS[GSPO])))
    }

    /// The named graphs (those with at least one quad), sorted by IRI
    /// (byte order), blank-node graph names after the IRIs.
    pub fn named_graphs(&self) -> impl Iterator<Item = NamedOrBlankNodeRef<'_>> + '_ {
        self.named_graphs_by_name
            .iter()
            .filter_map(move |&g| match self.term(g)? {
                TermRef::NamedNode(n) => Some(n.into()),
                TermRef::BlankNode(b) => Some(b.into()),
                TermRef::Literal(_) => None,
            })
    }

    /// Whether a named graph has at least one quad.
    pub fn contains_named_graph(&self, graph: NamedOrBlankNodeRef<'_>) -> bool {
        self.id(graph.into())
            .is_some_and(|g| self.named_graphs.binary_search(&g).is_ok())
    }

    /// The quads matching a pattern (`None` = any term), in the order of the
    /// index that serves it. `graph` `None` means any graph *including* the
    /// default graph (as in oxigraph's `Store::quads_for_pattern`);
    /// `Some(GraphNameRef::DefaultGraph)` only the default graph.
    pub fn quads_for_pattern(
        &self,
        subject: Option<TermRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
        graph: Option<GraphNameRef<'_>>,
    ) -> impl Iterator<Item = QuadRef<'_>> + '_ {
        let mut unknown = false;
        let mut id = |term: Option<TermRef<'_>>| {
            let term = term?;
            let id = self.id(term);
            unknown |= id.is_none();
            id
        };
        let bound = [
            id(subject),
            id(predicate.map(Into::into)),
            id(object),
            match graph {
                None => None,
                Some(GraphNameRef::DefaultGraph) => Some(DEFAULT_GRAPH),
                Some(GraphNameRef::NamedNode(n)) => id(Some(n.into())),
                Some(GraphNameRef::BlankNode(b)) => id(Some(b.into())),
            },
        ];
        let matches = if unknown {
            self.no_matches()
        } else {
            self.matches(bound, false)
        };
        matches.filter_map(move |q| self.quad_ref(q))
    }

    /// The id of a term, if it is in the dictionary.
    fn id(&self, term: TermRef<'_>) -> Option<u32> {
        lookup(&self.shards, term)
    }

    /// The term of an id.
    fn term(&self, id: u32) -> Option<TermRef<'_>> {
        resolve(&self.shards, id)
    }

    /// A quad of ids as terms (`None` only for ids that are not terms of the right kind).
    fn quad_ref(&self, quad: [u32; 4]) -> Option<QuadRef<'_>> {
        let subject = match self.term(quad[S])? {
            TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(n),
            TermRef::BlankNode(b) => b.into(),
            TermRef::Literal(_) => return None,
        };
        let TermRef::NamedNode(predicate) = self.term(quad[P])? else {
            return None;
        };
        let object = self.term(quad[O])?;
        let graph_name = if quad[G] == DEFAULT_GRAPH {
            GraphNameRef::DefaultGraph
        } else {
            match self.term(quad[G])? {
                TermRef::NamedNode(n) => n.into(),
                TermRef::BlankNode(b) => b.into(),
                TermRef::Literal(_) => return None,
            }
        };
        Some(QuadRef {
            subject,
            predicate,
            object,
            graph_name,
        })
    }

    fn no_matches(&self) -> Matches<'_> {
        Matches {
            keys: [].iter(),
            order: &ORDERS[SPOG],
            check: [None; 4],
            named_only: false,
        }
    }

    /// The quads of the named graphs whose subject, predicate and object
    /// equal the bound ones, each triple once (the first of its copies).
    fn merged(&self, bound: [Option<u32>; 3]) -> Merged<'_> {
        // Of the orders with the graph last (`spog`, `posg`, `ospg`), the one
        // whose leading components are the bound positions.
        let covered = |order: &[usize; 4]| {
            order
                .iter()
                .take_while(|&&pos| pos != G && bound[pos].is_some())
                .count()
        };
        let best = [SPOG, POSG, OSPG]
            .into_iter()
            .max_by_key(|&i| (covered(&ORDERS[i]), std::cmp::Reverse(i)))
            .unwrap_or(SPOG);
        let order = &ORDERS[best];
        let covered = covered(order);
        let [s, p, o] = bound;
        let quad = [s, p, o, None];
        let prefix = pack(quad.map(|b| b.unwrap_or(0)), order);
        let keys = prefix_range(&self.indexes[best], prefix, covered);
        let mut check = quad;
        for &pos in order.iter().take(covered) {
            check[pos] = None;
        }
        Merged {
            matches: Matches {
                keys: keys.iter(),
                order,
                check,
                named_only: self.has_default_graph,
            },
            merge: true,
            last: None,
        }
    }

    /// Whether a graph term of a query is [`UNION_GRAPH`].
    #[inline]
    fn is_union(&self, term: &FrozenTerm) -> bool {
        match &term.0 {
            Repr::Union => true,
            Repr::Id(id) => self.union_graph == Some(*id),
            Repr::Other(_) => false,
        }
    }

    /// The quads whose positions equal the bound ids; with `named_only`, and
    /// the graph unbound, only those of named graphs.
    fn matches(&self, bound: [Option<u32>; 4], named_only: bool) -> Matches<'_> {
        let named_only = named_only && bound[G].is_none();
        let count = bound.iter().flatten().count();
        // The index whose leading components are exactly the bound positions
        // (there is one for every combination); with nothing bound and only
        // named graphs wanted, `gspo`, whose default-graph keys come last.
        let best = if count == 0 && named_only {
            GSPO
        } else {
            let covered = |order: &[usize; 4]| {
                order
                    .iter()
                    .take_while(|&&pos| bound[pos].is_some())
                    .count()
            };
            (0..ORDERS.len())
                .max_by_key(|&i| (covered(&ORDERS[i]), std::cmp::Reverse(i)))
                .unwrap_or(SPOG)
        };
        let order = &ORDERS[best];
        let covered = order
            .iter()
            .take_while(|&&pos| bound[pos].is_some())
            .count();
        let prefix = pack(bound.map(|b| b.unwrap_or(0)), order);
        let mut keys = prefix_range(&self.indexes[best], prefix, covered);
        let mut check = bound;
        for &pos in order.iter().take(covered) {
            check[pos] = None;
        }
        let mut named_only = named_only && self.has_default_graph;
        if named_only && order[0] == G {
            // Default-graph keys are the last ones.
            let end = keys.partition_point(|&k| (k >> 96) as u32 != DEFAULT_GRAPH);
            keys = keys.get(..end).unwrap_or_default();
            named_only = false;
        }
        Matches {
            keys: keys.iter(),
            order,
            check,
            named_only,
        }
    }
}

// ---------------------------------------------------------------------------
// SPARQL

/// A term as the SPARQL evaluator sees it on a [`FrozenDataset`]: the id of a
/// term of the dataset, or an owned term the dataset does not contain (a
/// query constant the data lacks, a value computed by an expression).
///
/// Equality is RDF term equality: a term of the dataset is always its id.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FrozenTerm(Repr);

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Repr {
    Id(u32),
    Other(Arc<Term>),
    /// [`UNION_GRAPH`] when the data does not name it.
    Union,
}

impl FrozenTerm {
    #[inline]
    fn id(id: u32) -> Self {
        FrozenTerm(Repr::Id(id))
    }
}

/// An id that is not a term of the dataset, met while evaluating a query: a
/// [`FrozenTerm`] of another [`FrozenDataset`] was passed to this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("term id {0} is not in this frozen dataset")]
pub struct UnknownTermId(pub u32);

impl<'a> QueryableDataset<'a> for &'a FrozenDataset {
    type InternalTerm = FrozenTerm;
    type Error = UnknownTermId;

    fn internal_quads_for_pattern(
        &self,
        subject: Option<&FrozenTerm>,
        predicate: Option<&FrozenTerm>,
        object: Option<&FrozenTerm>,
        graph_name: Option<Option<&FrozenTerm>>,
    ) -> impl Iterator<Item = Result<InternalQuad<FrozenTerm>, UnknownTermId>> + use<'a> {
        let dataset: &'a FrozenDataset = self;
        let mut unknown = false;
        let mut id = |term: Option<&FrozenTerm>| match term {
            None => None,
            Some(FrozenTerm(Repr::Id(id))) => Some(*id),
            Some(FrozenTerm(Repr::Other(_) | Repr::Union)) => {
                unknown = true;
                None
            }
        };
        // The union graph: every triple once, named by the union graph.
        let union = match graph_name {
            Some(Some(g)) if dataset.is_union(g) => Some(g.clone()),
            _ => None,
        };
        let matches = if union.is_some() {
            let bound = [id(subject), id(predicate), id(object)];
            if unknown {
                dataset.no_matches().into()
            } else {
                dataset.merged(bound)
            }
        } else {
            let (graph, named_only) = match graph_name {
                None => (None, true),
                Some(None) => (Some(DEFAULT_GRAPH), false),
                Some(graph) => (id(graph), false),
            };
            let bound = [id(subject), id(predicate), id(object), graph];
            if unknown {
                dataset.no_matches().into()
            } else {
                dataset.matches(bound, named_only).into()
            }
        };
        matches.map(move |q| {
            Ok(InternalQuad {
                subject: FrozenTerm::id(q[S]),
                predicate: FrozenTerm::id(q[P]),
                object: FrozenTerm::id(q[O]),
                graph_name: match &union {
                    Some(g) => Some(g.clone()),
                    None => (q[G] != DEFAULT_GRAPH).then(|| FrozenTerm::id(q[G])),
                },
            })
        })
    }

    fn internal_named_graphs(
        &self,
    ) -> impl Iterator<Item = Result<FrozenTerm, UnknownTermId>> + use<'a> {
        let dataset: &'a FrozenDataset = self;
        dataset.named_graphs.iter().map(|&g| Ok(FrozenTerm::id(g)))
    }

    fn contains_internal_graph_name(&self, graph_name: &FrozenTerm) -> Result<bool, UnknownTermId> {
        Ok(match graph_name {
            FrozenTerm(Repr::Id(g)) => self.named_graphs.binary_search(g).is_ok(),
            FrozenTerm(Repr::Other(_)) => false,
            FrozenTerm(Repr::Union) => !self.named_graphs.is_empty(),
        })
    }

    fn internalize_term(&self, term: Term) -> Result<FrozenTerm, UnknownTermId> {
        Ok(FrozenTerm(match self.id(term.as_ref()) {
            Some(id) => Repr::Id(id),
            None if matches!(&term, Term::NamedNode(n) if n.as_str() == UNION_GRAPH) => Repr::Union,
            None => Repr::Other(Arc::new(term)),
        }))
    }

    fn externalize_term(&self, term: FrozenTerm) -> Result<Term, UnknownTermId> {
        match term.0 {
            Repr::Id(id) => self
                .term(id)
                .map(TermRef::into_owned)
                .ok_or(UnknownTermId(id)),
            Repr::Other(term) => Ok(Arc::unwrap_or_clone(term)),
            Repr::Union => Ok(NamedNode::new_unchecked(UNION_GRAPH).into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal, NamedNode};

    /// Distinct terms whose hashes collide stay distinct: the table compares
    /// the terms themselves, through growth too.
    #[test]
    fn colliding_hashes_keep_terms_apart() {
        let mut terms: Vec<Term> = vec![
            NamedNode::new_unchecked("http://example.com/a").into(),
            BlankNode::new_unchecked("a").into(),
            Literal::new_simple_literal("a").into(),
            Literal::new_simple_literal("http://example.com/a").into(),
            Literal::new_language_tagged_literal_unchecked("a", "en").into(),
            Literal::new_typed_literal("a", NamedNodeRef::new_unchecked("http://example.com/t"))
                .into(),
            Literal::new_typed_literal("ahttp://example.com/t", NamedNodeRef::new_unchecked("x:"))
                .into(),
            Literal::new_simple_literal("").into(),
        ];
        terms.extend((0..300).map(|i| Literal::new_simple_literal(i.to_string()).into()));
        let mut shard = Shard::default();
        for (i, t) in terms.iter().enumerate() {
            assert_eq!(shard.intern(&Parts::of(t.as_ref()), 42), Some(i as u32));
        }
        for (i, t) in terms.iter().enumerate() {
            let parts = Parts::of(t.as_ref());
            assert_eq!(shard.intern(&parts, 42), Some(i as u32), "{t}");
            assert_eq!(shard.get(&parts, 42), Some(i as u32), "{t}");
            assert_eq!(shard.parts(i).and_then(Parts::term), Some(t.as_ref()));
        }
        assert_eq!(
            shard.get(&Parts::of(NamedNodeRef::new_unchecked("x:y").into()), 42),
            None
        );
    }

    /// Every combination of bound positions is served by an index whose
    /// leading components are exactly the bound positions.
    #[test]
    fn every_pattern_has_an_exact_index() {
        for mask in 0..16usize {
            let bound: Vec<usize> = (0..4).filter(|pos| mask & (1 << pos) != 0).collect();
            assert!(
                ORDERS.iter().any(|order| {
                    let mut prefix = order[..bound.len()].to_vec();
                    prefix.sort_unstable();
                    prefix == bound
                }),
                "{bound:?}"
            );
        }
    }
}
