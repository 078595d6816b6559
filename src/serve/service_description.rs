//! The SPARQL 1.1 Service Description returned by `GET /sparql` without a query.

use crate::query::{Answer, ResultFormat};
use crate::serve::protocol;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{BlankNode, Literal, NamedNode, NamedOrBlankNode, Term, Triple};

const SD: &str = "http://www.w3.org/ns/sparql-service-description#";
const VOID: &str = "http://rdfs.org/ns/void#";
const DCTERMS: &str = "http://purl.org/dc/terms/";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

/// The W3C format IRI (<http://www.w3.org/ns/formats/>) of a result format.
fn format_iri(format: ResultFormat) -> Option<&'static str> {
    Some(match format {
        ResultFormat::Json => "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
        ResultFormat::Xml => "http://www.w3.org/ns/formats/SPARQL_Results_XML",
        ResultFormat::Csv => "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
        ResultFormat::Tsv => "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
        ResultFormat::Turtle => "http://www.w3.org/ns/formats/Turtle",
        ResultFormat::NTriples => "http://www.w3.org/ns/formats/N-Triples",
        ResultFormat::JsonLd => "http://www.w3.org/ns/formats/JSON-LD",
        ResultFormat::RdfXml => "http://www.w3.org/ns/formats/RDF_XML",
        ResultFormat::Table => return None,
    })
}

fn iri(s: &str) -> NamedNode {
    NamedNode::new_unchecked(s)
}

/// The description as Turtle. `endpoint` is the endpoint's absolute IRI
/// (from the request's Host header); when it is not a valid IRI the service
/// is a blank node without `sd:endpoint`.
pub fn turtle(endpoint: Option<&str>, triples: usize) -> Vec<u8> {
    let service: NamedOrBlankNode = match endpoint.and_then(|e| NamedNode::new(e).ok()) {
        Some(n) => n.into(),
        None => BlankNode::new_unchecked("service").into(),
    };
    let dataset = NamedOrBlankNode::from(BlankNode::new_unchecked("dataset"));
    let default_graph = NamedOrBlankNode::from(BlankNode::new_unchecked("defaultGraph"));
    let sd = |local: &str| iri(&format!("{SD}{local}"));
    let mut out: Vec<Triple> = Vec::new();
    let mut add = |s: &NamedOrBlankNode, p: NamedNode, o: Term| {
        out.push(Triple::new(s.clone(), p, o));
    };
    add(&service, iri(RDF_TYPE), sd("Service").into());
    if let NamedOrBlankNode::NamedNode(n) = &service {
        add(&service, sd("endpoint"), n.clone().into());
    }
    add(
        &service,
        sd("supportedLanguage"),
        sd("SPARQL11Query").into(),
    );
    add(&service, sd("feature"), sd("UnionDefaultGraph").into());
    let mut formats = protocol::offered(Answer::Solutions);
    formats.extend(protocol::offered(Answer::Graph));
    for f in formats.into_iter().filter_map(format_iri) {
        add(&service, sd("resultFormat"), iri(f).into());
    }
    add(
        &service,
        iri(&format!("{DCTERMS}description")),
        Literal::new_simple_literal(
            "signalgraph: a read-only SPARQL 1.1 endpoint over a foresight knowledge graph. \
             The default graph is the union of all named graphs (one per article, plus the \
             collection, ontology and analysis graphs); the prefixes sg, dcterms, skos, schema, \
             prov, rdf, rdfs, xsd and owl are predeclared.",
        )
        .into(),
    );
    add(&service, sd("defaultDataset"), dataset.clone().into());
    add(&dataset, iri(RDF_TYPE), sd("Dataset").into());
    add(&dataset, sd("defaultGraph"), default_graph.clone().into());
    add(&default_graph, iri(RDF_TYPE), sd("Graph").into());
    add(
        &default_graph,
        iri(&format!("{VOID}triples")),
        Literal::from(triples as i64).into(),
    );
    let prefixes = [
        ("sd", SD),
        ("void", VOID),
        ("formats", "http://www.w3.org/ns/formats/"),
        ("dcterms", DCTERMS),
    ];
    let mut serializer = RdfSerializer::from_format(RdfFormat::Turtle);
    for (prefix, ns) in prefixes {
        serializer = match serializer.clone().with_prefix(prefix, ns) {
            Ok(s) => s,
            Err(_) => serializer,
        };
    }
    let mut writer = serializer.for_writer(Vec::new());
    for t in &out {
        // Writing to a Vec cannot fail.
        let _ = writer.serialize_triple(t);
    }
    writer.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::io::RdfParser;

    #[test]
    fn description_parses_and_names_the_endpoint() {
        let ttl = turtle(Some("http://127.0.0.1:7878/sparql"), 4605);
        let triples: Vec<_> = RdfParser::from_format(RdfFormat::Turtle)
            .for_reader(ttl.as_slice())
            .collect::<Result<_, _>>()
            .unwrap();
        let text = String::from_utf8(ttl).unwrap();
        assert!(
            text.contains("sd:endpoint <http://127.0.0.1:7878/sparql>"),
            "{text}"
        );
        assert!(text.contains("formats:SPARQL_Results_JSON"), "{text}");
        assert!(triples.len() > 10);
        // A Host header that makes no IRI gives a blank node.
        let ttl = turtle(Some("http://bad host/sparql"), 1);
        assert!(!String::from_utf8(ttl).unwrap().contains("sd:endpoint"));
    }
}
