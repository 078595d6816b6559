//! The `stats` command: what the store holds, as a table or JSON.

use clap::Args;
use signalgraph::store::{self, StoreDir};
use std::io::Write;
use std::process::ExitCode;

#[derive(Args)]
pub struct StatsArgs {
    /// JSON with stable keys (see README.md).
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &StoreDir, args: &StatsArgs) -> anyhow::Result<ExitCode> {
    let stats = store::stats(dir)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &stats)?;
        writeln!(out)?;
    } else {
        print_stats(&mut out, &stats)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_stats(out: &mut impl Write, s: &signalgraph::model::Stats) -> std::io::Result<()> {
    let l = &s.closest_links;
    let rows: Vec<(&str, String)> = vec![
        (
            "articles",
            format!("{} read, {} stub", s.articles.read, s.articles.stub),
        ),
        ("signals", s.signals.to_string()),
        ("themes", s.themes.to_string()),
        ("keywords", s.keywords.to_string()),
        ("driving forces", s.driving_forces.to_string()),
        ("sources", s.sources.to_string()),
        ("digests", s.digests.to_string()),
        (
            "closest links",
            format!(
                "{} ({} resolved: {} by id, {} by title; {} unresolved)",
                l.total, l.resolved, l.resolved_by_id, l.resolved_by_title, l.unresolved
            ),
        ),
        ("triples", format!("{} in {} graphs", s.triples, s.graphs)),
        (
            "dates",
            match (&s.dates.first, &s.dates.last) {
                (Some(a), Some(b)) => format!("{a} .. {b} ({} undated)", s.dates.undated_articles),
                _ => format!("none ({} undated)", s.dates.undated_articles),
            },
        ),
    ];
    for (name, value) in rows {
        writeln!(out, "{name:<15} {value}")?;
    }
    Ok(())
}
