//! The pictures of trends through time as inline SVG: the lineage as an alluvial diagram, the burst timeline and the strategic diagram.
//!
//! Like [`super::svg`], no script and fixed decimals, so the same report
//! gives the same bytes. Each picture has a `<title>` and a `<desc>` (the
//! text alternative the page prints under it too), and returns `None` when
//! there is nothing to draw, so the page says why instead of drawing an
//! empty frame. The pictures keep a minimum width in the page (they scroll
//! sideways on a phone) so their labels stay readable.

use super::model::{LineageTrend, Report};
use super::svg::{color, escape, truncate};
use super::text::rank_of;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Fewest articles a trend needs to be drawn in the alluvial diagram: the
/// lineage's own floor below which a cluster is noise.
pub const ALLUVIAL_MIN: u32 = crate::trends::lineage::MIN_TREND;
/// Most trends drawn in the alluvial diagram (the largest).
pub const ALLUVIAL_TRENDS: usize = 14;
/// Bursts drawn on the timeline (the strongest).
pub const BURST_ROWS: usize = 15;
/// Trends labelled on the strategic diagram (the largest).
const STRATEGIC_LABELS: usize = 24;

/// A picture and its text alternative.
pub struct Chart {
    /// The `<svg>` element.
    pub svg: String,
    /// What it shows, in a sentence or two.
    pub text: String,
}

/// The colour of a trend: its cluster's, grey when it is no longer a cluster.
fn trend_color(t: &LineageTrend) -> String {
    match t.cluster {
        Some(k) => color(Some(k)),
        None => "#9aa0a6".to_string(),
    }
}

/// A window's short label: `2024 Q3` for quarters, `2024-03` for months,
/// `2024` for years, else its start date.
pub fn window_label(window: &str, start: &str) -> String {
    let (year, month) = (
        &start[..4.min(start.len())],
        start.get(5..7).unwrap_or("01"),
    );
    match window {
        "quarter" => format!(
            "{year} Q{}",
            (month.parse::<u32>().unwrap_or(1) - 1) / 3 + 1
        ),
        "month" => format!("{year}-{month}"),
        "year" => year.to_string(),
        _ => start.to_string(),
    }
}

/// The trends the alluvial diagram draws: at least [`ALLUVIAL_MIN`]
/// articles, the [`ALLUVIAL_TRENDS`] largest, ordered by the first window
/// they have articles in, then id.
pub fn alluvial_trends(r: &Report) -> Vec<&LineageTrend> {
    let mut shown: Vec<&LineageTrend> = r
        .lineage
        .trends
        .iter()
        .filter(|t| t.windows.iter().sum::<u32>() >= ALLUVIAL_MIN)
        .collect();
    shown.sort_by_key(|t| (std::cmp::Reverse(t.windows.iter().sum::<u32>()), t.id));
    shown.truncate(ALLUVIAL_TRENDS);
    shown.sort_by_key(|t| (t.windows.iter().position(|&n| n > 0), t.id));
    shown
}

/// The lineage: each trend a band across the windows (height: its articles
/// in the window), ribbons for articles moving between trends. Long because
/// it draws one picture top to bottom, sharing one set of layout values.
pub fn alluvial(r: &Report) -> Option<Chart> {
    let windows = &r.lineage.windows;
    let shown = alluvial_trends(r);
    if windows.len() < 2 || shown.is_empty() {
        return None;
    }
    let n = windows.len() as f64;
    let (width, left) = (1000.0, 10.0);
    let col = (width - 2.0 * left) / n;
    let bar = col * 0.55;
    let x0 = |w: usize| left + w as f64 * col + (col - bar) / 2.0;
    let x1 = |w: usize| x0(w) + bar;
    let (lane, thick, top) = (50.0, 28.0, 8.0);
    let centre = |i: usize| top + i as f64 * lane + 16.0 + 4.0 + thick / 2.0;
    let height = top + shown.len() as f64 * lane + 28.0;
    let max = shown
        .iter()
        .flat_map(|t| t.windows.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    // Square root: a few large windows would otherwise flatten the rest.
    let h = |count: u32| ((f64::from(count) / max).sqrt() * thick).max(2.5);
    let lane_of: BTreeMap<u32, usize> = shown.iter().enumerate().map(|(i, t)| (t.id, i)).collect();
    let counts = event_counts(r);
    let desc = format!(
        "{} trends of at least {ALLUVIAL_MIN} articles across {} {}s from {} to {}; band height is a trend's articles in each window, ribbons are merges, splits and trends continued under another id. {}.",
        shown.len(),
        windows.len(),
        r.lineage.window,
        windows[0].start,
        windows[windows.len() - 1].end,
        counts
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="chart alluvial" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-labelledby="alluvial-title alluvial-desc" xmlns="http://www.w3.org/2000/svg"><title id="alluvial-title">Lineage of the trends across time windows</title><desc id="alluvial-desc">{}</desc><rect width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##,
        escape(&desc)
    );
    // Ribbons first, so the bands sit on top.
    for f in &r.lineage.flows {
        let (Some(&a), Some(&b)) = (lane_of.get(&f.from), lane_of.get(&f.to)) else {
            continue;
        };
        let t = h(f.articles);
        let (xa, xb) = (x1(f.window - 1), x0(f.window));
        let (ya, yb) = (centre(a) - t / 2.0, centre(b) - t / 2.0);
        let mid = (xa + xb) / 2.0;
        let _ = write!(
            s,
            r#"<path d="M{xa:.1} {ya:.1}C{mid:.1} {ya:.1} {mid:.1} {yb:.1} {xb:.1} {yb:.1}L{xb:.1} {:.1}C{mid:.1} {:.1} {mid:.1} {:.1} {xa:.1} {:.1}Z" fill="{}" fill-opacity="0.45"><title>#{} into #{}, {} articles</title></path>"#,
            yb + t,
            yb + t,
            ya + t,
            ya + t,
            trend_color(shown[a]),
            f.from,
            f.to,
            f.articles
        );
    }
    for (i, t) in shown.iter().enumerate() {
        let fill = trend_color(t);
        let cy = centre(i);
        let _ = write!(s, r#"<g fill="{fill}">"#);
        for (w, &count) in t.windows.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let hh = h(count);
            if w > 0 && t.windows[w - 1] > 0 {
                let hp = h(t.windows[w - 1]);
                let _ = write!(
                    s,
                    r#"<path d="M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill-opacity="0.55"/>"#,
                    x1(w - 1),
                    cy - hp / 2.0,
                    x0(w),
                    cy - hh / 2.0,
                    x0(w),
                    cy + hh / 2.0,
                    x1(w - 1),
                    cy + hp / 2.0
                );
            }
            let _ = write!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="{hh:.1}"><title>#{} in {}: {count}</title></rect>"#,
                x0(w),
                cy - hh / 2.0,
                t.id,
                window_label(&r.lineage.window, &windows[w].start)
            );
        }
        s.push_str("</g>");
        let first = t.windows.iter().position(|&n| n > 0).unwrap_or(0);
        let label = format!(
            "#{} {}{}",
            t.id,
            truncate(&t.name, 46),
            t.activity
                .as_deref()
                .filter(|a| *a != "active")
                .map_or(String::new(), |a| format!(" ({a})"))
        );
        let room = label.chars().count() as f64 * 7.0;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" fill="#1b1b1b">{}</text>"##,
            x0(first).min(width - left - room).max(left),
            top + i as f64 * lane + 16.0,
            escape(&label)
        );
    }
    let step = (70.0 / col).ceil().max(1.0) as usize;
    for (w, window) in windows.iter().enumerate().step_by(step) {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#5f6368" text-anchor="middle">{}</text>"##,
            (x0(w) + bar / 2.0).clamp(30.0, width - 30.0),
            height - 8.0,
            escape(&window_label(&r.lineage.window, &window.start))
        );
    }
    s.push_str("</svg>");
    Some(Chart { svg: s, text: desc })
}

/// "3 births, 1 merge, …" over the lineage's events ("no events" without).
pub fn event_counts(r: &Report) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &r.lineage.events {
        *counts.entry(e.kind.as_str()).or_insert(0) += 1;
    }
    let parts: Vec<String> = ["birth", "death", "merge", "split"]
        .iter()
        .filter_map(|k| {
            counts
                .get(k)
                .map(|&n| format!("{n} {k}{}", if n == 1 { "" } else { "s" }))
        })
        .collect();
    if parts.is_empty() {
        "No lineage events".to_string()
    } else {
        format!("Events: {}", parts.join(", "))
    }
}

/// Months since year 0 of a `YYYY-MM-DD` date.
fn month_of(date: &str) -> Option<i64> {
    let year: i64 = date.get(..4)?.parse().ok()?;
    let month: i64 = date.get(5..7)?.parse().ok()?;
    Some(year * 12 + month - 1)
}

/// The strongest bursts as bars over the months, bursting-now ones marked.
/// Long for the same reason as [`alluvial`].
pub fn burst_timeline(r: &Report) -> Option<Chart> {
    let first = month_of(r.collection.first_date.as_deref()?)?;
    let last = month_of(r.collection.last_date.as_deref()?)?;
    let rows: Vec<_> = r.bursts.iter().take(BURST_ROWS).collect();
    if rows.is_empty() {
        return None;
    }
    let months = (last - first + 1).max(1) as f64;
    let (width, label_w, right, row, top) = (1000.0, 280.0, 50.0, 26.0, 6.0);
    let plot = width - label_w - right;
    let x = |m: i64| label_w + (m - first) as f64 / months * plot;
    let height = top + rows.len() as f64 * row + 26.0;
    let max = rows.iter().map(|b| b.weight).fold(0.0, f64::max).max(1e-9);
    let now: Vec<&str> = r
        .bursts
        .iter()
        .filter(|b| b.now)
        .map(|b| b.label.as_str())
        .collect();
    let desc = format!(
        "The {} strongest of {} concept bursts, as bars from their first to their last month; {}.",
        rows.len(),
        r.bursts.len(),
        if now.is_empty() {
            "none is bursting now".to_string()
        } else {
            format!(
                "bursting now: {}",
                now.iter().take(8).copied().collect::<Vec<_>>().join(", ")
            )
        }
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="chart bursts" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-labelledby="bursts-title bursts-desc" xmlns="http://www.w3.org/2000/svg"><title id="bursts-title">Concept bursts over the months</title><desc id="bursts-desc">{}</desc><rect width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##,
        escape(&desc)
    );
    // Years: a line at each January, labelled below.
    let years: Vec<i64> = (first..=last + 1).filter(|m| m % 12 == 0).collect();
    let year_step = (years.len() / 8).max(1);
    for (i, &m) in years.iter().enumerate() {
        let _ = write!(
            s,
            r##"<line x1="{0:.1}" x2="{0:.1}" y1="{top:.1}" y2="{1:.1}" stroke="#dadce0"/>"##,
            x(m),
            height - 22.0
        );
        if i % year_step == 0 && m <= last {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#5f6368">{}</text>"##,
                x(m) + 3.0,
                height - 8.0,
                m / 12
            );
        }
    }
    // The legend sits under the labels, the years under the bars.
    let mut lx = 10.0;
    for (kind, fill) in [
        ("theme", "#1a5bb8"),
        ("keyword", "#11602d"),
        ("driving force", "#a15c00"),
    ] {
        let _ = write!(
            s,
            r##"<rect x="{lx:.1}" y="{:.1}" width="12" height="12" fill="{fill}"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#5f6368">{kind}</text>"##,
            height - 19.0,
            lx + 16.0,
            height - 8.0
        );
        lx += kind.len() as f64 * 7.0 + 26.0;
    }
    for (i, b) in rows.iter().enumerate() {
        let y = top + i as f64 * row;
        let (Some(start), Some(end)) = (month_of(&b.start), month_of(&b.end)) else {
            continue;
        };
        let fill = match b.kind.as_str() {
            "theme" => "#1a5bb8",
            "keyword" => "#11602d",
            _ => "#a15c00",
        };
        let opacity = 0.4 + 0.6 * b.weight / max;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="end" fill="#1b1b1b"{}>{}</text><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}" fill-opacity="{opacity:.2}"><title>{} ({}): {} to {}, weight {:.1}, {} articles</title></rect>"##,
            label_w - 8.0,
            y + 17.0,
            if b.now { r#" font-weight="700""# } else { "" },
            escape(&truncate(&b.label, 34)),
            x(start),
            y + 5.0,
            (x(end + 1) - x(start)).max(3.0),
            row - 9.0,
            escape(&b.label),
            b.kind,
            b.start,
            b.end,
            b.weight,
            b.article_ids.len()
        );
        if b.now {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="12" font-weight="700" fill="#8c1530">now</text>"##,
                x(end + 1) + 4.0,
                y + 17.0
            );
        }
    }
    s.push_str("</svg>");
    Some(Chart { svg: s, text: desc })
}

/// Centrality × density of each placed trend, split at the medians into
/// the four quadrants, each trend a labelled dot. Long for the same reason
/// as [`alluvial`].
pub fn strategic(r: &Report) -> Option<Chart> {
    let placed: Vec<_> = r
        .trends
        .iter()
        .filter_map(|t| Some((t, t.centrality?, t.density?, t.quadrant.as_deref()?)))
        .collect();
    if placed.len() < 2 {
        return None;
    }
    // Link weights are skewed: both axes are ln(1 + v).
    let f = |v: f64| v.max(0.0).ln_1p();
    let range = |values: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(f(v)), hi.max(f(v)))
        });
        (lo, (hi - lo).max(1e-9))
    };
    let (c_lo, c_span) = range(&mut placed.iter().map(|p| p.1));
    let (d_lo, d_span) = range(&mut placed.iter().map(|p| p.2));
    let (width, height) = (800.0, 560.0);
    let (l, rgt, t, b) = (40.0, 20.0, 20.0, 50.0);
    let sx = |u: f64| l + 30.0 + (u - c_lo) / c_span * (width - l - rgt - 60.0);
    let sy = |u: f64| height - b - 30.0 - (u - d_lo) / d_span * (height - t - b - 60.0);
    let px = |v: f64| sx(f(v));
    let py = |v: f64| sy(f(v));
    // The split between low and high on each axis, from the quadrants.
    let split = |high: &dyn Fn(&str) -> bool, value: &dyn Fn(&(f64, f64)) -> f64| {
        let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::INFINITY);
        for p in &placed {
            let v = value(&(p.1, p.2));
            if high(p.3) {
                hi = hi.min(v);
            } else {
                lo = lo.max(v);
            }
        }
        match (lo.is_finite(), hi.is_finite()) {
            (true, true) => (lo + hi) / 2.0,
            (true, false) => lo,
            (false, true) => hi,
            (false, false) => 0.0,
        }
    };
    let c_split = split(&|q| q == "motor" || q == "basic", &|p| f(p.0));
    let d_split = split(&|q| q == "motor" || q == "niche", &|p| f(p.1));
    let (mx, my) = (sx(c_split), sy(d_split));
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &placed {
        *per.entry(p.3).or_insert(0) += 1;
    }
    let desc = format!(
        "{} trends placed by centrality (links to other trends, across) and density (links inside per article, up), split at the medians: {}.",
        placed.len(),
        ["motor", "basic", "niche", "emerging-or-declining"]
            .iter()
            .map(|q| format!("{} {q}", per.get(q).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="chart strategic" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-labelledby="strategic-title strategic-desc" xmlns="http://www.w3.org/2000/svg"><title id="strategic-title">Strategic diagram of the trends</title><desc id="strategic-desc">{}</desc><rect width="{width:.0}" height="{height:.0}" fill="#ffffff"/>"##,
        escape(&desc)
    );
    let _ = write!(
        s,
        r##"<rect x="{l:.0}" y="{t:.0}" width="{:.0}" height="{:.0}" fill="none" stroke="#dadce0"/><line x1="{mx:.1}" x2="{mx:.1}" y1="{t:.0}" y2="{:.0}" stroke="#5f6368" stroke-dasharray="5 4"/><line x1="{l:.0}" x2="{:.0}" y1="{my:.1}" y2="{my:.1}" stroke="#5f6368" stroke-dasharray="5 4"/>"##,
        width - l - rgt,
        height - t - b,
        height - b,
        width - rgt
    );
    for (text, x, y, anchor) in [
        ("motor", width - rgt - 8.0, t + 20.0, "end"),
        ("niche", l + 8.0, t + 20.0, "start"),
        ("basic", width - rgt - 8.0, height - b - 10.0, "end"),
        ("emerging or declining", l + 8.0, height - b - 10.0, "start"),
    ] {
        let _ = write!(
            s,
            r##"<text x="{x:.1}" y="{y:.1}" font-size="16" font-weight="600" fill="#9aa0a6" text-anchor="{anchor}">{text}</text>"##
        );
    }
    let _ = write!(
        s,
        r##"<text x="{:.1}" y="{:.1}" font-size="13" fill="#5f6368" text-anchor="middle">centrality: links to other trends →</text><text x="14" y="{:.1}" font-size="13" fill="#5f6368" text-anchor="middle" transform="rotate(-90 14 {:.1})">density: links inside, per article →</text>"##,
        (l + width - rgt) / 2.0,
        height - 16.0,
        (t + height - b) / 2.0,
        (t + height - b) / 2.0
    );
    for (trend, c, d, q) in &placed {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="7" fill="{}" stroke="#ffffff" stroke-width="1.5"><title>#{} {}: {q}, centrality {c}, density {d}</title></circle>"##,
            px(*c),
            py(*d),
            color(Some(trend.cluster)),
            trend.id,
            escape(&trend.name)
        );
    }
    // Labels for the largest trends first, right of the dot or else left of
    // it, skipped where they would cover a label already placed.
    let mut by_size: Vec<usize> = (0..placed.len()).collect();
    by_size.sort_by_key(|&i| {
        (
            std::cmp::Reverse(placed[i].0.article_ids.len()),
            placed[i].0.id,
        )
    });
    let mut taken: Vec<[f64; 4]> = Vec::new();
    for i in by_size.into_iter().take(STRATEGIC_LABELS) {
        let (trend, c, d, _) = placed[i];
        let (x, y) = (px(c), py(d));
        let first = trend.name.split(" · ").next().unwrap_or("");
        let label = format!("{}. {}", rank_of(r, trend.cluster), truncate(first, 20));
        let w = label.chars().count() as f64 * 7.2;
        let boxes = [
            (
                x + 10.0,
                "start",
                [x + 10.0, y - 9.0, x + 10.0 + w, y + 5.0],
            ),
            (x - 10.0, "end", [x - 10.0 - w, y - 9.0, x - 10.0, y + 5.0]),
        ];
        let free = boxes.into_iter().find(|(_, _, b)| {
            b[0] >= l
                && b[2] <= width - rgt
                && taken
                    .iter()
                    .all(|o| b[2] < o[0] || o[2] < b[0] || b[3] < o[1] || o[3] < b[1])
        });
        if let Some((tx, anchor, b)) = free {
            taken.push(b);
            let _ = write!(
                s,
                r##"<text x="{tx:.1}" y="{:.1}" font-size="13" fill="#1b1b1b" stroke="#ffffff" stroke-width="3" paint-order="stroke" text-anchor="{anchor}">{}</text>"##,
                y + 4.0,
                escape(&label)
            );
        }
    }
    s.push_str("</svg>");
    Some(Chart { svg: s, text: desc })
}

/// A trend's articles per window as small bars with their counts, window
/// labels at the first and last window.
pub fn strip(counts: &[u32], labels: &[String], fill: &str, id: u32) -> String {
    let (bar, height) = (30.0, 62.0);
    let width = counts.len().max(1) as f64 * bar;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="strip" viewBox="0 0 {width:.0} {height:.0}" role="img" xmlns="http://www.w3.org/2000/svg" style="min-width:{:.0}px"><title>Articles of trend #{id} per window: {}</title>"##,
        (counts.len() as f64 * 16.0).min(640.0),
        counts
            .iter()
            .zip(labels)
            .filter(|(&n, _)| n > 0)
            .map(|(n, l)| format!("{l} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (i, &count) in counts.iter().enumerate() {
        let x = i as f64 * bar;
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="14" width="{:.1}" height="30" fill="#f4f4f4"/>"##,
            x + 1.0,
            bar - 2.0
        );
        if count == 0 {
            continue;
        }
        let h = (f64::from(count) / max * 30.0).max(2.0);
        let _ = write!(
            s,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{fill}"/><text x="{:.1}" y="11" font-size="11" text-anchor="middle" fill="#1b1b1b">{count}</text>"##,
            x + 1.0,
            44.0 - h,
            bar - 2.0,
            x + bar / 2.0
        );
    }
    for (i, anchor) in [(0, "start"), (counts.len().saturating_sub(1), "end")] {
        if let Some(label) = labels.get(i) {
            let x = if anchor == "start" { 1.0 } else { width - 1.0 };
            let _ = write!(
                s,
                r##"<text x="{x:.1}" y="58" font-size="11" fill="#5f6368" text-anchor="{anchor}">{}</text>"##,
                escape(label)
            );
        }
        if counts.len() == 1 {
            break;
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_labelled_by_their_kind() {
        assert_eq!(window_label("quarter", "2024-07-01"), "2024 Q3");
        assert_eq!(window_label("month", "2024-03-01"), "2024-03");
        assert_eq!(window_label("year", "2024-01-01"), "2024");
        assert_eq!(window_label("90d", "2024-02-11"), "2024-02-11");
    }

    #[test]
    fn a_strip_shows_each_count_and_the_ends() {
        let labels = vec!["2024 Q1".to_string(), "2024 Q2".into(), "2024 Q3".into()];
        let svg = strip(&[3, 0, 12], &labels, "#123456", 7);
        assert!(svg.contains(">3</text>") && svg.contains(">12</text>"));
        assert!(!svg.contains(">0</text>"));
        assert!(svg.contains("2024 Q1") && svg.contains("2024 Q3"));
        assert!(svg.contains("trend #7 per window: 2024 Q1 3, 2024 Q3 12"));
    }
}
