//! The store end to end through the library: vocabulary coverage, determinism, counts.

use proptest::prelude::*;
use signalgraph::build::{build, load_collection, BuildOptions, NoProgress};
use signalgraph::generate::{generate, GenerateOptions};
use signalgraph::graph::stored;
use signalgraph::graph::{EdgeKind, NodeRef, ProjectedGraph, Projection, ProjectionOptions};
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

/// The stored articles projection of the store in `dir`, or why it is not used.
fn stored_projection(dir: &StoreDir) -> Result<ProjectedGraph, String> {
    stored::load(dir, &ProjectionOptions::default())
}

/// An edge's ends, kind and the bits of its weight.
type EdgeBits = (usize, usize, EdgeKind, u64);

/// Nodes, then edges in petgraph's order.
fn shape(g: &ProjectedGraph) -> (Vec<NodeRef>, Vec<EdgeBits>) {
    let nodes = g.graph.node_weights().copied().collect();
    let edges = g
        .graph
        .raw_edges()
        .iter()
        .map(|e| {
            let (u, v) = (e.source().index(), e.target().index());
            (u, v, e.weight.kind, e.weight.weight.to_bits())
        })
        .collect();
    (nodes, edges)
}

/// The articles projection rebuilt from the store's collection.
fn rebuilt(dir: &StoreDir) -> ProjectedGraph {
    let (c, _) = load_collection(dir).unwrap();
    ProjectedGraph::build(&c, Projection::Articles, &ProjectionOptions::default())
}

fn analyze_verbose(store_dir: &Path) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_signalgraph"))
        .arg("--store")
        .arg(store_dir)
        .args(["-v", "analyze", "--json", "--centrality", "pagerank"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn the_stored_projection_follows_the_collection() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = tmp.path().join("seeds");
    let first = GenerateOptions {
        articles: 300,
        seed: 5,
        ..Default::default()
    };
    generate(&first, &seeds.join("a")).unwrap();
    let store_dir = tmp.path().join("store");
    let dir = StoreDir::new(&store_dir);
    build_into(&store_dir, &seeds);
    let kept = stored_projection(&dir).expect("build keeps the projection");
    assert!(kept.edge_count() > 300);
    assert_eq!(shape(&kept), shape(&rebuilt(&dir)));
    let before = std::fs::read(stored::path(&dir)).unwrap();

    // Only modification times change: the file is stamped again, not rebuilt.
    let file = std::fs::read_dir(seeds.join("a"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "md" || x == "txt"))
        .unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .append(true)
        .open(&file)
        .unwrap()
        .set_modified(later)
        .unwrap();
    build_into(&store_dir, &seeds);
    let touched = std::fs::read(stored::path(&dir)).unwrap();
    assert_ne!(touched, before, "stamped with the new collection file");
    assert_eq!(
        touched[64..touched.len() - 32],
        before[64..before.len() - 32]
    );
    assert_eq!(shape(&stored_projection(&dir).unwrap()), shape(&kept));
    // The article index is stamped again too: analyze reads it, not the collection.
    assert!(analyze_verbose(&store_dir).contains("load index:"));

    // New articles: the projection is built again from the changed collection.
    let second = GenerateOptions {
        articles: 40,
        seed: 6,
        ..Default::default()
    };
    generate(&second, &seeds.join("b")).unwrap();
    build_into(&store_dir, &seeds);
    let grown = stored_projection(&dir).expect("the build refreshed it");
    assert!(grown.node_count() > kept.node_count());
    assert_eq!(shape(&grown), shape(&rebuilt(&dir)));
    assert!(analyze_verbose(&store_dir).contains("read projection:"));
}

#[test]
fn a_stale_or_damaged_stored_projection_is_never_used() {
    let tmp = tempfile::tempdir().unwrap();
    let make = |name: &str, seed: u64| {
        let seeds = tmp.path().join(name);
        let opts = GenerateOptions {
            articles: 120,
            seed,
            ..Default::default()
        };
        generate(&opts, &seeds).unwrap();
        let store_dir = tmp.path().join(format!("{name}-store"));
        build_into(&store_dir, &seeds);
        store_dir
    };
    let (one, other) = (make("one", 8), make("other", 9));
    let dir = StoreDir::new(&one);
    let path = stored::path(&dir);
    let good = std::fs::read(&path).unwrap();
    let reference = analyze_verbose(&one);
    assert!(reference.contains("read projection:"), "{reference}");

    // Another collection's projection: stale, rebuilt and written again.
    std::fs::copy(stored::path(&StoreDir::new(&other)), &path).unwrap();
    let why = stored_projection(&dir).unwrap_err();
    assert!(why.contains("another collection"), "{why}");
    let log = analyze_verbose(&one);
    assert!(
        log.contains("project:") && !log.contains("read projection:"),
        "{log}"
    );
    assert!(log.contains("was built from another collection"), "{log}");
    assert_eq!(std::fs::read(&path).unwrap(), good);

    // A flipped bit in an edge weight: the checksum catches it.
    let mut damaged = good.clone();
    let at = damaged.len() - 40;
    damaged[at] ^= 1;
    std::fs::write(&path, &damaged).unwrap();
    let why = stored_projection(&dir).unwrap_err();
    assert!(why.contains("checksum"), "{why}");
    let log = analyze_verbose(&one);
    assert!(
        log.contains("project:") && log.contains("checksum mismatch"),
        "{log}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), good);

    // Another format version, or a truncated file.
    let mut version = good.clone();
    version[7] = 0xff;
    std::fs::write(&path, &version).unwrap();
    assert!(stored_projection(&dir)
        .unwrap_err()
        .contains("another version"));
    std::fs::write(&path, &good[..50]).unwrap();
    assert!(stored_projection(&dir).is_err());

    // Other projection options never read the file built with the defaults.
    std::fs::write(&path, &good).unwrap();
    let other_options = ProjectionOptions {
        neighbours: 3,
        ..Default::default()
    };
    assert!(stored::load(&dir, &other_options).is_err());
}
