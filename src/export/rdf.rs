//! RDF exports streamed from the frozen dataset: the whole store or one projection.
//!
//! Graph formats (Turtle, N-Triples, RDF/XML) get the union of all named
//! graphs as triples, each once, grouped by subject (subject, predicate,
//! object index order); dataset formats (N-Quads, TriG, JSON-LD) keep the
//! named graphs, graph by graph. Nothing is collected first, so an export
//! never holds more than the dataset itself.

use super::Format;
use crate::store::vocab::PREFIXES;
use crate::store::FrozenDataset;
use oxigraph::io::RdfSerializer;
use oxigraph::model::{NamedOrBlankNodeRef, QuadRef, TripleRef};
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
                        oxigraph::model::GraphNameRef::NamedNode(g) => graphs.contains(g.as_str()),
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
    let mut written = 0u64;
    if format.keeps_graphs() {
        // Graph by graph (graph, subject, predicate, object index order).
        for quad in dataset.iter().filter(|q| selection.keeps(q)) {
            writer.serialize_quad(quad)?;
            written += 1;
        }
    } else {
        // Subject, predicate, object, graph index order: subjects are grouped and
        // the copies of a triple from several graphs come side by side.
        let mut previous: Option<TripleRef<'_>> = None;
        for quad in dataset
            .quads_for_pattern(None, None, None, None)
            .filter(|q| selection.keeps(q))
        {
            let triple = TripleRef::new(quad.subject, quad.predicate, quad.object);
            if previous != Some(triple) {
                writer.serialize_triple(triple)?;
                written += 1;
                previous = Some(triple);
            }
        }
    }
    writer.finish()?;
    Ok(written)
}
