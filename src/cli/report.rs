//! The `report` command: the trend-cluster report of the store as HTML, Markdown or JSON.

use super::progress::Bar;
use super::{values, Global, UsageError};
use clap::Args;
use signalgraph::report::{self, Basis, ReportError, ReportFormat};
use signalgraph::seed::Date;
use signalgraph::store::StoreDir;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct ReportArgs {
    /// html, md or json (default: from the extension of --out, else html).
    #[arg(long, value_parser = values::named(&ReportFormat::ALL, ReportFormat::extension))]
    format: Option<ReportFormat>,
    /// The file to write, or `-` for standard output.
    #[arg(long)]
    out: PathBuf,
    /// Open with what changed for the articles dated after this date
    /// (YYYY-MM-DD) instead of since the previous scan. The report is
    /// computed afresh and the store's copy is left as it is.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = since_date)]
    since: Option<Date>,
}

/// A `YYYY-MM-DD` date for `--since`.
fn since_date(s: &str) -> Result<Date, String> {
    let digits = s.replace('-', "");
    (s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-')
        .then(|| Date::from_yyyymmdd(&digits))
        .flatten()
        .ok_or_else(|| format!("`{s}`: give a date as YYYY-MM-DD"))
}

impl ReportArgs {
    /// `--format`, else the extension of `--out`, else HTML.
    fn format(&self) -> ReportFormat {
        self.format
            .or_else(|| ReportFormat::from_path(&self.out))
            .unwrap_or(ReportFormat::Html)
    }
}

/// A missing store or analysis is a usage error (exit 2), not a failure.
pub fn report_error(e: ReportError) -> anyhow::Error {
    match e {
        ReportError::Store(e) => anyhow::Error::new(e),
        ReportError::NoAnalysis(_) => anyhow::Error::new(UsageError(e.to_string())),
    }
}

pub fn run(g: &Global, dir: &StoreDir, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let to_stdout = args.out == Path::new("-");
    let format = args.format();
    // The report writes its model and report.html into the store; a store
    // that cannot be locked (read-only) still gets its report.
    let _lock = dir.exists().then(|| super::lock_store(g, dir).ok());
    let (model, timings) = match args.since {
        Some(date) => {
            dir.read_header().map_err(|e| report_error(e.into()))?;
            let (model, timings) = report::compute_with(dir, Basis::Date(date), &Bar::new(g.quiet))
                .map_err(report_error)?;
            (model, Some(timings))
        }
        None => report::load_or_compute(dir, &Bar::new(g.quiet), &mut |w| {
            if !g.quiet {
                eprintln!("warning: {w}");
            }
        })
        .map_err(report_error)?,
    };
    let mut written: Vec<(PathBuf, u64)> = Vec::new();
    if to_stdout {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        report::write(&model, format, &mut out)?;
        out.flush()?;
    } else {
        let bytes = report::write_file(&model, format, &args.out).map_err(report_error)?;
        written.push((args.out.clone(), bytes));
    }
    // The store keeps the latest HTML report for `signalgraph serve`.
    if format == ReportFormat::Html && args.since.is_none() && args.out != report::store_copy(dir) {
        written.push(report::save_store_copy(dir, &model).map_err(report_error)?);
    }
    if !g.quiet {
        let files: Vec<String> = written
            .iter()
            .map(|(path, bytes)| format!("{} ({:.1} MB)", path.display(), *bytes as f64 / 1e6))
            .collect();
        let what = if files.is_empty() {
            "to standard output".to_string()
        } else {
            files.join(" and ")
        };
        eprintln!(
            "wrote {what}: {} report of {} clusters, {} articles, {} weak signals in {:.2} s ({})",
            format.extension(),
            model.analysis.clusters,
            model.collection.articles,
            model.weak_signals.len(),
            started.elapsed().as_secs_f64(),
            if timings.is_some() {
                "computed from the store"
            } else {
                "saved model reused"
            }
        );
    }
    if g.verbose {
        for (step, seconds) in timings.iter().flatten() {
            eprintln!("{step}: {seconds:.3} s");
        }
    }
    Ok(ExitCode::SUCCESS)
}
