//! Concept alignment: variants of one concept (spellings, plurals, abbreviations) become one concept.
//!
//! [`align`] works on the whole collection at once, because its evidence is
//! collection-wide. Its nodes are concept keys ([`crate::normalize::concept_key`])
//! whatever their kind; it joins them into groups with a union-find, edge by
//! edge, in a fixed order:
//!
//! 1. **vocabulary**: the labels of one concept of a user's SKOS file
//!    (`skos:prefLabel`, `skos:altLabel`, and concepts joined by
//!    `skos:exactMatch`). Every key a vocabulary names is tagged with its
//!    vocabulary concept, and no later edge may join two groups with
//!    different tags: what the vocabulary keeps apart stays apart.
//! 2. **definition in a label**: a label written `Artificial Intelligence (AI)`
//!    joins its long form and its short form ([`abbreviation`]).
//! 3. **spelling**: keys with one [`spelling::variant_key`] (British and
//!    American spelling, singular and plural).
//! 4. **definition in a text**: an article's title, summary or signal table
//!    defines a short form (`… electric vehicles (EVs) …`) and both forms are
//!    concepts of the collection.
//! 5. **co-occurrence**: a short form (one word of 2 to 6 letters or digits)
//!    whose letters are the initials of a long form's words (`and`, `of`,
//!    `the`, `for`, `in`, `&` skipped), when the two are concepts of the same
//!    articles: at least [`CO_OCCURRENCE_MIN`] articles, and at least
//!    half of the articles of the rarer form. Fitting letters alone are never
//!    evidence: "EU" and "electric utilities" stay apart unless they keep
//!    company.
//!
//! Rules 2 to 5 are the automatic rules (`--no-align` turns them off).
//! Within a group, each kind (theme, keyword, driving force) is one concept;
//! the concepts of one group in different kinds are linked
//! (`skos:exactMatch`) and count as one concept in projections and names.
//! Every edge that joined two groups is kept as [`Evidence`]. Everything is
//! sorted before it is joined, so the result depends on the collection only.

pub mod abbreviation;
pub mod settings;
pub mod spelling;
pub mod vocabulary;

use crate::normalize::concept_key;
use std::collections::{BTreeMap, HashMap};

pub use settings::Settings;
pub use vocabulary::Vocabulary;

/// The key alignment works on: a label's normalised form (case, spacing and
/// wrapping punctuation folded), as concepts are merged on before alignment.
pub fn key(label: &str) -> String {
    concept_key(label)
}

/// Fewest articles two forms must share to be joined by co-occurrence.
pub const CO_OCCURRENCE_MIN: usize = 3;

/// Articles kept per piece of evidence (the count says how many there were).
pub const EVIDENCE_ARTICLES: usize = 10;

/// Why two forms are one concept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The user's vocabulary says so.
    Vocabulary,
    /// A label defines an abbreviation: `Artificial Intelligence (AI)`.
    LabelDefinition,
    /// British/American spelling or singular/plural.
    Spelling,
    /// An article's text defines the abbreviation.
    TextDefinition,
    /// The short form's letters are the long form's initials and the two are
    /// concepts of the same articles.
    CoOccurrence,
}

impl Rule {
    /// The rule's name in `concepts --json`, the RDF (`sg:alignmentRule`) and truth files.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Vocabulary => "vocabulary",
            Rule::LabelDefinition => "label-definition",
            Rule::Spelling => "spelling",
            Rule::TextDefinition => "text-definition",
            Rule::CoOccurrence => "co-occurrence",
        }
    }

    /// A short phrase for people.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Vocabulary => "the vocabulary names both",
            Rule::LabelDefinition => "a label defines the abbreviation",
            Rule::Spelling => "British/American spelling or singular/plural",
            Rule::TextDefinition => "an article defines the abbreviation",
            Rule::CoOccurrence => "initials that fit, used by the same articles",
        }
    }
}

/// One edge that joined two groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// One form's key.
    pub a: String,
    /// The other form's key.
    pub b: String,
    /// Which rule joined them.
    pub rule: Rule,
    /// The first articles (indices, sorted) that show it, at most [`EVIDENCE_ARTICLES`].
    pub articles: Vec<u32>,
    /// How many articles show it.
    pub article_count: u32,
}

/// What alignment needs from one article.
#[derive(Clone, Debug, Default)]
pub struct ArticleForms<'a> {
    /// Its concepts of every kind, as (key, surface form).
    pub concepts: Vec<(&'a str, &'a str)>,
    /// Its free texts: title, summary, signal table cells.
    pub texts: Vec<&'a str>,
}

/// The groups of keys that name one concept.
#[derive(Clone, Debug, Default)]
pub struct Aligned {
    /// Every key seen (concepts and vocabulary labels), sorted.
    pub keys: Vec<String>,
    /// Parallel to `keys`: the key's group.
    pub group: Vec<u32>,
    /// Per group: its vocabulary concept's preferred label, if a vocabulary names it.
    pub pref_label: Vec<Option<String>>,
    /// Per group: whether its concepts of different kinds are linked (automatic
    /// rules on, or a vocabulary names it).
    pub linked: Vec<bool>,
    /// `(narrower, broader)` groups from the vocabulary's `skos:broader`, sorted.
    pub broader: Vec<(u32, u32)>,
    /// The edges that joined groups, in the order they were joined.
    pub evidence: Vec<Evidence>,
}

impl Aligned {
    /// The group of a key seen by [`align`].
    pub fn group_of(&self, key: &str) -> Option<u32> {
        self.keys
            .binary_search_by(|k| k.as_str().cmp(key))
            .ok()
            .map(|i| self.group[i])
    }

    /// The number of groups.
    pub fn groups(&self) -> usize {
        self.pref_label.len()
    }
}

/// A union-find over key nodes, with the vocabulary concept each root is tagged with.
struct Joiner {
    parent: Vec<u32>,
    tag: Vec<Option<u32>>,
    evidence: Vec<Evidence>,
}

impl Joiner {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins the groups of `a` and `b` unless they are one already or their
    /// vocabulary tags differ; the smaller root stays root.
    fn join(&mut self, a: u32, b: u32, rule: Rule, keys: &[&str], articles: &[u32]) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return false;
        }
        let (ta, tb) = (self.tag[ra as usize], self.tag[rb as usize]);
        if let (Some(x), Some(y)) = (ta, tb) {
            if x != y {
                return false;
            }
        }
        let (root, child) = (ra.min(rb), ra.max(rb));
        self.parent[child as usize] = root;
        self.tag[root as usize] = ta.or(tb);
        self.evidence.push(Evidence {
            a: keys[a as usize].to_string(),
            b: keys[b as usize].to_string(),
            rule,
            articles: articles.iter().copied().take(EVIDENCE_ARTICLES).collect(),
            article_count: articles.len() as u32,
        });
        true
    }
}

/// The key nodes: every concept key of the articles and every vocabulary
/// label, sorted, with the articles naming each.
struct Nodes<'a> {
    keys: Vec<&'a str>,
    postings: Vec<Vec<u32>>,
    index: HashMap<&'a str, u32>,
}

impl<'a> Nodes<'a> {
    fn of(articles: &'a [ArticleForms<'a>], extra: &'a [String]) -> Nodes<'a> {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for a in articles {
            for (key, _) in &a.concepts {
                seen.insert(key, ());
            }
        }
        for key in extra {
            seen.insert(key, ());
        }
        let mut keys: Vec<&str> = seen.into_keys().filter(|k| !k.is_empty()).collect();
        keys.sort_unstable();
        let index: HashMap<&str, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i as u32))
            .collect();
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); keys.len()];
        for (i, a) in articles.iter().enumerate() {
            for (key, _) in &a.concepts {
                if let Some(&n) = index.get(key) {
                    let list = &mut postings[n as usize];
                    if list.last() != Some(&(i as u32)) {
                        list.push(i as u32);
                    }
                }
            }
        }
        Nodes {
            keys,
            postings,
            index,
        }
    }
}

/// Groups the concept keys of a collection (see the module docs).
pub fn align(articles: &[ArticleForms<'_>], settings: &Settings) -> Aligned {
    let vocabulary_keys: Vec<String> = settings
        .vocabulary
        .as_ref()
        .map(|v| v.keys())
        .unwrap_or_default();
    let nodes = Nodes::of(articles, &vocabulary_keys);
    let mut joiner = Joiner {
        parent: (0..nodes.keys.len() as u32).collect(),
        tag: vec![None; nodes.keys.len()],
        evidence: Vec::new(),
    };
    let mut pref_of_class: Vec<String> = Vec::new();
    if let Some(v) = &settings.vocabulary {
        pref_of_class = vocabulary_edges(v, &nodes, &mut joiner);
    }
    if settings.automatic {
        let variants = variant_index(&nodes);
        label_definitions(articles, &nodes, &variants, &mut joiner);
        spelling_edges(&nodes, &mut joiner);
        text_definitions(articles, &nodes, &variants, &mut joiner);
        co_occurrence_edges(&nodes, &mut joiner);
    }
    finish(nodes, joiner, settings, &pref_of_class)
}

/// Tags every vocabulary label with its class (concepts joined by
/// `skos:exactMatch`) and joins the labels of a class; the preferred label of each class.
fn vocabulary_edges(v: &Vocabulary, nodes: &Nodes, joiner: &mut Joiner) -> Vec<String> {
    let classes = v.classes();
    let mut prefs = Vec::with_capacity(classes.len());
    for (class, members) in classes.iter().enumerate() {
        prefs.push(v.concepts[members[0]].pref_label.clone());
        let mut labels: Vec<&str> = Vec::new();
        for &m in members {
            let c = &v.concepts[m];
            labels.push(&c.pref_label);
            labels.extend(c.alt_labels.iter().map(String::as_str));
        }
        let mut first: Option<u32> = None;
        for label in labels {
            let Some(&n) = nodes.index.get(concept_key(label).as_str()) else {
                continue;
            };
            let root = joiner.find(n);
            match joiner.tag[root as usize] {
                Some(t) if t != class as u32 => continue,
                _ => joiner.tag[root as usize] = Some(class as u32),
            }
            match first {
                None => first = Some(n),
                Some(f) => {
                    joiner.join(
                        f,
                        n,
                        Rule::Vocabulary,
                        &nodes.keys,
                        &nodes.postings[n as usize],
                    );
                }
            }
        }
    }
    prefs
}

/// `Artificial Intelligence (AI)` as a label: the label, its long form and
/// its short form are one concept.
fn label_definitions(
    articles: &[ArticleForms],
    nodes: &Nodes,
    variants: &HashMap<String, u32>,
    joiner: &mut Joiner,
) {
    let mut surfaces: Vec<(&str, &str)> = articles
        .iter()
        .flat_map(|a| a.concepts.iter().copied())
        .filter(|(_, surface)| surface.contains('('))
        .collect();
    surfaces.sort_unstable();
    surfaces.dedup();
    for (key, surface) in surfaces {
        let Some(&n) = nodes.index.get(key) else {
            continue;
        };
        for d in abbreviation::definitions(surface) {
            for form in [&d.long, &d.short] {
                if let Some(m) = node_of(nodes, variants, form) {
                    joiner.join(
                        m,
                        n,
                        Rule::LabelDefinition,
                        &nodes.keys,
                        &nodes.postings[n as usize],
                    );
                }
            }
        }
    }
}

/// Keys with one variant key are one concept.
fn spelling_edges(nodes: &Nodes, joiner: &mut Joiner) {
    let mut by_variant: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (i, key) in nodes.keys.iter().enumerate() {
        by_variant
            .entry(spelling::variant_key(key))
            .or_default()
            .push(i as u32);
    }
    for members in by_variant.values().filter(|m| m.len() > 1) {
        for &m in &members[1..] {
            joiner.join(
                members[0],
                m,
                Rule::Spelling,
                &nodes.keys,
                &nodes.postings[m as usize],
            );
        }
    }
}

/// The node of a form, directly or through its variant key.
fn node_of(nodes: &Nodes, variants: &HashMap<String, u32>, form: &str) -> Option<u32> {
    let key = concept_key(form);
    nodes
        .index
        .get(key.as_str())
        .copied()
        .or_else(|| variants.get(&spelling::variant_key(&key)).copied())
}

/// The first node (in key order) of each variant key.
fn variant_index(nodes: &Nodes) -> HashMap<String, u32> {
    let mut variants: HashMap<String, u32> = HashMap::new();
    for (i, key) in nodes.keys.iter().enumerate() {
        variants
            .entry(spelling::variant_key(key))
            .or_insert(i as u32);
    }
    variants
}

/// Definitions in the articles' texts join the two forms when both are concepts.
fn text_definitions(
    articles: &[ArticleForms],
    nodes: &Nodes,
    variants: &HashMap<String, u32>,
    joiner: &mut Joiner,
) {
    let mut found: BTreeMap<(u32, u32), Vec<u32>> = BTreeMap::new();
    for (i, a) in articles.iter().enumerate() {
        for text in a.texts.iter().filter(|t| t.contains('(')) {
            for d in abbreviation::definitions(text) {
                let short = node_of(nodes, variants, &d.short);
                let long = node_of(nodes, variants, &d.long);
                if let (Some(s), Some(l)) = (short, long) {
                    let list = found.entry((l, s)).or_default();
                    if list.last() != Some(&(i as u32)) {
                        list.push(i as u32);
                    }
                }
            }
        }
    }
    for ((l, s), list) in found {
        joiner.join(l, s, Rule::TextDefinition, &nodes.keys, &list);
    }
}

/// Words an initialism skips.
const SKIPPED: &[&str] = &["and", "of", "the", "for", "in", "&", "on", "to"];

/// The initials of a long form's words, if it has two or more.
fn initials(key: &str) -> Option<String> {
    let words: Vec<&str> = key
        .split([' ', '-', '/'])
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && !SKIPPED.contains(w))
        .collect();
    if words.len() < 2 {
        return None;
    }
    words.iter().map(|w| w.chars().next()).collect()
}

/// Whether a key can be a short form: one word of 2 to 6 letters or digits, with a letter.
fn is_short_form(key: &str) -> bool {
    (2..=6).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric())
        && key.bytes().any(|b| b.is_ascii_alphabetic())
}

/// How many sorted article lists share.
fn shared(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// Short forms and long forms whose initials fit, joined when they keep company.
fn co_occurrence_edges(nodes: &Nodes, joiner: &mut Joiner) {
    let mut long_by_initials: HashMap<String, Vec<u32>> = HashMap::new();
    for (i, key) in nodes.keys.iter().enumerate() {
        if let Some(init) = initials(key) {
            long_by_initials.entry(init).or_default().push(i as u32);
        }
    }
    for (s, key) in nodes.keys.iter().enumerate() {
        if !is_short_form(key) {
            continue;
        }
        let stem = key.strip_suffix('s').filter(|k| k.len() >= 2);
        let mut candidates: Vec<u32> = [Some(*key), stem]
            .into_iter()
            .flatten()
            .filter_map(|k| long_by_initials.get(k))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        for l in candidates {
            let (ps, pl) = (&nodes.postings[s], &nodes.postings[l as usize]);
            let both = shared(ps, pl);
            let rarer = ps.len().min(pl.len());
            if both.len() >= CO_OCCURRENCE_MIN && both.len() * 2 >= rarer {
                joiner.join(l, s as u32, Rule::CoOccurrence, &nodes.keys, &both);
            }
        }
    }
}

/// Numbers the groups by their smallest key and maps the vocabulary onto them.
fn finish(nodes: Nodes, mut joiner: Joiner, settings: &Settings, prefs: &[String]) -> Aligned {
    let n = nodes.keys.len();
    let mut number: Vec<Option<u32>> = vec![None; n];
    let mut group = Vec::with_capacity(n);
    let mut pref_label = Vec::new();
    let mut linked = Vec::new();
    let mut class_group: HashMap<u32, u32> = HashMap::new();
    for i in 0..n as u32 {
        let root = joiner.find(i) as usize;
        let g = match number[root] {
            Some(g) => g,
            None => {
                let g = pref_label.len() as u32;
                number[root] = Some(g);
                let tag = joiner.tag[root];
                pref_label.push(tag.map(|t| prefs[t as usize].clone()));
                linked.push(settings.automatic || tag.is_some());
                if let Some(t) = tag {
                    class_group.insert(t, g);
                }
                g
            }
        };
        group.push(g);
    }
    let mut broader = Vec::new();
    if let Some(v) = &settings.vocabulary {
        let class_of = v.class_of();
        for (narrow, wide) in v.broader_pairs() {
            let g = |c: usize| class_group.get(&(class_of[c] as u32)).copied();
            if let (Some(a), Some(b)) = (g(narrow), g(wide)) {
                if a != b {
                    broader.push((a, b));
                }
            }
        }
        broader.sort_unstable();
        broader.dedup();
    }
    Aligned {
        keys: nodes.keys.iter().map(|k| k.to_string()).collect(),
        group,
        pref_label,
        linked,
        broader,
        evidence: joiner.evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms<'a>(concepts: &[(&'a str, &'a str)], texts: &[&'a str]) -> ArticleForms<'a> {
        ArticleForms {
            concepts: concepts.to_vec(),
            texts: texts.to_vec(),
        }
    }

    fn same(a: &Aligned, x: &str, y: &str) -> bool {
        a.group_of(x).is_some() && a.group_of(x) == a.group_of(y)
    }

    #[test]
    fn spellings_merge_and_decoys_stay_apart() {
        let arts = vec![
            forms(
                &[
                    ("data centres", "data centres"),
                    ("university", "University"),
                ],
                &[],
            ),
            forms(
                &[("data center", "Data Center"), ("universe", "universe")],
                &[],
            ),
        ];
        let a = align(&arts, &Settings::default());
        assert!(same(&a, "data centres", "data center"));
        assert!(!same(&a, "university", "universe"));
        assert_eq!(a.evidence.len(), 1);
        assert_eq!(a.evidence[0].rule, Rule::Spelling);
    }

    #[test]
    fn abbreviations_need_evidence() {
        let arts = vec![
            forms(
                &[("ai", "AI")],
                &["Firms adopt Artificial Intelligence (AI) fast."],
            ),
            forms(
                &[("artificial intelligence", "artificial intelligence")],
                &[],
            ),
            forms(&[("eu", "EU")], &[]),
            forms(&[("electric utilities", "electric utilities")], &[]),
        ];
        let a = align(&arts, &Settings::default());
        assert!(same(&a, "ai", "artificial intelligence"));
        assert!(!same(&a, "eu", "electric utilities"));
        let off = align(
            &arts,
            &Settings {
                automatic: false,
                vocabulary: None,
            },
        );
        assert!(!same(&off, "ai", "artificial intelligence"));
    }

    #[test]
    fn company_is_evidence_but_initials_alone_are_not() {
        let arts = vec![
            forms(
                &[("ev", "EV"), ("electric vehicles", "electric vehicles")],
                &[],
            ),
            forms(
                &[("ev", "EV"), ("electric vehicles", "electric vehicles")],
                &[],
            ),
            forms(
                &[("ev", "EV"), ("electric vehicles", "electric vehicles")],
                &[],
            ),
            forms(&[("ev", "EV")], &[]),
            forms(
                &[("eu", "EU"), ("electric utilities", "electric utilities")],
                &[],
            ),
            forms(&[("eu", "EU")], &[]),
            forms(&[("eu", "EU")], &[]),
            forms(&[("electric utilities", "electric utilities")], &[]),
            forms(&[("electric utilities", "electric utilities")], &[]),
            forms(&[("electric utilities", "electric utilities")], &[]),
        ];
        let a = align(&arts, &Settings::default());
        assert!(same(&a, "ev", "electric vehicles"));
        assert!(!same(&a, "eu", "electric utilities"));
    }

    #[test]
    fn labels_that_define_join_both_forms() {
        // Concept keys lose the closing parenthesis (wrapping punctuation).
        let arts = vec![
            forms(
                &[(
                    "artificial intelligence (ai",
                    "Artificial Intelligence (AI)",
                )],
                &[],
            ),
            forms(&[("ai", "AI")], &[]),
            forms(
                &[("artificial intelligence", "Artificial Intelligence")],
                &[],
            ),
            forms(
                &[(
                    "small modular reactors (smrs",
                    "small modular reactors (SMRs)",
                )],
                &[],
            ),
            forms(
                &[
                    ("smr", "SMR"),
                    ("small modular reactor", "small modular reactor"),
                ],
                &[],
            ),
        ];
        let a = align(&arts, &Settings::default());
        assert!(same(&a, "ai", "artificial intelligence (ai"));
        assert!(same(&a, "ai", "artificial intelligence"));
        assert!(same(&a, "smr", "small modular reactors (smrs"));
        assert!(same(&a, "small modular reactor", "smr"));
    }

    #[test]
    fn initials() {
        assert_eq!(
            super::initials("artificial intelligence").as_deref(),
            Some("ai")
        );
        assert_eq!(
            super::initials("environmental, social and governance").as_deref(),
            Some("esg")
        );
        assert_eq!(super::initials("energy"), None);
        assert!(is_short_form("ai") && is_short_form("5g") && !is_short_form("a"));
    }
}
