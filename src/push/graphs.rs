//! The store's named graphs as a push sees them: IRI, triple count and content hash, and each graph's N-Triples body.
//!
//! A graph's body is its triples as N-Triples lines, sorted bytewise, so the
//! same graph always gives the same bytes; its content hash is the BLAKE3
//! hash of those bytes. Bodies are written when a graph is sent, not kept:
//! at 100k articles they would weigh more than the dataset.

use crate::model::Collection;
use crate::store::nquads::{self, GraphKey, Other};
use crate::store::{self, rdf, Iris, StoreDir, StoreError};
use oxigraph::model::{Quad, QuadRef, TermRef};
use rayon::prelude::*;
use std::collections::BTreeMap;
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

/// A graph's triples as N-Triples: sorted, deduplicated lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    /// The lines.
    pub text: String,
    /// How many.
    pub triples: u64,
    /// Whether one mentions a blank node.
    pub blank_nodes: bool,
}

/// The named graphs of a store, minted from the saved collection as
/// `open_rdf` mints them but without building the indexed dataset, which a
/// push does not need (at 10k articles opening it is most of the time of a
/// push with little to send). Article graphs are minted again when asked
/// for; the collection and ontology graphs are held; a graph file of one
/// graph (an analysis graph) is read as lines when asked for, never parsed.
pub struct StoreGraphs {
    collection: Collection,
    iris: Iris,
    /// Sorted by IRI.
    graphs: Vec<Source>,
}

/// Where a graph's statements come from.
struct Source {
    iri: String,
    /// The article whose minted quads (those in this graph) belong to it.
    article: Option<usize>,
    /// Statements of the graph from elsewhere (collection, ontology, graph files).
    other: Option<Other>,
}

impl StoreGraphs {
    /// Reads the store's collection and checks its graph files.
    pub fn open(dir: &StoreDir) -> Result<StoreGraphs, StoreError> {
        let (collection, iris) = crate::build::load_collection(dir)?;
        // Each article's quads are all in its own graph (`rdf::article_quads`;
        // the unit test below checks the graphs against `open_rdf`'s).
        let mut by_iri: BTreeMap<String, Source> = BTreeMap::new();
        for (i, input) in collection.articles.iter().enumerate() {
            let iri = iris.article_graph(&input.article.id).into_string();
            by_iri.insert(
                iri.clone(),
                Source {
                    iri,
                    article: Some(i),
                    other: None,
                },
            );
        }
        for (key, other) in nquads::other_graphs(dir, &collection, &iris)? {
            // The default graph, and graphs named by a blank node, are not pushed.
            let GraphKey::Named(iri) = key else { continue };
            if iri.starts_with("_:") {
                continue;
            }
            by_iri
                .entry(iri.clone())
                .or_insert_with(|| Source {
                    iri,
                    article: None,
                    other: None,
                })
                .other = Some(other);
        }
        Ok(StoreGraphs {
            collection,
            iris,
            graphs: by_iri.into_values().collect(),
        })
    }

    /// The N-Triples of graph `index` (in [`local_graphs`](Self::local_graphs)' order).
    pub fn body(&self, index: usize) -> Result<Body, StoreError> {
        let source = &self.graphs[index];
        let (text, triples, blank_nodes) = match (source.article, &source.other) {
            (None, Some(Other::File(path))) => nquads::graph_file_triples(path, &source.iri)?,
            (article, other) => {
                let mut quads = Vec::new();
                if let Some(i) = article {
                    rdf::article_quads(&self.collection, i, &self.iris, &mut quads);
                }
                match other {
                    Some(Other::Quads(held)) => quads.extend(held.iter().cloned()),
                    Some(Other::File(path)) => quads.extend(store::read_graph_file(path)?),
                    None => {}
                }
                ntriples(&quads)
            }
        };
        Ok(Body {
            text,
            triples,
            blank_nodes,
        })
    }

    /// Every named graph with its hash, sorted by IRI, hashed in parallel.
    pub fn local_graphs(&self) -> Result<Vec<LocalGraph>, StoreError> {
        (0..self.graphs.len())
            .into_par_iter()
            .map(|i| {
                let body = self.body(i)?;
                Ok(LocalGraph {
                    iri: self.graphs[i].iri.clone(),
                    hash: blake3::hash(body.text.as_bytes()).to_hex().to_string(),
                    triples: body.triples,
                    blank_nodes: body.blank_nodes,
                })
            })
            .collect()
    }
}

/// The triples of a graph's quads as sorted N-Triples lines, the number of
/// triples, and whether there is a blank node.
pub fn ntriples(quads: &[Quad]) -> (String, u64, bool) {
    let mut blank = false;
    let mut lines: Vec<String> = quads.iter().map(|q| line(q.as_ref(), &mut blank)).collect();
    lines.sort_unstable();
    lines.dedup();
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

/// A graph's N-Triples `body` cut into [`UpdateParts`], blank node labels
/// prefixed with `prefix`.
pub fn update_parts(body: &str, prefix: &str) -> UpdateParts {
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
    for text in body.split_inclusive('\n') {
        if !nquads::mentions_blank(text) {
            parts.plain.push(text.to_string());
            continue;
        }
        let (subject, rest) = text.split_once(' ').unwrap_or((text, ""));
        let triple = rest.trim_end().strip_suffix(" .").unwrap_or(rest);
        let (predicate, object) = triple.split_once(' ').unwrap_or((triple, ""));
        let label = |term: &str| {
            // A blank node object is one token; a literal holds a quote.
            term.strip_prefix("_:")
                .filter(|l| !l.contains(['"', ' ']))
                .map(str::to_string)
        };
        let (s, o) = (label(subject), label(object));
        let mut id = |label: &str| {
            let next = parent.len();
            let i = *ids.entry(label.to_string()).or_insert(next);
            if i == next {
                parent.push(next);
            }
            i
        };
        let si = s.as_deref().map(&mut id);
        let oi = o.as_deref().map(&mut id);
        let first = si.or(oi).unwrap_or(0);
        if let (Some(si), Some(oi)) = (si, oi) {
            let (rs, ro) = (root(&mut parent, si), root(&mut parent, oi));
            parent[rs.max(ro)] = rs.min(ro);
        }
        let term = |t: &str, l: &Option<String>| match l {
            Some(l) => format!("_:{prefix}{l}"),
            None => t.to_string(),
        };
        let line = format!("{} {predicate} {} .\n", term(subject, &s), term(object, &o));
        blank_lines.push((first, line));
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<String>> = Default::default();
    for (node, text) in blank_lines {
        let r = root(&mut parent, node);
        groups.entry(r).or_default().push(text);
    }
    parts.blank_groups = groups
        .into_values()
        .map(|mut g| {
            g.sort_unstable();
            g.dedup();
            g
        })
        .collect();
    parts
}

fn line(q: QuadRef<'_>, blank: &mut bool) -> String {
    let mut out = String::with_capacity(128);
    if q.subject.is_blank_node() || matches!(q.object, TermRef::BlankNode(_)) {
        *blank = true;
    }
    let _ = writeln!(out, "{} {} {} .", q.subject, q.predicate, q.object);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{open_rdf, FrozenDataset};
    use oxigraph::model::{
        BlankNode, GraphNameRef, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef,
    };

    #[test]
    fn bodies_are_sorted_with_prefixed_blank_nodes() {
        let n = |s: &str| NamedNode::new_unchecked(format!("http://ex.org/{s}"));
        let quads = [
            Quad::new(
                n("z"),
                n("p"),
                Literal::new_simple_literal("a \"q\"\n"),
                n("g"),
            ),
            Quad::new(n("a"), n("p"), n("o"), n("g")),
        ];
        let (body, triples, blank) = ntriples(&quads);
        assert_eq!((triples, blank), (2, false));
        assert_eq!(
            body,
            "<http://ex.org/a> <http://ex.org/p> <http://ex.org/o> .\n\
             <http://ex.org/z> <http://ex.org/p> \"a \\\"q\\\"\\n\" .\n"
        );
        let b = [Quad::new(
            BlankNode::new_unchecked("x"),
            n("p"),
            n("o"),
            n("g"),
        )];
        let (body, _, blank) = ntriples(&b);
        assert!(blank);
        assert_eq!(
            update_parts(&body, "r3").blank_groups,
            vec![vec![
                "_:r3x <http://ex.org/p> <http://ex.org/o> .\n".to_string()
            ]]
        );

        let (x, y, z) = (
            BlankNode::new_unchecked("x"),
            BlankNode::new_unchecked("y"),
            BlankNode::new_unchecked("z"),
        );
        let quads = [
            Quad::new(n("a"), n("p"), x.clone(), n("g")),
            Quad::new(x.clone(), n("p"), y.clone(), n("g")),
            Quad::new(y, n("q"), n("o"), n("g")),
            Quad::new(z, n("p"), n("o"), n("g")),
            Quad::new(n("a"), n("p"), n("b"), n("g")),
            // A literal that looks like a blank node label is not one.
            Quad::new(n("a"), n("p"), Literal::new_simple_literal("_:x"), n("g")),
        ];
        let parts = update_parts(&ntriples(&quads).0, "k");
        assert_eq!(parts.plain.len(), 2);
        let sizes: Vec<usize> = parts.blank_groups.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![3, 1]);
        assert!(parts.blank_groups[1][0].starts_with("_:kz "));
    }

    /// The graphs minted for a push are the graphs `open_rdf` gives SPARQL,
    /// quad for quad, on the sample collection.
    #[test]
    fn store_graphs_match_the_opened_dataset() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = StoreDir::new(tmp.path().join("store"));
        let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let options = crate::BuildOptions {
            paths: vec![seeds],
            ..Default::default()
        };
        crate::build(&dir, &options, &crate::NoProgress).unwrap();
        // The analysis graphs come from graph files.
        crate::analyze::analyze_store(
            &dir,
            crate::graph::Projection::Articles,
            &Default::default(),
            &Default::default(),
        )
        .unwrap();
        let graphs = StoreGraphs::open(&dir).unwrap();
        let (collection, iris) = crate::build::load_collection(&dir).unwrap();
        let dataset: FrozenDataset =
            open_rdf(&dir, &collection, &iris, &crate::NoProgress).unwrap();
        let local = graphs.local_graphs().unwrap();
        let named: Vec<String> = dataset
            .named_graphs()
            .map(|g| match g {
                NamedOrBlankNodeRef::NamedNode(n) => n.as_str().to_string(),
                NamedOrBlankNodeRef::BlankNode(b) => b.to_string(),
            })
            .collect();
        let ours: Vec<String> = local.iter().map(|g| g.iri.clone()).collect();
        assert_eq!(ours, named);
        assert!(local.len() > 40);
        for (i, g) in local.iter().enumerate() {
            let from_dataset: Vec<Quad> = dataset
                .quads_for_pattern(
                    None,
                    None,
                    None,
                    Some(GraphNameRef::NamedNode(NamedNodeRef::new_unchecked(&g.iri))),
                )
                .map(|q| q.into_owned())
                .collect();
            let ours = graphs.body(i).unwrap();
            assert_eq!(
                (ours.text, ours.triples, ours.blank_nodes),
                ntriples(&from_dataset),
                "{}",
                g.iri
            );
        }
        // Hashes are stable from one open to the next.
        assert!(local.iter().any(|g| g.iri.contains("/analysis/")));
        assert_eq!(
            StoreGraphs::open(&dir).unwrap().local_graphs().unwrap(),
            local
        );
    }
}
