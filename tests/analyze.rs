//! `signalgraph analyze` end to end on the bundled sample: projections,
//! clusters against the planted groups, results in the store, edge lists,
//! determinism and bad options.

mod common;

use common::{bin, ok, sample_store, seeds};
use signalgraph::analyze::community::nmi;
use signalgraph::analyze::stored::{self, StoredAnalysis};
use signalgraph::analyze::Measure;
use signalgraph::build::load_collection;
use signalgraph::graph::{ProjectedGraph, Projection, ProjectionOptions};
use signalgraph::store::StoreDir;
use std::path::{Path, PathBuf};
use std::process::Output;

fn run(store: &Path, args: &[&str]) -> Output {
    bin()
        .arg("--store")
        .arg(store)
        .args(args)
        .output()
        .expect("run signalgraph")
}

/// A copy of the sample store this test may change.
fn own_store() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir_all(&store).unwrap();
    for entry in std::fs::read_dir(sample_store()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), store.join(entry.file_name())).unwrap();
        }
    }
    (dir, store)
}

/// The planted group of each sample article (A…E, or X for the bridging
/// articles), read from the tables of seeds/README.md, in collection order.
fn planted_groups(store: &Path) -> Vec<String> {
    let readme = std::fs::read_to_string(seeds().join("README.md")).unwrap();
    let mut group_of = std::collections::HashMap::new();
    let mut group = String::new();
    for line in readme.lines() {
        if let Some(rest) = line.strip_prefix("### ") {
            group = rest.chars().next().unwrap().to_string();
        } else if line.starts_with("## ") {
            group = if line.contains("Bridging") {
                "X".into()
            } else {
                String::new()
            };
        } else if let Some(file) = line.strip_prefix("| `").and_then(|l| l.split('`').next()) {
            if !group.is_empty() {
                group_of.insert(file.to_string(), group.clone());
            }
        }
    }
    let (c, _) = load_collection(&StoreDir::new(store)).unwrap();
    c.articles
        .iter()
        .map(|a| {
            let name = a.file.path.rsplit('/').next().unwrap();
            group_of
                .get(name)
                .cloned()
                .unwrap_or_else(|| panic!("{name} has no group"))
        })
        .collect()
}

#[test]
fn projections_are_sparse_deterministic_and_keep_closest_links() {
    let (c, _) = load_collection(&StoreDir::new(sample_store())).unwrap();
    let options = ProjectionOptions::default();
    let articles = ProjectedGraph::build(&c, Projection::Articles, &options);
    assert_eq!(articles.node_count(), c.articles.len());
    let closest: usize = c.links.iter().map(|l| l.closest.len()).sum();
    assert!(articles.edge_count() <= c.articles.len() * options.neighbours + closest);
    assert!(articles.edge_count() >= c.articles.len());
    let again = ProjectedGraph::build(&c, Projection::Articles, &options);
    assert_eq!(articles.to_csr(), again.to_csr());
    // Every resolved closest link between read articles is an edge.
    let csr = articles.to_csr();
    for (a, l) in c.links.iter().enumerate() {
        for link in &l.closest {
            if let signalgraph::model::LinkTarget::Article(b) = link.target {
                if a != b {
                    assert!(
                        csr.neighbours(a as u32).0.contains(&(b as u32)),
                        "{a} → {b}"
                    );
                }
            }
        }
    }

    let concepts = ProjectedGraph::build(&c, Projection::Concepts, &options);
    // A theme, keyword and driving force linked by alignment are one node.
    let meanings = (0..c.concepts.len())
        .filter(|&id| c.concepts[id].meaning == id)
        .count();
    assert!(meanings < c.concepts.len());
    assert_eq!(concepts.node_count(), meanings);
    assert!(concepts.edge_count() <= c.concepts.len() * options.neighbours);

    let full = ProjectedGraph::build(&c, Projection::Full, &options);
    let signals: usize = c.articles.iter().map(|a| a.article.signals.len()).sum();
    let expected = c.articles.len()
        + c.stubs.len()
        + c.concepts.len()
        + c.sources.len()
        + c.digests.len()
        + signals;
    assert_eq!(full.node_count(), expected);
}

#[test]
fn leiden_on_the_sample_finds_the_planted_groups() {
    let (_dir, store) = own_store();
    let json = ok(run(&store, &["analyze", "--json", "--top", "3"]));
    let summary: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(summary["graph"], "articles");
    assert_eq!(summary["nodes"], 47);
    let q = summary["levels"][0]["modularity"].as_f64().unwrap();
    assert!(q > 0.3, "modularity {q}");

    // Clusters against the five planted groups (bridges excluded).
    let (c, _) = load_collection(&StoreDir::new(&store)).unwrap();
    let groups = planted_groups(&store);
    let out = ok(run(
        &store,
        &[
            "query",
            "--format",
            "csv",
            "SELECT ?id ?cluster WHERE { GRAPH ?g { ?a sg:memberOf ?cluster } ?a dcterms:identifier ?id } ",
        ],
    ));
    let mut cluster_of = std::collections::HashMap::new();
    for line in out.lines().skip(1) {
        let (id, cluster) = line.split_once(',').unwrap();
        cluster_of.insert(id.trim().to_string(), cluster.trim().to_string());
    }
    let mut found = Vec::new();
    let mut planted = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (a, group) in c.articles.iter().zip(&groups) {
        if group == "X" {
            continue;
        }
        let cluster = &cluster_of[&a.article.id];
        let index = names.iter().position(|n| n == cluster).unwrap_or_else(|| {
            names.push(cluster.clone());
            names.len() - 1
        });
        found.push(index as u32);
        planted.push(group.as_bytes()[0] as u32);
    }
    let score = nmi(&found, &planted);
    assert!(score > 0.8, "NMI to the planted groups {score}");
}

#[test]
fn results_are_in_the_store_and_sparql_finds_central_signals() {
    let (_dir, store) = own_store();
    ok(run(&store, &["analyze", "--projection", "full", "-q"]));
    ok(run(&store, &["analyze", "-q"]));
    let graphs = std::fs::read_dir(store.join("graphs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect::<std::collections::BTreeSet<_>>();
    assert!(graphs.contains("analysis-full.nq") && graphs.contains("analysis-articles.nq"));

    // The ten most central signals of the largest cluster (level 0, cluster 0).
    let out = ok(run(
        &store,
        &[
            "query",
            "--format",
            "csv",
            "SELECT ?text ?rank WHERE {
               GRAPH ?analysis {
                 ?cluster a sg:Cluster ; sg:projection \"full\" ; sg:level 0 ; sg:clusterSize ?size .
                 ?signal sg:memberOf ?cluster ; sg:pageRank ?rank .
               }
               ?signal a sg:Signal ; rdfs:label ?text .
               { SELECT (MAX(?s) AS ?size) WHERE { GRAPH ?g { ?c a sg:Cluster ; sg:projection \"full\" ; sg:level 0 ; sg:clusterSize ?s } } }
             } ORDER BY DESC(?rank) LIMIT 10",
        ],
    ));
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 10, "{out}");

    // Re-running replaces the previous analysis instead of adding to it. The
    // trends through time are left out: they carry ids from one analysis to
    // the next (tests/trends.rs), so a rescan may add a trend.
    let count = |store: &Path| {
        let out = ok(run(
            store,
            &[
                "query",
                "--format",
                "csv",
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/signalgraph/id/graph/analysis/articles> { ?s ?p ?o \
                 FILTER (?p != sg:ofTrend) \
                 FILTER NOT EXISTS { ?s a ?time VALUES ?time { sg:Trend sg:TimeWindow sg:LineageEvent sg:Burst } } } }",
            ],
        ));
        out.lines().nth(1).unwrap().trim().to_string()
    };
    let before = count(&store);
    assert_ne!(before, "0");
    ok(run(&store, &["analyze", "-q", "--resolution", "2"]));
    ok(run(&store, &["analyze", "-q"]));
    assert_eq!(count(&store), before);
}

/// Two stored analyses are the same, bit for bit (NaN only where NaN).
fn assert_same(a: &StoredAnalysis, b: &StoredAnalysis, what: &str) {
    let bits = |s: &StoredAnalysis| {
        s.measures
            .iter()
            .map(|(m, v)| (*m, v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(a), bits(b), "{what}: measures differ");
    assert_eq!(a.levels.len(), b.levels.len(), "{what}: levels differ");
    for (x, y) in a.levels.iter().zip(&b.levels) {
        assert_eq!(x.membership, y.membership, "{what}: membership differs");
        assert_eq!(
            (x.count, &x.parents, x.modularity.to_bits()),
            (y.count, &y.parents, y.modularity.to_bits()),
            "{what}: a level differs"
        );
    }
}

#[test]
fn the_binary_sidecar_reads_back_what_the_nquads_hold() {
    let (_dir, store) = own_store();
    ok(run(
        &store,
        &[
            "analyze",
            "-q",
            "--centrality",
            "all",
            "--max-cluster-size",
            "6",
        ],
    ));
    ok(run(&store, &["analyze", "-q", "--projection", "full"]));
    let dir = StoreDir::new(&store);
    let (c, iris) = load_collection(&dir).unwrap();
    for projection in [Projection::Articles, Projection::Full] {
        let graph = ProjectedGraph::build(&c, projection, &ProjectionOptions::default());
        let sidecar = stored::load_sidecar(&dir, &graph).expect("a current sidecar");
        let parsed = stored::load_nquads(&dir, &graph, &c, &iris)
            .unwrap()
            .unwrap();
        assert_same(&sidecar, &parsed, projection.name());
        assert_eq!(
            sidecar.measures.len(),
            if projection == Projection::Articles {
                8
            } else {
                6
            }
        );
        if projection == Projection::Articles {
            assert!(sidecar.levels.len() >= 2, "levels are kept");
        }
    }

    // A changed analysis file makes the sidecar stale: load parses the
    // N-Quads (here one node lost its PageRank, so it is NaN there).
    let graph = ProjectedGraph::build(&c, Projection::Articles, &ProjectionOptions::default());
    let nq = store.join("graphs/analysis-articles.nq");
    let mut quads = signalgraph::store::read_graph_file(&nq).unwrap();
    let dropped = quads
        .iter()
        .position(|q| q.predicate.as_str().ends_with("pageRank"))
        .unwrap();
    quads.remove(dropped);
    dir.write_graph("analysis-articles", &quads).unwrap();
    assert!(
        stored::load_sidecar(&dir, &graph).is_none(),
        "stale sidecar"
    );
    let loaded = stored::load(&dir, &graph, &c, &iris).unwrap().unwrap();
    let parsed = stored::load_nquads(&dir, &graph, &c, &iris)
        .unwrap()
        .unwrap();
    assert_same(&loaded, &parsed, "fallback");
    let pagerank = loaded.scores(Measure::PageRank).unwrap();
    assert_eq!(pagerank.iter().filter(|x| x.is_nan()).count(), 1);

    // A damaged sidecar is ignored too.
    ok(run(&store, &["analyze", "-q"]));
    let bin = stored::sidecar_path(&dir, Projection::Articles);
    assert!(stored::load_sidecar(&dir, &graph).is_some());
    let mut bytes = std::fs::read(&bin).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&bin, &bytes).unwrap();
    assert!(stored::load_sidecar(&dir, &graph).is_none(), "bad checksum");
    std::fs::write(&bin, &bytes[..middle]).unwrap();
    assert!(stored::load_sidecar(&dir, &graph).is_none(), "truncated");
    assert!(stored::load(&dir, &graph, &c, &iris).unwrap().is_some());
}

#[test]
fn same_seed_same_bytes_and_hierarchy_levels() {
    let (_dir, store) = own_store();
    let first = ok(run(
        &store,
        &["analyze", "--json", "--max-cluster-size", "6"],
    ));
    let file = std::fs::read(store.join("graphs/analysis-articles.nq")).unwrap();
    let second = ok(run(
        &store,
        &["analyze", "--json", "--max-cluster-size", "6"],
    ));
    assert_eq!(
        file,
        std::fs::read(store.join("graphs/analysis-articles.nq")).unwrap()
    );
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v.as_object_mut().unwrap().remove("timings_seconds");
        v
    };
    assert_eq!(strip(&first), strip(&second));
    let v = strip(&first);
    let levels = v["levels"].as_array().unwrap();
    assert!(levels.len() >= 2, "clusters above 6 are split: {levels:?}");
    for c in v["clusters"].as_array().unwrap() {
        let level = c["level"].as_u64().unwrap() as usize;
        if level + 1 == levels.len() {
            assert!(c["size"].as_u64().unwrap() <= 6 || c["top"].as_array().is_some());
        }
        assert_eq!(c["parent"].is_null(), level == 0);
    }
}

#[test]
fn edge_lists_are_analysed_into_csv() {
    let dir = tempfile::tempdir().unwrap();
    let edges = dir.path().join("two-triangles.csv");
    std::fs::write(
        &edges,
        "source,target,weight\na,b,1\nb,c,1\nc,a,1\nx,y,1\ny,z,1\nz,x,1\nc,x,0.1\n",
    )
    .unwrap();
    let out = dir.path().join("nodes.csv");
    let text = ok(bin()
        .args(["analyze", "--edges"])
        .arg(&edges)
        .arg("--out")
        .arg(&out)
        .args(["--centrality", "all", "--method", "louvain"])
        .output()
        .unwrap());
    assert!(text.contains("level 0: 2 clusters"), "{text}");
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "node,degree,weighted_degree,pagerank,betweenness,closeness,harmonic_closeness,eigenvector,core_number,cluster_0"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 6);
    let cluster = |name: &str| rows.iter().find(|r| r[0] == name).unwrap()[9];
    assert_eq!(cluster("a"), cluster("b"));
    assert_eq!(cluster("x"), cluster("z"));
    assert_ne!(cluster("a"), cluster("x"));
}

#[test]
fn bad_options_are_usage_errors() {
    let store = sample_store();
    for args in [
        &["analyze", "--resolution", "-1"][..],
        &["analyze", "--method", "kmeans"],
        &["analyze", "--centrality", "pagerank,fame"],
        &["analyze", "--damping", "1.5"],
        &["analyze", "--samples", "0"],
        // Sampled betweenness scales by k - 1 sources.
        &["analyze", "--samples", "1"],
        &["analyze", "--samples", "many"],
        &["analyze", "--max-cluster-size", "1"],
        &[
            "analyze",
            "--edges",
            "/nonexistent/edges.csv",
            "--out",
            "/tmp/x.csv",
        ],
    ] {
        let o = run(store, args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("error"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "source,target\n").unwrap();
    let o = bin()
        .args(["analyze", "--edges"])
        .arg(&empty)
        .args(["--out", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no edges"));
    // A weight of 0 is an infinite length; weights of 1e308 overflow the
    // total (modularity was NaN, PageRank summed to 0.15, exit 0).
    for (text, expected) in [
        ("a,b,1\nb,c,0\n", "edges.csv:2: weight \"0\""),
        (
            "a,b,1e308\nb,c,1e308\nc,a,1e308\n",
            "edge weights add up to inf",
        ),
    ] {
        let edges = dir.path().join("edges.csv");
        std::fs::write(&edges, text).unwrap();
        let o = bin()
            .args(["analyze", "--edges"])
            .arg(&edges)
            .args(["--out", "/dev/null"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{text}: {err}");
        assert!(err.contains(expected), "{text}: {err}");
    }
}

/// A path of 300 nodes: power iteration on `A + I` needs far more than
/// 1000 iterations there, so eigenvector centrality does not converge.
#[test]
fn a_measure_that_does_not_converge_is_left_out_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let edges = dir.path().join("path.csv");
    let text: String = (0..299).map(|i| format!("n{i},n{}\n", i + 1)).collect();
    std::fs::write(&edges, text).unwrap();
    let out = dir.path().join("nodes.csv");
    let o = bin()
        .args(["analyze", "--edges"])
        .arg(&edges)
        .arg("--out")
        .arg(&out)
        .args(["--centrality", "pagerank,eigenvector,degree", "--json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("warning: eigenvector left out: eigenvector centrality did not converge"),
        "{err}"
    );
    let summary: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary["skipped"][0]["measure"], "eigenvector");
    assert!(summary["top"].get("pagerank").is_some());
    assert!(summary["top"].get("eigenvector").is_none());
    let header = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        header.lines().next().unwrap(),
        "node,degree,pagerank,cluster_0"
    );
}

/// `run` with a tolerance eigenvector centrality's power iteration does not
/// reach: it is left out, and every export and the report are written.
#[test]
fn run_goes_on_when_measures_do_not_converge() {
    use signalgraph::pipeline::{self, RunOptions};
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exports");
    let mut options = RunOptions {
        build: signalgraph::build::BuildOptions {
            paths: vec![seeds()],
            base_iri: None,
            strict: false,
            prune: false,
            ..Default::default()
        },
        out: out.clone(),
        analyze: Default::default(),
        projection_options: ProjectionOptions::default(),
        formats: pipeline::DEFAULT_FORMATS.to_vec(),
        compress: false,
    };
    options.analyze.tolerance = 1e-300;
    let summary = pipeline::run(
        &StoreDir::new(dir.path().join("store")),
        &options,
        &signalgraph::progress::NoProgress,
    )
    .expect("the run goes on");
    for a in &summary.analyses {
        let skipped: Vec<Measure> = a.skipped.iter().map(|s| s.0).collect();
        assert!(skipped.contains(&Measure::Eigenvector), "{}", a.projection);
        assert!(a.clusters > 1, "{}", a.projection);
    }
    for file in ["graph.nq", "graph.gexf", "neo4j/load.cypher", "report.html"] {
        assert!(out.join(file).exists(), "{file}");
    }
}

/// The trend state is written by every analysis of the articles
/// projection; a damaged one is set aside with a warning and rewritten.
#[test]
fn a_damaged_trend_state_is_set_aside_and_rewritten() {
    let (_tmp, store) = own_store();
    ok(run(&store, &["analyze", "-q"]));
    let state = store.join("trends.bin");
    let good = std::fs::read(&state).expect("trends.bin written");
    std::fs::write(&state, &good[..good.len() / 2]).unwrap();
    let o = run(&store, &["analyze", "-q"]);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    ok(o);
    assert!(stderr.contains("trends.bin is damaged"), "{stderr}");
    assert!(store.join("trends.bin.damaged").exists());
    // Rewritten whole (the scans the build noted were in the damaged part).
    assert!(std::fs::metadata(&state).unwrap().len() > 40);
    let o = run(&store, &["analyze", "-q"]);
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The summary of `analyze --json` without its timings.
fn summary_of(o: &Output) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_object_mut().unwrap().remove("timings_seconds");
    v
}

/// `analyze` of the articles projection reads the store's article index
/// instead of the collection when it is current, and gives what loading the
/// collection gives: the same summary, analysis graph and trends. Without
/// the index (or with a stale one) it loads the collection and writes the
/// index again.
#[test]
fn the_article_index_gives_what_the_collection_gives() {
    let (_fast_dir, fast) = own_store();
    let (_slow_dir, slow) = own_store();
    let index = fast.join("articles-index.bin");
    let built = std::fs::read(&index).expect("build keeps the article index");
    std::fs::remove_file(slow.join("articles-index.bin")).unwrap();
    let args = [
        "-v", "analyze", "--json", "--method", "louvain", "--window", "month",
    ];
    let (a, b) = (run(&fast, &args), run(&slow, &args));
    assert!(a.status.success() && b.status.success());
    let (fast_err, slow_err) = (
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr),
    );
    assert!(fast_err.contains("load index:"), "{fast_err}");
    assert!(!slow_err.contains("load index:"), "{slow_err}");
    assert!(slow_err.contains("load:"), "{slow_err}");
    assert_eq!(summary_of(&a), summary_of(&b));
    for file in ["graphs/analysis-articles.nq", "trends.bin"] {
        assert!(
            std::fs::read(fast.join(file)).unwrap() == std::fs::read(slow.join(file)).unwrap(),
            "{file} differs"
        );
    }
    // The slow path kept the index for the next analysis.
    assert!(std::fs::read(slow.join("articles-index.bin")).unwrap() == built);
    let again = run(&slow, &args);
    assert!(String::from_utf8_lossy(&again.stderr).contains("load index:"));
    assert_eq!(summary_of(&again), summary_of(&a));

    // A damaged index is not used, and is written again.
    let mut damaged = built.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 1;
    std::fs::write(&index, &damaged).unwrap();
    let c = run(&fast, &args);
    assert!(!String::from_utf8_lossy(&c.stderr).contains("load index:"));
    assert_eq!(summary_of(&c), summary_of(&a));
    assert!(std::fs::read(&index).unwrap() == built);
}
