//! The `signalgraph` binary end to end: build, stats, query, exit codes, incremental builds.

#![allow(unsafe_code)] // mkfifo and geteuid through libc

mod common;

use common::bin;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GOOD: &str = include_str!("fixtures/000_5dd56928cd244e73.txt");

/// Runs `signalgraph --store STORE ARGS…` in `cwd`.
fn run(cwd: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(cwd)
        .args(["--store", "store"])
        .args(args)
        .output()
        .expect("run signalgraph")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stats(cwd: &Path) -> serde_json::Value {
    let o = run(cwd, &["stats", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("stats JSON")
}

/// An article like the fixture, with its own id, title and first closest link.
fn article(title: &str, date: &str, link_to: &str) -> String {
    GOOD.replace("Klarna Cuts Jobs Amid AI Expansion", title)
        .replace("20241103", date)
        .replace("b15a8c5cc8e0bed49f5aa1dae25ab026", link_to)
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap();
    path
}

/// A folder with three good articles (linking to each other and to one unknown
/// article), one with warnings, and four bad files.
fn mixed_collection(root: &Path) {
    let s = root.join("seeds");
    write(
        &s,
        "001_aaaaaaaaaaaaaaaa.txt",
        article("Alpha", "20240107", "bbbbbbbbbbbbbbbb1111111111111111"),
    );
    write(
        &s,
        "002_bbbbbbbbbbbbbbbb.txt",
        article("Beta", "20240114", "aaaaaaaaaaaaaaaa2222222222222222"),
    );
    write(
        &s,
        "sub/003_cccccccccccccccc.md",
        article("Gamma", "20250302", "dddddddddddddddd3333333333333333"),
    );
    // Warnings: no date, a short table row.
    let warned = article("Delta", "20240121", "aaaaaaaaaaaaaaaa4444444444444444")
        .replace(
            ", from ([20240121](https://kghosh.substack.com/p/20240121).)",
            "",
        )
        .replace(
            "| Planned IPO by Klarna as company stabilizes    | Losses to potential profits      |",
            "| Planned IPO | Losses to profits |\n| Short row |",
        );
    write(&s, "004_eeeeeeeeeeeeeeee.txt", warned);
    write(&s, "bad/empty.txt", "");
    write(
        &s,
        "bad/latin1.txt",
        b"# Caf\xe9 title\n\n## Summary\n\ntext\n",
    );
    write(&s, "bad/noheading.md", "## Summary\n\nNo title here.\n");
    write(&s, "bad/notes.txt", "\n\njust words\n");
    write(&s, "ignored.json", "{}");
}

#[test]
fn build_reports_bad_files_and_saves_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_collection(tmp.path());
    let o = run(tmp.path(), &["build", "seeds"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.starts_with("saved ")).collect();
    assert_eq!(
        lines,
        [
            "warning: seeds/004_eeeeeeeeeeeeeeee.txt:1: heading has no `, from ([YYYYMMDD](URL).)` part: the article has no date",
            "warning: seeds/004_eeeeeeeeeeeeeeee.txt:39: signals table row has 2 of 4 cells; the missing ones are empty",
            "warning: seeds/004_eeeeeeeeeeeeeeee.txt:40: signals table row has 3 of 4 cells; the missing ones are empty",
            "error: seeds/bad/empty.txt:1: file is empty",
            "error: seeds/bad/latin1.txt:1: not valid UTF-8 (byte 5)",
            "error: seeds/bad/noheading.md:1: no `#` heading: not a seed article",
            "error: seeds/bad/notes.txt:1: no `#` heading: not a seed article",
        ],
        "{err}"
    );
    assert!(
        err.contains("saved store: 4 articles (4 read, 0 unchanged, 4 skipped)"),
        "{err}"
    );
    let s = stats(tmp.path());
    assert_eq!(s["articles"]["read"], 4);
    // Gamma's link, and the fixture's four links to articles not in this folder.
    assert_eq!(s["articles"]["stub"], 5);
    assert_eq!(s["signals"], 4 * 6 + 1);
    assert_eq!(s["themes"], 3);
    assert_eq!(s["sources"], 1);
    assert_eq!(s["digests"], 3);
    assert_eq!(s["closest_links"]["total"], 20);
    assert_eq!(s["closest_links"]["resolved_by_id"], 3);
    // The other links of the fixture point at articles not in this folder.
    assert_eq!(s["closest_links"]["unresolved"], 17);
    assert_eq!(s["dates"]["first"], "2024-01-07");
    assert_eq!(s["dates"]["last"], "2025-03-02");
    assert_eq!(s["dates"]["undated_articles"], 1);

    // The triple count agrees with the store.
    let o = run(
        tmp.path(),
        &[
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            "--format",
            "csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().nth(1).unwrap(), s["triples"].to_string());
}

#[test]
fn queries_answer_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_collection(tmp.path());
    run(tmp.path(), &["build", "-q", "seeds"]);
    let titles =
        "SELECT ?title WHERE { ?a a schema:NewsArticle ; dcterms:title ?title } ORDER BY ?title";
    let o = run(tmp.path(), &["query", titles, "--format", "csv"]);
    assert_eq!(stdout(&o), "title\r\nAlpha\r\nBeta\r\nDelta\r\nGamma\r\n");
    let o = run(tmp.path(), &["query", titles, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["results"]["bindings"][3]["title"]["value"], "Gamma");
    let o = run(tmp.path(), &["query", titles, "--format", "tsv"]);
    assert!(stdout(&o).starts_with("?title\n\"Alpha\"\n"));
    let o = run(tmp.path(), &["query", titles, "--format", "xml"]);
    assert!(stdout(&o).contains("<literal>Gamma</literal>"));
    let o = run(tmp.path(), &["query", titles]);
    assert_eq!(
        stdout(&o),
        "title\n-----\nAlpha\nBeta\nDelta\nGamma\n(4 rows)\n"
    );
    // ASK, and a query from a file.
    write(
        tmp.path(),
        "q.rq",
        "ASK { ?s sg:closestTo ?o . ?o a sg:StubArticle }",
    );
    let o = run(tmp.path(), &["query", "--file", "q.rq", "--format", "json"]);
    assert_eq!(stdout(&o), "{\"head\":{},\"boolean\":true}");
    // CONSTRUCT as Turtle (with prefixes) and N-Triples.
    let c = "CONSTRUCT { ?a dcterms:title ?t } WHERE { ?a dcterms:title ?t ; dcterms:identifier \"aaaaaaaaaaaaaaaa\" }";
    let o = run(tmp.path(), &["query", c]);
    assert!(
        stdout(&o).contains("dcterms:title \"Alpha\""),
        "{}",
        stdout(&o)
    );
    let o = run(tmp.path(), &["query", c, "--format", "ntriples"]);
    assert_eq!(
        stdout(&o),
        "<https://w3id.org/signalgraph/id/article/aaaaaaaaaaaaaaaa> <http://purl.org/dc/terms/title> \"Alpha\" .\n"
    );
    // Concepts merge across spellings and keep their surface forms.
    let o = run(
        tmp.path(),
        &[
            "query",
            "SELECT ?l WHERE { ?c sg:normalizedLabel \"ai\" ; skos:prefLabel ?l }",
            "--format",
            "csv",
        ],
    );
    assert_eq!(stdout(&o), "l\r\nAI\r\n");
}

#[test]
fn bad_queries_and_usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_collection(tmp.path());
    // No store yet.
    let o = run(tmp.path(), &["stats"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no store at store"), "{}", stderr(&o));
    run(tmp.path(), &["build", "-q", "seeds"]);
    let o = run(tmp.path(), &["query", "SELECT ?x WHERE { ?x ?y }"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid SPARQL query: error at 1:"),
        "{}",
        stderr(&o)
    );
    let o = run(
        tmp.path(),
        &[
            "query",
            "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            "--format",
            "turtle",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = run(tmp.path(), &["build", "no-such-folder"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-folder: no such file or folder"));
    let o = run(tmp.path(), &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    // A folder of bad files into a new store saves nothing.
    let o = bin()
        .current_dir(tmp.path())
        .args(["--store", "other", "build", "seeds/bad"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("error: nothing to save: no file could be read as a seed article"));
    assert!(!tmp.path().join("other/collection.sgs").exists());
    // Into the existing store, the articles saved from elsewhere stay: exit 3.
    let before = stats(tmp.path());
    let o = run(tmp.path(), &["build", "seeds/bad"]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stats(tmp.path()), before);
}

#[test]
fn strict_turns_warnings_into_errors_and_saves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_collection(tmp.path());
    std::fs::remove_dir_all(tmp.path().join("seeds/bad")).unwrap();
    let o = run(tmp.path(), &["build", "--strict", "seeds"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("error: seeds/004_eeeeeeeeeeeeeeee.txt:1: heading has no"),
        "{err}"
    );
    assert!(
        err.contains("--strict: 0 error(s) and 3 warning(s); nothing was saved"),
        "{err}"
    );
    assert!(!tmp.path().join("store/collection.sgs").exists());
    std::fs::remove_file(tmp.path().join("seeds/004_eeeeeeeeeeeeeeee.txt")).unwrap();
    let o = run(tmp.path(), &["build", "--strict", "seeds"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn incremental_rebuilds_touch_change_and_prune() {
    let tmp = tempfile::tempdir().unwrap();
    mixed_collection(tmp.path());
    std::fs::remove_dir_all(tmp.path().join("seeds/bad")).unwrap();
    let o = run(tmp.path(), &["build", "seeds"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("4 articles (4 read, 0 unchanged)"),
        "{}",
        stderr(&o)
    );
    let o = run(tmp.path(), &["build", "seeds"]);
    assert!(
        stderr(&o).contains("up to date store: 4 articles (0 read, 4 unchanged)"),
        "{}",
        stderr(&o)
    );

    // Touch one file (same bytes, new time): not re-parsed (same content hash).
    let alpha = tmp.path().join("seeds/001_aaaaaaaaaaaaaaaa.txt");
    let f = std::fs::File::options().write(true).open(&alpha).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    drop(f);
    let o = run(tmp.path(), &["build", "seeds"]);
    assert!(
        stderr(&o).contains("4 articles (0 read, 4 unchanged)"),
        "{}",
        stderr(&o)
    );

    // Change one: its article graph is replaced.
    write(
        &tmp.path().join("seeds"),
        "002_bbbbbbbbbbbbbbbb.txt",
        article(
            "Beta Revised",
            "20240114",
            "aaaaaaaaaaaaaaaa2222222222222222",
        ),
    );
    let o = run(tmp.path(), &["build", "seeds"]);
    assert!(
        stderr(&o).contains("4 articles (1 read, 3 unchanged)"),
        "{}",
        stderr(&o)
    );
    let q = "SELECT ?t WHERE { GRAPH <https://w3id.org/signalgraph/id/graph/article/bbbbbbbbbbbbbbbb> { ?a dcterms:title ?t } }";
    assert_eq!(
        stdout(&run(tmp.path(), &["query", q, "--format", "csv"])),
        "t\r\nBeta Revised\r\n"
    );

    // Delete one: kept until --prune.
    std::fs::remove_file(tmp.path().join("seeds/sub/003_cccccccccccccccc.md")).unwrap();
    let o = run(tmp.path(), &["build", "seeds"]);
    assert!(
        stderr(&o).contains("1 saved article(s) whose files are gone were kept"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stats(tmp.path())["articles"]["read"], 4);
    let o = run(tmp.path(), &["build", "--prune", "seeds"]);
    assert!(
        stderr(&o).contains("3 articles (0 read, 3 unchanged, 1 pruned)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stats(tmp.path())["articles"]["read"], 3);

    // A file arriving later merges with its stub: the link now resolves.
    let before = stats(tmp.path());
    write(
        &tmp.path().join("other"),
        "009_dddddddddddddddd.txt",
        article("Stubbed", "20240301", "aaaaaaaaaaaaaaaa5555555555555555"),
    );
    write(
        &tmp.path().join("seeds"),
        "sub/003_cccccccccccccccc.md",
        article("Gamma", "20250302", "dddddddddddddddd3333333333333333"),
    );
    run(tmp.path(), &["build", "seeds"]);
    let mid = stats(tmp.path());
    assert_eq!(
        mid["articles"]["stub"],
        before["articles"]["stub"].as_u64().unwrap() + 1
    );
    run(tmp.path(), &["build", "other"]);
    let after = stats(tmp.path());
    assert_eq!(after["articles"]["read"], 5);
    assert_eq!(after["articles"]["stub"], before["articles"]["stub"]);
    let q = "ASK { <https://w3id.org/signalgraph/id/article/cccccccccccccccc> sg:closestTo ?d . ?d a schema:NewsArticle ; dcterms:title \"Stubbed\" }";
    assert_eq!(stdout(&run(tmp.path(), &["query", q])), "true\n");
}

#[test]
fn base_iri_is_kept_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("seeds"),
        "001_aaaaaaaaaaaaaaaa.txt",
        article("Alpha", "20240107", "x"),
    );
    let o = run(tmp.path(), &["build", "--base-iri", "not an iri", "seeds"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid base IRI"), "{}", stderr(&o));
    let o = run(
        tmp.path(),
        &["build", "--base-iri", "https://example.org/kg/", "seeds"],
    );
    assert!(o.status.success());
    run(tmp.path(), &["build", "seeds"]);
    let o = run(
        tmp.path(),
        &[
            "query",
            "SELECT ?a WHERE { ?a dcterms:identifier \"aaaaaaaaaaaaaaaa\" }",
            "--format",
            "csv",
        ],
    );
    assert_eq!(
        stdout(&o),
        "a\r\nhttps://example.org/kg/article/aaaaaaaaaaaaaaaa\r\n"
    );
}

#[test]
fn completions_and_help() {
    let o = bin().args(["completions", "bash"]).output().unwrap();
    assert!(o.status.success());
    assert!(stdout(&o).contains("signalgraph"));
    for cmd in ["build", "stats", "query", "generate", "completions"] {
        let o = bin().args([cmd, "--help"]).output().unwrap();
        assert!(
            stdout(&o).contains("Example:"),
            "{cmd} --help has no example"
        );
    }
}

#[test]
fn store_env_var_sets_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        &tmp.path().join("seeds"),
        "001_aaaaaaaaaaaaaaaa.txt",
        article("Alpha", "20240107", "x"),
    );
    let o = bin()
        .current_dir(tmp.path())
        .env("SIGNALGRAPH_STORE", "envstore")
        .args(["build", "-q", "seeds"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(tmp.path().join("envstore/collection.sgs").exists());
}

/// Kills builds at many moments; every time, the store that is left opens and
/// holds either the old or the new collection.
#[test]
fn a_killed_build_leaves_a_loadable_store() {
    let tmp = tempfile::tempdir().unwrap();
    let gen = |seed: &str, articles: &str| {
        let _ = std::fs::remove_dir_all(tmp.path().join("seeds"));
        let o = bin()
            .current_dir(tmp.path())
            .args([
                "generate",
                "--articles",
                articles,
                "--seed",
                seed,
                "--out",
                "seeds",
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    gen("1", "3000");
    let first = bin()
        .current_dir(tmp.path())
        .args(["--store", "store", "build", "-q", "seeds"])
        .output()
        .unwrap();
    assert!(first.status.success());
    let old = stats(tmp.path());
    // Another collection: every file changes.
    gen("2", "4000");
    let mut outcomes = std::collections::BTreeSet::new();
    for delay_ms in [5u64, 20, 40, 60, 80, 100, 130, 160, 200, 250, 300, 400, 600] {
        let mut child = bin()
            .current_dir(tmp.path())
            .args(["--store", "store", "build", "-q", "--prune", "seeds"])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = stats(tmp.path());
        let read = now["articles"]["read"].as_u64().unwrap();
        assert!(
            read == 3000 || read == 4000,
            "after a kill at {delay_ms} ms: {read} articles"
        );
        assert!(now == old || read == 4000);
        let o = run(
            tmp.path(),
            &[
                "query",
                "SELECT (COUNT(*) AS ?n) WHERE { ?a a schema:NewsArticle }",
                "--format",
                "csv",
            ],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), format!("n\r\n{read}\r\n"));
        outcomes.insert(read);
        if read == 4000 {
            // Once the new store is saved, make the next build change it again.
            gen(if delay_ms % 2 == 0 { "1" } else { "2" }, "4000");
        }
    }
    eprintln!("articles seen after kills: {outcomes:?}");
}

#[cfg(unix)]
#[test]
fn linked_files_are_read_and_linked_folders_are_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let real = write(
        &tmp.path().join("elsewhere"),
        "001_aaaaaaaaaaaaaaaa.txt",
        article("Alpha", "20240107", "x"),
    );
    std::fs::create_dir_all(tmp.path().join("seeds")).unwrap();
    std::os::unix::fs::symlink(&real, tmp.path().join("seeds/001_aaaaaaaaaaaaaaaa.txt")).unwrap();
    // A link back up would loop forever if followed.
    std::os::unix::fs::symlink(tmp.path(), tmp.path().join("seeds/loop")).unwrap();
    let o = run(tmp.path(), &["build", "seeds"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stats(tmp.path())["articles"]["read"], 1);
}

/// A rebuild with nothing changed replays the same diagnostics, in the same order.
#[test]
fn unchanged_rebuild_reports_the_same_diagnostics() {
    let tmp = tempfile::tempdir().unwrap();
    // A short row (found mid-file) and a missing section (reported at the heading, line 1).
    let text = article("Delta", "20240121", "x")
        .replace(
            "| Planned IPO by Klarna as company stabilizes    | Losses to potential profits      |",
            "| Short row |",
        )
        .replace("## Closest", "## Elsewhere");
    write(&tmp.path().join("seeds"), "004_eeeeeeeeeeeeeeee.txt", text);
    let lines = |o: &Output| -> Vec<String> {
        stderr(o)
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .map(str::to_string)
            .collect()
    };
    let first = run(tmp.path(), &["build", "seeds"]);
    let again = run(tmp.path(), &["build", "seeds"]);
    assert!(stderr(&again).contains("up to date"), "{}", stderr(&again));
    assert_eq!(lines(&first).len(), 2, "{}", stderr(&first));
    assert!(lines(&first)[0].contains(":1: missing section `## Closest`"));
    assert_eq!(lines(&first), lines(&again));
}

/// `command` followed by `arg`.
fn with<'a>(command: &[&'a str], arg: &'a str) -> Vec<&'a str> {
    let mut args = command.to_vec();
    args.push(arg);
    args
}

#[test]
fn every_numeric_flag_refuses_hostile_values_with_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let huge = [
        "-1",
        "1e300",
        "18446744073709551615",
        "18446744073709551616",
        "NaN",
        "inf",
        "",
    ];
    // Seeds take any u64.
    let seed = [
        "-1",
        "1e300",
        "18446744073709551616",
        "NaN",
        "inf",
        "",
        "0.5",
    ];
    let flags: &[(&[&str], &str, &[&str])] = &[
        (&["run", "seeds"], "--seed", &seed),
        (&["analyze"], "--resolution", &huge),
        (&["analyze"], "--seed", &seed),
        (
            &["analyze"],
            "--samples",
            &["0", "-1", "1e300", "18446744073709551615", "NaN", ""],
        ),
        (&["analyze"], "--damping", &huge),
        (&["analyze"], "--tolerance", &huge),
        (&["analyze"], "--max-cluster-size", &huge),
        (&["analyze"], "--neighbours", &huge),
        (&["analyze"], "--top", &huge),
        (&["generate", "--out", "gen"], "--articles", &huge),
        (
            &["generate", "--out", "gen", "--articles", "1"],
            "--seed",
            &seed,
        ),
        (
            &["generate", "--out", "gen", "--articles", "1"],
            "--groups",
            &huge,
        ),
        (&["serve"], "--timeout", &huge),
        (&["serve"], "--max-result-size", &huge),
        (&["serve"], "--max-body", &huge),
        (&["serve"], "--max-concurrent", &huge),
        (&["serve"], "--max-query-memory", &huge),
        (&["serve"], "--max-memory", &huge),
        (&["serve"], "--max-connections", &huge),
        (&["serve"], "--client-timeout", &huge),
        (&["serve"], "--short-first", &huge),
    ];
    for (command, flag, values) in flags {
        for value in *values {
            let o = run(tmp.path(), &with(command, &format!("{flag}={value}")));
            assert_eq!(
                o.status.code(),
                Some(2),
                "{command:?} {flag}={value}: {}",
                stderr(&o)
            );
            let expected = format!("invalid value '{value}' for '{flag}");
            assert!(
                stderr(&o).contains(&expected),
                "{command:?} {flag}={value}: {}",
                stderr(&o)
            );
        }
    }
    // Zero where it makes no sense.
    for (command, flag) in [
        (&["serve"][..], "--timeout"),
        (&["serve"], "--max-concurrent"),
        (&["serve"], "--max-connections"),
        (&["analyze"], "--neighbours"),
    ] {
        let o = run(tmp.path(), &with(command, &format!("{flag}=0")));
        assert_eq!(o.status.code(), Some(2), "{flag}=0: {}", stderr(&o));
    }
    assert!(!tmp.path().join("gen").exists());
}

#[test]
fn an_os_error_is_told_once() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "somefile", "not a folder");
    write(tmp.path(), "seeds/000_5dd56928cd244e73.txt", GOOD);
    for args in [
        &["stats"][..],
        &["build", "seeds"],
        &["report", "--out", "r.html"],
    ] {
        let o = bin()
            .current_dir(tmp.path())
            .args(["--store", "somefile/x"])
            .args(args)
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(err.matches("os error 20").count(), 1, "{args:?}: {err}");
        assert_eq!(err.matches("Not a directory").count(), 1, "{args:?}: {err}");
    }
}

/// Text that looks like HTML is kept as the author's text and escaped by
/// every writer: the report and the graph exports never carry it raw.
#[test]
fn html_in_articles_is_escaped_in_the_report_and_exports() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tmp.path().join("seeds");
    for (i, id) in ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "cccccccccccccccc"]
        .iter()
        .enumerate()
    {
        let text = article(
            &format!("AT&T <Bets> on \"AI-first\" Networks {i}"),
            "20240107",
            "x",
        )
        .replace(
            "Klarna cuts workforce by nearly 50%",
            "<script>alert(1)</script>",
        )
        .replace("* chatbot", "* <script>alert(2)</script>");
        write(&s, &format!("00{i}_{id}.txt"), text);
    }
    // Every format: RDF/XML is the one that escapes markup.
    let o = run(
        tmp.path(),
        &["run", "seeds", "--out", "out", "--formats", "all"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(
        tmp.path(),
        &[
            "query",
            "SELECT ?t WHERE { ?a dcterms:identifier \"aaaaaaaaaaaaaaaa\" ; dcterms:title ?t }",
            "--format",
            "csv",
        ],
    );
    assert_eq!(
        stdout(&o),
        "t\r\n\"AT&T <Bets> on \"\"AI-first\"\" Networks 0\"\r\n"
    );
    for file in [
        "out/report.html",
        "store/report.html",
        "out/graph.graphml",
        "out/graph.gexf",
        "out/graph.rdf",
    ] {
        let text = std::fs::read_to_string(tmp.path().join(file)).unwrap();
        assert!(text.contains("AT&amp;T &lt;Bets&gt;"), "{file}");
        assert!(!text.contains("<script>alert"), "{file}");
        assert!(!text.contains("<Bets>"), "{file}");
    }
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
    let rdf = std::fs::read_to_string(tmp.path().join("out/graph.rdf")).unwrap();
    assert!(rdf.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let md = std::fs::read_to_string(tmp.path().join("out/report.md")).unwrap();
    assert!(!md.contains("<script>alert") && !md.contains("<Bets>"));
}

/// `signalgraph generate --articles N --seed S --out DIR` in `cwd`.
fn generate(cwd: &Path, articles: usize, seed: u64, out: &str) {
    let o = bin()
        .current_dir(cwd)
        .args(["generate", "--articles", &articles.to_string()])
        .args(["--seed", &seed.to_string(), "--out", out])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Two builds of different folders into one store at the same time: the
/// second waits for the first, then adds its folder to what was saved.
#[test]
fn concurrent_builds_into_one_store_keep_both_folders() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path(), 3000, 1, "x");
    generate(tmp.path(), 3000, 2, "y");
    let spawn = |folder: &str| {
        bin()
            .current_dir(tmp.path())
            .args(["--store", "store", "build", folder])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (x, y) = (spawn("x"), spawn("y"));
    let (x, y) = (x.wait_with_output().unwrap(), y.wait_with_output().unwrap());
    assert!(x.status.success(), "{}", stderr(&x));
    assert!(y.status.success(), "{}", stderr(&y));
    let waited = [&x, &y]
        .iter()
        .filter(|o| stderr(o).contains("waiting for the lock on store"))
        .count();
    let read = stats(tmp.path())["articles"]["read"].as_u64().unwrap();
    eprintln!("articles after two concurrent builds: {read}; builds that waited: {waited}");
    assert_eq!(read, 6000);
}

/// While another process holds the store's lock, a build waits (and says
/// so), then runs once the lock is free; a query still answers meanwhile.
#[test]
fn a_writer_waits_for_the_lock_and_readers_do_not() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path(), 20, 1, "x");
    generate(tmp.path(), 20, 2, "y");
    assert!(run(tmp.path(), &["build", "x"]).status.success());
    let lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(tmp.path().join("store/lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = bin()
        .current_dir(tmp.path())
        .args(["--store", "store", "build", "y"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the build did not wait"
    );
    let o = run(
        tmp.path(),
        &[
            "query",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a a schema:NewsArticle ; dcterms:identifier ?i }",
            "--format",
            "csv",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stats(tmp.path())["articles"]["read"], 20);
    lock.unlock().unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("waiting for the lock on store held by another signalgraph process"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stats(tmp.path())["articles"]["read"], 40);
}

/// Temporary files of a killed writer (ours by name, their process gone) are
/// removed by the next run, in the store and in the export folder; others stay.
#[cfg(target_os = "linux")]
#[test]
fn temporary_files_of_killed_writers_are_removed() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path(), 20, 1, "seeds");
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let alive = std::process::id();
    let files = [
        format!("store/.collection.sgs.tmp-{dead}"),
        format!("store/graphs/.analysis-full.nq.tmp-{dead}"),
        format!("out/.graph.trig.tmp-{dead}"),
        format!("out/neo4j/.nodes_Article.csv.tmp-{dead}"),
    ];
    let kept = [
        format!("store/.report.html.tmp-{alive}"),
        format!("out/.graph.ttl.tmp-{alive}"),
        format!("out/notes.tmp-{dead}"),
    ];
    for f in files.iter().chain(&kept) {
        write(tmp.path(), f, "partial");
    }
    let o = run(tmp.path(), &["run", "seeds", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in &files {
        assert!(!tmp.path().join(f).exists(), "{f} is left");
    }
    for f in &kept {
        assert!(tmp.path().join(f).exists(), "{f} was removed");
    }
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// A damaged analysis graph (cut at a line boundary, or one byte changed)
/// fails every reader with the file's name and the command that writes it
/// again; `build` sets it aside, and the store works without it.
#[test]
fn damaged_analysis_files_are_named_and_build_sets_them_aside() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path(), 60, 3, "seeds");
    let o = run(tmp.path(), &["run", "seeds", "--out", "out"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let articles = tmp.path().join("store/graphs/analysis-articles.nq");
    let full = tmp.path().join("store/graphs/analysis-full.nq");
    let good = std::fs::read(&articles).unwrap();
    // Cut at a line boundary: the last lines (and the seal) are gone.
    let text = String::from_utf8(good.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&articles, lines[..lines.len() - 20].join("\n") + "\n").unwrap();
    let q = "SELECT (COUNT(*) AS ?n) WHERE { ?a sg:memberOf ?c }";
    for args in [
        vec!["stats"],
        vec!["query", q],
        vec!["export", "--out", "x.nt"],
        vec!["export", "--out", "x.graphml"],
    ] {
        let o = run(tmp.path(), &args);
        assert_eq!(code(&o), Some(1), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains("graphs/analysis-articles.nq: damaged (no checksum line")
                && err.contains("run `signalgraph analyze --projection articles`"),
            "{args:?}: {err}"
        );
    }
    // One byte changed in the middle of a line.
    std::fs::write(&articles, &good).unwrap();
    let mut bytes = std::fs::read(&full).unwrap();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&full, &bytes).unwrap();
    let o = run(tmp.path(), &["query", q]);
    assert_eq!(code(&o), Some(1));
    assert!(
        stderr(&o).contains("analysis-full.nq: damaged (checksum mismatch")
            && stderr(&o).contains("signalgraph analyze --projection full"),
        "{}",
        stderr(&o)
    );
    // build sets it aside; every command works again, without that analysis.
    let o = run(tmp.path(), &["build", "seeds"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("analysis-full.nq:1: damaged (checksum mismatch: changed or damaged since it was written): set aside as"),
        "{}",
        stderr(&o)
    );
    assert!(!full.exists());
    assert!(tmp
        .path()
        .join("store/graphs/analysis-full.nq.damaged")
        .exists());
    assert!(run(tmp.path(), &["stats"]).status.success());
    let o = run(tmp.path(), &["query", q, "--format", "csv"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "n\r\n60\r\n");
    let o = run(tmp.path(), &["analyze", "-q", "--projection", "full"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(run(tmp.path(), &["stats"]).status.success());
}

/// A changed byte in the saved report model is noticed: the model is
/// computed again (with a warning) and the report is the right one.
#[test]
fn a_damaged_report_cache_is_computed_again() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path(), 60, 3, "seeds");
    assert!(run(tmp.path(), &["run", "seeds", "--out", "out"])
        .status
        .success());
    let cache = tmp.path().join("store/report-cache.json");
    let text = std::fs::read_to_string(&cache).unwrap();
    let at = text.find("\"name\":\"").unwrap() + 8;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'Q' { b'R' } else { b'Q' };
    std::fs::write(&cache, &bytes).unwrap();
    let o = run(tmp.path(), &["report", "--out", "again.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("warning: store/report-cache.json: damaged (checksum mismatch); the report model is computed again"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read(tmp.path().join("again.json")).unwrap(),
        std::fs::read(tmp.path().join("out/report.json")).unwrap()
    );
    // The model saved again is used the next time, quietly.
    let o = run(tmp.path(), &["report", "--out", "third.json"]);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    assert!(stderr(&o).contains("saved model reused"), "{}", stderr(&o));
}

/// A damaged collection file: `stats` checks the body it reports on, every
/// command names the file and `build`, and `build` sets it aside and reads
/// the seed files again.
#[test]
fn a_damaged_collection_is_rebuilt_from_the_seed_files() {
    let tmp = tempfile::tempdir().unwrap();
    generate(tmp.path(), 60, 3, "seeds");
    assert!(run(tmp.path(), &["build", "seeds"]).status.success());
    let before = stats(tmp.path());
    let sgs = tmp.path().join("store/collection.sgs");
    let good = std::fs::read(&sgs).unwrap();
    for damage in ["flip", "cut"] {
        let mut bytes = good.clone();
        let at = bytes.len() * 2 / 3;
        if damage == "flip" {
            bytes[at] ^= 0x20;
        } else {
            bytes.truncate(at);
        }
        std::fs::write(&sgs, &bytes).unwrap();
        for args in [vec!["stats"], vec!["query", "ASK {}"]] {
            let o = run(tmp.path(), &args);
            assert_eq!(code(&o), Some(1), "{damage} {args:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("store/collection.sgs: damaged (")
                    && stderr(&o).contains("run `signalgraph build`"),
                "{}",
                stderr(&o)
            );
        }
        let o = run(tmp.path(), &["build", "seeds"]);
        assert_eq!(code(&o), Some(0), "{damage}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("set aside as store/collection.sgs.damaged"),
            "{}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("saved store: 60 articles (60 read"));
        assert_eq!(stats(tmp.path()), before);
    }
}

/// A FIFO or a looping link named on the command line, or a folder that
/// cannot be listed, is skipped with an error naming the cause (exit 3),
/// and the rest is saved; FIFOs and dangling links met while walking are
/// notes (shown with -v).
#[cfg(unix)]
#[test]
fn unreadable_paths_are_skipped_with_their_cause() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let s = root.join("seeds");
    write(
        &s,
        "001_aaaaaaaaaaaaaaaa.txt",
        article("Alpha", "20240107", "x"),
    );
    let mkfifo = |p: &Path| {
        let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    };
    mkfifo(&root.join("pipe.md"));
    mkfifo(&s.join("inner.md"));
    std::os::unix::fs::symlink("loop.md", root.join("loop.md")).unwrap();
    std::os::unix::fs::symlink("nowhere.md", s.join("dangling.md")).unwrap();
    let o = run(root, &["-v", "build", "seeds", "pipe.md", "loop.md"]);
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error: pipe.md:1: not a file or folder (a FIFO); skipped"),
        "{err}"
    );
    assert!(
        err.contains("error: loop.md:1: symbolic link that cannot be followed (")
            && err.contains("symbolic links"),
        "{err}"
    );
    assert!(
        err.contains("note: seeds/inner.md:1: a FIFO; skipped"),
        "{err}"
    );
    assert!(
        err.contains("note: seeds/dangling.md:1: symbolic link that cannot be followed ("),
        "{err}"
    );
    assert!(
        err.contains("saved store: 1 articles (1 read, 0 unchanged, 2 skipped)"),
        "{err}"
    );
    assert_eq!(stats(root)["articles"]["read"], 1);
    // Without -v the notes are not shown.
    let o = run(root, &["build", "seeds"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
}

/// Sets the owner of a tree (the test then runs the binary as that user).
#[cfg(unix)]
fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid)).unwrap();
    if path.is_dir() && !path.is_symlink() {
        for e in std::fs::read_dir(path).unwrap() {
            chown_tree(&e.unwrap().path(), uid);
        }
    }
}

/// A sub-folder that cannot be listed is skipped with its cause (exit 3);
/// its saved articles are kept, even with --prune (their files are not
/// gone). Root lists any folder, so as root the binary runs as `nobody`.
#[cfg(unix)]
#[test]
fn an_unreadable_folder_is_skipped_and_its_articles_kept() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let s = root.join("seeds");
    write(
        &s,
        "001_aaaaaaaaaaaaaaaa.txt",
        article("Alpha", "20240107", "x"),
    );
    write(
        &s,
        "locked/002_bbbbbbbbbbbbbbbb.txt",
        article("Beta", "20240108", "x"),
    );
    let is_root = unsafe { libc::geteuid() } == 0;
    let nobody = 65534;
    let exe = if is_root {
        let copy = root.join("sg");
        std::fs::copy(env!("CARGO_BIN_EXE_signalgraph"), &copy).unwrap();
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
        chown_tree(root, nobody);
        copy
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_signalgraph"))
    };
    let sg = |args: &[&str]| {
        let mut c = Command::new(&exe);
        c.current_dir(root).args(["--store", "store"]).args(args);
        if is_root {
            c.uid(nobody).gid(nobody);
        }
        c.output().unwrap()
    };
    let o = sg(&["build", "seeds"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let locked = s.join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let o = sg(&["build", "--prune", "seeds"]);
    let after = sg(&["stats", "--json"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(code(&o), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error: seeds/locked:1: cannot read folder: Permission denied"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("saved store: 2 articles"),
        "{}",
        stderr(&o)
    );
    let after: serde_json::Value = serde_json::from_slice(&after.stdout).unwrap();
    assert_eq!(after["articles"]["read"], 2);
}

/// A file that is empty for a moment (being rewritten) keeps its saved
/// article, with a warning; the next build reads it again.
#[test]
fn a_briefly_empty_file_keeps_its_saved_article() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tmp.path().join("seeds");
    write(
        &s,
        "001_aaaaaaaaaaaaaaaa.txt",
        article("Alpha", "20240107", "x"),
    );
    let beta = write(
        &s,
        "002_bbbbbbbbbbbbbbbb.txt",
        article("Beta", "20240108", "x"),
    );
    assert!(run(tmp.path(), &["build", "seeds"]).status.success());
    let before = stats(tmp.path());
    std::fs::write(&beta, "").unwrap();
    let o = run(tmp.path(), &["build", "seeds"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "warning: seeds/002_bbbbbbbbbbbbbbbb.txt:1: file is empty; its saved article is kept"
        ),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("1 kept from the store"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stats(tmp.path()), before);
    std::fs::write(&beta, article("Beta again", "20240108", "x")).unwrap();
    let o = run(tmp.path(), &["build", "seeds"]);
    assert!(stderr(&o).contains("1 read, 1 unchanged"), "{}", stderr(&o));
    let o = run(
        tmp.path(),
        &["query", "ASK { ?a dcterms:title \"Beta again\" }"],
    );
    assert_eq!(stdout(&o), "true\n");
}

/// Exit statuses as the README's table says: a missing store and a bad
/// base IRI are usage errors (2).
#[test]
fn missing_store_and_bad_base_iri_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        vec!["export", "--out", "x.ttl"],
        vec!["export", "--out", "x.graphml"],
        vec!["report", "--out", "r.html"],
        vec!["analyze"],
        vec!["stats"],
    ] {
        let o = run(tmp.path(), &args);
        assert_eq!(code(&o), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("no store at store"), "{}", stderr(&o));
    }
    write(
        &tmp.path().join("seeds"),
        "001_aaaaaaaaaaaaaaaa.txt",
        article("Alpha", "20240107", "x"),
    );
    let o = run(tmp.path(), &["build", "--base-iri", "not an iri", "seeds"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("invalid base IRI"), "{}", stderr(&o));
}
