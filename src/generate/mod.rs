//! Synthetic seed-article collections with planted structure, for tests, benchmarks and scoring trend analyses.
//!
//! [`generate`] writes `N` seed articles in the exact seed format
//! (`NNN_<16 hex>.txt`, see `seed-format/README.md`) plus a `truth.json` that
//! records what was planted:
//!
//! - **Topic groups.** Each group owns a slice of the keyword, organisation and
//!   driving-force vocabularies and prefers a few themes; its articles draw mostly
//!   from those pools plus global noise, and ~3 % of articles bridge two groups.
//!   Closest links stay inside the group ~80 % of the time, ~2 % dangle (point to
//!   articles not in the collection, with plausible titles, shared by several
//!   articles so they can be merged when they arrive).
//! - **Trajectories.** Each group is `emerging` (almost no articles until the last
//!   15 % of the period), `growing`, `stable` or `declining`; article dates (weekly
//!   digest issues) are drawn from the group's trajectory.
//! - **Realistic shape.** Keywords, driving forces and publisher hosts follow
//!   power laws over vocabularies that grow with the collection; keywords and
//!   themes now and then appear in case/spacing variants (`AI`, `ai `, `Ai`).
//! - **Concept variants** (`concepts.rs`): families of spellings, plurals
//!   and abbreviations of one concept, planted as extra keywords of a group's
//!   articles with the evidence a writer leaves (or none), and decoys that
//!   look alike but must stay apart.
//! - **Format variants.** ~1 % of files each carry a byte-order mark, CRLF line
//!   endings, `-` bullets, a title without bold markers, an extra `Source quote`
//!   column, an escaped pipe `\|` in a cell, or sections in another order. All
//!   files are valid and complete: none should produce a reader warning.
//!
//! The output depends only on [`GenerateOptions`]: the same options give the same
//! bytes, whatever the number of threads.
//!
//! `truth.json` (keys sorted, pretty-printed):
//!
//! ```text
//! { "article_count": N,
//!   "assignments": { "<16-hex file id>": { "bridge_to": null | GROUP, "date": "YYYY-MM-DD",
//!                    "file": "NNN_<id>.txt", "group": GROUP, "variants": ["crlf", ...] } },
//!   "concept_variants": [ { "evidence": "spelling|definition|co-occurrence|none|decoy|native",
//!                           "forms": [..], "kinds": ["theme|keyword|driving-force", ..],
//!                           "groups": [GROUP, ..], "merge": true|false|null } ],
//!   "dangling_links": LINKS,            // closest links to missing articles
//!   "digest_url": "https://digest.example.org/p/", "format": "signalgraph-synthetic-truth/1",
//!   "groups": [ { "driving_forces": [..], "id": 0, "keywords": [..owned..],
//!                 "neighbors": [GROUP, ..], "shared_keywords": [..common..], "size": n,
//!                 "themes": [primary, ..], "trajectory": "emerging|growing|stable|declining" } ],
//!   "missing_articles": { "<32-hex id>": { "group": GROUP, "title": ".." } },
//!   "seed": S, "start_year": Y, "weeks": W, "years": YEARS }
//! ```
//!
//! Variant names: `bom`, `crlf`, `dash_bullets`, `plain_title`, `extra_column`,
//! `escaped_pipe`, `reordered_sections`. Files are numbered by issue date.

mod calendar;
mod concepts;
mod groups;
mod plan;
mod prose;
mod render;
mod vocab;
mod words;

use std::collections::BTreeMap;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use plan::{variant, Plan};

/// Largest collection [`generate`] accepts.
pub const MAX_ARTICLES: usize = 10_000_000;
/// Largest number of topic groups [`generate`] accepts.
pub const MAX_GROUPS: usize = 100_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of articles (at least 1).
    pub articles: usize,
    /// Seed of all random choices; the same options always give the same bytes.
    pub seed: u64,
    /// Number of planted topic groups; `None` picks about `sqrt(articles) / 2`,
    /// clamped to `3..=200` (and to at most `articles`).
    pub groups: Option<usize>,
    /// First year of the digest (default 2019).
    pub start_year: i32,
    /// Number of years the digest runs (default 6): issues are weekly, every
    /// Sunday from `start_year` to the end of `start_year + years - 1`.
    pub years: u32,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            articles: 1000,
            seed: 0,
            groups: None,
            start_year: 2019,
            years: 6,
        }
    }
}

impl GenerateOptions {
    /// The number of groups these options produce.
    pub fn group_count(&self) -> usize {
        self.groups.unwrap_or_else(|| {
            let g = ((self.articles as f64).sqrt() / 2.0).round() as usize;
            g.clamp(3, 200).min(self.articles.max(1))
        })
    }

    fn validate(&self) -> Result<(), GenerateError> {
        let invalid = |m: String| Err(GenerateError::InvalidOptions(m));
        if self.articles == 0 {
            return invalid("articles must be at least 1".into());
        }
        if self.articles > MAX_ARTICLES {
            return invalid(format!("articles must be at most {MAX_ARTICLES}"));
        }
        let groups = self.group_count();
        let max_groups = self.articles.min(MAX_GROUPS);
        if groups == 0 || groups > max_groups {
            return invalid(format!(
                "groups must be between 1 and {max_groups} (at most one per article), got {groups}"
            ));
        }
        if !(1000..=9000).contains(&self.start_year) {
            return invalid(format!(
                "start_year must be between 1000 and 9000, got {}",
                self.start_year
            ));
        }
        if !(1..=100).contains(&self.years) {
            return invalid(format!(
                "years must be between 1 and 100, got {}",
                self.years
            ));
        }
        Ok(())
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateSummary {
    /// Number of article files written.
    pub articles: usize,
    /// Number of planted topic groups.
    pub groups: usize,
    /// Number of closest links whose target is not in the collection.
    pub dangling_links: usize,
    /// Total size of the article files (not counting `truth.json`).
    pub bytes: u64,
}

/// Why [`generate`] failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// A file or the output directory could not be written.
    #[error("cannot write {}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The options are out of range (no file was written).
    #[error("invalid generate options: {0}")]
    InvalidOptions(String),
}

/// Write a synthetic collection of `opts.articles` seed files and `truth.json` into `out_dir`.
///
/// `out_dir` is created if missing. Files of the same names are overwritten,
/// other files are left alone. `truth.json` is written last (through a temporary
/// name), so its presence means the collection is complete.
///
/// ```
/// use signalgraph::generate::{generate, GenerateOptions};
///
/// let out = tempfile::tempdir()?;
/// let options = GenerateOptions { articles: 20, seed: 7, ..Default::default() };
/// let summary = generate(&options, out.path())?;
/// assert_eq!(summary.articles, 20);
/// assert!(out.path().join("truth.json").exists());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn generate(opts: &GenerateOptions, out_dir: &Path) -> Result<GenerateSummary, GenerateError> {
    opts.validate()?;
    let groups = opts.group_count();
    fs::create_dir_all(out_dir).map_err(|source| GenerateError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;

    let plan = Plan::build(
        opts.seed,
        opts.articles,
        groups,
        opts.start_year,
        opts.years,
    );
    let width = number_width(opts.articles);

    let (bytes, dangling_links) = write_articles(&plan, width, out_dir)?;

    write_truth(opts, &plan, width, dangling_links, out_dir)?;
    Ok(GenerateSummary {
        articles: plan.articles.len(),
        groups,
        dangling_links,
        bytes,
    })
}

/// Articles rendered per batch handed to the writer.
const BATCH: usize = 512;

/// Render articles in parallel (rayon) and write them from one writer thread.
///
/// File creation in one directory serialises on the directory lock, so several
/// writers mostly contend; one writer overlapping with parallel rendering is
/// faster. Returns (bytes written, dangling links).
fn write_articles(
    plan: &Plan,
    width: usize,
    out_dir: &Path,
) -> Result<(u64, usize), GenerateError> {
    let n = plan.articles.len();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(usize, render::Rendered)>>(2);
        let writer = scope.spawn(move || -> Result<(u64, usize), GenerateError> {
            let (mut bytes, mut dangling) = (0u64, 0usize);
            for batch in rx {
                for (i, rendered) in batch {
                    let path = out_dir.join(file_name(plan, i, width));
                    fs::write(&path, &rendered.bytes)
                        .map_err(|source| GenerateError::Io { path, source })?;
                    bytes += rendered.bytes.len() as u64;
                    dangling += rendered.dangling;
                }
            }
            Ok((bytes, dangling))
        });
        for start in (0..n).step_by(BATCH) {
            let batch: Vec<(usize, render::Rendered)> = (start..(start + BATCH).min(n))
                .into_par_iter()
                .map(|i| (i, render::render(plan, i)))
                .collect();
            if tx.send(batch).is_err() {
                // The writer stopped on an error; it reports it below.
                break;
            }
        }
        drop(tx);
        writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Digits of the running number: enough for the largest index, at least 3.
fn number_width(articles: usize) -> usize {
    let mut width = 1;
    let mut max = articles.saturating_sub(1);
    while max >= 10 {
        max /= 10;
        width += 1;
    }
    width.max(3)
}

fn file_name(plan: &Plan, i: usize, width: usize) -> String {
    format!("{i:0width$}_{}.txt", render::hex(&plan.articles[i].id[..8]))
}

// truth.json: field order is alphabetical so the keys come out sorted.

#[derive(Serialize)]
struct Truth<'a> {
    article_count: usize,
    assignments: BTreeMap<String, Assignment>,
    bursts: Vec<BurstTruth<'a>>,
    concept_variants: Vec<concepts::VariantTruth>,
    dangling_links: usize,
    digest_url: &'static str,
    events: Vec<EventTruth>,
    format: &'static str,
    groups: Vec<GroupTruth<'a>>,
    missing_articles: BTreeMap<String, MissingTruth<'a>>,
    seed: u64,
    start_year: i32,
    weeks: u32,
    years: u32,
}

#[derive(Serialize)]
struct Assignment {
    bridge_to: Option<u32>,
    date: String,
    file: String,
    group: u32,
    variants: Vec<&'static str>,
}

#[derive(Serialize)]
struct GroupTruth<'a> {
    driving_forces: Vec<&'a str>,
    id: usize,
    keywords: Vec<&'a str>,
    neighbors: Vec<u32>,
    shared_keywords: Vec<&'a str>,
    size: usize,
    themes: Vec<&'a str>,
    trajectory: &'static str,
}

/// A planted lineage event: `date` is the first issue on or after it.
#[derive(Serialize)]
struct EventTruth {
    date: String,
    from: Vec<u32>,
    to: Vec<u32>,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// A planted keyword burst: the first and last issue it is planted in.
#[derive(Serialize)]
struct BurstTruth<'a> {
    end: String,
    keyword: &'a str,
    start: String,
}

#[derive(Serialize)]
struct MissingTruth<'a> {
    group: usize,
    title: &'a str,
}

fn write_truth(
    opts: &GenerateOptions,
    plan: &Plan,
    width: usize,
    dangling_links: usize,
    out_dir: &Path,
) -> Result<(), GenerateError> {
    let truth = Truth {
        article_count: plan.articles.len(),
        assignments: assignments(plan, width),
        bursts: plan
            .bursts
            .iter()
            .map(|b| BurstTruth {
                end: plan.calendar.date(b.weeks.1).iso(),
                keyword: &plan.vocab.keyword(b.keyword).text,
                start: plan.calendar.date(b.weeks.0).iso(),
            })
            .collect(),
        dangling_links,
        digest_url: render::DIGEST_BASE,
        concept_variants: concepts::truth(plan),
        events: event_truths(plan),
        format: "signalgraph-synthetic-truth/1",
        groups: group_truths(plan),
        missing_articles: missing_truths(plan),
        seed: opts.seed,
        start_year: opts.start_year,
        weeks: plan.calendar.weeks(),
        years: opts.years,
    };

    let path = out_dir.join("truth.json");
    let tmp = out_dir.join(".truth.json.tmp");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GenerateError::Io { path, source }
    };
    let file = fs::File::create(&tmp).map_err(io(&tmp))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    serde_json::to_writer_pretty(&mut w, &truth)
        .map_err(std::io::Error::from)
        .map_err(io(&tmp))?;
    w.write_all(b"\n").map_err(io(&tmp))?;
    w.into_inner()
        .map_err(|e| e.into_error())
        .map_err(io(&tmp))?;
    fs::rename(&tmp, &path).map_err(io(&path))?;
    Ok(())
}

/// Each article's group, bridge, date, file and variants, by file id.
fn assignments(plan: &Plan, width: usize) -> BTreeMap<String, Assignment> {
    plan.articles
        .iter()
        .enumerate()
        .map(|(i, a)| {
            (
                render::hex(&a.id[..8]),
                Assignment {
                    bridge_to: a.bridge,
                    date: plan.calendar.date(a.week).iso(),
                    file: file_name(plan, i, width),
                    group: a.group,
                    variants: variant::names(a.variants),
                },
            )
        })
        .collect()
}

/// The planted groups with their vocabularies in words.
fn group_truths(plan: &Plan) -> Vec<GroupTruth<'_>> {
    let vocab = &plan.vocab;
    let keyword_texts = |ids: &[u32]| -> Vec<&str> {
        ids.iter()
            .map(|&k| vocab.keyword(k).text.as_str())
            .collect()
    };
    plan.groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let mut keywords = keyword_texts(&group.entities.items);
            keywords.extend(keyword_texts(&group.topical.items));
            GroupTruth {
                driving_forces: group
                    .forces
                    .items
                    .iter()
                    .map(|&f| vocab.forces[f as usize].as_str())
                    .collect(),
                id: g,
                keywords,
                neighbors: group.neighbors.clone(),
                shared_keywords: keyword_texts(&group.shared.items),
                size: plan.members[g].len(),
                themes: group
                    .themes
                    .items
                    .iter()
                    .map(|&t| vocab.themes[t as usize])
                    .collect(),
                trajectory: group.trajectory.name(),
            }
        })
        .collect()
}

/// The planted lineage events, by date then type and groups.
fn event_truths(plan: &Plan) -> Vec<EventTruth> {
    let mut events: Vec<&groups::PlantedEvent> = plan
        .groups
        .iter()
        .filter_map(|g| g.event.as_ref())
        .collect();
    events.sort_by(|x, y| {
        x.at.total_cmp(&y.at)
            .then(x.kind.cmp(y.kind))
            .then(x.from.cmp(&y.from))
            .then(x.to.cmp(&y.to))
    });
    events.dedup();
    events
        .into_iter()
        .map(|e| EventTruth {
            date: plan.calendar.date(plan.calendar.week_of(e.at)).iso(),
            from: e.from.clone(),
            to: e.to.clone(),
            kind: e.kind,
        })
        .collect()
}

/// The missing (dangling-link) articles with their group and title, by id.
fn missing_truths(plan: &Plan) -> BTreeMap<String, MissingTruth<'_>> {
    plan.missing
        .iter()
        .enumerate()
        .flat_map(|(g, list)| {
            list.iter().map(move |m| {
                (
                    render::hex(&m.id),
                    MissingTruth {
                        group: g,
                        title: &m.title,
                    },
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_width_fits_the_largest_index() {
        assert_eq!(number_width(1), 3);
        assert_eq!(number_width(1000), 3);
        assert_eq!(number_width(1001), 4);
        assert_eq!(number_width(100_000), 5);
        assert_eq!(number_width(100_001), 6);
    }

    #[test]
    fn default_groups_scale_with_articles() {
        let opts = |articles| GenerateOptions {
            articles,
            ..GenerateOptions::default()
        };
        assert_eq!(opts(1).group_count(), 1);
        assert_eq!(opts(100).group_count(), 5);
        assert_eq!(opts(5000).group_count(), 35);
        assert_eq!(opts(1_000_000).group_count(), 200);
    }
}
