//! The `generate` command: a synthetic collection in the seed format.

use super::{numbers, Global, UsageError};
use clap::Args;
use signalgraph::generate::{self, GenerateError, GenerateOptions};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct GenerateArgs {
    /// Number of articles.
    #[arg(long, value_parser = numbers::count::<usize>(1, generate::MAX_ARTICLES as u64))]
    articles: usize,
    /// Random seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Number of planted topic groups (default: grows with the collection).
    #[arg(long, value_parser = numbers::count::<usize>(1, generate::MAX_GROUPS as u64))]
    groups: Option<usize>,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
}

impl From<&GenerateArgs> for GenerateOptions {
    fn from(args: &GenerateArgs) -> GenerateOptions {
        GenerateOptions {
            articles: args.articles,
            seed: args.seed,
            groups: args.groups,
            ..Default::default()
        }
    }
}

pub fn run(g: &Global, args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let summary = generate::generate(&args.into(), &args.out).map_err(|e| match e {
        GenerateError::InvalidOptions(m) => anyhow::Error::new(UsageError(m)),
        e => anyhow::Error::new(e),
    })?;
    if !g.quiet {
        eprintln!(
            "wrote {} articles in {} groups ({} dangling links, {:.1} MB) to {} in {:.2} s",
            summary.articles,
            summary.groups,
            summary.dangling_links,
            summary.bytes as f64 / 1e6,
            args.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
