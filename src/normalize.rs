//! Text normalisation shared by every module: concept keys, surface forms and IRI segments.
//!
//! Concept labels are merged on a *key*: Unicode NFKC, full case folding, inner
//! whitespace collapsed to one space, and surrounding punctuation trimmed, so that
//! `AI`, `ai ` and ` "AI".` are the same concept. The characters trimmed are
//! the ones that wrap or end phrases (`.,;:!?` quotes, brackets, `*`, `_`); `#` and
//! `+` are kept so `C#` and `C++` survive.

use unicode_normalization::UnicodeNormalization;

/// Characters trimmed from both ends of a concept key.
fn is_wrapping_punctuation(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '"'
            | '\''
            | '`'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '*'
            | '_'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '«'
            | '»'
            | '…'
    )
}

/// Collapses runs of Unicode whitespace to a single space and trims both ends.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The merge key of a concept label or title (see the module docs). May be empty.
pub(crate) fn concept_key(label: &str) -> String {
    // ASCII is already NFKC, and its case folding is plain lowercasing.
    let folded = if label.is_ascii() {
        label.to_ascii_lowercase()
    } else {
        let nfkc: String = label.nfkc().collect();
        caseless::default_case_fold_str(&nfkc)
    };
    let collapsed = collapse_whitespace(&folded);
    collapsed
        .trim_matches(|c: char| is_wrapping_punctuation(c) || c.is_whitespace())
        .to_string()
}

/// Percent-encodes a key so it can be one IRI path segment.
///
/// Unreserved ASCII (`A-Z a-z 0-9 - . ~`) is kept, a space becomes `_`, and
/// every other byte (including `_` itself) is percent-encoded, so the mapping is
/// injective: two different keys never share a segment.
pub(crate) fn iri_segment(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 8);
    for &b in key.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('_'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_merge_case_space_and_punctuation_variants() {
        assert_eq!(concept_key("AI"), "ai");
        assert_eq!(concept_key(" ai "), "ai");
        assert_eq!(concept_key("\"AI\"."), "ai");
        assert_eq!(concept_key("Job   cuts"), "job cuts");
        assert_eq!(concept_key("Straße"), "strasse");
        assert_eq!(concept_key("ＡＩ"), "ai");
        assert_eq!(concept_key("C++"), "c++");
        assert_eq!(concept_key("C#"), "c#");
        assert_eq!(concept_key(" ... "), "");
    }

    #[test]
    fn segments_are_injective_and_iri_safe() {
        assert_eq!(iri_segment("job cuts"), "job_cuts");
        assert_eq!(iri_segment("job_cuts"), "job%5Fcuts");
        assert_eq!(iri_segment("c++"), "c%2B%2B");
        assert_eq!(iri_segment("é"), "%C3%A9");
        assert_ne!(iri_segment("a b"), iri_segment("a_b"));
    }
}
