//! The spareval adapter: `&FrozenDataset` as a [`QueryableDataset`], with
//! [`FrozenTerm`] as its internal term.

use super::{FrozenDataset, DEFAULT_GRAPH, G, O, P, S, UNION_GRAPH};
use oxigraph::model::{NamedNode, Term, TermRef};
use spareval::{InternalQuad, QueryableDataset};
use std::sync::Arc;

/// A term as the SPARQL evaluator sees it on a [`FrozenDataset`]: the id of a
/// term of the dataset, or an owned term the dataset does not contain (a
/// query constant the data lacks, a value computed by an expression).
///
/// Equality is RDF term equality: a term of the dataset is always its id.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct FrozenTerm(pub(super) Repr);

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(super) enum Repr {
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
