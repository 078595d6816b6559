//! A frozen, indexed in-memory RDF dataset that oxigraph's SPARQL evaluator queries (placeholder).
