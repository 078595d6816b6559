//! A cluster's brief: two or three sentences taken from its most representative articles' summaries, chosen by its distinctive concepts, each citing its article.
//!
//! The candidates are the sentences of the summaries of the cluster's
//! [`CANDIDATE_ARTICLES`] articles richest in its distinctive concepts (the
//! ranking of its representative articles), between [`MIN_CHARS`] and
//! [`MAX_CHARS`] characters long. A sentence covers a distinctive concept
//! (one of the cluster's best [`TERMS`] by c-TF-IDF) when it contains the
//! concept's label or one of its other spellings as whole words, ignoring
//! case. The brief is built greedily: each step takes the sentence whose
//! not yet covered concepts weigh most (ties: the better ranked article, then
//! the earlier sentence), at most one sentence per article, until
//! [`SENTENCES`] are taken or no sentence adds a concept. When no sentence
//! names a distinctive concept, the first sentence of the best ranked
//! article stands alone. Nothing is generated: every word is the article's.

use super::model::BriefSentence;
use super::Prepared;
use crate::analyze::naming;

/// Most sentences in a brief.
pub const SENTENCES: usize = 3;
/// Articles whose summaries are read, best ranked first.
pub const CANDIDATE_ARTICLES: usize = 8;
/// Distinctive concepts a sentence may cover.
pub const TERMS: usize = 12;
/// Shortest sentence taken, in characters.
pub const MIN_CHARS: usize = 40;
/// Longest sentence taken, in characters.
pub const MAX_CHARS: usize = 320;

/// Words that end with a full stop without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "inc", "ltd", "co", "corp", "vs", "etc", "e.g", "i.e",
    "no", "approx", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "fig", "est", "gov", "dept", "u.s", "u.k", "e.u", "u.n",
];

/// The sentences of `text`, trimmed, in order.
pub fn sentences(text: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &(at, ch)) in chars.iter().enumerate() {
        if !matches!(ch, '.' | '!' | '?') {
            continue;
        }
        // A closing quote or bracket right after the stop belongs to the sentence.
        let mut end = i + 1;
        while end < chars.len() && matches!(chars[end].1, '"' | '\'' | '”' | '’' | ')') {
            end += 1;
        }
        let Some(&(_, next)) = chars.get(end) else {
            continue;
        };
        if !next.is_whitespace() {
            continue;
        }
        let following = chars[end..]
            .iter()
            .map(|x| x.1)
            .find(|c| !c.is_whitespace());
        let starts_sentence = following.is_some_and(|c| {
            c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘')
        });
        if !starts_sentence || (ch == '.' && is_abbreviation(&text[start..at])) {
            continue;
        }
        let cut = chars[end].0;
        push_sentence(&mut out, &text[start..cut]);
        start = cut;
    }
    push_sentence(&mut out, &text[start..]);
    out
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if !joined.is_empty() {
        out.push(joined);
    }
}

/// Whether the word before a full stop at the end of `before` is an
/// abbreviation or an initial.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let lower = word.to_lowercase();
    (word.chars().count() == 1 && word.chars().all(char::is_uppercase))
        || ABBREVIATIONS.contains(&lower.as_str())
}

/// Whether `needle` (lowercase) occurs in `hay` (lowercase) as whole words.
fn contains_words(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    hay.match_indices(needle).any(|(i, _)| {
        let before = hay[..i].chars().next_back();
        let after = hay[i + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The spellings of each concept that stands for a meaning (lowercase):
/// its labels and those of the concepts of other kinds linked to it.
pub(crate) struct Forms(Vec<Vec<String>>);

impl Forms {
    pub(crate) fn of(c: &crate::model::Collection) -> Forms {
        let mut forms = vec![Vec::new(); c.concepts.len()];
        for concept in &c.concepts {
            let list: &mut Vec<String> = &mut forms[concept.meaning];
            list.extend(
                std::iter::once(&concept.label)
                    .chain(&concept.alt_labels)
                    .map(|l| l.to_lowercase()),
            );
        }
        for list in &mut forms {
            list.sort_unstable();
            list.dedup();
        }
        Forms(forms)
    }
}

/// One candidate sentence: its text, the rank of its article, its place in
/// the summary and the distinctive concepts (indexes into the terms) it covers.
struct Candidate {
    text: String,
    article: usize,
    rank: usize,
    place: usize,
    covers: Vec<usize>,
}

/// The brief of a cluster from its `ranked` articles (best first) and its
/// c-TF-IDF `weights` (best first).
pub(crate) fn brief(
    p: &Prepared,
    forms: &Forms,
    weights: &[naming::Weighted],
    ranked: &[usize],
) -> Vec<BriefSentence> {
    let c = p.collection;
    let terms: Vec<&naming::Weighted> = weights.iter().take(TERMS).collect();
    let mut candidates = Vec::new();
    for (rank, &a) in ranked.iter().take(CANDIDATE_ARTICLES).enumerate() {
        let Some(summary) = c.articles[a].article.summary.as_deref() else {
            continue;
        };
        for (place, text) in sentences(summary).into_iter().enumerate() {
            let n = text.chars().count();
            if !(MIN_CHARS..=MAX_CHARS).contains(&n) {
                continue;
            }
            let lower = text.to_lowercase();
            let covers = (0..terms.len())
                .filter(|&t| {
                    forms.0[terms[t].concept]
                        .iter()
                        .any(|f| contains_words(&lower, f))
                })
                .collect();
            candidates.push(Candidate {
                text,
                article: a,
                rank,
                place,
                covers,
            });
        }
    }
    let mut covered = vec![false; terms.len()];
    let mut used_articles = Vec::new();
    let mut chosen: Vec<&Candidate> = Vec::new();
    while chosen.len() < SENTENCES {
        let gain = |x: &Candidate| -> f64 {
            x.covers
                .iter()
                .filter(|&&t| !covered[t])
                .map(|&t| terms[t].score)
                .sum()
        };
        let best = candidates
            .iter()
            .filter(|x| !used_articles.contains(&x.article))
            .map(|x| (gain(x), x))
            .filter(|(g, _)| *g > 0.0)
            .min_by(|x, y| {
                y.0.total_cmp(&x.0)
                    .then((x.1.rank, x.1.place).cmp(&(y.1.rank, y.1.place)))
            });
        let Some((_, x)) = best else {
            break;
        };
        for &t in &x.covers {
            covered[t] = true;
        }
        used_articles.push(x.article);
        chosen.push(x);
    }
    if chosen.is_empty() {
        chosen.extend(candidates.iter().min_by_key(|x| (x.rank, x.place)));
    }
    chosen
        .into_iter()
        .map(|x| BriefSentence {
            text: x.text.clone(),
            concepts: x
                .covers
                .iter()
                .map(|&t| c.concepts[terms[t].concept].label.clone())
                .collect(),
            article: p.article_ref(x.article),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_but_not_abbreviations_or_numbers() {
        let got = sentences(
            "Prices fell 3.5 percent in the U.S. market. Dr. Lee said so! \"Next,\" she added. e.g. this stays.\n\nA new paragraph",
        );
        assert_eq!(
            got,
            vec![
                "Prices fell 3.5 percent in the U.S. market.",
                "Dr. Lee said so!",
                "\"Next,\" she added. e.g. this stays.",
                "A new paragraph",
            ]
        );
    }

    #[test]
    fn matches_whole_words_only() {
        assert!(contains_words("the ai boom", "ai"));
        assert!(!contains_words("the chair", "ai"));
        assert!(contains_words("data centres, and more", "data centres"));
        assert!(!contains_words("anything", ""));
    }
}
