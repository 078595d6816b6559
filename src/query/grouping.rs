//! A plain message for a selected variable that is neither grouped nor aggregated.
//!
//! spargebra reports `SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o }` as a
//! list of expected tokens with "The SELECT contains a variable that is
//! unbound" among them, without the variable. [`explain`] recognises that
//! error, finds the SELECT it belongs to from the error's position (the
//! last SELECT before it at the same bracket depth) and names the first
//! selected variable that its GROUP BY does not list, outside aggregates.

use super::bounds::{lex, Token};

const UNBOUND_VARIABLE: &str = "The SELECT contains a variable that is unbound";
const UNBOUND_EXPRESSION: &str =
    "The SELECT contains an expression with a variable that is unbound";
const AGGREGATES: &[&str] = &[
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "SAMPLE",
    "GROUP_CONCAT",
];

/// The message for spargebra's error `message` on `text`, if it is the
/// grouping error; `None` leaves the message as it is.
pub(super) fn explain(text: &str, message: &str) -> Option<String> {
    if !message.contains(UNBOUND_VARIABLE) && !message.contains(UNBOUND_EXPRESSION) {
        return None;
    }
    let (line, column) = position(message)?;
    let at = offset(text, line, column);
    let variable = culprit(text, at);
    let named = variable.as_deref().unwrap_or("a selected variable");
    let hint = match &variable {
        Some(v) => format!(
            "add {v} to GROUP BY or select an aggregate of it such as (SAMPLE({v}) AS ?any)"
        ),
        None => "select only GROUP BY variables and aggregates such as SAMPLE(?v)".to_string(),
    };
    Some(format!(
        "{named} is neither grouped nor aggregated: a query with GROUP BY or an aggregate can only select its GROUP BY variables and aggregates; {hint} (SELECT ending at line {line}, column {column})"
    ))
}

/// The line and column of spargebra's `error at L:C: …`.
fn position(message: &str) -> Option<(usize, usize)> {
    let rest = message.split("error at ").nth(1)?;
    let (line, rest) = rest.split_once(':')?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

/// The byte offset of a 1-based line and (character) column.
fn offset(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(n) => start += n + 1,
            None => return text.len(),
        }
    }
    text[start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| start + i)
}

fn is_variable(word: &str) -> bool {
    (word.starts_with('?') || word.starts_with('$')) && word.len() > 1
}

/// `?x` for `?x` and `$x` alike.
fn variable_name(word: &str) -> String {
    format!("?{}", &word[1..])
}

/// The first variable the SELECT before `at` selects without grouping or aggregating it.
fn culprit(text: &str, at: usize) -> Option<String> {
    let mut tokens: Vec<Token> = Vec::new();
    lex(text, |t| tokens.push(t));
    let q = Lexed { text, tokens };
    let select = q.enclosing_select(at)?;
    let depth = q.tokens[select].depth;
    let (plain, members, after) = q.selection(select);
    let mut grouped = q.grouped_by(after, depth, at);
    if let Some(v) = plain.iter().find(|v| !grouped.contains(v)) {
        return Some(v.clone());
    }
    for (target, used) in members {
        if let Some(v) = used.into_iter().find(|v| !grouped.contains(v)) {
            return Some(v);
        }
        grouped.extend(target);
    }
    None
}

/// A query's text and its tokens.
struct Lexed<'a> {
    text: &'a str,
    tokens: Vec<Token>,
}

/// A selected expression: its `AS` target and the variables it uses.
type Member = (Option<String>, Vec<String>);

impl Lexed<'_> {
    fn word(&self, t: &Token) -> &str {
        &self.text[t.start..t.end]
    }

    fn keyword(&self, t: &Token, k: &str) -> bool {
        self.word(t).eq_ignore_ascii_case(k)
    }

    /// The token index of the SELECT the error at `at` belongs to: the last
    /// one before it at the error's bracket depth, else the last one before it.
    fn enclosing_select(&self, at: usize) -> Option<usize> {
        // The bracket depth at the error: inside a closing bracket that follows it.
        let depth = self
            .tokens
            .iter()
            .find(|t| t.start >= at)
            .map_or(0, |t| t.depth + usize::from(is_closing(self.word(t))));
        let before = |t: &Token| t.start < at && self.keyword(t, "SELECT");
        self.tokens
            .iter()
            .rposition(|t| before(t) && t.depth == depth)
            .or_else(|| self.tokens.iter().rposition(before))
    }

    /// The selection after the SELECT at `select`: plain variables,
    /// `(expression AS ?v)` members, and the index of the token after it.
    fn selection(&self, select: usize) -> (Vec<String>, Vec<Member>, usize) {
        let depth = self.tokens[select].depth;
        let (mut plain, mut members) = (Vec::new(), Vec::new());
        let mut i = select + 1;
        while let Some(t) = self.tokens.get(i) {
            let here = t.depth == depth;
            if t.depth < depth || (here && (self.keyword(t, "WHERE") || self.word(t) == "{")) {
                break;
            }
            if here && is_variable(self.word(t)) {
                plain.push(variable_name(self.word(t)));
            }
            if here && self.word(t) == "(" {
                let end = closing(&self.tokens, i);
                members.push(member(&self.tokens[i + 1..end], self.text));
                i = end;
            }
            i += 1;
        }
        (plain, members, i)
    }

    /// The variables of the GROUP BY at `depth` from token `from` on, before `at`.
    fn grouped_by(&self, from: usize, depth: usize, at: usize) -> Vec<String> {
        let mut i = from;
        while let Some(t) = self.tokens.get(i) {
            if t.start >= at || t.depth < depth {
                break;
            }
            if t.depth == depth
                && self.keyword(t, "GROUP")
                && self
                    .tokens
                    .get(i + 1)
                    .is_some_and(|b| self.keyword(b, "BY"))
            {
                return self.group_keys(i + 2, depth);
            }
            i += 1;
        }
        Vec::new()
    }

    /// The keys of a GROUP BY whose first key is token `from`.
    fn group_keys(&self, from: usize, depth: usize) -> Vec<String> {
        let mut grouped = Vec::new();
        let mut i = from;
        while let Some(t) = self.tokens.get(i) {
            if t.depth < depth
                || ["HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"]
                    .iter()
                    .any(|k| self.keyword(t, k))
            {
                break;
            }
            if is_variable(self.word(t)) && t.depth == depth {
                grouped.push(variable_name(self.word(t)));
            }
            if self.word(t) == "(" && t.depth == depth {
                let end = closing(&self.tokens, i);
                let (target, used) = member(&self.tokens[i + 1..end], self.text);
                match target {
                    Some(v) => grouped.push(v),
                    None if used.len() == 1 && end == i + 2 => grouped.extend(used),
                    None => {}
                }
                i = end;
            }
            i += 1;
        }
        grouped
    }
}

fn is_closing(word: &str) -> bool {
    matches!(word, ")" | "}" | "]")
}

/// The index of the bracket that closes the one at `open` (or the last token).
fn closing(tokens: &[Token], open: usize) -> usize {
    let depth = tokens[open].depth;
    tokens[open + 1..]
        .iter()
        .position(|t| t.depth == depth && !t.opens)
        .map_or(tokens.len() - 1, |n| open + 1 + n)
}

/// The `AS` variable of a bracketed member and the variables its expression
/// uses outside aggregates.
fn member(tokens: &[Token], text: &str) -> (Option<String>, Vec<String>) {
    let word = |t: &Token| &text[t.start..t.end];
    let mut target = None;
    let mut used = Vec::new();
    let mut i = 0;
    while let Some(t) = tokens.get(i) {
        if word(t).eq_ignore_ascii_case("AS") {
            target = tokens
                .get(i + 1)
                .map(word)
                .filter(|w| is_variable(w))
                .map(variable_name);
            break;
        }
        if AGGREGATES.iter().any(|a| word(t).eq_ignore_ascii_case(a))
            && tokens.get(i + 1).is_some_and(|b| word(b) == "(")
        {
            i = closing(tokens, i + 1) + 1;
            continue;
        }
        if is_variable(word(t)) {
            used.push(variable_name(word(t)));
        }
        i += 1;
    }
    (target, used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        match crate::query::parse(text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{text} parsed"),
        }
    }

    #[test]
    fn names_the_variable_that_is_neither_grouped_nor_aggregated() {
        let m = message("SELECT ?x (COUNT(*) AS ?n) WHERE { ?x ?p ?o }");
        assert!(
            m.starts_with("invalid SPARQL query: ?x is neither grouped nor aggregated"),
            "{m}"
        );
        assert!(m.contains("(SAMPLE(?x) AS ?any)"), "{m}");
        assert!(!m.contains("expected one of"), "{m}");

        let m = message("SELECT ?p $o WHERE { ?s ?p ?o } GROUP BY ?p");
        assert!(m.contains("?o is neither grouped"), "{m}");

        let m =
            message("SELECT ?s (STR(?o) AS ?t) (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s");
        assert!(m.contains("?o is neither grouped"), "{m}");

        let m = message("SELECT ?k ?v WHERE { ?s ?p ?o } GROUP BY (STR(?s) AS ?k) (?p)");
        assert!(m.contains("?v is neither grouped"), "{m}");

        // Multi-line queries: the position is still found.
        let m = message("SELECT ?s\n  (SUM(?o) AS ?t)\nWHERE {\n ?s ?p ?o\n}\nGROUP BY ?p");
        assert!(m.contains("?s is neither grouped"), "{m}");
    }

    #[test]
    fn other_errors_keep_the_parser_message() {
        let m = message("SELECT ?x WHERE { ?x ?p }");
        assert!(!m.contains("grouped"), "{m}");
        assert!(
            crate::query::parse("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
                .is_ok()
        );
        assert_eq!(explain("x", "error at 1:1: expected one of \"(\""), None);
    }
}
