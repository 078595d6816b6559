//! The `serve` command: the store as a read-only SPARQL endpoint, with its limits.

use super::{numbers, open_store, Global, UsageError};
use clap::Args;
use signalgraph::serve::{self, Options};
use signalgraph::store::StoreDir;
use std::process::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port). Non-loopback addresses expose the store to the network.
    #[arg(long, default_value = "127.0.0.1:7878")]
    bind: String,
    /// Per-query time limit, in seconds (above 0, at most 86400).
    #[arg(long, default_value_t = 30.0, value_parser = numbers::float(0.0, 86_400.0, true))]
    timeout: f64,
    /// Largest answer to a query, in MiB (larger ones get 503).
    #[arg(long, default_value_t = 256, value_parser = numbers::count::<u64>(1, 1 << 20))]
    max_result_size: u64,
    /// Largest POST body, in KiB (larger ones get 413); a GET's query string is
    /// held to the same size and its URL to 64 KiB in any case (longer ones get 414).
    #[arg(long, default_value_t = 1024, value_parser = numbers::count::<u64>(1, 1 << 20))]
    max_body: u64,
    /// Queries evaluated at once; more get 503 with Retry-After.
    #[arg(long, default_value_t = 32, value_parser = numbers::count::<usize>(1, 4096))]
    max_concurrent: usize,
    /// Memory one query may hold, in MiB (0: no limit).
    #[arg(long, default_value_t = 1024, value_parser = numbers::count::<u64>(0, 1 << 24))]
    max_query_memory: u64,
    /// Memory the whole server may hold, in MiB (resident, the store included): past it new
    /// queries get 503 and the longest-running queries are stopped (0: no limit; default:
    /// half of the machine's memory).
    #[arg(long, value_parser = numbers::count::<u64>(0, 1 << 24))]
    max_memory: Option<u64>,
    /// Open connections at once; when all are taken, the one idle the longest is closed
    /// to admit a new one.
    #[arg(long, default_value_t = 1024, value_parser = numbers::count::<usize>(1, 1 << 20))]
    max_connections: usize,
    /// Allow cross-origin requests (CORS) from this origin, e.g. https://yasgui.org, or * for any.
    #[arg(long, value_parser = cors_origin)]
    cors: Option<String>,
    /// Seconds a client may take to send a request (and may stay idle between requests,
    /// or stall while reading a response) before its connection is closed.
    #[arg(long, default_value_t = 10.0, value_parser = numbers::float(0.0, 86_400.0, true))]
    client_timeout: f64,
    /// Milliseconds of CPU time after which a query pauses while younger queries need its core,
    /// so short queries answer quickly under load (0: off; time-slice all queries evenly).
    #[arg(long, default_value_t = 2.0, value_parser = numbers::float(0.0, 60_000.0, false))]
    short_first: f64,
}

/// `*` or an origin: scheme, host and optional port, no path (as browsers send it).
fn cors_origin(s: &str) -> Result<String, String> {
    if s == "*" {
        return Ok(s.to_string());
    }
    let bad = || {
        format!("`{s}` is not an origin: give * or scheme://host[:port] without a path, e.g. https://yasgui.org")
    };
    let uri: hyper::Uri = s.parse().map_err(|_| bad())?;
    // The parser gives an origin the path `/`; a real path, query or `/` is refused.
    let ok = uri.scheme().is_some()
        && uri
            .authority()
            .is_some_and(|a| !a.host().is_empty() && !a.as_str().contains('@'))
        && uri.path_and_query().is_none_or(|p| p.as_str() == "/")
        && !s.ends_with('/')
        && hyper::header::HeaderValue::from_str(s).is_ok();
    ok.then(|| s.to_string()).ok_or_else(bad)
}

impl ServeArgs {
    /// The endpoint's options (`log_requests`: a line per request on stderr).
    fn options(&self, log_requests: bool) -> anyhow::Result<Options> {
        use std::net::ToSocketAddrs;
        let bind = self
            .bind
            .to_socket_addrs()
            .ok()
            .and_then(|mut addrs| addrs.next())
            .ok_or_else(|| {
                UsageError(format!(
                    "--bind {}: not an address and port like 127.0.0.1:7878",
                    self.bind
                ))
            })?;
        let mib = |n: u64| usize::try_from(n.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        Ok(Options {
            bind,
            timeout: std::time::Duration::from_secs_f64(self.timeout),
            max_result_bytes: mib(self.max_result_size),
            max_body_bytes: usize::try_from(self.max_body.saturating_mul(1 << 10))
                .unwrap_or(usize::MAX),
            max_concurrent: self.max_concurrent,
            max_query_memory: (self.max_query_memory > 0).then(|| mib(self.max_query_memory)),
            max_memory: match self.max_memory {
                Some(0) => None,
                Some(n) => Some(mib(n)),
                None => serve::default_max_memory(),
            },
            max_connections: self.max_connections,
            cors: self.cors.clone(),
            log_requests,
            io_timeout: std::time::Duration::from_secs_f64(self.client_timeout),
            short_first: (self.short_first > 0.0)
                .then(|| std::time::Duration::from_secs_f64(self.short_first / 1e3)),
            ..Default::default()
        })
    }
}

pub fn run(g: &Global, dir: &StoreDir, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let options = args.options(!g.quiet)?;
    let (rdf, iris) = open_store(g, dir)?;
    let dataset = std::sync::Arc::new(rdf);
    let triples = dataset.len();
    let endpoint = serve::Endpoint {
        dataset: std::sync::Arc::clone(&dataset),
        store_dir: dir.path().to_path_buf(),
        base: iris.base().to_string(),
    };
    let quiet = g.quiet;
    let summary = serve::run(endpoint, options, |addr| {
        if quiet {
            return;
        }
        if !addr.ip().is_loopback() {
            eprintln!(
                "warning: listening on {addr}, which other machines may reach: the endpoint has no authentication"
            );
        }
        eprintln!(
            "listening on http://{addr}/ (SPARQL endpoint http://{addr}/sparql; store {}: {triples} triples); Ctrl+C stops",
            dir.path().display()
        );
    })
    .map_err(|e| match e {
        e @ serve::ServeError::OverBudget { .. } => {
            anyhow::Error::new(UsageError(e.to_string()))
        }
        e => anyhow::Error::new(e),
    })?;
    if !g.quiet {
        let paused = if summary.pauses > 0 {
            format!(
                "; long queries paused {} time(s) for shorter ones",
                summary.pauses
            )
        } else {
            String::new()
        };
        let memory = if summary.memory_stops > 0 {
            format!(
                "; {} query(ies) stopped for --max-memory",
                summary.memory_stops
            )
        } else {
            String::new()
        };
        let evicted = if summary.evicted > 0 {
            format!(
                "; {} idle connection(s) closed for --max-connections",
                summary.evicted
            )
        } else {
            String::new()
        };
        eprintln!(
            "stopped after {} request(s){paused}{memory}{evicted}{}",
            summary.requests,
            if summary.forced {
                "; requests still running were cut off"
            } else {
                ""
            }
        );
    }
    // Freeing millions of terms one by one only delays the exit.
    std::mem::forget(dataset);
    Ok(ExitCode::SUCCESS)
}
