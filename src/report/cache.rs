//! The report kept in the store: the model in `report-cache.json` (sealed with the BLAKE3 hash of its JSON, keyed by the store's files) and the sealed HTML copy `serve` shows.

use super::{build, compute, html, layout, Inputs, Report, ReportError, Timings, FORMAT};
use crate::analyze::stored::{self, StoredAnalysis};
use crate::graph::{ProjectedGraph, Projection, ProjectionOptions};
use crate::model::Collection;
use crate::progress::Progress;
use crate::store::{Iris, StoreDir, StoreError};
use crate::trends::history::History;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::path::PathBuf;

/// The HTML report kept in the store, which `signalgraph serve` shows.
pub fn store_copy(dir: &StoreDir) -> PathBuf {
    dir.path().join("report.html")
}

/// The last line of the store's HTML report: an HTML comment with the BLAKE3
/// hash of everything before it, so a damaged copy is never shown.
const COPY_SEAL: &str = "<!-- signalgraph blake3=";

/// Writes the store's HTML report ([`store_copy`]) with its seal line; the
/// path and size written.
pub fn save_store_copy(dir: &StoreDir, report: &Report) -> Result<(PathBuf, u64), ReportError> {
    let path = store_copy(dir);
    let mut html = Vec::new();
    html::write(report, &mut html).map_err(|e| StoreError::io(&path, e))?;
    crate::export::write_output(&path, |w| {
        w.write_all(&html)?;
        writeln!(w, "{COPY_SEAL}{} -->", blake3::hash(&html).to_hex())
    })?;
    let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
    Ok((path, bytes))
}

/// Reads the store's HTML report and checks its seal: `NotFound` when there
/// is none, `InvalidData` (naming the file and the command that writes it
/// again) when it is damaged.
pub fn read_store_copy(dir: &StoreDir) -> io::Result<Vec<u8>> {
    let path = store_copy(dir);
    let mut bytes = std::fs::read(&path)?;
    let body_end = bytes[..bytes.len().saturating_sub(1)]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let sealed = std::str::from_utf8(&bytes[body_end..])
        .ok()
        .and_then(|line| {
            line.trim_end()
                .strip_prefix(COPY_SEAL)?
                .strip_suffix(" -->")
        })
        .is_some_and(|hash| blake3::hash(&bytes[..body_end]).to_hex().as_str() == hash);
    if !sealed {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} is damaged (its checksum does not match); run `signalgraph report` to write it again",
                path.display()
            ),
        ));
    }
    bytes.truncate(body_end);
    Ok(bytes)
}

/// Bumped when the model gains content an older saved model lacks (2:
/// cluster briefs, scored weak signals), so such a model is computed again.
const MODEL_REVISION: u32 = 2;

/// What a saved report model was computed from: the size and modification
/// time of the store's collection and analysis files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Fingerprint {
    format: String,
    version: String,
    files: Vec<(String, u64, i128)>,
}

impl Fingerprint {
    fn of(dir: &StoreDir) -> Fingerprint {
        let collection = dir.path().join("collection.sgs");
        let files = [
            collection,
            dir.graph_file("analysis-articles"),
            dir.graph_file("analysis-full"),
            crate::trends::track::state_path(dir),
        ]
        .iter()
        .filter_map(|path| {
            let (size, modified) = stored::file_stamp(path)?;
            let name = path.file_name()?.to_string_lossy().into_owned();
            Some((name, size, modified))
        })
        .collect();
        Fingerprint {
            format: format!("{FORMAT} model {MODEL_REVISION}"),
            version: env!("CARGO_PKG_VERSION").to_string(),
            files,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Cache {
    inputs: Fingerprint,
    report: Report,
}

/// Where the report model is kept between runs.
pub fn cache_path(dir: &StoreDir) -> PathBuf {
    dir.path().join("report-cache.json")
}

/// The first line of `report-cache.json`, before the BLAKE3 hash of the JSON below it.
const CACHE_SEAL: &str = "signalgraph-cache blake3=";

/// Saves `report` as the model of the store's current files, for
/// [`load_or_compute`]. Call it after the analyses are written. The file is
/// a line with the checksum of the JSON, then the JSON.
pub fn save_cache(dir: &StoreDir, report: &Report) -> Result<(), ReportError> {
    let cache = Cache {
        inputs: Fingerprint::of(dir),
        report: report.clone(),
    };
    let path = cache_path(dir);
    let json = serde_json::to_vec(&cache).map_err(|e| StoreError::Io {
        path: path.clone(),
        source: std::io::Error::other(e),
    })?;
    crate::store::write_atomically(&path, |w| {
        writeln!(w, "{CACHE_SEAL}{}", blake3::hash(&json).to_hex())?;
        w.write_all(&json)
    })?;
    Ok(())
}

/// Why a saved model was not used.
#[derive(Debug, PartialEq, Eq)]
pub enum CacheMiss {
    /// No saved model, or one of other files or another version: computed again quietly.
    Stale,
    /// The file fails its checksum (the reason): worth a warning.
    Damaged(String),
}

/// The saved model, if it was computed from the store's current files and
/// passes its checksum.
pub fn cached(dir: &StoreDir) -> Result<Report, CacheMiss> {
    let bytes = std::fs::read(cache_path(dir)).map_err(|_| CacheMiss::Stale)?;
    let Some(rest) = bytes.strip_prefix(CACHE_SEAL.as_bytes()) else {
        // A model saved before models had checksums.
        return Err(CacheMiss::Stale);
    };
    let damaged = |why: &str| {
        CacheMiss::Damaged(format!(
            "{}: damaged ({why}); the report model is computed again",
            cache_path(dir).display()
        ))
    };
    let newline = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| damaged("no checksum line"))?;
    let (hash, json) = (&rest[..newline], &rest[newline + 1..]);
    if blake3::hash(json).to_hex().as_bytes() != hash {
        return Err(damaged("checksum mismatch"));
    }
    let cache: Cache = serde_json::from_slice(json).map_err(|_| CacheMiss::Stale)?;
    if cache.inputs == Fingerprint::of(dir) {
        Ok(cache.report)
    } else {
        Err(CacheMiss::Stale)
    }
}

/// The report of the store: the saved model when its files are unchanged,
/// else computed (and saved, when the store can be written), with the
/// timings of [`compute`] (`None` when the saved model was used). A saved
/// model that fails its checksum is computed again, and `warn` is told.
pub fn load_or_compute(
    dir: &StoreDir,
    progress: &dyn Progress,
    warn: &mut dyn FnMut(&str),
) -> Result<(Report, Option<Timings>), ReportError> {
    dir.read_header()?;
    match cached(dir) {
        Ok(report) => return Ok((report, None)),
        Err(CacheMiss::Damaged(why)) => warn(&why),
        Err(CacheMiss::Stale) => {}
    }
    let (report, timings) = compute(dir, progress)?;
    // A read-only store still gets its report, just not faster next time.
    let _ = save_cache(dir, &report);
    Ok((report, Some(timings)))
}

/// What [`refresh`] did with the saved model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// The model was rebuilt and saved, and the store's HTML copy rewritten.
    Saved,
    /// The analysis is not one the report reads (a concepts analysis): the
    /// saved model stays as it was.
    NotNeeded,
    /// The model could not be rebuilt from what is at hand (the reason);
    /// `report` computes it from the store.
    Skipped(String),
}

/// Rebuilds and saves the report model right after `analyze` wrote the
/// analysis of `graph`'s projection, from what the caller has in memory
/// (the collection, the projection, its analysis and, after the articles
/// projection, the trends it followed; `None` reads them from the store) and
/// the sidecar of the other projection ([`stored::load_sidecar`]), so that the next `report`
/// reuses it instead of reading the store. Gives the same model
/// [`compute`] would. The store's HTML copy ([`store_copy`], what `serve`
/// shows at `/report`) is rewritten from it too, when there is one.
pub fn refresh(
    dir: &StoreDir,
    collection: &Collection,
    iris: &Iris,
    graph: &ProjectedGraph,
    analysis: &StoredAnalysis,
    history: Option<&History>,
) -> Result<Refresh, ReportError> {
    let skipped = |why: &str| Ok(Refresh::Skipped(why.to_string()));
    // The other projection the report reads, from its sidecar.
    let other = |projection: Projection, options: &ProjectionOptions| {
        let graph = ProjectedGraph::build(collection, projection, options);
        stored::load_sidecar(dir, &graph).map(|a| (graph, a))
    };
    let loaded;
    let ((articles, article_analysis), full) = match graph.projection {
        Projection::Concepts => return Ok(Refresh::NotNeeded),
        Projection::Articles if dir.graph_file("analysis-full").exists() => {
            match other(Projection::Full, &ProjectionOptions::default()) {
                Some(found) => loaded = found,
                None => return skipped("the full projection's analysis has no current sidecar"),
            }
            ((graph, analysis), Some((&loaded.0, &loaded.1)))
        }
        Projection::Articles => ((graph, analysis), None),
        Projection::Full => {
            if !dir.graph_file("analysis-articles").exists() {
                return skipped("the articles projection is not analysed yet");
            }
            let found = stored::sidecar_options(dir, Projection::Articles)
                .and_then(|options| other(Projection::Articles, &options));
            match found {
                Some(found) => loaded = found,
                None => {
                    return skipped("the articles projection's analysis has no current sidecar")
                }
            }
            ((&loaded.0, &loaded.1), Some((graph, analysis)))
        }
    };
    let positions = layout::map_positions(articles, article_analysis);
    let read;
    let history = match history {
        Some(history) => Some(history),
        None => {
            read = super::read_history(dir, collection);
            read.as_ref()
        }
    };
    let report = build(&Inputs {
        collection,
        iris,
        articles,
        article_analysis,
        full,
        positions: &positions,
        history,
        basis: super::Basis::LastScan,
    });
    save_cache(dir, &report)?;
    if store_copy(dir).exists() {
        save_store_copy(dir, &report)?;
    }
    Ok(Refresh::Saved)
}
