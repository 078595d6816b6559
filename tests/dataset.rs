//! The frozen dataset against oxigraph as the oracle: the same quads loaded
//! into oxigraph's `Store` and into a `FrozenDataset` must answer every SPARQL
//! query alike (evaluated by the same `spareval` engine on both sides), and
//! pattern lookups must match a plain `oxigraph::model::Dataset`.

use oxigraph::model::vocab::xsd;
use oxigraph::model::{
    BlankNode, Dataset, GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef,
    NamedOrBlankNode, Quad, QuadRef, Term, TermRef,
};
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use proptest::prelude::*;
use signalgraph::build::{build, load_collection, BuildOptions, NoProgress};
use signalgraph::store::dataset::{set_union_default_graph, FrozenDataset, UNION_GRAPH};
use signalgraph::store::rdf::{article_quads, collection_quads};
use signalgraph::store::vocab::PREFIXES;
use signalgraph::store::{ontology_quads, StoreDir};
use std::collections::BTreeSet;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------
// Fixture: the bundled seeds, as quad batches, an oxigraph store and a frozen dataset

struct Fixture {
    /// The quads in the batches they were minted in (articles, collection, ontology).
    batches: Vec<Vec<Quad>>,
    store: Store,
    frozen: FrozenDataset,
    /// An article of the seeds that has a theme: `(article, theme, article graph)`.
    article: NamedNode,
    theme: NamedNode,
    graph: NamedNode,
    collection_graph: NamedNode,
    base: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dir = StoreDir::new(tmp.path());
        let opts = BuildOptions {
            paths: vec!["seeds".into()],
            ..BuildOptions::default()
        };
        build(&dir, &opts, &NoProgress).expect("build the seeds");
        let (c, iris) = load_collection(&dir).unwrap();
        assert!(c.articles.len() >= 40, "the seeds are read");

        // Batches of a few articles, like `send_quad_batches` (smaller, to add many times).
        let indices: Vec<usize> = (0..c.articles.len()).collect();
        let mut batches: Vec<Vec<Quad>> = indices
            .chunks(6)
            .map(|chunk| {
                let mut out = Vec::new();
                for &i in chunk {
                    article_quads(&c, i, &iris, &mut out);
                }
                out
            })
            .collect();
        let mut shared = Vec::new();
        collection_quads(&c, &iris, &mut shared);
        batches.push(shared);
        batches.push(ontology_quads(&iris).unwrap());

        let store = Store::new().unwrap();
        let mut loader = store.bulk_loader();
        for batch in &batches {
            loader.load_quads(batch.iter().cloned()).unwrap();
        }
        loader.commit().unwrap();

        let mut builder = FrozenDataset::builder();
        for batch in &batches {
            builder.add(batch.clone());
        }
        let frozen = builder.finish();

        let has_theme =
            NamedNodeRef::new_unchecked("https://w3id.org/signalgraph/ontology#hasTheme");
        let q = batches
            .iter()
            .flatten()
            .find(|q| q.predicate.as_ref() == has_theme)
            .expect("an article with a theme");
        let named = |t: Term| match t {
            Term::NamedNode(n) => n,
            other => panic!("not an IRI: {other}"),
        };
        let graph = match &q.graph_name {
            GraphName::NamedNode(n) => n.clone(),
            other => panic!("not a named graph: {other}"),
        };
        Fixture {
            article: named(q.subject.clone().into()),
            theme: named(q.object.clone()),
            graph,
            collection_graph: iris.collection_graph(),
            base: iris.base().to_string(),
            batches,
            store,
            frozen,
        }
    })
}

// ---------------------------------------------------------------------------
// Running and comparing queries

/// A query answer, normalised for comparison.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// Solutions as a sorted multiset (or in order, for ORDER BY queries).
    Solutions(Vec<String>),
    Boolean(bool),
    /// Triples as a sorted set.
    Graph(Vec<String>),
}

impl Answer {
    fn size(&self) -> usize {
        match self {
            Answer::Solutions(s) | Answer::Graph(s) => s.len(),
            Answer::Boolean(b) => usize::from(*b),
        }
    }
}

/// How to compare a query's answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// As a multiset of solutions.
    Unordered,
    /// In order (the query orders its solutions totally).
    Ordered,
    /// As a multiset, with the `;`-separated values of GROUP_CONCAT sorted
    /// (their order within a group depends on iteration order).
    ConcatSorted,
}

fn normalise(results: QueryResults<'_>, mode: Mode) -> Answer {
    match results {
        QueryResults::Boolean(b) => Answer::Boolean(b),
        QueryResults::Graph(triples) => {
            let set: BTreeSet<String> = triples.map(|t| t.unwrap().to_string()).collect();
            Answer::Graph(set.into_iter().collect())
        }
        QueryResults::Solutions(solutions) => {
            let variables = solutions.variables().to_vec();
            let mut rows: Vec<String> = solutions
                .map(|s| {
                    let s = s.unwrap();
                    variables
                        .iter()
                        .map(|v| match s.get(v) {
                            None => format!("{v}=UNBOUND"),
                            Some(Term::Literal(l)) if mode == Mode::ConcatSorted => {
                                let mut parts: Vec<&str> = l.value().split(';').collect();
                                parts.sort_unstable();
                                format!("{v}={}", parts.join(";"))
                            }
                            Some(t) => format!("{v}={t}"),
                        })
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect();
            if mode != Mode::Ordered {
                rows.sort();
            }
            Answer::Solutions(rows)
        }
    }
}

fn prefixes() -> String {
    PREFIXES
        .iter()
        .map(|(p, ns)| format!("PREFIX {p}: <{ns}>\n"))
        .collect()
}

/// The answer of oxigraph's store (default graph = union of the named graphs unless the query sets its dataset).
fn on_store(store: &Store, query: &str, mode: Mode) -> Answer {
    let mut prepared = SparqlEvaluator::new()
        .parse_query(query)
        .unwrap_or_else(|e| panic!("{e}: {query}"));
    if prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    normalise(prepared.on_store(store).execute().unwrap(), mode)
}

/// The answer of the frozen dataset through `spareval`, with the same dataset
/// rule (the union as the query module makes it: [`set_union_default_graph`];
/// the seeds have no triple in two graphs, so it is oxigraph's union too).
fn on_frozen(frozen: &FrozenDataset, query: &str, mode: Mode, union: bool) -> Answer {
    let query = spargebra::SparqlParser::new().parse_query(query).unwrap();
    let evaluator = spareval::QueryEvaluator::new();
    let mut prepared = evaluator.prepare(&query);
    if union && prepared.dataset().is_default_dataset() {
        set_union_default_graph(prepared.dataset_mut());
    }
    normalise(prepared.execute(frozen).unwrap(), mode)
}

/// The answer of spareval's own `QueryableDataset` for `&oxrdf::Dataset`.
fn on_oxrdf(dataset: &Dataset, query: &str, mode: Mode, union: bool) -> Answer {
    let query = spargebra::SparqlParser::new().parse_query(query).unwrap();
    let evaluator = spareval::QueryEvaluator::new();
    let mut prepared = evaluator.prepare(&query);
    if union && prepared.dataset().is_default_dataset() {
        prepared.dataset_mut().set_default_graph_as_union();
    }
    normalise(prepared.execute(dataset).unwrap(), mode)
}

/// Runs every query on both sides; fails listing every query whose answers differ.
/// Queries marked `non_empty` must also have a non-empty answer (so the check is not vacuous).
fn compare_all(queries: &[(String, Mode, bool)]) {
    let f = fixture();
    let header = prefixes();
    let mut failures = Vec::new();
    for (body, mode, non_empty) in queries {
        let query = format!("{header}{body}");
        let expected = on_store(&f.store, &query, *mode);
        let got = on_frozen(&f.frozen, &query, *mode, true);
        if expected != got {
            failures.push(format!(
                "query:\n{body}\noxigraph ({} rows): {:?}\nfrozen ({} rows): {:?}",
                expected.size(),
                first_lines(&expected),
                got.size(),
                first_lines(&got)
            ));
        } else if *non_empty && expected.size() == 0 {
            failures.push(format!("query has an empty answer (vacuous test):\n{body}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} queries differ:\n\n{}",
        failures.len(),
        queries.len(),
        failures.join("\n\n")
    );
}

fn first_lines(a: &Answer) -> Vec<String> {
    match a {
        Answer::Solutions(s) | Answer::Graph(s) => s.iter().take(5).cloned().collect(),
        Answer::Boolean(b) => vec![b.to_string()],
    }
}

// ---------------------------------------------------------------------------
// Differential tests on the seeds

#[test]
fn the_frozen_dataset_holds_the_same_quads_as_the_store() {
    let f = fixture();
    assert_eq!(f.frozen.len(), f.store.len().unwrap());
    assert!(!f.frozen.is_empty());
    let mut expected: Vec<String> = f.store.iter().map(|q| q.unwrap().to_string()).collect();
    expected.sort();
    let mut got: Vec<String> = f.frozen.iter().map(|q| q.to_string()).collect();
    got.sort();
    assert_eq!(expected, got);

    let mut expected: Vec<String> = f
        .store
        .named_graphs()
        .map(|g| g.unwrap().to_string())
        .collect();
    expected.sort();
    let got: Vec<String> = f.frozen.named_graphs().map(|g| g.to_string()).collect();
    assert_eq!(expected, got, "named graphs, sorted by IRI");
    assert!(f.frozen.contains_named_graph(f.graph.as_ref().into()));
    assert!(!f
        .frozen
        .contains_named_graph(NamedNodeRef::new_unchecked("https://example.org/no-graph").into()));
}

#[test]
fn count_of_all_quads_is_len() {
    let f = fixture();
    let query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }";
    let expected = Answer::Solutions(vec![format!(
        "?n=\"{}\"^^<http://www.w3.org/2001/XMLSchema#integer>",
        f.frozen.len()
    )]);
    assert_eq!(on_frozen(&f.frozen, query, Mode::Unordered, true), expected);
    assert_eq!(on_store(&f.store, query, Mode::Unordered), expected);
}

/// Every combination of bound positions of a triple pattern, in the union
/// default graph, under `GRAPH ?g`, `GRAPH <the right graph>`, `GRAPH <another graph>`
/// and `GRAPH <a graph that does not exist>`.
#[test]
fn every_combination_of_bound_positions_answers_alike() {
    let f = fixture();
    let (s, p, o) = (
        format!("<{}>", f.article.as_str()),
        "sg:hasTheme".to_string(),
        format!("<{}>", f.theme.as_str()),
    );
    let graphs = [
        None,
        Some("?g".to_string()),
        Some(format!("<{}>", f.graph.as_str())),
        Some(format!("<{}>", f.collection_graph.as_str())),
        Some("<https://example.org/no-such-graph>".to_string()),
    ];
    let mut queries = Vec::new();
    for mask in 0..8u8 {
        let pick = |bit: u8, bound: &str, var: &str| {
            if mask & bit != 0 {
                bound.to_string()
            } else {
                var.to_string()
            }
        };
        let pattern = format!(
            "{} {} {}",
            pick(1, &s, "?s"),
            pick(2, &p, "?p"),
            pick(4, &o, "?o")
        );
        for (i, graph) in graphs.iter().enumerate() {
            let body = match graph {
                None => format!("SELECT * WHERE {{ {pattern} }}"),
                Some(g) => format!("SELECT * WHERE {{ GRAPH {g} {{ {pattern} }} }}"),
            };
            // The pattern matches in the union, under GRAPH ?g and in the article graph.
            queries.push((body, Mode::Unordered, i <= 2));
        }
        // With the graph as a variable bound by VALUES (the graph bound per solution).
        queries.push((
            format!(
                "SELECT * WHERE {{ VALUES ?g {{ <{}> <{}> }} GRAPH ?g {{ {pattern} }} }}",
                f.graph.as_str(),
                f.collection_graph.as_str()
            ),
            Mode::Unordered,
            true,
        ));
    }
    compare_all(&queries);
}

#[test]
fn sparql_features_answer_alike() {
    let f = fixture();
    let article = f.article.as_str();
    let graph = f.graph.as_str();
    let collection = f.collection_graph.as_str();
    let base = &f.base;
    use Mode::*;
    let queries: Vec<(String, Mode, bool)> = vec![
        // FROM / FROM NAMED
        (format!("SELECT ?s ?t FROM <{graph}> WHERE {{ ?s dcterms:title ?t }}"), Unordered, true),
        (
            format!("SELECT ?g ?s ?c FROM NAMED <{graph}> FROM NAMED <{collection}> WHERE {{ GRAPH ?g {{ ?s a ?c }} }}"),
            Unordered,
            true,
        ),
        (
            format!("SELECT ?s ?c ?g FROM <{collection}> FROM NAMED <{graph}> WHERE {{ {{ ?s a ?c }} UNION {{ GRAPH ?g {{ ?s a ?c }} }} }}"),
            Unordered,
            true,
        ),
        (format!("SELECT ?g WHERE {{ GRAPH ?g {{ <{article}> ?p ?o }} }}"), Unordered, true),
        ("SELECT ?g WHERE { GRAPH ?g { } }".into(), Unordered, true),
        ("SELECT * FROM <https://example.org/no-graph> WHERE { ?s ?p ?o }".into(), Unordered, false),
        // Constants that are not in the data
        ("SELECT ?s WHERE { ?s dcterms:title \"No such title\" }".into(), Unordered, false),
        ("SELECT ?p ?o WHERE { <https://example.org/missing> ?p ?o }".into(), Unordered, false),
        ("SELECT ?s ?o WHERE { ?s <https://example.org/no-predicate> ?o }".into(), Unordered, false),
        ("ASK { ?s a <https://example.org/NoClass> }".into(), Unordered, false),
        (format!("ASK {{ <{article}> a schema:NewsArticle }}"), Unordered, true),
        // OPTIONAL
        (
            "SELECT ?a ?src ?d WHERE { ?a a schema:NewsArticle OPTIONAL { ?a dcterms:source ?src } OPTIONAL { ?a dcterms:date ?d } }".into(),
            Unordered,
            true,
        ),
        (
            "SELECT ?s ?h ?df WHERE { ?s a sg:Signal OPTIONAL { ?s sg:horizon ?h } OPTIONAL { ?s sg:drivenBy ?df } }".into(),
            Unordered,
            true,
        ),
        // FILTER: numbers, dates, strings, regex
        ("SELECT ?s ?r WHERE { ?s sg:row ?r FILTER(?r >= 2 && ?r < 5) }".into(), Unordered, true),
        ("SELECT ?f ?n WHERE { ?f sg:byteSize ?n FILTER(?n > 2000) }".into(), Unordered, true),
        (
            "SELECT ?a ?d WHERE { ?a dcterms:date ?d FILTER(?d >= \"2023-06-01\"^^xsd:date && ?d < \"2024-01-01\"^^xsd:date) }".into(),
            Unordered,
            true,
        ),
        ("SELECT ?a ?d WHERE { ?a dcterms:date ?d FILTER(YEAR(?d) = 2023 && MONTH(?d) <= 6) }".into(), Unordered, true),
        ("SELECT ?a ?t WHERE { ?a dcterms:title ?t FILTER(REGEX(?t, \"^[a-m]\", \"i\")) }".into(), Unordered, true),
        (
            "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(CONTAINS(LCASE(?l), \"ai\") || STRSTARTS(?l, \"Energy\")) }".into(),
            Unordered,
            true,
        ),
        ("SELECT ?s ?l WHERE { ?s rdfs:label ?l FILTER(LANG(?l) = \"en\") }".into(), Unordered, true),
        ("SELECT ?s ?o WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }".into(), Unordered, true),
        ("SELECT ?s ?o WHERE { ?s sg:row ?o FILTER(?o = 1) }".into(), Unordered, true),
        ("SELECT ?s WHERE { ?s sg:row ?o FILTER(sameTerm(?o, \"1\"^^xsd:integer)) }".into(), Unordered, true),
        // BIND: computed values, including ones equal to terms of the data
        (
            "SELECT ?a ?len WHERE { ?a dcterms:title ?t BIND(STRLEN(?t) AS ?len) FILTER(?len > 40) }".into(),
            Unordered,
            true,
        ),
        ("SELECT ?s WHERE { BIND(sg:Signal AS ?c) ?s a ?c }".into(), Unordered, true),
        (
            "SELECT ?a ?b WHERE { ?a dcterms:title ?t BIND(STR(?t) AS ?copy) ?b dcterms:title ?copy }".into(),
            Unordered,
            true,
        ),
        (
            "SELECT ?s ?x WHERE { ?s sg:row ?r BIND(?r + 1 AS ?x) ?y sg:row ?x FILTER(?y = ?s) }".into(),
            Unordered,
            false,
        ),
        (
            format!("SELECT ?a ?g WHERE {{ ?a a schema:NewsArticle BIND(IRI(CONCAT(\"{base}graph/article/\", STRAFTER(STR(?a), \"/article/\"))) AS ?g) GRAPH ?g {{ ?a dcterms:title ?t }} }}"),
            Unordered,
            true,
        ),
        // VALUES
        (
            "SELECT ?s ?c WHERE { VALUES ?c { sg:Signal sg:Section <https://example.org/Nothing> } ?s a ?c }".into(),
            Unordered,
            true,
        ),
        (
            "SELECT ?l ?c WHERE { ?c skos:prefLabel ?l VALUES (?l ?x) { (\"Geopolitics\" 1) (\"not a label\" 2) (UNDEF 3) } }".into(),
            Unordered,
            true,
        ),
        // UNION, MINUS, EXISTS
        ("SELECT ?s ?k WHERE { { ?s a sg:Theme BIND(\"t\" AS ?k) } UNION { ?s a sg:Keyword BIND(\"k\" AS ?k) } }".into(), Unordered, true),
        ("SELECT ?a WHERE { ?a a schema:NewsArticle MINUS { ?a dcterms:source ?x } }".into(), Unordered, false),
        ("SELECT ?a WHERE { ?a a schema:NewsArticle MINUS { ?a sg:closestTo ?x } }".into(), Unordered, false),
        ("SELECT ?s WHERE { ?s a sg:Signal FILTER NOT EXISTS { ?s sg:drivenBy ?d } }".into(), Unordered, false),
        ("SELECT ?s WHERE { ?s a sg:Signal FILTER EXISTS { ?s sg:drivenBy ?d } }".into(), Unordered, true),
        // Property paths
        ("SELECT ?a ?df WHERE { ?a sg:hasSignal/sg:drivenBy ?df }".into(), Unordered, true),
        ("SELECT ?a ?b WHERE { ?a sg:closestTo+ ?b }".into(), Unordered, true),
        (format!("SELECT ?b WHERE {{ <{article}> sg:closestTo* ?b }}"), Unordered, true),
        ("SELECT ?s ?a WHERE { ?s ^sg:hasSignal ?a }".into(), Unordered, true),
        ("SELECT ?a ?c WHERE { ?a sg:hasTheme|sg:hasKeyword ?c }".into(), Unordered, true),
        ("SELECT ?a ?l WHERE { ?a (sg:hasTheme/skos:inScheme)/skos:prefLabel ?l }".into(), Unordered, true),
        ("SELECT ?c ?super WHERE { ?c rdfs:subClassOf* ?super }".into(), Unordered, true),
        ("SELECT ?x ?y WHERE { ?x !(rdf:type|dcterms:title) ?y FILTER(isLiteral(?y)) }".into(), Unordered, true),
        // GROUP BY with aggregates
        (
            "SELECT ?theme (COUNT(?a) AS ?n) WHERE { ?a sg:hasTheme ?t . ?t skos:prefLabel ?theme } GROUP BY ?theme".into(),
            Unordered,
            true,
        ),
        (
            "SELECT ?theme (COUNT(?a) AS ?n) WHERE { ?a sg:hasTheme ?t . ?t skos:prefLabel ?theme } GROUP BY ?theme ORDER BY DESC(?n) ?theme LIMIT 5".into(),
            Ordered,
            true,
        ),
        (
            "SELECT ?a (SUM(?r) AS ?total) (MAX(?r) AS ?max) (AVG(?r) AS ?avg) (COUNT(DISTINCT ?s) AS ?n) WHERE { ?a sg:hasSignal ?s . ?s sg:row ?r } GROUP BY ?a HAVING (COUNT(?s) > 1)".into(),
            Unordered,
            true,
        ),
        (
            "SELECT ?a (GROUP_CONCAT(?l; separator=\";\") AS ?themes) WHERE { ?a sg:hasTheme ?t . ?t skos:prefLabel ?l } GROUP BY ?a".into(),
            ConcatSorted,
            true,
        ),
        ("SELECT (SUM(?n) AS ?bytes) (MIN(?n) AS ?least) WHERE { ?f sg:byteSize ?n }".into(), Unordered, true),
        ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g".into(), Unordered, true),
        ("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p".into(), Unordered, true),
        // ORDER BY with LIMIT / OFFSET, DISTINCT, REDUCED
        ("SELECT ?a ?t WHERE { ?a dcterms:title ?t } ORDER BY ?t ?a LIMIT 10 OFFSET 5".into(), Ordered, true),
        ("SELECT ?a ?d WHERE { ?a dcterms:date ?d } ORDER BY DESC(?d) ?a OFFSET 3".into(), Ordered, true),
        ("SELECT DISTINCT ?p WHERE { ?s ?p ?o }".into(), Unordered, true),
        ("SELECT DISTINCT ?c WHERE { ?s a ?c } ORDER BY ?c".into(), Ordered, true),
        ("SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s sg:hasKeyword ?o }".into(), Unordered, true),
        // Subqueries
        (
            "SELECT ?theme ?n WHERE { { SELECT ?t (COUNT(?a) AS ?n) WHERE { ?a sg:hasTheme ?t } GROUP BY ?t } ?t skos:prefLabel ?theme } ORDER BY DESC(?n) ?theme".into(),
            Ordered,
            true,
        ),
        (
            "SELECT ?a ?t WHERE { { SELECT ?a WHERE { ?a a schema:NewsArticle } ORDER BY ?a LIMIT 3 } ?a dcterms:title ?t }".into(),
            Unordered,
            true,
        ),
        // CONSTRUCT, DESCRIBE, ASK
        (
            "CONSTRUCT { ?a sg:hasTheme ?t . ?t skos:prefLabel ?l } WHERE { ?a sg:hasTheme ?t . ?t skos:prefLabel ?l }".into(),
            Unordered,
            true,
        ),
        (format!("CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"), Unordered, true),
        (format!("DESCRIBE <{article}>"), Unordered, true),
        ("DESCRIBE ?c WHERE { ?c a sg:Theme } ORDER BY ?c LIMIT 3".into(), Unordered, true),
        ("ASK { ?s sg:closestTo ?s }".into(), Unordered, false),
        ("ASK { ?a sg:hasSignal/sg:drivenBy ?df }".into(), Unordered, true),
    ];
    assert!(queries.len() >= 25);
    compare_all(&queries);
}

// ---------------------------------------------------------------------------
// Hand-made quads: default graph, blank nodes, duplicates

fn ex(local: &str) -> NamedNode {
    NamedNode::new_unchecked(format!("http://example.com/{local}"))
}

fn hand_made() -> Vec<Quad> {
    let b1 = BlankNode::new_unchecked("b1");
    let bg = BlankNode::new_unchecked("bg");
    let anonymous = BlankNode::new_from_unique_id(0x1234);
    vec![
        Quad::new(ex("s"), ex("p"), ex("o"), GraphName::DefaultGraph),
        Quad::new(ex("s"), ex("p"), ex("o"), GraphName::DefaultGraph),
        Quad::new(
            b1.clone(),
            ex("p"),
            Literal::new_language_tagged_literal_unchecked("lit", "en"),
            GraphName::DefaultGraph,
        ),
        Quad::new(ex("s"), ex("p"), b1.clone(), ex("g1")),
        Quad::new(
            ex("s"),
            ex("q"),
            Literal::new_typed_literal("5", xsd::INTEGER),
            ex("g1"),
        ),
        Quad::new(
            ex("s"),
            ex("q"),
            Literal::new_typed_literal("5", xsd::INTEGER),
            ex("g1"),
        ),
        Quad::new(ex("s"), ex("q"), Literal::new_simple_literal("5"), ex("g1")),
        // A typed xsd:string literal is the simple literal.
        Quad::new(
            ex("s"),
            ex("q"),
            Literal::new_typed_literal("5", xsd::STRING),
            ex("g1"),
        ),
        Quad::new(anonymous.clone(), ex("p"), ex("o"), bg.clone()),
        Quad::new(ex("s"), ex("p"), ex("o"), ex("g2")),
        Quad::new(ex("g1"), ex("p"), ex("g2"), ex("g2")),
        // A term that is an IRI in one place and a literal with the same text in another.
        Quad::new(
            ex("s"),
            ex("r"),
            Literal::new_simple_literal("http://example.com/o"),
            ex("g2"),
        ),
    ]
}

fn frozen_of(batches: &[Vec<Quad>]) -> FrozenDataset {
    let mut builder = FrozenDataset::builder();
    for batch in batches {
        builder.add(batch.clone());
    }
    builder.finish()
}

fn sorted_strings<'a>(quads: impl Iterator<Item = QuadRef<'a>>) -> Vec<String> {
    let mut v: Vec<String> = quads.map(|q| q.to_string()).collect();
    v.sort();
    v
}

#[test]
fn hand_made_quads_with_default_graph_blank_nodes_and_duplicates() {
    let quads = hand_made();
    let dataset: Dataset = quads.iter().cloned().collect();
    let frozen = frozen_of(&[quads[..5].to_vec(), quads[5..].to_vec()]);
    assert_eq!(frozen.len(), dataset.len());
    assert_eq!(frozen.len(), 9, "three duplicates removed");
    assert_eq!(
        sorted_strings(frozen.iter()),
        sorted_strings(dataset.iter())
    );

    let graphs: Vec<String> = frozen.named_graphs().map(|g| g.to_string()).collect();
    assert_eq!(
        graphs,
        ["<http://example.com/g1>", "<http://example.com/g2>", "_:bg"],
        "IRIs sorted, then blank nodes"
    );

    // The default graph alone, and every graph.
    let default: Vec<String> = sorted_strings(frozen.quads_for_pattern(
        None,
        None,
        None,
        Some(GraphNameRef::DefaultGraph),
    ));
    assert_eq!(default.len(), 2);
    assert_eq!(
        sorted_strings(frozen.quads_for_pattern(None, None, None, None)).len(),
        frozen.len()
    );
    let spo = frozen
        .quads_for_pattern(
            Some(ex("s").as_ref().into()),
            Some(ex("p").as_ref()),
            Some(ex("o").as_ref().into()),
            None,
        )
        .count();
    assert_eq!(spo, 2, "in the default graph and in g2");
    let literal_subject = Literal::new_simple_literal("x");
    assert_eq!(
        frozen
            .quads_for_pattern(Some(literal_subject.as_ref().into()), None, None, None)
            .count(),
        0
    );
    assert_eq!(
        frozen
            .quads_for_pattern(
                None,
                None,
                Some(
                    Literal::new_simple_literal("http://example.com/o")
                        .as_ref()
                        .into()
                ),
                None
            )
            .count(),
        1,
        "a literal is not the IRI with the same text"
    );

    // SPARQL with the standard dataset (the default graph is the default graph):
    // the frozen dataset, oxigraph's store and spareval's `&Dataset` agree.
    let store = Store::new().unwrap();
    store.extend(quads.iter().cloned()).unwrap();
    let queries = [
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?g WHERE { GRAPH ?g { } }",
        "SELECT * WHERE { GRAPH <http://example.com/g1> { ?s ?p ?o } }",
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?g)) }",
        "SELECT ?s WHERE { ?s ?p \"lit\"@en }",
        "SELECT ?s ?o WHERE { ?s <http://example.com/q> ?o }",
        "SELECT ?s ?o WHERE { GRAPH ?g { ?s <http://example.com/q> ?o FILTER(?o = 5) } }",
        "SELECT ?s ?o WHERE { GRAPH ?g { ?s <http://example.com/q> \"5\" } }",
        "SELECT * FROM <http://example.com/g2> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <http://example.com/g2> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT ?x WHERE { GRAPH ?g { ?x ?p ?o } FILTER(isBlank(?x)) }",
        "ASK { <http://example.com/s> <http://example.com/p> <http://example.com/o> }",
        "CONSTRUCT { ?o ?p ?s } WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
    ];
    for query in queries {
        let expected = normalise(
            SparqlEvaluator::new()
                .parse_query(query)
                .unwrap()
                .on_store(&store)
                .execute()
                .unwrap(),
            Mode::Unordered,
        );
        assert_eq!(
            on_frozen(&frozen, query, Mode::Unordered, false),
            expected,
            "{query}"
        );
        assert_eq!(
            on_oxrdf(&dataset, query, Mode::Unordered, false),
            expected,
            "{query}"
        );
    }

    // With the default graph as the union: spareval's contract is the union of
    // the *named* graphs (as spareval's own `&Dataset` does).
    for query in [
        "SELECT * WHERE { ?s ?p ?o }",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    ] {
        assert_eq!(
            on_frozen(&frozen, query, Mode::Unordered, true),
            on_oxrdf(&dataset, query, Mode::Unordered, true),
            "{query}"
        );
    }
}

/// Quads where triples are in several named graphs (and one also in the
/// default graph), as analysis graphs repeat `sg:degree` facts.
fn shared_triples() -> Vec<Quad> {
    let mut quads = Vec::new();
    for (i, graph) in ["g1", "g2", "g3"].into_iter().enumerate() {
        // In every graph: the same three triples, with a literal and a path.
        quads.push(Quad::new(ex("a"), ex("p"), ex("b"), ex(graph)));
        quads.push(Quad::new(ex("b"), ex("p"), ex("c"), ex(graph)));
        quads.push(Quad::new(
            ex("a"),
            ex("degree"),
            Literal::new_typed_literal("2", xsd::INTEGER),
            ex(graph),
        ));
        // Only in this graph.
        quads.push(Quad::new(
            ex("a"),
            ex("q"),
            Literal::new_typed_literal(i.to_string(), xsd::INTEGER),
            ex(graph),
        ));
    }
    quads.push(Quad::new(
        ex("b"),
        ex("p"),
        ex("c"),
        GraphName::DefaultGraph,
    ));
    quads.push(Quad::new(
        ex("z"),
        ex("p"),
        ex("a"),
        GraphName::DefaultGraph,
    ));
    quads.push(Quad::new(
        BlankNode::new_unchecked("x"),
        ex("p"),
        ex("a"),
        ex("g2"),
    ));
    quads
}

/// The union default graph is the RDF merge of the named graphs: a triple in
/// three graphs is in it once, while `GRAPH ?g` still sees every copy. The
/// oracle is spareval's own `&Dataset` holding the named graphs as they are
/// and, as its default graph, each of their triples once.
#[test]
fn the_union_default_graph_holds_each_triple_once() {
    let quads = shared_triples();
    let frozen = frozen_of(&[quads[..5].to_vec(), quads[5..].to_vec()]);
    let named: Vec<&Quad> = quads
        .iter()
        .filter(|q| !q.graph_name.is_default_graph())
        .collect();
    let merge: BTreeSet<String> = named
        .iter()
        .map(|q| format!("{} {} {}", q.subject, q.predicate, q.object))
        .collect();
    assert!(merge.len() < named.len(), "the data repeats triples");
    let mut oracle: Dataset = named.iter().map(|q| (*q).clone()).collect();
    for q in &named {
        oracle.insert(&Quad::new(
            q.subject.clone(),
            q.predicate.clone(),
            q.object.clone(),
            GraphName::DefaultGraph,
        ));
    }
    let queries = [
        "SELECT * WHERE { ?s ?p ?o }".to_string(),
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }".to_string(),
        "SELECT ?o WHERE { <http://example.com/a> ?p ?o }".to_string(),
        "SELECT ?s WHERE { ?s <http://example.com/p> ?o }".to_string(),
        "SELECT ?s ?p WHERE { ?s ?p <http://example.com/c> }".to_string(),
        "SELECT * WHERE { <http://example.com/a> <http://example.com/p> ?o }".to_string(),
        "SELECT * WHERE { ?s <http://example.com/p> <http://example.com/b> }".to_string(),
        "SELECT * WHERE { <http://example.com/a> ?p <http://example.com/b> }".to_string(),
        "ASK { <http://example.com/a> <http://example.com/p> <http://example.com/b> }".to_string(),
        "SELECT (SUM(?d) AS ?total) WHERE { ?s <http://example.com/degree> ?d }".to_string(),
        "SELECT ?x ?z WHERE { ?x <http://example.com/p> ?y . ?y <http://example.com/p> ?z }"
            .to_string(),
        "SELECT ?z WHERE { <http://example.com/a> <http://example.com/p>/<http://example.com/p> ?z }"
            .to_string(),
        "SELECT ?z WHERE { <http://example.com/a> <http://example.com/p>+ ?z }".to_string(),
        "SELECT ?x WHERE { ?x ^<http://example.com/p> <http://example.com/b> }".to_string(),
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }".to_string(),
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://example.com/p> ?o } }".to_string(),
        "SELECT ?g WHERE { GRAPH ?g { <http://example.com/a> <http://example.com/p> ?o } }"
            .to_string(),
        "SELECT ?s ?g WHERE { ?s <http://example.com/p> ?o GRAPH ?g { ?s ?q ?r } }".to_string(),
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }".to_string(),
        "DESCRIBE <http://example.com/a>".to_string(),
        "SELECT * FROM <http://example.com/g1> WHERE { ?s ?p ?o }".to_string(),
    ];
    for query in &queries {
        assert_eq!(
            on_frozen(&frozen, query, Mode::Unordered, true),
            on_oxrdf(&oracle, query, Mode::Unordered, false),
            "{query}"
        );
    }
    // Every copy under GRAPH ?g, each triple once in the default graph.
    let count = |query: &str| match on_frozen(&frozen, query, Mode::Unordered, true) {
        Answer::Solutions(rows) => rows.len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(count("SELECT * WHERE { ?s ?p ?o }"), merge.len());
    assert_eq!(
        count("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"),
        named.len()
    );
    // Jena's name for the union graph names it in a query too.
    assert_eq!(
        count(&format!(
            "SELECT * WHERE {{ GRAPH <{UNION_GRAPH}> {{ ?s ?p ?o }} }}"
        )),
        merge.len()
    );

    // The query module (the `query` command and the endpoint) uses this union.
    let mut out = Vec::new();
    signalgraph::query::run(
        &frozen,
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        Some(signalgraph::query::ResultFormat::Csv),
        "http://example.com/",
        &mut out,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap().trim(),
        format!("n\r\n{}", merge.len())
    );
}

#[test]
fn an_empty_dataset_answers_nothing() {
    let frozen = FrozenDataset::builder().finish();
    assert!(frozen.is_empty());
    assert_eq!(frozen.len(), 0);
    assert_eq!(frozen.iter().count(), 0);
    assert_eq!(frozen.named_graphs().count(), 0);
    assert_eq!(frozen.quads_for_pattern(None, None, None, None).count(), 0);
    assert_eq!(
        on_frozen(
            &frozen,
            "SELECT * WHERE { ?s ?p ?o }",
            Mode::Unordered,
            true
        ),
        Answer::Solutions(vec![])
    );
    assert_eq!(
        on_frozen(&frozen, "ASK { GRAPH ?g { } }", Mode::Unordered, true),
        Answer::Boolean(false)
    );
    let mut builder = FrozenDataset::builder();
    builder.add(Vec::new());
    assert!(builder.finish().is_empty());
}

// ---------------------------------------------------------------------------
// Determinism

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn the_same_batches_give_the_same_dataset_whatever_the_threads() {
    let f = fixture();
    let iterate = |d: &FrozenDataset| -> Vec<String> { d.iter().map(|q| q.to_string()).collect() };
    let one = in_pool(1, || frozen_of(&f.batches));
    let four = in_pool(4, || frozen_of(&f.batches));
    let first = iterate(&one);
    assert_eq!(first.len(), f.frozen.len());
    assert_eq!(first, iterate(&four), "1 thread vs 4 threads");
    assert_eq!(
        first,
        iterate(&f.frozen),
        "a second build on the global pool"
    );
    // Ids depend on the order of the quads, not on how they are split into batches.
    let all: Vec<Quad> = f.batches.iter().flatten().cloned().collect();
    let single = frozen_of(&[all]);
    assert_eq!(first, iterate(&single), "one batch");
    // The order is by graph: all quads of a graph are together.
    let graphs: Vec<String> = one.iter().map(|q| q.graph_name.to_string()).collect();
    let mut seen = BTreeSet::new();
    for pair in graphs.chunk_by(|a, b| a == b) {
        assert!(seen.insert(pair[0].clone()), "graph {} split", pair[0]);
    }
}

/// A generated collection large enough that a batch spans many interning
/// pieces (4096 quads each) and the per-piece term cache evicts: the same
/// quads as oxigraph, the same SPARQL answers, and the same ids whatever the
/// threads and batch sizes.
#[test]
fn a_generated_collection_of_many_pieces_matches_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    let opts = signalgraph::generate::GenerateOptions {
        articles: 300,
        seed: 7,
        ..Default::default()
    };
    signalgraph::generate::generate(&opts, &seeds).unwrap();
    let dir = StoreDir::new(tmp.path().join("store"));
    let build_opts = BuildOptions {
        paths: vec![seeds],
        ..BuildOptions::default()
    };
    build(&dir, &build_opts, &NoProgress).unwrap();
    let (c, iris) = load_collection(&dir).unwrap();
    let mut all = Vec::new();
    for i in 0..c.articles.len() {
        article_quads(&c, i, &iris, &mut all);
    }
    collection_quads(&c, &iris, &mut all);
    all.extend(ontology_quads(&iris).unwrap());
    assert!(all.len() > 4 * 4096, "several pieces: {} quads", all.len());

    let store = Store::new().unwrap();
    let mut loader = store.bulk_loader();
    loader.load_quads(all.iter().cloned()).unwrap();
    loader.commit().unwrap();
    let batches: Vec<Vec<Quad>> = all.chunks(5000).map(<[Quad]>::to_vec).collect();
    let frozen = in_pool(2, || frozen_of(&batches));
    assert_eq!(frozen.len(), store.len().unwrap());
    let mut expected: Vec<String> = store.iter().map(|q| q.unwrap().to_string()).collect();
    expected.sort();
    assert_eq!(sorted_strings(frozen.iter()), expected);

    let iterate = |d: &FrozenDataset| -> Vec<String> { d.iter().map(|q| q.to_string()).collect() };
    let first = iterate(&frozen);
    assert_eq!(first, iterate(&in_pool(1, || frozen_of(&[all.clone()]))));
    assert_eq!(first, iterate(&in_pool(3, || frozen_of(&batches))));

    let header = prefixes();
    for body in [
        "SELECT ?theme (COUNT(?a) AS ?n) WHERE { ?a sg:hasTheme ?t . ?t skos:prefLabel ?theme } GROUP BY ?theme",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a sg:closestTo+ ?b }",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        "SELECT ?df (COUNT(?s) AS ?n) WHERE { ?a sg:hasSignal ?s . ?s sg:drivenBy ?df } GROUP BY ?df",
        "SELECT ?a ?d WHERE { ?a dcterms:date ?d FILTER(?d < \"2020-01-01\"^^xsd:date) }",
    ] {
        let query = format!("{header}{body}");
        let expected = on_store(&store, &query, Mode::Unordered);
        assert!(expected.size() > 0, "{body}");
        assert_eq!(on_frozen(&frozen, &query, Mode::Unordered, true), expected, "{body}");
    }
}

/// A batch larger than one interning round (2^18 quads), with duplicates
/// far apart and the default graph: the same dataset as many small batches.
#[test]
fn a_batch_larger_than_a_round_is_split_alike() {
    let quads: Vec<Quad> = (0..300_000usize)
        .map(|i| {
            // Every quad twice, 150 000 quads apart (in different rounds).
            let i = i % 150_000;
            let graph: GraphName = if i % 11 == 0 {
                GraphName::DefaultGraph
            } else {
                ex(&format!("g{}", i % 300)).into()
            };
            Quad::new(
                ex(&format!("s{}", i % 5000)),
                ex(&format!("p{}", i % 7)),
                Literal::new_simple_literal(format!("{}", i % 20_000)),
                graph,
            )
        })
        .collect();
    let distinct: std::collections::HashSet<&Quad> = quads.iter().collect();
    let one = frozen_of(std::slice::from_ref(&quads));
    let many = frozen_of(
        &quads
            .chunks(7_000)
            .map(<[Quad]>::to_vec)
            .collect::<Vec<_>>(),
    );
    assert_eq!(one.len(), distinct.len());
    assert!(one.len() < quads.len(), "there are duplicates");
    assert!(one.iter().eq(many.iter()), "the same ids and order");
    let s7 = ex("s7");
    let expected = distinct
        .iter()
        .filter(|q| q.subject.as_ref() == s7.as_ref().into() && q.graph_name.is_default_graph())
        .count();
    assert!(expected > 0);
    let got = one
        .quads_for_pattern(
            Some(s7.as_ref().into()),
            None,
            None,
            Some(GraphNameRef::DefaultGraph),
        )
        .count();
    assert_eq!(got, expected);
}

// ---------------------------------------------------------------------------
// Pattern lookups against oxigraph::model::Dataset

fn vocabulary() -> (Vec<Term>, Vec<NamedNode>, Vec<GraphName>) {
    let terms = vec![
        ex("a").into(),
        ex("b").into(),
        ex("c").into(),
        BlankNode::new_unchecked("x").into(),
        BlankNode::new_from_unique_id(7).into(),
        Literal::new_simple_literal("a").into(),
        Literal::new_simple_literal("http://example.com/a").into(),
        Literal::new_language_tagged_literal_unchecked("a", "en").into(),
        Literal::new_typed_literal("1", xsd::INTEGER).into(),
        Literal::new_typed_literal("01", xsd::INTEGER).into(),
        Literal::new_simple_literal("").into(),
    ];
    let predicates = vec![ex("p"), ex("q"), ex("a")];
    let graphs = vec![
        GraphName::DefaultGraph,
        ex("g").into(),
        ex("a").into(),
        BlankNode::new_unchecked("x").into(),
    ];
    (terms, predicates, graphs)
}

/// A quad from vocabulary indices (subjects are the non-literal terms).
fn quad_of(s: usize, p: usize, o: usize, g: usize) -> Quad {
    let (terms, predicates, graphs) = vocabulary();
    let subject: NamedOrBlankNode = match &terms[s % 5] {
        Term::NamedNode(n) => n.clone().into(),
        Term::BlankNode(b) => b.clone().into(),
        Term::Literal(_) => ex("the-first-five-terms-are-not-literals").into(),
    };
    Quad::new(
        subject,
        predicates[p % predicates.len()].clone(),
        terms[o % terms.len()].clone(),
        graphs[g % graphs.len()].clone(),
    )
}

/// A pattern position: `None` (any), or a vocabulary term, or a term not in any quad.
fn pattern_term(choice: Option<usize>) -> Option<Term> {
    let (terms, _, _) = vocabulary();
    choice.map(|i| {
        terms
            .get(i)
            .cloned()
            .unwrap_or_else(|| ex("never-used").into())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn pattern_lookups_match_a_plain_dataset(
        quads in prop::collection::vec((0..5usize, 0..3usize, 0..11usize, 0..4usize), 0..40),
        split in 0..40usize,
        patterns in prop::collection::vec(
            (
                prop::option::of(0..12usize),
                prop::option::of(0..4usize),
                prop::option::of(0..12usize),
                prop::option::of(0..5usize),
            ),
            1..20,
        ),
    ) {
        let quads: Vec<Quad> = quads.into_iter().map(|(s, p, o, g)| quad_of(s, p, o, g)).collect();
        let dataset: Dataset = quads.iter().cloned().collect();
        let split = split.min(quads.len());
        let frozen = frozen_of(&[quads[..split].to_vec(), quads[split..].to_vec()]);
        prop_assert_eq!(frozen.len(), dataset.len());
        prop_assert_eq!(sorted_strings(frozen.iter()), sorted_strings(dataset.iter()));

        let (_, predicates, graphs) = vocabulary();
        for (s, p, o, g) in patterns {
            let s = pattern_term(s);
            let p: Option<NamedNode> =
                p.map(|i| predicates.get(i).cloned().unwrap_or_else(|| ex("never-used")));
            let o = pattern_term(o);
            let g: Option<GraphName> =
                g.map(|i| graphs.get(i).cloned().unwrap_or_else(|| ex("never-used").into()));
            let expected: Vec<String> = {
                let mut v: Vec<String> = dataset
                    .iter()
                    .filter(|q| {
                        s.as_ref().is_none_or(|s| TermRef::from(q.subject) == s.as_ref())
                            && p.as_ref().is_none_or(|p| q.predicate == p.as_ref())
                            && o.as_ref().is_none_or(|o| q.object == o.as_ref())
                            && g.as_ref().is_none_or(|g| q.graph_name == g.as_ref())
                    })
                    .map(|q| q.to_string())
                    .collect();
                v.sort();
                v
            };
            let got = sorted_strings(frozen.quads_for_pattern(
                s.as_ref().map(Term::as_ref),
                p.as_ref().map(NamedNode::as_ref),
                o.as_ref().map(Term::as_ref),
                g.as_ref().map(GraphName::as_ref),
            ));
            prop_assert_eq!(got, expected, "pattern {:?} {:?} {:?} {:?}", s, p, o, g);
        }
    }
}
