//! Seeded vocabularies (keywords, themes, driving forces, publisher hosts) and a Zipf sampler over them.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand::Rng;

use super::words;

/// A Zipf (power-law) distribution over ranks `0..n`: rank `r` has weight `1 / (r + 1)^s`.
#[derive(Debug, Clone)]
pub(crate) struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub(crate) fn new(n: usize, s: f64) -> Self {
        let mut total = 0.0;
        let cdf = (0..n.max(1))
            .map(|r| {
                total += 1.0 / ((r + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { cdf }
    }

    /// A rank in `0..n` (always 0 for an empty distribution).
    pub(crate) fn sample<R: Rng>(&self, rng: &mut R) -> usize {
        let total = self.cdf[self.cdf.len() - 1];
        let u = rng.random::<f64>() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}

/// A list of items and a Zipf distribution over their positions.
#[derive(Debug, Clone)]
pub(crate) struct Ranked<T> {
    pub(crate) items: Vec<T>,
    zipf: Zipf,
}

impl<T: Copy> Ranked<T> {
    pub(crate) fn new(items: Vec<T>, s: f64) -> Self {
        let zipf = Zipf::new(items.len(), s);
        Ranked { items, zipf }
    }

    /// A Zipf-distributed item, or `None` when the list is empty.
    pub(crate) fn sample<R: Rng>(&self, rng: &mut R) -> Option<T> {
        if self.items.is_empty() {
            None
        } else {
            Some(self.items[self.zipf.sample(rng)])
        }
    }
}

/// What kind of keyword a vocabulary entry is; it decides casing and how prose uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeywordKind {
    /// Upper- or mixed-case acronym (`AI`, `mRNA`).
    Acronym,
    /// Lowercase common topic (`automation`, `job cuts`).
    Topic,
    /// Proper place name (`Kenya`).
    Place,
    /// Lowercase two-word phrase (`remote work`).
    Phrase,
    /// Invented organisation name (`Veltrana Labs`).
    Entity,
}

/// One keyword concept in its canonical surface form.
#[derive(Debug, Clone)]
pub(crate) struct Keyword {
    pub(crate) text: String,
    pub(crate) kind: KeywordKind,
}

/// A publisher host and the URL path style it uses.
#[derive(Debug, Clone)]
pub(crate) struct Host {
    pub(crate) name: String,
    pub(crate) style: u8,
}

/// All vocabularies of one generated collection.
#[derive(Debug)]
pub(crate) struct Vocab {
    pub(crate) keywords: Vec<Keyword>,
    /// Common keywords (acronyms, topics, places) by global rank.
    pub(crate) generic: Ranked<u32>,
    /// Number of leading `generic` ranks shared by all groups; the rest is split among groups.
    pub(crate) generic_head: usize,
    /// Entity keyword ids by global rank.
    pub(crate) entities: Vec<u32>,
    /// Phrase keyword ids of each group, built around the group's head nouns.
    pub(crate) group_phrases: Vec<Vec<u32>>,
    /// Themes in use, by global rank.
    pub(crate) themes: Vec<&'static str>,
    pub(crate) theme_rank: Zipf,
    /// Driving forces by global rank; the first `force_head` are the common ones.
    pub(crate) forces: Vec<String>,
    pub(crate) force_rank: Zipf,
    pub(crate) force_head: usize,
    /// Driving-force indices owned by each group (about the group's head nouns).
    pub(crate) group_forces: Vec<Vec<u32>>,
    pub(crate) hosts: Vec<Host>,
    pub(crate) host_rank: Zipf,
}

/// Normalised form used to keep vocabulary entries distinct (case and spacing folded).
pub(crate) fn fold(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// An invented brand-like name from two word halves (`Northwave`, `Lumenpath`).
pub(crate) fn invent_name<R: Rng>(rng: &mut R) -> String {
    let start = words::NAME_STARTS[rng.random_range(0..words::NAME_STARTS.len())];
    let end = words::NAME_ENDS[rng.random_range(0..words::NAME_ENDS.len())];
    format!("{start}{end}")
}

/// Target sizes, growing sublinearly with the collection.
pub(crate) fn keyword_target(articles: usize) -> usize {
    (16.0 * (articles as f64).powf(0.6)).round().max(60.0) as usize
}

fn force_target(articles: usize) -> usize {
    (4.0 * (articles as f64).sqrt()).round().max(60.0) as usize
}

fn theme_target(articles: usize) -> usize {
    let n = 30.0 + 2.0 * (articles.max(1) as f64).log2();
    (n.round() as usize).clamp(30, words::THEMES.len())
}

fn host_target(articles: usize) -> usize {
    (articles / 4).clamp(20, 400)
}

impl Vocab {
    pub(crate) fn build<R: Rng>(articles: usize, groups: usize, rng: &mut R) -> Self {
        let mut set = KeywordSet::default();
        let generic = common_keywords(&mut set, rng);
        let target = keyword_target(articles);
        let generic_head = (generic.len() * 2 / 5).max(10);

        // The rest of the vocabulary: ~65 % phrases, ~35 % invented entities.
        let rest = target.saturating_sub(generic.len()).max(40);
        let want_entities = (rest * 35 / 100).max(20);
        let want_phrases = rest - want_entities.min(rest);

        let group_heads = group_heads(groups, rng);
        let per_group = want_phrases.div_ceil(groups.max(1)).max(3);
        let group_phrases = build_group_phrases(&mut set, &group_heads, per_group, rng);
        let phrases: usize = group_phrases.iter().map(Vec::len).sum();
        // If the phrase space runs out (very large collections), entities fill the gap.
        let want_entities = want_entities + want_phrases.saturating_sub(phrases);
        let entities = invent_entities(&mut set, want_entities, rng);

        let mut themes: Vec<&'static str> = words::THEMES.to_vec();
        themes.shuffle(rng);
        themes.truncate(theme_target(articles));
        let theme_rank = Zipf::new(themes.len(), 0.8);

        let (forces, group_forces) = build_forces(articles, &group_heads, rng);
        let force_rank = Zipf::new(forces.len(), 1.0);

        let hosts = build_hosts(articles, rng);
        let host_rank = Zipf::new(hosts.len(), 0.9);

        Vocab {
            keywords: set.keywords,
            generic: Ranked::new(generic, 1.0),
            generic_head,
            entities,
            group_phrases,
            themes,
            theme_rank,
            force_head: words::FORCE_HEAD.len(),
            group_forces,
            forces,
            force_rank,
            hosts,
            host_rank,
        }
    }

    pub(crate) fn keyword(&self, id: u32) -> &Keyword {
        &self.keywords[id as usize]
    }
}

/// Keywords under construction, distinct once folded.
#[derive(Default)]
struct KeywordSet {
    seen: HashSet<String>,
    keywords: Vec<Keyword>,
}

impl KeywordSet {
    /// Adds a keyword and returns its id, or `None` if its folded form is taken.
    fn add(&mut self, text: String, kind: KeywordKind) -> Option<u32> {
        if self.seen.insert(fold(&text)) {
            self.keywords.push(Keyword { text, kind });
            Some((self.keywords.len() - 1) as u32)
        } else {
            None
        }
    }
}

/// Common keywords by global rank: all of them exist in every collection. The
/// most common ranks go to broad topics (`AI`, `automation`); places never lead.
fn common_keywords<R: Rng>(set: &mut KeywordSet, rng: &mut R) -> Vec<u32> {
    let mut hot: Vec<u32> = Vec::new();
    let mut topics: Vec<u32> = Vec::new();
    let mut places: Vec<u32> = Vec::new();
    for w in words::HOT_TOPICS {
        let kind = if w.chars().any(char::is_uppercase) {
            KeywordKind::Acronym
        } else {
            KeywordKind::Topic
        };
        hot.extend(set.add((*w).to_string(), kind));
    }
    for w in words::ACRONYMS {
        topics.extend(set.add((*w).to_string(), KeywordKind::Acronym));
    }
    for w in words::TOPICS {
        topics.extend(set.add((*w).to_string(), KeywordKind::Topic));
    }
    for w in words::PLACES {
        places.extend(set.add((*w).to_string(), KeywordKind::Place));
    }
    hot.shuffle(rng);
    topics.shuffle(rng);
    let lead = topics.len().min(20);
    let mut tail: Vec<u32> = topics.split_off(lead);
    tail.extend(places);
    tail.shuffle(rng);
    let mut generic = hot;
    generic.extend(topics);
    generic.extend(tail);
    generic
}

/// Up to `per_group` phrases per group, built around the group's head nouns
/// (`instant payments`, `mobile payments`), so a group's phrases share words the
/// way a real trend cluster's keywords do.
fn build_group_phrases<R: Rng>(
    set: &mut KeywordSet,
    group_heads: &[Vec<usize>],
    per_group: usize,
    rng: &mut R,
) -> Vec<Vec<u32>> {
    let mut group_phrases: Vec<Vec<u32>> = Vec::with_capacity(group_heads.len());
    for heads in group_heads {
        let mut modifiers: Vec<usize> = (0..words::MODIFIERS.len()).collect();
        modifiers.shuffle(rng);
        let mut own = Vec::with_capacity(per_group);
        'outer: for &m in &modifiers {
            for &h in heads {
                if own.len() >= per_group {
                    break 'outer;
                }
                let (m, h) = (words::MODIFIERS[m], words::HEADS[h]);
                if m == h {
                    continue;
                }
                if let Some(id) = set.add(format!("{m} {h}"), KeywordKind::Phrase) {
                    own.push(id);
                }
            }
        }
        group_phrases.push(own);
    }
    group_phrases
}

/// Up to `want` invented organisation names, some with a company suffix.
fn invent_entities<R: Rng>(set: &mut KeywordSet, want: usize, rng: &mut R) -> Vec<u32> {
    let mut entities = Vec::new();
    let mut attempts = 0usize;
    while entities.len() < want && attempts < want * 20 + 100 {
        attempts += 1;
        let mut name = invent_name(rng);
        if rng.random_bool(0.45) {
            name.push(' ');
            name.push_str(
                words::COMPANY_SUFFIXES[rng.random_range(0..words::COMPANY_SUFFIXES.len())],
            );
        }
        if let Some(id) = set.add(name, KeywordKind::Entity) {
            entities.push(id);
        }
    }
    entities
}

/// Head nouns (indices into `HEADS`) of each group: at least two per group,
/// shared by neighbouring groups only when there are more groups than nouns.
fn group_heads<R: Rng>(groups: usize, rng: &mut R) -> Vec<Vec<usize>> {
    let n = words::HEADS.len();
    let per = n.div_ceil(groups.max(1)).clamp(2, 4);
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    (0..groups)
        .map(|g| (0..per).map(|j| order[(g * per + j) % n]).collect())
        .collect()
}

/// Driving forces: the common head (shuffled), a global tail about common topics,
/// then for each group a few forces about its head nouns (`Rising cost of
/// logistics`). Returns the forces and each group's own force indices.
fn build_forces<R: Rng>(
    articles: usize,
    group_heads: &[Vec<usize>],
    rng: &mut R,
) -> (Vec<String>, Vec<Vec<u32>>) {
    let mut seen = HashSet::new();
    let mut forces: Vec<String> = Vec::new();
    for f in words::FORCE_HEAD {
        if seen.insert(fold(f)) {
            forces.push((*f).to_string());
        }
    }
    // Shuffle the head so the most common force differs between seeds.
    forces.shuffle(rng);
    let head = forces.len();
    let target = force_target(articles).saturating_sub(head);
    let groups = group_heads.len().max(1);
    let per_group = (target * 7 / 10 / groups).max(3);

    let mut group_texts: Vec<Vec<String>> = Vec::with_capacity(groups);
    for heads in group_heads {
        let mut combos: Vec<(usize, usize)> = (0..words::FORCE_TEMPLATES.len())
            .flat_map(|t| heads.iter().map(move |&h| (t, h)))
            .collect();
        combos.shuffle(rng);
        let mut own = Vec::with_capacity(per_group);
        for (t, h) in combos {
            if own.len() >= per_group {
                break;
            }
            let f = words::FORCE_TEMPLATES[t].replace("{}", words::HEADS[h]);
            if seen.insert(fold(&f)) {
                own.push(f);
            }
        }
        group_texts.push(own);
    }
    let owned: usize = group_texts.iter().map(Vec::len).sum();

    let subjects: Vec<&str> = words::TOPICS
        .iter()
        .chain(words::ACRONYMS.iter())
        .copied()
        .collect();
    let mut combos: Vec<(usize, usize)> = (0..words::FORCE_TEMPLATES.len())
        .flat_map(|t| (0..subjects.len()).map(move |s| (t, s)))
        .collect();
    combos.shuffle(rng);
    let want = head + target.saturating_sub(owned);
    for (t, s) in combos {
        if forces.len() >= want {
            break;
        }
        let f = words::FORCE_TEMPLATES[t].replace("{}", subjects[s]);
        if seen.insert(fold(&f)) {
            forces.push(f);
        }
    }
    // Group-owned forces rank last, so global noise rarely picks another group's.
    let mut group_forces = Vec::with_capacity(groups);
    for texts in group_texts {
        let start = forces.len() as u32;
        group_forces.push((start..start + texts.len() as u32).collect());
        forces.extend(texts);
    }
    (forces, group_forces)
}

fn build_hosts<R: Rng>(articles: usize, rng: &mut R) -> Vec<Host> {
    let want = host_target(articles);
    let mut seen = HashSet::new();
    let mut hosts = Vec::new();
    let mut attempts = 0;
    while hosts.len() < want && attempts < want * 50 {
        attempts += 1;
        let base = invent_name(rng).to_lowercase();
        let word = words::HOST_WORDS[rng.random_range(0..words::HOST_WORDS.len())];
        let name = match rng.random_range(0..10) {
            0..=5 => format!("www.{base}{word}.example"),
            6..=7 => format!("{base}{word}.example"),
            _ => format!("{word}.{base}.example"),
        };
        if seen.insert(name.clone()) {
            hosts.push(Host {
                name,
                style: rng.random_range(0..4),
            });
        }
    }
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn zipf_prefers_low_ranks() {
        let z = Zipf::new(100, 1.0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = [0usize; 100];
        for _ in 0..50_000 {
            counts[z.sample(&mut rng)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[9] && counts[9] > counts[99]);
        let ratio = counts[0] as f64 / counts[9] as f64;
        assert!((7.0..14.0).contains(&ratio), "{ratio}");
    }

    #[test]
    fn vocabularies_grow_with_the_collection() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let small = Vocab::build(100, 5, &mut rng);
        let large = Vocab::build(100_000, 158, &mut rng);
        assert!(large.keywords.len() > 10 * small.keywords.len() / 2);
        assert!(large.keywords.len() >= keyword_target(100_000) * 9 / 10);
        assert!(large.forces.len() > small.forces.len());
        assert!((30..=60).contains(&small.themes.len()));
        assert!((200..=400).contains(&large.hosts.len()));
        let folded: HashSet<String> = large.keywords.iter().map(|k| fold(&k.text)).collect();
        assert_eq!(folded.len(), large.keywords.len());
        assert_eq!(large.group_phrases.len(), 158);
        assert!(large.group_phrases.iter().all(|p| p.len() >= 30));
    }
}
