//! Abbreviations a collection defines: "Artificial Intelligence (AI)", "electric vehicles (EVs)".
//!
//! Schwartz and Hearst's algorithm ("A simple algorithm for identifying
//! abbreviation definitions in biomedical text", PSB 2003): a short form in
//! parentheses after a phrase, and a long form found by matching the short
//! form's letters right to left against the words before it. Every letter
//! must be found in order, the short form's first letter must start a word
//! of the long form, and the long form may have at most
//! `min(|short| + 5, 2·|short|)` words. The short form is 2 to 10
//! characters, starts with a letter, has a capital, and is not a whole
//! phrase (at most two words). A trailing plural `s` of the short form is
//! dropped ("EVs" defines "EV").
//!
//! This finds *evidence* that two forms name one concept; an initialism
//! whose letters merely fit a phrase is no evidence (see [`super`]).

/// One definition found in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Definition {
    /// The short form, as written (without a plural `s`).
    pub short: String,
    /// The long form, as written.
    pub long: String,
}

/// Every `long form (SHORT)` definition in `text`.
pub fn definitions(text: &str) -> Vec<Definition> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('(').map(|i| from + i) {
        let Some(close) = text[open + 1..].find(')').map(|i| open + 1 + i) else {
            break;
        };
        let inside = text[open + 1..close].trim();
        from = close + 1;
        let Some(short) = short_form(inside) else {
            continue;
        };
        // The sentence before the parenthesis, up to a clause break.
        let before = &text[..open];
        let start = before
            .rfind(['.', ';', ':', '!', '?', '(', ')', '\n'])
            .map_or(0, |i| i + 1);
        if let Some(long) = long_form(&short, before[start..].trim_end()) {
            found.push(Definition { short, long });
        }
    }
    found
}

/// The short form in a parenthesis, if it can be one.
fn short_form(inside: &str) -> Option<String> {
    let inside = inside.split([',', ';']).next()?.trim();
    let short = inside
        .strip_suffix('s')
        .filter(|s| s.chars().any(char::is_uppercase) && !s.ends_with(|c: char| c.is_lowercase()))
        .unwrap_or(inside);
    let len = short.chars().count();
    let ok = (2..=10).contains(&len)
        && short.split_whitespace().count() <= 2
        && short.chars().next().is_some_and(char::is_alphanumeric)
        && short.chars().any(char::is_alphabetic)
        && short.chars().any(char::is_uppercase);
    ok.then(|| short.to_string())
}

/// The shortest tail of `before` that spells `short` (Schwartz–Hearst), if any.
fn long_form(short: &str, before: &str) -> Option<String> {
    let letters: Vec<char> = short
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let max_words = (letters.len() + 5).min(2 * letters.len());
    let words: Vec<&str> = before.split_whitespace().collect();
    let window = &words[words.len().saturating_sub(max_words)..];
    let candidate = window.join(" ");
    let chars: Vec<char> = candidate.chars().flat_map(char::to_lowercase).collect();
    // Match right to left; the first letter must start a word.
    let (mut s, mut l) = (letters.len(), chars.len());
    while s > 0 {
        let want = letters[s - 1];
        loop {
            if l == 0 {
                return None;
            }
            l -= 1;
            let starts_word = l == 0 || !chars[l - 1].is_alphanumeric();
            if chars[l] == want && (s > 1 || starts_word) {
                break;
            }
        }
        s -= 1;
    }
    // The long form starts at the word holding the first matched letter.
    let start_word = chars[..l].iter().filter(|c| c.is_whitespace()).count();
    let long = window[start_word..].join(" ");
    let long = long
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    (long.chars().count() > short.chars().count()).then_some(long)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        definitions(text)
            .into_iter()
            .map(|d| (d.short, d.long))
            .collect()
    }

    #[test]
    fn definitions_are_found() {
        assert_eq!(
            pairs("Firms adopt Artificial Intelligence (AI) at scale."),
            vec![("AI".into(), "Artificial Intelligence".into())]
        );
        assert_eq!(
            pairs("sales of electric vehicles (EVs) rose"),
            vec![("EV".into(), "electric vehicles".into())]
        );
        assert_eq!(
            pairs("The European Union (EU) and the International Energy Agency (IEA) agree."),
            vec![
                ("EU".into(), "European Union".into()),
                ("IEA".into(), "International Energy Agency".into())
            ]
        );
        assert_eq!(
            pairs("a rise in small modular reactors (SMRs)"),
            vec![("SMR".into(), "small modular reactors".into())]
        );
        assert_eq!(
            pairs("Environmental, Social and Governance (ESG) rules"),
            vec![("ESG".into(), "Environmental, Social and Governance".into())]
        );
    }

    #[test]
    fn parentheses_that_define_nothing_are_passed_over() {
        assert!(pairs("Prices rose (sharply) last year.").is_empty());
        assert!(pairs("The plan (see below) is new.").is_empty());
        assert!(pairs("Revenue grew (2024).").is_empty());
        assert!(
            pairs("battery makers (XYZ) expand").is_empty(),
            "letters that do not fit"
        );
        assert!(pairs("unbalanced ( parenthesis").is_empty());
        assert!(pairs("").is_empty());
    }
}
