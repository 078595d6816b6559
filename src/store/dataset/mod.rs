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

//!
//! The parts live in submodules: `hash` (the term hash), `dictionary` (the
//! sharded term dictionary), `keys` (packed index keys), `builder`
//! ([`DatasetBuilder`]) and `sparql` (the spareval adapter, [`FrozenTerm`]);
//! this module holds the dataset itself and its pattern matching.

mod builder;
mod dictionary;
mod hash;
mod keys;
mod sparql;

pub use builder::DatasetBuilder;
pub use sparql::{FrozenTerm, UnknownTermId};

use dictionary::{lookup, resolve, Shard};
use keys::{pack, prefix_range, unpack};
use oxigraph::model::{
    GraphNameRef, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, QuadRef, TermRef,
};
use spareval::QueryDatasetSpecification;
use sparql::Repr;
use std::fmt;

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

/// The graph id of the default graph (never a term id).
const DEFAULT_GRAPH: u32 = u32::MAX;

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
        self.shards.iter().map(|s| s.term_count()).sum()
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

#[cfg(test)]
mod tests {
    use super::*;

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
