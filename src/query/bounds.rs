//! Bounds on a query's text checked before parsing, and the stack a query runs on.
//!
//! spargebra's parser, spareval's planner and evaluator, and the `Drop` of the
//! algebra all recurse, not only along brackets but along flat chains too
//! (`1+1+…`, `a && b && …`, `{} UNION {} …`, `p/p/…`, `FILTER … FILTER …`,
//! `OPTIONAL … OPTIONAL …`, the expressions of a SELECT), and a stack overflow
//! aborts the process. Every level of that recursion comes from at least one
//! lexical token of the query, so [`check`] refuses a text of more than
//! [`MAX_TOKENS`] tokens (or nested deeper than [`MAX_NESTING`]) before it
//! is parsed, and every thread that parses, plans, evaluates or drops a query
//! gets [`STACK_SIZE`] bytes of stack: the heaviest shape measured costs at
//! most [`WORST_BYTES_PER_TOKEN`] bytes of stack per token in a release build
//! (`tests/hostile_queries.rs` keeps the shapes), and the stack holds at least
//! four times `MAX_TOKENS` of those. Stack is virtual memory: only the pages a
//! query touches cost.
//!
//! Tokens are counted generously: a string, an IRI or a run of name
//! characters (letters, digits, `_ : ? $ @`, escapes, non-ASCII) is one
//! token, every other visible character one token each (so `&&` is two),
//! comments and white space none.

/// The most tokens a query may have (see the module documentation).
pub const MAX_TOKENS: usize = 10_000;

/// The deepest nesting of `(`, `{` and `[` a query may have.
pub const MAX_NESTING: usize = 256;

/// The most stack bytes per token measured over the shapes of
/// `tests/hostile_queries.rs` (release build, x86-64).
pub(crate) const WORST_BYTES_PER_TOKEN: usize = 2_800;

/// The stack of every thread that parses, plans, evaluates or drops a query.
pub const STACK_SIZE: usize = 128 << 20;

const _: () = assert!(STACK_SIZE >= 4 * MAX_TOKENS * WORST_BYTES_PER_TOKEN);

/// What [`scan`] finds in a query's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size {
    /// Tokens counted (up to the first past the limit).
    pub tokens: usize,
    /// The deepest nesting of brackets outside strings, IRIs and comments.
    pub depth: usize,
}

/// Whether the text of a query is within [`MAX_TOKENS`] and [`MAX_NESTING`];
/// the error says which bound it passes.
pub(crate) fn check(text: &str) -> Result<(), String> {
    let size = scan(text);
    if size.depth > MAX_NESTING {
        return Err(format!("nested deeper than {MAX_NESTING} levels"));
    }
    if size.tokens > MAX_TOKENS {
        return Err(format!(
            "the query has {} tokens, more than the {MAX_TOKENS} a query may have (names, numbers, strings, IRIs and each punctuation sign count one)",
            size.tokens
        ));
    }
    Ok(())
}

fn is_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"_:?$@\\".contains(&b) || b >= 0x80
}

/// Counts the tokens of a query and its deepest bracket nesting.
pub fn scan(text: &str) -> Size {
    let (mut tokens, mut depth) = (0, 0);
    lex(text, |token| {
        tokens += 1;
        depth = depth.max(token.depth + usize::from(token.opens));
    });
    Size { tokens, depth }
}

/// A token of a query's text as [`lex`] splits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Token {
    pub start: usize,
    pub end: usize,
    /// The nesting of brackets around the token (for a bracket, around it).
    pub depth: usize,
    /// Whether the token is `(`, `{` or `[`.
    pub opens: bool,
}

/// Calls `each` with every token of `text`, in order.
pub(super) fn lex(text: &str, mut each: impl FnMut(Token)) {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if b == b'#' {
            while bytes.get(i).is_some_and(|&c| c != b'\n') {
                i += 1;
            }
            continue;
        }
        let start = i;
        let mut token_depth = depth;
        let mut opens = false;
        match b {
            b'"' | b'\'' => i = string_end(bytes, i),
            b'<' => i = iri_end(bytes, i).unwrap_or(i + 1),
            _ if is_name(b) => {
                while let Some(&c) = bytes.get(i) {
                    if !is_name(c) {
                        break;
                    }
                    // An escaped character of a prefixed name (`ex:a\#b`).
                    i += if c == b'\\' { 2 } else { 1 };
                }
            }
            _ => {
                match b {
                    b'(' | b'{' | b'[' => {
                        opens = true;
                        depth += 1;
                    }
                    b')' | b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        token_depth = depth;
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        each(Token {
            start,
            end: i.min(bytes.len()),
            depth: token_depth,
            opens,
        });
    }
}

/// The index after the string literal that starts at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let long = bytes.get(start + 1) == Some(&quote) && bytes.get(start + 2) == Some(&quote);
    let mut i = start + if long { 3 } else { 1 };
    while let Some(&c) = bytes.get(i) {
        if c == b'\\' {
            i += 2;
            continue;
        }
        if c == quote {
            if !long {
                return i + 1;
            }
            if bytes.get(i + 1) == Some(&quote) && bytes.get(i + 2) == Some(&quote) {
                return i + 3;
            }
        }
        if c == b'\n' && !long {
            return i;
        }
        i += 1;
    }
    i
}

/// The index after the IRI that starts at `start`, if a `<` starts one
/// (no spaces, quotes or braces before its `>`); else `<` is less-than.
fn iri_end(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = bytes.get(start + 1..)?;
    let n = rest
        .iter()
        .position(|&c| c <= b' ' || b"<>\"{}|^`\\".contains(&c))?;
    (rest[n] == b'>').then_some(start + n + 2)
}

/// Runs `f` on a thread of [`STACK_SIZE`] bytes of stack and waits for it;
/// a panic in `f` resumes on the caller. Fails only when the OS cannot start
/// the thread.
pub fn on_query_stack<T: Send>(f: impl FnOnce() -> T + Send) -> std::io::Result<T> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("sg-query".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, f)?;
        match thread.join() {
            Ok(value) => Ok(value),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_skips_strings_iris_comments_and_escapes() {
        let depth = |text: &str| scan(text).depth;
        assert_eq!(depth("SELECT * WHERE { ?s ?p ?o }"), 1);
        assert_eq!(depth("ASK { FILTER((1)) }"), 3);
        assert_eq!(depth("ASK { ?s ?p \"((((\" } # ((((("), 1);
        assert_eq!(depth("ASK { ?s ?p '''a ' (( ''' }"), 1);
        assert_eq!(depth("ASK { ?s ?p \"\\\"((\" }"), 1);
        assert_eq!(depth(&"(".repeat(10_000)), 10_000);
        assert_eq!(depth(")))"), 0);
        assert_eq!(depth("ASK { <http://x/#(((> ?p ?o FILTER(?o < 3) }"), 2);
        assert_eq!(depth("ASK { ex:a\\#b ?p ((( }"), 4);
    }

    #[test]
    fn tokens_and_nesting() {
        assert_eq!(
            scan("SELECT * WHERE { ?s ?p ?o }"),
            Size {
                tokens: 8,
                depth: 1
            }
        );
        assert_eq!(scan("ASK { FILTER((1)) }").depth, 3);
        // Strings, IRIs and comments are one token or none, brackets inside them no nesting.
        assert_eq!(
            scan("ASK { ?s ?p \"((((\" } # ((((("),
            Size {
                tokens: 6,
                depth: 1
            }
        );
        assert_eq!(scan("ASK { ?s ?p '''a ' (( ''' }").depth, 1);
        assert_eq!(scan("ASK { ?s ?p \"\\\"((\" }").depth, 1);
        assert_eq!(
            scan("ASK { <http://x/#(((> ?p ?o FILTER(?o < 3) }"),
            Size {
                tokens: 12,
                depth: 2
            }
        );
        assert_eq!(scan("ASK { ex:a\\#b ?p ((( }").depth, 4);
        assert_eq!(scan(&"(".repeat(10_000)).depth, 10_000);
        assert_eq!(scan(")))").depth, 0);
        // Punctuation counts one per character, name runs one each.
        assert_eq!(scan("1+1+1").tokens, 5);
        assert_eq!(scan("?a&&?b").tokens, 4);
        assert_eq!(scan("!!!!x").tokens, 5);
        assert_eq!(scan("\"a\"@en-GB").tokens, 4);
        assert_eq!(scan("").tokens, 0);
        assert_eq!(scan("# only a comment\n").tokens, 0);
        assert_eq!(scan("\"unterminated").tokens, 1);
    }

    #[test]
    fn check_refuses_past_either_bound() {
        let flat = |n: usize| format!("SELECT ({} AS ?x) WHERE {{}}", vec!["1"; n].join("+"));
        // 8 tokens around the 2n - 1 of the sum.
        let at = (MAX_TOKENS - 7) / 2;
        assert_eq!(scan(&flat(at)).tokens, 2 * at + 7);
        assert!(scan(&flat(at)).tokens <= MAX_TOKENS);
        assert!(check(&flat(at)).is_ok());
        assert!(scan(&flat(at + 1)).tokens > MAX_TOKENS);
        let e = check(&flat(at + 1)).unwrap_err();
        assert!(e.contains(&format!("more than the {MAX_TOKENS}")), "{e}");
        let deep = format!("ASK {}{}", "{".repeat(257), "}".repeat(257));
        assert!(check(&deep).unwrap_err().contains("nested deeper than 256"));
        assert!(check(&format!("ASK {}{}", "{".repeat(256), "}".repeat(256))).is_ok());
    }

    #[test]
    fn the_query_stack_runs_deep_recursion_and_passes_panics_on() {
        fn down(n: usize) -> usize {
            let frame = std::hint::black_box([0u8; 1024]);
            if n == 0 {
                frame[0] as usize
            } else {
                down(n - 1) + std::hint::black_box(frame[n % 1024]) as usize
            }
        }
        // 32 MiB of frames: more than a default thread's stack.
        assert_eq!(on_query_stack(|| down(32 << 10)).unwrap(), 0);
        let panicked = std::panic::catch_unwind(|| on_query_stack(|| panic!("inside")));
        assert!(panicked.is_err());
    }
}
