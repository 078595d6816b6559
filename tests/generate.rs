//! Integration tests of the synthetic collection generator: determinism, format, truth.json and planted structure.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;

use serde_json::Value;
use signalgraph::generate::{generate, GenerateError, GenerateOptions, GenerateSummary};

fn options(articles: usize, seed: u64) -> GenerateOptions {
    GenerateOptions {
        articles,
        seed,
        ..GenerateOptions::default()
    }
}

fn run(opts: &GenerateOptions) -> (tempfile::TempDir, GenerateSummary) {
    let dir = tempfile::tempdir().expect("temp dir");
    let summary = generate(opts, dir.path()).expect("generate");
    (dir, summary)
}

/// Every file of `dir` by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("dir entry");
            let name = e.file_name().into_string().expect("utf-8 name");
            (name, fs::read(e.path()).expect("read file"))
        })
        .collect()
}

fn truth(dir: &Path) -> Value {
    serde_json::from_slice(&fs::read(dir.join("truth.json")).expect("truth.json")).expect("json")
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `NNN_<16 hex>.txt` → the 16-hex file id.
fn file_id(name: &str, width: usize) -> Option<&str> {
    let stem = name.strip_suffix(".txt")?;
    let (number, id) = stem.split_once('_')?;
    (number.len() == width && number.bytes().all(|b| b.is_ascii_digit()) && is_hex(id, 16))
        .then_some(id)
}

/// An article as the tests see it (a deliberately small reader, independent of `seed`).
#[derive(Debug, Default)]
struct Parsed {
    title: String,
    date: String,
    source_host: String,
    sections: Vec<(String, Vec<String>)>,
}

impl Parsed {
    fn section(&self, name: &str) -> &[String] {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, lines)| lines.as_slice())
            .unwrap_or_else(|| panic!("missing section {name}"))
    }

    fn bullets(&self, name: &str) -> Vec<String> {
        self.section(name)
            .iter()
            .map(|l| {
                l.strip_prefix("* ")
                    .or_else(|| l.strip_prefix("- "))
                    .unwrap_or_else(|| panic!("not a bullet in {name}: {l:?}"))
                    .to_string()
            })
            .collect()
    }

    /// Closest links as (title, 32-hex id).
    fn links(&self) -> Vec<(String, String)> {
        self.bullets("Closest")
            .iter()
            .map(|b| {
                let inner = b.strip_prefix('[').expect("link starts with [");
                let (title, rest) = inner.rsplit_once("](").expect("link has ](");
                let id = rest.strip_suffix(')').expect("link ends with )");
                assert!(is_hex(id, 32), "bad link id {id:?}");
                (title.to_string(), id.to_string())
            })
            .collect()
    }
}

/// Cells of a table row, splitting on unescaped pipes.
fn cells(row: &str) -> Vec<String> {
    let inner = row
        .trim()
        .strip_prefix('|')
        .and_then(|r| r.strip_suffix('|'))
        .unwrap_or_else(|| panic!("table row not enclosed in pipes: {row:?}"));
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                out.last_mut().expect("cell").push('|');
                chars.next();
            }
            '|' => out.push(String::new()),
            c => out.last_mut().expect("cell").push(c),
        }
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// Parse and check one file; panics with the file name on any format error.
fn parse(name: &str, bytes: &[u8]) -> Parsed {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: not UTF-8"));
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.replace("\r\n", "\n");
    assert!(!text.contains('\r'), "{name}: stray CR");
    let mut lines = text.lines();

    // Heading: `# __TITLE__, from ([YYYYMMDD](https://digest.example.org/p/YYYYMMDD).)`
    let heading = lines.next().expect("heading");
    let rest = heading
        .strip_prefix("# ")
        .unwrap_or_else(|| panic!("{name}: heading {heading:?}"));
    let (title, from) = rest
        .rsplit_once(", from ([")
        .unwrap_or_else(|| panic!("{name}: no date in {heading:?}"));
    let date = &from[..8.min(from.len())];
    assert!(
        date.bytes().all(|b| b.is_ascii_digit()) && date.len() == 8,
        "{name}: date {date:?}"
    );
    assert_eq!(
        &from[8..],
        format!("](https://digest.example.org/p/{date}).)"),
        "{name}: heading tail"
    );
    let title = match title.strip_prefix("__") {
        Some(t) => t.strip_suffix("__").expect("closing bold"),
        None => title,
    };
    assert!(
        !title.is_empty() && !title.contains("__"),
        "{name}: title {title:?}"
    );

    let mut parsed = Parsed {
        title: title.to_string(),
        date: date.to_string(),
        ..Parsed::default()
    };
    let mut current: Option<(String, Vec<String>)> = None;
    for line in lines {
        if let Some(section) = line.strip_prefix("## ") {
            parsed.sections.extend(current.take());
            current = Some((section.to_string(), Vec::new()));
        } else if let Some((_, body)) = current.as_mut() {
            if !line.trim().is_empty() {
                body.push(line.to_string());
            }
        } else if !line.trim().is_empty() {
            let url = line
                .strip_prefix("__[External link](https://")
                .and_then(|l| l.strip_suffix(")__"))
                .unwrap_or_else(|| panic!("{name}: source line {line:?}"));
            let host = url.split('/').next().expect("host");
            assert!(host.ends_with(".example"), "{name}: host {host}");
            parsed.source_host = host.to_string();
        }
    }
    parsed.sections.extend(current);

    let mut names: Vec<&str> = parsed.sections.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["Closest", "Keywords", "Signals", "Summary", "Themes"],
        "{name}: sections"
    );
    assert!(!parsed.source_host.is_empty(), "{name}: no source link");
    assert!(
        !parsed.section("Summary").is_empty(),
        "{name}: empty summary"
    );

    let keywords = parsed.bullets("Keywords");
    assert!(
        (3..=14).contains(&keywords.len()),
        "{name}: {} keywords",
        keywords.len()
    );
    let themes = parsed.bullets("Themes");
    assert!(
        (2..=4).contains(&themes.len()),
        "{name}: {} themes",
        themes.len()
    );

    let table = parsed.section("Signals");
    let header = cells(&table[0]);
    let lower: Vec<String> = header.iter().map(|h| h.to_lowercase()).collect();
    for column in ["signal", "change", "10y horizon", "driving force"] {
        assert!(
            lower.iter().any(|h| h == column),
            "{name}: no {column} column"
        );
    }
    let separator = cells(&table[1]);
    assert_eq!(separator.len(), header.len(), "{name}: separator");
    assert!(separator
        .iter()
        .all(|c| c.starts_with(":-") && c.trim_start_matches(':').chars().all(|c| c == '-')));
    assert!(table.len() >= 3, "{name}: no signal rows");
    let width = table[0].chars().count();
    for row in &table[2..] {
        let row_cells = cells(row);
        assert_eq!(row_cells.len(), header.len(), "{name}: short row {row:?}");
        assert!(
            row_cells.iter().all(|c| !c.is_empty()),
            "{name}: empty cell in {row:?}"
        );
        assert_eq!(
            row.chars().count(),
            width,
            "{name}: row not padded like the header"
        );
    }

    let links = parsed.links();
    assert!(
        (3..=6).contains(&links.len()),
        "{name}: {} links",
        links.len()
    );
    parsed
}

#[test]
fn same_seed_gives_identical_bytes() {
    let opts = options(400, 42);
    let (a, sa) = run(&opts);
    let (b, sb) = run(&opts);
    assert_eq!(sa, sb);
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert_eq!(fa.len(), 401);
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    for (name, bytes) in &fa {
        assert!(bytes == &fb[name], "{name} differs between runs");
    }
    let total: u64 = fa
        .iter()
        .filter(|(n, _)| n.ends_with(".txt"))
        .map(|(_, b)| b.len() as u64)
        .sum();
    assert_eq!(total, sa.bytes);
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let opts = options(300, 77);
    let dirs: Vec<tempfile::TempDir> = [1, 4]
        .into_iter()
        .map(|threads| {
            let dir = tempfile::tempdir().expect("temp dir");
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("thread pool")
                .install(|| generate(&opts, dir.path()))
                .expect("generate");
            dir
        })
        .collect();
    assert!(files(dirs[0].path()) == files(dirs[1].path()));
}

#[test]
fn different_seeds_give_different_collections() {
    let (a, _) = run(&options(200, 1));
    let (b, _) = run(&options(200, 2));
    let (fa, fb) = (files(a.path()), files(b.path()));
    let shared = fa
        .keys()
        .filter(|k| k.ends_with(".txt") && fb.contains_key(*k))
        .count();
    assert_eq!(shared, 0, "file names should not repeat across seeds");
    assert_ne!(fa["truth.json"], fb["truth.json"]);
}

#[test]
fn truth_lists_every_article_and_group() {
    let opts = options(800, 9);
    let (dir, summary) = run(&opts);
    let t = truth(dir.path());
    assert_eq!(t["article_count"], 800);
    assert_eq!(t["seed"], 9);
    assert_eq!(t["start_year"], 2019);
    assert_eq!(t["years"], 6);

    let all = files(dir.path());
    let ids: HashSet<&str> = all.keys().filter_map(|n| file_id(n, 3)).collect();
    assert_eq!(ids.len(), 800);
    let assignments = t["assignments"].as_object().expect("assignments");
    assert_eq!(assignments.len(), 800);

    let groups = t["groups"].as_array().expect("groups");
    assert_eq!(groups.len(), summary.groups);
    assert_eq!(summary.groups, opts.group_count());
    let mut sizes = vec![0u64; groups.len()];
    for (id, a) in assignments {
        assert!(ids.contains(id.as_str()), "assignment {id} has no file");
        let file = a["file"].as_str().expect("file");
        assert_eq!(file_id(file, 3), Some(id.as_str()));
        let g = a["group"].as_u64().expect("group") as usize;
        assert!(g < groups.len());
        sizes[g] += 1;
        if let Some(b) = a["bridge_to"].as_u64() {
            assert!((b as usize) < groups.len() && b as usize != g);
        } else {
            assert!(a["bridge_to"].is_null());
        }
        let parsed = parse(file, &all[file]);
        let date = a["date"].as_str().expect("date");
        assert_eq!(date.replace('-', ""), parsed.date, "{file}: date");
    }
    let trajectories = ["emerging", "growing", "stable", "declining", "ended"];
    for (i, g) in groups.iter().enumerate() {
        assert_eq!(g["id"], i);
        let tr = g["trajectory"].as_str().expect("trajectory");
        assert!(trajectories.contains(&tr), "trajectory {tr}");
        assert_eq!(g["size"].as_u64(), Some(sizes[i]));
        assert!(sizes[i] > 0, "group {i} is empty");
        assert!(!g["themes"].as_array().expect("themes").is_empty());
        assert!(!g["keywords"].as_array().expect("keywords").is_empty());
    }
    // Trajectories are dealt in roughly equal shares (merging and
    // splitting groups are stable).
    for tr in trajectories {
        let n = groups.iter().filter(|g| g["trajectory"] == tr).count();
        assert!(n * 5 + 10 >= groups.len(), "{tr}: {n} of {}", groups.len());
    }
    // Planted events: every emerging group is born, every ended one dies,
    // merges take two groups into one and splits one into two, and no group
    // takes part in two events.
    let mut in_event: HashSet<u64> = HashSet::new();
    let mut kinds: HashMap<String, usize> = HashMap::new();
    for e in t["events"].as_array().expect("events") {
        let ids = |k: &str| -> Vec<u64> {
            e[k].as_array()
                .expect(k)
                .iter()
                .map(|g| g.as_u64().unwrap())
                .collect()
        };
        let (from, to) = (ids("from"), ids("to"));
        let kind = e["type"].as_str().expect("type");
        let expected = match kind {
            "birth" => (0, 1),
            "death" => (1, 0),
            "merge" => (2, 1),
            "split" => (1, 2),
            other => panic!("event type {other}"),
        };
        assert_eq!((from.len(), to.len()), expected, "{kind}");
        for g in from.iter().chain(&to) {
            assert!(in_event.insert(*g), "group {g} in two events");
        }
        assert!(e["date"].as_str().unwrap().starts_with("20"));
        *kinds.entry(kind.to_string()).or_default() += 1;
    }
    for (tr, kind) in [("emerging", "birth"), ("ended", "death")] {
        let n = groups.iter().filter(|g| g["trajectory"] == tr).count();
        assert_eq!(kinds.get(kind).copied().unwrap_or(0), n, "{kind}");
    }
    assert!(kinds["merge"] >= 1 && kinds["split"] >= 1, "{kinds:?}");
    // Planted bursts: their keyword is named by many articles of their weeks.
    let bursts = t["bursts"].as_array().expect("bursts");
    assert!(bursts.len() >= 2);
    for b in bursts {
        let keyword = b["keyword"].as_str().unwrap().to_lowercase();
        let (start, end) = (b["start"].as_str().unwrap(), b["end"].as_str().unwrap());
        let (mut inside, mut named) = (0, 0);
        for (file, bytes) in all.iter().filter(|(n, _)| n.as_str() != "truth.json") {
            let p = parse(file, bytes);
            let date = format!("{}-{}-{}", &p.date[..4], &p.date[4..6], &p.date[6..]);
            if (start..=end).contains(&date.as_str()) {
                inside += 1;
                if p.bullets("Keywords")
                    .iter()
                    .any(|k| k.to_lowercase() == keyword)
                {
                    named += 1;
                }
            }
        }
        assert!(
            inside > 0 && named * 5 >= inside,
            "{keyword}: {named} of {inside}"
        );
    }
    // Keys come out sorted.
    let text = String::from_utf8(all["truth.json"].clone()).expect("utf-8");
    let top: Vec<&str> = t
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = top.clone();
    sorted.sort_unstable();
    assert_eq!(top, sorted);
    assert!(text.find("\"article_count\"") < text.find("\"assignments\""));
}

#[test]
fn every_file_has_the_seed_format_and_a_realistic_shape() {
    let (dir, summary) = run(&options(1000, 5));
    let all = files(dir.path());
    let mut keywords = 0;
    let mut signals = 0;
    let mut hosts: HashMap<String, usize> = HashMap::new();
    let mut surface_forms: HashMap<String, HashSet<String>> = HashMap::new();
    let mut titles = HashSet::new();
    for (name, bytes) in all.iter().filter(|(n, _)| n.as_str() != "truth.json") {
        assert!(file_id(name, 3).is_some(), "file name {name}");
        let p = parse(name, bytes);
        let kws = p.bullets("Keywords");
        keywords += kws.len();
        for k in kws {
            let folded = k
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            surface_forms.entry(folded).or_default().insert(k);
        }
        signals += p.section("Signals").len() - 2;
        *hosts.entry(p.source_host.clone()).or_default() += 1;
        assert!(
            titles.insert(p.title.to_lowercase()),
            "duplicate title {}",
            p.title
        );
    }
    let n = 1000.0;
    let mean_size = summary.bytes as f64 / n;
    assert!(
        (2200.0..4000.0).contains(&mean_size),
        "mean size {mean_size}"
    );
    let mean_kw = keywords as f64 / n;
    assert!((7.0..9.0).contains(&mean_kw), "mean keywords {mean_kw}");
    let mean_signals = signals as f64 / n;
    assert!(
        (4.5..5.5).contains(&mean_signals),
        "mean signals {mean_signals}"
    );
    // Publishers follow a power law: the top host is far above the median one.
    let mut counts: Vec<usize> = hosts.values().copied().collect();
    counts.sort_unstable_by(|a, b| b.cmp(a));
    assert!(counts.len() >= 100, "{} hosts", counts.len());
    assert!(counts[0] >= 10 * counts[counts.len() / 2], "{counts:?}");
    // The same concept appears in several surface forms now and then.
    let varied = surface_forms.values().filter(|f| f.len() > 1).count();
    assert!(
        varied >= 5,
        "only {varied} keywords with case/spacing variants"
    );
}

#[test]
fn closest_links_mostly_resolve_and_stay_in_their_group() {
    let (dir, summary) = run(&options(1000, 17));
    let all = files(dir.path());
    let t = truth(dir.path());
    let assignments = t["assignments"].as_object().expect("assignments");
    let missing = t["missing_articles"].as_object().expect("missing_articles");
    let mut by_id: HashMap<&str, (String, u64)> = HashMap::new();
    let mut parsed = Vec::new();
    for (name, bytes) in all.iter().filter(|(n, _)| n.as_str() != "truth.json") {
        let id = file_id(name, 3).expect("id");
        let p = parse(name, bytes);
        let group = assignments[id]["group"].as_u64().expect("group");
        by_id.insert(id, (p.title.clone(), group));
        parsed.push((id, p));
    }
    let (mut links, mut resolved, mut dangling, mut in_group) = (0, 0, 0, 0);
    for (id, p) in &parsed {
        let own_group = by_id[id].1;
        for (title, target) in p.links() {
            links += 1;
            assert_ne!(&target[..16], *id, "self link");
            match by_id.get(&target[..16]) {
                Some((target_title, group)) => {
                    resolved += 1;
                    assert_eq!(&title, target_title, "link title differs from target title");
                    if *group == own_group {
                        in_group += 1;
                    }
                }
                None => {
                    dangling += 1;
                    let m = &missing[target.as_str()];
                    assert_eq!(m["title"].as_str(), Some(title.as_str()));
                }
            }
        }
    }
    assert_eq!(dangling, summary.dangling_links);
    assert_eq!(t["dangling_links"], dangling);
    let share = |x: usize| x as f64 / links as f64;
    assert!(share(resolved) > 0.95, "resolved {}", share(resolved));
    assert!(
        (0.005..0.05).contains(&share(dangling)),
        "dangling {}",
        share(dangling)
    );
    let in_group_share = in_group as f64 / resolved as f64;
    assert!(
        (0.7..0.92).contains(&in_group_share),
        "in group {in_group_share}"
    );
    // Missing articles' titles do not collide with real ones.
    let titles: HashSet<String> = by_id.values().map(|(t, _)| t.to_lowercase()).collect();
    for m in missing.values() {
        let title = m["title"].as_str().expect("title").to_lowercase();
        assert!(
            !titles.contains(&title),
            "missing article reuses a title: {title}"
        );
    }
}

#[test]
fn format_variants_are_planted_and_valid() {
    let (dir, _) = run(&options(1000, 23));
    let all = files(dir.path());
    let t = truth(dir.path());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for a in t["assignments"].as_object().expect("assignments").values() {
        let file = a["file"].as_str().expect("file");
        let bytes = &all[file];
        let variants: Vec<&str> = a["variants"]
            .as_array()
            .expect("variants")
            .iter()
            .map(|v| v.as_str().expect("variant name"))
            .collect();
        for v in &variants {
            *seen.entry((*v).to_string()).or_default() += 1;
        }
        let has = |v: &str| variants.contains(&v);
        assert_eq!(
            bytes.starts_with("\u{feff}".as_bytes()),
            has("bom"),
            "{file}: bom"
        );
        assert_eq!(bytes.contains(&b'\r'), has("crlf"), "{file}: crlf");
        let text = String::from_utf8_lossy(bytes);
        assert_eq!(
            text.contains("\n- "),
            has("dash_bullets"),
            "{file}: bullets"
        );
        let heading = text
            .trim_start_matches('\u{feff}')
            .lines()
            .next()
            .unwrap_or("");
        assert_eq!(
            !heading.starts_with("# __"),
            has("plain_title"),
            "{file}: title"
        );
        assert_eq!(
            text.contains("| Source quote"),
            has("extra_column"),
            "{file}: column"
        );
        assert_eq!(text.contains("\\|"), has("escaped_pipe"), "{file}: pipe");
        let p = parse(file, bytes);
        let order: Vec<&str> = p.sections.iter().map(|(n, _)| n.as_str()).collect();
        let canonical = ["Summary", "Keywords", "Themes", "Signals", "Closest"];
        assert_eq!(
            order != canonical,
            has("reordered_sections"),
            "{file}: order"
        );
        if !variants.is_empty() {
            continue;
        }
        // Plain files end without a newline, like the sample.
        assert!(!text.ends_with('\n'), "{file}: trailing newline");
    }
    for v in [
        "bom",
        "crlf",
        "dash_bullets",
        "plain_title",
        "extra_column",
        "escaped_pipe",
        "reordered_sections",
    ] {
        let n = seen.get(v).copied().unwrap_or(0);
        assert!((5..=25).contains(&n), "variant {v}: {n} files");
    }
}

/// Days since 1970-01-01 (proleptic Gregorian).
fn days(date: &str) -> i64 {
    let y: i64 = date[0..4].parse().expect("year");
    let m: i64 = date[5..7].parse().expect("month");
    let d: i64 = date[8..10].parse().expect("day");
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

#[test]
fn group_trajectories_are_visible_in_the_dates() {
    let (dir, _) = run(&options(5000, 2024));
    let t = truth(dir.path());
    let start = days("2019-01-01");
    let end = days("2025-01-01");
    let groups = t["groups"].as_array().expect("groups");
    // Per group: (articles in the last 15 %, in the first half, all).
    let mut counts = vec![(0usize, 0usize, 0usize); groups.len()];
    for a in t["assignments"].as_object().expect("assignments").values() {
        let g = a["group"].as_u64().expect("group") as usize;
        let pos = (days(a["date"].as_str().expect("date")) - start) as f64 / (end - start) as f64;
        assert!((0.0..1.0).contains(&pos));
        counts[g].2 += 1;
        if pos >= 0.85 {
            counts[g].0 += 1;
        }
        if pos < 0.5 {
            counts[g].1 += 1;
        }
    }
    let mean_share = |trajectory: &str, pick: fn(&(usize, usize, usize)) -> usize| {
        let shares: Vec<f64> = groups
            .iter()
            .zip(&counts)
            .filter(|(g, _)| g["trajectory"] == trajectory)
            .map(|(_, c)| pick(c) as f64 / c.2 as f64)
            .collect();
        assert!(!shares.is_empty(), "no {trajectory} group");
        shares.iter().sum::<f64>() / shares.len() as f64
    };
    let late = |c: &(usize, usize, usize)| c.0;
    let early = |c: &(usize, usize, usize)| c.1;
    let emerging = mean_share("emerging", late);
    let declining = mean_share("declining", late);
    let stable = mean_share("stable", late);
    assert!(emerging > 0.8, "emerging late share {emerging}");
    assert!(declining < 0.08, "declining late share {declining}");
    assert!(emerging > 10.0 * declining);
    assert!((0.1..0.2).contains(&stable), "stable late share {stable}");
    assert!(mean_share("growing", early) < 0.4);
    assert!(mean_share("declining", early) > 0.6);
}

#[test]
fn bad_options_are_rejected_without_writing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("never");
    let cases = [
        options(0, 1),
        GenerateOptions {
            groups: Some(0),
            ..options(10, 1)
        },
        GenerateOptions {
            groups: Some(11),
            ..options(10, 1)
        },
        GenerateOptions {
            years: 0,
            ..options(10, 1)
        },
        GenerateOptions {
            start_year: 0,
            ..options(10, 1)
        },
    ];
    for opts in cases {
        match generate(&opts, &out) {
            Err(GenerateError::InvalidOptions(msg)) => assert!(!msg.is_empty()),
            other => panic!("{opts:?}: expected InvalidOptions, got {other:?}"),
        }
    }
    assert!(!out.exists());
}

#[test]
fn tiny_collections_and_missing_directories_work() {
    let dir = tempfile::tempdir().expect("temp dir");
    for n in [1, 2, 5, 12] {
        let out = dir.path().join(format!("nested/{n}"));
        let summary = generate(&options(n, 3), &out).expect("generate");
        assert_eq!(summary.articles, n);
        let all = files(&out);
        assert_eq!(all.len(), n + 1);
        for (name, bytes) in all.iter().filter(|(n, _)| n.as_str() != "truth.json") {
            parse(name, bytes);
        }
    }
}
