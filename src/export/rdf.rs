//! RDF exports streamed from the frozen dataset: the whole store or one projection.
//!
//! Graph formats (Turtle, N-Triples, RDF/XML) get the union of all named
//! graphs as triples, each once, grouped by subject (subject, predicate,
//! object index order); dataset formats (N-Quads, TriG, JSON-LD) keep the
//! named graphs, graph by graph. Nothing is collected first, so an export
//! never holds more than the dataset itself. [`blank_node_lines`] tells a
//! split export which statements to keep in one chunk.

use super::Format;
use crate::store::vocab::PREFIXES;
use crate::store::FrozenDataset;
use oxigraph::io::RdfSerializer;
use oxigraph::model::{GraphNameRef, NamedOrBlankNodeRef, QuadRef, TermRef, TripleRef};
use std::collections::HashSet;
use std::io::{self, Write};

/// Which statements an RDF export keeps.
pub enum Selection<'a> {
    /// Every statement of the store.
    Everything,
    /// Statements about these subjects (IRIs), and every statement of these graphs.
    Subjects {
        /// The subjects' IRIs.
        iris: &'a HashSet<String>,
        /// The graphs' IRIs.
        graphs: &'a HashSet<String>,
    },
}

impl Selection<'_> {
    fn keeps(&self, q: &QuadRef<'_>) -> bool {
        match self {
            Selection::Everything => true,
            Selection::Subjects { iris, graphs } => {
                let by_subject = match q.subject {
                    NamedOrBlankNodeRef::NamedNode(n) => iris.contains(n.as_str()),
                    NamedOrBlankNodeRef::BlankNode(_) => false,
                };
                by_subject
                    || match q.graph_name {
                        GraphNameRef::NamedNode(g) => graphs.contains(g.as_str()),
                        _ => false,
                    }
            }
        }
    }
}

/// Writes the whole dataset in `format` to `out` and returns the number of
/// statements written (quads for dataset formats, distinct triples otherwise).
pub fn write<W: Write>(
    dataset: &FrozenDataset,
    format: Format,
    selection: &Selection,
    out: W,
) -> io::Result<u64> {
    let mut serializer = RdfSerializer::from_format(format.rdf_format().expect("an RDF format"));
    if matches!(format, Format::Turtle | Format::TriG | Format::RdfXml) {
        for (prefix, ns) in PREFIXES {
            serializer = serializer
                .with_prefix(prefix, ns)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        }
    }
    let mut writer = serializer.for_writer(out);
    let graphs = format.keeps_graphs();
    let written = for_each_statement(dataset, graphs, selection, |quad| {
        if graphs {
            writer.serialize_quad(quad)
        } else {
            writer.serialize_triple(TripleRef::new(quad.subject, quad.predicate, quad.object))
        }
    })?;
    writer.finish()?;
    Ok(written)
}

/// Calls `f` with each statement an export writes, in its order, and returns
/// how many: with `graphs`, every quad graph by graph (graph, subject,
/// predicate, object index order); without, each distinct triple once (as
/// its first quad) in subject, predicate, object, graph index order, where
/// subjects are grouped and the copies of a triple from several graphs come
/// side by side.
fn for_each_statement<'a>(
    dataset: &'a FrozenDataset,
    graphs: bool,
    selection: &Selection,
    mut f: impl FnMut(QuadRef<'a>) -> io::Result<()>,
) -> io::Result<u64> {
    let mut written = 0u64;
    if graphs {
        for quad in dataset.iter().filter(|q| selection.keeps(q)) {
            f(quad)?;
            written += 1;
        }
    } else {
        let mut previous: Option<TripleRef<'_>> = None;
        for quad in dataset
            .quads_for_pattern(None, None, None, None)
            .filter(|q| selection.keeps(q))
        {
            let triple = TripleRef::new(quad.subject, quad.predicate, quad.object);
            if previous != Some(triple) {
                f(quad)?;
                written += 1;
                previous = Some(triple);
            }
        }
    }
    Ok(written)
}

/// The indexes (0-based, ascending) of the statements of an export in
/// `format` that mention a blank node: a blank node label is local to its
/// file, so a split export keeps them in one chunk ([`super::split`]).
pub fn blank_node_lines(
    dataset: &FrozenDataset,
    format: Format,
    selection: &Selection,
) -> io::Result<Vec<u64>> {
    let graphs = format.keeps_graphs();
    let mut lines = Vec::new();
    let mut index = 0u64;
    for_each_statement(dataset, graphs, selection, |quad| {
        let blank = matches!(quad.subject, NamedOrBlankNodeRef::BlankNode(_))
            || matches!(quad.object, TermRef::BlankNode(_))
            || (graphs && matches!(quad.graph_name, GraphNameRef::BlankNode(_)));
        if blank {
            lines.push(index);
        }
        index += 1;
        Ok(())
    })?;
    Ok(lines)
}
