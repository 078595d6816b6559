//! The HTML sections on trends through time: what changed (first in the page), the lineage, the bursts, the strategic diagram and each trend's windows in its cluster card.

use super::charts::{self, window_label, Chart};
use super::html::{article_link, status_badge, swatch};
use super::model::{ArticleRef, ClusterReport, EventEntry, Report};
use super::svg::escape;
use super::text::{event_trends, first_scan, since_summary, trend_label, CHANGES_RULE};
use std::fmt::Write as _;

/// Added articles listed per trend in what changed (the rest are counted).
const ADDED_PER_TREND: usize = 5;
/// Events and bursts listed in what changed (the rest are in the JSON report).
const SINCE_ROWS: usize = 12;
/// Trend groups listed in what changed.
const ADDED_GROUPS: usize = 20;
/// Events listed in a trend's card, latest first.
const CARD_EVENTS: usize = 6;
/// Events listed in the lineage section.
const EVENT_ROWS: usize = 60;

/// `a; b; c and 12 more`: the cited articles and a count of the rest.
fn citations(cited: &[ArticleRef], all: usize) -> String {
    let mut out: Vec<String> = cited.iter().map(article_link).collect();
    if all > cited.len() {
        out.push(format!("and {} more", all - cited.len()));
    }
    out.join("; ")
}

fn event_item(r: &Report, e: &EventEntry) -> String {
    format!(
        "<li><strong>{}</strong> in {} ({}): {}<br><span class=\"small\">{}</span></li>",
        e.kind,
        escape(&window_label(&r.lineage.window, &e.date)),
        e.date,
        escape(&event_trends(r, e)),
        citations(&e.cited, e.article_ids.len())
    )
}

fn burst_item(b: &super::model::BurstEntry) -> String {
    format!(
        "<li><strong>{}</strong> <span class=\"muted small\">{}</span> {} – {}, weight {:.1}{}<br><span class=\"small\">{}</span></li>",
        escape(&b.label),
        b.kind,
        b.start,
        b.end,
        b.weight,
        if b.now { " · <strong>bursting now</strong>" } else { "" },
        citations(&b.cited, b.article_ids.len())
    )
}

fn chart(s: &mut String, c: Chart) {
    let _ = writeln!(
        s,
        "<figure class=\"chart\"><div class=\"scroll\">{}</div><figcaption class=\"muted small\">{}</figcaption></figure>",
        c.svg,
        escape(&c.text)
    );
}

/// What changed since the last scan (or the date given): first in the page,
/// one list after another (long, but flat).
pub(super) fn what_changed(r: &Report, s: &mut String) {
    s.push_str("<section id=\"changes\">\n<h2>What changed</h2>\n");
    let Some(since) = &r.since else {
        let _ = writeln!(s, "<p>{}</p>\n</section>", escape(first_scan(r)));
        return;
    };
    let _ = writeln!(
        s,
        "<p class=\"lede\">{}</p>",
        escape(&since_summary(r, since))
    );
    if !since.by_trend.is_empty() {
        s.push_str("<h4>Added articles by trend</h4>\n");
        for g in since.by_trend.iter().take(ADDED_GROUPS) {
            let head = match g.trend {
                Some(id) => format!("#{id} {}", escape(&g.name)),
                None if g.name.is_empty() => "Without a cluster".to_string(),
                None => format!(
                    "{} <span class=\"muted small\">(no trend)</span>",
                    escape(&g.name)
                ),
            };
            let _ = write!(
                s,
                "<p><strong>{head}</strong> ({})</p><ul class=\"small\">",
                g.articles.len()
            );
            for a in g.articles.iter().take(ADDED_PER_TREND) {
                let _ = write!(s, "<li>{}</li>", article_link(a));
            }
            if g.articles.len() > ADDED_PER_TREND {
                let _ = write!(
                    s,
                    "<li class=\"muted\">and {} more</li>",
                    g.articles.len() - ADDED_PER_TREND
                );
            }
            s.push_str("</ul>\n");
        }
        if since.by_trend.len() > ADDED_GROUPS {
            let _ = writeln!(
                s,
                "<p class=\"muted small\">{} more groups are in the JSON report.</p>",
                since.by_trend.len() - ADDED_GROUPS
            );
        }
    }
    if !since.new_trends.is_empty() {
        s.push_str("<h4>New trends</h4>\n<ul>");
        for &id in &since.new_trends {
            let _ = write!(s, "<li>{}</li>", escape(&trend_label(r, id)));
        }
        s.push_str("</ul>\n");
    }
    if !since.status_changes.is_empty() {
        s.push_str("<h4>Status changes</h4>\n<ul>");
        for c in &since.status_changes {
            let _ = write!(
                s,
                "<li>#{} {}: {} → {}</li>",
                c.trend,
                escape(&c.name),
                status_badge(c.before),
                status_badge(c.after)
            );
        }
        s.push_str("</ul>\n");
    }
    if !since.events.is_empty() {
        s.push_str("<h4>Lineage events since</h4>\n<ul>");
        for &i in since.events.iter().take(SINCE_ROWS) {
            s.push_str(&event_item(r, &r.lineage.events[i]));
        }
        if since.events.len() > SINCE_ROWS {
            let _ = write!(
                s,
                "<li class=\"muted\">and {} more in the JSON report</li>",
                since.events.len() - SINCE_ROWS
            );
        }
        s.push_str("</ul>\n");
    }
    if !since.bursts.is_empty() {
        s.push_str("<h4>Bursts since</h4>\n<ul>");
        for &i in since.bursts.iter().take(SINCE_ROWS) {
            s.push_str(&burst_item(&r.bursts[i]));
        }
        if since.bursts.len() > SINCE_ROWS {
            let _ = write!(
                s,
                "<li class=\"muted\">and {} more in the JSON report</li>",
                since.bursts.len() - SINCE_ROWS
            );
        }
        s.push_str("</ul>\n");
    }
    let _ = writeln!(
        s,
        "<p class=\"muted small\">{}</p>\n</section>",
        escape(CHANGES_RULE)
    );
}

/// The lineage: the alluvial diagram and the events.
pub(super) fn lineage(r: &Report, s: &mut String) {
    s.push_str("<section id=\"lineage\">\n<h2>Trends over time</h2>\n");
    match charts::alluvial(r) {
        Some(c) => chart(s, c),
        None => {
            let why = if r.lineage.windows.len() < 2 {
                "No lineage: it needs dated articles in at least two time windows."
            } else {
                "No lineage to draw: no trend has enough articles."
            };
            let _ = writeln!(s, "<p class=\"note\">{why}</p>");
        }
    }
    if !r.lineage.events.is_empty() {
        let _ = writeln!(
            s,
            "<h4>Events</h4>\n<p class=\"muted small\">{}. A birth is a trend first seen in a window; a death, a trend with no article in the last 2 windows; a merge, two trends flowing into one; a split, one flowing into two or more.</p>\n<ul>",
            escape(&charts::event_counts(r))
        );
        for e in r.lineage.events.iter().rev().take(EVENT_ROWS) {
            s.push_str(&event_item(r, e));
        }
        s.push_str("</ul>\n");
        if r.lineage.events.len() > EVENT_ROWS {
            let _ = writeln!(
                s,
                "<p class=\"muted small\">The {EVENT_ROWS} latest of {} events; all are in the JSON report.</p>",
                r.lineage.events.len()
            );
        }
    }
    s.push_str("</section>\n");
}

/// The burst timeline and the strongest bursts with their articles.
pub(super) fn bursts(r: &Report, s: &mut String) {
    s.push_str("<section id=\"bursts\">\n<h2>Bursts</h2>\n");
    match charts::burst_timeline(r) {
        Some(c) => {
            chart(s, c);
            s.push_str("<ul>");
            for b in r.bursts.iter().take(charts::BURST_ROWS) {
                s.push_str(&burst_item(b));
            }
            s.push_str("</ul>\n");
        }
        None => {
            let _ = writeln!(
                s,
                "<p class=\"note\">No bursts: they need dated articles and a concept whose share of a month's articles jumps.</p>"
            );
        }
    }
    s.push_str("</section>\n");
}

/// The strategic diagram.
pub(super) fn strategic(r: &Report, s: &mut String) {
    s.push_str("<section id=\"strategic\">\n<h2>Strategic diagram</h2>\n");
    match charts::strategic(r) {
        Some(c) => chart(s, c),
        None => s.push_str("<p class=\"note\">No strategic diagram: it needs two trends or more placed by the analysis.</p>\n"),
    }
    s.push_str("</section>\n");
}

/// A trend's windows, activity, quadrant and events, in its cluster card.
pub(super) fn trend_card(r: &Report, k: &ClusterReport, s: &mut String) {
    let Some(t) = r.trends.iter().find(|t| t.cluster == k.cluster) else {
        return;
    };
    let mut facts = vec![format!("trend #{}", t.id)];
    if let Some(a) = &t.activity {
        facts.push(a.clone());
    }
    if let Some(q) = &t.quadrant {
        facts.push(format!("{q} on the strategic diagram"));
    }
    let _ = writeln!(
        s,
        "<h4>Over time</h4>\n<p class=\"small\">{}{}</p>",
        swatch(k.cluster),
        escape(&facts.join(" · "))
    );
    // Quarter windows are what the card's chart above already shows.
    let drawn = r.lineage.window == "quarter" && !r.timeline.quarters.is_empty();
    if t.windows.iter().any(|&n| n > 0) && !drawn {
        let labels: Vec<String> = r
            .lineage
            .windows
            .iter()
            .map(|w| window_label(&r.lineage.window, &w.start))
            .collect();
        let _ = writeln!(
            s,
            "<div class=\"scroll\">{}</div>",
            charts::strip(
                &t.windows,
                &labels,
                &super::svg::color(Some(k.cluster)),
                t.id
            )
        );
    }
    if t.windows.iter().all(|&n| n == 0) && !r.lineage.windows.is_empty() {
        s.push_str("<p class=\"muted small\">Found by the last analysis only: in the time windows its articles belong to the trends of the lineage above.</p>\n");
    }
    if !t.events.is_empty() {
        s.push_str("<ul>");
        // The latest events; the rest are in the lineage section.
        for &i in t.events.iter().rev().take(CARD_EVENTS) {
            s.push_str(&event_item(r, &r.lineage.events[i]));
        }
        if t.events.len() > CARD_EVENTS {
            let _ = write!(
                s,
                "<li class=\"muted\">and {} earlier events (see Trends over time)</li>",
                t.events.len() - CARD_EVENTS
            );
        }
        s.push_str("</ul>\n");
    }
}
