//! Lineage events and concept bursts scored against what `generate` planted
//! (truth.json `events` and `bursts`).
//!
//! A reported event matches a planted one when it has the same type, is seen
//! within one window of the planted date, and its trends map to the planted
//! groups: a trend before the event maps to the group most of its articles
//! dated in the window before belong to (or, when it has none there, in the
//! window before that), a trend after to the group of most of its articles
//! dated in the event's window (or, when it has none there, the next). A reported burst matches a planted one when its concept is
//! the planted keyword and its months overlap the planted weeks, give or
//! take a month. A reported burst is explained by a planted one, or by a
//! group whose rate changes raising its vocabulary's share while it is
//! dense (see [`burst_score`]); bursts of stable groups' words are not.

mod common;

use common::{analyze_articles, build_from, generated, planted_groups};
use serde_json::Value;
use signalgraph::graph::projection::article_concepts;
use signalgraph::model::Collection;
use signalgraph::seed::Date;
use signalgraph::store::StoreDir;
use signalgraph::trends::bursts::BurstOptions;
use signalgraph::trends::concept_bursts::{concept_bursts, ConceptBurst};
use signalgraph::trends::history::History;
use signalgraph::trends::lineage::{Event, EventKind};
use signalgraph::trends::windows::window_of;
use std::collections::{BTreeMap, BTreeSet};

/// How many of what was planted was found, and how much of what was
/// reported a planted thing explains.
#[derive(Default, Debug, Clone, Copy)]
struct Score {
    planted: usize,
    found: usize,
    reported: usize,
    explained: usize,
}

impl Score {
    fn add(&mut self, other: Score) {
        self.planted += other.planted;
        self.found += other.found;
        self.reported += other.reported;
        self.explained += other.explained;
    }

    fn recall(&self) -> f64 {
        self.found as f64 / self.planted.max(1) as f64
    }

    fn precision(&self) -> f64 {
        self.explained as f64 / self.reported.max(1) as f64
    }
}

struct Planted {
    kind: EventKind,
    window: usize,
    from: BTreeSet<u64>,
    to: BTreeSet<u64>,
}

fn parse_date(s: &str) -> Date {
    Date::from_yyyymmdd(&s.replace('-', "")).expect("a truth date")
}

fn kind(name: &str) -> EventKind {
    match name {
        "birth" => EventKind::Birth,
        "death" => EventKind::Death,
        "merge" => EventKind::Merge,
        _ => EventKind::Split,
    }
}

/// The history of a generated collection, with its truth.
/// Also each article's planted group and the window of its date.
#[allow(clippy::type_complexity)]
fn history_of(
    articles: usize,
    seed: u64,
) -> (
    History,
    Value,
    Vec<Option<u64>>,
    Vec<Option<usize>>,
    Vec<String>,
    Collection,
) {
    let tmp = tempfile::tempdir().unwrap();
    let generated = generated(tmp.path(), articles, seed);
    let dir = StoreDir::new(tmp.path().join("store"));
    build_from(&dir, &generated);
    let done = analyze_articles(&dir);
    let truth: Value =
        serde_json::from_slice(&std::fs::read(generated.join("truth.json")).unwrap()).unwrap();
    let group_of: BTreeMap<&str, u64> = planted_groups(&truth);
    let groups = done
        .collection
        .articles
        .iter()
        .map(|a| group_of.get(a.article.id.as_str()).copied())
        .collect();
    let history = done.analysis.trends.expect("trends").history;
    let windows = done
        .collection
        .articles
        .iter()
        .map(|a| window_of(&history.spans, a.article.date?))
        .collect();
    let labels = history
        .bursts
        .iter()
        .map(|b| done.collection.concepts[b.concept].label.to_lowercase())
        .collect();
    (history, truth, groups, windows, labels, done.collection)
}

/// Scores the events and the bursts of one generated collection.
fn score(articles: usize, seed: u64) -> (Score, Score) {
    let (history, truth, groups, window, labels, collection) = history_of(articles, seed);
    // The group most of trend t's articles dated in window w belong to.
    let group_at = |t: u32, w: usize| -> Option<u64> {
        let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
        for (a, label) in history.lineage.trend_at.get(w)?.iter().enumerate() {
            if *label == Some(t) && window[a] == Some(w) {
                if let Some(g) = groups[a] {
                    *counts.entry(g).or_default() += 1;
                }
            }
        }
        counts
            .into_iter()
            .max_by_key(|&(g, n)| (n, std::cmp::Reverse(g)))
            .map(|(g, _)| g)
    };
    let mapped = |e: &Event| -> (BTreeSet<u64>, BTreeSet<u64>) {
        // A trend with no article in that window (a sparse one) maps by
        // its articles of the window next to it.
        let from = e
            .from
            .iter()
            .filter_map(|&t| (1..=2).find_map(|k| group_at(t, e.window.checked_sub(k)?)))
            .collect();
        let to =
            e.to.iter()
                .filter_map(|&t| (0..=1).find_map(|k| group_at(t, e.window + k)))
                .collect();
        (from, to)
    };
    let planted: Vec<Planted> = truth["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            let date = parse_date(e["date"].as_str().unwrap());
            let ids = |key: &str| -> BTreeSet<u64> {
                e[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|g| g.as_u64().unwrap())
                    .collect()
            };
            Some(Planted {
                kind: kind(e["type"].as_str().unwrap()),
                window: window_of(&history.spans, date)?,
                from: ids("from"),
                to: ids("to"),
            })
        })
        .collect();
    let reported: Vec<(EventKind, usize, BTreeSet<u64>, BTreeSet<u64>)> = history
        .lineage
        .events
        .iter()
        .map(|e| {
            let (from, to) = mapped(e);
            (e.kind, e.window, from, to)
        })
        .collect();
    let matches = |p: &Planted, r: &(EventKind, usize, BTreeSet<u64>, BTreeSet<u64>)| {
        p.kind == r.0 && p.window.abs_diff(r.1) <= 1 && p.from == r.2 && p.to == r.3
    };
    let events = Score {
        planted: planted.len(),
        found: planted
            .iter()
            .filter(|p| reported.iter().any(|r| matches(p, r)))
            .count(),
        reported: reported.len(),
        explained: reported
            .iter()
            .filter(|r| planted.iter().any(|p| matches(p, r)))
            .count(),
    };
    if std::env::var_os("LINEAGE_TRENDS").is_some() {
        let mut by_trend: BTreeMap<u32, BTreeMap<u64, usize>> = BTreeMap::new();
        for (a, g) in groups.iter().enumerate() {
            let t = window[a].and_then(|w| history.lineage.trend_at[w][a]);
            if let (Some(t), Some(g)) = (t, g) {
                *by_trend.entry(t).or_default().entry(*g).or_default() += 1;
            }
        }
        for (t, counts) in by_trend {
            let mut counts: Vec<_> = counts.into_iter().collect();
            counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
            counts.truncate(4);
            let seen = history.lineage.seen.get(&t);
            let mut per = vec![0; history.spans.len()];
            for (a, w) in window.iter().enumerate() {
                if let Some(w) = *w {
                    if history.lineage.trend_at[w][a] == Some(t) {
                        per[w] += 1;
                    }
                }
            }
            println!("  trend {t}: groups {counts:?} seen {seen:?} per window {per:?}");
        }
        for p in &planted {
            println!(
                "  planted {:?} at window {}: {:?} -> {:?}",
                p.kind, p.window, p.from, p.to
            );
        }
    }
    for r in &reported {
        let mark = if planted.iter().any(|p| matches(p, r)) {
            "explained"
        } else {
            "unexplained"
        };
        if std::env::var_os("LINEAGE_ALL").is_some() || mark == "unexplained" {
            println!(
                "  {mark} {:?} at window {}: {:?} -> {:?}",
                r.0, r.1, r.2, r.3
            );
        }
    }
    for p in &planted {
        if !reported.iter().any(|r| matches(p, r)) {
            println!(
                "  missed {:?} at window {}: {:?} -> {:?}",
                p.kind, p.window, p.from, p.to
            );
            if std::env::var_os("LINEAGE_ALL").is_some() {
                for g in p.from.iter().chain(&p.to) {
                    let mut counts: BTreeMap<Option<u32>, usize> = BTreeMap::new();
                    for (a, t) in history.home.iter().enumerate() {
                        if groups[a] == Some(*g) {
                            *counts.entry(*t).or_default() += 1;
                        }
                    }
                    let mut counts: Vec<_> = counts.into_iter().collect();
                    counts.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
                    counts.truncate(3);
                    let spans: Vec<_> = counts
                        .iter()
                        .filter_map(|(t, _)| history.trend((*t)?).map(|h| (h.id, h.seen)))
                        .collect();
                    println!("    group {g}: trends {counts:?} seen {spans:?}");
                }
            }
        }
    }
    if std::env::var_os("LINEAGE_SWEEP").is_some() {
        for scale in [3.0, 4.0, 6.0] {
            for gamma in [1.0, 1.5, 2.0] {
                {
                    let min_articles = 3;
                    let options = BurstOptions {
                        scale,
                        gamma,
                        min_articles,
                    };
                    let found =
                        concept_bursts(&collection, &article_concepts(&collection), &options);
                    let labels: Vec<String> = found
                        .iter()
                        .map(|b| collection.concepts[b.concept].label.to_lowercase())
                        .collect();
                    let b = burst_score(&found, &labels, &truth);
                    println!(
                        "  sweep s={scale} gamma={gamma} min={min_articles}: found {}/{} explained {}/{}",
                        b.found, b.planted, b.explained, b.reported
                    );
                }
            }
        }
    }
    (events, burst_score(&history.bursts, &labels, &truth))
}

/// Planted bursts found, and reported bursts explained by a planted one
/// (`labels[i]`: burst i's concept, lower-cased).
fn burst_score(bursts: &[ConceptBurst], labels: &[String], truth: &Value) -> Score {
    let day = |d: Date| signalgraph::seed::day_number(d);
    let planted: Vec<(String, i64, i64)> = truth["bursts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["keyword"].as_str().unwrap().to_lowercase(),
                day(parse_date(b["start"].as_str().unwrap())),
                day(parse_date(b["end"].as_str().unwrap())),
            )
        })
        .collect();
    let matches = |p: &(String, i64, i64), r: usize| {
        let b = &bursts[r];
        labels[r] == p.0 && day(b.start) <= p.2 + 31 && day(b.end) >= p.1 - 31
    };
    let reported = bursts.len();
    // A group whose rate changes over the period raises its vocabulary's
    // share (its own keywords, the common ones it uses more than others, its
    // themes, driving forces and planted concept variants) while it is dense: after its planted birth
    // or the merge or split that started it, before the death, merge or split
    // that ended it, in the second half for a growing group and the first for
    // a declining one. A burst of that vocabulary inside that phase (give or
    // take a month) is a real burst, though not a planted one; bursts of
    // stable groups' words are chance.
    let first = day(parse_date(&format!("{}-01-01", truth["start_year"])));
    let last = first + 7 * truth["weeks"].as_i64().unwrap();
    let middle = (first + last) / 2;
    let mut dense: BTreeMap<u64, Vec<(i64, i64)>> = BTreeMap::new();
    for e in truth["events"].as_array().unwrap() {
        let date = day(parse_date(e["date"].as_str().unwrap()));
        let (from, to) = (e["from"].as_array().unwrap(), e["to"].as_array().unwrap());
        for g in to.iter().filter(|g| !from.contains(g)) {
            dense
                .entry(g.as_u64().unwrap())
                .or_default()
                .push((date, last));
        }
        for g in from.iter().filter(|g| !to.contains(g)) {
            dense
                .entry(g.as_u64().unwrap())
                .or_default()
                .push((first, date));
        }
    }
    // The concept variants planted into a group's articles are its words too.
    let mut variants: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for family in truth["concept_variants"].as_array().into_iter().flatten() {
        for g in family["groups"].as_array().unwrap() {
            let forms = family["forms"].as_array().unwrap();
            variants
                .entry(g.as_u64().unwrap())
                .or_default()
                .extend(forms.iter().map(|f| f.as_str().unwrap().to_lowercase()));
        }
    }
    let mut phases: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
    for (g, group) in truth["groups"].as_array().unwrap().iter().enumerate() {
        let spans = match (dense.get(&(g as u64)), group["trajectory"].as_str()) {
            (Some(spans), _) => spans.clone(),
            (None, Some("growing")) => vec![(middle, last)],
            (None, Some("declining")) => vec![(first, middle)],
            _ => continue,
        };
        let own = ["keywords", "shared_keywords", "themes", "driving_forces"]
            .iter()
            .flat_map(|key| group[*key].as_array().unwrap())
            .map(|word| word.as_str().unwrap().to_lowercase());
        for word in own.chain(variants.get(&(g as u64)).into_iter().flatten().cloned()) {
            phases.entry(word).or_default().extend(&spans);
        }
    }
    let organic = |r: usize| {
        let b = &bursts[r];
        phases.get(&labels[r]).is_some_and(|spans| {
            spans
                .iter()
                .any(|&(from, to)| day(b.start) >= from - 31 && day(b.end) <= to + 31)
        })
    };
    if std::env::var_os("BURST_DEBUG").is_some() {
        for p in planted
            .iter()
            .filter(|p| !(0..reported).any(|r| matches(p, r)))
        {
            let same: Vec<String> = (0..reported)
                .filter(|&r| labels[r] == p.0)
                .map(|r| format!("{}..{}", bursts[r].start, bursts[r].end))
                .collect();
            println!(
                "  missed burst {} days {}..{}; reported for it: {same:?}",
                p.0, p.1, p.2
            );
        }
        for r in 0..reported {
            if planted.iter().any(|p| matches(p, r)) || organic(r) {
                continue;
            }
            let b = &bursts[r];
            let owners: Vec<String> = truth["groups"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .filter(|(_, g)| {
                    ["keywords", "driving_forces", "themes"].iter().any(|k| {
                        g[*k].as_array().is_some_and(|ws| {
                            ws.iter()
                                .any(|w| w.as_str().unwrap().to_lowercase() == labels[r])
                        })
                    })
                })
                .map(|(i, g)| format!("{i}:{}", g["trajectory"]))
                .collect();
            println!(
                "  burst {} {}..{} w {:.1} n {} owners {owners:?}",
                labels[r],
                b.start,
                b.end,
                b.weight,
                b.articles.len()
            );
        }
    }
    Score {
        planted: planted.len(),
        found: planted
            .iter()
            .filter(|p| (0..reported).any(|r| matches(p, r)))
            .count(),
        reported,
        explained: (0..reported)
            .filter(|&r| planted.iter().any(|p| matches(p, r)) || organic(r))
            .count(),
    }
}

fn report(label: &str, events: Score, bursts: Score) {
    println!(
        "{label}: events found {}/{} ({:.1} %), explained {}/{} ({:.1} %); bursts found {}/{} ({:.1} %), explained {}/{} ({:.1} %)",
        events.found,
        events.planted,
        100.0 * events.recall(),
        events.explained,
        events.reported,
        100.0 * events.precision(),
        bursts.found,
        bursts.planted,
        100.0 * bursts.recall(),
        bursts.explained,
        bursts.reported,
        100.0 * bursts.precision(),
    );
}

/// The seeds to score: `default`, or those listed in `LINEAGE_SEEDS`
/// (comma-separated; for looking at seeds not used to choose the rules).
fn seeds(default: Vec<u64>) -> Vec<u64> {
    std::env::var("LINEAGE_SEEDS").map_or(default, |v| {
        v.split(',')
            .map(|x| x.trim().parse().expect("a seed"))
            .collect()
    })
}

#[test]
#[ignore = "scoring run; tests/run.sh runs it with --ignored"]
fn planted_lineage_and_bursts_are_found_at_1k() {
    let (mut events, mut bursts) = (Score::default(), Score::default());
    let seeds = seeds((1..=26).collect());
    for &seed in &seeds {
        let (e, b) = score(1_000, seed);
        report(&format!("1k articles, seed {seed}"), e, b);
        events.add(e);
        bursts.add(b);
    }
    report(
        &format!("1k articles, seeds {seeds:?} pooled"),
        events,
        bursts,
    );
    assert_floors(&events, &bursts, (0.9, 0.8), (0.9, 0.85));
}

/// The targets: events found at least 0.9 and explained at least 0.8,
/// pooled over the scored seeds (the rules were chosen on 1k seeds 1–10 and
/// 10k seeds 7–8, and mended on 10k seeds 9–11; BENCHMARKS.md has each
/// seed's figures); bursts as floors a little under what was measured.
fn assert_floors(events: &Score, bursts: &Score, event_floor: (f64, f64), burst_floor: (f64, f64)) {
    assert!(
        events.recall() >= event_floor.0,
        "events found {:.3}",
        events.recall()
    );
    assert!(
        events.precision() >= event_floor.1,
        "events explained {:.3}",
        events.precision()
    );
    assert!(
        bursts.recall() >= burst_floor.0,
        "bursts found {:.3}",
        bursts.recall()
    );
    assert!(
        bursts.precision() >= burst_floor.1,
        "bursts explained {:.3}",
        bursts.precision()
    );
}

#[test]
#[ignore = "scoring run; tests/run.sh runs it with --ignored"]
fn planted_lineage_and_bursts_are_found_at_10k() {
    let (mut events, mut bursts) = (Score::default(), Score::default());
    let seeds = seeds((7..=14).collect());
    for &seed in &seeds {
        let (e, b) = score(10_000, seed);
        report(&format!("10k articles, seed {seed}"), e, b);
        events.add(e);
        bursts.add(b);
    }
    report(
        &format!("10k articles, seeds {seeds:?} pooled"),
        events,
        bursts,
    );
    assert_floors(&events, &bursts, (0.9, 0.8), (0.9, 0.85));
}
