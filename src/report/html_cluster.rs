//! The HTML report's cluster cards and signal tables: a cluster's brief, concepts, central signals, neighbours and gaps, and the weak signals.
//!
//! Ids and measures stay out of the reading text: they are in tooltips
//! (`title` attributes) and in the JSON report.

use super::html::{article_link, counted, status_badge, swatch};
use super::svg::{self, color, escape};
use super::text::{bridge_phrase, gaps_of, rank_of, short_name, signal_numbers};
use super::{ClusterReport, Count, Report, SignalRef};
use std::fmt::Write as _;

/// One cluster's card.
pub(super) fn cluster(r: &Report, k: &ClusterReport, s: &mut String) {
    let dates = match (&k.first_date, &k.last_date) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        _ => "undated".to_string(),
    };
    let _ = writeln!(
        s,
        "<article class=\"cluster\" id=\"cluster-{}\">\n<h3 title=\"cluster {} of the articles analysis\">{}{}. {}</h3>\n<p>{} · {} · {} · {dates}</p>\n<p class=\"small\">{}</p>",
        k.cluster,
        k.cluster,
        swatch(k.cluster),
        k.rank,
        escape(&k.name),
        status_badge(k.status),
        counted(k.articles, "article"),
        counted(k.signals, "signal"),
        escape(&k.status_reason)
    );
    brief(k, s);
    if !r.timeline.quarters.is_empty() {
        s.push_str(&svg::quarter_chart(
            &k.quarters,
            &r.timeline.quarters,
            &color(Some(k.cluster)),
            &format!("Articles per quarter in cluster {}", k.rank),
        ));
    }
    super::html_time::trend_card(r, k, s);
    cluster_concepts(k, s);
    s.push_str("<h4>Most central signals</h4>\n");
    signal_table(&k.central_signals, s, None);
    s.push_str("<h4>Representative articles</h4>\n<ol>");
    for a in &k.representative_articles {
        let _ = write!(s, "<li>{}</li>", article_link(a));
    }
    s.push_str("</ol>\n");
    cluster_neighbours(r, k, s);
    cluster_gaps(r, k, s);
    cluster_articles(k, s);
    s.push_str("</article>\n");
}

/// The cluster's brief: sentences of its articles' summaries, each cited.
fn brief(k: &ClusterReport, s: &mut String) {
    if k.brief.is_empty() {
        return;
    }
    s.push_str("<blockquote class=\"brief\">");
    for b in &k.brief {
        let _ = write!(
            s,
            "<p>{} <span class=\"cite\">— {}</span></p>",
            escape(&b.text),
            article_link(&b.article)
        );
    }
    s.push_str("</blockquote>\n");
}

/// A cluster's distinctive concepts, driving forces and themes, side by side.
fn cluster_concepts(k: &ClusterReport, s: &mut String) {
    s.push_str("<div class=\"cols\">\n<div><h4>Distinctive concepts</h4><ol>");
    for t in &k.terms {
        let _ = write!(
            s,
            "<li>{} <span class=\"muted small\">{} · {}</span></li>",
            escape(&t.label),
            escape(&t.kind.replace('-', " ")),
            counted(t.articles, "article")
        );
    }
    s.push_str("</ol></div>\n<div><h4>Main driving forces</h4><ul>");
    counted_items(&k.driving_forces, "signal", s);
    s.push_str("</ul><h4>Themes</h4><ul>");
    counted_items(&k.themes, "article", s);
    s.push_str("</ul></div>\n</div>\n");
}

/// List items of labels with their counts of `unit`, or "none named".
fn counted_items(items: &[Count], unit: &str, s: &mut String) {
    for item in items {
        let _ = write!(
            s,
            "<li>{} <span class=\"muted small\">{}</span></li>",
            escape(&item.label),
            counted(item.count, unit)
        );
    }
    if items.is_empty() {
        s.push_str("<li class=\"muted\">none named</li>");
    }
}

/// The clusters `k` links to, with what bridges them.
fn cluster_neighbours(r: &Report, k: &ClusterReport, s: &mut String) {
    s.push_str("<h4>Neighbours</h4>\n");
    if k.neighbours.is_empty() {
        s.push_str("<p class=\"muted\">No links to other clusters.</p>\n");
        return;
    }
    s.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>Cluster</th><th class=\"num\">Links</th><th>Shared concepts</th><th>Signals that bridge them</th><th>Articles that bridge them</th></tr></thead>\n<tbody>\n");
    for n in &k.neighbours {
        let concepts: Vec<String> = n.bridging_concepts.iter().map(|c| escape(c)).collect();
        let signals: Vec<String> = n
            .bridging_signals
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let through = n.bridging_signal_articles.get(i).copied().unwrap_or(0);
                format!(
                    "<span title=\"{}\">“{}”</span> <span class=\"muted small\">in {}: {}</span>",
                    escape(&signal_numbers(x)),
                    escape(&x.text),
                    article_link(&x.article),
                    escape(&bridge_phrase(
                        &k.name,
                        &n.name,
                        through,
                        x.driving_force.as_deref()
                    ))
                )
            })
            .collect();
        let articles: Vec<String> = n.bridging_articles.iter().map(article_link).collect();
        let _ = writeln!(
            s,
            "<tr><td>{}<a href=\"#cluster-{}\">{}. {}</a></td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            swatch(n.cluster),
            n.cluster,
            rank_of(r, n.cluster),
            escape(&n.name),
            n.links,
            concepts.join(", "),
            signals.join("<br>"),
            articles.join("<br>")
        );
    }
    s.push_str("</tbody></table></div>\n");
}

/// The structural gaps `k` is part of, as one paragraph.
fn cluster_gaps(r: &Report, k: &ClusterReport, s: &mut String) {
    let gaps: Vec<String> = gaps_of(r, k.cluster)
        .map(|(other, g)| {
            let shared: Vec<String> = g.shared_concepts.iter().map(|c| escape(c)).collect();
            format!(
                "{}<a href=\"#cluster-{other}\" title=\"concept similarity {:.2}\">{}. {}</a> ({}; both name {})",
                swatch(other),
                g.similarity,
                rank_of(r, other),
                escape(short_name(&r.gaps_name(g, other))),
                links_between(g.links),
                shared.join(", ")
            )
        })
        .collect();
    if !gaps.is_empty() {
        let _ = writeln!(
            s,
            "<p><strong>Structural gaps.</strong> Alike in concepts but barely linked: {}.</p>",
            gaps.join("; ")
        );
    }
}

/// "no direct link", "1 direct link", "3 direct links".
pub(super) fn links_between(n: usize) -> String {
    match n {
        0 => "no direct link".to_string(),
        1 => "1 direct link".to_string(),
        n => format!("{n} direct links"),
    }
}

/// The newest articles of `k`; the full list is in the JSON report.
fn cluster_articles(k: &ClusterReport, s: &mut String) {
    let _ = write!(
        s,
        "<h4>Articles ({}, newest first)</h4>\n<ul class=\"small\">",
        k.articles
    );
    for a in &k.newest_articles {
        let _ = write!(s, "<li>{}</li>", article_link(a));
    }
    s.push_str("</ul>\n");
    if k.article_ids.len() > k.newest_articles.len() {
        let _ = writeln!(
            s,
            "<p class=\"muted small\">and {} more (all listed in the JSON report).</p>",
            k.article_ids.len() - k.newest_articles.len()
        );
    }
}

/// Signals as a table; with `reasons`, a column says why each was flagged.
pub(super) fn signal_table(signals: &[SignalRef], s: &mut String, reasons: Option<&[Vec<String>]>) {
    if signals.is_empty() {
        s.push_str("<p class=\"muted\">No signals.</p>\n");
        return;
    }
    s.push_str("<div class=\"scroll\"><table>\n<thead><tr><th>Signal</th><th>Change</th><th>In 10 years</th><th>Driving force</th><th>Article</th>");
    if reasons.is_some() {
        s.push_str("<th>Why it is listed</th>");
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for (i, x) in signals.iter().enumerate() {
        let _ = write!(
            s,
            "<tr><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            escape(&signal_numbers(x)),
            escape(&x.text),
            escape(&x.change),
            escape(&x.horizon),
            escape(x.driving_force.as_deref().unwrap_or("–")),
            article_link(&x.article)
        );
        if let Some(list) = reasons {
            let why: Vec<String> = list[i].iter().map(|w| escape(w)).collect();
            let _ = write!(s, "<td class=\"small\">{}</td>", why.join("<br>"));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table></div>\n");
}

/// The weak signals, best first, each with why it is listed.
pub(super) fn weak_signals(r: &Report, s: &mut String) {
    s.push_str("<section id=\"weak-signals\">\n<h2>Weak signals</h2>\n");
    let _ = writeln!(
        s,
        "<p class=\"muted\">Recent signals (since {}) that bring a concept new to the collection (no earlier article names it, and few do), from articles with few links, reaching across clusters; best first, at most {} per cluster. The score and its parts are in the JSON report and the method below.</p>",
        escape(r.status_rule.recent_since.as_deref().unwrap_or("–")),
        super::weak::PER_CLUSTER
    );
    if r.weak_signals.is_empty() {
        s.push_str("<p class=\"note\">None found.</p>\n");
    } else {
        let signals: Vec<SignalRef> = r.weak_signals.iter().map(|w| w.signal.clone()).collect();
        let reasons: Vec<Vec<String>> = r
            .weak_signals
            .iter()
            .map(|w| {
                let mut list = w.reasons.clone();
                if let Some(k) = w.signal.cluster {
                    let name = r
                        .clusters
                        .iter()
                        .find(|c| c.cluster == k)
                        .map_or("", |c| c.name.as_str());
                    list.insert(0, format!("in {}. {}", rank_of(r, k), short_name(name)));
                }
                list
            })
            .collect();
        signal_table(&signals, s, Some(&reasons));
    }
    s.push_str("</section>\n");
}
