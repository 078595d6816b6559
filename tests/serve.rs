//! `signalgraph serve` end to end: the built binary on an ephemeral port, queried
//! with a Rust HTTP client (ureq), with `curl` and with raw sockets, and compared
//! with `signalgraph query` on the same store. Abuse tests check that the server
//! keeps answering a known query correctly throughout.

#![allow(unsafe_code)] // kill, sysconf and poll through libc

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::server::{Server, PROBE};
use common::BIN;

/// Four unconnected patterns: about 4600^4 rows on the sample, never ends.
const ENDLESS: &str = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }";
const SELECT: &str = "SELECT ?title ?date WHERE { ?a dcterms:title ?title ; dcterms:date ?date } ORDER BY ?date ?title LIMIT 7";
const ASK: &str = "ASK { ?a sg:hasTheme/skos:prefLabel \"Energy Transition\" }";
const CONSTRUCT: &str = "CONSTRUCT { ?a dcterms:title ?t ; sg:hasTheme ?th } WHERE { ?a dcterms:title ?t ; sg:hasTheme ?th } ";
const DESCRIBE: &str = "DESCRIBE ?t WHERE { ?t skos:prefLabel \"Energy Transition\" }";

fn store() -> &'static Path {
    common::sample_store()
}

/// The number of quads in the sample store, as `signalgraph stats` counts them.
fn sample_quads() -> u64 {
    let out = Command::new(BIN)
        .arg("--store")
        .arg(store())
        .args(["stats", "--json"])
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    stats["triples"].as_u64().unwrap()
}

/// `signalgraph query` on `store` with `--format`.
fn cli_query(store: &Path, query: &str, format: &str) -> Vec<u8> {
    let out = Command::new(BIN)
        .arg("--store")
        .arg(store)
        .args(["query", "--format", format, query])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

type Reply = (u16, ureq::http::HeaderMap, String);

fn reply(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut r = r.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_string()
        .unwrap();
    (status, headers, body)
}

fn get(url: &str, params: &[(&str, &str)], accept: Option<&str>) -> Reply {
    let mut req = agent().get(url);
    for (k, v) in params {
        req = req.query(*k, *v);
    }
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    reply(req.call())
}

fn post_form(url: &str, params: &[(&str, &str)], accept: Option<&str>) -> Reply {
    let mut req = agent().post(url);
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    reply(req.send_form(params.iter().copied()))
}

fn post_direct(url: &str, query: &str, accept: Option<&str>) -> Reply {
    let mut req = agent()
        .post(url)
        .header("Content-Type", "application/sparql-query");
    if let Some(a) = accept {
        req = req.header("Accept", a);
    }
    reply(req.send(query))
}

fn content_type(headers: &ureq::http::HeaderMap) -> String {
    headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn every_format_and_transport_matches_the_cli() {
    let server = Server::start(&[]);
    let url = server.url("/sparql");
    let cases: &[(&str, &str, &str)] = &[
        (SELECT, "json", "application/sparql-results+json"),
        (SELECT, "xml", "application/sparql-results+xml"),
        (SELECT, "csv", "text/csv"),
        (SELECT, "tsv", "text/tab-separated-values"),
        (ASK, "json", "application/sparql-results+json"),
        (ASK, "xml", "application/sparql-results+xml"),
        (CONSTRUCT, "turtle", "text/turtle"),
        (CONSTRUCT, "ntriples", "application/n-triples"),
        (CONSTRUCT, "jsonld", "application/ld+json"),
        (CONSTRUCT, "rdfxml", "application/rdf+xml"),
        (DESCRIBE, "turtle", "text/turtle"),
    ];
    for (query, format, media) in cases {
        let expected = String::from_utf8(cli_query(store(), query, format)).unwrap();
        assert!(expected.len() > 20, "{format}: {expected}");
        for (how, (status, headers, body)) in [
            ("GET", get(&url, &[("query", query)], Some(media))),
            (
                "POST form",
                post_form(&url, &[("query", query)], Some(media)),
            ),
            ("POST direct", post_direct(&url, query, Some(media))),
        ] {
            assert_eq!(status, 200, "{how} {format}: {body}");
            assert!(
                content_type(&headers).starts_with(media),
                "{how} {format}: {headers:?}"
            );
            assert_eq!(body, expected, "{how} {format}");
        }
    }
    server.probe();
    assert!(
        server.log().contains("POST /sparql 200"),
        "{}",
        server.log()
    );
}

#[test]
fn content_negotiation() {
    let server = Server::start(&[]);
    let url = server.url("/sparql");
    let ct = |query: &str, accept: Option<&str>| {
        let (status, headers, body) = get(&url, &[("query", query)], accept);
        (status, content_type(&headers), body)
    };
    // JSON by default (no Accept, or */*), Turtle for graphs.
    assert!(ct(SELECT, None)
        .1
        .starts_with("application/sparql-results+json"));
    assert!(ct(ASK, Some("*/*"))
        .1
        .starts_with("application/sparql-results+json"));
    assert!(ct(CONSTRUCT, None).1.starts_with("text/turtle"));
    // q-values.
    assert!(ct(
        SELECT,
        Some("application/sparql-results+json;q=0.2, text/csv;q=0.9")
    )
    .1
    .starts_with("text/csv"));
    // A browser's Accept gets XML results.
    assert!(ct(
        SELECT,
        Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    )
    .1
    .starts_with("application/sparql-results+xml"));
    // Nothing acceptable: 406 naming what is offered.
    let (status, _, body) = ct(CONSTRUCT, Some("text/csv"));
    assert_eq!(status, 406);
    assert!(
        body.contains("text/turtle") && body.contains("application/ld+json"),
        "{body}"
    );
    assert_eq!(ct(SELECT, Some("image/png")).0, 406);
    // `format=` overrides Accept when it names a format of the query's kind.
    let (status, headers, _) = get(
        &url,
        &[("query", SELECT), ("format", "tsv")],
        Some("text/csv"),
    );
    assert_eq!(status, 200);
    assert!(content_type(&headers).starts_with("text/tab-separated-values"));
    let (_, headers, _) = get(&url, &[("query", CONSTRUCT), ("format", "json")], None);
    assert!(content_type(&headers).starts_with("application/ld+json"));
    // Results vary by Accept.
    let (_, headers, _) = get(&url, &[("query", SELECT)], None);
    assert_eq!(headers.get("vary").unwrap(), "Accept");
}

#[test]
fn protocol_datasets_restrict_the_graphs() {
    let server = Server::start(&[]);
    let url = server.url("/sparql");
    let first_graph = String::from_utf8(cli_query(
        store(),
        "SELECT ?g WHERE { GRAPH ?g { ?a a schema:NewsArticle } } ORDER BY ?g LIMIT 1",
        "tsv",
    ))
    .unwrap();
    let graph = first_graph
        .lines()
        .nth(1)
        .unwrap()
        .trim_matches(|c| c == '<' || c == '>')
        .to_string();
    let count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
    let expected = cli_query(
        store(),
        &format!("SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"),
        "json",
    );
    let all = cli_query(store(), count, "json");
    assert_ne!(expected, all);
    for (status, _, body) in [
        get(
            &url,
            &[("query", count), ("default-graph-uri", &graph)],
            None,
        ),
        post_form(
            &url,
            &[("query", count), ("default-graph-uri", &graph)],
            None,
        ),
        reply(
            agent()
                .post(&url)
                .query("default-graph-uri", &graph)
                .header("Content-Type", "application/sparql-query")
                .send(count),
        ),
    ] {
        assert_eq!(status, 200, "{body}");
        assert_eq!(body.as_bytes(), expected.as_slice());
    }
    // The protocol's dataset replaces the query's FROM.
    let (_, _, body) = get(
        &url,
        &[
            (
                "query",
                "SELECT (COUNT(*) AS ?n) FROM <http://nowhere.example/> WHERE { ?s ?p ?o }",
            ),
            ("default-graph-uri", &graph),
        ],
        None,
    );
    assert_eq!(body.as_bytes(), expected.as_slice());
    // named-graph-uri: only that graph is visible to GRAPH ?g; with only
    // default-graph-uri given, no named graph is.
    let graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }";
    let (_, _, body) = get(
        &url,
        &[("query", graphs), ("named-graph-uri", &graph)],
        Some("text/csv"),
    );
    assert_eq!(body.trim_end(), format!("g\r\n{graph}"));
    let (_, _, body) = get(
        &url,
        &[("query", graphs), ("default-graph-uri", &graph)],
        Some("text/csv"),
    );
    assert_eq!(body.trim_end(), "g");
    // A bad IRI is the client's error.
    let (status, _, body) = get(
        &url,
        &[("query", count), ("default-graph-uri", "not an iri")],
        None,
    );
    assert_eq!(status, 400, "{body}");
}

#[test]
fn service_description_pages_and_routes() {
    let server = Server::start(&[]);
    let (status, headers, body) = get(&server.url("/sparql"), &[], None);
    assert_eq!(status, 200);
    assert!(content_type(&headers).starts_with("text/turtle"));
    let triples: Vec<_> = oxigraph::io::RdfParser::from_format(oxigraph::io::RdfFormat::Turtle)
        .for_reader(body.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(triples.len() > 10);
    assert!(
        body.contains(&format!("sd:endpoint <http://{}/sparql>", server.addr)),
        "{body}"
    );
    assert!(
        body.contains(&format!("void:triples {}", sample_quads())),
        "{body}"
    );

    let (status, headers, page) = get(&server.url("/"), &[], None);
    assert_eq!(status, 200);
    assert!(content_type(&headers).starts_with("text/html"));
    let csp = headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"),
        "{csp}"
    );
    assert!(page.contains("<textarea") && page.contains("fetch('sparql'"));
    for external in ["src=", "href=\"http", "url(", "@import"] {
        assert!(!page.contains(external), "{external}");
    }
    let head = agent().head(&server.url("/")).call().unwrap();
    assert_eq!(head.status().as_u16(), 200);

    // No report yet: a 404 page saying how to make one; then the file, re-read per request.
    let (status, _, body) = get(&server.url("/report"), &[], None);
    assert_eq!(status, 404);
    assert!(body.contains("signalgraph report"), "{body}");
    // The store's copy ends with a seal line (BLAKE3 of what precedes it).
    let report = store().join("report.html");
    let html = "<!doctype html><title>r</title><h1>Trends</h1>\n";
    let seal = format!(
        "<!-- signalgraph blake3={} -->\n",
        blake3::hash(html.as_bytes()).to_hex()
    );
    std::fs::write(&report, format!("{html}{seal}")).unwrap();
    let (status, headers, body) = get(&server.url("/report"), &[], None);
    assert_eq!(status, 200);
    assert!(content_type(&headers).starts_with("text/html"));
    assert!(
        body.contains("<h1>Trends</h1>") && !body.contains("blake3"),
        "{body}"
    );
    // A damaged copy is never shown: 500 naming the file and the fix.
    std::fs::write(
        &report,
        format!("{}{seal}", html.replace("Trends", "Trendz")),
    )
    .unwrap();
    let (status, _, body) = get(&server.url("/report"), &[], None);
    std::fs::remove_file(&report).unwrap();
    assert_eq!(status, 500);
    assert!(
        body.contains("report.html is damaged") && body.contains("signalgraph report"),
        "{body}"
    );

    let (status, _, body) = get(&server.url("/nope"), &[], None);
    assert_eq!(status, 404);
    assert!(body.contains("/sparql"), "{body}");
    let (status, headers, _) = post_form(&server.url("/"), &[("query", ASK)], None);
    assert_eq!(status, 405);
    assert!(headers.get("allow").is_some());
    server.probe();
}

#[test]
fn updates_are_refused() {
    let server = Server::start(&[]);
    let url = server.url("/sparql");
    let insert = "INSERT DATA { <http://ex/s> <http://ex/p> <http://ex/o> }";
    for (how, (status, _, body)) in [
        ("update=", post_form(&url, &[("update", insert)], None)),
        (
            "sparql-update",
            reply(
                agent()
                    .post(&url)
                    .header("Content-Type", "application/sparql-update")
                    .send(insert),
            ),
        ),
        ("query=INSERT", post_form(&url, &[("query", insert)], None)),
        (
            "GET query=INSERT",
            get(&url, &[("query", "DELETE WHERE { ?s ?p ?o }")], None),
        ),
    ] {
        assert_eq!(status, 400, "{how}: {body}");
        assert!(body.contains("read-only"), "{how}: {body}");
    }
    for method in ["PUT", "DELETE", "PATCH"] {
        let r = agent().run(
            ureq::http::Request::builder()
                .method(method)
                .uri(&url)
                .body(())
                .unwrap(),
        );
        let (status, headers, body) = reply(r);
        assert_eq!(status, 405, "{method}: {body}");
        assert!(headers
            .get("allow")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("POST"));
    }
    let (_, _, body) = get(&url, &[("query", "ASK { <http://ex/s> ?p ?o }")], None);
    assert!(body.contains("false"), "{body}");
    server.probe();
}

#[test]
fn cors_is_off_unless_asked() {
    let closed = Server::start(&[]);
    let r = agent()
        .get(&closed.url("/sparql"))
        .query("query", ASK)
        .header("Origin", "https://example.org")
        .call()
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    drop(closed);

    let open = Server::start(&["--cors", "https://example.org"]);
    let r = agent()
        .get(&open.url("/sparql"))
        .query("query", ASK)
        .header("Origin", "https://example.org")
        .call()
        .unwrap();
    assert_eq!(
        r.headers().get("access-control-allow-origin").unwrap(),
        "https://example.org"
    );
    let r = agent()
        .get(&open.url("/sparql"))
        .query("query", ASK)
        .header("Origin", "https://evil.example")
        .call()
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let preflight = agent()
        .run(
            ureq::http::Request::builder()
                .method("OPTIONS")
                .uri(open.url("/sparql"))
                .header("Origin", "https://example.org")
                .header("Access-Control-Request-Method", "POST")
                .body(())
                .unwrap(),
        )
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 204);
    assert!(preflight
        .headers()
        .get("access-control-allow-methods")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("POST"));
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://example.org"
    );
}

fn curl(args: &[&str]) -> (String, String) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "60"])
        .args(args)
        .output()
        .expect("curl is installed");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn curl_speaks_the_protocol() {
    let server = Server::start(&[]);
    let url = server.url("/sparql");
    let json = String::from_utf8(cli_query(store(), SELECT, "json")).unwrap();
    let csv = String::from_utf8(cli_query(store(), SELECT, "csv")).unwrap();
    let turtle = String::from_utf8(cli_query(store(), CONSTRUCT, "turtle")).unwrap();
    let q = format!("query={SELECT}");
    assert_eq!(curl(&["-G", &url, "--data-urlencode", &q]).0, json);
    assert_eq!(curl(&[&url, "--data-urlencode", &q]).0, json);
    assert_eq!(
        curl(&[&url, "-H", "Accept: text/csv", "--data-urlencode", &q]).0,
        csv
    );
    assert_eq!(
        curl(&[
            &url,
            "-H",
            "Content-Type: application/sparql-query",
            "--data-binary",
            SELECT
        ])
        .0,
        json
    );
    assert_eq!(
        curl(&[
            &url,
            "-H",
            "Accept: text/turtle",
            "--data-urlencode",
            &format!("query={CONSTRUCT}")
        ])
        .0,
        turtle
    );
    let (out, _) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-H",
        "Accept: image/png",
        &url,
        "--data-urlencode",
        &q,
    ]);
    assert_eq!(out, "406");
    let (out, _) = curl(&[
        "-G",
        &url,
        "--data-urlencode",
        "query=SELECT ?x WHERE { ?x ?y }",
    ]);
    assert!(out.contains("1:26"), "{out}");
    server.probe();
}

#[test]
fn malformed_and_huge_requests_are_refused() {
    let server = Server::start(&["--max-body", "64", "--client-timeout", "2"]);
    let url = server.url("/sparql");
    // A syntax error: 400 with the parser's message and position.
    let (status, _, body) = get(&url, &[("query", "SELECT ?x WHERE { ?x ?y }")], None);
    assert_eq!(status, 400);
    assert!(
        body.contains("invalid SPARQL query") && body.contains("1:26"),
        "{body}"
    );
    for bad in [
        "",
        "\u{0}\u{1}garbage",
        "SELECT",
        "}}}}",
        "SELECT * WHERE { ?s ?p \"unterminated }",
    ] {
        let (status, _, body) = post_direct(&url, bad, None);
        assert_eq!(status, 400, "{bad:?}: {body}");
    }
    // Bytes that are not UTF-8.
    let r = agent()
        .post(&url)
        .header("Content-Type", "application/sparql-query")
        .send(&b"ASK { \xff\xfe }"[..]);
    assert_eq!(reply(r).0, 400);
    let (status, _, _) = get(&format!("{url}?query=%FF%FE"), &[], None);
    assert_eq!(status, 400);
    // Wrong content types.
    let r = agent()
        .post(&url)
        .header("Content-Type", "text/plain")
        .send(ASK);
    assert_eq!(reply(r).0, 415);
    // A body over --max-body (64 KiB): 413 (refused from its Content-Length
    // before it is read, or once 64 KiB arrived); a URL over it: 414.
    let huge = format!("ASK {{ {} }}", "?s ?p ?o . ".repeat(10_000));
    let raw = |head: String, body: &[u8]| {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(head.as_bytes()).unwrap();
        let _ = s.write_all(body);
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    };
    let answer = raw(
        format!("POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: {}\r\n\r\n", huge.len()),
        huge.as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let chunked = format!("{:x}\r\n{huge}\r\n0\r\n\r\n", huge.len()).into_bytes();
    let answer = raw(
        "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n\r\n".into(),
        &chunked,
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let (code, _) = curl(&[
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        &url,
        "--data-urlencode",
        &format!("query={huge}"),
    ]);
    assert_eq!(code, "413");
    let answer = raw(
        format!(
            "GET /sparql?query={} HTTP/1.1\r\nHost: x\r\n\r\n",
            "a".repeat(70_000)
        ),
        b"",
    );
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");
    // Past the limit on a request head (128 KiB) the answer is 431 or a closed connection.
    let answer = raw(
        format!(
            "GET /sparql?query={} HTTP/1.1\r\nHost: x\r\n\r\n",
            "a".repeat(1_000_000)
        ),
        b"",
    );
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{}",
        &answer[..answer.len().min(100)]
    );
    // Nesting: refused past the limit, answered below it.
    let deep = format!(
        "ASK {{ FILTER({}1{}) }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let (status, _, body) = post_direct(&url, &deep, None);
    assert_eq!(status, 400);
    assert!(body.contains("nested deeper"), "{body}");
    let ok = format!("ASK {{ FILTER({}1{}) }}", "(".repeat(250), ")".repeat(250));
    let (status, _, body) = post_direct(&url, &ok, None);
    assert_eq!(status, 200, "{body}");
    let braces = format!("ASK {}{}", "{".repeat(250), "}".repeat(250));
    let (status, _, body) = post_direct(&url, &braces, None);
    assert_eq!(status, 200, "{body}");
    // SERVICE is not followed: no request leaves the server.
    let (status, _, body) = get(
        &url,
        &[(
            "query",
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        )],
        None,
    );
    assert_eq!(status, 400, "{body}");
    // Raw garbage on the socket.
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"GET /sparql?query=ASK%7B%7D HTTP/9.9\r\n\r\n",
    ] {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(garbage).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        let text = String::from_utf8_lossy(&answer);
        assert!(text.is_empty() || text.starts_with("HTTP/1.1 "), "{text}");
    }
    server.probe();
}

#[test]
fn an_endless_query_is_stopped_at_the_timeout() {
    let server = Server::start(&["--timeout", "1"]);
    let url = server.url("/sparql");
    let endless = {
        let url = url.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            let r = get(&url, &[("query", ENDLESS)], None);
            (r, started.elapsed())
        })
    };
    // Others are answered while it runs.
    std::thread::sleep(Duration::from_millis(200));
    server.probe();
    let ((status, _, body), took) = endless.join().unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("ran longer than 1 s"), "{body}");
    // The engine notices the deadline itself (before the 2 s fallback).
    assert!(took < Duration::from_millis(2900), "{took:?}");
    // And the work has really stopped: the server no longer burns CPU.
    std::thread::sleep(Duration::from_millis(300));
    let before = server.cpu_seconds();
    std::thread::sleep(Duration::from_millis(1000));
    let burnt = server.cpu_seconds() - before;
    assert!(burnt < 0.3, "still using CPU: {burnt} s in 1 s");
    // ORDER BY over a huge product stops as well (its first solution would take forever).
    let (status, _, body) = get(
        &url,
        &[(
            "query",
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c LIMIT 1",
        )],
        None,
    );
    assert_eq!(status, 503, "{body}");
    server.probe();
}

#[test]
fn a_memory_hog_is_stopped_at_its_budget() {
    let server = Server::start(&["--max-query-memory", "100", "--timeout", "60"]);
    let (status, _, body) = get(
        &server.url("/sparql"),
        &[(
            "query",
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1",
        )],
        None,
    );
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("more than 100 MiB"), "{body}");
    assert!(server.rss_mib() < 600.0, "{} MB", server.rss_mib());
    server.probe();
}

#[test]
fn result_size_is_limited() {
    let server = Server::start(&["--max-result-size", "1"]);
    // 216,435 rows of JSON: far over 1 MiB.
    let big = "SELECT * WHERE { ?s ?p ?o . ?a a schema:NewsArticle }";
    let (status, _, body) = get(&server.url("/sparql"), &[("query", big)], None);
    assert_eq!(status, 503, "{}", &body[..body.len().min(200)]);
    assert!(body.contains("larger than 1 MiB"), "{body}");
    // The N-Triples dump (about 0.7 MB) fits.
    let dump = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }";
    let (status, _, _) = get(
        &server.url("/sparql"),
        &[("query", dump)],
        Some("application/n-triples"),
    );
    assert_eq!(status, 200);
    server.probe();
}

#[test]
fn too_many_queries_at_once_get_503_with_retry_after() {
    let server = Server::start(&["--max-concurrent", "1", "--timeout", "2"]);
    let url = server.url("/sparql");
    let endless = {
        let url = url.clone();
        std::thread::spawn(move || get(&url, &[("query", ENDLESS)], None))
    };
    std::thread::sleep(Duration::from_millis(300));
    let (status, headers, body) = get(&url, &[("query", PROBE)], None);
    assert_eq!(status, 503, "{body}");
    assert_eq!(headers.get("retry-after").unwrap(), "1");
    assert!(body.contains("--max-concurrent"), "{body}");
    // The service description and pages need no slot.
    assert_eq!(get(&url, &[], None).0, 200);
    assert_eq!(endless.join().unwrap().0, 503);
    server.probe();
}

#[test]
fn many_clients_at_once() {
    let server = Server::start(&[]);
    let url = server.url("/sparql");
    let expected = String::from_utf8(cli_query(store(), SELECT, "json")).unwrap();
    let handles: Vec<_> = (0..48)
        .map(|i| {
            let (url, expected) = (url.clone(), expected.clone());
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let (status, headers, body) = if i % 2 == 0 {
                        get(&url, &[("query", SELECT)], None)
                    } else {
                        post_form(&url, &[("query", SELECT)], None)
                    };
                    match status {
                        200 => assert_eq!(body, expected),
                        503 => assert!(headers.get("retry-after").is_some()),
                        other => panic!("{other}: {body}"),
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    server.probe();
}

#[test]
fn slow_clients_do_not_block_others() {
    let server = Server::start(&["--client-timeout", "1"]);
    // Half a request line, then nothing.
    let mut stalled = TcpStream::connect(&server.addr).unwrap();
    stalled.write_all(b"GET /sparql?query=ASK").unwrap();
    // A body announced but never sent.
    let mut no_body = TcpStream::connect(&server.addr).unwrap();
    no_body
        .write_all(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 100\r\n\r\nASK {")
        .unwrap();
    // A client that asks for big answers and never reads them.
    let mut deaf = TcpStream::connect(&server.addr).unwrap();
    let dump = "CONSTRUCT%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20WHERE%20%7B%20GRAPH%20%3Fg%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20%7D";
    for _ in 0..40 {
        let _ = deaf.write_all(
            format!("GET /sparql?query={dump} HTTP/1.1\r\nHost: x\r\nAccept: application/n-triples\r\n\r\n").as_bytes(),
        );
    }
    for _ in 0..5 {
        server.probe();
    }
    // The stalled ones are closed after --client-timeout; the body one gets 408.
    for (name, s) in [("stalled", &mut stalled), ("no body", &mut no_body)] {
        s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
        let started = Instant::now();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name} kept open"
        );
        let text = String::from_utf8_lossy(&answer);
        if name == "no body" {
            assert!(text.starts_with("HTTP/1.1 408"), "{name}: {text}");
        }
    }
    // The deaf client is dropped once its writes stall for --client-timeout.
    deaf.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let mut sink = vec![0u8; 1 << 20];
    let mut total = 0;
    loop {
        match deaf.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
    assert!(
        total < 40 * 700_000,
        "the deaf client got everything ({total} bytes)"
    );
    server.probe();
}

#[test]
fn shutdown_is_graceful() {
    let server = Server::start(&[]);
    let url = server.url("/sparql");
    // A query of about a second (21 million pairs) in flight when SIGTERM comes.
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }";
    let in_flight = std::thread::spawn(move || get(&url, &[("query", slow)], None));
    std::thread::sleep(Duration::from_millis(300));
    let (status, log) = server.stop_with(libc::SIGTERM);
    let (code, _, body) = in_flight.join().unwrap();
    assert_eq!(code, 200, "{body}");
    let pairs = sample_quads().pow(2);
    assert!(body.contains(&pairs.to_string()), "{body}");
    assert!(status.success(), "{status:?}\n{log}");
    assert!(log.contains("stopped after"), "{log}");

    // A signal as soon as the server says it listens stops it cleanly too
    // (it once came before the handlers were set, and the default action
    // killed the process).
    for signal in [libc::SIGINT, libc::SIGTERM].repeat(5) {
        let idle = Server::start(&[]);
        let (status, log) = idle.stop_with(signal);
        assert!(status.success(), "signal {signal}: {status:?}\n{log}");
    }
}

/// The server's query threads with the `SCHED_IDLE` policy (Linux; field 41
/// of `/proc/PID/task/TID/stat`, after the parenthesised name).
fn idle_policy_threads(pid: u32) -> usize {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("stat")).ok())
        .filter(|stat| {
            let (name, rest) = stat.rsplit_once(')').unwrap_or(("", ""));
            name.ends_with("(sg-query")
                && rest.split_whitespace().nth(38) == Some(&libc::SCHED_IDLE.to_string())
        })
        .count()
}

/// Runs one-second queries, one per core, while `probes` short ones are
/// asked, then stops the server; returns the long queries' answers, the
/// log, and how many query threads had the `SCHED_IDLE` policy while the
/// long ones ran and after they ended.
fn long_queries_among_short_ones(
    args: &[&str],
    probes: usize,
) -> (Vec<Reply>, String, usize, usize) {
    let server = Server::start(args);
    let pid = server.pid() as u32;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }";
    let long: Vec<_> = (0..cores)
        .map(|_| {
            let url = server.url("/sparql");
            std::thread::spawn(move || get(&url, &[("query", slow)], None))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let idle_while_running = idle_policy_threads(pid);
    for _ in 0..probes {
        server.probe();
    }
    let answers = long.into_iter().map(|t| t.join().unwrap()).collect();
    // A thread whose query turned long leaves the pool after it.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut idle_after = idle_policy_threads(pid);
    while idle_after > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        idle_after = idle_policy_threads(pid);
    }
    let (status, log) = server.stop_with(libc::SIGTERM);
    assert!(status.success(), "{status:?}\n{log}");
    (answers, log, idle_while_running, idle_after)
}

#[test]
fn long_queries_give_way_to_short_ones() {
    let pairs = sample_quads().pow(2).to_string();
    // The long queries (past their 2 ms grace, as many as there are cores)
    // leave a core to each probe, and still give the right answers.
    let (answers, log, idle_while_running, idle_after) = long_queries_among_short_ones(&[], 20);
    if cfg!(target_os = "linux") {
        // Past their grace period the long queries' threads took the idle
        // policy, and left the pool once done.
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(idle_while_running, cores, "{log}");
        assert_eq!(idle_after, 0, "{log}");
    }
    for answer in &answers {
        assert_eq!(answer.0, 200, "{}", answer.2);
        assert!(answer.2.contains(&pairs), "{}", answer.2);
    }
    let paused = log
        .split("long queries paused ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or_else(|| panic!("no pauses reported:\n{log}"));
    assert!(paused >= 1, "{log}");
    // With --short-first 0 queries share the cores evenly: no pauses.
    let (answers, log, idle_while_running, _) =
        long_queries_among_short_ones(&["--short-first", "0"], 5);
    assert!(answers.iter().all(|a| a.2.contains(&pairs)), "{answers:?}");
    assert!(!log.contains("paused"), "{log}");
    assert_eq!(
        idle_while_running, 0,
        "no query counts as long without the rule"
    );
}

#[test]
fn loopback_by_default_and_a_warning_otherwise() {
    let open = Server::start_bound(store(), "0.0.0.0:0", &[]).log();
    assert!(
        open.contains("warning: listening on 0.0.0.0:")
            && open.contains("other machines may reach"),
        "{open}"
    );
    let local = Server::start(&[]).log();
    assert!(local.contains("listening on http://127.0.0.1:"), "{local}");
    assert!(!local.contains("warning"), "{local}");
    let help = Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("[default: 127.0.0.1:7878]"), "{help}");
}

#[test]
fn bind_errors_and_bad_flags_are_usage_errors() {
    let busy = Server::start(&[]);
    let out = Command::new(BIN)
        .arg("--store")
        .arg(store())
        .args(["serve", "--bind", &busy.addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on"));
    for args in [
        ["--bind", "nowhere"],
        ["--timeout", "0"],
        ["--short-first", "-1"],
        ["--short-first", "NaN"],
    ] {
        let out = Command::new(BIN)
            .arg("--store")
            .arg(store())
            .arg("serve")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let missing: PathBuf = store().join("no-such-store");
    let out = Command::new(BIN)
        .arg("--store")
        .arg(&missing)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Peak resident size of `pid` in MB, sampled every 5 ms until `done` is set.
fn watch_rss(pid: i32, done: Arc<std::sync::atomic::AtomicBool>) -> std::thread::JoinHandle<f64> {
    std::thread::spawn(move || {
        let mut peak = 0f64;
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                break;
            };
            if let Some(kb) = status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse::<f64>().ok())
            {
                peak = peak.max(kb / 1024.0);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    })
}

#[test]
fn the_server_memory_budget_stops_hogs_and_refuses_new_queries() {
    // The sample store takes about 40 MB; the hogs would take gigabytes.
    let budget_mib = 400.0;
    let server = Server::start(&[
        "--max-memory",
        "400",
        "--max-query-memory",
        "0",
        "--timeout",
        "30",
    ]);
    let url = server.url("/sparql");
    let hog = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1";
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let peak = watch_rss(server.pid(), Arc::clone(&done));
    let mut refused = 0;
    for _round in 0..3 {
        let hogs: Vec<_> = (0..6)
            .map(|_| {
                let url = url.clone();
                std::thread::spawn(move || get(&url, &[("query", hog)], None))
            })
            .collect();
        // New queries meanwhile: answered, or refused with Retry-After while
        // the server is over its budget.
        while !hogs.iter().all(|h| h.is_finished()) {
            let (status, headers, body) = get(&url, &[("query", PROBE)], None);
            match status {
                200 => assert!(body.contains(r#""value":"47""#), "{body}"),
                503 => {
                    assert_eq!(headers.get("retry-after").unwrap(), "1");
                    assert!(body.contains("--max-memory"), "{body}");
                    refused += 1;
                }
                other => panic!("{other}: {body}"),
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        for h in hogs {
            let (status, headers, body) = h.join().unwrap();
            assert_eq!(status, 503, "{body}");
            assert!(body.contains("--max-memory"), "{body}");
            if body.contains("went over its memory budget") {
                assert_eq!(headers.get("retry-after").unwrap(), "1");
            }
        }
        if refused > 0 {
            break;
        }
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let peak = peak.join().unwrap();
    eprintln!("peak resident size {peak:.0} MB under a budget of {budget_mib} MiB");
    assert!(refused > 0, "no new query was refused\n{}", server.log());
    // Stops take effect within a few hundred milliseconds, during which the
    // other hogs still grow: a margin, far below the gigabytes without a budget.
    assert!(peak < budget_mib * 1.048576 * 1.5, "peak {peak:.0} MB");
    assert!(
        server.log().contains("over --max-memory"),
        "{}",
        server.log()
    );
    // The memory went back: a normal query answers afterwards.
    std::thread::sleep(Duration::from_millis(200));
    server.probe();
    assert!(server.rss_mib() < budget_mib, "{} MB", server.rss_mib());
    // A budget the store alone exceeds is refused at start.
    let out = Command::new(BIN)
        .arg("--store")
        .arg(store())
        .args(["serve", "--bind", "127.0.0.1:0", "--max-memory", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("over --max-memory 1 MiB"));
}

#[test]
fn a_flood_of_idle_connections_does_not_starve_a_client() {
    let server = Server::start(&["--max-connections", "64"]);
    let addr = server.addr.clone();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // 200 sockets that send nothing and reconnect as soon as they are closed.
    let flood = {
        let (addr, stop) = (addr.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let connect = || {
                let s = TcpStream::connect(&addr).unwrap();
                s.set_nonblocking(true).unwrap();
                s
            };
            let mut sockets: Vec<TcpStream> = (0..200).map(|_| connect()).collect();
            let mut reconnects = 0u64;
            let mut buf = [0u8; 64];
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Wait for closed sockets without spinning: the flood must not
                // take the cores from the other tests' servers.
                use std::os::fd::AsRawFd;
                let mut fds: Vec<libc::pollfd> = sockets
                    .iter()
                    .map(|s| libc::pollfd {
                        fd: s.as_raw_fd(),
                        events: libc::POLLIN,
                        revents: 0,
                    })
                    .collect();
                unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 10) };
                for (s, fd) in sockets.iter_mut().zip(&fds) {
                    if fd.revents == 0 {
                        continue;
                    }
                    let closed = match s.read(&mut buf) {
                        Ok(_) => true,
                        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
                    };
                    if closed {
                        *s = connect();
                        reconnects += 1;
                    }
                }
            }
            reconnects
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let mut latencies = Vec::new();
    while started.elapsed() < Duration::from_secs(4) {
        let asked = Instant::now();
        server.probe();
        latencies.push(asked.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let reconnects = flood.join().unwrap();
    latencies.sort();
    let worst = *latencies.last().unwrap();
    eprintln!(
        "{} probes through the flood: median {:?}, worst {worst:?}; {reconnects} reconnects",
        latencies.len(),
        latencies[latencies.len() / 2]
    );
    assert!(
        reconnects > 100,
        "the flood was not turned over: {reconnects}"
    );
    assert!(worst < Duration::from_secs(1), "{latencies:?}");
    let (status, log) = server.stop_with(libc::SIGTERM);
    assert!(status.success(), "{status:?}");
    assert!(
        log.contains("idle connection(s) closed for --max-connections"),
        "{log}"
    );
}

#[test]
fn get_and_post_are_held_to_the_same_rules() {
    let server = Server::start(&["--max-body", "8"]);
    let url = server.url("/sparql");
    let raw = |addr: &str, request: String| {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    };
    // Over --max-body (8 KiB): 414 for a GET, 413 for a POST, both naming the flag.
    let long = format!("ASK {{ ?s ?p \"{}\" }}", "a".repeat(9000));
    let (status, _, body) = get(&url, &[("query", &long)], None);
    assert_eq!(status, 414, "{body}");
    assert!(body.contains("--max-body"), "{body}");
    let (status, _, body) = post_form(&url, &[("query", &long)], None);
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("--max-body"), "{body}");
    // Bytes that are not UTF-8 once percent-decoded: 400 for both, same message.
    let bad = "query=ASK%20%7B%20%3Fs%20%3Fp%20%22%FF%22%20%7D";
    let (get_status, _, get_body) = get(&format!("{url}?{bad}"), &[], None);
    let r = agent()
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(bad);
    let (post_status, _, post_body) = reply(r);
    assert_eq!((get_status, post_status), (400, 400), "{get_body}");
    assert_eq!(get_body, post_body);
    assert!(get_body.contains("not UTF-8"), "{get_body}");
    // An empty query is an empty query, for GET and POST alike.
    for (status, _, body) in [
        get(&url, &[("query", "")], None),
        get(&url, &[("query", "  ")], None),
        post_form(&url, &[("query", "")], None),
        post_direct(&url, "", None),
    ] {
        assert_eq!(status, 400, "{body}");
        assert!(body.starts_with("empty query"), "{body}");
    }
    drop(server);
    // With the default --max-body the URL is held to 64 KiB (414) and the
    // request head to 128 KiB (431); below both, a GET is answered.
    let server = Server::start(&[]);
    let ask = |pad: usize| format!("ASK%20%7B%20%3Fs%20%3Fp%20%22{}%22%20%7D", "a".repeat(pad));
    let answer = raw(
        &server.addr,
        format!(
            "GET /sparql?query={} HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\nConnection: close\r\n\r\n",
            ask(60_000),
            "b".repeat(60_000)
        ),
    );
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    let answer = raw(
        &server.addr,
        format!(
            "GET /sparql?query={} HTTP/1.1\r\nHost: x\r\n\r\n",
            ask(70_000)
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 414"), "{answer}");
    let answer = raw(
        &server.addr,
        format!(
            "GET /sparql?query={} HTTP/1.1\r\nHost: x\r\nX-Pad: {}\r\n\r\n",
            ask(10),
            "b".repeat(140_000)
        ),
    );
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    server.probe();
    // An origin that is not one is a usage error at start.
    for cors in ["yasgui.org", "https://yasgui.org/", "https://", "ht tp://x"] {
        let out = Command::new(BIN)
            .arg("--store")
            .arg(store())
            .args(["serve", "--bind", "127.0.0.1:0", "--cors", cors])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cors}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--cors"),
            "{cors}"
        );
    }
}
