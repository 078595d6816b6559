//! The trends through time in the exports, on a handmade collection with a
//! known merge: two energy topics (solar, batteries) that start to share
//! vocabulary in the last quarter of 2024 and only appear together from
//! 2025, beside two topics that never change. The merge must come back from
//! the README's SPARQL query, as `MERGED_INTO` rows of the Neo4j folder and
//! as the GEXF spells of the articles; the SHACL shapes must accept the
//! store (when the pinned venv of tests/shacl/check.sh exists).

use std::collections::{BTreeMap, BTreeSet};
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

const SOLAR: [&str; 5] = [
    "solar panels",
    "photovoltaic",
    "rooftop power",
    "inverters",
    "feed-in tariff",
];
const BATTERY: [&str; 5] = [
    "battery storage",
    "lithium cells",
    "grid batteries",
    "charge cycles",
    "storage capacity",
];
const CROPS: [&str; 5] = [
    "crop yields",
    "drought",
    "irrigation",
    "fertiliser",
    "harvest",
];
const HEALTH: [&str; 5] = [
    "vaccines",
    "clinical trials",
    "antibodies",
    "pandemic",
    "immunity",
];

/// Writes one seed article dated `date` (`YYYYMMDD`).
fn article(dir: &Path, n: usize, tag: &str, date: &str, keywords: &[&str], themes: &[&str]) {
    let id = format!(
        "{:016x}",
        (n as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    );
    let list = |items: &[&str]| items.iter().map(|k| format!("* {k}\n")).collect::<String>();
    let text = format!(
        "# __{tag} story {n}__, from ([{date}](https://example.org/p/{date}).)\n\n\
         __[External link](https://news.example.org/{id})__\n\n\
         ## Summary\n\nA story about {tag}.\n\n## Keywords\n\n{}\n## Themes\n\n{}",
        list(keywords),
        list(themes)
    );
    std::fs::write(dir.join(format!("{n:03}_{id}.txt")), text).unwrap();
}

/// Eight quarters of 2024 and 2025, six articles per topic and quarter;
/// solar and batteries merge in 2025.
fn merging_collection(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let mut n = 0;
    let mut add = |tag: &str, date: String, keywords: Vec<&str>, themes: &[&str]| {
        n += 1;
        article(dir, n, tag, &date, &keywords, themes);
    };
    for (q, (year, month)) in [2024, 2025]
        .into_iter()
        .flat_map(|y| [1, 4, 7, 10].map(|m| (y, m)))
        .enumerate()
    {
        for i in 0..6 {
            let date =
                |offset: usize| format!("{year}{:02}{:02}", month + i % 3, 3 + i * 4 + offset);
            add("crops", date(0), CROPS.to_vec(), &["Agriculture"]);
            add("health", date(1), HEALTH.to_vec(), &["Health"]);
            let both = [SOLAR, BATTERY].concat();
            match q {
                0..=2 => {
                    add("solar", date(2), SOLAR.to_vec(), &["Renewable Energy"]);
                    add("battery", date(3), BATTERY.to_vec(), &["Energy Storage"]);
                }
                3 => {
                    add(
                        "solar",
                        date(2),
                        [&SOLAR[..], &BATTERY[..2]].concat(),
                        &["Renewable Energy"],
                    );
                    add(
                        "battery",
                        date(3),
                        [&BATTERY[..], &SOLAR[..2]].concat(),
                        &["Energy Storage"],
                    );
                }
                _ => {
                    let themes = ["Renewable Energy", "Energy Storage"];
                    add("solar-battery", date(2), both.clone(), &themes);
                    add("solar-battery", date(3), both, &themes);
                }
            }
        }
    }
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn query(root: &Path, sparql: &str) -> Vec<Vec<String>> {
    let out = run(root, &["query", "--format", "csv", sparql]).stdout;
    csv_rows(&String::from_utf8(out).unwrap())
}

/// The number n of `{base}trend/{n}`.
fn trend_id(iri: &str) -> u32 {
    iri.rsplit_once("/trend/")
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or_else(|| panic!("not a trend IRI: {iri}"))
}

/// The README's "which trends merged in 2025?" query, as written there.
fn readme_merge_query() -> String {
    let readme = std::fs::read_to_string("ontology/README.md").unwrap();
    let start = readme
        .find("SELECT ?date ?from ?fromName ?into ?intoName")
        .expect("the merge query in ontology/README.md");
    let end = start + readme[start..].find("```").unwrap();
    readme[start..end].to_string()
}

#[test]
fn a_planted_merge_reaches_sparql_neo4j_and_gexf() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    merging_collection(&root.join("seeds"));
    run(root, &["build", "-q", "seeds"]);
    run(root, &["analyze", "-q"]);
    let merges = merges_in_sparql(root);
    run(root, &["export", "-q", "--all", "--out", "a"]);
    run(root, &["export", "-q", "--all", "--out", "b"]);
    neo4j_has_the_merge(root, &merges);
    gexf_spells_hold_home_trends(root);
    // Same store, same bytes.
    for name in [
        "graph.gexf",
        "graph.nq",
        "neo4j/nodes_Trend.csv",
        "neo4j/rels_MERGED_INTO_Trend_Trend.csv",
        "neo4j/rels_IN_TREND_Article_Trend.csv",
        "neo4j/load.cypher",
    ] {
        let (a, b) = (root.join("a").join(name), root.join("b").join(name));
        assert!(
            std::fs::read(a).unwrap() == std::fs::read(b).unwrap(),
            "{name} differs"
        );
    }
    shacl(root);
    interop(root);
}

/// A merge as (date, trend before, trend after).
type Merge = (String, u32, u32);

/// SPARQL, through the README's query: solar and batteries (two trends with
/// different names) flow into one trend at the start of 2025.
fn merges_in_sparql(root: &Path) -> BTreeSet<Merge> {
    let rows = query(root, &readme_merge_query());
    let merges: BTreeSet<Merge> = rows
        .iter()
        .map(|r| (r[0].clone(), trend_id(&r[1]), trend_id(&r[3])))
        .collect();
    eprintln!("merges in 2025: {merges:?}");
    let dates: BTreeSet<&str> = merges.iter().map(|(d, _, _)| d.as_str()).collect();
    // Seen in the first window of 2025 or the next (within one window, as
    // the lineage is scored), and one window for the whole merge.
    assert_eq!(dates.len(), 1, "{rows:?}");
    assert!(
        dates.is_subset(&BTreeSet::from(["2025-01-01", "2025-04-01"])),
        "{rows:?}"
    );
    let into: BTreeSet<u32> = merges.iter().map(|m| m.2).collect();
    assert_eq!(into.len(), 1, "one trend after the merge: {rows:?}");
    let from: BTreeSet<u32> = merges.iter().map(|m| m.1).collect();
    assert_eq!(from.len(), 2, "two trends before the merge: {rows:?}");
    let names: BTreeMap<u32, String> = rows
        .iter()
        .map(|r| (trend_id(&r[1]), r[2].clone()))
        .collect();
    let energy = |n: &String| n.contains("Renewable Energy") || n.contains("Energy Storage");
    assert!(names.values().all(energy), "{names:?}");
    // Nothing merged in 2024, and no other topic took part.
    let all = query(
        root,
        "SELECT ?e WHERE { ?e a sg:Merge ; dcterms:date ?d FILTER (YEAR(?d) != 2025) }",
    );
    assert!(all.is_empty(), "{all:?}");
    merges
}

/// Neo4j: one `MERGED_INTO` per trend before that is not the one after;
/// `Trend` nodes and `IN_TREND` as many as `sg:Trend` and `sg:hasMember`.
fn neo4j_has_the_merge(root: &Path, merges: &BTreeSet<Merge>) {
    let neo4j = root.join("a/neo4j");
    let merged =
        csv_rows(&std::fs::read_to_string(neo4j.join("rels_MERGED_INTO_Trend_Trend.csv")).unwrap());
    let got: BTreeSet<Merge> = merged
        .iter()
        .map(|r| {
            assert_eq!(r[2], "MERGED_INTO");
            (r[3].clone(), r[0].parse().unwrap(), r[1].parse().unwrap())
        })
        .collect();
    let want: BTreeSet<Merge> = merges.iter().filter(|m| m.1 != m.2).cloned().collect();
    assert_eq!(got, want);
    assert!(!want.is_empty());
    let trends = csv_rows(&std::fs::read_to_string(neo4j.join("nodes_Trend.csv")).unwrap());
    let count = |q: &str| query(root, q)[0][0].parse::<usize>().unwrap();
    assert_eq!(
        trends.len(),
        count("SELECT (COUNT(*) AS ?n) WHERE { ?t a sg:Trend }")
    );
    let members =
        csv_rows(&std::fs::read_to_string(neo4j.join("rels_IN_TREND_Article_Trend.csv")).unwrap());
    assert_eq!(
        members.len(),
        count("SELECT (COUNT(*) AS ?n) WHERE { ?t sg:hasMember ?a }")
    );
    let import = std::fs::read_to_string(neo4j.join("import.sh")).unwrap();
    assert!(import.contains("--nodes=Trend=nodes_Trend.csv"), "{import}");
    assert!(import.contains("--relationships=MERGED_INTO=rels_MERGED_INTO_Trend_Trend.csv"));
}

/// GEXF: each article's spell in the window of its date names its home
/// trend (`sg:hasMember`), and spells are whole quarters.
fn gexf_spells_hold_home_trends(root: &Path) {
    let gexf = std::fs::read_to_string(root.join("a/graph.gexf")).unwrap();
    assert!(gexf.contains(r#"<attributes class="node" mode="dynamic">"#));
    let home: BTreeMap<String, u32> = query(root, "SELECT ?a ?t WHERE { ?t sg:hasMember ?a }")
        .into_iter()
        .map(|r| {
            (
                r[0].rsplit('/').next().unwrap().to_string(),
                trend_id(&r[1]),
            )
        })
        .collect();
    let dates: BTreeMap<String, String> = query(
        root,
        "SELECT ?id ?d WHERE { ?a a schema:NewsArticle ; dcterms:identifier ?id ; dcterms:date ?d }",
    )
    .into_iter()
    .map(|r| (r[0].clone(), r[1].clone()))
    .collect();
    let spells = spells_by_node(&gexf);
    let mut checked = 0;
    for (id, trend) in &home {
        let date = &dates[id];
        let node = spells
            .iter()
            .find(|(key, _)| key.ends_with(id.as_str()))
            .map(|(_, s)| s)
            .unwrap_or_else(|| panic!("no spells for {id}"));
        let holding: Vec<&(u32, String, String)> = node
            .iter()
            .filter(|(_, start, end)| start <= date && date <= end)
            .collect();
        assert_eq!(holding.len(), 1, "{id} at {date}: {node:?}");
        assert_eq!(holding[0].0, *trend, "{id} at {date}");
        for (_, start, end) in node {
            assert!(start.ends_with("-01") && start < end, "{start}..{end}");
        }
        checked += 1;
    }
    assert!(checked > 150, "{checked} of 192 articles have a home trend");
}

/// The GEXF spells and the Neo4j folder checked by the third-party readers
/// of tests/interop (networkx and Kùzu) when tests/run.sh gives their venv.
fn interop(root: &Path) {
    let Ok(python) = std::env::var("SIGNALGRAPH_INTEROP_PYTHON") else {
        eprintln!("SIGNALGRAPH_INTEROP_PYTHON unset: networkx/Kùzu checks run by tests/run.sh");
        return;
    };
    let here = std::env::current_dir().unwrap();
    let bin = env!("CARGO_BIN_EXE_signalgraph");
    let store = root.join("store").display().to_string();
    let exports = root.join("a").display().to_string();
    let neo4j = root.join("a/neo4j").display().to_string();
    for args in [
        vec!["tests/interop/check_graphs.py", "--gexf-trends", &exports],
        vec!["tests/interop/check_neo4j_kuzu.py", bin, &store, &neo4j],
    ] {
        let o = Command::new(&python)
            .current_dir(&here)
            .args(&args)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        eprintln!("{out}");
        assert!(
            o.status.success(),
            "{args:?}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// Per GEXF node id, its `trend` attvalues (value, start, end).
fn spells_by_node(gexf: &str) -> BTreeMap<String, Vec<(u32, String, String)>> {
    let attr = |line: &str, name: &str| {
        let key = format!(r#"{name}=""#);
        let from = line.find(&key)? + key.len();
        Some(line[from..from + line[from..].find('"')?].to_string())
    };
    let mut spells: BTreeMap<String, Vec<(u32, String, String)>> = BTreeMap::new();
    let mut node = None;
    for line in gexf.lines() {
        let line = line.trim();
        if line.starts_with("<node ") {
            node = attr(line, "id");
        } else if line.starts_with(r#"<attvalue for="trend""#) {
            let (Some(v), Some(s), Some(e)) =
                (attr(line, "value"), attr(line, "start"), attr(line, "end"))
            else {
                panic!("a trend attvalue without value, start and end: {line}");
            };
            spells
                .entry(node.clone().expect("inside a node"))
                .or_default()
                .push((v.parse().unwrap(), s, e));
        }
    }
    spells
}

/// The store's dump against the SHACL shapes and the ontology, and the
/// hand-written examples, when the pinned venv of tests/shacl/check.sh is
/// there (tests/run.sh creates it).
fn shacl(root: &Path) {
    let venv = std::env::var("SIGNALGRAPH_VENV").unwrap_or_else(|_| {
        format!(
            "{}/.cache/signalgraph-venv",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    if !Path::new(&venv).join("bin/python").exists() {
        eprintln!("no venv at {venv}: SHACL checks run by tests/run.sh");
        return;
    }
    let dump = run(
        root,
        &[
            "query",
            "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
        ],
    )
    .stdout;
    std::fs::write(root.join("dump.ttl"), dump).unwrap();
    let here = std::env::current_dir().unwrap();
    for args in [
        vec![
            "tests/shacl/check.sh".to_string(),
            root.join("dump.ttl").display().to_string(),
        ],
        vec!["tests/shacl/examples.sh".to_string()],
    ] {
        let o = Command::new("bash")
            .current_dir(&here)
            .args(&args)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        eprintln!("{out}");
        assert!(
            o.status.success(),
            "{args:?}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
