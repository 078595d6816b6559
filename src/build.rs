//! Incremental build: seed files in, a saved store out.
//!
//! [`build`] finds the seed files under the given paths, reuses the saved
//! article of every file whose size and modification time (or, failing that,
//! content hash) did not change, reads the others in parallel, merges
//! everything into a [`Collection`] and saves the store atomically. Files that
//! are gone are dropped with `prune`; files that cannot be read are skipped
//! with an error diagnostic and the rest is saved.

use crate::model::{Collection, Input, SeedFile};
pub use crate::progress::{NoProgress, Progress};
use crate::seed::{self, Diagnostic, Severity};
use crate::store::{self, Entry, Header, Iris, Modified, StoreDir, StoreError};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

/// What to build.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Files and folders to read.
    pub paths: Vec<PathBuf>,
    /// The base IRI; `None` keeps the saved one (or the default for a new store).
    pub base_iri: Option<String>,
    /// Warnings count as errors, and nothing is saved if any occur.
    pub strict: bool,
    /// Drop saved articles whose files are gone from the given folders.
    pub prune: bool,
    /// Turn the automatic concept alignment rules off (`--no-align`).
    pub no_align: bool,
    /// A SKOS vocabulary (Turtle) that decides merges; `None` keeps the saved one.
    pub vocabulary: Option<PathBuf>,
}

/// What a build did.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Seed files found under the given paths.
    pub found: usize,
    /// Files read and parsed into articles in this build.
    pub read: usize,
    /// Files whose saved article was reused (unchanged).
    pub reused: usize,
    /// Files skipped because of errors.
    pub skipped: usize,
    /// Saved articles removed because their files are gone (`prune`).
    pub pruned: usize,
    /// Saved articles whose files are gone but were kept (no `prune`).
    pub gone: usize,
    /// Saved articles kept because their file is empty or unreadable now.
    pub kept: usize,
    /// Damaged store files set aside (with a warning each).
    pub set_aside: usize,
    /// Every diagnostic of the collection, sorted by file and line
    /// (those of unchanged files are replayed from the store).
    pub diagnostics: Vec<Diagnostic>,
    /// Whether the store was written.
    pub saved: bool,
    /// Counts of the saved collection.
    pub stats: crate::model::Stats,
}

/// Why a build saved nothing.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The options cannot work (no paths, a path that does not exist, …).
    #[error("{0}")]
    Usage(String),
    /// No file could be read, so there is nothing to save.
    #[error("nothing to save: {reason}")]
    NothingToSave {
        /// Why.
        reason: String,
        /// What the build found.
        report: Box<BuildReport>,
    },
    /// `strict` is set and the files had errors or warnings.
    #[error("--strict: {errors} error(s) and {warnings} warning(s); nothing was saved")]
    Strict {
        /// Diagnostics of error severity.
        errors: usize,
        /// Diagnostics of warning severity.
        warnings: usize,
        /// What the build found.
        report: Box<BuildReport>,
    },
}

/// `a/./b/` → `a/b`, with `/` separators on every platform: the key a file is saved under.
pub fn normalize_path(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    for c in path.components() {
        match c {
            Component::RootDir => absolute = true,
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|p| p != "..") {
                    parts.pop();
                } else {
                    parts.push("..".into());
                }
            }
            Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn is_under(path: &str, root: &str) -> bool {
    root == "." || path == root || (path.starts_with(root) && path[root.len()..].starts_with('/'))
}

fn modified_of(meta: &std::fs::Metadata) -> Option<Modified> {
    let t = meta.modified().ok()?;
    let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(Modified {
        secs: i64::try_from(d.as_secs()).ok()?,
        nanos: d.subsec_nanos(),
    })
}

/// What happened to one discovered file.
enum Outcome {
    Reused(Box<Entry>),
    /// The saved entry of a file that is empty or unreadable now, with the warning.
    Kept(Box<Entry>, Diagnostic),
    Read(Box<Entry>),
    Failed(Vec<Diagnostic>),
}

/// The saved entry of a file that reads as empty or not at all now (being
/// rewritten, say): kept, with a warning, rather than dropped.
fn keep_saved(previous: Option<&Entry>, key: &str, why: &str) -> Option<Outcome> {
    let prev = previous?;
    Some(Outcome::Kept(
        Box::new(prev.clone()),
        Diagnostic {
            severity: Severity::Warning,
            file: key.to_string(),
            line: 1,
            message: format!(
                "{why}; its saved article is kept (delete the file and build with --prune to remove it)"
            ),
        },
    ))
}

fn read_one(path: &Path, key: &str, previous: Option<&Entry>) -> Outcome {
    let meta = std::fs::metadata(path).ok();
    let modified = meta.as_ref().and_then(modified_of);
    let size = meta.as_ref().map(|m| m.len());
    if let Some(prev) = previous {
        if modified.is_some() && prev.modified == modified && Some(prev.file.size) == size {
            return Outcome::Reused(Box::new(prev.clone()));
        }
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return keep_saved(previous, key, &format!("cannot read file: {e}")).unwrap_or_else(
                || {
                    Outcome::Failed(vec![Diagnostic {
                        severity: Severity::Error,
                        file: key.to_string(),
                        line: 1,
                        message: format!("cannot read file: {e}"),
                    }])
                },
            )
        }
    };
    let blank = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&bytes)
        .iter()
        .all(u8::is_ascii_whitespace);
    if blank {
        if let Some(kept) = keep_saved(previous, key, "file is empty") {
            return kept;
        }
    }
    let hash = format!("blake3:{}", blake3::hash(&bytes).to_hex());
    if let Some(prev) = previous {
        if prev.file.hash == hash {
            let mut entry = prev.clone();
            entry.modified = modified;
            return Outcome::Reused(Box::new(entry));
        }
    }
    // A parser bug must not take the collection down: it becomes this file's error.
    let parsed = std::panic::catch_unwind(|| seed::read_bytes(key, &seed::file_stem(path), &bytes));
    let outcome = match parsed {
        Ok(outcome) => outcome,
        Err(_) => {
            return Outcome::Failed(vec![Diagnostic {
                severity: Severity::Error,
                file: key.to_string(),
                line: 1,
                message: "internal error while parsing (please report this file)".to_string(),
            }])
        }
    };
    match outcome.article {
        Some(article) => Outcome::Read(Box::new(Entry {
            file: SeedFile {
                path: key.to_string(),
                hash,
                size: bytes.len() as u64,
            },
            modified,
            article,
            diagnostics: outcome.diagnostics,
        })),
        None => Outcome::Failed(outcome.diagnostics),
    }
}

/// Builds (or updates) the store in `dir` from the seed files under `opts.paths`.
pub fn build(
    dir: &StoreDir,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildReport, BuildError> {
    if opts.paths.is_empty() {
        return Err(BuildError::Usage("no paths to build from".into()));
    }
    let mut previous = open_previous(dir)?;
    let base_iri = opts
        .base_iri
        .clone()
        .or_else(|| previous.header.as_ref().map(|h| h.base_iri.clone()))
        .unwrap_or_else(|| store::vocab::DEFAULT_BASE_IRI.to_string());
    let iris = Iris::new(&base_iri).map_err(StoreError::from)?;
    let (alignment, realign) = alignment_settings(dir, opts)?;

    let discovered = seed::discover(&opts.paths);
    if let Some(missing) = discovered.missing.first() {
        return Err(BuildError::Usage(format!(
            "{}: no such file or folder",
            missing.display()
        )));
    }
    let mut report = start_report(
        dir,
        discovered.files.len(),
        discovered.diagnostics,
        std::mem::take(&mut previous.set_aside),
        previous.outdated,
    );
    let keys: Vec<String> = discovered.files.iter().map(|p| normalize_path(p)).collect();
    let outcomes = read_all(&discovered.files, &keys, &previous.entries, progress);
    let mut entries = tally(outcomes, &mut report);
    keep_missing(opts, &keys, &previous.entries, &mut entries, &mut report);
    entries.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    for e in &entries {
        report.diagnostics.extend(e.diagnostics.iter().cloned());
    }
    sort_diagnostics(&mut report.diagnostics);

    if let Some(header) = unchanged_header(&previous, &base_iri, &entries, &report) {
        if !realign {
            return save_touched(dir, opts, header, &entries, &previous.entries, report);
        }
    }
    let (collection, entries) = merge(entries, &mut report, &alignment);
    let mut stats = collection.stats();
    stats.triples = store::count_quads(&collection, &iris);
    stats.graphs = collection.articles.len() + 1;
    report.stats = stats.clone();

    if let Some(err) = strict_failure(opts, &mut report) {
        return Err(err);
    }
    if entries.is_empty() {
        let reason = if report.found == 0 {
            "no seed files (*.txt, *.md) found".to_string()
        } else {
            "no file could be read as a seed article".to_string()
        };
        return Err(BuildError::NothingToSave {
            reason,
            report: Box::new(report),
        });
    }
    progress.start("saving", 1);
    dir.save(&Header { base_iri, stats }, &entries)?;
    alignment.save(dir.path())?;
    report.saved = true;
    record_scan(dir, &previous.entries, &entries)?;
    // The entries are saved: free them before the projection needs memory.
    drop((entries, previous));
    crate::graph::stored::build_and_save(dir, &collection)?;
    crate::graph::article_index::save(dir, &collection)?;
    progress.finish();
    Ok(report)
}

/// The alignment settings of this build, and whether they differ from the saved ones.
fn alignment_settings(
    dir: &StoreDir,
    opts: &BuildOptions,
) -> Result<(crate::align::Settings, bool), BuildError> {
    use crate::align::Settings;
    // Missing or unreadable saved settings realign from the options.
    let saved = Settings::load_saved(dir.path()).ok().flatten();
    let settings = match &opts.vocabulary {
        Some(file) => {
            Settings::with_vocabulary_file(!opts.no_align, file).map_err(BuildError::Usage)?
        }
        None => Settings {
            automatic: !opts.no_align,
            vocabulary: saved.as_ref().and_then(|s| s.vocabulary.clone()),
        },
    };
    let changed = saved.as_ref() != Some(&settings);
    Ok((settings, changed))
}

/// Notes this build in the store's list of scans with the articles it added.
fn record_scan(dir: &StoreDir, before: &[Entry], after: &[Entry]) -> Result<(), StoreError> {
    let known: std::collections::HashSet<&str> =
        before.iter().map(|e| e.article.id.as_str()).collect();
    let added: Vec<String> = after
        .iter()
        .map(|e| e.article.id.as_str())
        .filter(|id| !known.contains(id))
        .map(str::to_string)
        .collect();
    let path = crate::trends::track::state_path(dir);
    crate::trends::state::record_scan(&path, added).map_err(|e| StoreError::io(&path, e))
}

/// The store as saved before this build.
struct Previous {
    /// `None` for a new, outdated or damaged store.
    header: Option<Header>,
    entries: Vec<Entry>,
    /// Saved by another version of signalgraph: rebuilt from the given paths.
    outdated: bool,
    /// A warning per damaged file set aside.
    set_aside: Vec<Diagnostic>,
}

/// Loads the saved store. A store in an older format is rebuilt from the
/// given paths; so is a damaged one, once its collection file is set aside.
/// Damaged analysis graphs, which would fail every command that reads the
/// store, are set aside too.
fn open_previous(dir: &StoreDir) -> Result<Previous, BuildError> {
    let mut set_aside = Vec::new();
    let (saved, outdated) = match dir.load() {
        Ok(saved) => (saved, false),
        Err(StoreError::OtherVersion(_)) => (None, true),
        Err(StoreError::Corrupt { path, reason }) => {
            let aside = dir.set_aside_collection()?;
            set_aside.push(Diagnostic {
                severity: Severity::Warning,
                file: path.display().to_string(),
                line: 1,
                message: format!(
                    "damaged ({reason}): set aside as {}; the store is rebuilt from the given paths only",
                    aside.display()
                ),
            });
            (None, false)
        }
        Err(e) => return Err(e.into()),
    };
    for d in dir.set_aside_damaged_graphs()? {
        set_aside.push(Diagnostic {
            severity: Severity::Warning,
            file: d.path.display().to_string(),
            line: 1,
            message: format!(
                "damaged ({}): set aside as {}; {}",
                d.reason,
                d.aside.display(),
                d.fix
            ),
        });
    }
    let (header, entries) = match saved {
        Some(s) => (Some(s.header), s.entries),
        None => (None, Vec::new()),
    };
    Ok(Previous {
        header,
        entries,
        outdated,
        set_aside,
    })
}

/// The report before any file is read: what discovery found and the store's
/// own warnings.
fn start_report(
    dir: &StoreDir,
    found: usize,
    discovery: Vec<Diagnostic>,
    set_aside: Vec<Diagnostic>,
    outdated: bool,
) -> BuildReport {
    let mut report = BuildReport {
        found,
        set_aside: set_aside.len(),
        ..BuildReport::default()
    };
    report.skipped += discovery
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    report.diagnostics.extend(discovery);
    report.diagnostics.extend(set_aside);
    if outdated {
        report.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            file: dir.path().display().to_string(),
            line: 1,
            message:
                "store written by another version of signalgraph: rebuilt from the given paths only"
                    .into(),
        });
    }
    report
}

/// Reads (or reuses) every discovered file in parallel, saved under `keys`.
fn read_all(
    files: &[PathBuf],
    keys: &[String],
    previous: &[Entry],
    progress: &dyn Progress,
) -> Vec<Outcome> {
    let by_path: HashMap<&str, &Entry> =
        previous.iter().map(|e| (e.file.path.as_str(), e)).collect();
    progress.start("reading", keys.len() as u64);
    let outcomes = files
        .par_iter()
        .zip(keys.par_iter())
        .map(|(path, key)| {
            let outcome = read_one(path, key, by_path.get(key.as_str()).copied());
            progress.advance(1);
            outcome
        })
        .collect();
    progress.finish();
    outcomes
}

/// Counts the outcomes into the report; the entries to save.
fn tally(outcomes: Vec<Outcome>, report: &mut BuildReport) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Outcome::Reused(e) => {
                report.reused += 1;
                entries.push(*e);
            }
            Outcome::Kept(e, warning) => {
                report.kept += 1;
                report.diagnostics.push(warning);
                entries.push(*e);
            }
            Outcome::Read(e) => {
                report.read += 1;
                entries.push(*e);
            }
            Outcome::Failed(d) => {
                report.skipped += 1;
                report.diagnostics.extend(d);
            }
        }
    }
    entries
}

/// Saved articles whose files were not found this time: dropped under
/// `prune` when gone from the given folders, kept otherwise.
fn keep_missing(
    opts: &BuildOptions,
    keys: &[String],
    previous: &[Entry],
    entries: &mut Vec<Entry>,
    report: &mut BuildReport,
) {
    let roots: Vec<String> = opts.paths.iter().map(|p| normalize_path(p)).collect();
    let found: BTreeSet<&str> = keys.iter().map(String::as_str).collect();
    for prev in previous {
        let path = prev.file.path.as_str();
        if found.contains(path) {
            continue;
        }
        let under_root = roots.iter().any(|r| is_under(path, r));
        // Gone means not there. A file that cannot be looked at now (in a
        // folder that cannot be read) keeps its article.
        let meta = std::fs::symlink_metadata(path);
        let gone = matches!(&meta, Err(e) if e.kind() == std::io::ErrorKind::NotFound);
        let hidden = meta.is_err() && !gone;
        if under_root && gone && opts.prune {
            report.pruned += 1;
        } else if under_root && gone {
            report.gone += 1;
            entries.push(prev.clone());
        } else if !under_root || hidden {
            entries.push(prev.clone());
        }
    }
}

/// The saved header when nothing was read, nothing removed, the files and
/// the base IRI are the same: the saved collection and its counts stand.
fn unchanged_header<'p>(
    previous: &'p Previous,
    base_iri: &str,
    entries: &[Entry],
    report: &BuildReport,
) -> Option<&'p Header> {
    previous.header.as_ref().filter(|h| {
        report.read == 0
            && report.pruned == 0
            && report.skipped == 0
            && h.base_iri == base_iri
            && entries.len() == previous.entries.len()
            && entries
                .iter()
                .zip(&previous.entries)
                .all(|(a, b)| a.file == b.file)
    })
}

/// An unchanged store: only new modification times (touched files) are
/// worth saving.
fn save_touched(
    dir: &StoreDir,
    opts: &BuildOptions,
    header: &Header,
    entries: &[Entry],
    previous: &[Entry],
    mut report: BuildReport,
) -> Result<BuildReport, BuildError> {
    report.stats = header.stats.clone();
    if let Some(err) = strict_failure(opts, &mut report) {
        return Err(err);
    }
    let touched = entries
        .iter()
        .zip(previous)
        .any(|(a, b)| a.modified != b.modified);
    if touched {
        let before = dir.collection_stamp()?;
        dir.save(header, entries)?;
        let projection = crate::graph::stored::restamp(dir, &before)?;
        let index = crate::graph::article_index::restamp(dir, &before)?;
        if !(projection && index) {
            let (collection, _) = crate::build::load_collection(dir)?;
            if !projection {
                crate::graph::stored::build_and_save(dir, &collection)?;
            }
            if !index {
                crate::graph::article_index::save(dir, &collection)?;
            }
        }
    }
    report.saved = touched;
    Ok(report)
}

/// Merges the entries into the collection; duplicate ids are errors for the
/// later file, whose entry is dropped.
fn merge(
    entries: Vec<Entry>,
    report: &mut BuildReport,
    alignment: &crate::align::Settings,
) -> (Collection, Vec<Entry>) {
    let inputs: Vec<Input> = entries
        .iter()
        .map(|e| Input {
            file: e.file.clone(),
            article: e.article.clone(),
        })
        .collect();
    let (collection, duplicates) = Collection::build_aligned(inputs, alignment);
    if duplicates.is_empty() {
        return (collection, entries);
    }
    let dropped: BTreeSet<&str> = duplicates.iter().map(|d| d.file.as_str()).collect();
    report.skipped += dropped.len();
    let kept: Vec<Entry> = entries
        .into_iter()
        .filter(|e| !dropped.contains(e.file.path.as_str()))
        .collect();
    report.diagnostics.extend(duplicates);
    sort_diagnostics(&mut report.diagnostics);
    (collection, kept)
}

/// Diagnostics in the order they are printed: by file, line, then severity.
fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.severity).cmp(&(&b.file, b.line, b.severity)));
}

/// Under `--strict`, any error or warning fails the build (the report moves into the error).
fn strict_failure(opts: &BuildOptions, report: &mut BuildReport) -> Option<BuildError> {
    if !opts.strict {
        return None;
    }
    let count = |s| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == s)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    (errors + warnings > 0).then(|| BuildError::Strict {
        errors,
        warnings,
        report: Box::new(std::mem::take(report)),
    })
}

/// Loads a saved store as a collection (for `query`, `stats` and later stages).
pub fn load_collection(dir: &StoreDir) -> Result<(Collection, Iris), StoreError> {
    let saved = dir
        .load()?
        .ok_or_else(|| StoreError::Missing(dir.path().to_path_buf()))?;
    let iris = Iris::new(&saved.header.base_iri)?;
    let alignment = crate::align::Settings::load(dir.path())?;
    let inputs = saved
        .entries
        .into_iter()
        .map(|e| Input {
            file: e.file,
            article: e.article,
        })
        .collect();
    let (collection, _) = Collection::build_aligned(inputs, &alignment);
    Ok((collection, iris))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_normalise() {
        assert_eq!(normalize_path(Path::new("./seeds/a.txt")), "seeds/a.txt");
        assert_eq!(
            normalize_path(Path::new("seeds//x/../a.txt")),
            "seeds/a.txt"
        );
        assert_eq!(normalize_path(Path::new("/tmp/./s")), "/tmp/s");
        assert_eq!(normalize_path(Path::new(".")), ".");
        assert!(is_under("seeds/a.txt", "seeds"));
        assert!(!is_under("seeds2/a.txt", "seeds"));
        assert!(is_under("seeds/a.txt", "."));
    }
}
