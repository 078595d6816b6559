//! Load test of `signalgraph serve` on loopback: 32 concurrent clients, 10,000
//! queries of three kinds, every answer checked; throughput, latency
//! percentiles per kind against the single-client median, and the server's
//! resident memory across the run.
//!
//! Two phases of 32 clients: **saturation** — each client sends its next query
//! as soon as it has the answer (closed loop), which measures throughput; there
//! latency is about clients / throughput (Little's law) whatever the server
//! does, so it is reported but not held to the single-client median —
//! and **paced** — the same clients send at a fixed total rate (a fraction of
//! the measured throughput, `--pace 0.25`), which measures how latency holds up
//! under concurrent load that the machine can carry.
//!
//! ```text
//! cargo bench --bench serve_load                              # 1000 articles, 32 clients, 10000 queries
//! cargo bench --bench serve_load -- --articles 10000 --clients 8 --queries 2000 --pace 0.5
//! cargo bench --bench serve_load -- --kinds point                  # one kind only
//! cargo bench --bench serve_load -- --short-first 0                # queries time-sliced evenly
//! cargo bench --bench serve_load -- --order random                 # kinds in a seeded random order
//! cargo bench --bench serve_load -- --rate 200                     # the paced phase at 200 queries/s
//! cargo bench --bench serve_load -- --clients 256                  # the server's --max-concurrent set to match
//! cargo bench --bench serve_load -- --peer ~/.cache/signalgraph-bench-venv/bin/oxigraph
//! ```
//!
//! The store is generated (`signalgraph generate --seed 42`) and built in a
//! temporary folder; the release binary serves it on `127.0.0.1:0`. Phase 1
//! asks every distinct query once from a single client (its answer is the
//! expected one) and then repeats them back to back, one kind at a time, for
//! a first single-client median per kind. Then a warm-up burst from all
//! clients, the saturation phase and the paced phase, each client with its
//! own keep-alive connection, over the same queries (kinds in turn, articles
//! spread) until the count is reached (or the time budget runs out, which
//! fails the run). Just before and just after the paced phase one client
//! alone sends the same kinds in the same order at the same total rate (300
//! queries per kind in all): the median it sees differs from the paced phase
//! only in the number of clients, so the paced p99 is held to it. Both
//! ratios are printed; the back-to-back median is lower, since a client that
//! never pauses finds the cores awake (and most likely their caches warm).
//! The clients are tasks of one event-loop thread speaking plain HTTP/1.1
//! (like `wrk`), so the load generator takes little of the two cores it
//! shares with the server and needs no thread wake-up of its own per answer;
//! a latency is the time from writing the request to reading the last byte
//! of the answer. Resident memory is sampled from `/proc/PID/status` every
//! 100 ms. After the server stops, one thread per core spins for 3 s reading
//! the clock, to show how often the machine itself (kernel, hypervisor)
//! keeps a busy thread off its core — the floor under any tail latency
//! measured here. It prints a Markdown report for `benches/BENCHMARKS.md`
//! and exits non-zero if any request failed or returned a different answer.
//!
//! `--peer PROGRAM` (an `oxigraph` command-line tool; `benches/serve_peer.py`
//! installs one and passes it) runs the same measurement against Oxigraph's
//! own server after signalgraph's: the store exported as N-Quads and loaded
//! into `oxigraph serve` (in memory, union default graph), the same queries
//! with the prefixes declared, its answers checked against signalgraph's by
//! content, and a table of the two side by side.

#![allow(unsafe_code)] // kill through libc

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_signalgraph");
/// Queries per kind that one client alone sends at the paced rate.
const ALONE_PER_KIND: usize = 300;
/// The whole run must end within this.
const BUDGET: Duration = Duration::from_secs(600);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Point,
    GroupBy,
    Construct,
}

const KINDS: [Kind; 3] = [Kind::Point, Kind::GroupBy, Kind::Construct];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Point => "point lookup",
            Kind::GroupBy => "GROUP BY",
            Kind::Construct => "CONSTRUCT",
        }
    }
}

struct Query {
    kind: Kind,
    /// The answer every request must get: the first one, byte for byte…
    expected: String,
    /// …or one with the same content ([`canonical`]), for a server whose
    /// output order may vary.
    canonical: Vec<String>,
    /// The whole HTTP request, prepared once.
    request: Vec<u8>,
}

impl Query {
    /// Whether `body` is the expected answer.
    fn answers(&self, body: &str) -> bool {
        body == self.expected || canonical(self.kind, body).is_ok_and(|c| c == self.canonical)
    }
}

fn query(kind: Kind, article: &str) -> (String, &'static str) {
    match kind {
        Kind::Point => (
            format!("SELECT ?title ?date ?source WHERE {{ <{article}> dcterms:title ?title ; dcterms:date ?date . OPTIONAL {{ <{article}> dcterms:source ?source }} }}"),
            "application/sparql-results+json",
        ),
        Kind::GroupBy => (
            "SELECT ?theme (COUNT(DISTINCT ?a) AS ?articles) (COUNT(?s) AS ?signals) WHERE { ?a sg:hasTheme ?t . ?t skos:prefLabel ?theme . OPTIONAL { ?a sg:hasSignal ?s } } GROUP BY ?theme ORDER BY DESC(?articles) ?theme LIMIT 10".into(),
            "application/sparql-results+json",
        ),
        Kind::Construct => (
            format!("CONSTRUCT {{ <{article}> ?p ?o . ?s ?sp ?so }} WHERE {{ {{ <{article}> ?p ?o }} UNION {{ <{article}> sg:hasSignal ?s . ?s ?sp ?so }} }}"),
            "text/turtle",
        ),
    }
}

/// An endpoint under test: `signalgraph serve`, or the peer.
struct Server {
    /// What the report calls it.
    name: String,
    child: Child,
    addr: String,
    /// The query operation's path.
    path: &'static str,
    /// PREFIX declarations the server does not predeclare.
    prologue: String,
    /// signalgraph's stderr: its request log, one line per request.
    log: Option<PathBuf>,
}

impl Server {
    /// Durations (ms) and response sizes (bytes) from the request log, in
    /// order; lines read `ADDR METHOD PATH STATUS 0.4 ms 550 B`.
    fn logged(&self) -> Vec<(f64, usize)> {
        let Some(log) = &self.log else {
            return Vec::new();
        };
        let text = std::fs::read_to_string(log).unwrap_or_default();
        text.lines()
            .filter_map(|line| {
                let words: Vec<&str> = line.split_whitespace().collect();
                if words.len() != 8 || words[5] != "ms" {
                    return None;
                }
                Some((words[4].parse().ok()?, words[6].parse().ok()?))
            })
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the server on `store` with `options` added to `serve`, its
/// stderr going to `log`: a file, not a pipe, so that no reader thread of
/// this process wakes for every line and takes a core from the server or
/// the clients under measurement.
fn start(store: &Path, log: &Path, options: &[String]) -> Server {
    let mut child = Command::new(BIN)
        .arg("--store")
        .arg(store)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(options)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("create the server log"))
        .spawn()
        .expect("start the server");
    let started = Instant::now();
    let addr = loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(rest) = text.split("listening on http://").nth(1) {
            break rest.split('/').next().unwrap_or("").to_string();
        }
        if started.elapsed() > Duration::from_secs(120)
            || child.try_wait().is_ok_and(|s| s.is_some())
        {
            panic!("the server did not start: {text}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Server {
        name: "signalgraph serve".to_string(),
        child,
        addr,
        path: "/sparql",
        prologue: String::new(),
        log: Some(log.to_path_buf()),
    }
}

/// Starts Oxigraph's own server (`oxigraph serve`, the same SPARQL engine
/// behind its HTTP layer) on a free loopback port with an in-memory store,
/// the union of the graphs as default graph (as signalgraph's), and loads
/// `nquads` into it through its Graph Store endpoint.
fn start_peer(program: &Path, nquads: &Path, log: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let version = Command::new(program)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let child = Command::new(program)
        .args(["serve", "--union-default-graph", "--bind", &addr])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("create the peer log"))
        .spawn()
        .expect("start the peer");
    let started = Instant::now();
    let client = event_loop();
    let mut connection = loop {
        if let Ok(c) = client.block_on(Connection::open(&addr)) {
            break c;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the peer did not start: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let data = std::fs::read(nquads).expect("read the N-Quads export");
    let mut load = format!(
        "POST /store HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/n-quads\r\nContent-Length: {}\r\n\r\n",
        data.len()
    )
    .into_bytes();
    load.extend_from_slice(&data);
    let (status, body) = client
        .block_on(connection.ask(&load))
        .expect("load the peer");
    assert!(
        status == 204 || status == 200,
        "loading the peer: {status} {body}"
    );
    let prologue = signalgraph::store::vocab::PREFIXES
        .iter()
        .map(|(prefix, ns)| format!("PREFIX {prefix}: <{ns}>\n"))
        .collect();
    Server {
        name: if version.is_empty() {
            "oxigraph serve".to_string()
        } else {
            format!("{version} serve")
        },
        child,
        addr,
        path: "/query",
        prologue,
        log: None,
    }
}

fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The machine's CPU time so far, in clock ticks: (all, stolen by the
/// hypervisor), from the first line of `/proc/stat` (zeros elsewhere).
fn cpu_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let fields: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is in user).
    let all = fields.iter().take(8).sum();
    (all, fields.get(7).copied().unwrap_or(0))
}

/// One keep-alive connection speaking just enough HTTP/1.1 for the
/// endpoints' answers (a Content-Length, chunks, or no body).
struct Connection {
    stream: tokio::io::BufReader<tokio::net::TcpStream>,
}

impl Connection {
    async fn open(addr: &str) -> Result<Connection, String> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Connection {
            stream: tokio::io::BufReader::new(stream),
        })
    }

    /// Sends one prepared request; returns the status and body.
    async fn ask(&mut self, request: &[u8]) -> Result<(u16, String), String> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
        let io = |e: std::io::Error| e.to_string();
        self.stream.get_mut().write_all(request).await.map_err(io)?;
        let mut line = String::new();
        self.stream.read_line(&mut line).await.map_err(io)?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("bad status line {line:?}"))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            line.clear();
            if self.stream.read_line(&mut line).await.map_err(io)? == 0 {
                return Err("connection closed in the headers".into());
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.trim().eq_ignore_ascii_case("chunked");
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.stream.read_line(&mut line).await.map_err(io)?;
                let size = line.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size, 16)
                    .map_err(|_| format!("bad chunk size {line:?}"))?;
                let start = body.len();
                body.resize(start + size, 0);
                self.stream
                    .read_exact(&mut body[start..])
                    .await
                    .map_err(io)?;
                if size == 0 {
                    // Trailers (none expected), then the blank line.
                    loop {
                        line.clear();
                        if self.stream.read_line(&mut line).await.map_err(io)? == 0
                            || line == "\r\n"
                        {
                            break;
                        }
                    }
                    break;
                }
                let mut crlf = [0; 2];
                self.stream.read_exact(&mut crlf).await.map_err(io)?;
            }
        } else if status != 204 && status != 304 {
            body.resize(length.ok_or("no Content-Length")?, 0);
            self.stream.read_exact(&mut body).await.map_err(io)?;
        }
        String::from_utf8(body)
            .map(|b| (status, b))
            .map_err(|e| e.to_string())
    }
}

/// The bytes of a form-encoded POST of `text` to `server`'s query path.
fn request(server: &Server, text: &str, accept: &str) -> Vec<u8> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("query", &format!("{}{text}", server.prologue))
        .finish();
    format!(
        "POST {} HTTP/1.1\r\nHost: {}\r\nAccept: {accept}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        server.path,
        server.addr,
        body.len()
    )
    .into_bytes()
}

/// An answer in a form that does not depend on how the server wrote it:
/// the variables and each solution (JSON, keys sorted) or each triple
/// (N-Triples), sorted.
fn canonical(kind: Kind, body: &str) -> Result<Vec<String>, String> {
    let mut items = match kind {
        Kind::Point | Kind::GroupBy => {
            let json: serde_json::Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
            let mut items = vec![json["head"]["vars"].to_string()];
            let bindings = json["results"]["bindings"]
                .as_array()
                .ok_or("no bindings")?;
            items.extend(bindings.iter().map(|b| b.to_string()));
            items
        }
        Kind::Construct => {
            use oxigraph::io::{RdfFormat, RdfParser};
            RdfParser::from_format(RdfFormat::Turtle)
                .for_slice(body.as_bytes())
                .map(|t| t.map(|q| q.to_string()).map_err(|e| e.to_string()))
                .collect::<Result<_, _>>()?
        }
    };
    items.sort();
    Ok(items)
}

/// The event loop all clients run on.
fn event_loop() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

/// A well-mixed hash of `x` (SplitMix64's finaliser), for a seeded order of kinds.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `values` in ascending order, for [`percentile`].
fn sorted(values: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.into_iter().collect();
    values.sort_by(f64::total_cmp);
    values
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The value after `name` on the command line.
fn option<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1).map(String::as_str)
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    option(args, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let articles = arg(&args, "--articles", 1000);
    let clients = arg(&args, "--clients", 32);
    let total = arg(&args, "--queries", 10_000);
    let distinct = arg(&args, "--distinct", 200);
    let pace = option(&args, "--pace")
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.25);
    // `--order random`: kinds in a seeded random order instead of in turn.
    let random_order = option(&args, "--order") == Some("random");
    // `--kinds point,groupby,construct`: the kinds the clients send (all by default).
    let kinds: Vec<Kind> = option(&args, "--kinds")
        .map(|v| {
            KINDS
                .into_iter()
                .filter(|k| {
                    let key = match k {
                        Kind::Point => "point",
                        Kind::GroupBy => "groupby",
                        Kind::Construct => "construct",
                    };
                    v.split(',').any(|w| w == key)
                })
                .collect()
        })
        .unwrap_or_else(|| KINDS.to_vec());
    assert!(!kinds.is_empty(), "--kinds: point, groupby, construct");
    // `--short-first MS`: the server's option of that name (its default otherwise; 0: off).
    let short_first = option(&args, "--short-first");
    let started_run = Instant::now();

    let work = tempfile::tempdir().expect("tempdir");
    let seeds = work.path().join("seeds");
    let store = work.path().join("store");
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    ok(Command::new(BIN)
        .args([
            "-q",
            "generate",
            "--seed",
            "42",
            "--articles",
            &articles.to_string(),
            "--out",
        ])
        .arg(&seeds)
        .output()
        .expect("generate"));
    ok(Command::new(BIN)
        .arg("--store")
        .arg(&store)
        .args(["-q", "build"])
        .arg(&seeds)
        .output()
        .expect("build"));
    let list = ok(Command::new(BIN)
        .arg("--store")
        .arg(&store)
        .args([
            "query",
            "--format",
            "tsv",
            &format!("SELECT ?a WHERE {{ ?a a schema:NewsArticle ; dcterms:date ?d }} ORDER BY ?a LIMIT {distinct}"),
        ])
        .output()
        .expect("list articles"));
    let article_iris: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .skip(1)
        .map(|l| l.trim_matches(|c| c == '<' || c == '>').to_string())
        .collect();
    let triples = String::from_utf8_lossy(
        &ok(Command::new(BIN)
            .arg("--store")
            .arg(&store)
            .args(["stats", "--json"])
            .output()
            .expect("stats"))
        .stdout,
    )
    .split("\"triples\":")
    .nth(1)
    .and_then(|s| s.split(|c: char| !c.is_ascii_digit() && c != ' ').next())
    .map(|s| s.trim().to_string())
    .unwrap_or_default();

    let settings = Settings {
        kinds,
        random_order,
        clients,
        total,
        pace,
        rate: option(&args, "--rate").and_then(|r| r.parse::<f64>().ok()),
    };
    // The cap on queries at once is the client count (the server's default,
    // 32, with the default clients), so that every client's query is run.
    let mut server_options = vec!["--max-concurrent".to_string(), clients.to_string()];
    if let Some(ms) = short_first {
        server_options.extend(["--short-first".to_string(), ms.to_string()]);
    }
    let ours = {
        let server = start(&store, &work.path().join("server.log"), &server_options);
        measure(&server, &settings, &article_iris, None)
    };
    // `--peer PROGRAM`: the same load against Oxigraph's server after signalgraph's.
    let peer = option(&args, "--peer").map(|program| {
        let nquads = work.path().join("graph.nq");
        ok(Command::new(BIN)
            .arg("--store")
            .arg(&store)
            .args(["-q", "export", "--format", "nquads", "--out"])
            .arg(&nquads)
            .output()
            .expect("export"));
        let server = start_peer(Path::new(program), &nquads, &work.path().join("peer.log"));
        measure(&server, &settings, &article_iris, Some(&ours.queries))
    });
    let stalls = machine_stalls(Duration::from_secs(3));

    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\n### Load test ({articles} articles, {triples} triples; {clients} clients, {total} queries per phase; server --short-first {}; kinds {})\n",
        short_first.unwrap_or("default (2 ms)"),
        if random_order { "in a seeded random order" } else { "in turn" }
    );
    println!(
        "machine load average at the end (other work on the 2 cores included): {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut failed = false;
    for m in std::iter::once(&ours).chain(&peer) {
        if peer.is_some() {
            println!("\n#### {}", m.name);
        }
        failed |= report(m, total);
    }
    if let Some(peer) = &peer {
        compare(&ours, peer);
    }
    println!(
        "\nthe machine itself, every core busy spinning for {:.0} s (servers stopped): a spinning thread lost {:.2} % of the time in gaps over 50 µs; {} gaps over 1 ms, {} over 2 ms, the longest {:.2} ms",
        stalls.seconds, stalls.lost_percent, stalls.over_1ms, stalls.over_2ms, stalls.longest_ms
    );
    let verdict = |ratio: f64| if ratio < 5.0 { "met" } else { "NOT met" };
    for m in std::iter::once(&ours).chain(&peer) {
        let (alone, back_to_back) = m.worst_ratios();
        println!(
            "{}: paced phase, worst p99 (criterion: under 5× the single-client median): {alone:.1}× the median of one client at the paced rate ({}); {back_to_back:.1}× the median of one client back to back ({})",
            m.name,
            verdict(alone),
            verdict(back_to_back)
        );
    }
    println!("whole run: {:.1} s", started_run.elapsed().as_secs_f64());
    if failed {
        std::process::exit(1);
    }
}

/// What every endpoint under test is run with.
struct Settings {
    kinds: Vec<Kind>,
    random_order: bool,
    clients: usize,
    /// Queries per phase.
    total: usize,
    /// The paced rate as a share of the saturation throughput…
    pace: f64,
    /// …unless fixed (queries/s).
    rate: Option<f64>,
}

/// Everything measured on one endpoint.
struct Measurement {
    name: String,
    queries: Arc<Vec<Query>>,
    /// Per kind: one client back to back.
    single_median: [f64; 3],
    single_p99: [f64; 3],
    /// Per kind: one client alone at the paced rate.
    alone_median: [f64; 3],
    alone_failures: usize,
    saturated: Phase,
    paced: Phase,
    /// The request log's (ms, bytes) during the saturation and paced phases.
    logged: [Vec<(f64, usize)>; 2],
    rss_end: f64,
}

impl Measurement {
    /// The paced phase's p99 of `kind` (NaN when the kind was not sent).
    fn paced_p99(&self, k: usize) -> f64 {
        percentile(&sorted(self.paced.times(KINDS[k])), 0.99)
    }

    /// The worst paced p99 over the kinds sent, against the median of one
    /// client at the paced rate and against the back-to-back median.
    fn worst_ratios(&self) -> (f64, f64) {
        (0..KINDS.len())
            .filter(|&k| self.paced.times(KINDS[k]).next().is_some())
            .fold((0.0, 0.0), |(alone, back), k| {
                let p99 = self.paced_p99(k);
                (
                    f64::max(alone, p99 / self.alone_median[k]),
                    f64::max(back, p99 / self.single_median[k]),
                )
            })
    }
}

/// Runs the whole measurement on `server`: the expected answers (checked
/// against `reference`'s, when given, by content), the single-client
/// medians, a warm-up, the saturation phase, one client at the paced rate,
/// the paced phase and one client at the paced rate again.
fn measure(
    server: &Server,
    settings: &Settings,
    article_iris: &[String],
    reference: Option<&[Query]>,
) -> Measurement {
    let pid = server.child.id();
    let client = event_loop();
    let mut single = client
        .block_on(Connection::open(&server.addr))
        .expect("connect");

    // Phase 1: the expected answers, then the single-client medians.
    let mut queries: Vec<Query> = Vec::new();
    for kind in KINDS {
        let targets: Vec<&String> = if kind == Kind::GroupBy {
            article_iris.iter().take(1).collect()
        } else {
            article_iris.iter().collect()
        };
        for a in targets {
            let (text, accept) = query(kind, a);
            let request = request(server, &text, accept);
            let (status, body) = client
                .block_on(single.ask(&request))
                .expect("phase 1 request");
            assert_eq!(status, 200, "{}: {body}", server.name);
            assert!(body.len() > 40, "{kind:?}: {body}");
            let canonical = canonical(kind, &body).expect("a well-formed answer");
            if let Some(reference) = reference {
                assert_eq!(
                    canonical,
                    reference[queries.len()].canonical,
                    "{} answers {text} differently",
                    server.name
                );
            }
            queries.push(Query {
                kind,
                expected: body,
                canonical,
                request,
            });
        }
    }
    let mut single_median = [0.0f64; 3];
    let mut single_p99 = [0.0f64; 3];
    for (k, kind) in KINDS.into_iter().enumerate() {
        let of_kind: Vec<&Query> = queries.iter().filter(|q| q.kind == kind).collect();
        let mut times = Vec::new();
        for i in 0..300 {
            let q = of_kind[i % of_kind.len()];
            let t = Instant::now();
            let (status, body) = client
                .block_on(single.ask(&q.request))
                .expect("single-client request");
            times.push(t.elapsed().as_secs_f64() * 1e3);
            assert!(
                status == 200 && q.answers(&body),
                "single-client answer differs"
            );
        }
        let times = sorted(times);
        single_median[k] = percentile(&times, 0.5);
        single_p99[k] = percentile(&times, 0.99);
    }
    drop(single);

    let queries = Arc::new(queries);
    let phase_of = |clients: usize, count: usize, rate: Option<f64>| {
        run_clients(
            &server.addr,
            &queries,
            &settings.kinds,
            settings.random_order,
            clients,
            count,
            rate,
            pid,
        )
    };
    let phase = |count: usize, rate: Option<f64>| phase_of(settings.clients, count, rate);
    // Warm-up: every client once through a burst, so threads and buffers exist.
    phase(settings.clients * 20, None);

    let mark = || server.logged().len();
    let m0 = mark();
    let saturated = phase(settings.total, None);
    let m1 = mark();
    // `--rate Q` fixes the paced rate (queries/s), to compare builds or
    // settings at the same load whatever their throughput.
    let rate = settings
        .rate
        .unwrap_or(saturated.results.len() as f64 / saturated.elapsed * settings.pace);
    // One client alone at the paced rate, with the same kinds in the same
    // order, half before and half after the paced phase: what the paced
    // phase adds by its concurrency alone.
    let alone = || phase_of(1, ALONE_PER_KIND / 2 * settings.kinds.len(), Some(rate));
    let alone_before = alone();
    let m2 = mark();
    let paced = phase(settings.total, Some(rate));
    let m3 = mark();
    let alone_after = alone();
    let mut alone_median = [f64::NAN; 3];
    for (k, kind) in KINDS.into_iter().enumerate() {
        let times = sorted(
            [&alone_before, &alone_after]
                .iter()
                .flat_map(|phase| phase.times(kind)),
        );
        alone_median[k] = percentile(&times, 0.5);
    }
    let alone_failures = alone_before.failures().len() + alone_after.failures().len();
    std::thread::sleep(Duration::from_millis(200));
    let logged = server.logged();
    let slice = |from: usize, to: usize| logged.get(from..to).unwrap_or_default().to_vec();
    let logged = [slice(m0, m1), slice(m2, m3)];
    std::thread::sleep(Duration::from_millis(500));
    Measurement {
        name: server.name.clone(),
        queries,
        single_median,
        single_p99,
        alone_median,
        alone_failures,
        saturated,
        paced,
        logged,
        rss_end: rss_mb(pid),
    }
}

/// Prints one endpoint's phases (Markdown for `benches/BENCHMARKS.md`);
/// true if a request failed or a phase fell short of `total`.
fn report(m: &Measurement, total: usize) -> bool {
    // The request log has no query text; an answer's size tells its kind
    // when no query of another kind has an answer of that size.
    let mut kind_of_size: std::collections::HashMap<usize, Option<usize>> =
        std::collections::HashMap::new();
    for q in m.queries.iter() {
        let k = KINDS.iter().position(|&x| x == q.kind).unwrap();
        kind_of_size
            .entry(q.expected.len())
            .and_modify(|e| {
                if *e != Some(k) {
                    *e = None;
                }
            })
            .or_insert(Some(k));
    }
    let mut failed = false;
    for ((name, phase), logged) in [
        ("saturation (closed loop)", &m.saturated),
        ("paced", &m.paced),
    ]
    .into_iter()
    .zip(&m.logged)
    {
        println!(
            "\n**{name}**: {} queries in {:.1} s, {:.0} queries/s{}; {} failed; CPU time stolen by the hypervisor meanwhile: {:.2} %",
            phase.results.len(),
            phase.elapsed,
            phase.results.len() as f64 / phase.elapsed,
            phase
                .rate
                .map_or(String::new(), |r| format!(" (offered {r:.0}/s)")),
            phase.failures().len(),
            phase.stolen_percent
        );
        println!("\n| query | count | one client back to back: median | its p99 | one client at the paced rate: median | p50 | p99 | max | p99 / median back to back | p99 / median at the paced rate | server p50 | server p99 |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (k, kind) in KINDS.into_iter().enumerate() {
            let times = sorted(phase.times(kind));
            if times.is_empty() {
                continue;
            }
            let p99 = percentile(&times, 0.99);
            let ratio_alone = if phase.rate.is_some() {
                format!("{:.1}×", p99 / m.alone_median[k])
            } else {
                "—".to_string()
            };
            let server = sorted(
                logged
                    .iter()
                    .filter(|(_, bytes)| kind_of_size.get(bytes) == Some(&Some(k)))
                    .map(|(ms, _)| *ms),
            );
            let ms = |v: f64| {
                if v.is_nan() {
                    "—".to_string()
                } else {
                    format!("{v:.2} ms")
                }
            };
            println!(
                "| {} | {} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.1}× | {ratio_alone} | {} | {} |",
                kind.name(),
                times.len(),
                m.single_median[k],
                m.single_p99[k],
                m.alone_median[k],
                percentile(&times, 0.5),
                p99,
                times.last().copied().unwrap_or(f64::NAN),
                p99 / m.single_median[k],
                ms(percentile(&server, 0.5)),
                ms(percentile(&server, 0.99)),
            );
        }
        if !logged.is_empty() {
            let all = sorted(logged.iter().map(|(ms, _)| *ms));
            println!(
                "\nserver-side time (request log, all kinds): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                percentile(&all, 0.5),
                percentile(&all, 0.99),
                all.last().copied().unwrap_or(f64::NAN)
            );
        }
        println!(
            "\nserver resident memory: {:.1} MB at the start, {:.1} MB peak, {:.1} MB at the end of the phase",
            phase.rss_start,
            phase.rss_peak(),
            phase.rss_end
        );
        let tenth = (phase.samples.len() / 10).max(1);
        let trace: Vec<String> = phase
            .samples
            .iter()
            .step_by(tenth)
            .map(|(t, mb)| format!("{t:.0} s {mb:.1}"))
            .collect();
        println!("(samples, MB: {})", trace.join(", "));
        let failures = phase.failures();
        if !failures.is_empty() {
            eprintln!(
                "{}, {name}: failures (first 5): {:?}",
                m.name,
                &failures[..failures.len().min(5)]
            );
            failed = true;
        }
        if phase.results.len() < total {
            eprintln!(
                "{}, {name}: only {} of {total} queries within {BUDGET:?}",
                m.name,
                phase.results.len()
            );
            failed = true;
        }
    }
    println!(
        "\nresident memory {:.1} MB after the warm-up, {:.1} MB after both phases ({} queries)",
        m.saturated.rss_start,
        m.rss_end,
        2 * total
    );
    if m.alone_failures > 0 {
        eprintln!(
            "{}: one client at the paced rate: {} failed",
            m.name, m.alone_failures
        );
        failed = true;
    }
    failed
}

/// Prints signalgraph's figures beside the peer's, as ratios.
fn compare(ours: &Measurement, peer: &Measurement) {
    let per_s = |p: &Phase| p.results.len() as f64 / p.elapsed;
    println!("\n#### {} against {}\n", ours.name, peer.name);
    println!("| | {} | {} | peer ÷ signalgraph |", ours.name, peer.name);
    println!("|---|---:|---:|---:|");
    let row = |what: String, a: f64, b: f64, unit: &str| {
        if !a.is_nan() && !b.is_nan() {
            println!("| {what} | {a:.2}{unit} | {b:.2}{unit} | {:.2}× |", b / a);
        }
    };
    row(
        "saturation throughput".into(),
        per_s(&ours.saturated),
        per_s(&peer.saturated),
        " q/s",
    );
    row(
        "paced rate".into(),
        per_s(&ours.paced),
        per_s(&peer.paced),
        " q/s",
    );
    for (k, kind) in KINDS.into_iter().enumerate() {
        if ours.paced.times(kind).next().is_none() {
            continue;
        }
        let name = kind.name();
        row(
            format!("{name}: one client back to back, median"),
            ours.single_median[k],
            peer.single_median[k],
            " ms",
        );
        row(
            format!("{name}: one client at the paced rate, median"),
            ours.alone_median[k],
            peer.alone_median[k],
            " ms",
        );
        row(
            format!("{name}: paced p99"),
            ours.paced_p99(k),
            peer.paced_p99(k),
            " ms",
        );
    }
    row(
        "resident memory, peak of the paced phase".into(),
        ours.paced.rss_peak(),
        peer.paced.rss_peak(),
        " MB",
    );
}

/// The outcome of one phase.
struct Phase {
    results: Vec<(Kind, f64, Result<(), String>)>,
    elapsed: f64,
    rate: Option<f64>,
    rss_start: f64,
    /// The share of the machine's CPU time the hypervisor took meanwhile.
    stolen_percent: f64,
    rss_end: f64,
    samples: Vec<(f64, f64)>,
}

impl Phase {
    /// The latencies of one kind's requests, in ms.
    fn times(&self, kind: Kind) -> impl Iterator<Item = f64> + '_ {
        self.results
            .iter()
            .filter(move |r| r.0 == kind)
            .map(|r| r.1)
    }

    fn failures(&self) -> Vec<&String> {
        self.results
            .iter()
            .filter_map(|r| r.2.as_ref().err())
            .collect()
    }

    fn rss_peak(&self) -> f64 {
        self.samples
            .iter()
            .map(|s| s.1)
            .fold(self.rss_start, f64::max)
    }
}

/// How often a busy thread is kept off its core by something other than
/// this program: the kernel, or the hypervisor of a virtual machine.
struct Stalls {
    seconds: f64,
    lost_percent: f64,
    over_1ms: usize,
    over_2ms: usize,
    longest_ms: f64,
}

/// Spins one thread per core for `length`, reading the clock in a tight
/// loop: a gap between two readings is time the thread did not run. A
/// query's latency can not be steadier than this, so the report shows it
/// beside the percentiles.
fn machine_stalls(length: Duration) -> Stalls {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let gaps: Vec<Vec<f64>> = std::thread::scope(|scope| {
        let spinners: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(move || {
                    let start = Instant::now();
                    let mut last = start;
                    let mut gaps = Vec::new();
                    while last - start < length {
                        let now = Instant::now();
                        let gap = (now - last).as_secs_f64() * 1e3;
                        if gap > 0.05 {
                            gaps.push(gap);
                        }
                        last = now;
                    }
                    gaps
                })
            })
            .collect();
        spinners
            .into_iter()
            .map(|s| s.join().expect("spinner"))
            .collect()
    });
    let all: Vec<f64> = gaps.into_iter().flatten().collect();
    let total_ms = length.as_secs_f64() * 1e3 * cores as f64;
    Stalls {
        seconds: length.as_secs_f64(),
        lost_percent: all.iter().sum::<f64>() / total_ms * 100.0,
        over_1ms: all.iter().filter(|&&g| g > 1.0).count(),
        over_2ms: all.iter().filter(|&&g| g > 2.0).count(),
        longest_ms: all.iter().copied().fold(0.0, f64::max),
    }
}

/// Runs `clients` clients until `total` queries are answered; with `rate`,
/// the clients together send that many queries per second (each on its own
/// schedule, never catching up in a burst), else as fast as answers come.
#[allow(clippy::too_many_arguments)]
fn run_clients(
    addr: &str,
    queries: &Arc<Vec<Query>>,
    kinds: &[Kind],
    random_order: bool,
    clients: usize,
    total: usize,
    rate: Option<f64>,
    pid: u32,
) -> Phase {
    let rss_start = rss_mb(pid);
    let ticks_start = cpu_ticks();
    let samples = Arc::new(Mutex::new(Vec::<(f64, f64)>::new()));
    let running = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (samples, running) = (Arc::clone(&samples), Arc::clone(&running));
        std::thread::spawn(move || {
            let t0 = Instant::now();
            while running.load(Ordering::Relaxed) {
                samples
                    .lock()
                    .unwrap()
                    .push((t0.elapsed().as_secs_f64(), rss_mb(pid)));
                std::thread::sleep(Duration::from_millis(100));
            }
        })
    };
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let interval = rate.map(|r| Duration::from_secs_f64(clients as f64 / r));
    let results = event_loop().block_on(async {
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let (queries, next, addr) =
                    (Arc::clone(queries), Arc::clone(&next), addr.to_string());
                let kinds = kinds.to_vec();
                tokio::spawn(async move {
                    let of_kind: Vec<Vec<&Query>> = kinds
                        .iter()
                        .map(|&k| queries.iter().filter(|q| q.kind == k).collect())
                        .collect();
                    let mut results: Vec<(Kind, f64, Result<(), String>)> = Vec::new();
                    let mut connection = Connection::open(&addr).await.ok();
                    // Clients start spread over one interval.
                    let mut due = interval.map(|i| started + i.mul_f64(c as f64 / clients as f64));
                    loop {
                        if let (Some(at), Some(step)) = (due.as_mut(), interval) {
                            tokio::time::sleep_until(tokio::time::Instant::from_std(*at)).await;
                            *at = (*at + step).max(Instant::now());
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= total || started.elapsed() > BUDGET {
                            break;
                        }
                        // Kinds in turn (or in a seeded random order); articles
                        // spread by a multiplicative step.
                        let k = if random_order {
                            (splitmix64(i as u64) % kinds.len() as u64) as usize
                        } else {
                            i % kinds.len()
                        };
                        let (kind, of_kind) = (kinds[k], &of_kind[k]);
                        let q = of_kind[(i / 3 * 7919 + c) % of_kind.len()];
                        if connection.is_none() {
                            connection = Connection::open(&addr).await.ok();
                        }
                        let t = Instant::now();
                        let answer = match connection.as_mut() {
                            Some(connection) => connection.ask(&q.request).await,
                            None => Err("cannot connect".to_string()),
                        };
                        let took = t.elapsed().as_secs_f64() * 1e3;
                        let outcome = match answer {
                            Ok((200, body)) if q.answers(&body) => Ok(()),
                            Ok((200, _)) => Err("a different answer".to_string()),
                            Ok((status, body)) => Err(format!("{status}: {}", body.trim())),
                            Err(e) => {
                                // Start the next request on a fresh connection.
                                connection = None;
                                Err(e)
                            }
                        };
                        results.push((kind, took, outcome));
                    }
                    results
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.extend(task.await.expect("client task"));
        }
        results
    });
    let elapsed = started.elapsed().as_secs_f64();
    running.store(false, Ordering::Relaxed);
    sampler.join().expect("sampler");
    let samples = samples.lock().unwrap().clone();
    Phase {
        results,
        elapsed,
        rate,
        rss_start,
        rss_end: rss_mb(pid),
        stolen_percent: {
            let (all, stolen) = cpu_ticks();
            let all = all.saturating_sub(ticks_start.0);
            100.0 * stolen.saturating_sub(ticks_start.1) as f64 / all.max(1) as f64
        },
        samples,
    }
}
