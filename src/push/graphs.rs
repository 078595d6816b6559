//! The store's named graphs as a push sees them: IRI, triple count and content hash, and each graph's N-Triples body.
//!
//! A graph's body is its triples as N-Triples lines, sorted bytewise, so the
//! same graph always gives the same bytes; its content hash is the BLAKE3
//! hash of those bytes. Bodies are written when a graph is sent, not kept:
//! at 100k articles they would weigh more than the dataset.

use crate::store::FrozenDataset;
use oxigraph::model::{GraphNameRef, NamedNodeRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use rayon::prelude::*;
use std::fmt::Write;

/// One named graph of the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalGraph {
    /// The graph's IRI.
    pub iri: String,
    /// BLAKE3 of its sorted N-Triples (hex).
    pub hash: String,
    /// Its number of triples.
    pub triples: u64,
    /// Whether a triple has a blank node (SPARQL Update cannot use `INSERT DATA` for it).
    pub blank_nodes: bool,
}

/// Every named graph of the dataset with an IRI (blank-node graph names and
/// the default graph are not pushed; the store has neither), sorted by IRI,
/// hashed in parallel.
pub fn local_graphs(dataset: &FrozenDataset) -> Vec<LocalGraph> {
    let iris: Vec<String> = dataset
        .named_graphs()
        .filter_map(|g| match g {
            NamedOrBlankNodeRef::NamedNode(n) => Some(n.as_str().to_string()),
            NamedOrBlankNodeRef::BlankNode(_) => None,
        })
        .collect();
    iris.into_par_iter()
        .map(|iri| {
            let (body, triples, blank_nodes) = ntriples(dataset, &iri, "");
            LocalGraph {
                hash: blake3::hash(body.as_bytes()).to_hex().to_string(),
                iri,
                triples,
                blank_nodes,
            }
        })
        .collect()
}

/// The triples of graph `iri` as sorted N-Triples lines, with `prefix` put
/// in front of every blank node label (SPARQL Update requests keep the
/// labels of their graphs apart with it), the number of triples, and
/// whether there is a blank node.
pub fn ntriples(dataset: &FrozenDataset, iri: &str, prefix: &str) -> (String, u64, bool) {
    let graph = GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(iri));
    let mut blank = false;
    let mut lines: Vec<String> = dataset
        .quads_for_pattern(None, None, None, Some(graph))
        .map(|q| line(q, prefix, &mut blank))
        .collect();
    lines.sort_unstable();
    let triples = lines.len() as u64;
    (lines.concat(), triples, blank)
}

fn line(q: QuadRef<'_>, prefix: &str, blank: &mut bool) -> String {
    let mut out = String::with_capacity(128);
    match q.subject {
        NamedOrBlankNodeRef::BlankNode(b) => {
            *blank = true;
            let _ = write!(out, "_:{prefix}{}", b.as_str());
        }
        s => {
            let _ = write!(out, "{s}");
        }
    }
    let _ = write!(out, " {} ", q.predicate);
    match q.object {
        TermRef::BlankNode(b) => {
            *blank = true;
            let _ = write!(out, "_:{prefix}{}", b.as_str());
        }
        o => {
            let _ = write!(out, "{o}");
        }
    }
    out.push_str(" .\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal, NamedNode, Quad};

    #[test]
    fn bodies_are_sorted_and_hashes_follow_content() {
        let n = |s: &str| NamedNode::new_unchecked(format!("http://ex.org/{s}"));
        let build = |extra: bool| {
            let mut b = FrozenDataset::builder();
            let mut quads = vec![
                Quad::new(
                    n("z"),
                    n("p"),
                    Literal::new_simple_literal("a \"q\"\n"),
                    n("g1"),
                ),
                Quad::new(n("a"), n("p"), n("o"), n("g1")),
                Quad::new(BlankNode::new_unchecked("x"), n("p"), n("o"), n("g2")),
            ];
            if extra {
                quads.push(Quad::new(n("b"), n("p"), n("o"), n("g2")));
            }
            b.add(quads);
            b.finish()
        };
        let (one, two) = (build(false), build(true));
        let g1 = local_graphs(&one);
        assert_eq!(g1.len(), 2);
        assert_eq!(
            (g1[0].iri.as_str(), g1[0].triples, g1[0].blank_nodes),
            ("http://ex.org/g1", 2, false)
        );
        assert!(g1[1].blank_nodes);
        let (body, _, _) = ntriples(&one, "http://ex.org/g1", "");
        assert_eq!(
            body,
            "<http://ex.org/a> <http://ex.org/p> <http://ex.org/o> .\n\
             <http://ex.org/z> <http://ex.org/p> \"a \\\"q\\\"\\n\" .\n"
        );
        let (body, _, _) = ntriples(&one, "http://ex.org/g2", "r3");
        assert_eq!(body, "_:r3x <http://ex.org/p> <http://ex.org/o> .\n");
        let g2 = local_graphs(&two);
        assert_eq!(g1[0].hash, g2[0].hash);
        assert_ne!(g1[1].hash, g2[1].hash);
    }
}
