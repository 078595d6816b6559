//! Parser cases: the real seed article and every variant the format allows.

use signalgraph::seed::{read_bytes, Article, Diagnostic, Severity};

fn parse(name: &str, text: &str) -> (Option<Article>, Vec<Diagnostic>) {
    let stem = name.trim_end_matches(".txt").trim_end_matches(".md");
    let out = read_bytes(name, stem, text.as_bytes());
    (out.article, out.diagnostics)
}

fn warnings(d: &[Diagnostic]) -> Vec<String> {
    d.iter()
        .filter(|d| d.severity != Severity::Note)
        .map(|d| d.to_string())
        .collect()
}

const GOOD: &str = "# __A Title__, from ([20240107](https://d.example/p/20240107).)

__[External link](https://www.news.example/a/b?c=1)__

## Summary

First paragraph.

Second *paragraph*.

## Keywords

* AI
* job cuts

## Themes

* Artificial Intelligence

## Signals

| Signal | Change | 10y horizon | Driving force |
|--------|--------|-------------|---------------|
| One    | X to Y | Later       | Force         |

## Closest

* [Other](0123456789abcdef0123456789abcdef)
";

#[test]
fn real_seed_article() {
    let text = std::fs::read_to_string("tests/fixtures/000_5dd56928cd244e73.txt").unwrap();
    let (a, d) = parse("000_5dd56928cd244e73.txt", &text);
    let a = a.expect("article");
    assert!(warnings(&d).is_empty(), "{d:?}");
    assert_eq!(a.id, "5dd56928cd244e73");
    assert_eq!(a.title, "Klarna Cuts Jobs Amid AI Expansion");
    assert_eq!(a.date.unwrap().to_string(), "2024-11-03");
    assert_eq!(
        a.digest_url.as_deref(),
        Some("https://kghosh.substack.com/p/20241103")
    );
    assert!(a
        .source_url
        .as_deref()
        .unwrap()
        .starts_with("https://www.ibtimes.co.uk/our-chatbots"));
    assert!(a
        .summary
        .as_deref()
        .unwrap()
        .starts_with("Klarna, a Swedish financial services firm"));
    assert_eq!(a.keywords.len(), 10);
    assert_eq!(a.keywords[0], "Klarna");
    assert_eq!(a.keywords[9], "growth");
    assert_eq!(
        a.themes,
        [
            "Artificial Intelligence",
            "Workforce Management",
            "Financial Services"
        ]
    );
    assert_eq!(a.signals.len(), 6);
    let s = &a.signals[0];
    assert_eq!(s.row, 1);
    assert_eq!(s.line, 34);
    assert_eq!(s.signal, "Klarna cuts workforce by nearly 50%");
    assert_eq!(s.change, "Human jobs to AI automation");
    assert_eq!(s.horizon, "Significant job reduction in fintech");
    assert_eq!(s.driving_force, "Cost reduction and efficiency");
    assert_eq!(
        a.signals[5].driving_force,
        "Market presence and investor interest"
    );
    assert_eq!(a.closest.len(), 5);
    assert_eq!(
        a.closest[0].title,
        "Klarna Launches Game-Changing AI Assistant"
    );
    assert_eq!(a.closest[0].target, "b15a8c5cc8e0bed49f5aa1dae25ab026");
    assert_eq!(a.closest[4].line, 47);
    assert!(a.sections.is_empty());
}

#[test]
fn bom_and_crlf_give_the_same_article() {
    let (plain, _) = parse("001_0123456789abcdef.txt", GOOD);
    let crlf = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
    let (other, d) = parse("001_0123456789abcdef.txt", &crlf);
    assert_eq!(plain, other);
    assert!(warnings(&d).is_empty(), "{d:?}");
}

#[test]
fn heading_variants() {
    // No bold markers.
    let (a, d) = parse(
        "x_00000000000000aa.txt",
        &GOOD.replace("__A Title__", "A Title"),
    );
    assert_eq!(a.unwrap().title, "A Title");
    assert!(warnings(&d).is_empty());
    // No date part: a warning, the article is kept.
    let text = GOOD.replace(", from ([20240107](https://d.example/p/20240107).)", "");
    let (a, d) = parse("x_00000000000000aa.txt", &text);
    let a = a.unwrap();
    assert_eq!(a.title, "A Title");
    assert!(a.date.is_none());
    assert_eq!(
        warnings(&d),
        ["warning: x_00000000000000aa.txt:1: heading has no `, from ([YYYYMMDD](URL).)` part: the article has no date"]
    );
    // An impossible date.
    let (a, d) = parse(
        "x_00000000000000aa.txt",
        &GOOD.replace("[20240107]", "[20241399]"),
    );
    assert!(a.unwrap().date.is_none());
    assert!(warnings(&d)[0].contains("not a valid YYYYMMDD date"));
    // A title with a comma and parentheses of its own.
    let text = GOOD.replace("__A Title__", "__Jobs, from (some) angle__");
    let (a, _) = parse("x_00000000000000aa.txt", &text);
    let a = a.unwrap();
    assert_eq!(a.title, "Jobs, from (some) angle");
    assert_eq!(a.date.unwrap().to_string(), "2024-01-07");
}

#[test]
fn not_an_article() {
    let (a, d) = parse("n.txt", "Just some text\n\n## Summary\n\ntext\n");
    assert!(a.is_none());
    assert_eq!(
        d[0].to_string(),
        "error: n.txt:1: no `#` heading: not a seed article"
    );
    let (a, d) = parse("n.txt", "\n\n");
    assert!(a.is_none());
    assert_eq!(d[0].message, "file is empty");
    let out = read_bytes(
        "b.txt",
        "b",
        b"# Title\n\n## Summary\n\nbad \xC3\x28 byte\n",
    );
    assert!(out.article.is_none());
    assert_eq!(out.diagnostics[0].line, 5);
    assert_eq!(out.diagnostics[0].severity, Severity::Error);
}

#[test]
fn missing_sections_are_warnings_with_lines() {
    let text = "\n# __T__, from ([20240107](https://d.example/p/20240107).)\n\n## Summary\n\nS.\n";
    let (a, d) = parse("m_00000000000000bb.txt", text);
    assert!(a.is_some());
    let w = warnings(&d);
    assert_eq!(w.len(), 4, "{w:?}");
    assert_eq!(
        w[0],
        "warning: m_00000000000000bb.txt:2: missing section `## Keywords`"
    );
    assert!(w
        .iter()
        .any(|w| w.ends_with("missing section `## Closest`")));
}

#[test]
fn signals_table_columns_by_name_escaped_pipes_extra_columns_short_rows() {
    let table = "| Driving force | Extra | signal | 10Y Horizon | CHANGE |
|---|---|---|---|---|
| Force A | kept | Has \\| pipe | H | From *a* to `b` |
| Force B | x | Short row |
";
    let text = GOOD.replace(
        "| Signal | Change | 10y horizon | Driving force |
|--------|--------|-------------|---------------|
| One    | X to Y | Later       | Force         |
",
        table,
    );
    let (a, d) = parse("t_00000000000000cc.txt", &text);
    let a = a.unwrap();
    assert_eq!(a.signals.len(), 2);
    let s = &a.signals[0];
    assert_eq!(s.signal, "Has | pipe");
    assert_eq!(s.change, "From a to b");
    assert_eq!(s.horizon, "H");
    assert_eq!(s.driving_force, "Force A");
    assert_eq!(s.extra, [("Extra".to_string(), "kept".to_string())]);
    let short = &a.signals[1];
    assert_eq!(short.signal, "Short row");
    assert_eq!(short.change, "");
    assert_eq!(short.row, 2);
    let w = warnings(&d);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with(&format!(
        "warning: t_00000000000000cc.txt:{}: signals table row has 3 of 5 cells",
        short.line
    )));
}

#[test]
fn lists_with_dashes_sections_in_other_order_and_unknown_sections() {
    let text = "# __T__, from ([20240107](https://d.example/p/20240107).)

## Closest

- [Other one](abcdefabcdefabcd)

## Notes

Some *notes* here.

- and a list

## Themes

- Theme One
- Theme Two

## Keywords

- k1
  - nested k2

## Summary

S.

## Signals

| Signal | Change | 10y horizon | Driving force |
|---|---|---|---|
| a | b | c | d |
";
    let (a, d) = parse("o.md", text);
    let a = a.unwrap();
    assert_eq!(a.themes, ["Theme One", "Theme Two"]);
    assert_eq!(a.keywords, ["k1", "nested k2"]);
    assert_eq!(a.closest[0].target, "abcdefabcdefabcd");
    assert_eq!(a.sections.len(), 1);
    assert_eq!(a.sections[0].heading, "Notes");
    assert_eq!(a.sections[0].text, "Some *notes* here.\n\n- and a list");
    assert_eq!(a.sections[0].line, 7);
    // No hex id in the name: the id comes from the title.
    assert_eq!(a.id.len(), 16);
    let (b, _) = parse("other-name.md", text);
    assert_eq!(a.id, b.unwrap().id);
    // The unknown section is a note, and the missing source link too; no warnings.
    assert!(warnings(&d).is_empty(), "{d:?}");
    assert!(d
        .iter()
        .any(|d| d.message.contains("unknown section `## Notes`")));
}

/// HTML in a field is the author's text: kept verbatim in every field (the
/// writers escape it), not parsed as markup and dropped.
#[test]
fn html_in_fields_is_kept_as_text() {
    let text = r#"# __AT&T <Bets> on "AI-first" Networks__, from ([20240107](https://d.example/p/20240107).)

__[External link](https://www.news.example/a)__

## Summary

A <b>bold</b> claim & more.

<script>alert("summary")</script>

## Keywords

* <i>edge</i> AI
* <div>block</div>

## Themes

* Networks <sup>5G</sup>

## Signals

| Signal | Change | 10y horizon | Driving force | Note |
|--------|--------|-------------|---------------|------|
| <script>alert(1)</script> | <b>X</b> to Y | <br> Later | Force <img src=x onerror=alert(2)> | <!-- c --> |

## Closest

* [The <em>other</em> one](0123456789abcdef0123456789abcdef)

## Notes <u>kept</u>

<p>raw</p>
"#;
    let (a, d) = parse("h.md", text);
    let a = a.unwrap_or_else(|| panic!("{d:?}"));
    assert_eq!(a.title, r#"AT&T <Bets> on "AI-first" Networks"#);
    assert_eq!(
        a.summary.as_deref(),
        Some("A <b>bold</b> claim & more.\n\n<script>alert(\"summary\")</script>")
    );
    assert_eq!(a.keywords, ["<i>edge</i> AI", "<div>block</div>"]);
    assert_eq!(a.themes, ["Networks <sup>5G</sup>"]);
    let s = &a.signals[0];
    assert_eq!(s.signal, "<script>alert(1)</script>");
    assert_eq!(s.change, "<b>X</b> to Y");
    assert_eq!(s.horizon, "<br> Later");
    assert_eq!(s.driving_force, "Force <img src=x onerror=alert(2)>");
    assert_eq!(s.extra, [("Note".to_string(), "<!-- c -->".to_string())]);
    assert_eq!(a.closest[0].title, "The <em>other</em> one");
    assert_eq!(a.sections[0].heading, "Notes <u>kept</u>");
    assert_eq!(a.sections[0].text, "<p>raw</p>");
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    /// Markdown-ish text: the characters the parser cares about, in any order.
    fn markdownish() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "# ",
            "## ",
            "__",
            "**",
            "*",
            "- ",
            "|",
            "\\|",
            "---",
            ":--",
            "[",
            "](",
            ")",
            "(",
            ", from (",
            "20240107",
            ".)",
            "\n",
            "\r\n",
            "\r",
            " ",
            "Signal",
            "Change",
            "10y horizon",
            "Driving force",
            "Summary",
            "Keywords",
            "Themes",
            "Signals",
            "Closest",
            "`",
            "<b>",
            "&amp;",
            "é",
            "🙂",
            "\u{feff}",
            "\t",
            "> ",
            "1. ",
        ]);
        prop::collection::vec(pieces, 0..200).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

        /// No input makes the reader panic, and every diagnostic names a line inside the file.
        #[test]
        fn any_text_reads_without_panicking(text in markdownish()) {
            let out = read_bytes("x.txt", "x", text.as_bytes());
            // CRLF and lone CR end lines too.
            let lines = text.replace("\r\n", "\n").replace('\r', "\n").split('\n').count() as u32;
            for d in &out.diagnostics {
                prop_assert!(d.line >= 1 && d.line <= lines, "{d} (file has {lines} lines)");
            }
            if let Some(a) = out.article {
                prop_assert!(!a.title.is_empty());
                prop_assert_eq!(a.id.len(), 16);
            }
        }

        #[test]
        fn any_bytes_read_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_bytes("x.txt", "x", &bytes);
        }
    }
}
