//! The trend-cluster report and `signalgraph run` end to end: the bundled
//! sample's report checked against `stats` and `analyze`, byte-identical
//! output, escaping, edge cases that must still render, and (ignored tests,
//! run by tests/run.sh) the status rule scored against planted trajectories.

mod common;

use common::{analyze_articles, build_from, generated, ok, planted_groups, seeds};
use serde_json::Value;
use signalgraph::build::NoProgress;
use signalgraph::generate::{generate, GenerateOptions};
use signalgraph::report;
use signalgraph::store::StoreDir;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

fn fixture() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/000_5dd56928cd244e73.txt"),
    )
    .unwrap()
}

fn signalgraph(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signalgraph"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run signalgraph")
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Every article id the report cites (article references and id lists).
fn cited_ids(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let (Some(Value::String(id)), Some(Value::String(iri))) =
                (map.get("id"), map.get("iri"))
            {
                if iri.contains("/article/") {
                    out.insert(id.clone());
                }
            }
            if let Some(Value::Array(ids)) = map.get("article_ids") {
                out.extend(ids.iter().filter_map(|x| x.as_str().map(String::from)));
            }
            map.values().for_each(|x| cited_ids(x, out));
        }
        Value::Array(list) => list.iter().for_each(|x| cited_ids(x, out)),
        _ => {}
    }
}

#[test]
fn run_on_the_sample_writes_a_report_that_agrees_with_stats_and_analyze() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let seeds = seeds();
    let o = signalgraph(root, &["run", seeds.to_str().unwrap(), "--out", "exports"]);
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    ok(o);
    assert!(stderr.contains("exports/report.html"), "{stderr}");
    assert!(stderr.contains("done in"), "{stderr}");
    for name in [
        "report.html",
        "report.md",
        "report.json",
        "graph.nq",
        "graph.gexf",
        "graph.graphml",
        "neo4j/import.sh",
    ] {
        assert!(root.join("exports").join(name).exists(), "{name} missing");
    }
    let html = std::fs::read_to_string(root.join("exports/report.html")).unwrap();
    assert_eq!(
        String::from_utf8(store_report(root)).unwrap(),
        html,
        "the store keeps the same HTML report"
    );

    let report = json(&root.join("exports/report.json"));
    let stats: Value = serde_json::from_str(&ok(signalgraph(root, &["stats", "--json"]))).unwrap();
    let c = &report["collection"];
    assert_eq!(report["format"], "signalgraph-report/1");
    assert_eq!(c["articles"], stats["articles"]["read"]);
    assert_eq!(c["stub_articles"], stats["articles"]["stub"]);
    for key in ["signals", "themes", "keywords", "driving_forces", "sources"] {
        assert_eq!(c[key], stats[key], "{key}");
    }
    assert_eq!(c["first_date"], stats["dates"]["first"]);
    assert_eq!(c["last_date"], stats["dates"]["last"]);
    assert_eq!(c["undated_articles"], stats["dates"]["undated_articles"]);

    // The clusters: each stored level-0 cluster once, with analyze's sizes.
    let analysis: Value =
        serde_json::from_str(&ok(signalgraph(root, &["analyze", "--json", "--top", "1"]))).unwrap();
    let level = &analysis["levels"][0];
    assert_eq!(report["analysis"]["clusters"], level["clusters"]);
    let q = report["analysis"]["modularity"].as_f64().unwrap();
    assert!(
        (q - level["modularity"].as_f64().unwrap()).abs() < 1e-5,
        "{q}"
    );
    let sizes: BTreeMap<u64, u64> = analysis["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["level"] == 0)
        .map(|k| (k["cluster"].as_u64().unwrap(), k["size"].as_u64().unwrap()))
        .collect();
    let clusters = report["clusters"].as_array().unwrap();
    let listed: Vec<u64> = clusters
        .iter()
        .map(|k| k["cluster"].as_u64().unwrap())
        .collect();
    let unique: BTreeSet<u64> = listed.iter().copied().collect();
    assert_eq!(listed.len(), unique.len(), "a cluster is listed twice");
    assert_eq!(unique, sizes.keys().copied().collect::<BTreeSet<_>>());
    for k in clusters {
        let id = k["cluster"].as_u64().unwrap();
        assert_eq!(k["articles"].as_u64().unwrap(), sizes[&id], "cluster {id}");
        assert_eq!(
            k["article_ids"].as_array().unwrap().len() as u64,
            sizes[&id]
        );
        assert_eq!(
            html.matches(&format!("id=\"cluster-{id}\"")).count(),
            1,
            "cluster {id} in the HTML"
        );
    }
    let total: u64 = clusters
        .iter()
        .map(|k| k["articles"].as_u64().unwrap())
        .sum();
    assert_eq!(total, stats["articles"]["read"].as_u64().unwrap());
    let markdown = std::fs::read_to_string(root.join("exports/report.md")).unwrap();
    for k in clusters {
        let heading = format!("### {}. ", k["rank"]);
        assert_eq!(markdown.matches(&heading).count(), 1, "{heading}");
    }

    // Every cited article exists in the store.
    let ids: BTreeSet<String> = ok(signalgraph(
        root,
        &[
            "query",
            "--format",
            "csv",
            "SELECT ?id WHERE { ?a a schema:NewsArticle ; dcterms:identifier ?id }",
        ],
    ))
    .lines()
    .skip(1)
    .map(|l| l.trim().to_string())
    .collect();
    let mut cited = BTreeSet::new();
    cited_ids(&report, &mut cited);
    assert!(cited.len() >= 47, "{}", cited.len());
    let unknown: Vec<&String> = cited.difference(&ids).collect();
    assert!(
        unknown.is_empty(),
        "cited but not in the store: {unknown:?}"
    );

    // The planted trajectories of seeds/README.md.
    let status_of = |article: &str| -> String {
        clusters
            .iter()
            .find(|k| {
                k["article_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x == article)
            })
            .map(|k| k["status"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(
        status_of("b063bc79639b0153"),
        "stable",
        "A. AI and the workforce"
    );
    assert_eq!(
        status_of("e12dd0ddf8e1927b"),
        "growing",
        "B. energy storage"
    );
    // Planted declining, and silent for the last two quarters: dormant.
    assert_eq!(
        status_of("5f187058da6feed4"),
        "dormant",
        "D. synthetic biology"
    );
    assert_eq!(
        status_of("5ffc80c248e79289"),
        "emerging",
        "E. space economy"
    );
    assert_eq!(report["analysis"]["signal_measures"], "full");
    for k in clusters {
        assert!(!k["name"].as_str().unwrap().is_empty());
        assert!(!k["central_signals"].as_array().unwrap().is_empty());
        assert!(!k["representative_articles"].as_array().unwrap().is_empty());
        assert_eq!(
            k["quarters"].as_array().unwrap().len(),
            report["timeline"]["quarters"].as_array().unwrap().len()
        );
    }
    assert!(!report["weak_signals"].as_array().unwrap().is_empty());
    for w in report["weak_signals"].as_array().unwrap() {
        assert!(!w["reasons"].as_array().unwrap().is_empty());
    }

    // Self-contained: no script, no external resources.
    for banned in ["<script", " src=", "<link", "@import", "url("] {
        assert!(!html.contains(banned), "the HTML report contains {banned}");
    }
    assert!(html.contains("<svg class=\"map\""));
}

#[test]
fn identical_input_gives_identical_bytes() {
    let seeds = seeds();
    let mut outputs: Vec<BTreeMap<String, Vec<u8>>> = Vec::new();
    for _ in 0..2 {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        ok(signalgraph(
            root,
            &["-q", "run", seeds.to_str().unwrap(), "--out", "out"],
        ));
        let mut files = BTreeMap::new();
        for format in ["html", "md", "json"] {
            let name = format!("report.{format}");
            files.insert(
                name.clone(),
                std::fs::read(root.join("out").join(&name)).unwrap(),
            );
        }
        // `report` from the saved model, and computed afresh from the store.
        for (cold, name) in [(false, "warm"), (true, "cold")] {
            if cold {
                std::fs::remove_file(root.join(".signalgraph/report-cache.json")).unwrap();
            }
            for format in ["html", "md", "json"] {
                let out = format!("{name}.{format}");
                ok(signalgraph(root, &["-q", "report", "--out", &out]));
                assert_eq!(
                    std::fs::read(root.join(&out)).unwrap(),
                    files[&format!("report.{format}")],
                    "{name} report.{format} differs from run's"
                );
            }
        }
        files.insert(
            "graph.gexf".into(),
            std::fs::read(root.join("out/graph.gexf")).unwrap(),
        );
        outputs.push(files);
    }
    for (name, bytes) in &outputs[0] {
        assert!(outputs[1][name] == *bytes, "{name} differs between runs");
    }
}

/// `report` of the store in `root` in every format, as bytes.
fn reports(root: &Path, name: &str) -> BTreeMap<String, Vec<u8>> {
    ["html", "md", "json"]
        .into_iter()
        .map(|format| {
            let out = format!("{name}.{format}");
            ok(signalgraph(root, &["-q", "report", "--out", &out]));
            (format.to_string(), std::fs::read(root.join(&out)).unwrap())
        })
        .collect()
}

/// `report` right after `analyze` renders the model `analyze` saved, and it
/// is the model `report` computes from the store.
fn assert_analyze_saved_the_model(root: &Path) {
    let cache = root.join(".signalgraph/report-cache.json");
    assert!(cache.exists(), "analyze saved the report model");
    let o = signalgraph(root, &["report", "--out", "warm.html"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("saved model reused"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let warm = reports(root, "warm");
    std::fs::remove_file(&cache).unwrap();
    let cold = reports(root, "cold");
    for (format, bytes) in &warm {
        assert!(
            cold[format] == *bytes,
            "report.{format}: analyze's model differs from report's"
        );
    }
}

/// The store's HTML report as `serve` shows it (its seal checked and cut off).
fn store_report(root: &Path) -> Vec<u8> {
    let dir = signalgraph::store::StoreDir::new(root.join(".signalgraph"));
    signalgraph::report::read_store_copy(&dir).expect("a sealed store copy")
}

#[test]
fn analyze_keeps_the_report_model_fresh() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    ok(signalgraph(
        root,
        &["-q", "build", seeds().to_str().unwrap()],
    ));
    // From the article index, analyze has no collection to refresh the
    // model from: `report` computes it, the same as from scratch.
    let o = signalgraph(root, &["-v", "analyze"]);
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    ok(o);
    assert!(stderr.contains("load index"), "{stderr}");
    assert!(stderr.contains("report model not refreshed"), "{stderr}");
    assert!(!root.join(".signalgraph/report-cache.json").exists());
    let o = signalgraph(root, &["report", "--out", "computed.html"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("computed from the store"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let computed = reports(root, "computed");
    std::fs::remove_file(root.join(".signalgraph/report-cache.json")).unwrap();
    assert!(reports(root, "again") == computed);
    ok(signalgraph(
        root,
        &["-q", "analyze", "--projection", "full"],
    ));
    assert_analyze_saved_the_model(root);
    // Non-default options: the whole collection is loaded and the model
    // refreshed; the report uses the projection the analysis saw.
    let before = store_report(root);
    ok(signalgraph(root, &["-q", "analyze", "--neighbours", "4"]));
    // The store's copy (what `serve` shows) follows the new analysis too.
    let after = store_report(root);
    assert_ne!(after, before);
    assert_analyze_saved_the_model(root);
    assert_eq!(after, std::fs::read(root.join("warm.html")).unwrap());
    // A concepts analysis leaves the model as it is.
    ok(signalgraph(
        root,
        &["-q", "analyze", "--projection", "full"],
    ));
    let before = std::fs::read(root.join(".signalgraph/report-cache.json")).unwrap();
    ok(signalgraph(
        root,
        &["-q", "analyze", "--projection", "concepts"],
    ));
    assert_eq!(
        std::fs::read(root.join(".signalgraph/report-cache.json")).unwrap(),
        before
    );
    // A fast analyze (from the article index) cannot write the report
    // again: the store's copy of the previous one goes, so `serve` does not
    // show it as the new analysis's.
    assert!(root.join(".signalgraph/report.html").exists());
    ok(signalgraph(root, &["-q", "analyze", "--resolution", "1.5"]));
    assert!(!root.join(".signalgraph/report.html").exists());
    // Without an articles analysis there is no model, and analyze still succeeds.
    let fresh = tempfile::tempdir().unwrap();
    ok(signalgraph(
        fresh.path(),
        &["-q", "build", seeds().to_str().unwrap()],
    ));
    let o = signalgraph(fresh.path(), &["-v", "analyze", "--projection", "full"]);
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    ok(o);
    assert!(stderr.contains("report model not refreshed"), "{stderr}");
    assert!(!fresh.path().join(".signalgraph/report-cache.json").exists());
}

/// Above MAP_POINTS articles the map is laid out from a sample: every other
/// article here, deterministic, and the same from `analyze`'s model and
/// from `report`'s.
#[test]
fn a_large_map_is_laid_out_from_a_sample() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let generated = root.join("gen");
    let articles = report::MAP_POINTS + 500;
    generate(
        &GenerateOptions {
            articles,
            seed: 7,
            ..GenerateOptions::default()
        },
        &generated,
    )
    .unwrap();
    ok(signalgraph(root, &["-q", "build", "gen"]));
    ok(signalgraph(root, &["-q", "analyze"]));
    ok(signalgraph(
        root,
        &["-q", "analyze", "--projection", "full"],
    ));
    assert_analyze_saved_the_model(root);
    let again = reports(root, "again");
    assert!(again["json"] == std::fs::read(root.join("cold.json")).unwrap());

    let v = json(&root.join("cold.json"));
    let map = &v["map"];
    let points = map["points"].as_array().unwrap();
    assert_eq!(map["articles"].as_u64().unwrap() as usize, articles);
    assert_eq!(points.len(), articles.div_ceil(2));
    let size = map["size"].as_f64().unwrap();
    let xy: Vec<(f64, f64, i64)> = points
        .iter()
        .map(|p| {
            let (x, y) = (p["x"].as_f64().unwrap(), p["y"].as_f64().unwrap());
            assert!((0.0..=size).contains(&x) && (0.0..=size).contains(&y));
            (x, y, p["cluster"].as_i64().unwrap_or(-1))
        })
        .collect();
    // Clusters are places on the map: points sit nearer their own
    // cluster's label than the labels of other clusters, on average.
    let labels: Vec<(f64, f64, i64)> = map["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["x"].as_f64().unwrap(),
                l["y"].as_f64().unwrap(),
                l["cluster"].as_i64().unwrap(),
            )
        })
        .collect();
    let (mut own, mut other, mut count) = (0.0, 0.0, 0);
    for &(x, y, k) in &xy {
        let d = |l: &(f64, f64, i64)| ((l.0 - x).powi(2) + (l.1 - y).powi(2)).sqrt();
        let Some(mine) = labels.iter().find(|l| l.2 == k) else {
            continue;
        };
        let nearest_other = labels
            .iter()
            .filter(|l| l.2 != k)
            .map(d)
            .fold(f64::INFINITY, f64::min);
        own += d(mine);
        other += nearest_other;
        count += 1;
    }
    assert!(count > 0);
    assert!(
        own < 0.7 * other,
        "mean distance to own label {:.1}, to the nearest other {:.1}",
        own / count as f64,
        other / count as f64
    );
}

/// Writes the fixture article as `{file}` with a new title, date and keyword.
fn article(dir: &Path, file: &str, title: &str, date: Option<&str>) {
    let heading = "([20241103](https://kghosh.substack.com/p/20241103).)";
    let replacement = match date {
        Some(d) => format!("([{d}](https://kghosh.substack.com/p/{d}).)"),
        None => "(no date)".to_string(),
    };
    let text = fixture()
        .replace("Klarna Cuts Jobs Amid AI Expansion", title)
        .replace(heading, &replacement);
    std::fs::write(dir.join(file), text).unwrap();
}

/// `run` on a folder; the report's JSON and HTML.
fn run_folder(root: &Path, folder: &str) -> (Value, String, String) {
    let o = signalgraph(root, &["run", folder, "--out", "out"]);
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    ok(o);
    let report = json(&root.join("out/report.json"));
    let html = std::fs::read_to_string(root.join("out/report.html")).unwrap();
    assert!(html.ends_with("</html>\n"));
    let markdown = std::fs::read_to_string(root.join("out/report.md")).unwrap();
    assert!(markdown.starts_with("# Trend clusters"));
    (report, html, stderr)
}

fn notes(report: &Value) -> String {
    report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn one_article_renders_and_says_what_it_cannot_compute() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir(root.join("one")).unwrap();
    article(
        &root.join("one"),
        "000_5dd56928cd244e73.txt",
        "Only Article",
        Some("20241103"),
    );
    let (report, html, _) = run_folder(root, "one");
    assert_eq!(report["collection"]["articles"], 1);
    assert_eq!(report["clusters"].as_array().unwrap().len(), 1);
    assert_eq!(report["clusters"][0]["status"], "unknown");
    let notes = notes(&report);
    assert!(
        notes.contains("dated period is 0 days") || notes.contains("span 0 days"),
        "{notes}"
    );
    assert!(notes.contains("1 article(s)"), "{notes}");
    assert!(html.contains("id=\"cluster-0\""));
    assert!(html.contains("class=\"note\""));
    says_what_time_cannot_show(&report, &html);
}

/// The trends-over-time parts of a report that cannot have a lineage:
/// notes that say so, no events, no empty pictures, the first scan named.
fn says_what_time_cannot_show(report: &Value, html: &str) {
    let notes = notes(report);
    assert!(
        notes.contains("no lineage") || notes.contains("no births, deaths, merges or splits"),
        "{notes}"
    );
    assert!(report["lineage"]["events"].as_array().unwrap().is_empty());
    assert!(report["lineage"]["windows"].as_array().unwrap().len() <= 1);
    assert!(report["since"].is_null());
    assert!(!html.contains("class=\"chart alluvial\""));
    assert!(html.contains("No lineage"), "the lineage section says why");
    assert!(
        html.contains("first scan"),
        "what changed says it is the first scan"
    );
    let changes = html.find("id=\"changes\"").expect("what changed");
    assert!(changes < html.find("id=\"overview\"").unwrap());
}

/// Articles all dated in one month: one window, so no lineage, and the
/// report says so.
#[test]
fn one_window_says_there_is_no_lineage() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let folder = root.join("month");
    std::fs::create_dir(&folder).unwrap();
    for (i, day) in ["20241103", "20241110", "20241117", "20241124"]
        .iter()
        .enumerate()
    {
        let file = format!("00{i}_{:016x}.txt", 0x1230 + i);
        article(&folder, &file, &format!("November Story {i}"), Some(day));
    }
    let (report, html, _) = run_folder(root, "month");
    assert_eq!(report["scans"], 1);
    assert!(notes(&report).contains("one month"), "{}", notes(&report));
    says_what_time_cannot_show(&report, &html);
    assert!(report["bursts"].as_array().unwrap().is_empty());
    assert!(html.contains("No bursts"));
}

#[test]
fn one_cluster_renders_and_says_there_are_no_neighbours() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let folder = root.join("same");
    std::fs::create_dir(&folder).unwrap();
    let dates = [
        "20230115", "20230618", "20231112", "20240407", "20240901", "20250202",
    ];
    for (i, date) in dates.iter().enumerate() {
        let file = format!("00{i}_{:016x}.txt", 0xabc0 + i);
        article(&folder, &file, &format!("Same Story Part {i}"), Some(date));
    }
    let (report, html, _) = run_folder(root, "same");
    assert_eq!(report["analysis"]["clusters"], 1);
    let cluster = &report["clusters"][0];
    assert_eq!(cluster["articles"], 6);
    assert!(cluster["neighbours"].as_array().unwrap().is_empty());
    assert_ne!(cluster["status"], "unknown");
    assert!(notes(&report).contains("one cluster"), "{}", notes(&report));
    assert!(html.contains("No links to other clusters."));
}

#[test]
fn undated_articles_render_and_say_what_they_cannot_compute() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let folder = root.join("undated");
    std::fs::create_dir(&folder).unwrap();
    for i in 0..4 {
        let file = format!("00{i}_{:016x}.txt", 0xdef0 + i);
        article(&folder, &file, &format!("Undated Story {i}"), None);
    }
    let (report, html, stderr) = run_folder(root, "undated");
    assert!(
        stderr.contains("warning"),
        "missing dates are warnings: {stderr}"
    );
    assert_eq!(report["collection"]["undated_articles"], 4);
    assert!(report["collection"]["first_date"].is_null());
    assert!(report["timeline"]["quarters"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(report["weak_signals"].as_array().unwrap().is_empty());
    for k in report["clusters"].as_array().unwrap() {
        assert_eq!(k["status"], "unknown");
        assert!(k["first_date"].is_null());
    }
    assert!(
        notes(&report).contains("No article is dated"),
        "{}",
        notes(&report)
    );
    assert!(html.contains("No article is dated"));
    assert!(notes(&report).contains("no lineage"), "{}", notes(&report));
    says_what_time_cannot_show(&report, &html);
    assert!(report["bursts"].as_array().unwrap().is_empty());
    assert!(html.contains("No bursts"));
}

#[test]
fn report_needs_a_store_and_an_analysis() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let o = signalgraph(root, &["report", "--out", "r.html"]);
    assert_eq!(o.status.code(), Some(2), "no store");
    let seeds = seeds();
    ok(signalgraph(root, &["-q", "build", seeds.to_str().unwrap()]));
    let o = signalgraph(root, &["report", "--out", "r.html"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("signalgraph analyze"), "{stderr}");
    assert!(!root.join("r.html").exists());

    // With only the articles analysed, signals fall back to their articles' measures.
    ok(signalgraph(root, &["-q", "analyze"]));
    let out = ok(signalgraph(
        root,
        &["report", "--format", "json", "--out", "-"],
    ));
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["analysis"]["signal_measures"], "articles");
    assert!(
        notes(&report).contains("--projection full"),
        "{}",
        notes(&report)
    );
    let md = ok(signalgraph(
        root,
        &["report", "--format", "md", "--out", "-"],
    ));
    assert!(md.contains("## Weak signals"));
    ok(signalgraph(root, &["-q", "report", "--out", "r.html"]));
    assert!(root.join(".signalgraph/report.html").exists());
}

#[test]
fn nasty_labels_are_escaped_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let folder = root.join("seeds");
    std::fs::create_dir(&folder).unwrap();
    for entry in std::fs::read_dir(seeds()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
    }
    // Markdown escapes in the file; the title as read is below.
    let title =
        "Ampersand &amp; &lt;angle&gt; \"double\" 'single' | pipe \\*star\\* \u{1F680} déjà vu";
    let read = "Ampersand & <angle> \"double\" 'single' | pipe *star* \u{1F680} déjà vu";
    let text = fixture()
        .replace("Klarna Cuts Jobs Amid AI Expansion", title)
        .replace(
            "https://www.ibtimes.co.uk/our-chatbots-perform-tasks-700-people-buy-now-pay-later-company-klarna-axe-2000-jobs-ai-1726522",
            "javascript:alert(1)",
        )
        .replace("* Klarna", "* <b>Klarna</b> & Co");
    std::fs::write(folder.join("999_abcdefabcdefabcd.txt"), text).unwrap();
    let (report, html, _) = run_folder(root, "seeds");
    let mut titles = Vec::new();
    fn find_titles(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(t)) = m.get("title") {
                    out.push(t.clone());
                }
                m.values().for_each(|x| find_titles(x, out));
            }
            Value::Array(l) => l.iter().for_each(|x| find_titles(x, out)),
            _ => {}
        }
    }
    find_titles(&report, &mut titles);
    assert!(
        titles.iter().any(|t| t == read),
        "JSON keeps the title as read: {:?}",
        titles
            .iter()
            .filter(|t| t.starts_with("Ampersand"))
            .collect::<Vec<_>>()
    );
    assert!(html.contains("Ampersand &amp; &lt;angle&gt; &quot;double&quot; &#39;single&#39; | pipe *star* \u{1F680} déjà vu"));
    assert!(!html.contains("<angle>"));
    assert!(!html.contains("<b>Klarna"));
    assert!(
        !html.contains("javascript:"),
        "only http(s) sources become links"
    );
    let markdown = std::fs::read_to_string(root.join("out/report.md")).unwrap();
    assert!(markdown.contains("Ampersand \\& \\<angle\\> \"double\" 'single' \\| pipe \\*star\\*"));
    assert!(!markdown.contains("](<javascript"));
}

/// Generates, builds and analyses a collection, reports it, and matches its
/// clusters to the planted groups of truth.json: a cluster matches the group
/// holding at least 60 % of its articles (clusters under 10 articles are
/// left out). Returns (matched clusters, statuses equal to the planted trajectory).
fn status_score(articles: usize, seed: u64) -> (usize, usize) {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let generated = generated(tmp.path(), articles, seed);
    let dir = StoreDir::new(tmp.path().join("store"));
    build_from(&dir, &generated);
    analyze_articles(&dir);
    let (model, _) = report::compute(&dir, &NoProgress).unwrap();

    let truth = json(&generated.join("truth.json"));
    let group_of: BTreeMap<&str, u64> = planted_groups(&truth);
    let trajectory: Vec<&str> = truth["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["trajectory"].as_str().unwrap())
        .collect();
    // Groups that take part in a merge or split have no one trajectory: left out.
    let mut changed: std::collections::BTreeSet<u64> = std::collections::BTreeSet::new();
    for e in truth["events"].as_array().unwrap() {
        if e["type"] == "merge" || e["type"] == "split" {
            for key in ["from", "to"] {
                changed.extend(
                    e[key]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|g| g.as_u64().unwrap()),
                );
            }
        }
    }
    let (mut matched, mut correct) = (0, 0);
    let mut confusion: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for k in &model.clusters {
        if k.articles < 10 {
            continue;
        }
        let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
        for id in &k.article_ids {
            *counts.entry(group_of[id.as_str()]).or_insert(0) += 1;
        }
        let (&group, &n) = counts
            .iter()
            .max_by_key(|(g, n)| (**n, std::cmp::Reverse(**g)))
            .unwrap();
        if (n as f64) < 0.6 * k.articles as f64 || changed.contains(&group) {
            continue;
        }
        matched += 1;
        let planted = trajectory[group as usize];
        // A stopped group is dormant; a declining one that published
        // nothing in the last windows is dormant too, by the rule.
        let right = match (planted, k.status.name()) {
            ("ended", found) => found == "dormant",
            ("declining", "dormant") => true,
            (planted, found) => planted == found,
        };
        if right {
            correct += 1;
        }
        *confusion.entry((planted, k.status.name())).or_insert(0) += 1;
    }
    println!(
        "status score, {articles} articles, seed {seed}: {correct}/{matched} clusters matching a planted group ({:.1} %), {} groups, {} clusters, {:.1} s",
        100.0 * correct as f64 / matched.max(1) as f64,
        trajectory.len(),
        model.clusters.len(),
        started.elapsed().as_secs_f64()
    );
    for ((planted, found), n) in confusion {
        if planted != found {
            println!("  planted {planted}, reported {found}: {n}");
        }
    }
    (matched, correct)
}

/// At 1k articles a group has 30 to 170 articles, so a stable group of 30 is
/// told from a mildly growing one by chance more often than at 10k: the
/// score is pooled over four generated collections.
#[test]
#[ignore = "scoring run; tests/run.sh runs it with --ignored"]
fn status_matches_planted_trajectories_at_1k() {
    let (mut matched, mut correct) = (0, 0);
    for seed in 1..=4 {
        let (m, c) = status_score(1_000, seed);
        matched += m;
        correct += c;
    }
    let score = correct as f64 / matched as f64;
    println!(
        "status score, 1k articles, seeds 1-4 pooled: {correct}/{matched} ({:.1} %)",
        100.0 * score
    );
    assert!(
        matched >= 36,
        "too few clusters match planted groups: {matched}"
    );
    assert!(score >= 0.9, "status accuracy {score:.3} below 0.9");
}

#[test]
#[ignore = "scoring run; tests/run.sh runs it with --ignored"]
fn status_matches_planted_trajectories_at_10k() {
    let (matched, correct) = status_score(10_000, 7);
    let score = correct as f64 / matched as f64;
    assert!(
        matched >= 33,
        "too few clusters match planted groups: {matched}"
    );
    assert!(score >= 0.9, "status accuracy {score:.3} below 0.9");
}
