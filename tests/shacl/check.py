#!/usr/bin/env python3
"""Check a dump of a signalgraph store against the ontology and the shapes.

Usage: check.py [--root DIR] [--full-report] DATA_FILE

DATA_FILE is the union of all named graphs of a store (Turtle: .ttl, N-Triples:
.nt) or the store itself with its graphs (N-Quads: .nq, TriG: .trig; the graphs
are merged into one). The triples of the ontology graph, if the dump holds them,
are set aside: only the data is checked.

1. SHACL: the data must conform to ontology/shapes.ttl (pyshacl, no inference).
2. Vocabulary: every predicate and every rdf:type object used in the data must
   be declared in ontology/signalgraph.ttl (a class as owl:Class or rdfs:Class,
   a property as owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty
   or rdf:Property). rdf:type itself is built in and exempt.
3. The ontology documents every term it declares (rdfs:label@en, rdfs:comment,
   rdfs:isDefinedBy).

Exit status: 0 all good, 1 a check failed, 2 the input could not be read.
The last line of output is a one-line summary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

ONTOLOGY_IRI = URIRef("https://w3id.org/signalgraph/ontology")
DEFAULT_BASE = "https://w3id.org/signalgraph/id/"

FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
}
QUAD_FORMATS = {"nquads", "trig"}

CLASS_TYPES = (OWL.Class, RDFS.Class)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)

PREFIXES = {
    "sg": "https://w3id.org/signalgraph/ontology#",
    "sgsh": "https://w3id.org/signalgraph/shapes#",
    "id": DEFAULT_BASE,
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
}


class InputError(Exception):
    """The data, the shapes or the ontology could not be read."""


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph


def parse_graph(path: Path, what: str) -> Graph:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{path}: unknown extension {path.suffix!r} for {what}; "
            f"expected one of {', '.join(sorted(FORMATS))}"
        )
    if not path.is_file():
        raise InputError(f"{path}: no such file ({what})")
    try:
        if fmt in QUAD_FORMATS:
            dataset = Dataset()
            dataset.parse(str(path), format=fmt)
            graph = Graph()
            for s, p, o, _graph_name in dataset.quads((None, None, None, None)):
                graph.add((s, p, o))
        else:
            graph = Graph()
            graph.parse(str(path), format=fmt)
    except Exception as err:  # rdflib raises many kinds of parse errors
        raise InputError(f"{path}: cannot parse {what} as {fmt}: {err}") from err
    return bind_prefixes(graph)


def set_aside_ontology(data: Graph, ontology: Graph) -> tuple[Graph, int]:
    """Return the data without the ontology's own triples, and how many were removed.

    The store holds the ontology in a named graph of its own, so a dump of all
    graphs contains it. Its triples are those whose subject is a subject of the
    ontology file (the ontology node and the declared terms), plus the blank
    nodes reachable from them (e.g. owl:unionOf lists).
    """
    ontology_subjects = {s for s in ontology.subjects() if isinstance(s, URIRef)}
    removed = 0
    kept = bind_prefixes(Graph())
    pending: list[BNode] = []
    for s, p, o in data:
        if s in ontology_subjects:
            removed += 1
            if isinstance(o, BNode):
                pending.append(o)
        else:
            kept.add((s, p, o))
    seen: set[BNode] = set()
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in list(kept.triples((node, None, None))):
            kept.remove((s, p, o))
            removed += 1
            if isinstance(o, BNode):
                pending.append(o)
    return kept, removed


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def show(term, graph: Graph) -> str:
    if term is None:
        return "-"
    if isinstance(term, BNode):
        # A property path: render the inverse paths the shapes use.
        inverse = graph.value(term, SH.inversePath)
        if inverse is not None:
            return "^" + show(inverse, graph)
        return "_:" + str(term)
    if isinstance(term, Literal):
        text = str(term)
        if len(text) > 60:
            text = text[:57] + "..."
        shown = '"' + text.replace('"', '\\"') + '"'
        if term.language:
            return shown + "@" + term.language
        if term.datatype is not None and term.datatype != XSD.string:
            return shown + "^^" + term.datatype.n3(graph.namespace_manager)
        return shown
    return term.n3(graph.namespace_manager)


def check_shacl(data: Graph, shapes: Graph, full_report: bool) -> tuple[int, list[str]]:
    """Validate; return the number of violations and one line per result."""
    from pyshacl import validate

    _conforms, results, text = validate(
        data,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
    )
    bind_prefixes(results)
    lines = []
    violations = 0
    for result in results.subjects(RDF.type, SH.ValidationResult):
        severity = results.value(result, SH.resultSeverity)
        if severity == SH.Violation:
            violations += 1
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        # pyshacl copies a blank-node path (e.g. an inverse path) into the report.
        path_shown = show(path, results)
        line = f"  {severity.split('#')[-1]}: {show(focus, data)}"
        if path is not None:
            line += f" {path_shown}"
        if value is not None and not (path is None and value == focus):
            line += f" = {show(value, data)}"
        line += ": " + ("; ".join(messages) if messages else "(no message)")
        lines.append(line)
    lines.sort()
    if full_report:
        lines.append(text)
    return violations, lines


def check_vocabulary(data: Graph, ontology: Graph) -> tuple[int, list[str]]:
    """Return the number of terms used and the undeclared ones."""
    classes = {s for t in CLASS_TYPES for s in ontology.subjects(RDF.type, t)}
    properties = {s for t in PROPERTY_TYPES for s in ontology.subjects(RDF.type, t)}
    used_properties = set(data.predicates()) - {RDF.type}
    used_classes = set(data.objects(None, RDF.type))
    problems = []
    for term in sorted(used_properties - properties):
        kind = "a class, not a property" if term in classes else "not declared"
        problems.append(f"  property {show(term, data)}: {kind}")
    for term in sorted(used_classes - classes, key=str):
        if not isinstance(term, URIRef):
            problems.append(f"  rdf:type value {show(term, data)}: not an IRI")
            continue
        kind = "a property, not a class" if term in properties else "not declared"
        problems.append(f"  class {show(term, data)}: {kind}")
    return len(used_properties | used_classes), problems


def check_ontology_documented(ontology: Graph) -> list[str]:
    terms = {s for t in CLASS_TYPES + PROPERTY_TYPES for s in ontology.subjects(RDF.type, t)}
    problems = []
    for term in sorted(t for t in terms if isinstance(t, URIRef)):
        missing = []
        if not any(getattr(l, "language", None) == "en" for l in ontology.objects(term, RDFS.label)):
            missing.append("rdfs:label@en")
        if ontology.value(term, RDFS.comment) is None:
            missing.append("rdfs:comment")
        if ontology.value(term, RDFS.isDefinedBy) is None:
            missing.append("rdfs:isDefinedBy")
        if missing:
            problems.append(f"  {show(term, ontology)}: no {', '.join(missing)}")
    return problems


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="store dump (.ttl, .nt, .nq or .trig)")
    parser.add_argument("--root", type=Path, default=here.parent.parent,
                        help="repository root (default: two levels above this script)")
    parser.add_argument("--shapes", type=Path, help="SHACL shapes (default: ROOT/ontology/shapes.ttl)")
    parser.add_argument("--ontology", type=Path, help="ontology (default: ROOT/ontology/signalgraph.ttl)")
    parser.add_argument("--full-report", action="store_true", help="also print pyshacl's full text report")
    args = parser.parse_args(argv)

    shapes_path = args.shapes or args.root / "ontology" / "shapes.ttl"
    ontology_path = args.ontology or args.root / "ontology" / "signalgraph.ttl"
    try:
        shapes = parse_graph(shapes_path, "the shapes")
        ontology = parse_graph(ontology_path, "the ontology")
        dump = parse_graph(args.data, "the data")
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2

    data, set_aside = set_aside_ontology(dump, ontology)
    if set_aside:
        print(f"note: set aside {set_aside} triples of the ontology graph", file=sys.stderr)

    failed = False
    ontology_problems = check_ontology_documented(ontology)
    if ontology_problems:
        failed = True
        print(f"ontology: {plural(len(ontology_problems), 'declared term')} not documented in {ontology_path}:")
        print("\n".join(ontology_problems))

    if len(data) == 0:
        print(f"error: {args.data} holds no data triples: nothing to check")
        print("shacl: 0 triples, nothing checked; vocabulary: 0 terms")
        return 1

    violations, results = check_shacl(data, shapes, args.full_report)
    if results:
        print(f"shacl: {plural(len(results), 'result')} ({plural(violations, 'violation')}) against {shapes_path}:")
        print("\n".join(results))
    if violations:
        failed = True

    used, undeclared = check_vocabulary(data, ontology)
    if undeclared:
        failed = True
        print(f"vocabulary: {plural(len(undeclared), 'term')} used in the data but not declared in {ontology_path}:")
        print("\n".join(undeclared))

    shacl_summary = "conforms" if violations == 0 else plural(violations, "violation")
    vocabulary_summary = "all declared" if not undeclared else f"{len(undeclared)} undeclared"
    print(f"shacl: {plural(len(data), 'triple')}, {shacl_summary}; vocabulary: {plural(used, 'term')}, {vocabulary_summary}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
