//! Concept alignment: the sample's merges and links, the vocabulary, `--no-align`, the
//! `concepts` command, and (ignored, run by tests/run.sh) precision and recall against
//! the variants `generate` plants.

mod common;

use common::{bin, build_from, generated, ok, seeds};
use signalgraph::build::{build, load_collection, BuildOptions, NoProgress};
use signalgraph::model::Collection;
use signalgraph::store::StoreDir;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The concepts (label and kind) of the group a label's concept is in.
fn group_of(c: &Collection, label: &str) -> Vec<(String, &'static str)> {
    let g = c
        .concepts
        .iter()
        .find(|k| k.label == label)
        .unwrap_or_else(|| panic!("no concept {label}"))
        .group;
    c.concepts
        .iter()
        .filter(|k| k.group == g)
        .map(|k| (k.label.clone(), k.kind.slug()))
        .collect()
}

fn sample(dir: &Path, opts: BuildOptions) -> Collection {
    let store = StoreDir::new(dir.join("store"));
    let opts = BuildOptions {
        paths: vec![seeds()],
        ..opts
    };
    build(&store, &opts, &NoProgress).expect("build");
    load_collection(&store).unwrap().0
}

#[test]
fn the_sample_links_its_variants() {
    let dir = tempfile::tempdir().unwrap();
    let c = sample(dir.path(), BuildOptions::default());
    let ai = group_of(&c, "Artificial Intelligence");
    assert!(ai.contains(&("AI".into(), "keyword")), "{ai:?}");
    let space = group_of(&c, "Space Economy");
    assert!(
        space.contains(&("space economy".into(), "keyword")),
        "{space:?}"
    );
    // One meaning: the theme and the keyword count as one concept.
    let id = |label: &str, kind: &str| {
        c.concepts
            .iter()
            .position(|k| k.label == label && k.kind.slug() == kind)
            .unwrap()
    };
    assert_eq!(
        c.concepts[id("AI", "keyword")].meaning,
        c.concepts[id("Artificial Intelligence", "theme")].meaning
    );
    let concepts = signalgraph::graph::projection::article_concepts(&c);
    assert!(concepts
        .iter()
        .all(|ids| ids.iter().all(|&i| c.concepts[i].meaning == i)));
}

#[test]
fn no_align_keeps_forms_apart_and_a_vocabulary_wins() {
    let dir = tempfile::tempdir().unwrap();
    let off = sample(
        dir.path(),
        BuildOptions {
            no_align: true,
            ..Default::default()
        },
    );
    assert!(off.alignment.evidence.is_empty());
    assert_eq!(group_of(&off, "AI").len(), 1);
    assert!(off
        .concepts
        .iter()
        .all(|k| off.concepts[k.meaning].group == k.group));

    let vocabulary = dir.path().join("v.ttl");
    std::fs::write(
        &vocabulary,
        r#"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix ex: <https://example.org/v/> .
        ex:ai skos:prefLabel "Artificial intelligence" ; skos:altLabel "AI" ; skos:broader ex:tech .
        ex:tech skos:prefLabel "Technology" ; skos:altLabel "Automation" .
        ex:space skos:prefLabel "Space economy" .
        ex:spacekw skos:prefLabel "space economy" .
        "#,
    )
    .unwrap();
    let store = StoreDir::new(dir.path().join("store"));
    let opts = BuildOptions {
        paths: vec![seeds()],
        vocabulary: Some(vocabulary.clone()),
        ..Default::default()
    };
    let report = build(&store, &opts, &NoProgress).unwrap();
    assert!(report.saved, "a new vocabulary realigns an unchanged store");
    let c = load_collection(&store).unwrap().0;
    let ai = group_of(&c, "Artificial intelligence");
    assert_eq!(ai.len(), 2, "{ai:?}");
    assert!(!c.alignment.broader.is_empty());
    // The vocabulary's "Space economy" and "space economy" are one key: one concept.
    assert!(c.concepts.iter().any(|k| k.label == "Space economy"));
    // Unchanged files and vocabulary: nothing to save; the vocabulary is kept.
    let again = BuildOptions {
        paths: vec![seeds()],
        ..Default::default()
    };
    assert!(!build(&store, &again, &NoProgress).unwrap().saved);
    assert_eq!(load_collection(&store).unwrap().0.alignment, c.alignment);
    // A changed vocabulary realigns.
    std::fs::write(
        &vocabulary,
        r#"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://example.org/v/ai> skos:prefLabel "AI" ."#,
    )
    .unwrap();
    assert!(build(&store, &opts, &NoProgress).unwrap().saved);
    let c = load_collection(&store).unwrap().0;
    assert!(c.alignment.broader.is_empty());
}

#[test]
fn concepts_command_and_rdf_show_the_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    ok(bin()
        .arg("--store")
        .arg(&store)
        .args(["build", "-q"])
        .arg(seeds())
        .output()
        .unwrap());
    let text = ok(bin().arg("concepts").arg(&store).output().unwrap());
    assert!(text.contains("co-occurrence"), "{text}");
    assert!(text.contains("Space Economy"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&ok(bin()
        .arg("concepts")
        .arg(&store)
        .arg("--json")
        .output()
        .unwrap()))
    .unwrap();
    let groups = json["groups"].as_array().unwrap();
    assert!(groups.iter().any(|g| g["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["rule"] == "co-occurrence" && !e["articles"].as_array().unwrap().is_empty())));
    let count = |q: &str| {
        let out = ok(bin()
            .arg("--store")
            .arg(&store)
            .args(["query", "--format", "csv", q])
            .output()
            .unwrap());
        out.lines().nth(1).unwrap().trim().parse::<u64>().unwrap()
    };
    assert!(count("SELECT (COUNT(*) AS ?n) WHERE { ?a skos:exactMatch ?b }") > 0);
    assert!(count("SELECT (COUNT(*) AS ?n) WHERE { ?a sg:alignmentRule \"co-occurrence\" ; skos:editorialNote ?note }") > 0);
}

/// Precision and recall of alignment on a generated collection, against its truth.json.
struct Score {
    merged_pairs: usize,
    wrong_pairs: Vec<(String, String)>,
    true_pairs: usize,
    found_pairs: usize,
    missed: Vec<(String, String)>,
    /// Planted pairs of forms in different kinds (theme, keyword, driving
    /// force), and how many of them are one concept (the same `meaning`).
    cross_pairs: usize,
    cross_linked: usize,
}

fn score(folder: &Path, store: &StoreDir) -> Score {
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("truth.json")).unwrap()).unwrap();
    let key = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let c = load_collection(store).unwrap().0;
    // Every form's key and its group.
    let mut group_of: BTreeMap<String, u32> = BTreeMap::new();
    for k in &c.concepts {
        for form in std::iter::once(&k.label).chain(&k.alt_labels) {
            group_of.insert(key(form), k.group);
        }
    }
    let mut family_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut families: Vec<Vec<String>> = Vec::new();
    let mut required = Vec::new();
    for fam in truth["concept_variants"].as_array().unwrap() {
        if fam["merge"] == false {
            continue;
        }
        required.push(fam["merge"] == true);
        let forms: Vec<String> = fam["forms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| key(f.as_str().unwrap()))
            .collect();
        for f in &forms {
            family_of.insert(f.clone(), families.len());
        }
        families.push(forms);
    }
    let mut members: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
    for (form, g) in &group_of {
        members.entry(*g).or_default().insert(form);
    }
    let (mut merged_pairs, mut wrong_pairs) = (0, Vec::new());
    for forms in members.values() {
        let forms: Vec<&str> = forms.iter().copied().collect();
        for (i, a) in forms.iter().enumerate() {
            for b in &forms[i + 1..] {
                merged_pairs += 1;
                let same = family_of.contains_key(*a) && family_of.get(*a) == family_of.get(*b);
                if !same {
                    wrong_pairs.push((a.to_string(), b.to_string()));
                }
            }
        }
    }
    let (mut true_pairs, mut found_pairs, mut missed) = (0, 0, Vec::new());
    for (forms, _) in families.iter().zip(&required).filter(|(_, r)| **r) {
        let present: Vec<&String> = forms.iter().filter(|f| group_of.contains_key(*f)).collect();
        for (i, a) in present.iter().enumerate() {
            for b in &present[i + 1..] {
                true_pairs += 1;
                if group_of[*a] == group_of[*b] {
                    found_pairs += 1;
                } else {
                    missed.push(((*a).clone(), (*b).clone()));
                }
            }
        }
    }
    // Cross-kind families: the concept of each form in its kind.
    let meaning_of: BTreeMap<(String, &str), usize> = c
        .concepts
        .iter()
        .flat_map(|k| {
            std::iter::once(&k.label)
                .chain(&k.alt_labels)
                .map(move |form| ((key(form), k.kind.slug()), k.meaning))
        })
        .collect();
    let (mut cross_pairs, mut cross_linked) = (0, 0);
    for fam in truth["concept_variants"].as_array().unwrap() {
        if fam["merge"] != true {
            continue;
        }
        let written: Vec<(String, &str)> = fam["forms"]
            .as_array()
            .unwrap()
            .iter()
            .zip(fam["kinds"].as_array().unwrap())
            .map(|(f, k)| (key(f.as_str().unwrap()), k.as_str().unwrap()))
            .filter(|form| meaning_of.contains_key(form))
            .collect();
        for (i, a) in written.iter().enumerate() {
            for b in &written[i + 1..] {
                if a.1 != b.1 {
                    cross_pairs += 1;
                    if meaning_of[a] == meaning_of[b] {
                        cross_linked += 1;
                    }
                }
            }
        }
    }
    Score {
        merged_pairs,
        wrong_pairs,
        true_pairs,
        found_pairs,
        missed,
        cross_pairs,
        cross_linked,
    }
}

fn scored(articles: usize, seeds: &[u64]) {
    let (mut merged, mut wrong, mut truths, mut found) = (0, 0, 0, 0);
    let (mut cross, mut linked) = (0, 0);
    for &seed in seeds {
        let dir = tempfile::tempdir().unwrap();
        let folder = generated(dir.path(), articles, seed);
        let store = StoreDir::new(dir.path().join("store"));
        build_from(&store, &folder);
        let s = score(&folder, &store);
        println!(
            "{articles} articles, seed {seed}: {} merged pairs, {} wrong {:?}; {} of {} planted pairs found, missed {:?}",
            s.merged_pairs,
            s.wrong_pairs.len(),
            &s.wrong_pairs[..s.wrong_pairs.len().min(8)],
            s.found_pairs,
            s.true_pairs,
            &s.missed[..s.missed.len().min(8)]
        );
        merged += s.merged_pairs;
        wrong += s.wrong_pairs.len();
        truths += s.true_pairs;
        found += s.found_pairs;
        cross += s.cross_pairs;
        linked += s.cross_linked;
    }
    let precision = 1.0 - wrong as f64 / merged.max(1) as f64;
    let recall = found as f64 / truths.max(1) as f64;
    println!(
        "{articles} articles over seeds {seeds:?}: precision {precision:.3} ({wrong} wrong of {merged} merged pairs), recall {recall:.3} ({found} of {truths})"
    );
    println!(
        "{articles} articles: {linked} of {cross} planted pairs across kinds (theme, keyword, driving force) are one concept"
    );
    assert!(cross > 0, "no cross-kind pair planted");
    assert!(
        linked as f64 >= 0.9 * cross as f64,
        "{linked} of {cross} cross-kind pairs linked"
    );
    assert!(precision >= 0.98, "precision {precision}");
    assert!(recall >= 0.9, "recall {recall}");
}

#[test]
#[ignore = "slow: generates and builds 1k and 10k collections; run by tests/run.sh"]
fn alignment_precision_and_recall_on_generated_collections() {
    scored(1000, &[1, 2, 3, 4]);
    scored(10_000, &[1, 2]);
}

#[test]
fn alignment_is_scored_on_a_small_collection() {
    scored(1000, &[5]);
}

/// The cost of alignment on a built store named by `SIGNALGRAPH_ALIGN_STORE`:
/// `align::align` alone (with and without the automatic rules) against merging
/// the articles into a collection (which includes it).
#[test]
#[ignore = "timing: needs SIGNALGRAPH_ALIGN_STORE (a built store); figures in benches/BENCHMARKS.md"]
fn alignment_cost() {
    use signalgraph::align::{self, ArticleForms, Settings};
    use signalgraph::model::Input;
    use std::time::Instant;
    let Ok(path) = std::env::var("SIGNALGRAPH_ALIGN_STORE") else {
        return;
    };
    let saved = StoreDir::new(path).load().unwrap().unwrap();
    let inputs: Vec<Input> = saved
        .entries
        .into_iter()
        .map(|e| Input {
            file: e.file,
            article: e.article,
        })
        .collect();
    let median = |mut runs: Vec<f64>| {
        runs.sort_by(f64::total_cmp);
        runs[runs.len() / 2]
    };
    let keyed: Vec<Vec<(String, String)>> = inputs
        .iter()
        .map(|i| {
            let a = &i.article;
            a.themes
                .iter()
                .chain(&a.keywords)
                .chain(a.signals.iter().map(|s| &s.driving_force))
                .map(|l| (align::key(l), l.clone()))
                .filter(|(k, _)| !k.is_empty())
                .collect()
        })
        .collect();
    let forms: Vec<ArticleForms> = inputs
        .iter()
        .zip(&keyed)
        .map(|(i, k)| {
            let a = &i.article;
            let mut texts = vec![a.title.as_str()];
            texts.extend(a.summary.as_deref());
            for s in &a.signals {
                texts.extend([s.signal.as_str(), s.change.as_str(), s.horizon.as_str()]);
            }
            ArticleForms {
                concepts: k.iter().map(|(k, s)| (k.as_str(), s.as_str())).collect(),
                texts,
            }
        })
        .collect();
    let align_time = |settings: &Settings| {
        median(
            (0..3)
                .map(|_| {
                    let started = Instant::now();
                    let aligned = align::align(&forms, settings);
                    let seconds = started.elapsed().as_secs_f64();
                    assert!(aligned.groups() > 0);
                    seconds
                })
                .collect(),
        )
    };
    let on = align_time(&Settings::default());
    let off = align_time(&Settings {
        automatic: false,
        vocabulary: None,
    });
    let collection = median(
        (0..3)
            .map(|_| {
                let inputs = inputs.clone();
                let started = Instant::now();
                let (c, _) = Collection::build(inputs);
                let seconds = started.elapsed().as_secs_f64();
                drop(c);
                seconds
            })
            .collect(),
    );
    println!(
        "{} articles: align {on:.3} s ({off:.3} s without the automatic rules); whole collection merge {collection:.3} s (median of 3)",
        inputs.len()
    );
}

/// A sample file with its keywords replaced and a sentence added to its summary.
fn rewritten(name: &str, keywords: &[&str], sentence: &str) -> String {
    let text = std::fs::read_to_string(seeds().join(name)).unwrap();
    let start = text.find("## Keywords").unwrap();
    let end = start + text[start..].find("## Themes").unwrap();
    let list: String = keywords.iter().map(|k| format!("* {k}\n")).collect();
    let text = format!("{}## Keywords\n\n{list}\n{}", &text[..start], &text[end..]);
    let summary = text.find("## Summary\n\n").unwrap() + "## Summary\n\n".len();
    let para_end = summary + text[summary..].find('\n').unwrap();
    format!("{} {sentence}{}", &text[..para_end], &text[para_end..])
}

#[test]
fn incremental_builds_realign_the_whole_collection() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("seeds");
    std::fs::create_dir(&folder).unwrap();
    let files = [
        "001_5f187058da6feed4.txt",
        "002_b063bc79639b0153.txt",
        "003_a818df140f026ff7.txt",
    ];
    std::fs::write(
        folder.join(files[0]),
        rewritten(files[0], &["EV", "batteries"], ""),
    )
    .unwrap();
    std::fs::write(
        folder.join(files[1]),
        rewritten(files[1], &["electric vehicles", "battery"], ""),
    )
    .unwrap();
    let store = StoreDir::new(dir.path().join("store"));
    let together = |c: &Collection| {
        let group = |form: &str| {
            let named = |k: &&signalgraph::model::Concept| {
                k.label == form || k.alt_labels.iter().any(|a| a == form)
            };
            c.concepts.iter().find(named).unwrap().group
        };
        group("EV") == group("electric vehicles")
    };
    build_from(&store, &folder);
    let c = load_collection(&store).unwrap().0;
    assert!(!together(&c), "letters that fit are no evidence");
    assert_eq!(group_of(&c, "batteries").len(), 1, "batteries = battery");
    assert!(c.concepts.iter().any(|k| k.alt_labels == ["battery"]));
    // A new article defines the abbreviation: the two forms merge.
    std::fs::write(
        folder.join(files[2]),
        rewritten(
            files[2],
            &["charging"],
            "Sales of electric vehicles (EVs) rose.",
        ),
    )
    .unwrap();
    build_from(&store, &folder);
    let c = load_collection(&store).unwrap().0;
    assert!(together(&c));
    let (_, evidence) = &c.alignment.evidence[c
        .alignment
        .evidence
        .iter()
        .position(|(_, e)| e.rule == signalgraph::align::Rule::TextDefinition)
        .unwrap()];
    assert_eq!(
        c.articles[evidence.articles[0] as usize].article.id,
        "a818df140f026ff7"
    );
    // It goes: they part again.
    std::fs::remove_file(folder.join(files[2])).unwrap();
    let prune = BuildOptions {
        paths: vec![folder.clone()],
        prune: true,
        ..Default::default()
    };
    build(&store, &prune, &NoProgress).unwrap();
    assert!(!together(&load_collection(&store).unwrap().0));
}
