//! Queries shaped to exhaust the stack or the memory of the process, through
//! `signalgraph query --file` and a running `signalgraph serve`.
//!
//! Every shape of issue 15 (and a few more of the same kind) is generated
//! just within the token limit, where it must be answered or refused by the
//! parser without the process dying, and just past it, where it must be
//! refused before parsing with the limit's message. The shapes are also the
//! ones whose stack cost per token fixed the limit and the stack size (see
//! `src/query/bounds.rs`).

mod common;

use signalgraph::query::{scan, MAX_NESTING, MAX_PATTERNS, MAX_TOKENS};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::server::Server;
use common::BIN;

/// A shape: a query with `n` repetitions of its recurring part. Subjects
/// and predicates that match nothing keep the evaluation short.
type Shape = (&'static str, fn(usize) -> String);

fn repeat(part: &str, n: usize, separator: &str) -> String {
    vec![part; n.max(1)].join(separator)
}

const SHAPES: &[Shape] = &[
    ("sum", |n| {
        format!("SELECT ({} AS ?x) WHERE {{}}", repeat("1", n, "+"))
    }),
    ("and", |n| {
        format!("ASK {{ FILTER({}) }}", repeat("true", n, "&&"))
    }),
    ("or", |n| {
        format!("ASK {{ FILTER({}) }}", repeat("false", n, "||"))
    }),
    ("not", |n| {
        format!("ASK {{ FILTER({}true) }}", "!".repeat(n))
    }),
    ("union", |n| {
        format!("SELECT * WHERE {{ {} }}", repeat("{}", n, "UNION"))
    }),
    ("sequence path", |n| {
        format!("ASK {{ <urn:x:s> {} ?o }}", repeat("<urn:x:p>", n, "/"))
    }),
    ("alternative path", |n| {
        format!("ASK {{ <urn:x:s> {} ?o }}", repeat("<urn:x:p>", n, "|"))
    }),
    ("inverse path", |n| {
        format!("ASK {{ <urn:x:s> {}<urn:x:p> ?o }}", "^".repeat(n))
    }),
    ("filters", |n| {
        format!(
            "ASK {{ <urn:x:s> ?p ?o {} }}",
            repeat("FILTER(true)", n, " ")
        )
    }),
    ("triples", |n| {
        format!("ASK {{ {} }}", repeat("<urn:x:s> ?p ?o .", n, " "))
    }),
    ("objects", |n| {
        format!("ASK {{ <urn:x:s> ?p {} }}", repeat("?o", n, ","))
    }),
    ("collection", |n| {
        format!("ASK {{ <urn:x:s> ?p ({}) }}", repeat("1", n, " "))
    }),
    ("select expressions", |n| {
        let members: Vec<String> = (0..n.max(1)).map(|i| format!("(1 AS ?x{i})")).collect();
        format!("SELECT {} WHERE {{}}", members.join(" "))
    }),
    ("optional", |n| {
        format!(
            "ASK {{ <urn:x:s> ?p ?o {} }}",
            repeat("OPTIONAL{<urn:x:s> ?p ?o}", n, " ")
        )
    }),
    ("minus", |n| {
        format!("ASK {{ <urn:x:s> ?p ?o {} }}", repeat("MINUS{}", n, " "))
    }),
    ("groups", |n| format!("ASK {{ {} }}", repeat("{}", n, " "))),
    ("bind", |n| {
        let binds: Vec<String> = (0..n.max(1)).map(|i| format!("BIND(1 AS ?b{i})")).collect();
        format!("ASK {{ {} }}", binds.join(" "))
    }),
    ("negation", |n| {
        format!("SELECT ({}1 AS ?x) WHERE {{}}", "- ".repeat(n))
    }),
];

/// Shapes nested to the nesting limit (the limit bounds them, not the tokens).
fn nested() -> Vec<(&'static str, String)> {
    let d = MAX_NESTING - 2;
    vec![
        (
            "nested groups",
            format!("ASK {}{}", "{".repeat(d + 1), "}".repeat(d + 1)),
        ),
        (
            "nested brackets",
            format!("ASK {{ FILTER({}1{}) }}", "(".repeat(d), ")".repeat(d)),
        ),
        (
            "nested collections",
            format!("ASK {{ <urn:x:s> ?p {}1{} }}", "(".repeat(d), ")".repeat(d)),
        ),
        (
            "nested blank nodes",
            format!(
                "ASK {{ <urn:x:s> ?p {}{} }}",
                "[?p ".repeat(d),
                "]".repeat(d)
            ),
        ),
        ("nested exists", format!("ASK {{ {} }}", nest_exists(d / 2))),
    ]
}

fn nest_exists(d: usize) -> String {
    let mut q = "FILTER(true)".to_string();
    for _ in 0..d {
        q = format!("FILTER EXISTS {{ {q} }}");
    }
    q
}

/// The largest repetition count of `shape` within the token limit.
fn at_limit(shape: fn(usize) -> String) -> usize {
    let (mut lo, mut hi) = (1, 2 * MAX_TOKENS);
    assert!(scan(&shape(hi)).tokens > MAX_TOKENS);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if scan(&shape(mid)).tokens <= MAX_TOKENS {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn store() -> &'static Path {
    common::sample_store()
}

/// `signalgraph query --file` on `text`: the exit code (`None`: killed by a
/// signal) and stderr. A query still evaluating after `patience` has been
/// parsed and planned (where the stack is spent) and is killed.
fn cli(text: &str, patience: Duration) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.rq");
    std::fs::write(&file, text).unwrap();
    let mut child = Command::new(BIN)
        .arg("--store")
        .arg(store())
        .args(["query", "--format", "csv", "--file"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > patience {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let err = reader.join().unwrap();
    match status {
        Some(s) => (s.code(), err),
        None => (Some(-1), err),
    }
}

#[test]
fn hostile_shapes_through_the_cli() {
    for (name, shape) in SHAPES {
        let n = at_limit(*shape);
        let (code, err) = cli(&shape(n), Duration::from_secs(10));
        assert!(
            matches!(code, Some(0 | 2 | -1)) && !err.contains("overflow"),
            "{name} at {n}: {code:?} {err}"
        );
        let (code, err) = cli(&shape(n + 1), Duration::from_secs(60));
        assert_eq!(code, Some(2), "{name} at {}: {err}", n + 1);
        assert!(
            err.contains(&format!("more than the {MAX_TOKENS}")),
            "{name}: {err}"
        );
    }
    for (name, text) in nested() {
        let (code, err) = cli(&text, Duration::from_secs(10));
        assert!(
            matches!(code, Some(0 | 2 | -1)) && !err.contains("overflow"),
            "{name}: {code:?} {err}"
        );
    }
}

/// A star of `n` patterns on one subject: the shape spareval's optimizer
/// is slowest to plan (seconds at 200 patterns, minutes at 1,000, and no
/// deadline stops it), so the number of patterns is bounded.
fn star(n: usize) -> String {
    let patterns: Vec<String> = (0..n).map(|i| format!("?a ?p{i} ?o{i} .")).collect();
    format!("SELECT * WHERE {{ {} }} LIMIT 1", patterns.join(" "))
}

#[test]
fn patterns_are_bounded_for_the_planner() {
    let started = Instant::now();
    let (code, err) = cli(&star(MAX_PATTERNS), Duration::from_secs(60));
    assert_eq!(code, Some(0), "{err}");
    let planned = started.elapsed();
    let (code, err) = cli(&star(MAX_PATTERNS + 1), Duration::from_secs(60));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("more than the {MAX_PATTERNS} a query may have")),
        "{err}"
    );
    // Patterns inside EXISTS and subqueries count too.
    let half = MAX_PATTERNS / 2 + 1;
    let hidden = format!(
        "ASK {{ {{ SELECT * WHERE {{ {} }} }} FILTER EXISTS {{ {} }} }}",
        (0..half)
            .map(|i| format!("?a ?p{i} ?o{i} ."))
            .collect::<Vec<_>>()
            .join(" "),
        (0..half)
            .map(|i| format!("?a ?q{i} ?r{i} ."))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (code, err) = cli(&hidden, Duration::from_secs(60));
    assert_eq!(code, Some(2), "{err}");
    eprintln!("a star of {MAX_PATTERNS} patterns answered in {planned:.2?}");
}

#[test]
fn hostile_shapes_through_the_server() {
    let mut server = Server::start(&["--timeout", "5"]);
    for (name, shape) in SHAPES {
        let n = at_limit(*shape);
        let (status, body) = server.post(&shape(n));
        assert!(
            matches!(status, 200 | 400 | 503),
            "{name} at {n}: {status} {body}"
        );
        assert!(server.alive(), "{name} at {n} killed the server");
        let (status, body) = server.post(&shape(n + 1));
        assert_eq!(status, 400, "{name} at {}: {body}", n + 1);
        assert!(
            body.contains(&format!("more than the {MAX_TOKENS}")),
            "{name}: {body}"
        );
        server.probe();
        assert!(server.alive());
    }
    for (name, text) in nested() {
        let (status, body) = server.post(&text);
        assert!(matches!(status, 200 | 400 | 503), "{name}: {status} {body}");
        server.probe();
        assert!(server.alive());
    }
}

/// Nine nested REPLACEs turn one character into 10^9 (≈ 200 bytes of query).
fn replace_bomb() -> String {
    let mut e = "\"a\"".to_string();
    for _ in 0..9 {
        e = format!("REPLACE({e}, \"a\", \"aaaaaaaaaa\")");
    }
    format!("SELECT (STRLEN({e}) AS ?n) WHERE {{}}")
}

/// `CONCAT` doubling a string through 31 BINDs.
fn concat_bomb() -> String {
    let mut q = "SELECT (STRLEN(?v31) AS ?n) WHERE { BIND(\"ab\" AS ?v0)".to_string();
    for i in 1..=31 {
        q.push_str(&format!(" BIND(CONCAT(?v{p}, ?v{p}) AS ?v{i})", p = i - 1));
    }
    q + " }"
}

#[test]
fn string_bombs_stop_at_the_memory_budget() {
    let mut server = Server::start(&["--max-query-memory", "200", "--timeout", "60"]);
    for query in [replace_bomb(), concat_bomb()] {
        let (status, body) = server.post(&query);
        assert_eq!(status, 503, "{query}: {body}");
        assert!(body.contains("more than 200 MiB"), "{body}");
        server.probe();
        assert!(server.alive());
    }
    let peak = server.peak_mib();
    eprintln!("peak resident memory of the server: {peak:.0} MiB");
    assert!(peak < 600.0, "{peak} MiB");
    // Within the budget the same functions answer.
    let (status, body) = server.post(
        "SELECT (STRLEN(REPLACE(REPLACE(\"a\", \"a\", \"aaaaaaaaaa\"), \"a\", \"bb\")) AS ?n) WHERE {}",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#""value":"20""#), "{body}");
}
