//! The report as Markdown for a repository or a wiki: headings, tables and text sparklines, no HTML.
//!
//! Text from the collection is escaped (CommonMark backslash escapes) so a
//! title with `|`, `*` or `<b>` stays text, and only `http`/`https` source
//! links become links. The cluster map is a picture and only in the HTML
//! report; articles per quarter are drawn with block characters.

use super::markdown_time;
use super::text::{bridge_phrase, gaps_of, lede, rank_of, safe_url, short_name, status_counts};
use super::trajectory::Status;
use super::{ArticleRef, ClusterReport, Report, SignalRef};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Writes `report` as Markdown.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut s = String::with_capacity(1 << 16);
    document(report, &mut s);
    out.write_all(s.as_bytes())
}

/// Escapes text for Markdown (inline and table cells): punctuation with a
/// meaning gets a backslash, line breaks become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Counts as numbers, `3 0 5`.
pub fn counts(values: &[u32]) -> String {
    values
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Counts as a line of block characters, scaled to the largest; `·` for none.
pub fn sparkline(counts: &[u32]) -> String {
    const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&n| {
            if n == 0 || max == 0 {
                '·'
            } else {
                let level = (u64::from(n) * 8).div_ceil(u64::from(max)).clamp(1, 8);
                BLOCKS[level as usize - 1]
            }
        })
        .collect()
}

/// An article as cited: its title (a link to the news item when safe, with
/// the article's id as the link's title) and date.
pub(super) fn article(a: &ArticleRef) -> String {
    let title = escape(&a.title);
    let head = match a.source_url.as_deref().and_then(safe_url) {
        Some(url) => format!(
            "[{title}](<{}> \"article {}\")",
            url.replace('<', "%3C").replace('>', "%3E"),
            a.id.replace(['"', '\\'], "")
        ),
        None => title,
    };
    format!("{head} ({})", a.date.as_deref().unwrap_or("undated"))
}

pub(super) fn status(s: Status) -> String {
    format!("{} {}", s.symbol(), s.name())
}

fn dates(first: &Option<String>, last: &Option<String>) -> String {
    match (first, last) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => "undated".to_string(),
    }
}

fn document(r: &Report, s: &mut String) {
    let _ = writeln!(s, "# Trend clusters\n\n{}\n", escape(&lede(r)));
    markdown_time::what_changed(r, s);
    for note in &r.notes {
        let _ = writeln!(s, "> **Note.** {}\n", escape(note));
    }

    at_a_glance(r, s);
    cluster_table(r, s);
    markdown_time::over_time(r, s);
    forces(r, s);
    s.push_str("## Clusters\n\n");
    for k in &r.clusters {
        cluster(r, k, s);
    }
    weak(r, s);
    gaps(r, s);
    let _ = writeln!(
        s,
        "## How this report is made\n\nClusters are the level-0 clusters stored by `signalgraph analyze` for the articles projection ({} of {} articles clustered). Names are each cluster's three most distinctive concepts by c-TF-IDF. Central signals are ranked by PageRank; bridging articles by betweenness, bridging signals by the crossing links their driving force lies on, then betweenness. Signal measures come from the {} analysis.\n\n**Status rule.** {}\n\n**Weak signals.** {}\n\n**Briefs.** {}",
        r.analysis.clustered_articles,
        r.collection.articles,
        r.analysis.signal_measures,
        escape(&r.status_rule.text),
        escape(super::text::WEAK_RULE),
        escape(super::text::BRIEF_RULE)
    );
}

/// The collection's key figures, the timeline and the status counts.
fn at_a_glance(r: &Report, s: &mut String) {
    let c = &r.collection;
    s.push_str("## At a glance\n\n| | |\n| --- | ---: |\n");
    let modularity = r
        .analysis
        .modularity
        .map_or("undefined".into(), |q| format!("{q:.3}"));
    let rows = [
        ("articles", c.articles.to_string()),
        ("signals", c.signals.to_string()),
        ("clusters", r.analysis.clusters.to_string()),
        ("modularity", modularity),
        ("themes", c.themes.to_string()),
        ("keywords", c.keywords.to_string()),
        ("driving forces", c.driving_forces.to_string()),
        ("sources", c.sources.to_string()),
        ("first date", c.first_date.clone().unwrap_or("none".into())),
        ("last date", c.last_date.clone().unwrap_or("none".into())),
        ("undated articles", c.undated_articles.to_string()),
        ("stub articles", c.stub_articles.to_string()),
    ];
    for (name, value) in rows {
        let _ = writeln!(s, "| {name} | {value} |");
    }
    s.push('\n');
    if let (Some(first), Some(last)) = (r.timeline.quarters.first(), r.timeline.quarters.last()) {
        let _ = writeln!(
            s,
            "Articles per quarter, {first} to {last}: `{}` ({})\n",
            sparkline(&r.timeline.articles),
            counts(&r.timeline.articles)
        );
    }
    let counts = status_counts(r);
    if !counts.is_empty() {
        let _ = writeln!(s, "{counts}.\n");
    }
}

/// Every cluster, one row each, largest first.
fn cluster_table(r: &Report, s: &mut String) {
    s.push_str("| # | Cluster | Status | Articles | Signals | Dates | Per quarter | Main driving force |\n| ---: | --- | --- | ---: | ---: | --- | --- | --- |\n");
    for k in &r.clusters {
        let force = k.driving_forces.first().map_or(String::new(), |f| {
            format!("{} ({})", escape(&f.label), f.count)
        });
        let spark = if r.timeline.quarters.is_empty() {
            String::new()
        } else {
            format!("`{}`", sparkline(&k.quarters))
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {spark} | {force} |",
            k.rank,
            escape(&k.name),
            status(k.status),
            k.articles,
            k.signals,
            dates(&k.first_date, &k.last_date)
        );
    }
    s.push_str("\nThe cluster map is drawn in the HTML report.\n\n");
}

fn forces(r: &Report, s: &mut String) {
    let o = &r.driving_forces;
    s.push_str("## Driving forces × clusters\n\n");
    if o.forces.is_empty() || o.clusters.is_empty() {
        s.push_str("No signal names a driving force.\n\n");
        return;
    }
    s.push_str("Signals per driving force in the largest clusters (columns are cluster ranks).\n\n| Driving force |");
    for &k in &o.clusters {
        let _ = write!(s, " {} |", rank_of(r, k));
    }
    s.push_str("\n| --- |");
    for _ in &o.clusters {
        s.push_str(" ---: |");
    }
    s.push('\n');
    for (row, force) in o.forces.iter().enumerate() {
        let _ = write!(s, "| {} |", escape(force));
        for &count in &o.signals[row] {
            if count == 0 {
                s.push_str(" · |");
            } else {
                let _ = write!(s, " {count} |");
            }
        }
        s.push('\n');
    }
    s.push('\n');
}

fn signal_table(signals: &[SignalRef], reasons: Option<&[Vec<String>]>, s: &mut String) {
    if signals.is_empty() {
        s.push_str("No signals.\n\n");
        return;
    }
    let (head, rule) = if reasons.is_some() {
        (" Why it is listed |", " --- |")
    } else {
        ("", "")
    };
    let _ = writeln!(
        s,
        "| Signal | Change | In 10 years | Driving force | Article |{head}\n| --- | --- | --- | --- | --- |{rule}"
    );
    for (i, x) in signals.iter().enumerate() {
        let end = match reasons {
            Some(list) => format!(
                " {} |",
                list[i]
                    .iter()
                    .map(|w| escape(w))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            None => String::new(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} |{end}",
            escape(&x.text),
            escape(&x.change),
            escape(&x.horizon),
            escape(x.driving_force.as_deref().unwrap_or("–")),
            article(&x.article)
        );
    }
    s.push('\n');
}

fn cluster(r: &Report, k: &ClusterReport, s: &mut String) {
    let _ = writeln!(
        s,
        "### {}. {}\n\n{} · {} articles · {} signals · {}\n\n{}\n",
        k.rank,
        escape(&k.name),
        status(k.status),
        k.articles,
        k.signals,
        dates(&k.first_date, &k.last_date),
        escape(&k.status_reason)
    );
    for b in &k.brief {
        let _ = writeln!(s, "> {} — {}\n>", escape(&b.text), article(&b.article));
    }
    if !k.brief.is_empty() {
        // The last quote line's `>` continuation is not needed.
        s.truncate(s.len() - 2);
        s.push('\n');
    }
    if let (Some(first), Some(last)) = (r.timeline.quarters.first(), r.timeline.quarters.last()) {
        let _ = writeln!(
            s,
            "Articles per quarter, {first} to {last}: `{}` ({})\n",
            sparkline(&k.quarters),
            counts(&k.quarters)
        );
    }
    markdown_time::trend_card(r, k, s);
    let terms: Vec<String> = k
        .terms
        .iter()
        .map(|t| {
            format!(
                "{} ({}, {} article{})",
                escape(&t.label),
                t.kind.replace('-', " "),
                t.articles,
                if t.articles == 1 { "" } else { "s" }
            )
        })
        .collect();
    let forces: Vec<String> = k
        .driving_forces
        .iter()
        .map(|f| format!("{} ({})", escape(&f.label), f.count))
        .collect();
    let themes: Vec<String> = k
        .themes
        .iter()
        .map(|t| format!("{} ({})", escape(&t.label), t.count))
        .collect();
    let _ = writeln!(
        s,
        "- **Distinctive concepts:** {}\n- **Main driving forces:** {}\n- **Themes:** {}\n",
        or_none(&terms),
        or_none(&forces),
        or_none(&themes)
    );
    s.push_str("**Most central signals**\n\n");
    signal_table(&k.central_signals, None, s);
    s.push_str("**Representative articles**\n\n");
    for (i, a) in k.representative_articles.iter().enumerate() {
        let _ = writeln!(s, "{}. {}", i + 1, article(a));
    }
    s.push('\n');
    cluster_neighbours(r, k, s);
    cluster_gaps(r, k, s);
    let _ = writeln!(s, "**Articles** ({}, newest first)\n", k.articles);
    for a in &k.newest_articles {
        let _ = writeln!(s, "- {}", article(a));
    }
    if k.article_ids.len() > k.newest_articles.len() {
        let _ = writeln!(
            s,
            "- and {} more (all listed in the JSON report)",
            k.article_ids.len() - k.newest_articles.len()
        );
    }
    s.push('\n');
}

/// The clusters `k` links to, with what bridges them.
fn cluster_neighbours(r: &Report, k: &ClusterReport, s: &mut String) {
    s.push_str("**Neighbours**\n\n");
    if k.neighbours.is_empty() {
        s.push_str("No links to other clusters.\n\n");
    } else {
        s.push_str("| Cluster | Links | Shared concepts | Signals that bridge them | Articles that bridge them |\n| --- | ---: | --- | --- | --- |\n");
        for n in &k.neighbours {
            let concepts: Vec<String> = n.bridging_concepts.iter().map(|c| escape(c)).collect();
            let signals: Vec<String> = n
                .bridging_signals
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    let through = n.bridging_signal_articles.get(i).copied().unwrap_or(0);
                    format!(
                        "“{}” in {}: {}",
                        escape(&x.text),
                        article(&x.article),
                        escape(&bridge_phrase(
                            &k.name,
                            &n.name,
                            through,
                            x.driving_force.as_deref()
                        ))
                    )
                })
                .collect();
            let articles: Vec<String> = n.bridging_articles.iter().map(article).collect();
            let _ = writeln!(
                s,
                "| {}. {} | {} | {} | {} | {} |",
                rank_of(r, n.cluster),
                escape(&n.name),
                n.links,
                concepts.join(", "),
                signals.join("; "),
                articles.join("; ")
            );
        }
        s.push('\n');
    }
}

/// The structural gaps `k` is part of, as one paragraph.
fn cluster_gaps(r: &Report, k: &ClusterReport, s: &mut String) {
    let gaps: Vec<String> = gaps_of(r, k.cluster)
        .map(|(other, g)| {
            let shared: Vec<String> = g.shared_concepts.iter().map(|c| escape(c)).collect();
            format!(
                "{}. {} ({}; both name {})",
                rank_of(r, other),
                escape(short_name(&r.gaps_name(g, other))),
                super::html_cluster::links_between(g.links),
                shared.join(", ")
            )
        })
        .collect();
    if !gaps.is_empty() {
        let _ = writeln!(
            s,
            "**Structural gaps.** Alike in concepts but barely linked: {}.\n",
            gaps.join("; ")
        );
    }
}

fn or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn weak(r: &Report, s: &mut String) {
    let _ = writeln!(
        s,
        "## Weak signals\n\nRecent signals (since {}) that bring a concept new to the collection (no earlier article names it, and few do), from articles with few links, reaching across clusters; best first, at most {} per cluster. The score is explained under How this report is made.\n",
        r.status_rule.recent_since.as_deref().unwrap_or("–"),
        super::weak::PER_CLUSTER
    );
    if r.weak_signals.is_empty() {
        s.push_str("None found.\n\n");
        return;
    }
    let signals: Vec<SignalRef> = r.weak_signals.iter().map(|w| w.signal.clone()).collect();
    let reasons: Vec<Vec<String>> = r.weak_signals.iter().map(|w| w.reasons.clone()).collect();
    signal_table(&signals, Some(&reasons), s);
}

fn gaps(r: &Report, s: &mut String) {
    s.push_str("## Structural gaps\n\nCluster pairs with alike concepts (cosine similarity of their c-TF-IDF profiles in the top tenth of all pairs, and at least 0.05) but fewer than one direct link per ten articles of the smaller: the same topics, discussed apart.\n\n");
    if r.gaps.is_empty() {
        s.push_str("None found.\n\n");
        return;
    }
    s.push_str("| Clusters | Similarity | Links | Shared concepts | Articles |\n| --- | ---: | ---: | --- | --- |\n");
    for g in &r.gaps {
        let names: Vec<String> = g
            .clusters
            .iter()
            .zip(&g.names)
            .map(|(&k, name)| format!("{}. {}", rank_of(r, k), escape(name)))
            .collect();
        let concepts: Vec<String> = g.shared_concepts.iter().map(|c| escape(c)).collect();
        let articles: Vec<String> = g.articles.iter().map(article).collect();
        let _ = writeln!(
            s,
            "| {} | {:.2} | {} | {} | {} |",
            names.join(" and "),
            g.similarity,
            g.links,
            concepts.join(", "),
            articles.join("; ")
        );
    }
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_table_and_markup_characters() {
        assert_eq!(
            escape("a|b *c* <d> & e\nf"),
            "a\\|b \\*c\\* \\<d\\> \\& e f"
        );
    }

    #[test]
    fn sparklines_scale_to_the_largest() {
        assert_eq!(sparkline(&[0, 1, 4, 8]), "·▁▄█");
        assert_eq!(sparkline(&[]), "");
    }
}
