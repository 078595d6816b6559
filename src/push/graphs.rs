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

/// A graph cut for SPARQL Update: the triples without blank nodes (sorted
/// lines), and the triples with blank nodes grouped so that the triples of
/// one blank node are in one group (the connected parts of the blank nodes;
/// a group can be one `INSERT { … } WHERE {}`, whose labels stay inside it).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UpdateParts {
    /// Lines of the triples without blank nodes, sorted.
    pub plain: Vec<String>,
    /// Lines of the triples with blank nodes, one list per connected part.
    pub blank_groups: Vec<Vec<String>>,
}

/// The triples of graph `iri` cut into [`UpdateParts`], blank node labels
/// prefixed with `prefix`.
pub fn update_parts(dataset: &FrozenDataset, iri: &str, prefix: &str) -> UpdateParts {
    let graph = GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(iri));
    let mut parts = UpdateParts::default();
    // Union-find over the blank node labels of the graph.
    let mut ids: std::collections::HashMap<String, usize> = Default::default();
    let mut parent: Vec<usize> = Vec::new();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut blank_lines: Vec<(usize, String)> = Vec::new();
    for q in dataset.quads_for_pattern(None, None, None, Some(graph)) {
        let mut blank = false;
        let text = line(q, prefix, &mut blank);
        if !blank {
            parts.plain.push(text);
            continue;
        }
        let mut id = |label: &str| {
            let next = parent.len();
            let i = *ids.entry(label.to_string()).or_insert(next);
            if i == next {
                parent.push(next);
            }
            i
        };
        let s = match q.subject {
            NamedOrBlankNodeRef::BlankNode(b) => Some(id(b.as_str())),
            _ => None,
        };
        let o = match q.object {
            TermRef::BlankNode(b) => Some(id(b.as_str())),
            _ => None,
        };
        let first = s.or(o).unwrap_or(0);
        if let (Some(s), Some(o)) = (s, o) {
            let (rs, ro) = (root(&mut parent, s), root(&mut parent, o));
            parent[rs.max(ro)] = rs.min(ro);
        }
        blank_lines.push((first, text));
    }
    parts.plain.sort_unstable();
    let mut groups: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for (node, text) in blank_lines {
        let r = root(&mut parent, node);
        groups.entry(r).or_default().push(text);
    }
    parts.blank_groups = groups
        .into_values()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    parts
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
        let mut b = FrozenDataset::builder();
        let (x, y, z) = (
            BlankNode::new_unchecked("x"),
            BlankNode::new_unchecked("y"),
            BlankNode::new_unchecked("z"),
        );
        b.add(vec![
            Quad::new(n("a"), n("p"), x.clone(), n("g")),
            Quad::new(x.clone(), n("p"), y.clone(), n("g")),
            Quad::new(y, n("q"), n("o"), n("g")),
            Quad::new(z, n("p"), n("o"), n("g")),
            Quad::new(n("a"), n("p"), n("b"), n("g")),
        ]);
        let parts = update_parts(&b.finish(), "http://ex.org/g", "k");
        assert_eq!(parts.plain.len(), 1);
        let sizes: Vec<usize> = parts.blank_groups.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 1]);
        assert!(parts.blank_groups[1][0].starts_with("_:kz "));
        let g2 = local_graphs(&two);
        assert_eq!(g1[0].hash, g2[0].hash);
        assert_ne!(g1[1].hash, g2[1].hash);
    }
}
