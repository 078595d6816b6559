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
    let word = |t: &Token| &text[t.start..t.end];
    let keyword = |t: &Token, k: &str| word(t).eq_ignore_ascii_case(k);
    // The bracket depth at the error: inside a closing bracket that follows it.
    let depth = tokens
        .iter()
        .find(|t| t.start >= at)
        .map_or(0, |t| t.depth + usize::from(is_closing(word(t))));
    let before = |t: &&Token| t.start < at && keyword(t, "SELECT");
    let select = tokens
        .iter()
        .rposition(|t| before(&t) && t.depth == depth)
        .or_else(|| tokens.iter().rposition(|t| before(&t)))?;
    let depth = tokens[select].depth;
    let mut i = select + 1;
    // The selection: plain variables and (expression AS ?v) members.
    let mut plain = Vec::new();
    let mut members = Vec::new();
    while let Some(t) = tokens.get(i) {
        if t.depth < depth || (t.depth == depth && (keyword(t, "WHERE") || word(t) == "{")) {
            break;
        }
        if t.depth == depth && is_variable(word(t)) {
            plain.push(variable_name(word(t)));
        }
        if t.depth == depth && word(t) == "(" {
            let end = closing(&tokens, i);
            members.push(member(&tokens[i + 1..end], text));
            i = end;
        }
        i += 1;
    }
    // The GROUP BY of this SELECT, if any, before the error.
    let mut grouped = Vec::new();
    while let Some(t) = tokens.get(i) {
        if t.start >= at || t.depth < depth {
            break;
        }
        if t.depth == depth
            && keyword(t, "GROUP")
            && tokens.get(i + 1).is_some_and(|b| keyword(b, "BY"))
        {
            i += 2;
            while let Some(t) = tokens.get(i) {
                if t.depth < depth
                    || ["HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"]
                        .iter()
                        .any(|k| keyword(t, k))
                {
                    break;
                }
                if is_variable(word(t)) && t.depth == depth {
                    grouped.push(variable_name(word(t)));
                }
                if word(t) == "(" && t.depth == depth {
                    let end = closing(&tokens, i);
                    let (target, used) = member(&tokens[i + 1..end], text);
                    match target {
                        Some(v) => grouped.push(v),
                        None if used.len() == 1 && end == i + 2 => grouped.extend(used),
                        None => {}
                    }
                    i = end;
                }
                i += 1;
            }
            break;
        }
        i += 1;
    }
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
