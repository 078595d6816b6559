//! The `export` command: the store as RDF, GraphML, GEXF, a Neo4j import
//! folder or CSV, and the `wrote …` line of each file (shared with `run`).

use super::progress::Bar;
use super::{values, Global, UsageError};
use anyhow::Context;
use clap::Args;
use signalgraph::export::{self, ExportOptions, Format};
use signalgraph::graph::Projection;
use signalgraph::store::{self, StoreDir};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct ExportArgs {
    /// turtle, ntriples, nquads, trig, rdfxml, jsonld, graphml, gexf, neo4j
    /// (a folder) or csv (a folder); default: from the extension of --out
    /// (a final .gz is skipped: graph.nq.gz is compressed N-Quads).
    #[arg(long, conflicts_with = "all", value_parser = values::named(&Format::ALL, Format::name))]
    format: Option<Format>,
    /// Write every format into the folder --out (graph.ttl, …, graph.gexf, neo4j/, csv/).
    #[arg(long)]
    all: bool,
    /// The file to write (or the folder, with --all, neo4j and csv).
    #[arg(long)]
    out: PathBuf,
    /// The projection to export: articles, concepts or full (RDF: its nodes
    /// and their facts; default: the whole store for RDF, articles for
    /// GraphML, GEXF and CSV, full for Neo4j).
    #[arg(long, value_parser = values::named(&Projection::ALL, Projection::name))]
    projection: Option<Projection>,
    /// Skip the layout (GraphML, GEXF and CSV without positions).
    #[arg(long)]
    no_layout: bool,
    /// gzip the RDF files and the CSV files of neo4j and csv (`.gz` added to
    /// the names); implied by an --out ending in .gz.
    #[arg(long)]
    compress: bool,
    /// Write N-Quads or N-Triples in chunks of at most SIZE (uncompressed:
    /// 100MB, 1GB, 512MiB or bytes), NAME.part-0001.nq and so on, each a
    /// valid file for bulk loaders that read files in parallel.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    split_size: Option<u64>,
}

/// A size in bytes: a number with an optional unit, decimal (kB, MB, GB,
/// TB) or binary (KiB, MiB, GiB, TiB); at least one byte.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a size: give a number and a unit, like 100MB or 1GB"))?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown unit `{other}`: use B, kB, MB, GB, TB, KiB, MiB, GiB or TiB"
            ))
        }
    };
    let bytes = (number * scale).round();
    if bytes.is_finite() && (1.0..=1e18).contains(&bytes) {
        Ok(bytes as u64)
    } else {
        Err(format!("`{s}` is out of range: give at least one byte"))
    }
}

impl ExportArgs {
    /// Each format to write with its file (or folder); `--all` creates its folder.
    fn targets(&self) -> anyhow::Result<Vec<(Format, PathBuf)>> {
        if self.all {
            std::fs::create_dir_all(&self.out)
                .with_context(|| format!("cannot create {}", self.out.display()))?;
            return Ok(Format::ALL
                .into_iter()
                .map(|f| (f, self.out.join(f.file_name())))
                .collect());
        }
        let format = match self.format {
            Some(format) => format,
            None => Format::from_path(&self.out).ok_or_else(|| {
                UsageError(format!(
                    "cannot tell the format from `{}`: add --format or use an extension like .ttl, .nt, .nq, .trig, .rdf, .jsonld, .graphml, .gexf",
                    self.out.display()
                ))
            })?,
        };
        if self.split_size.is_some() && !format.is_line_based() {
            return Err(UsageError(format!(
                "--split-size writes N-Quads or N-Triples, not {}",
                format.name()
            ))
            .into());
        }
        if self.compress && !format.compresses() {
            return Err(UsageError(format!(
                "--compress compresses RDF, neo4j and csv, not {}",
                format.name()
            ))
            .into());
        }
        Ok(vec![(format, self.out.clone())])
    }

    fn options(&self) -> ExportOptions {
        ExportOptions {
            projection: self.projection,
            no_layout: self.no_layout,
            compress: self.compress
                || (!self.all && signalgraph::export::output::has_gz_extension(&self.out)),
            split_size: self.split_size,
            ..Default::default()
        }
    }

    /// The folder an export writes its temporary files into.
    fn folder(&self) -> &Path {
        if self.all || self.out.is_dir() {
            self.out.as_path()
        } else {
            self.out
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        }
    }
}

pub fn run(g: &Global, dir: &StoreDir, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let targets = args.targets()?;
    // Temporary files of an export that was killed.
    store::remove_stale_temps(args.folder(), 2);
    let started = Instant::now();
    let written = export::export(dir, &targets, &args.options(), &Bar::new(g.quiet))?;
    if !g.quiet {
        for w in &written {
            print_written(w, g.verbose);
        }
    }
    if g.verbose {
        eprintln!("export took {:.2} s", started.elapsed().as_secs_f64());
    }
    Ok(ExitCode::SUCCESS)
}

/// `wrote PATH (media type, counts, size) in T s`.
pub fn print_written(w: &export::Written, verbose: bool) {
    let what = match w.edges {
        None => format!("{} statements", w.items),
        Some(edges) => format!("{} nodes, {edges} edges", w.items),
    };
    let merged = if w.merged > 0 {
        format!("; {} parallel edges merged, weights summed", w.merged)
    } else {
        String::new()
    };
    let prepared = if verbose && w.prepare_seconds > 0.0 {
        format!(" (+ {:.2} s to prepare the projection)", w.prepare_seconds)
    } else {
        String::new()
    };
    eprintln!(
        "wrote {} ({}, {what}{merged}, {:.1} MB) in {:.2} s{prepared}",
        w.path.display(),
        w.format.media_type(),
        w.bytes as f64 / 1e6,
        w.seconds
    );
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_decimal_and_binary_units() {
        assert_eq!(parse_size("100MB"), Ok(100_000_000));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("1.5 kB"), Ok(1_500));
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("4096"), Ok(4096));
        for bad in ["", "MB", "0", "-1GB", "12 parsecs", "1e30GB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
