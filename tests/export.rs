//! Exports through the binary: every RDF format parses back with oxigraph's
//! parsers to the store's statements, exports are byte-identical, nasty labels
//! survive, `--out` writes through links and into devices and FIFOs, and the
//! Neo4j folder agrees with SPARQL and the report.

#![allow(unsafe_code)] // mkfifo and mknod through libc

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{Literal, Term};
use std::collections::BTreeSet;
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
    // N-Quads is written straight from the store, TriG from the indexed
    // dataset: the same statements, and N-Quads graph by graph, sorted.
    let statements = |ext: &str, format: RdfFormat| -> Vec<String> {
        let bytes = std::fs::read(tmp.path().join(format!("a/graph.{ext}"))).unwrap();
        RdfParser::from_format(format)
            .for_slice(&bytes)
            .map(|q| q.unwrap().to_string())
            .collect()
    };
    let nquads = statements("nq", RdfFormat::NQuads);
    let trig: BTreeSet<String> = statements("trig", RdfFormat::TriG).into_iter().collect();
    assert_eq!(nquads.iter().cloned().collect::<BTreeSet<_>>(), trig);
    let text = std::fs::read_to_string(tmp.path().join("a/graph.nq")).unwrap();
    let plain: Vec<&str> = text.lines().filter(|l| !l.contains("_:")).collect();
    let mut sorted = plain.clone();
    sorted.sort_by_key(|l| {
        (
            l.rsplit_once(" <").map(|(_, g)| g.to_string()),
            l.to_string(),
        )
    });
    assert_eq!(plain, sorted, "graph.nq is not sorted graph by graph");
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
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("invalid value 'gml' for '--format"), "{err}");
    for name in [
        "turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld", "graphml", "gexf", "neo4j",
        "csv",
    ] {
        assert!(err.contains(name), "{name}: {err}");
    }
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

// ---------------------------------------------------------------------------
// Where --out points: links, FIFOs, devices, folders

/// A store of the sample seeds with the articles projection analysed (for `report`).
fn analysed_sample(root: &Path) {
    std::fs::create_dir_all(root.join("seeds")).unwrap();
    for entry in std::fs::read_dir("seeds").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, root.join("seeds").join(path.file_name().unwrap())).unwrap();
    }
    run(root, &["build", "-q", "seeds"]);
    run(root, &["analyze", "-q"]);
}

#[cfg(unix)]
#[test]
fn out_writes_through_a_link_to_its_target() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    analysed_sample(root);
    run(root, &["export", "-q", "--out", "plain.nt"]);
    run(
        root,
        &["report", "-q", "--format", "md", "--out", "plain.md"],
    );
    std::fs::create_dir(root.join("real")).unwrap();
    for name in ["graph.nt", "report.md"] {
        std::fs::write(root.join("real").join(name), "old").unwrap();
    }
    symlink("real/graph.nt", root.join("link.nt")).unwrap();
    symlink("real/report.md", root.join("link.md")).unwrap();
    run(root, &["export", "-q", "--out", "link.nt"]);
    run(
        root,
        &["report", "-q", "--format", "md", "--out", "link.md"],
    );
    for (link, target, plain) in [
        ("link.nt", "real/graph.nt", "plain.nt"),
        ("link.md", "real/report.md", "plain.md"),
    ] {
        let m = std::fs::symlink_metadata(root.join(link)).unwrap();
        assert!(m.file_type().is_symlink(), "{link} is still a link");
        assert_eq!(
            std::fs::read(root.join(target)).unwrap(),
            std::fs::read(root.join(plain)).unwrap(),
            "{target} holds what {plain} holds"
        );
    }
}

/// Makes a FIFO at `path`.
#[cfg(unix)]
fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}

#[cfg(unix)]
#[test]
fn out_writes_into_a_fifo_and_leaves_it_a_fifo() {
    use std::os::unix::fs::FileTypeExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    analysed_sample(root);
    run(root, &["export", "-q", "--out", "plain.nt"]);
    run(
        root,
        &["report", "-q", "--format", "json", "--out", "plain.json"],
    );
    for (args, plain) in [
        (
            &["export", "-q", "--format", "ntriples", "--out", "pipe"][..],
            "plain.nt",
        ),
        (
            &["report", "-q", "--format", "json", "--out", "pipe"][..],
            "plain.json",
        ),
    ] {
        let fifo = root.join("pipe");
        mkfifo(&fifo);
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = fifo.clone();
        std::thread::spawn(move || {
            let _ = tx.send(std::fs::read(&reader));
        });
        run(root, args);
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the reader of the FIFO got an end of file")
            .unwrap();
        assert_eq!(got, std::fs::read(root.join(plain)).unwrap(), "{args:?}");
        let m = std::fs::symlink_metadata(&fifo).unwrap();
        assert!(m.file_type().is_fifo(), "{args:?} left a FIFO");
        std::fs::remove_file(&fifo).unwrap();
    }
}

/// `--out /dev/null` writes nothing anywhere and leaves the device alone.
/// Were it replaced (as root a rename succeeds), the device is made again
/// before the test fails, so the machine keeps working.
#[cfg(target_os = "linux")]
#[test]
fn out_dev_null_stays_a_character_device() {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    analysed_sample(root);
    let null = Path::new("/dev/null");
    let before = std::fs::symlink_metadata(null).unwrap();
    assert!(before.file_type().is_char_device(), "/dev/null before");
    let commands: [&[&str]; 3] = [
        &["report", "-q", "--out", "/dev/null"],
        &["report", "-q", "--format", "md", "--out", "/dev/null"],
        &["export", "-q", "--format", "ntriples", "--out", "/dev/null"],
    ];
    for args in commands {
        let o = Command::new(env!("CARGO_BIN_EXE_signalgraph"))
            .current_dir(root)
            .args(["--store", "store"])
            .args(args)
            .output()
            .unwrap();
        let after = std::fs::symlink_metadata(null).unwrap();
        if !after.file_type().is_char_device() {
            let _ = std::fs::remove_file(null);
            let c = std::ffi::CString::new("/dev/null").unwrap();
            // SAFETY: a valid path; the device numbers of /dev/null as it was.
            unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, before.rdev() as _) };
            panic!("{args:?} replaced /dev/null with a plain file (made again)");
        }
        assert_eq!(after.rdev(), before.rdev());
        assert_eq!(after.ino(), before.ino(), "{args:?}: the same /dev/null");
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // The store keeps its own HTML copy as a plain file.
    assert!(std::fs::metadata(root.join("store/report.html"))
        .unwrap()
        .is_file());
}

#[test]
fn out_refuses_a_folder_where_a_file_is_expected() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    analysed_sample(root);
    std::fs::create_dir(root.join("folder")).unwrap();
    std::fs::write(root.join("folder/kept.txt"), "kept").unwrap();
    for args in [
        &["export", "--format", "ntriples", "--out", "folder"][..],
        &["report", "--out", "folder"][..],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_signalgraph"))
            .current_dir(root)
            .args(["--store", "store"])
            .args(args)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?} succeeded");
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(stderr.contains("is a folder"), "{args:?}: {stderr}");
        assert!(root.join("folder").is_dir());
        let entries: Vec<_> = std::fs::read_dir(root.join("folder")).unwrap().collect();
        assert_eq!(entries.len(), 1, "{args:?} left files in the folder");
    }
}

// ---------------------------------------------------------------------------
// The Neo4j folder against SPARQL and the report

/// The rows of a CSV file, header first.
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The rows of a SELECT answered as CSV, header dropped.
fn sparql_rows(root: &Path, query: &str) -> Vec<Vec<String>> {
    let out = run(root, &["query", "--format", "csv", query]).stdout;
    let mut rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(out.as_slice())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    rows.sort();
    rows
}

/// The article id (or stub id) an article IRI ends with.
fn local(iri: &str) -> String {
    iri.rsplit('/').next().unwrap().to_string()
}

#[test]
fn neo4j_folder_has_directed_closest_links_stubs_and_named_trend_clusters() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    analysed_sample(root);
    run(root, &["analyze", "-q", "--projection", "full"]);
    run(
        root,
        &["export", "-q", "--format", "neo4j", "--out", "neo4j"],
    );
    let folder = root.join("neo4j");
    let files: Vec<String> = {
        let mut v: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };

    // One CLOSEST per directed sg:closestTo link, in its direction.
    let mut closest: Vec<Vec<String>> = Vec::new();
    for name in files.iter().filter(|n| n.starts_with("rels_CLOSEST_")) {
        let rows = csv_rows(&folder.join(name));
        assert_eq!(rows[0][2], ":TYPE", "{name}");
        closest.extend(rows[1..].iter().map(|r| vec![r[0].clone(), r[1].clone()]));
    }
    closest.sort();
    let links: Vec<Vec<String>> = {
        let mut v: Vec<Vec<String>> =
            sparql_rows(root, "SELECT ?a ?b WHERE { ?a sg:closestTo ?b }")
                .iter()
                .map(|r| vec![local(&r[0]), local(&r[1])])
                .collect();
        v.sort();
        v
    };
    let one_way = links
        .iter()
        .filter(|l| !links.contains(&vec![l[1].clone(), l[0].clone()]))
        .count();
    assert!(
        one_way > 0 && one_way < links.len(),
        "the sample has both kinds"
    );
    assert_eq!(closest, links, "CLOSEST rows are the sg:closestTo links");

    // Stub articles under their own label, and only there.
    let stubs: BTreeSet<String> = sparql_rows(root, "SELECT ?s WHERE { ?s a sg:StubArticle }")
        .iter()
        .map(|r| local(&r[0]))
        .collect();
    assert!(!stubs.is_empty());
    let ids = |name: &str| -> BTreeSet<String> {
        csv_rows(&folder.join(name))[1..]
            .iter()
            .map(|r| r[0].clone())
            .collect()
    };
    assert_eq!(ids("nodes_StubArticle.csv"), stubs);
    assert!(ids("nodes_Article.csv").is_disjoint(&stubs));
    assert!(csv_rows(&folder.join("nodes_StubArticle.csv"))[1..]
        .iter()
        .all(|r| r[1] == "StubArticle"));

    // The trend clusters, named and with their members as the report has them.
    run(
        root,
        &["report", "-q", "--format", "json", "--out", "report.json"],
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("report.json")).unwrap()).unwrap();
    let clusters = csv_rows(&folder.join("nodes_Cluster.csv"));
    let header = &clusters[0];
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (projection, name, size) = (column("projection"), column("name"), column("size:long"));
    let members = csv_rows(&folder.join("rels_IN_CLUSTER_Article_Cluster.csv"));
    let report_clusters = report["clusters"].as_array().unwrap();
    assert!(!report_clusters.is_empty());
    for c in report_clusters {
        let id = format!("articles/0/{}", c["cluster"]);
        let row = clusters
            .iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("no trend cluster {id}"));
        assert_eq!(row[projection], "articles");
        assert_eq!(row[name], c["name"].as_str().unwrap(), "{id}");
        assert_eq!(row[size], c["articles"].to_string(), "{id}");
        let mut expected: Vec<String> = c["article_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string())
            .collect();
        expected.sort();
        let mut got: Vec<String> = members
            .iter()
            .filter(|r| r[1] == id)
            .map(|r| r[0].clone())
            .collect();
        got.sort();
        assert_eq!(got, expected, "members of {id}");
    }
    // The full projection's clusters are still there.
    assert!(clusters[1..].iter().any(|r| r[projection] == "full"));

    // load.cypher states its versions and avoids the deprecated importing WITH.
    let cypher = std::fs::read_to_string(folder.join("load.cypher")).unwrap();
    assert!(cypher.contains("Neo4j 5.23 or later"), "{cypher}");
    assert!(!cypher.contains("CALL {"), "{cypher}");
    assert!(!cypher.contains("WITH row"), "{cypher}");
    assert!(cypher.contains("CALL (row) {"));
    for name in files.iter().filter(|n| n.ends_with(".csv")) {
        assert!(cypher.contains(&format!("'file:///{name}'")), "{name}");
    }
    let import = std::fs::read_to_string(folder.join("import.sh")).unwrap();
    assert!(import.contains("Neo4j 5.0 or later"));
}
