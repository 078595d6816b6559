//! The `build` command, and the diagnostics, summary and exit status a build
//! prints (shared with `run`).

use super::progress::Bar;
use super::{lock_store, Global, UsageError, EXIT_SKIPPED, EXIT_USAGE};
use clap::Args;
use signalgraph::build::{self, BuildError, BuildOptions, BuildReport};
use signalgraph::seed::Severity;
use signalgraph::store::{self, StoreDir};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct BuildArgs {
    /// Seed files and folders (folders are read recursively: *.txt and *.md).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Base IRI data is minted under (kept in the store once set).
    #[arg(long)]
    base_iri: Option<String>,
    /// Treat warnings as errors; save nothing if any occur.
    #[arg(long)]
    strict: bool,
    /// Remove saved articles whose files are gone from the given folders.
    #[arg(long)]
    prune: bool,
    #[command(flatten)]
    align: AlignArgs,
}

/// How concepts are aligned (shared by `build` and `run`).
#[derive(Args)]
pub struct AlignArgs {
    /// Turn the automatic concept alignment off (spelling, plural and
    /// abbreviation merges); a vocabulary still applies.
    #[arg(long)]
    no_align: bool,
    /// A SKOS vocabulary (Turtle) whose labels, exactMatch and broader decide
    /// merges and add a hierarchy; kept in the store once given.
    #[arg(long, value_name = "FILE.ttl")]
    vocabulary: Option<PathBuf>,
}

impl AlignArgs {
    /// Sets the alignment options of a build.
    pub fn apply(&self, options: &mut BuildOptions) {
        options.no_align = self.no_align;
        options.vocabulary = self.vocabulary.clone();
    }
}

impl From<&BuildArgs> for BuildOptions {
    fn from(args: &BuildArgs) -> BuildOptions {
        let mut options = BuildOptions {
            paths: args.paths.clone(),
            base_iri: args.base_iri.clone(),
            strict: args.strict,
            prune: args.prune,
            ..BuildOptions::default()
        };
        args.align.apply(&mut options);
        options
    }
}

pub fn run(g: &Global, dir: &StoreDir, args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let _lock = lock_store(g, dir)?;
    let started = Instant::now();
    let bar = Bar::new(g.quiet);
    match build::build(dir, &args.into(), &bar) {
        Ok(report) => {
            print_diagnostics(g, &report, false);
            if !g.quiet {
                print_build_summary(dir, &report, started.elapsed().as_secs_f64());
            }
            Ok(build_status(&report))
        }
        Err(e) => build_failure(g, e),
    }
}

/// 3 when some files were skipped, else 0.
pub fn build_status(report: &BuildReport) -> ExitCode {
    if report.skipped > 0 {
        ExitCode::from(EXIT_SKIPPED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints why a build saved nothing and gives its exit status.
pub fn build_failure(g: &Global, e: BuildError) -> anyhow::Result<ExitCode> {
    match e {
        BuildError::Strict {
            errors,
            warnings,
            report,
        } => {
            print_diagnostics(g, &report, true);
            eprintln!(
                "error: --strict: {errors} error(s) and {warnings} warning(s); nothing was saved"
            );
            Ok(ExitCode::from(EXIT_USAGE))
        }
        BuildError::NothingToSave { reason, report } => {
            print_diagnostics(g, &report, false);
            eprintln!("error: nothing to save: {reason}");
            Ok(ExitCode::from(EXIT_USAGE))
        }
        BuildError::Usage(m) => Err(UsageError(m).into()),
        e => Err(e.into()),
    }
}

/// Errors always; warnings unless `-q` (as errors under `--strict`); notes with `-v`.
pub fn print_diagnostics(g: &Global, report: &BuildReport, strict: bool) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for d in &report.diagnostics {
        let show = match d.severity {
            Severity::Error => true,
            Severity::Warning => strict || !g.quiet,
            Severity::Note => g.verbose,
        };
        if !show {
            continue;
        }
        if strict && d.severity == Severity::Warning {
            let _ = writeln!(err, "error: {}:{}: {}", d.file, d.line, d.message);
        } else {
            let _ = writeln!(err, "{d}");
        }
    }
}

pub fn print_build_summary(dir: &StoreDir, r: &BuildReport, seconds: f64) {
    // The whole store's triples, the ontology and analysis graphs included.
    let triples = store::stats(dir).map_or(r.stats.triples, |s| s.triples);
    let s = &r.stats;
    let mut parts = vec![
        format!("{} read", r.read),
        format!("{} unchanged", r.reused),
    ];
    if r.skipped > 0 {
        parts.push(format!("{} skipped", r.skipped));
    }
    if r.pruned > 0 {
        parts.push(format!("{} pruned", r.pruned));
    }
    if r.kept > 0 {
        parts.push(format!("{} kept from the store", r.kept));
    }
    eprintln!(
        "{} {}: {} articles ({}), {} stubs, {} signals, {} concepts, {} triples in {:.2} s",
        if r.saved { "saved" } else { "up to date" },
        dir.path().display(),
        s.articles.read,
        parts.join(", "),
        s.articles.stub,
        s.signals,
        s.themes + s.keywords + s.driving_forces,
        triples,
        seconds
    );
    if r.gone > 0 {
        eprintln!(
            "note: {} saved article(s) whose files are gone were kept; rebuild with --prune to remove them",
            r.gone
        );
    }
}
