//! The collection plan: per-article metadata (group, date, keywords, title, id), missing articles, format variants and link targets.
//!
//! The planted groups it draws from are built in `groups.rs`.
//!
//! Everything here is decided before any file is written. Sequential steps use
//! one seeded stream each; per-article steps use a stream derived from
//! `(seed, step, index)`, so the plan does not depend on thread scheduling.

use std::collections::HashSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::calendar::Calendar;
use super::groups::{build_groups, Group};
use super::prose;
use super::vocab::{fold, KeywordKind, Vocab};

/// Stream domains: every random decision belongs to exactly one.
pub(crate) mod domain {
    pub(crate) const VOCAB: u64 = 1;
    pub(crate) const GROUPS: u64 = 2;
    pub(crate) const ARTICLE_META: u64 = 3;
    pub(crate) const MISSING: u64 = 4;
    pub(crate) const VARIANTS: u64 = 5;
    pub(crate) const ARTICLE_BODY: u64 = 6;
    pub(crate) const BURSTS: u64 = 7;
}

/// A ChaCha8 stream for `(seed, domain, index)`.
pub(crate) fn stream(seed: u64, domain: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream((domain << 48) ^ index);
    rng
}

/// Format variants a file may carry (bit flags), each applied to ~1 % of articles.
pub(crate) mod variant {
    pub(crate) const BOM: u8 = 1;
    pub(crate) const CRLF: u8 = 1 << 1;
    pub(crate) const DASH_BULLETS: u8 = 1 << 2;
    pub(crate) const PLAIN_TITLE: u8 = 1 << 3;
    pub(crate) const EXTRA_COLUMN: u8 = 1 << 4;
    pub(crate) const ESCAPED_PIPE: u8 = 1 << 5;
    pub(crate) const REORDERED: u8 = 1 << 6;

    /// (flag, name in truth.json, share of articles).
    pub(crate) const ALL: [(u8, &str, f64); 7] = [
        (BOM, "bom", 0.01),
        (CRLF, "crlf", 0.01),
        (DASH_BULLETS, "dash_bullets", 0.015),
        (PLAIN_TITLE, "plain_title", 0.01),
        (EXTRA_COLUMN, "extra_column", 0.01),
        (ESCAPED_PIPE, "escaped_pipe", 0.01),
        (REORDERED, "reordered_sections", 0.01),
    ];

    /// Names of the variants in `flags`, in a fixed order.
    pub(crate) fn names(flags: u8) -> Vec<&'static str> {
        ALL.iter()
            .filter(|(f, _, _)| flags & f != 0)
            .map(|(_, n, _)| *n)
            .collect()
    }
}

/// Probability that an article bridges its group with a second one.
const BRIDGE_RATE: f64 = 0.03;
/// Share of closest links that point to articles not in the collection.
const DANGLING_RATE: f64 = 0.02;
/// Share of the remaining closest links that stay inside the article's group.
const IN_GROUP_RATE: f64 = 0.80;

/// One article's planned metadata.
#[derive(Debug)]
pub(crate) struct Article {
    /// 128-bit id; its first 64 bits are the file id.
    pub(crate) id: [u8; 16],
    pub(crate) group: u32,
    pub(crate) bridge: Option<u32>,
    pub(crate) week: u32,
    /// The organisation the article is about (also `keywords[0]`).
    pub(crate) entity: Option<u32>,
    pub(crate) keywords: Vec<u32>,
    pub(crate) themes: Vec<u16>,
    pub(crate) title: String,
    pub(crate) variants: u8,
}

impl Article {
    pub(crate) fn file_id(&self) -> u64 {
        file_id(&self.id)
    }
}

/// An article that is linked to but not part of the collection.
#[derive(Debug)]
pub(crate) struct Missing {
    pub(crate) id: [u8; 16],
    pub(crate) title: String,
}

/// Where a closest link points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// An article of the collection (index in final order).
    Article(u32),
    /// A missing article: (group, index in that group's missing pool).
    Missing(u32, u32),
}

/// The whole plan.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) seed: u64,
    pub(crate) calendar: Calendar,
    pub(crate) vocab: Vocab,
    pub(crate) groups: Vec<Group>,
    /// Articles in final (file number) order: by issue date, then id.
    pub(crate) articles: Vec<Article>,
    /// Final article indices per group.
    pub(crate) members: Vec<Vec<u32>>,
    /// Missing (dangling-link) articles per group.
    pub(crate) missing: Vec<Vec<Missing>>,
    /// Keywords that burst: planted in many articles for a few weeks.
    pub(crate) bursts: Vec<PlantedBurst>,
}

/// A keyword planted in [`BURST_RATE`] of the articles of a few weeks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PlantedBurst {
    pub(crate) keyword: u32,
    /// First and last issue of the burst.
    pub(crate) weeks: (u32, u32),
}

/// Share of the articles of a burst's weeks that name its keyword.
const BURST_RATE: f64 = 0.3;
/// Shortest and longest burst, in weekly issues.
const BURST_WEEKS: (u32, u32) = (8, 13);

pub(crate) fn file_id(id: &[u8; 16]) -> u64 {
    let mut head = [0u8; 8];
    head.copy_from_slice(&id[..8]);
    u64::from_be_bytes(head)
}

fn derive_id(seed: u64, kind: &[u8], a: u64, b: u64) -> [u8; 16] {
    let mut h = blake3::Hasher::new();
    h.update(b"signalgraph/generate/");
    h.update(kind);
    h.update(&seed.to_le_bytes());
    h.update(&a.to_le_bytes());
    h.update(&b.to_le_bytes());
    let mut id = [0u8; 16];
    id.copy_from_slice(&h.finalize().as_bytes()[..16]);
    id
}

/// Cumulative weights for sampling an index proportionally to arbitrary weights.
struct Weighted {
    cdf: Vec<f64>,
}

impl Weighted {
    fn new(weights: &[f64]) -> Self {
        let mut total = 0.0;
        let cdf = weights
            .iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cdf }
    }

    fn sample<R: Rng>(&self, rng: &mut R) -> usize {
        let total = self.cdf[self.cdf.len() - 1];
        let u = rng.random::<f64>() * total;
        self.cdf
            .partition_point(|&c| c <= u)
            .min(self.cdf.len() - 1)
    }
}

/// Pick from a small discrete distribution given as (value, weight) pairs.
pub(crate) fn pick_count<R: Rng>(rng: &mut R, table: &[(usize, u32)]) -> usize {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut u = rng.random_range(0..total);
    for &(v, w) in table {
        if u < w {
            return v;
        }
        u -= w;
    }
    table[table.len() - 1].0
}

/// Key under which titles must be unique (case, spacing and surrounding punctuation folded).
pub(crate) fn title_key(title: &str) -> String {
    fold(title)
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

impl Plan {
    pub(crate) fn build(
        seed: u64,
        articles: usize,
        groups: usize,
        start_year: i32,
        years: u32,
    ) -> Self {
        let calendar = Calendar::new(start_year, years);
        let vocab = Vocab::build(articles, groups, &mut stream(seed, domain::VOCAB, 0));
        let (groups, weights) = build_groups(groups, &vocab, &mut stream(seed, domain::GROUPS, 0));
        let group_pick = Weighted::new(&weights);

        let mut metas: Vec<Article> = (0..articles)
            .into_par_iter()
            .map(|i| plan_article(seed, i, &vocab, &groups, &group_pick, &calendar))
            .collect();

        let mut ids = unique_ids(seed, &mut metas);
        metas.sort_by_key(|a| (a.week, a.id));

        // Titles must be unique after normalisation, or title-based link resolution is ambiguous.
        let mut titles: HashSet<String> = HashSet::with_capacity(articles * 2);
        for a in &mut metas {
            a.title = unique_title(&a.title, &mut titles);
        }

        let mut members = vec![Vec::new(); groups.len()];
        for (i, a) in metas.iter().enumerate() {
            members[a.group as usize].push(i as u32);
        }

        let missing = (0..groups.len())
            .map(|g| {
                let count = (members[g].len() / 20).max(6);
                let unique = Unique {
                    ids: &mut ids,
                    titles: &mut titles,
                };
                plan_missing(seed, g, count, &vocab, &groups[g], &calendar, unique)
            })
            .collect();

        assign_variants(seed, &mut metas);
        let bursts = plan_bursts(seed, groups.len(), &vocab, &calendar);
        plant_bursts(seed, &bursts, &mut metas);

        Plan {
            seed,
            calendar,
            vocab,
            groups,
            articles: metas,
            members,
            missing,
            bursts,
        }
    }

    /// Closest-link targets of article `i`: 3-6 distinct targets, mostly in its group.
    pub(crate) fn links<R: Rng>(&self, i: usize, rng: &mut R) -> Vec<Target> {
        let article = &self.articles[i];
        let count = pick_count(rng, &[(3, 20), (4, 30), (5, 35), (6, 15)]);
        let mut out: Vec<Target> = Vec::with_capacity(count);
        let n = self.articles.len();
        for _ in 0..count {
            let mut chosen = None;
            for _ in 0..12 {
                let src = match article.bridge {
                    Some(b) if rng.random_bool(0.45) => b,
                    _ => article.group,
                };
                let r = rng.random::<f64>();
                let candidate = if r < DANGLING_RATE {
                    self.missing_target(src, rng)
                } else if r < DANGLING_RATE + (1.0 - DANGLING_RATE) * IN_GROUP_RATE {
                    let parents = &self.groups[src as usize].link_to;
                    let to = if !parents.is_empty() && rng.random_bool(0.5) {
                        parents[rng.random_range(0..parents.len())]
                    } else {
                        src
                    };
                    self.member_target(to, rng)
                } else {
                    let neighbors = &self.groups[article.group as usize].neighbors;
                    if !neighbors.is_empty() && rng.random_bool(0.6) {
                        let g = neighbors[rng.random_range(0..neighbors.len())];
                        self.member_target(g, rng)
                    } else {
                        Some(Target::Article(rng.random_range(0..n) as u32))
                    }
                };
                if let Some(c) = candidate {
                    if c != Target::Article(i as u32) && !out.contains(&c) {
                        chosen = Some(c);
                        break;
                    }
                }
            }
            // Tiny collections may run out of distinct articles: fall back to missing ones.
            let fallback = || {
                let g = article.group;
                (0..self.missing[g as usize].len() as u32)
                    .map(|j| Target::Missing(g, j))
                    .find(|t| !out.contains(t))
            };
            if let Some(t) = chosen.or_else(fallback) {
                out.push(t);
            }
        }
        out
    }

    fn member_target<R: Rng>(&self, group: u32, rng: &mut R) -> Option<Target> {
        let m = &self.members[group as usize];
        if m.is_empty() {
            None
        } else {
            Some(Target::Article(m[rng.random_range(0..m.len())]))
        }
    }

    fn missing_target<R: Rng>(&self, group: u32, rng: &mut R) -> Option<Target> {
        let m = &self.missing[group as usize];
        if m.is_empty() {
            None
        } else {
            Some(Target::Missing(group, rng.random_range(0..m.len()) as u32))
        }
    }

    /// Non-entity keyword texts of an article, most useful for prose first (places last).
    pub(crate) fn prose_keywords(&self, keywords: &[u32]) -> Vec<&str> {
        prose_keywords(&self.vocab, keywords)
    }
}

fn prose_keywords<'a>(vocab: &'a Vocab, keywords: &[u32]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::with_capacity(keywords.len());
    let mut places: Vec<&str> = Vec::new();
    for &k in keywords {
        let kw = vocab.keyword(k);
        match kw.kind {
            KeywordKind::Entity => {}
            KeywordKind::Place => places.push(&kw.text),
            _ => out.push(&kw.text),
        }
    }
    out.extend(places);
    if out.is_empty() {
        out.push("innovation");
    }
    out
}

/// Makes article ids unique by their first 64 bits (the file id); returns the ids taken.
fn unique_ids(seed: u64, metas: &mut [Article]) -> HashSet<u64> {
    let mut ids: HashSet<u64> = HashSet::with_capacity(metas.len() * 2);
    for (i, a) in metas.iter_mut().enumerate() {
        let mut attempt = 1;
        while !ids.insert(a.file_id()) {
            a.id = derive_id(seed, b"article", i as u64, attempt);
            attempt += 1;
        }
    }
    ids
}

/// The file ids and title keys already taken.
struct Unique<'a> {
    ids: &'a mut HashSet<u64>,
    titles: &'a mut HashSet<String>,
}

/// The `count` missing articles of group `g`, with ids and titles unique in the collection.
fn plan_missing(
    seed: u64,
    g: usize,
    count: usize,
    vocab: &Vocab,
    group: &Group,
    calendar: &Calendar,
    unique: Unique,
) -> Vec<Missing> {
    let mut rng = stream(seed, domain::MISSING, g as u64);
    (0..count)
        .map(|j| {
            let mut id = derive_id(seed, b"missing", g as u64, j as u64);
            let mut attempt = 0u64;
            while !unique.ids.insert(file_id(&id)) {
                attempt += 1;
                id = derive_id(seed, b"missing", g as u64, j as u64 ^ (attempt << 40));
            }
            let title = missing_title(&mut rng, vocab, group, calendar);
            Missing {
                id,
                title: unique_title(&title, unique.titles),
            }
        })
        .collect()
}

/// One burst per five groups (two to ten): rare keywords (from the tail of
/// the generic vocabulary), each over 8 to 13 weeks starting between a fifth
/// of the period and its end; two bursts never share a keyword.
fn plan_bursts(seed: u64, groups: usize, vocab: &Vocab, calendar: &Calendar) -> Vec<PlantedBurst> {
    let mut rng = stream(seed, domain::BURSTS, 0);
    let tail = &vocab.generic.items[vocab.generic_head.min(vocab.generic.items.len())..];
    let weeks = calendar.weeks();
    if tail.is_empty() || weeks <= BURST_WEEKS.1 * 2 {
        return Vec::new();
    }
    let count = (groups / 5).clamp(2, 10).min(tail.len());
    rand::seq::index::sample(&mut rng, tail.len(), count)
        .into_iter()
        .map(|k| {
            let length = rng.random_range(BURST_WEEKS.0..=BURST_WEEKS.1);
            let first = rng.random_range(weeks / 5..weeks - length);
            PlantedBurst {
                keyword: tail[k],
                weeks: (first, first + length - 1),
            }
        })
        .collect()
}

/// Adds each burst's keyword to [`BURST_RATE`] of the articles of its weeks.
fn plant_bursts(seed: u64, bursts: &[PlantedBurst], metas: &mut [Article]) {
    metas.par_iter_mut().enumerate().for_each(|(i, a)| {
        let mut rng = stream(seed, domain::BURSTS, 1 + i as u64);
        for b in bursts {
            if (b.weeks.0..=b.weeks.1).contains(&a.week)
                && rng.random_bool(BURST_RATE)
                && !a.keywords.contains(&b.keyword)
            {
                a.keywords.push(b.keyword);
            }
        }
    });
}

/// Gives each format variant to its share of articles (at least one in collections of 50 or more).
fn assign_variants(seed: u64, metas: &mut [Article]) {
    let articles = metas.len();
    let mut rng = stream(seed, domain::VARIANTS, 0);
    for (flag, _, rate) in variant::ALL {
        let mut count = (articles as f64 * rate).round() as usize;
        if articles >= 50 {
            count = count.max(1);
        }
        for i in rand::seq::index::sample(&mut rng, articles, count.min(articles)) {
            metas[i].variants |= flag;
        }
    }
}

fn unique_title(title: &str, seen: &mut HashSet<String>) -> String {
    if seen.insert(title_key(title)) {
        return title.to_string();
    }
    for suffix in prose::TITLE_SUFFIXES {
        let candidate = format!("{title}{suffix}");
        if seen.insert(title_key(&candidate)) {
            return candidate;
        }
    }
    let mut n = 2u64;
    loop {
        let candidate = format!("{title} (Part {n})");
        if seen.insert(title_key(&candidate)) {
            return candidate;
        }
        n += 1;
    }
}

fn plan_article(
    seed: u64,
    i: usize,
    vocab: &Vocab,
    groups: &[Group],
    group_pick: &Weighted,
    calendar: &Calendar,
) -> Article {
    let mut rng = stream(seed, domain::ARTICLE_META, i as u64);
    let rng = &mut rng;
    let (group, bridge) = pick_group(i, groups, group_pick, rng);
    let g = &groups[group];
    let week = calendar.week_of(g.sample_time(rng));
    let sources = Sources {
        home: g,
        groups,
        bridge,
    };
    let (entity, keywords) = article_keywords(vocab, &sources, rng);
    let themes = article_themes(vocab, &sources, rng);

    let prose_kw = prose_keywords(vocab, &keywords);
    let year = calendar.date(week).year;
    let title = prose::title(
        rng,
        entity.map(|e| vocab.keyword(e).text.as_str()),
        &prose_kw,
        vocab.themes[themes[0] as usize],
        year,
    );

    Article {
        id: derive_id(seed, b"article", i as u64, 0),
        group: group as u32,
        bridge,
        week,
        entity,
        keywords,
        themes,
        title,
        variants: 0,
    }
}

/// Article `i`'s group and, now and then, a second group it bridges to.
fn pick_group(
    i: usize,
    groups: &[Group],
    group_pick: &Weighted,
    rng: &mut ChaCha8Rng,
) -> (usize, Option<u32>) {
    // The first articles seed every group, so no group is empty.
    let group = if i < groups.len() {
        i
    } else {
        group_pick.sample(rng)
    };
    let g = &groups[group];
    let bridge = if groups.len() >= 2 && rng.random_bool(BRIDGE_RATE) {
        if !g.neighbors.is_empty() && rng.random_bool(0.7) {
            Some(g.neighbors[rng.random_range(0..g.neighbors.len())])
        } else {
            let other = (group + rng.random_range(1..groups.len())) % groups.len();
            Some(other as u32)
        }
    } else {
        None
    };
    (group, bridge)
}

/// The groups an article draws its vocabulary from: its own and, if it bridges, a second one.
struct Sources<'a> {
    home: &'a Group,
    groups: &'a [Group],
    bridge: Option<u32>,
}

impl<'a> Sources<'a> {
    /// The group to draw the next word from (the bridged one 40 % of the time).
    fn pick(&self, rng: &mut ChaCha8Rng) -> &'a Group {
        let group = match self.bridge {
            Some(b) if rng.random_bool(0.4) => &self.groups[b as usize],
            _ => self.home,
        };
        group.vocabulary(self.groups, rng)
    }
}

/// An article's keywords: an organisation first (usually, returned apart as well), then
/// the group's vocabulary plus noise.
fn article_keywords(
    vocab: &Vocab,
    sources: &Sources,
    rng: &mut ChaCha8Rng,
) -> (Option<u32>, Vec<u32>) {
    let count = pick_count(
        rng,
        &[
            (5, 10),
            (6, 15),
            (7, 20),
            (8, 20),
            (9, 15),
            (10, 10),
            (11, 6),
            (12, 4),
        ],
    );
    let mut keywords: Vec<u32> = Vec::with_capacity(count);
    let mut entity = None;
    if rng.random_bool(0.75) {
        let e = if rng.random_bool(0.9) {
            sources.pick(rng).entities.sample(rng)
        } else if vocab.entities.is_empty() {
            None
        } else {
            Some(vocab.entities[rng.random_range(0..vocab.entities.len())])
        };
        if let Some(e) = e {
            keywords.push(e);
            entity = Some(e);
        }
    }
    let mut attempts = 0;
    while keywords.len() < count && attempts < count * 10 {
        attempts += 1;
        let src = sources.pick(rng);
        let r = rng.random::<f64>();
        let candidate = if r < 0.45 {
            src.topical.sample(rng)
        } else if r < 0.65 {
            src.shared.sample(rng)
        } else if r < 0.72 {
            src.entities.sample(rng)
        } else if r < 0.92 {
            vocab.generic.sample(rng)
        } else {
            Some(rng.random_range(0..vocab.keywords.len()) as u32)
        };
        if let Some(c) = candidate {
            if !keywords.contains(&c) {
                keywords.push(c);
            }
        }
    }
    (entity, keywords)
}

/// An article's themes: the group's primary theme, its other themes, now and then a global one.
fn article_themes(vocab: &Vocab, sources: &Sources, rng: &mut ChaCha8Rng) -> Vec<u16> {
    let theme_count = pick_count(rng, &[(2, 35), (3, 45), (4, 20)]);
    let mut themes: Vec<u16> = Vec::with_capacity(theme_count);
    if rng.random_bool(0.9) {
        let home = sources.home.vocabulary(sources.groups, rng);
        themes.push(home.themes.items[0]);
    }
    if let Some(b) = sources.bridge {
        if rng.random_bool(0.5) {
            themes.push(sources.groups[b as usize].themes.items[0]);
        }
    }
    let mut attempts = 0;
    while themes.len() < theme_count && attempts < 40 {
        attempts += 1;
        let t = if rng.random_bool(0.8) {
            sources.pick(rng).themes.sample(rng).unwrap_or(0)
        } else {
            vocab.theme_rank.sample(rng) as u16
        };
        if !themes.contains(&t) {
            themes.push(t);
        }
    }
    themes.truncate(theme_count);
    themes
}

fn missing_title(
    rng: &mut ChaCha8Rng,
    vocab: &Vocab,
    group: &Group,
    calendar: &Calendar,
) -> String {
    let entity = if rng.random_bool(0.5) {
        group.entities.sample(rng)
    } else {
        None
    };
    let mut kws: Vec<&str> = Vec::new();
    for _ in 0..2 {
        if let Some(k) = group
            .topical
            .sample(rng)
            .or_else(|| group.shared.sample(rng))
        {
            kws.push(&vocab.keyword(k).text);
        }
    }
    let theme = vocab.themes[group.themes.items[0] as usize];
    let year = calendar.date(rng.random_range(0..calendar.weeks())).year;
    prose::title(
        rng,
        entity.map(|e| vocab.keyword(e).text.as_str()),
        &kws,
        theme,
        year,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_is_consistent() {
        let plan = Plan::build(11, 600, 8, 2019, 6);
        assert_eq!(plan.articles.len(), 600);
        assert!(plan.members.iter().all(|m| !m.is_empty()));
        let titles: HashSet<String> = plan.articles.iter().map(|a| title_key(&a.title)).collect();
        assert_eq!(titles.len(), 600);
        let ids: HashSet<u64> = plan.articles.iter().map(Article::file_id).collect();
        assert_eq!(ids.len(), 600);
        assert!(plan.articles.windows(2).all(|w| w[0].week <= w[1].week));
        let mut rng = stream(1, 99, 0);
        for i in 0..600 {
            let links = plan.links(i, &mut rng);
            assert!((3..=6).contains(&links.len()));
            assert!(!links.contains(&Target::Article(i as u32)));
        }
    }

    #[test]
    fn tiny_collections_still_get_three_links() {
        let plan = Plan::build(3, 1, 1, 2019, 1);
        let mut rng = stream(1, 99, 0);
        let links = plan.links(0, &mut rng);
        assert!(links.len() >= 3, "{links:?}");
    }
}
