//! RDF exports through the binary: every format parses back with oxigraph's
//! parsers to the store's statements, exports are byte-identical, and nasty
//! labels survive.

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Literal, Term};
use std::path::Path;
use std::process::{Command, Output};

fn run(cwd: &Path, args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_signalgraph"))
        .current_dir(cwd)
        .args(["--store", "store"])
        .args(args)
        .output()
        .expect("run signalgraph");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

/// Builds a folder of the sample seeds plus one article with a nasty title and keyword.
fn store_with_nasty_labels(root: &Path) {
    let seeds = root.join("seeds");
    std::fs::create_dir_all(&seeds).unwrap();
    for entry in std::fs::read_dir("seeds").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, seeds.join(path.file_name().unwrap())).unwrap();
    }
    let fixture = std::fs::read_to_string("tests/fixtures/000_5dd56928cd244e73.txt").unwrap();
    // The title and keyword go through markdown, so escape what markdown would eat.
    let title = "Ampersand &amp; &lt;angle&gt; \"double\" 'single' ; semi, comma tab \\\\ backslash \u{1F680} déjà vu 日本語";
    let long = "x".repeat(5000);
    // An unknown section is kept as raw text: tabs, newlines and markup survive.
    let text = fixture
        .replace("Klarna Cuts Jobs Amid AI Expansion", title)
        .replace("* revenue", &format!("* {long}"))
        + "\n\n## Notes\n\nline one\twith a tab\nline two & <b>bold</b> \"quoted\"\n";
    std::fs::write(seeds.join("999_abcdefabcdefabcd.txt"), text).unwrap();
    run(root, &["build", "-q", "seeds"]);
}

fn formats() -> [(&'static str, RdfFormat); 6] {
    [
        ("ttl", RdfFormat::Turtle),
        ("nt", RdfFormat::NTriples),
        ("nq", RdfFormat::NQuads),
        ("trig", RdfFormat::TriG),
        ("rdf", RdfFormat::RdfXml),
        (
            "jsonld",
            RdfFormat::JsonLd {
                profile: Default::default(),
            },
        ),
    ]
}

#[test]
fn every_format_parses_back_to_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    store_with_nasty_labels(tmp.path());
    let stats: serde_json::Value =
        serde_json::from_slice(&run(tmp.path(), &["stats", "--json"]).stdout).unwrap();
    let triples = stats["triples"].as_u64().unwrap();
    run(tmp.path(), &["export", "-q", "--all", "--out", "a"]);
    run(tmp.path(), &["export", "-q", "--all", "--out", "b"]);
    let expected_title = NASTY_TITLE;
    for (ext, format) in formats() {
        let a = std::fs::read(tmp.path().join(format!("a/graph.{ext}"))).unwrap();
        let b = std::fs::read(tmp.path().join(format!("b/graph.{ext}"))).unwrap();
        assert!(a == b, "two exports of graph.{ext} differ");
        let quads: Vec<_> = RdfParser::from_format(format)
            .for_slice(&a)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("graph.{ext} does not parse: {e}"));
        // No triple of this store is in two graphs, so every format has them all.
        assert_eq!(quads.len() as u64, triples, "graph.{ext}");
        let titles: Vec<&Term> = quads
            .iter()
            .filter(|q| q.predicate.as_str() == "http://purl.org/dc/terms/title")
            .map(|q| &q.object)
            .collect();
        assert!(
            titles.contains(&&Term::from(Literal::new_simple_literal(expected_title))),
            "graph.{ext} lost the nasty title"
        );
        assert!(
            quads
                .iter()
                .any(|q| matches!(&q.object, Term::Literal(l) if l.value().len() == 5000)),
            "graph.{ext} lost the long keyword"
        );
        assert!(
            quads.iter().any(|q| matches!(&q.object, Term::Literal(l)
                if l.value() == "line one\twith a tab\nline two & <b>bold</b> \"quoted\"")),
            "graph.{ext} lost the raw section text"
        );
        if ext == "nq" || ext == "trig" || ext == "jsonld" {
            let graphs: std::collections::BTreeSet<String> =
                quads.iter().map(|q| q.graph_name.to_string()).collect();
            assert_eq!(
                graphs.len() as u64,
                stats["graphs"].as_u64().unwrap(),
                "graph.{ext}"
            );
        }
    }
}

#[test]
fn format_comes_from_the_extension_or_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    store_with_nasty_labels(tmp.path());
    run(tmp.path(), &["export", "-q", "--out", "g.nt"]);
    run(
        tmp.path(),
        &["export", "-q", "--format", "ntriples", "--out", "g.txt"],
    );
    assert_eq!(
        std::fs::read(tmp.path().join("g.nt")).unwrap(),
        std::fs::read(tmp.path().join("g.txt")).unwrap()
    );
    let o = Command::new(env!("CARGO_BIN_EXE_signalgraph"))
        .current_dir(tmp.path())
        .args(["--store", "store", "export", "--out", "g.unknown"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = Command::new(env!("CARGO_BIN_EXE_signalgraph"))
        .current_dir(tmp.path())
        .args([
            "--store", "store", "export", "--format", "gml", "--out", "g.x",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown format `gml`"));
}

/// The title the nasty article has once read (markdown escapes resolved).
const NASTY_TITLE: &str = "Ampersand & <angle> \"double\" 'single' ; semi, comma tab \\ backslash \u{1F680} déjà vu 日本語";

#[test]
fn graph_exports_load_in_networkx_and_igraph_and_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    store_with_nasty_labels(root);
    run(root, &["analyze", "-q", "--projection", "full"]);
    let summary = run(root, &["analyze", "--json"]).stdout;
    std::fs::write(root.join("analyze.json"), &summary).unwrap();
    run(root, &["export", "-q", "--all", "--out", "a"]);
    run(root, &["export", "-q", "--all", "--out", "b"]);
    for name in [
        "graph.graphml",
        "graph.gexf",
        "csv/nodes.csv",
        "csv/edges.csv",
        "neo4j/nodes_Article.csv",
        "neo4j/import.sh",
        "neo4j/load.cypher",
    ] {
        let a = std::fs::read(root.join("a").join(name)).unwrap();
        let b = std::fs::read(root.join("b").join(name)).unwrap();
        assert!(a == b, "{name} differs between two exports");
    }
    let graphml = std::fs::read_to_string(root.join("a/graph.graphml")).unwrap();
    assert!(
        graphml.contains("Ampersand &amp; &lt;angle&gt;"),
        "the title is escaped, not dropped"
    );

    // The third-party readers run where tests/run.sh made their environment.
    let Ok(python) = std::env::var("SIGNALGRAPH_INTEROP_PYTHON") else {
        eprintln!("SIGNALGRAPH_INTEROP_PYTHON unset: networkx/igraph checks run by tests/run.sh");
        return;
    };
    let o = Command::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/check_graphs.py"))
        .arg(root.join("a"))
        .arg(root.join("analyze.json"))
        .arg(NASTY_TITLE)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{report}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(report.contains("nasty label survives GEXF"), "{report}");
}

#[test]
fn rdf_of_one_projection_keeps_its_nodes_and_its_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("seeds")).unwrap();
    for entry in std::fs::read_dir("seeds").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, root.join("seeds").join(path.file_name().unwrap())).unwrap();
    }
    run(root, &["build", "-q", "seeds"]);
    run(root, &["analyze", "-q", "--projection", "concepts"]);
    run(
        root,
        &[
            "export",
            "-q",
            "--projection",
            "concepts",
            "--out",
            "concepts.nq",
        ],
    );
    let bytes = std::fs::read(root.join("concepts.nq")).unwrap();
    let quads: Vec<_> = RdfParser::from_format(RdfFormat::NQuads)
        .for_slice(&bytes)
        .collect::<Result<_, _>>()
        .unwrap();
    let base = "https://w3id.org/signalgraph/id/";
    let concept_paths = ["theme/", "keyword/", "driving-force/", "cluster/concepts/"];
    assert!(quads.len() > 1000, "{} quads", quads.len());
    for q in &quads {
        let subject = q.subject.to_string();
        let path = subject.trim_start_matches('<').trim_start_matches(base);
        assert!(
            concept_paths.iter().any(|p| path.starts_with(p)),
            "{subject} is not a concept or one of their clusters"
        );
    }
    assert!(quads
        .iter()
        .any(|q| q.graph_name.to_string() == format!("<{base}graph/analysis/concepts>")));
    assert!(quads
        .iter()
        .any(|q| q.predicate.as_str() == "http://www.w3.org/2004/02/skos/core#prefLabel"));
}
