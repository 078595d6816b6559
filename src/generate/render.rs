//! Renders one planned article as a seed file, byte for byte in the seed format (with its planted variants).

use std::fmt::Write as _;

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::plan::{domain, pick_count, stream, variant, Plan, Target};
use super::prose::{self, Context};
use super::vocab::KeywordKind;
use super::words;

/// Base URL of the synthetic digest's issue pages.
pub(crate) const DIGEST_BASE: &str = "https://digest.example.org/p/";

/// Share of keywords written in a case/spacing variant of their usual form.
const KEYWORD_VARIANT_RATE: f64 = 0.04;
/// Share of themes written in a case/spacing variant.
const THEME_VARIANT_RATE: f64 = 0.02;
/// Share of driving forces drawn from the article's group (the rest is global).
const GROUP_FORCE_RATE: f64 = 0.65;

/// A rendered article.
pub(crate) struct Rendered {
    pub(crate) bytes: Vec<u8>,
    pub(crate) dangling: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Summary,
    Keywords,
    Themes,
    Signals,
    Closest,
}

const SECTION_ORDER: [Section; 5] = [
    Section::Summary,
    Section::Keywords,
    Section::Themes,
    Section::Signals,
    Section::Closest,
];

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Render article `i` of the plan.
pub(crate) fn render(plan: &Plan, i: usize) -> Rendered {
    let mut rng = stream(plan.seed, domain::ARTICLE_BODY, i as u64);
    let rng = &mut rng;
    let article = &plan.articles[i];
    let vocab = &plan.vocab;
    let flags = article.variants;
    let date = plan.calendar.date(article.week);
    let compact = date.compact();

    let signals = pick_count(rng, &[(3, 15), (4, 25), (5, 25), (6, 20), (7, 10), (8, 5)]);
    let mut forces: Vec<&str> = pick_forces(rng, plan, i, signals)
        .iter()
        .map(|&f| vocab.forces[f as usize].as_str())
        .collect();
    // Planted concept variants come from their own random stream.
    let carried = super::concepts::carried(plan, i);
    if let (Some(force), Some(last)) = (carried.force, forces.last_mut()) {
        *last = force;
    }

    let ctx = Context {
        entity: article.entity.map(|e| vocab.keyword(e).text.as_str()),
        keywords: plan.prose_keywords(&article.keywords),
        theme: vocab.themes[article.themes[0] as usize],
        forces,
        year: date.year,
        decks: prose::Decks::new(rng),
    };

    let mut out = heading(rng, plan, i, &compact);
    let bullet = if flags & variant::DASH_BULLETS != 0 {
        '-'
    } else {
        '*'
    };
    let order = section_order(rng, flags);

    // Sections are rendered in the canonical order so the random stream (and thus
    // the content) does not depend on the order they are written in.
    let mut summary = prose::summary(rng, &ctx).join("\n\n");
    let mut keywords = keyword_lines(rng, plan, &article.keywords, bullet);
    for sentence in &carried.sentences {
        summary.push(' ');
        summary.push_str(sentence);
    }
    for form in &carried.keywords {
        let _ = write!(keywords, "\n{bullet} {form}");
    }
    let mut themes = theme_lines(rng, plan, &article.themes, bullet);
    if !carried.themes.is_empty() {
        // A carried theme takes the place of the last ones beyond the
        // format's usual four (the primary theme stays).
        let keep = MAX_THEMES
            .saturating_sub(carried.themes.len())
            .max(1)
            .min(article.themes.len());
        if let Some((end, _)) = themes.match_indices('\n').nth(keep - 1) {
            themes.truncate(end);
        }
        for theme in &carried.themes {
            let _ = write!(themes, "\n{bullet} {theme}");
        }
    }
    let table = signal_table(rng, &ctx, flags);
    let (closest, dangling) = closest_lines(rng, plan, i, bullet);

    for (n, section) in order.iter().enumerate() {
        if n > 0 {
            out.push_str("\n\n");
        }
        let (name, body) = match section {
            Section::Summary => ("Summary", &summary),
            Section::Keywords => ("Keywords", &keywords),
            Section::Themes => ("Themes", &themes),
            Section::Signals => ("Signals", &table),
            Section::Closest => ("Closest", &closest),
        };
        let _ = write!(out, "## {name}\n\n{body}");
    }

    if flags & variant::CRLF != 0 {
        out = out.replace('\n', "\r\n");
    }
    if flags & variant::BOM != 0 {
        out.insert(0, '\u{feff}');
    }
    Rendered {
        bytes: out.into_bytes(),
        dangling,
    }
}

/// Driving forces of article `i`, one per signal row, distinct within the article where possible.
fn pick_forces(rng: &mut ChaCha8Rng, plan: &Plan, i: usize, signals: usize) -> Vec<u32> {
    let article = &plan.articles[i];
    let mut force_ids: Vec<u32> = Vec::with_capacity(signals);
    for _ in 0..signals {
        let mut f = 0;
        for _ in 0..8 {
            let group = match article.bridge {
                Some(b) if rng.random_bool(0.4) => b,
                _ => article.group,
            };
            let g = plan.groups[group as usize].vocabulary(&plan.groups, rng);
            let own = if rng.random_bool(GROUP_FORCE_RATE) {
                g.forces.sample(rng)
            } else {
                None
            };
            f = own.unwrap_or_else(|| plan.vocab.force_rank.sample(rng) as u32);
            if !force_ids.contains(&f) {
                break;
            }
        }
        force_ids.push(f);
    }
    force_ids
}

/// The heading and source link of article `i` (the start of its file).
fn heading(rng: &mut ChaCha8Rng, plan: &Plan, i: usize, compact: &str) -> String {
    let article = &plan.articles[i];
    let vocab = &plan.vocab;
    let mut out = String::with_capacity(4096);
    out.push_str("# ");
    if article.variants & variant::PLAIN_TITLE != 0 {
        out.push_str(&article.title);
    } else {
        let _ = write!(out, "__{}__", article.title);
    }
    let _ = write!(out, ", from ([{compact}]({DIGEST_BASE}{compact}).)\n\n");
    let host = &vocab.hosts[vocab.host_rank.sample(rng)];
    let _ = write!(
        out,
        "__[External link](https://{}{})__\n\n\n\n",
        host.name,
        source_path(rng, host.style, &article.title, compact)
    );
    out
}

/// The order sections are written in: canonical, or shuffled (never canonical) for the
/// reordered variant.
fn section_order(rng: &mut ChaCha8Rng, flags: u8) -> [Section; 5] {
    let mut order = SECTION_ORDER;
    if flags & variant::REORDERED != 0 {
        order.shuffle(rng);
        if order == SECTION_ORDER {
            order.swap(0, 1);
        }
    }
    order
}

fn slug(title: &str) -> String {
    let lower = title.to_lowercase();
    lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(9)
        .collect::<Vec<_>>()
        .join("-")
}

fn source_path(rng: &mut ChaCha8Rng, style: u8, title: &str, compact: &str) -> String {
    let slug = slug(title);
    match style {
        0 => format!("/{}/{}/{slug}", &compact[..4], &compact[4..6]),
        1 => format!("/news/{slug}-{}", rng.random_range(1_000_000..10_000_000)),
        2 => format!(
            "/{}/{slug}",
            words::URL_SECTIONS[rng.random_range(0..words::URL_SECTIONS.len())]
        ),
        _ => format!("/p/{slug}"),
    }
}

/// A case or spacing variant of a concept's usual surface form (`AI` → `ai `, `Ai`).
fn surface_variant(rng: &mut ChaCha8Rng, text: &str, kind: Option<KeywordKind>) -> String {
    let lower = text.to_lowercase();
    match rng.random_range(0..4) {
        0 if lower != text => lower,
        0 | 1 => {
            let mixed = lower
                .split(' ')
                .map(prose::capitalize)
                .collect::<Vec<_>>()
                .join(" ");
            if mixed != text {
                mixed
            } else {
                format!("{text} ")
            }
        }
        2 => format!("{text} "),
        _ => match kind {
            Some(KeywordKind::Acronym) | Some(KeywordKind::Topic) if text.len() <= 8 => {
                format!("{} ", text.to_uppercase())
            }
            _ => format!("{lower} "),
        },
    }
}

fn keyword_lines(rng: &mut ChaCha8Rng, plan: &Plan, keywords: &[u32], bullet: char) -> String {
    let mut s = String::with_capacity(keywords.len() * 20);
    for (n, &k) in keywords.iter().enumerate() {
        let kw = plan.vocab.keyword(k);
        if n > 0 {
            s.push('\n');
        }
        s.push(bullet);
        s.push(' ');
        if rng.random_bool(KEYWORD_VARIANT_RATE) {
            s.push_str(&surface_variant(rng, &kw.text, Some(kw.kind)));
        } else {
            s.push_str(&kw.text);
        }
    }
    s
}

/// Most themes an article has (the seed format's usual range ends there).
const MAX_THEMES: usize = 4;

fn theme_lines(rng: &mut ChaCha8Rng, plan: &Plan, themes: &[u16], bullet: char) -> String {
    let mut s = String::with_capacity(themes.len() * 30);
    for (n, &t) in themes.iter().enumerate() {
        let text = plan.vocab.themes[t as usize];
        if n > 0 {
            s.push('\n');
        }
        s.push(bullet);
        s.push(' ');
        if rng.random_bool(THEME_VARIANT_RATE) {
            s.push_str(&surface_variant(rng, text, None));
        } else {
            s.push_str(text);
        }
    }
    s
}

fn signal_table(rng: &mut ChaCha8Rng, ctx: &Context<'_>, flags: u8) -> String {
    let extra = flags & variant::EXTRA_COLUMN != 0;
    let mut header = vec!["Signal", "Change", "10y horizon", "Driving force"];
    if extra {
        header.push("Source quote");
    }
    let rows_count = ctx.forces.len();
    let piped_row = if flags & variant::ESCAPED_PIPE != 0 {
        Some(rng.random_range(0..rows_count))
    } else {
        None
    };
    let rows: Vec<Vec<String>> = (0..rows_count)
        .map(|r| {
            let (mut signal, change, horizon) = prose::signal_cells(rng, ctx, r);
            if piped_row == Some(r) {
                signal = prose::piped_signal(ctx, r);
            }
            let mut row = vec![signal, change, horizon, ctx.forces[r].to_string()];
            if extra {
                row.push(prose::quote_cell(rng, ctx, r));
            }
            row
        })
        .collect();

    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .chain(std::iter::once(header[c].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::with_capacity((rows.len() + 2) * (widths.iter().sum::<usize>() + 16));
    let line = |s: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        for (cell, w) in cells.zip(&widths) {
            let _ = write!(s, "| {cell:<w$} ");
        }
        s.push('|');
    };
    line(&mut s, &mut header.iter().copied());
    s.push('\n');
    for w in &widths {
        s.push_str("|:");
        s.extend(std::iter::repeat_n('-', w + 1));
    }
    s.push('|');
    for row in &rows {
        s.push('\n');
        line(&mut s, &mut row.iter().map(String::as_str));
    }
    s
}

fn closest_lines(rng: &mut ChaCha8Rng, plan: &Plan, i: usize, bullet: char) -> (String, usize) {
    let mut s = String::with_capacity(512);
    let mut dangling = 0;
    for (n, target) in plan.links(i, rng).into_iter().enumerate() {
        if n > 0 {
            s.push('\n');
        }
        let (title, id) = match target {
            Target::Article(j) => {
                let a = &plan.articles[j as usize];
                (a.title.as_str(), &a.id)
            }
            Target::Missing(g, j) => {
                dangling += 1;
                let m = &plan.missing[g as usize][j as usize];
                (m.title.as_str(), &m.id)
            }
        };
        let _ = write!(s, "{bullet} [{title}]({})", hex(id));
    }
    (s, dangling)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_padded_like_the_sample() {
        let ctx = Context {
            entity: None,
            keywords: vec!["automation", "AI"],
            theme: "Future of Work",
            forces: vec!["Cost reduction and efficiency", "Labor shortages"],
            year: 2024,
            decks: prose::Decks::new(&mut stream(1, 1, 0)),
        };
        let mut rng = stream(1, 1, 1);
        let table = signal_table(&mut rng, &ctx, variant::ESCAPED_PIPE);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        let len = lines[0].chars().count();
        assert!(lines.iter().all(|l| l.chars().count() == len), "{table}");
        assert!(lines[1].starts_with("|:--"));
        assert!(table.contains("\\|"));
        assert!(lines[0].starts_with("| Signal "));
    }

    #[test]
    fn variants_only_change_case_and_spacing() {
        let mut rng = stream(1, 1, 2);
        for _ in 0..100 {
            let v = surface_variant(&mut rng, "AI", Some(KeywordKind::Acronym));
            assert_eq!(v.trim().to_lowercase(), "ai");
            let v = surface_variant(&mut rng, "remote work", Some(KeywordKind::Phrase));
            assert_eq!(v.trim().to_lowercase(), "remote work");
        }
    }
}
