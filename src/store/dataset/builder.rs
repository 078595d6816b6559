//! [`DatasetBuilder`]: interns the terms of batches of quads in parallel, then
//! sorts them into a [`FrozenDataset`]'s indexes.

use super::dictionary::{lookup, resolve, shard_of, Parts, Shard, SHARDS, SHARD_BITS};
use super::keys::{pack, unpack, GraphStarts};
use super::{
    FrozenDataset, DEFAULT_GRAPH, G, GOSP, GPOS, GSPO, O, ORDERS, OSPG, P, POSG, S, SPOG,
    UNION_GRAPH,
};
use oxigraph::model::{GraphNameRef, NamedNodeRef, Quad, TermRef};
use rayon::prelude::*;
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

/// Quads interned per round of [`DatasetBuilder::add`] (bounds the temporary
/// per-occurrence arrays and keeps occurrence indices within `u32`).
const ROUND: usize = 1 << 18;
/// Quads hashed per parallel task while interning.
const PIECE: usize = 4096;
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
                &self.shards.iter().map(|s| s.term_count()).sum::<usize>(),
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
