//! The Markdown sections on trends through time: what changed, the lineage as tables, the bursts, the strategic diagram's quadrants and each trend's windows.

use super::charts::{self, window_label};
use super::markdown::{article, escape, sparkline, status};
use super::model::{ArticleRef, BurstEntry, ClusterReport, EventEntry, Report};
use super::text::{event_trends, first_scan, since_summary, trend_label, CHANGES_RULE};
use std::fmt::Write as _;

/// Added articles listed per trend (the rest are counted).
const ADDED_PER_TREND: usize = 8;

fn citations(cited: &[ArticleRef], all: usize) -> String {
    let mut out: Vec<String> = cited.iter().map(article).collect();
    if all > cited.len() {
        out.push(format!("and {} more", all - cited.len()));
    }
    out.join("; ")
}

fn event_line(r: &Report, e: &EventEntry) -> String {
    format!(
        "- **{}** in {} ({}): {} — {}",
        e.kind,
        window_label(&r.lineage.window, &e.date),
        e.date,
        escape(&event_trends(r, e)),
        citations(&e.cited, e.article_ids.len())
    )
}

fn burst_line(b: &BurstEntry) -> String {
    format!(
        "- **{}** ({}) {} – {}, weight {:.1}{} — {}",
        escape(&b.label),
        b.kind,
        b.start,
        b.end,
        b.weight,
        if b.now { ", **bursting now**" } else { "" },
        citations(&b.cited, b.article_ids.len())
    )
}

/// What changed, first in the document, one list after another (long, but flat).
pub(super) fn what_changed(r: &Report, s: &mut String) {
    s.push_str("## What changed\n\n");
    let Some(since) = &r.since else {
        let _ = writeln!(s, "{}\n", escape(first_scan(r)));
        return;
    };
    let _ = writeln!(s, "{}\n", escape(&since_summary(r, since)));
    if !since.by_trend.is_empty() {
        s.push_str("**Added articles by trend**\n\n");
        for g in &since.by_trend {
            let head = match g.trend {
                Some(id) => format!("#{id} {}", escape(&g.name)),
                None if g.name.is_empty() => "Without a cluster".to_string(),
                None => format!("{} (no trend)", escape(&g.name)),
            };
            let _ = writeln!(s, "- {head} ({})", g.articles.len());
            for a in g.articles.iter().take(ADDED_PER_TREND) {
                let _ = writeln!(s, "  - {}", article(a));
            }
            if g.articles.len() > ADDED_PER_TREND {
                let _ = writeln!(s, "  - and {} more", g.articles.len() - ADDED_PER_TREND);
            }
        }
        s.push('\n');
    }
    if !since.new_trends.is_empty() {
        s.push_str("**New trends**\n\n");
        for &id in &since.new_trends {
            let _ = writeln!(s, "- {}", escape(&trend_label(r, id)));
        }
        s.push('\n');
    }
    if !since.status_changes.is_empty() {
        s.push_str("**Status changes**\n\n| Trend | Before | Now |\n|---|---|---|\n");
        for c in &since.status_changes {
            let _ = writeln!(
                s,
                "| #{} {} | {} | {} |",
                c.trend,
                escape(&c.name),
                status(c.before),
                status(c.after)
            );
        }
        s.push('\n');
    }
    if !since.events.is_empty() {
        s.push_str("**Lineage events since**\n\n");
        for &i in &since.events {
            let _ = writeln!(s, "{}", event_line(r, &r.lineage.events[i]));
        }
        s.push('\n');
    }
    if !since.bursts.is_empty() {
        s.push_str("**Bursts since**\n\n");
        for &i in &since.bursts {
            let _ = writeln!(s, "{}", burst_line(&r.bursts[i]));
        }
        s.push('\n');
    }
    let _ = writeln!(s, "*{}*\n", escape(CHANGES_RULE));
}

/// The lineage as a table of trends by window, then the events; the
/// bursts; the strategic diagram's quadrants (three flat sections in a row).
pub(super) fn over_time(r: &Report, s: &mut String) {
    s.push_str("## Trends over time\n\n");
    let windows = &r.lineage.windows;
    if windows.len() < 2 {
        s.push_str("No lineage: it needs dated articles in at least two time windows.\n\n");
    } else {
        let _ = writeln!(
            s,
            "{} {}s from {} to {}. {}.\n\n| Trend | Articles per {} ({} to {}) | Activity |\n|---|---|---|",
            windows.len(),
            r.lineage.window,
            windows[0].start,
            windows[windows.len() - 1].end,
            charts::event_counts(r),
            r.lineage.window,
            window_label(&r.lineage.window, &windows[0].start),
            window_label(&r.lineage.window, &windows[windows.len() - 1].start)
        );
        for t in charts::alluvial_trends(r) {
            let _ = writeln!(
                s,
                "| #{} {} | `{}` | {} |",
                t.id,
                escape(&t.name),
                sparkline(&t.windows),
                t.activity.as_deref().unwrap_or("–")
            );
        }
        s.push('\n');
        if !r.lineage.flows.is_empty() {
            s.push_str("Articles moving between trends:\n\n| Into window | From | To | Articles |\n|---|---|---|---:|\n");
            for f in &r.lineage.flows {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} |",
                    window_label(&r.lineage.window, &windows[f.window].start),
                    escape(&trend_label(r, f.from)),
                    escape(&trend_label(r, f.to)),
                    f.articles
                );
            }
            s.push('\n');
        }
        for e in r.lineage.events.iter().rev() {
            let _ = writeln!(s, "{}", event_line(r, e));
        }
        s.push('\n');
    }
    s.push_str("## Bursts\n\n");
    if r.bursts.is_empty() {
        s.push_str("No bursts: they need dated articles and a concept whose share of a month's articles jumps.\n\n");
    } else {
        for b in r.bursts.iter().take(charts::BURST_ROWS) {
            let _ = writeln!(s, "{}", burst_line(b));
        }
        s.push('\n');
    }
    s.push_str("## Strategic diagram\n\n");
    let placed: Vec<_> = r.trends.iter().filter(|t| t.quadrant.is_some()).collect();
    if placed.len() < 2 {
        s.push_str("No strategic diagram: it needs two trends or more placed by the analysis.\n\n");
    } else {
        s.push_str("Centrality is the weight of a trend's links to other trends, density the weight of its links inside per article; each is split at the median.\n\n| Trend | Quadrant | Centrality | Density |\n|---|---|---:|---:|\n");
        for t in placed {
            let _ = writeln!(
                s,
                "| #{} {} | {} | {} | {} |",
                t.id,
                escape(&t.name),
                t.quadrant.as_deref().unwrap_or(""),
                t.centrality.map_or("–".into(), |v| format!("{v}")),
                t.density.map_or("–".into(), |v| format!("{v}"))
            );
        }
        s.push('\n');
    }
}

/// A trend's windows, activity, quadrant and events, in its cluster section.
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
    // Quarter windows are what the cluster's quarter line above already shows.
    let shown = r.lineage.window == "quarter" && !r.timeline.quarters.is_empty();
    if t.windows.iter().any(|&n| n > 0) && !shown {
        let counts: Vec<String> = t.windows.iter().map(u32::to_string).collect();
        facts.push(format!(
            "articles per {}: `{}` ({})",
            r.lineage.window,
            sparkline(&t.windows),
            counts.join(" ")
        ));
    }
    if t.windows.iter().all(|&n| n == 0) && !r.lineage.windows.is_empty() {
        facts.push("found by the last analysis only: in the time windows its articles belong to the trends of the lineage".into());
    }
    let _ = writeln!(s, "**Over time:** {}\n", facts.join(" · "));
    for &i in &t.events {
        let _ = writeln!(s, "{}", event_line(r, &r.lineage.events[i]));
    }
    if !t.events.is_empty() {
        s.push('\n');
    }
}
