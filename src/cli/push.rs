//! The `push` command: the store's named graphs to a remote SPARQL store, incrementally.

use super::progress::Bar;
use super::{lock_store, numbers, values, Global, UsageError};
use clap::Args;
use signalgraph::push::{self, AuthMode, CaCerts, Credentials, Protocol, PushOptions, PushReport};
use signalgraph::store::StoreDir;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// The environment variable the password is read from (never a flag: flags show in `ps`).
const PASSWORD_VAR: &str = "SIGNALGRAPH_PASSWORD";

#[derive(Args)]
pub struct PushArgs {
    /// The endpoint that receives the writes: the Graph Store Protocol endpoint
    /// (e.g. Virtuoso's http://127.0.0.1:8890/sparql-graph-crud-auth, Oxigraph's
    /// http://127.0.0.1:7878/store), or with --protocol update the SPARQL Update
    /// endpoint (e.g. http://127.0.0.1:8890/sparql-auth, http://127.0.0.1:7878/update).
    url: String,
    /// gsp: PUT/DELETE ?graph=IRI (SPARQL 1.1 Graph Store Protocol); update: DROP SILENT
    /// GRAPH + INSERT DATA, --batch-size graphs per request (SPARQL 1.1 Update).
    #[arg(long, default_value = "gsp", value_parser = values::named(&Protocol::ALL, Protocol::name))]
    protocol: Protocol,
    /// Resend every graph, whatever the store remembers of the endpoint.
    #[arg(long)]
    full: bool,
    /// Say what would be sent and deleted (one line per graph); send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Send nothing: record every graph of the store as the endpoint holding it, after
    /// the store's own bulk loader read this store's export (`export --format nquads`);
    /// later pushes send only what changes.
    #[arg(long, conflicts_with_all = ["dry_run", "full"])]
    record_only: bool,
    /// Print the outcome as JSON on stdout (graphs_sent, graphs_deleted, graphs_unchanged,
    /// triples_sent, seconds, …).
    #[arg(long)]
    json: bool,
    /// User to authenticate as (HTTP Basic or Digest); the password is read from the
    /// environment variable SIGNALGRAPH_PASSWORD.
    #[arg(long)]
    user: Option<String>,
    /// auto: the scheme the server's challenge asks for (Digest before Basic);
    /// basic: Basic with every request; digest: Digest only.
    #[arg(long, default_value = "auto", value_parser = ["auto", "basic", "digest"])]
    auth: String,
    /// A PEM file of one or more CA certificates to trust for an https URL, besides the
    /// built-in roots (for a server whose certificate a private CA signed).
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 4, value_parser = numbers::count::<usize>(1, 64))]
    concurrency: usize,
    /// Graphs per request with --protocol update, at most.
    #[arg(long, default_value_t = push::protocol::DEFAULT_BATCH_SIZE, value_parser = numbers::count::<usize>(1, 100_000))]
    batch_size: usize,
    /// With --protocol update, a request takes no further graph once it holds this many
    /// triples (Virtuoso 7 slows down on larger updates and refuses about 5000).
    #[arg(long, default_value_t = push::protocol::DEFAULT_BATCH_TRIPLES, value_parser = numbers::count::<u64>(1, 100_000_000))]
    batch_triples: u64,
    /// Seconds one request may take (connect, send, answer).
    #[arg(long, default_value_t = 120.0, value_parser = numbers::float(0.0, 86_400.0, true))]
    timeout: f64,
    /// Times a request is tried again after a connection error, a timeout, 429 or 5xx
    /// (waiting 0.5 s, 1 s, 2 s, …).
    #[arg(long, default_value_t = 3, value_parser = numbers::count::<u32>(0, 20))]
    retries: u32,
}

impl PushArgs {
    fn options(&self) -> anyhow::Result<PushOptions> {
        let credentials = match &self.user {
            None => None,
            Some(user) => {
                let password = std::env::var(PASSWORD_VAR).map_err(|_| {
                    UsageError(format!("--user {user} needs the password in the environment variable {PASSWORD_VAR}"))
                })?;
                let mode = match self.auth.as_str() {
                    "basic" => AuthMode::Basic,
                    "digest" => AuthMode::Digest,
                    _ => AuthMode::Auto,
                };
                Some(Credentials {
                    user: user.clone(),
                    password,
                    mode,
                })
            }
        };
        push::check_url(&self.url).map_err(|e| UsageError(e.to_string()))?;
        let ca_certs = match &self.ca_cert {
            None => None,
            Some(path) => Some(CaCerts::read(path).map_err(UsageError)?),
        };
        Ok(PushOptions {
            url: self.url.clone(),
            protocol: self.protocol,
            full: self.full,
            dry_run: self.dry_run,
            record_only: self.record_only,
            concurrency: self.concurrency,
            batch_size: self.batch_size,
            batch_triples: self.batch_triples,
            timeout: Duration::from_secs_f64(self.timeout),
            retries: self.retries,
            credentials,
            ca_certs,
        })
    }
}

pub fn run(g: &Global, dir: &StoreDir, args: &PushArgs) -> anyhow::Result<ExitCode> {
    let options = args.options()?;
    // The push state is written into the store: one push at a time.
    let _lock = if args.dry_run {
        None
    } else {
        Some(lock_store(g, dir)?)
    };
    let bar = Bar::new(g.quiet);
    let report = push::push(dir, &options, &bar)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else if report.dry_run {
        for (iri, triples) in &report.would_send {
            writeln!(out, "send   {iri} ({triples} triples)")?;
        }
        for iri in &report.would_delete {
            writeln!(out, "delete {iri}")?;
        }
    }
    for f in &report.failures {
        eprintln!("error: {}: {}", f.what, f.message);
    }
    if let Some(why) = &report.stopped {
        eprintln!("error: push stopped: {why}");
    }
    if !g.quiet {
        if args.record_only {
            eprintln!(
                "recorded {} graphs as held by {}; sent nothing",
                report.graphs_unchanged, report.endpoint
            );
        } else {
            eprintln!("{}", summary(&report));
        }
    }
    Ok(if report.complete() || report.dry_run {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn summary(r: &PushReport) -> String {
    let verb = if r.dry_run { "would push" } else { "pushed" };
    let mut line = format!(
        "{verb} {} graphs ({} triples), deleted {}, {} unchanged to {} ({}) in {:.1} s",
        r.graphs_sent,
        r.triples_sent,
        r.graphs_deleted,
        r.graphs_unchanged,
        r.endpoint,
        r.protocol,
        r.seconds
    );
    if !r.dry_run && !r.complete() {
        line.push_str(&format!(
            "; {} graphs not brought up to date (the next push retries them)",
            r.graphs_pending
        ));
    }
    line
}
