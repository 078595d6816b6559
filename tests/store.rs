//! The store end to end through the library: vocabulary coverage, determinism, counts.

use proptest::prelude::*;
use signalgraph::build::{build, load_collection, BuildOptions, NoProgress};
use signalgraph::generate::{generate, GenerateOptions};
use signalgraph::query::{self, ResultFormat};
use signalgraph::seed::Severity;
use signalgraph::store::{self, StoreDir};
use std::path::Path;

fn build_into(store_dir: &Path, seeds: &Path) -> signalgraph::build::BuildReport {
    let opts = BuildOptions {
        paths: vec![seeds.to_path_buf()],
        ..BuildOptions::default()
    };
    build(&StoreDir::new(store_dir), &opts, &NoProgress).expect("build")
}

/// The sorted N-Quads of a store, and its quad count.
fn dump(store_dir: &Path) -> (String, usize) {
    let dir = StoreDir::new(store_dir);
    let (c, iris) = load_collection(&dir).unwrap();
    let rdf = store::open_rdf(&dir, &c, &iris, &signalgraph::progress::NoProgress).unwrap();
    let mut out = Vec::new();
    store::write_sorted_nquads(&rdf, &mut out).unwrap();
    (String::from_utf8(out).unwrap(), rdf.len())
}

fn csv(store_dir: &Path, q: &str) -> String {
    let dir = StoreDir::new(store_dir);
    let (c, iris) = load_collection(&dir).unwrap();
    let rdf = store::open_rdf(&dir, &c, &iris, &signalgraph::progress::NoProgress).unwrap();
    let mut out = Vec::new();
    query::run(&rdf, q, Some(ResultFormat::Csv), iris.base(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_class_and_property_used_is_declared_in_the_ontology() {
    let tmp = tempfile::tempdir().unwrap();
    let report = build_into(tmp.path(), Path::new("seeds"));
    assert_eq!(report.stats.articles.read, 47);
    let q = r#"
        SELECT DISTINCT ?term WHERE {
          GRAPH ?g { { ?s ?term ?o } UNION { ?s a ?term } }
          FILTER (?g != <https://w3id.org/signalgraph/ontology>)
          FILTER (?term != rdf:type)
          FILTER NOT EXISTS {
            GRAPH <https://w3id.org/signalgraph/ontology> {
              ?term a ?kind .
              VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property }
            }
          }
        } ORDER BY ?term"#;
    assert_eq!(
        csv(tmp.path(), q),
        "term\r\n",
        "terms used but not declared"
    );
    // And the check is not vacuous: the data uses many declared terms.
    let used = csv(
        tmp.path(),
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != <https://w3id.org/signalgraph/ontology>) }",
    );
    let n: usize = used.lines().nth(1).unwrap().parse().unwrap();
    assert!(n >= 30, "{n} predicates used");
}

#[test]
fn sample_collection_counts_agree_with_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    build_into(tmp.path(), Path::new("seeds"));
    let stats = store::stats(&StoreDir::new(tmp.path())).unwrap();
    let (_, quads) = dump(tmp.path());
    assert_eq!(stats.triples, quads as u64);
    assert_eq!(stats.articles.read, 47);
    assert_eq!(stats.closest_links.unresolved, 4);
    assert_eq!(stats.closest_links.resolved_by_title, 2);
    let graphs = csv(
        tmp.path(),
        "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    );
    assert_eq!(graphs, format!("n\r\n{}\r\n", stats.graphs));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Any generated collection builds without diagnostics, and building it
    /// twice (into two stores) gives byte-identical dumps.
    #[test]
    fn generated_collections_build_deterministically(articles in 1usize..120, seed in any::<u64>()) {
        let tmp = tempfile::tempdir().unwrap();
        let seeds = tmp.path().join("seeds");
        let opts = GenerateOptions { articles, seed, ..GenerateOptions::default() };
        generate(&opts, &seeds).unwrap();
        let a = build_into(&tmp.path().join("a"), &seeds);
        let problems: Vec<String> = a
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Note)
            .map(|d| d.to_string())
            .collect();
        prop_assert!(problems.is_empty(), "{:?}", problems);
        prop_assert_eq!(a.stats.articles.read, articles);
        build_into(&tmp.path().join("b"), &seeds);
        let (dump_a, quads) = dump(&tmp.path().join("a"));
        let (dump_b, _) = dump(&tmp.path().join("b"));
        prop_assert!(dump_a == dump_b, "dumps differ");
        let stats = store::stats(&StoreDir::new(tmp.path().join("a"))).unwrap();
        prop_assert_eq!(stats.triples, quads as u64);
    }
}

/// The SPARQL examples of ontology/README.md run on the sample collection, and
/// the first four (the analysis example and the three analyst queries) return rows.
#[test]
fn ontology_readme_queries_run_on_the_sample() {
    let tmp = tempfile::tempdir().unwrap();
    build_into(tmp.path(), Path::new("seeds"));
    // The analysis example needs `analyze --projection full`.
    let dir = StoreDir::new(tmp.path());
    let (c, iris) = load_collection(&dir).unwrap();
    let graph = signalgraph::graph::ProjectedGraph::build(
        &c,
        signalgraph::graph::Projection::Full,
        &Default::default(),
    );
    let analysis = signalgraph::analyze::analyze(&graph.to_csr(), &Default::default()).unwrap();
    let quads = signalgraph::analyze::rdf::analysis_quads(&analysis, &graph, &c, &iris);
    dir.write_graph("analysis-full", &quads).unwrap();
    let readme = std::fs::read_to_string("ontology/README.md").unwrap();
    let blocks: Vec<&str> = readme
        .split("```sparql\n")
        .skip(1)
        .map(|rest| rest.split("```").next().unwrap())
        .collect();
    assert!(blocks.len() >= 3, "{} SPARQL blocks", blocks.len());
    for (i, q) in blocks.iter().enumerate() {
        let rows = csv(tmp.path(), q).lines().count() - 1;
        if i < 4 {
            assert!(rows > 0, "query {} returns no rows on seeds/", i + 1);
        }
    }
}

/// Graph files carry their seal: what they hold is counted without parsing,
/// an empty graph is a valid file, and any cut or changed byte is caught.
#[test]
fn graph_files_are_sealed_and_checked() {
    use oxigraph::model::{GraphName, Literal, NamedNode, Quad};
    let tmp = tempfile::tempdir().unwrap();
    let dir = StoreDir::new(tmp.path());
    let g = GraphName::NamedNode(NamedNode::new_unchecked("https://example.org/g"));
    let quads: Vec<Quad> = (0..500)
        .map(|i| {
            Quad::new(
                NamedNode::new_unchecked(format!("https://example.org/s{i}")),
                NamedNode::new_unchecked("https://example.org/p"),
                Literal::from(i),
                g.clone(),
            )
        })
        .collect();
    dir.write_graph("analysis-articles", &quads).unwrap();
    dir.write_graph("analysis-concepts", &[]).unwrap();
    let path = dir.graph_file("analysis-articles");
    let sealed = store::verify_graph_file(&path).unwrap();
    assert_eq!((sealed.quads, sealed.graphs), (500, 1));
    assert_eq!(store::read_graph_file(&path).unwrap(), quads);
    let empty = dir.graph_file("analysis-concepts");
    assert_eq!(store::verify_graph_file(&empty).unwrap().quads, 0);
    assert!(store::read_graph_file(&empty).unwrap().is_empty());
    assert_eq!(store::count_graph_file_quads(&dir).unwrap(), (500, 1));

    let good = std::fs::read(&path).unwrap();
    let line_ends: Vec<usize> = good
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    // Every cut at a line boundary, and every changed byte of a sample.
    for &end in &line_ends[..line_ends.len() - 1] {
        std::fs::write(&path, &good[..end]).unwrap();
        let e = store::verify_graph_file(&path).unwrap_err().to_string();
        assert!(e.contains("damaged (no checksum line"), "cut at {end}: {e}");
    }
    for at in (0..good.len()).step_by(97) {
        let mut bytes = good.clone();
        bytes[at] ^= 0x04;
        std::fs::write(&path, &bytes).unwrap();
        assert!(
            store::read_graph_file(&path).is_err(),
            "byte {at} changed unnoticed"
        );
    }
    std::fs::write(&path, &good).unwrap();
    let aside = dir.set_aside_damaged_graphs().unwrap();
    assert!(aside.is_empty());
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let aside = dir.set_aside_damaged_graphs().unwrap();
    assert_eq!(aside.len(), 1);
    assert_eq!(aside[0].path, path);
    assert!(aside[0]
        .fix
        .contains("signalgraph analyze --projection articles"));
    assert!(!path.exists() && aside[0].aside.exists());
    assert_eq!(store::count_graph_file_quads(&dir).unwrap(), (0, 0));
}
