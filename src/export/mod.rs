//! Exporting a store: every format as one enum with its extension and media type.
//!
//! RDF formats stream straight from the [`FrozenDataset`] indexes through
//! oxigraph's serializers, in index order (deterministic for the same store), so
//! an export never holds more than the dataset itself. Graph formats (Turtle,
//! N-Triples, RDF/XML) get the union of all named graphs as triples, each once,
//! grouped by subject; dataset formats (N-Quads, TriG, JSON-LD) keep the named
//! graphs (article provenance graphs, collection, ontology, analysis).

use crate::store::vocab::PREFIXES;
use crate::store::FrozenDataset;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::TripleRef;
use std::io::{self, Write};
use std::path::Path;

/// An export format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Turtle,
    NTriples,
    NQuads,
    TriG,
    RdfXml,
    JsonLd,
}

impl Format {
    /// Every format, in the order `export --all` writes them.
    pub const ALL: [Format; 6] = [
        Format::Turtle,
        Format::NTriples,
        Format::NQuads,
        Format::TriG,
        Format::RdfXml,
        Format::JsonLd,
    ];

    /// The name used by `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Turtle => "turtle",
            Format::NTriples => "ntriples",
            Format::NQuads => "nquads",
            Format::TriG => "trig",
            Format::RdfXml => "rdfxml",
            Format::JsonLd => "jsonld",
        }
    }

    /// The file extension (without the dot).
    pub fn extension(self) -> &'static str {
        self.rdf_format().file_extension()
    }

    /// The IANA media type.
    pub fn media_type(self) -> &'static str {
        self.rdf_format().media_type()
    }

    /// The format a file name's extension stands for.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.extension() == ext || (ext == "xml" && *f == Format::RdfXml))
    }

    /// The format `--format NAME` names.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the format keeps named graphs.
    pub fn keeps_graphs(self) -> bool {
        matches!(self, Format::NQuads | Format::TriG | Format::JsonLd)
    }

    fn rdf_format(self) -> RdfFormat {
        match self {
            Format::Turtle => RdfFormat::Turtle,
            Format::NTriples => RdfFormat::NTriples,
            Format::NQuads => RdfFormat::NQuads,
            Format::TriG => RdfFormat::TriG,
            Format::RdfXml => RdfFormat::RdfXml,
            Format::JsonLd => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
        }
    }
}

/// Writes the whole dataset in `format` to `out` and returns the number of
/// statements written (quads for dataset formats, distinct triples otherwise).
pub fn write_rdf<W: Write>(dataset: &FrozenDataset, format: Format, out: W) -> io::Result<u64> {
    let mut serializer = RdfSerializer::from_format(format.rdf_format());
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
        for quad in dataset.iter() {
            writer.serialize_quad(quad)?;
            written += 1;
        }
    } else {
        // Subject, predicate, object, graph index order: subjects are grouped and
        // the copies of a triple from several graphs come side by side.
        let mut previous: Option<TripleRef<'_>> = None;
        for quad in dataset.quads_for_pattern(None, None, None, None) {
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
