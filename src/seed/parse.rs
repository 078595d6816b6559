//! The markdown walk over one seed article (pulldown-cmark events with source offsets).

use super::{Article, ClosestLink, Date, Diagnostic, FileOutcome, Section, Severity, SignalRow};
use crate::normalize::concept_key;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// The `##` sections the format names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    Summary,
    Keywords,
    Themes,
    Signals,
    Closest,
}

const KNOWN: [(Known, &str); 5] = [
    (Known::Summary, "Summary"),
    (Known::Keywords, "Keywords"),
    (Known::Themes, "Themes"),
    (Known::Signals, "Signals"),
    (Known::Closest, "Closest"),
];

fn classify(heading: &str) -> Option<Known> {
    let key = concept_key(heading);
    KNOWN
        .iter()
        .find(|(_, name)| key == name.to_ascii_lowercase())
        .map(|(k, _)| *k)
}

/// Where the walk is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// Before the `#` heading.
    Start,
    /// After the `#` heading, before the first `##`.
    Preamble,
    Known(Known),
    /// An unknown `##` section (index into `sections`).
    Unknown(usize),
}

/// Which column of the signals table a cell belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Column {
    Signal,
    Change,
    Horizon,
    DrivingForce,
    Extra(String),
}

fn column_of(header: &str) -> Column {
    match concept_key(header).as_str() {
        "signal" | "signals" => Column::Signal,
        "change" | "changes" => Column::Change,
        "driving force" | "driving forces" => Column::DrivingForce,
        h if h.contains("horizon") => Column::Horizon,
        _ => Column::Extra(header.to_string()),
    }
}

/// Maps byte offsets to 1-based line numbers.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { starts }
    }

    fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&s| s <= offset) as u32
    }
}

/// Text being collected from inline events (a heading, a list item, a cell, a link).
#[derive(Default)]
struct Inline {
    text: String,
}

impl Inline {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn finish(self) -> String {
        crate::normalize::collapse_whitespace(&self.text)
    }
}

struct Walk<'a> {
    file: &'a str,
    text: &'a str,
    lines: Lines,
    diagnostics: Vec<Diagnostic>,
    part: Part,
    heading_line: u32,
    title: Option<String>,
    date: Option<Date>,
    digest_url: Option<String>,
    source_url: Option<String>,
    summary: Vec<String>,
    keywords: Vec<String>,
    themes: Vec<String>,
    signals: Vec<SignalRow>,
    closest: Vec<ClosestLink>,
    sections: Vec<Section>,
    seen: Vec<Known>,
    /// Where the text of the current unknown section starts.
    section_body_start: usize,
}

impl Walk<'_> {
    fn diag(&mut self, severity: Severity, line: u32, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            severity,
            file: self.file.to_string(),
            line,
            message: message.into(),
        });
    }

    fn close_unknown_section(&mut self, end: usize) {
        if let Part::Unknown(i) = self.part {
            let body = self.text[self.section_body_start..end].trim();
            self.sections[i].text = body.to_string();
        }
    }
}

/// Parses the (already decoded, LF-only) text of one seed article.
pub fn parse_article(file: &str, stem: &str, text: &str) -> FileOutcome {
    let mut w = Walk::new(file, text);
    let mut events = Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter();
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(Tag::Heading { level, .. }) if level <= HeadingLevel::H2 => {
                let (inline, links) = collect_inline(&mut events);
                let line = w.lines.line(range.start);
                if level == HeadingLevel::H1 {
                    w.title_heading(inline, &links, line);
                } else {
                    w.section_heading(inline, line, range);
                }
            }
            Event::Start(Tag::Paragraph) if w.part == Part::Preamble => {
                let (_, links) = collect_inline(&mut events);
                if w.source_url.is_none() {
                    w.source_url = links
                        .into_iter()
                        .map(|(url, _)| url)
                        .find(|u| !u.is_empty());
                }
            }
            Event::Start(Tag::Paragraph | Tag::HtmlBlock)
                if w.part == Part::Known(Known::Summary) =>
            {
                let (inline, _) = collect_inline(&mut events);
                if !inline.is_empty() {
                    w.summary.push(inline);
                }
            }
            Event::Start(Tag::Item) => w.item(&mut events, range.start),
            Event::Start(Tag::Table(_)) if w.part == Part::Known(Known::Signals) => {
                read_table(&mut w, &mut events);
            }
            _ => {}
        }
    }
    w.close_unknown_section(text.len());
    finish(w, stem)
}

impl<'a> Walk<'a> {
    fn new(file: &'a str, text: &'a str) -> Walk<'a> {
        Walk {
            file,
            text,
            lines: Lines::new(text),
            diagnostics: Vec::new(),
            part: Part::Start,
            heading_line: 1,
            title: None,
            date: None,
            digest_url: None,
            source_url: None,
            summary: Vec::new(),
            keywords: Vec::new(),
            themes: Vec::new(),
            signals: Vec::new(),
            closest: Vec::new(),
            sections: Vec::new(),
            seen: Vec::new(),
            section_body_start: 0,
        }
    }

    /// The `#` heading (title, date, digest link); a second one is ignored.
    fn title_heading(&mut self, inline: String, links: &[(String, String)], line: u32) {
        if self.title.is_some() {
            self.diag(Severity::Warning, line, "a second `#` heading is ignored");
            return;
        }
        self.heading_line = line;
        read_heading(self, inline, links, line);
        self.part = Part::Preamble;
    }

    /// A `##` heading: a known section (named twice, merged) or an unknown
    /// one kept as text. Before the title, it only ends an unknown section.
    fn section_heading(&mut self, inline: String, line: u32, range: Range<usize>) {
        self.close_unknown_section(range.start);
        if self.title.is_none() {
            return;
        }
        self.part = match classify(&inline) {
            Some(known) => {
                if self.seen.contains(&known) {
                    self.diag(
                        Severity::Warning,
                        line,
                        format!("section `## {inline}` appears twice; its entries are merged"),
                    );
                } else {
                    self.seen.push(known);
                }
                Part::Known(known)
            }
            None => {
                self.diag(
                    Severity::Note,
                    line,
                    format!("unknown section `## {inline}` kept as text"),
                );
                self.sections.push(Section {
                    heading: inline,
                    text: String::new(),
                    line,
                });
                self.section_body_start = range.end;
                Part::Unknown(self.sections.len() - 1)
            }
        };
    }

    /// A list item starting at `start`: a keyword, a theme or a closest link,
    /// by section; items of other sections are passed over.
    fn item<'e>(
        &mut self,
        events: &mut impl Iterator<Item = (Event<'e>, Range<usize>)>,
        start: usize,
    ) {
        match self.part {
            Part::Known(kind @ (Known::Keywords | Known::Themes)) => {
                let (inline, _) = collect_inline(events);
                if !inline.is_empty() {
                    if kind == Known::Keywords {
                        self.keywords.push(inline);
                    } else {
                        self.themes.push(inline);
                    }
                }
            }
            Part::Known(Known::Closest) => {
                let line = self.lines.line(start);
                let (inline, links) = collect_inline(events);
                match links.into_iter().next() {
                    Some((target, title)) if !target.trim().is_empty() => {
                        self.closest.push(ClosestLink {
                            title,
                            target: target.trim().to_string(),
                            line,
                        })
                    }
                    _ => self.diag(
                        Severity::Warning,
                        line,
                        format!("closest entry `{inline}` has no link target; ignored"),
                    ),
                }
            }
            _ => {}
        }
    }
}

/// Collects the plain text and links of the inline events up to the end of the current block.
///
/// Links come back as (destination, link text). A nested list in an item ends
/// the collection at its start: its items are separate entries. HTML is the
/// author's text, not markup: tags are kept verbatim (writers escape them).
fn collect_inline<'a>(
    events: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>,
) -> (String, Vec<(String, String)>) {
    let mut inline = Inline::default();
    let mut links: Vec<(String, String)> = Vec::new();
    let mut link: Option<(String, Inline)> = None;
    for (event, _) in events.by_ref() {
        match event {
            Event::Text(t)
            | Event::Code(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t)
            | Event::InlineHtml(t)
            | Event::Html(t) => {
                inline.push(&t);
                if let Some((_, l)) = link.as_mut() {
                    l.push(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => inline.push(" "),
            Event::Start(Tag::Link { dest_url, .. }) => {
                link = Some((dest_url.to_string(), Inline::default()));
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, text)) = link.take() {
                    links.push((url, text.finish()));
                }
            }
            Event::Start(Tag::Paragraph) => inline.push(" "),
            // A nested list ends this item's own text; its items are read on their own.
            Event::Start(Tag::List(_)) => break,
            Event::End(
                TagEnd::Heading(_)
                | TagEnd::Paragraph
                | TagEnd::TableCell
                | TagEnd::Item
                | TagEnd::HtmlBlock,
            ) => break,
            _ => {}
        }
    }
    (inline.finish(), links)
}

/// Reads `TITLE, from ([YYYYMMDD](URL).)` out of the `#` heading's text and links.
fn read_heading(w: &mut Walk<'_>, inline: String, links: &[(String, String)], line: u32) {
    let (title, tail) = match inline.rfind(", from (") {
        Some(at) => (inline[..at].trim(), Some(&inline[at + ", from (".len()..])),
        None => (inline.as_str(), None),
    };
    let title = title.trim_matches(|c: char| c == '_' || c == '*' || c.is_whitespace());
    if title.is_empty() {
        w.diag(Severity::Error, line, "the `#` heading has no title");
        return;
    }
    w.title = Some(title.to_string());
    let Some(tail) = tail else {
        w.diag(
            Severity::Warning,
            line,
            "heading has no `, from ([YYYYMMDD](URL).)` part: the article has no date",
        );
        return;
    };
    let digits: String = tail.chars().take_while(|c| c.is_ascii_digit()).collect();
    match Date::from_yyyymmdd(&digits) {
        Some(date) => w.date = Some(date),
        None => w.diag(
            Severity::Warning,
            line,
            format!("digest date `{digits}` is not a valid YYYYMMDD date: the article has no date"),
        ),
    }
    w.digest_url = links
        .iter()
        .find(|(_, text)| text.trim() == digits)
        .or(links.first())
        .map(|(url, _)| url.clone())
        .filter(|u| !u.is_empty());
}

/// Reads one signals table (header row and body rows) up to its end.
fn read_table<'a>(w: &mut Walk<'_>, events: &mut impl Iterator<Item = (Event<'a>, Range<usize>)>) {
    let mut columns: Vec<Column> = Vec::new();
    let mut cells: Vec<(String, bool)> = Vec::new();
    let mut in_head = false;
    let mut row_line = 0;
    let mut table_line = 0;
    while let Some((event, range)) = events.next() {
        match event {
            Event::Start(Tag::TableHead) => {
                in_head = true;
                table_line = w.lines.line(range.start);
            }
            Event::Start(Tag::TableRow) => row_line = w.lines.line(range.start),
            Event::Start(Tag::TableCell) => {
                // Cells the row does not have are padded with empty ranges (GFM rule).
                let present = !range.is_empty();
                let (inline, _) = collect_inline(events);
                cells.push((inline, present));
            }
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                columns = cells.drain(..).map(|(h, _)| column_of(&h)).collect();
                if !columns.contains(&Column::Signal) {
                    w.diag(
                        Severity::Warning,
                        table_line,
                        "signals table has no `Signal` column",
                    );
                }
            }
            Event::End(TagEnd::TableRow) if !in_head => {
                let present = cells.iter().filter(|(_, p)| *p).count();
                if present < columns.len() {
                    w.diag(
                        Severity::Warning,
                        row_line,
                        format!(
                            "signals table row has {present} of {} cells; the missing ones are empty",
                            columns.len()
                        ),
                    );
                }
                let mut row = SignalRow {
                    row: w.signals.len() as u32 + 1,
                    line: row_line,
                    ..SignalRow::default()
                };
                for (column, (value, _)) in columns.iter().zip(cells.drain(..)) {
                    match column {
                        Column::Signal => row.signal = value,
                        Column::Change => row.change = value,
                        Column::Horizon => row.horizon = value,
                        Column::DrivingForce => row.driving_force = value,
                        Column::Extra(header) => row.extra.push((header.clone(), value)),
                    }
                }
                if row.signal.is_empty()
                    && row.change.is_empty()
                    && row.horizon.is_empty()
                    && row.driving_force.is_empty()
                    && row.extra.iter().all(|(_, v)| v.is_empty())
                {
                    w.diag(
                        Severity::Warning,
                        row_line,
                        "empty signals table row ignored",
                    );
                } else {
                    w.signals.push(row);
                }
            }
            Event::End(TagEnd::Table) => break,
            _ => {}
        }
    }
}

/// Checks for missing parts and builds the article.
fn finish(mut w: Walk<'_>, stem: &str) -> FileOutcome {
    let Some(title) = w.title.take() else {
        if !w.diagnostics.iter().any(|d| d.severity == Severity::Error) {
            w.diag(Severity::Error, 1, "no `#` heading: not a seed article");
        }
        return FileOutcome {
            article: None,
            diagnostics: w.diagnostics,
        };
    };
    let line = w.heading_line;
    for (known, name) in KNOWN {
        if !w.seen.contains(&known) {
            w.diag(
                Severity::Warning,
                line,
                format!("missing section `## {name}`"),
            );
        }
    }
    if w.source_url.is_none() {
        w.diag(
            Severity::Note,
            line,
            "no source link (`__[External link](URL)__`)",
        );
    }
    let id = id_from_stem(stem).unwrap_or_else(|| id_from_title(&title));
    let summary = (!w.summary.is_empty()).then(|| w.summary.join("\n\n"));
    FileOutcome {
        article: Some(Article {
            id,
            title,
            date: w.date,
            digest_url: w.digest_url,
            source_url: w.source_url,
            summary,
            keywords: w.keywords,
            themes: w.themes,
            signals: w.signals,
            closest: w.closest,
            sections: w.sections,
        }),
        diagnostics: w.diagnostics,
    }
}

/// The hex id in a file name like `000_5dd56928cd244e73` (at least 8 hex digits after the last `_`).
pub(crate) fn id_from_stem(stem: &str) -> Option<String> {
    let candidate = stem.rsplit('_').next().unwrap_or(stem);
    (candidate.len() >= 8 && candidate.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| candidate.to_ascii_lowercase())
}

/// A stable 16-hex-digit id from the normalised title, for files whose name has no id.
pub(crate) fn id_from_title(title: &str) -> String {
    let hash = blake3::hash(concept_key(title).as_bytes());
    hash.to_hex()[..16].to_string()
}
