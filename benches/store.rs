//! Build and open benchmark: `signalgraph` against oxigraph's own bulk loader, in one run.
//!
//! ```text
//! cargo bench --bench store -- [SIZES...]      # default: 1000 10000 100000
//! ```
//!
//! For each size it generates a collection (cached under
//! `$HOME/.cache/signalgraph-bench`), then runs the release binary as a child
//! process and records wall time and peak memory (`wait4` rusage) of:
//! a full build into a new store; a rebuild with nothing changed; `query`
//! with a GROUP BY (open + answer; the open time alone from `-v`); and, as the
//! peer, this benchmark re-run as a child that bulk-loads an N-Quads dump of
//! the same store with oxigraph's `BulkLoader` and answers the same query.
//! It prints a Markdown table for BENCHMARKS.md.

#![allow(unsafe_code)] // wait4 through libc for the child's peak memory

use oxigraph::io::RdfFormat;
use oxigraph::sparql::{QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const QUERY: &str = "PREFIX sg: <https://w3id.org/signalgraph/ontology#> \
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#> \
    SELECT ?theme (COUNT(?a) AS ?n) WHERE { ?a sg:hasTheme ?t . ?t skos:prefLabel ?theme } \
    GROUP BY ?theme ORDER BY DESC(?n) LIMIT 5";

/// Wall seconds and peak resident memory (MB) of one child process.
struct Run {
    secs: f64,
    peak_mb: f64,
    stderr: String,
}

// The child is reaped by `wait4`, which also gives its own peak memory.
#[allow(clippy::zombie_processes)]
fn run(cmd: &mut Command) -> Run {
    let started = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    // Read stderr on a thread so the child never blocks on a full pipe.
    let mut err = child.stderr.expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = started.elapsed().as_secs_f64();
    let stderr = reader.join().unwrap_or_default();
    assert!(
        waited == pid && libc::WIFEXITED(status),
        "child failed: {stderr}"
    );
    let code = libc::WEXITSTATUS(status);
    assert!(code == 0, "child exited {code}: {stderr}");
    Run {
        secs,
        peak_mb: usage.ru_maxrss as f64 / 1024.0,
        stderr,
    }
}

fn signalgraph() -> Command {
    Command::new(env!("CARGO_BIN_EXE_signalgraph"))
}

/// The peer, run as a child of this benchmark: oxigraph's bulk loader on an N-Quads file, then the query.
fn peer_main(nquads: &Path) {
    let started = Instant::now();
    let store = Store::new().expect("store");
    let mut loader = store.bulk_loader();
    let file = std::fs::File::open(nquads).expect("open dump");
    loader
        .load_from_reader(RdfFormat::NQuads, std::io::BufReader::new(file))
        .expect("load");
    loader.commit().expect("commit");
    let loaded = started.elapsed().as_secs_f64();
    let mut query = SparqlEvaluator::new().parse_query(QUERY).expect("query");
    query.dataset_mut().set_default_graph_as_union();
    let results = query.on_store(&store).execute().expect("execute");
    if let QueryResults::Solutions(s) = results {
        assert!(s.count() > 0);
    }
    eprintln!("loaded {} quads in {loaded:.3} s", store.len().unwrap_or(0));
}

fn cache_dir() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache/signalgraph-bench")
}

fn seconds_after(text: &str, marker: &str) -> f64 {
    text.split(marker)
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(f64::NAN)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--peer-load") {
        peer_main(Path::new(&args[1]));
        return;
    }
    let sizes: Vec<usize> = if args.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        args.iter().filter_map(|a| a.parse().ok()).collect()
    };
    let root = cache_dir();
    std::fs::create_dir_all(&root).expect("cache dir");
    println!("| articles | triples | full build | articles/s | build peak | no-change rebuild | open + GROUP BY | open | query peak | oxigraph bulk load (N-Quads) + GROUP BY | oxigraph load | oxigraph peak | open / oxigraph load |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let seeds = root.join(format!("gen-{n}"));
        if !seeds.join("truth.json").exists() {
            run(signalgraph()
                .args([
                    "generate",
                    "--articles",
                    &n.to_string(),
                    "--seed",
                    "42",
                    "--out",
                ])
                .arg(&seeds));
        }
        let store = root.join(format!("store-{n}"));
        let _ = std::fs::remove_dir_all(&store);
        let build = run(signalgraph()
            .arg("--store")
            .arg(&store)
            .args(["build", "-q"])
            .arg(&seeds));
        let rebuild = run(signalgraph()
            .arg("--store")
            .arg(&store)
            .args(["build", "-q"])
            .arg(&seeds));
        let query = run(signalgraph()
            .arg("--store")
            .arg(&store)
            .args(["query", "-v", QUERY]));
        let open = seconds_after(&query.stderr, " in ");

        // The same dataset as N-Quads, for the peer.
        let dump = root.join(format!("store-{n}.nq"));
        {
            let dir = signalgraph::store::StoreDir::new(&store);
            let (c, iris) = signalgraph::build::load_collection(&dir).expect("load");
            let rdf =
                signalgraph::store::open_rdf(&dir, &c, &iris, &signalgraph::progress::NoProgress)
                    .expect("open");
            let mut out = std::io::BufWriter::new(std::fs::File::create(&dump).expect("dump"));
            signalgraph::store::write_sorted_nquads(&rdf, &mut out).expect("dump");
        }
        let me = std::env::current_exe().expect("current exe");
        let peer = run(Command::new(me).arg("--peer-load").arg(&dump));
        let peer_load = seconds_after(&peer.stderr, " quads in ");
        let _ = std::fs::remove_file(&dump);
        let stats =
            signalgraph::store::stats(&signalgraph::store::StoreDir::new(&store)).expect("stats");
        println!(
            "| {n} | {} | {:.2} s | {:.0} | {:.0} MB | {:.2} s | {:.2} s | {:.2} s | {:.0} MB | {:.2} s | {:.2} s | {:.0} MB | {:.2} |",
            stats.triples,
            build.secs,
            n as f64 / build.secs,
            build.peak_mb,
            rebuild.secs,
            query.secs,
            open,
            query.peak_mb,
            peer.secs,
            peer_load,
            peer.peak_mb,
            open / peer_load,
        );
    }
}
