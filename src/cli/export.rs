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
    /// (a folder) or csv (a folder); default: from the extension of --out.
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
        Ok(vec![(format, self.out.clone())])
    }

    fn options(&self) -> ExportOptions {
        ExportOptions {
            projection: self.projection,
            no_layout: self.no_layout,
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
