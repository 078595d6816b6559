//! The collection model: read articles merged into one graph of typed nodes with stable keys.
//!
//! [`Collection::build`] takes the articles read from a collection (with the
//! file each came from) and produces what every later stage works from:
//! articles sorted by id, concepts merged on their normalised key with every
//! surface form kept, signals keyed by article id and row, sources (publisher
//! hosts), digests (issue dates), and closest links resolved by id prefix, then
//! by normalised title, else to a stub article known only by its title and id.
//! Everything here is a pure function of its input: the same articles always
//! give the same collection, whatever order they came in.

mod alignment;
mod change;
mod stats;

pub use alignment::Alignment;
pub use change::split_change;
pub use stats::Stats;

use crate::align::{self, Aligned, ArticleForms, Settings};
use crate::normalize::concept_key;
use crate::seed::{Article, Date, Diagnostic, Severity};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Where an article came from: the seed file and its content hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedFile {
    /// The path as given to `build` (normalised, `/`-separated).
    pub path: String,
    /// `blake3:` followed by 64 hex digits.
    pub hash: String,
    /// Its size in bytes.
    pub size: u64,
}

/// A read article and the file it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// The seed file.
    pub file: SeedFile,
    /// The article read from it.
    pub article: Article,
}

/// The three kinds of concept, each in its own SKOS scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConceptKind {
    /// A `## Themes` entry.
    Theme,
    /// A `## Keywords` entry.
    Keyword,
    /// A `Driving force` cell of the signals table.
    DrivingForce,
}

impl ConceptKind {
    /// The three kinds, in scheme order.
    pub const ALL: [ConceptKind; 3] = [
        ConceptKind::Theme,
        ConceptKind::Keyword,
        ConceptKind::DrivingForce,
    ];

    /// The IRI path segment and JSON key of the kind.
    pub fn slug(self) -> &'static str {
        match self {
            ConceptKind::Theme => "theme",
            ConceptKind::Keyword => "keyword",
            ConceptKind::DrivingForce => "driving-force",
        }
    }
}

/// Index of a concept in [`Collection::concepts`].
pub type ConceptId = usize;

/// A theme, keyword or driving force, merged over every article that names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Concept {
    /// Which scheme it belongs to.
    pub kind: ConceptKind,
    /// The normalised label every surface form maps to (see `normalize`).
    pub key: String,
    /// The most frequent surface form (ties: the smallest in byte order).
    pub label: String,
    /// The other surface forms seen, sorted.
    pub alt_labels: Vec<String>,
    /// How many articles use it (for themes and keywords) or signals (driving forces).
    pub uses: u32,
    /// Its alignment group (see [`Alignment`]): concepts of other kinds in the
    /// same group are linked to it.
    pub group: u32,
    /// The concept that stands for it and the concepts it is linked to in
    /// projections and names (itself when it is linked to none).
    pub meaning: ConceptId,
}

/// Where a closest link points once resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LinkTarget {
    /// A read article (index into [`Collection::articles`]).
    Article(usize),
    /// An article known only from links (index into [`Collection::stubs`]).
    Stub(usize),
}

/// How a closest link was resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// The target's id matched an article (or stub).
    ById,
    /// No id matched, but the link's title did.
    ByTitle,
    /// Nothing matched: the target became a stub.
    Unresolved,
}

/// A resolved closest link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    /// Where it points.
    pub target: LinkTarget,
    /// How the target was found.
    pub resolution: Resolution,
}

/// An article known only from closest links: its id and the title the links give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stub {
    /// The first 16 hex digits of the link target: the id the article will have when it arrives.
    pub id: String,
    /// The link target as first written (sorted order of the linking articles).
    pub target: String,
    /// The title the links give it.
    pub title: String,
}

/// A signal's links into the concept table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignalLinks {
    /// The signal's driving force, if it names one.
    pub driving_force: Option<ConceptId>,
}

/// The model's view of one read article: its input and its resolved links.
#[derive(Clone, Debug)]
pub struct ArticleLinks {
    /// The article's themes.
    pub themes: Vec<ConceptId>,
    /// The article's keywords.
    pub keywords: Vec<ConceptId>,
    /// One entry per signal row, in row order.
    pub signals: Vec<SignalLinks>,
    /// Its closest links, in list order.
    pub closest: Vec<Link>,
    /// The publisher host, index into [`Collection::sources`].
    pub source: Option<usize>,
    /// Index into [`Collection::digests`].
    pub digest: Option<usize>,
}

/// A digest issue: a date and the page(s) it was published at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// The date.
    pub date: Date,
    /// The pages it was published at, sorted.
    pub urls: Vec<String>,
}

/// A whole collection, ready to be written as RDF or projected to graphs.
#[derive(Clone, Debug)]
pub struct Collection {
    /// Read articles, sorted by id.
    pub articles: Vec<Input>,
    /// Parallel to `articles`.
    pub links: Vec<ArticleLinks>,
    /// Sorted by (kind, key).
    pub concepts: Vec<Concept>,
    /// Sorted by id.
    pub stubs: Vec<Stub>,
    /// Publisher hosts, sorted.
    pub sources: Vec<String>,
    /// Sorted by date.
    pub digests: Vec<Digest>,
    /// Which forms were merged and linked, and why.
    pub alignment: Alignment,
}

/// A surface form with the key it merges on and its alignment group.
struct Named {
    surface: String,
    key: String,
    group: u32,
}

fn named(surface: &str) -> Option<Named> {
    let key = concept_key(surface);
    (!key.is_empty()).then(|| Named {
        surface: crate::normalize::collapse_whitespace(surface),
        key,
        group: 0,
    })
}

/// A concept by kind and alignment group.
type ConceptRef = (ConceptKind, u32);

/// The keys of one article's concepts, computed in parallel before merging.
struct ArticleKeys {
    themes: Vec<Named>,
    keywords: Vec<Named>,
    driving_forces: Vec<Option<Named>>,
    title_key: String,
}

impl Collection {
    /// Merges read articles into a collection.
    ///
    /// Two inputs with the same article id keep the first in path order; the
    /// others come back as error diagnostics (they are not part of the
    /// collection).
    pub fn build(inputs: Vec<Input>) -> (Collection, Vec<Diagnostic>) {
        Self::build_aligned(inputs, &Settings::default())
    }

    /// [`Collection::build`], aligning concepts with the given settings.
    pub fn build_aligned(
        mut inputs: Vec<Input>,
        settings: &Settings,
    ) -> (Collection, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        inputs.sort_by(|a, b| {
            (a.article.id.as_str(), a.file.path.as_str())
                .cmp(&(b.article.id.as_str(), b.file.path.as_str()))
        });
        let mut kept: Vec<Input> = Vec::with_capacity(inputs.len());
        for input in inputs {
            match kept.last() {
                Some(prev) if prev.article.id == input.article.id => {
                    diagnostics.push(Diagnostic {
                        severity: Severity::Error,
                        file: input.file.path.clone(),
                        line: 1,
                        message: format!(
                            "article id {} is already used by {}; file skipped",
                            input.article.id, prev.file.path
                        ),
                    });
                }
                _ => kept.push(input),
            }
        }
        (Self::from_unique(kept, settings), diagnostics)
    }

    fn from_unique(articles: Vec<Input>, settings: &Settings) -> Collection {
        let mut keys: Vec<ArticleKeys> = articles
            .par_iter()
            .map(|input| ArticleKeys::of(&input.article))
            .collect();
        let aligned = {
            let forms: Vec<ArticleForms> = articles
                .par_iter()
                .zip(&keys)
                .map(|(input, k)| k.forms(&input.article))
                .collect();
            align::align(&forms, settings)
        };
        keys.par_iter_mut().for_each(|k| k.set_groups(&aligned));
        let (concepts, concept_index) = merge_concepts(&keys, &aligned);
        let alignment = Alignment::of(&concepts, &aligned, settings);
        let hosts: Vec<Option<String>> = articles
            .iter()
            .map(|i| i.article.source_url.as_deref().and_then(host_of))
            .collect();
        let mut sources: Vec<String> = hosts.iter().flatten().cloned().collect();
        sources.sort();
        sources.dedup();
        let digests = digests_of(&articles);
        let (pending, stubs) = resolve_closest(&articles, &keys);
        let positions = Positions {
            concepts: concept_index,
            stubs: stubs
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.as_str(), i))
                .collect(),
            digests: digests
                .iter()
                .enumerate()
                .map(|(i, d)| (d.date, i))
                .collect(),
            sources: &sources,
        };
        let links = articles
            .iter()
            .zip(keys.iter())
            .zip(pending)
            .zip(hosts)
            .map(|(((input, k), pending), host)| {
                positions.links_of(input.article.date, k, pending, host)
            })
            .collect();
        Collection {
            articles,
            links,
            concepts,
            stubs,
            sources,
            digests,
            alignment,
        }
    }

    /// Counts and date range (see [`Stats`]).
    pub fn stats(&self) -> Stats {
        Stats::of(self)
    }
}

impl ArticleKeys {
    fn of(a: &Article) -> ArticleKeys {
        ArticleKeys {
            themes: a.themes.iter().filter_map(|s| named(s)).collect(),
            keywords: a.keywords.iter().filter_map(|s| named(s)).collect(),
            driving_forces: a.signals.iter().map(|s| named(&s.driving_force)).collect(),
            title_key: concept_key(&a.title),
        }
    }

    /// What alignment reads of the article: its concepts and free texts.
    fn forms<'a>(&'a self, a: &'a Article) -> ArticleForms<'a> {
        let concepts = self
            .themes
            .iter()
            .chain(&self.keywords)
            .chain(self.driving_forces.iter().flatten())
            .map(|n| (n.key.as_str(), n.surface.as_str()))
            .collect();
        let mut texts: Vec<&str> = vec![a.title.as_str()];
        texts.extend(a.summary.as_deref());
        for s in &a.signals {
            texts.extend([s.signal.as_str(), s.change.as_str(), s.horizon.as_str()]);
        }
        ArticleForms { concepts, texts }
    }

    /// Looks up the alignment group of every concept.
    fn set_groups(&mut self, aligned: &Aligned) {
        let all = self
            .themes
            .iter_mut()
            .chain(self.keywords.iter_mut())
            .chain(self.driving_forces.iter_mut().flatten());
        for n in all {
            n.group = aligned.group_of(&n.key).unwrap_or_default();
        }
    }
}

/// Surface forms counted per concept, and how many articles use it (signals,
/// for driving forces).
#[derive(Default)]
struct FormCounts<'a> {
    forms: HashMap<ConceptRef, HashMap<&'a str, u32>>,
    uses: HashMap<ConceptRef, u32>,
}

fn count_forms(keys: &[ArticleKeys]) -> FormCounts<'_> {
    let mut counts = FormCounts::default();
    for k in keys {
        let groups: [(ConceptKind, Box<dyn Iterator<Item = &Named>>); 3] = [
            (ConceptKind::Theme, Box::new(k.themes.iter())),
            (ConceptKind::Keyword, Box::new(k.keywords.iter())),
            (
                ConceptKind::DrivingForce,
                Box::new(k.driving_forces.iter().flatten()),
            ),
        ];
        for (kind, names) in groups {
            let mut seen_here: Vec<u32> = Vec::new();
            for n in names {
                *counts
                    .forms
                    .entry((kind, n.group))
                    .or_default()
                    .entry(n.surface.as_str())
                    .or_insert(0) += 1;
                if kind == ConceptKind::DrivingForce || !seen_here.contains(&n.group) {
                    seen_here.push(n.group);
                    *counts.uses.entry((kind, n.group)).or_insert(0) += 1;
                }
            }
        }
    }
    counts
}

/// The concepts, sorted by (kind, key), labelled with their vocabulary's
/// preferred label or else their most used surface form, and the position of
/// each (kind, group). Links between kinds ([`Concept::meaning`]) are set here.
fn merge_concepts(
    keys: &[ArticleKeys],
    aligned: &Aligned,
) -> (Vec<Concept>, HashMap<ConceptRef, ConceptId>) {
    let FormCounts { forms, uses } = count_forms(keys);
    let mut concepts = Vec::with_capacity(forms.len());
    for ((kind, group), surface_counts) in &forms {
        let preferred = aligned.pref_label[*group as usize]
            .as_ref()
            .filter(|p| aligned.group_of(&concept_key(p)) == Some(*group));
        let label = match preferred {
            Some(p) => p.clone(),
            None => surface_counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(s, _)| s.to_string())
                .unwrap_or_default(),
        };
        let mut alt_labels: Vec<String> = surface_counts
            .keys()
            .filter(|s| **s != label)
            .map(|s| s.to_string())
            .collect();
        alt_labels.sort_unstable();
        concepts.push(Concept {
            kind: *kind,
            key: concept_key(&label),
            label,
            alt_labels,
            uses: uses[&(*kind, *group)],
            group: *group,
            meaning: 0,
        });
    }
    concepts.sort_unstable_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
    let concept_index: HashMap<ConceptRef, ConceptId> = concepts
        .iter()
        .enumerate()
        .map(|(id, c)| ((c.kind, c.group), id))
        .collect();
    set_meanings(&mut concepts, aligned);
    (concepts, concept_index)
}

/// Each concept's meaning: of the linked concepts of its group, the most used
/// (ties: the first in kind, key order).
fn set_meanings(concepts: &mut [Concept], aligned: &Aligned) {
    let mut best: HashMap<u32, ConceptId> = HashMap::new();
    for (id, c) in concepts.iter().enumerate() {
        if !aligned.linked[c.group as usize] {
            continue;
        }
        let entry = best.entry(c.group).or_insert(id);
        if c.uses > concepts[*entry].uses {
            *entry = id;
        }
    }
    for (id, c) in concepts.iter_mut().enumerate() {
        c.meaning = best.get(&c.group).copied().unwrap_or(id);
    }
}

/// One digest per date, with the digest URLs its articles give, sorted.
fn digests_of(articles: &[Input]) -> Vec<Digest> {
    let mut digest_urls: BTreeMap<Date, Vec<String>> = BTreeMap::new();
    for input in articles {
        if let Some(date) = input.article.date {
            let urls = digest_urls.entry(date).or_default();
            if let Some(url) = &input.article.digest_url {
                if !urls.contains(url) {
                    urls.push(url.clone());
                }
            }
        }
    }
    digest_urls
        .into_iter()
        .map(|(date, mut urls)| {
            urls.sort();
            Digest { date, urls }
        })
        .collect()
}

/// A closest link resolved to an article, or the id of the stub it goes to
/// (stubs are numbered once all are known).
type PendingLink = Result<Link, String>;

/// Finds the article a closest link names: by id prefix, then by normalised
/// title.
struct LinkResolver<'a> {
    by_id: HashMap<&'a str, usize>,
    /// The distinct lengths of the articles' ids, shortest first.
    id_lengths: Vec<usize>,
    by_title: HashMap<&'a str, usize>,
}

impl<'a> LinkResolver<'a> {
    fn new(articles: &'a [Input], keys: &'a [ArticleKeys]) -> LinkResolver<'a> {
        let by_id = articles
            .iter()
            .enumerate()
            .map(|(i, input)| (input.article.id.as_str(), i))
            .collect();
        let mut id_lengths: Vec<usize> = articles.iter().map(|i| i.article.id.len()).collect();
        id_lengths.sort_unstable();
        id_lengths.dedup();
        let mut by_title: HashMap<&str, usize> = HashMap::new();
        for (i, k) in keys.iter().enumerate() {
            // Articles are sorted by id, so the first one with a title wins.
            by_title.entry(k.title_key.as_str()).or_insert(i);
        }
        LinkResolver {
            by_id,
            id_lengths,
            by_title,
        }
    }

    /// The article `target` (lower-cased) or `title` names, if any.
    fn resolve(&self, target: &str, title: &str) -> Option<Link> {
        let by_prefix = self
            .id_lengths
            .iter()
            .filter(|&&len| len <= target.len() && target.is_char_boundary(len))
            .find_map(|&len| self.by_id.get(&target[..len]).copied());
        if let Some(i) = by_prefix {
            return Some(Link {
                target: LinkTarget::Article(i),
                resolution: Resolution::ById,
            });
        }
        self.by_title
            .get(concept_key(title).as_str())
            .map(|&i| Link {
                target: LinkTarget::Article(i),
                resolution: Resolution::ByTitle,
            })
    }
}

/// Closest-link resolution: id prefix, then normalised title, else a stub.
/// Per article its links, and the stubs sorted by id.
fn resolve_closest(articles: &[Input], keys: &[ArticleKeys]) -> (Vec<Vec<PendingLink>>, Vec<Stub>) {
    let resolver = LinkResolver::new(articles, keys);
    let mut stub_index: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut pending: Vec<Vec<PendingLink>> = Vec::with_capacity(articles.len());
    for input in articles {
        let mut resolved = Vec::with_capacity(input.article.closest.len());
        for link in &input.article.closest {
            let target = link.target.to_ascii_lowercase();
            if let Some(found) = resolver.resolve(&target, &link.title) {
                resolved.push(Ok(found));
            } else {
                let stub_id = stub_id_of(&target);
                stub_index
                    .entry(stub_id.clone())
                    .or_insert_with(|| (link.target.clone(), link.title.clone()));
                resolved.push(Err(stub_id));
            }
        }
        pending.push(resolved);
    }
    let stubs = stub_index
        .into_iter()
        .map(|(id, (target, title))| Stub { id, target, title })
        .collect();
    (pending, stubs)
}

/// Where each merged node sits, to link the articles to them.
struct Positions<'a> {
    concepts: HashMap<ConceptRef, ConceptId>,
    stubs: HashMap<&'a str, usize>,
    digests: HashMap<Date, usize>,
    /// Sorted.
    sources: &'a [String],
}

impl Positions<'_> {
    /// The links of one article, from its keys, its pending closest links and
    /// its publisher host.
    fn links_of(
        &self,
        date: Option<Date>,
        k: &ArticleKeys,
        pending: Vec<PendingLink>,
        host: Option<String>,
    ) -> ArticleLinks {
        let lookup = |kind, n: &Named| self.concepts[&(kind, n.group)];
        let mut themes: Vec<ConceptId> = k
            .themes
            .iter()
            .map(|n| lookup(ConceptKind::Theme, n))
            .collect();
        themes.sort_unstable();
        themes.dedup();
        let mut keywords: Vec<ConceptId> = k
            .keywords
            .iter()
            .map(|n| lookup(ConceptKind::Keyword, n))
            .collect();
        keywords.sort_unstable();
        keywords.dedup();
        let signals = k
            .driving_forces
            .iter()
            .map(|df| SignalLinks {
                driving_force: df.as_ref().map(|n| lookup(ConceptKind::DrivingForce, n)),
            })
            .collect();
        let closest = pending
            .into_iter()
            .map(|r| match r {
                Ok(link) => link,
                Err(stub_id) => Link {
                    target: LinkTarget::Stub(self.stubs[stub_id.as_str()]),
                    resolution: Resolution::Unresolved,
                },
            })
            .collect();
        ArticleLinks {
            themes,
            keywords,
            signals,
            closest,
            source: host.and_then(|h| self.sources.binary_search(&h).ok()),
            digest: date.map(|d| self.digests[&d]),
        }
    }
}

/// The id a stub gets: the first 16 hex digits of a link target, which is the
/// id the article's file will carry; other targets are hashed to 16 hex digits.
fn stub_id_of(target: &str) -> String {
    if target.len() >= 16 && target.bytes().take(16).all(|b| b.is_ascii_hexdigit()) {
        target[..16].to_ascii_lowercase()
    } else {
        blake3::hash(target.as_bytes()).to_hex()[..16].to_string()
    }
}

/// The lowercase host of an http(s) URL, without user info or port.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next()?
    } else {
        host.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://www.ibtimes.co.uk/our-chatbots?x=1").as_deref(),
            Some("www.ibtimes.co.uk")
        );
        assert_eq!(
            host_of("http://u:p@Example.ORG:8080/a").as_deref(),
            Some("example.org")
        );
        assert_eq!(host_of("mailto:x@y"), None);
        assert_eq!(host_of("https://[::1]:80/").as_deref(), Some("[::1]"));
    }

    #[test]
    fn stub_ids() {
        assert_eq!(
            stub_id_of("b15a8c5cc8e0bed49f5aa1dae25ab026"),
            "b15a8c5cc8e0bed4"
        );
        assert_eq!(stub_id_of("not-hex").len(), 16);
    }
}
