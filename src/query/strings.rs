//! String functions that ask the memory budget before they build their result.
//!
//! The memory budget ([`crate::memory::Budget`]) is checked between the
//! engine's steps, but one call of a string function can build a value far
//! larger than its input: nine nested `REPLACE(…, "a", "aaaaaaaaaa")` turn one
//! character into a gigabyte inside a single evaluation step, and the
//! allocator can only raise the flag, never refuse (a global allocator may
//! not unwind, and a null pointer aborts). So [`guard_string_functions`]
//! rewrites a parsed query to call the functions here instead of spareval's
//! built-ins wherever the result can outgrow the input — `REPLACE`, `CONCAT`,
//! `UCASE`, `LCASE` (a character's case mapping may take up to three times
//! its bytes) and `ENCODE_FOR_URI` (three bytes for one) — and
//! [`with_guarded_functions`] registers them with the evaluator. Each one
//! computes (or, for `REPLACE`, grows) its result only while
//! [`crate::memory::room_for`] allows; otherwise the budget counts as
//! exceeded, the function gives no value and the query's guard stops the
//! query with the memory reason at its next step.
//!
//! The results are the built-ins' own, as spareval computes them: the same
//! argument checks, regular expression flags, language tags and datatypes
//! (the tests compare both on ordinary inputs). The others cannot grow a
//! value past their input (`SUBSTR`, `STRBEFORE`, `STRAFTER`, `STR`,
//! `STRUUID`'s fixed 36 bytes); `GROUP_CONCAT` grows by one value and one
//! separator per solution, and every solution passes the guard, which sees
//! the allocator's flag.

use oxigraph::model::vocab::{rdf, xsd};
use oxigraph::model::{Literal, NamedNode, Term};
use regex::{Captures, Regex, RegexBuilder, Replacer};
use spareval::QueryEvaluator;
use spargebra::algebra::{
    AggregateExpression, Expression, Function, GraphPattern, OrderExpression,
};
use spargebra::Query;
use std::cell::RefCell;

use crate::memory::room_for;

const REPLACE: &str = "urn:signalgraph:function:replace";
const CONCAT: &str = "urn:signalgraph:function:concat";
const UCASE: &str = "urn:signalgraph:function:ucase";
const LCASE: &str = "urn:signalgraph:function:lcase";
const ENCODE_FOR_URI: &str = "urn:signalgraph:function:encode-for-uri";

/// spareval's limit on a compiled regular expression.
const REGEX_SIZE_LIMIT: usize = 1_000_000;

/// Registers the functions [`guard_string_functions`] calls.
pub(crate) fn with_guarded_functions(evaluator: QueryEvaluator) -> QueryEvaluator {
    evaluator
        .with_custom_function(NamedNode::new_unchecked(REPLACE), replace)
        .with_custom_function(NamedNode::new_unchecked(CONCAT), concat)
        .with_custom_function(NamedNode::new_unchecked(UCASE), |args| {
            case(args, str::to_uppercase, char::to_uppercase)
        })
        .with_custom_function(NamedNode::new_unchecked(LCASE), |args| {
            case(args, str::to_lowercase, char::to_lowercase)
        })
        .with_custom_function(NamedNode::new_unchecked(ENCODE_FOR_URI), encode_for_uri)
}

/// Makes the query call the functions of this module instead of the
/// built-ins that can outgrow their input, and counts its triple and path
/// patterns on the way (the planner's work grows with them; see `query`).
pub(crate) fn guard_string_functions(query: &mut Query) -> usize {
    let mut patterns = 0;
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => pattern_functions(pattern, &mut patterns),
    }
    patterns
}

fn pattern_functions(pattern: &mut GraphPattern, patterns: &mut usize) {
    match pattern {
        GraphPattern::Bgp { patterns: triples } => *patterns += triples.len(),
        GraphPattern::Path { .. } => *patterns += 1,
        GraphPattern::Values { .. } => {}
        GraphPattern::Join { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right }
        | GraphPattern::Lateral { left, right } => {
            pattern_functions(left, patterns);
            pattern_functions(right, patterns);
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            pattern_functions(left, patterns);
            pattern_functions(right, patterns);
            if let Some(e) = expression {
                expression_functions(e, patterns);
            }
        }
        GraphPattern::Filter { expr, inner } => {
            expression_functions(expr, patterns);
            pattern_functions(inner, patterns);
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => {
            pattern_functions(inner, patterns);
            expression_functions(expression, patterns);
        }
        GraphPattern::OrderBy { inner, expression } => {
            pattern_functions(inner, patterns);
            for e in expression {
                match e {
                    OrderExpression::Asc(e) | OrderExpression::Desc(e) => {
                        expression_functions(e, patterns)
                    }
                }
            }
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            pattern_functions(inner, patterns);
            for (_, aggregate) in aggregates {
                if let AggregateExpression::FunctionCall { expr, .. } = aggregate {
                    expression_functions(expr, patterns);
                }
            }
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. }
        | GraphPattern::Service { inner, .. } => pattern_functions(inner, patterns),
    }
}

fn expression_functions(expression: &mut Expression, patterns: &mut usize) {
    match expression {
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => {}
        Expression::Or(a, b)
        | Expression::And(a, b)
        | Expression::Equal(a, b)
        | Expression::SameTerm(a, b)
        | Expression::Greater(a, b)
        | Expression::GreaterOrEqual(a, b)
        | Expression::Less(a, b)
        | Expression::LessOrEqual(a, b)
        | Expression::Add(a, b)
        | Expression::Subtract(a, b)
        | Expression::Multiply(a, b)
        | Expression::Divide(a, b) => {
            expression_functions(a, patterns);
            expression_functions(b, patterns);
        }
        Expression::In(a, list) => {
            expression_functions(a, patterns);
            list.iter_mut()
                .for_each(|e| expression_functions(e, patterns));
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            expression_functions(a, patterns)
        }
        Expression::Exists(pattern) => pattern_functions(pattern, patterns),
        Expression::If(a, b, c) => {
            expression_functions(a, patterns);
            expression_functions(b, patterns);
            expression_functions(c, patterns);
        }
        Expression::Coalesce(list) => list
            .iter_mut()
            .for_each(|e| expression_functions(e, patterns)),
        Expression::FunctionCall(function, args) => {
            args.iter_mut()
                .for_each(|e| expression_functions(e, patterns));
            let guarded = match function {
                Function::Replace => REPLACE,
                Function::Concat => CONCAT,
                Function::UCase => UCASE,
                Function::LCase => LCASE,
                Function::EncodeForUri => ENCODE_FOR_URI,
                _ => return,
            };
            *function = Function::Custom(NamedNode::new_unchecked(guarded));
        }
    }
}

/// A plain literal's value and language tag (`None` for other terms), as
/// spareval's `to_string_and_language`.
fn string_and_language(term: &Term) -> Option<(&str, Option<&str>)> {
    let Term::Literal(literal) = term else {
        return None;
    };
    if literal.datatype() == xsd::STRING {
        Some((literal.value(), None))
    } else if literal.datatype() == rdf::LANG_STRING {
        Some((literal.value(), literal.language()))
    } else {
        None
    }
}

/// A simple literal's value (`None` for any other term).
fn simple(term: &Term) -> Option<&str> {
    match term {
        Term::Literal(l) if l.datatype() == xsd::STRING => Some(l.value()),
        _ => None,
    }
}

fn plain_literal(value: String, language: Option<&str>) -> Term {
    match language {
        Some(language) => {
            Literal::new_language_tagged_literal_unchecked(value, language.to_string()).into()
        }
        None => Literal::new_simple_literal(value).into(),
    }
}

fn concat(args: &[Term]) -> Option<Term> {
    let mut parts = Vec::with_capacity(args.len());
    let mut language: Option<Option<&str>> = None;
    for arg in args {
        let (value, arg_language) = string_and_language(arg)?;
        match language {
            Some(l) if l != arg_language => language = Some(None),
            Some(_) => {}
            None => language = Some(arg_language),
        }
        parts.push(value);
    }
    let len = parts.iter().map(|p| p.len()).sum();
    if !room_for(len) {
        return None;
    }
    let mut result = String::with_capacity(len);
    parts.iter().for_each(|p| result.push_str(p));
    Some(plain_literal(result, language.flatten()))
}

fn case<I: Iterator<Item = char>>(
    args: &[Term],
    whole: fn(&str) -> String,
    each: fn(char) -> I,
) -> Option<Term> {
    let [arg] = args else { return None };
    let (value, language) = string_and_language(arg)?;
    // The mapping of each character bounds the result (the final sigma of
    // `to_lowercase` has the same length as the other sigma).
    let len: usize = value.chars().flat_map(each).map(char::len_utf8).sum();
    if !room_for(len) {
        return None;
    }
    Some(plain_literal(whole(value), language))
}

fn encode_for_uri(args: &[Term]) -> Option<Term> {
    let [arg] = args else { return None };
    let (value, _) = string_and_language(arg)?;
    let unreserved = |c: u8| c.is_ascii_alphanumeric() || b"-_.~".contains(&c);
    let len: usize = value
        .bytes()
        .map(|c| if unreserved(c) { 1 } else { 3 })
        .sum();
    if !room_for(len) {
        return None;
    }
    let mut result = String::with_capacity(len);
    for c in value.bytes() {
        if unreserved(c) {
            result.push(char::from(c));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            result.push('%');
            result.push(char::from(HEX[usize::from(c >> 4)]));
            result.push(char::from(HEX[usize::from(c & 15)]));
        }
    }
    Some(Literal::new_simple_literal(result).into())
}

thread_local! {
    /// The last regular expression REPLACE compiled on this thread, by pattern and flags.
    static LAST_REGEX: RefCell<Option<(String, Option<String>, Regex)>> = const { RefCell::new(None) };
}

/// A regular expression as spareval's `compile_pattern` builds it.
fn compile(pattern: &str, flags: Option<&str>) -> Option<Regex> {
    let cached = LAST_REGEX.with_borrow(|last| {
        last.as_ref()
            .filter(|(p, f, _)| p == pattern && f.as_deref() == flags)
            .map(|(_, _, r)| r.clone())
    });
    if cached.is_some() {
        return cached;
    }
    let all = flags.unwrap_or_default();
    let escaped;
    let source = if all.contains('q') {
        escaped = regex::escape(pattern);
        escaped.as_str()
    } else {
        pattern
    };
    let mut builder = RegexBuilder::new(source);
    builder.size_limit(REGEX_SIZE_LIMIT);
    for flag in all.chars() {
        match flag {
            's' => builder.dot_matches_new_line(true),
            'm' => builder.multi_line(true),
            'i' => builder.case_insensitive(true),
            'x' => builder.ignore_whitespace(true),
            'q' => &mut builder,
            _ => return None,
        };
    }
    let regex = builder.build().ok()?;
    LAST_REGEX.set(Some((
        pattern.to_string(),
        flags.map(str::to_string),
        regex.clone(),
    )));
    Some(regex)
}

/// Expands each match as `&str` replacements do, until the budget has no
/// room for the result to double.
struct Budgeted<'r> {
    replacement: &'r str,
    out_of_room: bool,
}

impl Replacer for Budgeted<'_> {
    fn replace_append(&mut self, caps: &Captures<'_>, dst: &mut String) {
        if self.out_of_room {
            return;
        }
        let grown = dst.len().saturating_add(self.replacement.len());
        if grown > dst.capacity() && !room_for(grown.max(dst.capacity().saturating_mul(2))) {
            self.out_of_room = true;
            return;
        }
        caps.expand(self.replacement, dst);
    }
}

fn replace(args: &[Term]) -> Option<Term> {
    let (arg, pattern, replacement, flags) = match args {
        [a, p, r] => (a, p, r, None),
        [a, p, r, f] => (a, p, r, Some(simple(f)?)),
        _ => return None,
    };
    let regex = compile(simple(pattern)?, flags)?;
    let (text, language) = string_and_language(arg)?;
    let mut replacer = Budgeted {
        replacement: simple(replacement)?,
        out_of_room: false,
    };
    let replaced = regex.replace_all(text, replacer.by_ref());
    if replacer.out_of_room {
        return None;
    }
    Some(plain_literal(replaced.into_owned(), language))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::Dataset;
    use spareval::QueryResults;
    use spargebra::SparqlParser;

    /// The values of `?r` for each expression, with the built-in and with the
    /// guarded function.
    fn both(expressions: &[&str]) -> (Vec<String>, Vec<String>) {
        let run = |guarded: bool| -> Vec<String> {
            expressions
                .iter()
                .map(|e| {
                    let q = format!("SELECT ?r WHERE {{ BIND({e} AS ?r) }}");
                    let mut query = SparqlParser::new().parse_query(&q).unwrap();
                    let mut evaluator = QueryEvaluator::new();
                    if guarded {
                        guard_string_functions(&mut query);
                        evaluator = with_guarded_functions(evaluator);
                    }
                    let dataset = Dataset::new();
                    let QueryResults::Solutions(mut solutions) =
                        evaluator.prepare(&query).execute(&dataset).unwrap()
                    else {
                        panic!("not solutions")
                    };
                    let solution = solutions.next().unwrap().unwrap();
                    match solution.get("r") {
                        Some(t) => t.to_string(),
                        None => "unbound".to_string(),
                    }
                })
                .collect()
        };
        (run(false), run(true))
    }

    #[test]
    fn guarded_functions_give_what_the_built_ins_give() {
        let cases = [
            r#"REPLACE("abcabc", "b", "X")"#,
            r#"REPLACE("abcabc", "B", "X", "i")"#,
            r#"REPLACE("abc"@en, "(b)", "[$1]")"#,
            r#"REPLACE("a.c", ".", "-", "q")"#,
            r#"REPLACE("a\nb", "^b", "B", "m")"#,
            r#"REPLACE("a\nb", "a.b", "X", "s")"#,
            r#"REPLACE("a b", "a b", "X", "x")"#,
            r#"REPLACE("abc", "b", "X", "z")"#,
            r#"REPLACE("abc", "(", "X")"#,
            r#"REPLACE("abc", "", "-")"#,
            r#"REPLACE("abc", "x", "y")"#,
            r#"REPLACE("abc", "b", "X"@en)"#,
            r#"REPLACE("abc"^^xsd:string, "b", "$$")"#,
            r#"REPLACE(1, "1", "2")"#,
            r#"REPLACE("ab", "(?<n>b)", "${n}${n}")"#,
            r#"CONCAT()"#,
            r#"CONCAT("a", "b")"#,
            r#"CONCAT("a"@en, "b"@en)"#,
            r#"CONCAT("a"@en, "b"@fr)"#,
            r#"CONCAT("a"@en, "b")"#,
            r#"CONCAT("a", 1)"#,
            r#"CONCAT(<http://x>, "a")"#,
            r#"UCASE("straße ŉ ΐ"@de)"#,
            r#"LCASE("ΣΑΣ İ")"#,
            r#"UCASE(1)"#,
            r#"ENCODE_FOR_URI("a b/ü~-_.")"#,
            r#"ENCODE_FOR_URI("x"@en)"#,
            r#"ENCODE_FOR_URI(2)"#,
            r#"STRLEN(CONCAT(UCASE("a"), LCASE("B")))"#,
        ];
        let cases: Vec<String> = cases
            .iter()
            .map(|c| c.replace("xsd:string", "<http://www.w3.org/2001/XMLSchema#string>"))
            .collect();
        let cases: Vec<&str> = cases.iter().map(String::as_str).collect();
        let (builtin, guarded) = both(&cases);
        for ((case, b), g) in cases.iter().zip(&builtin).zip(&guarded) {
            assert_eq!(b, g, "{case}");
        }
        // Not all the same by accident: the cases do compute something.
        assert_eq!(guarded[0], "\"aXcaXc\"");
        assert_eq!(guarded[2], "\"a[b]c\"@en");
        assert_eq!(guarded[7], "unbound");
    }

    #[test]
    fn every_growing_builtin_is_rewritten() {
        let mut query = SparqlParser::new()
            .parse_query(
                r#"SELECT (CONCAT(?a, "x") AS ?c) WHERE {
                    ?s ?p ?a OPTIONAL { ?s ?q ?b FILTER(UCASE(?b) = "X") }
                    FILTER EXISTS { ?s ?p ?o FILTER(LCASE(?o) != "") }
                    BIND(ENCODE_FOR_URI(?a) AS ?e)
                } GROUP BY ?a HAVING (SAMPLE(REPLACE(?a, "a", "b")) != "") ORDER BY REPLACE(?a, "x", "y")"#,
            )
            .unwrap();
        guard_string_functions(&mut query);
        let text = query.to_string();
        for builtin in ["CONCAT(", "UCASE(", "LCASE(", "ENCODE_FOR_URI(", "REPLACE("] {
            assert!(!text.contains(builtin), "{builtin} in {text}");
        }
        for guarded in [REPLACE, CONCAT, UCASE, LCASE, ENCODE_FOR_URI] {
            assert!(text.contains(guarded), "{guarded} not in {text}");
        }
    }
}
