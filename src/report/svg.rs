//! The report's pictures as inline SVG: the cluster map and articles-per-quarter bars.
//!
//! Every number is written with a fixed number of decimals and every label
//! escaped, so the same report always gives the same bytes. Clusters are
//! numbered by size, and the [`PALETTE`] gives the 40 largest colours that
//! stay apart (the GEXF export colours them alike); the rest share a grey. Map labels are placed by [`crate::layout::labels`] so they cover
//! neither each other nor the dots; a legend names every coloured cluster.

use super::{ClusterMap, ClusterReport};
use crate::layout::labels::{self, Label};
use std::fmt::Write;

/// The cluster colours (shared with the GEXF export).
pub use crate::layout::palette::PALETTE;

/// The colour of clusters beyond the palette, and of articles without one.
pub const OTHER: (u8, u8, u8) = (190, 190, 190);

/// Escapes text for HTML and SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in XML.
            c if c.is_control() && c != '\t' && c != '\n' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The colour of a cluster as `#rrggbb`.
pub fn color(cluster: Option<u32>) -> String {
    let (r, g, b) = cluster
        .and_then(|k| PALETTE.get(k as usize).copied())
        .unwrap_or(OTHER);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", text[..i].trim_end()),
        None => text.to_string(),
    }
}

/// The cluster map: articles as dots coloured by cluster, links for small
/// maps, and the largest clusters labelled at their centroids.
pub fn map(m: &ClusterMap, clusters: &[ClusterReport]) -> String {
    let mut s = String::new();
    let size = m.size;
    let _ = write!(
        s,
        r##"<svg class="map" viewBox="0 0 {size:.0} {size:.0}" role="img" aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg"><title id="map-title">Cluster map: {} articles laid out by their links (ForceAtlas2), coloured by cluster</title><rect width="{size:.0}" height="{size:.0}" fill="#ffffff"/>"##,
        m.articles
    );
    if !m.edges.is_empty() {
        s.push_str(r##"<path fill="none" stroke="#c8c8c8" stroke-width="1" d=""##);
        for e in &m.edges {
            let (a, b) = (&m.points[e[0] as usize], &m.points[e[1] as usize]);
            let _ = write!(s, "M{:.1} {:.1}L{:.1} {:.1}", a.x, a.y, b.x, b.y);
        }
        s.push_str(r#""/>"#);
    }
    let radius = match m.points.len() {
        0..=100 => 9.0,
        101..=1000 => 5.0,
        _ => 3.0,
    };
    // Dots grouped by cluster: one fill per group, drawn largest cluster first.
    let mut groups: Vec<(Option<u32>, Vec<usize>)> = Vec::new();
    let order: Vec<Option<u32>> = clusters
        .iter()
        .map(|c| Some(c.cluster))
        .chain(std::iter::once(None))
        .collect();
    let mut index_of = std::collections::BTreeMap::new();
    for (i, k) in order.iter().enumerate() {
        index_of.insert(*k, i);
        groups.push((*k, Vec::new()));
    }
    for (i, p) in m.points.iter().enumerate() {
        if let Some(&g) = index_of.get(&p.cluster) {
            groups[g].1.push(i);
        }
    }
    for (cluster, points) in groups.iter().filter(|g| !g.1.is_empty()) {
        let _ = write!(
            s,
            r##"<g fill="{}" stroke="#ffffff" stroke-width="{:.1}">"##,
            color(*cluster),
            radius / 4.0
        );
        for &i in points {
            let p = &m.points[i];
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="{radius:.1}"/>"#,
                p.x, p.y
            );
        }
        s.push_str("</g>");
    }
    map_labels(m, radius, &mut s);
    s.push_str("</svg>");
    s
}

/// Font size of the map's labels, in view box units.
const LABEL_FONT: f64 = 20.0;

/// A label's box for `text`: about 0.64 em per character in bold (a little
/// more than most fonts need), plus padding.
fn label_size(text: &str) -> (f64, f64) {
    (
        text.chars().count() as f64 * LABEL_FONT * 0.64 + 10.0,
        LABEL_FONT * 1.3,
    )
}

/// Where each label's box goes (`None`: not drawn), and whether it holds
/// the rank alone: full labels first, then rank-only ones for those that
/// found no room, around the full ones already placed.
fn label_boxes(
    m: &ClusterMap,
    texts: &[[String; 2]],
    radius: f64,
) -> (Vec<Option<labels::Rect>>, Vec<bool>) {
    let dots: Vec<[f64; 2]> = m.points.iter().map(|p| [p.x, p.y]).collect();
    let size = [m.size, m.size];
    // Full labels first, then rank-only labels for those that found no room,
    // around the full ones already placed.
    let full: Vec<Label> = m
        .labels
        .iter()
        .zip(texts)
        .map(|(l, t)| {
            let (w, h) = label_size(&t[0]);
            Label {
                anchor: [l.x, l.y],
                w,
                h,
            }
        })
        .collect();
    let mut placed = labels::place(&full, &dots, radius, size);
    // The second pass places the full labels again first (each at once
    // where it was: nothing else is in the way yet), then the rank-only ones.
    let obstacles: Vec<labels::Rect> = placed.iter().flatten().copied().collect();
    let short: Vec<(usize, Label)> = placed
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_none())
        .map(|(i, _)| {
            let (w, h) = label_size(&texts[i][1]);
            (
                i,
                Label {
                    anchor: [m.labels[i].x, m.labels[i].y],
                    w,
                    h,
                },
            )
        })
        .collect();
    let mut all: Vec<Label> = obstacles
        .iter()
        .map(|b| Label {
            anchor: [b.x + b.w / 2.0, b.y + b.h / 2.0],
            w: b.w,
            h: b.h,
        })
        .collect();
    let fixed = all.len();
    all.extend(short.iter().map(|(_, l)| *l));
    let second = labels::place(&all, &dots, radius, size);
    let mut short_placed = vec![false; m.labels.len()];
    for (k, (i, _)) in short.iter().enumerate() {
        if let Some(b) = second[fixed + k] {
            placed[*i] = Some(b);
            short_placed[*i] = true;
        }
    }
    (placed, short_placed)
}

/// The map's labels where they cover neither each other nor the dots: the
/// rank and first concept of each labelled cluster, largest first; a
/// cluster whose label finds no room gets its rank alone, or nothing (the
/// legend names it).
fn map_labels(m: &ClusterMap, radius: f64, s: &mut String) {
    let texts: Vec<[String; 2]> = m
        .labels
        .iter()
        .map(|l| {
            let first = l.name.split(" · ").next().unwrap_or("");
            [
                format!("{}. {}", l.rank, truncate(first, 24)),
                l.rank.to_string(),
            ]
        })
        .collect();
    let (placed, short_placed) = label_boxes(m, &texts, radius);
    for (i, b) in placed.iter().enumerate() {
        let Some(b) = b else {
            continue;
        };
        let l = &m.labels[i];
        let text = &texts[i][usize::from(short_placed[i])];
        let (cx, cy) = (b.x + b.w / 2.0, b.y + b.h / 2.0);
        if (cx - l.x).abs() > b.w / 2.0 + b.h || (cy - l.y).abs() > b.h * 1.5 {
            // A leader line from the cluster's centre to the displaced label.
            let (ex, ey) = (l.x.clamp(b.x, b.x + b.w), l.y.clamp(b.y, b.y + b.h));
            let _ = write!(
                s,
                r##"<path d="M{:.1} {:.1}L{ex:.1} {ey:.1}" stroke="#5f6368" stroke-width="1.5"/>"##,
                l.x, l.y
            );
        }
        let _ = write!(
            s,
            r##"<text class="label" x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="{LABEL_FONT:.0}" font-weight="600" fill="#111111" stroke="#ffffff" stroke-width="4" paint-order="stroke"><title>{}. {}</title>{}</text>"##,
            b.y + b.h * 0.72,
            l.rank,
            escape(&l.name),
            escape(text)
        );
    }
}

/// The map's legend: every coloured cluster with its colour, rank and name
/// (a link to its section), then "other" when clusters share the grey.
pub fn legend(clusters: &[ClusterReport]) -> String {
    let mut s = String::from("<ul class=\"legend\">");
    for k in clusters
        .iter()
        .filter(|k| (k.cluster as usize) < PALETTE.len())
    {
        let _ = write!(
            s,
            "<li><span class=\"swatch\" style=\"background:{}\"></span><a href=\"#cluster-{}\">{}. {}</a></li>",
            color(Some(k.cluster)),
            k.cluster,
            k.rank,
            escape(&k.name)
        );
    }
    let others = clusters
        .iter()
        .filter(|k| (k.cluster as usize) >= PALETTE.len())
        .count();
    if others > 0 {
        let _ = write!(
            s,
            "<li><span class=\"swatch\" style=\"background:{}\"></span>other: {others} smaller cluster{}</li>",
            color(None),
            if others == 1 { "" } else { "s" }
        );
    }
    s.push_str("</ul>");
    s
}

/// Articles per quarter as bars; `highlight_from` marks the recent quarters.
pub fn bars(counts: &[u32], quarters: &[String], fill: &str, class: &str, title: &str) -> String {
    let n = counts.len().max(1);
    let bar = 8.0;
    let (width, height) = (n as f64 * bar, 40.0);
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="{class}" viewBox="0 0 {width:.0} {height:.0}" preserveAspectRatio="none" role="img" xmlns="http://www.w3.org/2000/svg"><title>{}</title><rect width="{width:.0}" height="{height:.0}" fill="#f4f4f4"/>"##,
        escape(title)
    );
    for (i, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let h = (f64::from(count) / max * (height - 2.0)).max(1.5);
        let label = quarters.get(i).map_or("", String::as_str);
        let _ = write!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{fill}"><title>{}: {count}</title></rect>"#,
            i as f64 * bar + 1.0,
            height - h,
            bar - 2.0,
            escape(label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Articles per quarter as a chart: one bar per quarter with its count
/// above it and a tooltip (`<title>`) naming the quarter and count, and a
/// year tick under each first quarter. Wide charts scroll sideways on a
/// phone rather than shrink below legibility.
pub fn quarter_chart(counts: &[u32], quarters: &[String], fill: &str, title: &str) -> String {
    const SLOT: f64 = 20.0;
    const PAD: f64 = 6.0;
    const TOP: f64 = 14.0;
    const BARS: f64 = 56.0;
    const AXIS: f64 = 20.0;
    let n = counts.len().max(1);
    let width = n as f64 * SLOT + 2.0 * PAD;
    let height = TOP + BARS + AXIS;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let base = TOP + BARS;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<div class="scroll"><svg class="qchart" viewBox="0 0 {width:.0} {height:.0}" style="max-width:{:.0}px;min-width:{:.0}px" role="img" xmlns="http://www.w3.org/2000/svg"><title>{}</title><g font-size="9" text-anchor="middle" fill="#3c4043">"##,
        width * 1.5,
        width * 0.72,
        escape(title)
    );
    let show_counts = n <= 48;
    for (i, &count) in counts.iter().enumerate() {
        let x = PAD + i as f64 * SLOT;
        let label = quarters.get(i).map_or("", String::as_str);
        let noun = if count == 1 { "article" } else { "articles" };
        if count == 0 {
            let _ = write!(
                s,
                r##"<rect x="{:.1}" y="{TOP:.1}" width="{:.1}" height="{BARS:.1}" fill="transparent"><title>{}: no articles</title></rect>"##,
                x + 2.0,
                SLOT - 4.0,
                escape(label)
            );
            continue;
        }
        let h = (f64::from(count) / max * (BARS - 2.0)).max(2.0);
        let _ = write!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{fill}"><title>{}: {count} {noun}</title></rect>"#,
            x + 3.0,
            base - h,
            SLOT - 6.0,
            escape(label)
        );
        if show_counts {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" aria-hidden="true">{count}</text>"#,
                x + SLOT / 2.0,
                base - h - 3.0
            );
        }
    }
    let _ = write!(
        s,
        r##"</g><path d="M{PAD:.1} {base:.1}H{:.1}" stroke="#9aa0a6" stroke-width="1"/><g font-size="11" fill="#5f6368">"##,
        width - PAD
    );
    for (i, label) in quarters.iter().enumerate() {
        let Some(year) = label
            .strip_suffix(" Q1")
            .or_else(|| (i == 0).then(|| label.split(' ').next().unwrap_or("")))
        else {
            continue;
        };
        let x = PAD + i as f64 * SLOT;
        let _ = write!(
            s,
            r##"<path d="M{x:.1} {base:.1}v6" stroke="#9aa0a6" stroke-width="1"/><text x="{:.1}" y="{:.1}">{}</text>"##,
            x + 2.0,
            base + 16.0,
            escape(year)
        );
    }
    s.push_str("</g></svg></div>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("a & <b> \"c\" 'd' \u{1}"),
            "a &amp; &lt;b&gt; &quot;c&quot; &#39;d&#39; \u{FFFD}"
        );
    }

    #[test]
    fn quarter_charts_count_each_bar_and_tick_each_year() {
        let quarters: Vec<String> = ["2023 Q3", "2023 Q4", "2024 Q1", "2024 Q2", "2025 Q1"]
            .iter()
            .map(|q| q.to_string())
            .collect();
        let svg = quarter_chart(&[2, 0, 5, 1, 3], &quarters, "#123456", "t");
        assert_eq!(svg.matches("<rect").count(), 5, "{svg}");
        assert!(svg.contains("<title>2023 Q4: no articles</title>"));
        assert!(svg.contains("<title>2024 Q1: 5 articles</title>"));
        assert!(svg.contains("<title>2024 Q2: 1 article</title>"));
        assert!(svg.contains(">5</text>"));
        for year in [">2023</text>", ">2024</text>", ">2025</text>"] {
            assert!(svg.contains(year), "{year}");
        }
    }

    /// CIELAB (D65) of an sRGB colour.
    fn lab((r, g, b): (u8, u8, u8)) -> [f64; 3] {
        let lin = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (lin(r), lin(g), lin(b));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        let (fx, fy, fz) = (f(x), f(y), f(z));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    #[test]
    fn the_palette_keeps_forty_clusters_and_the_grey_apart() {
        let distance = |a: [f64; 3], b: [f64; 3]| {
            ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
        };
        let labs: Vec<[f64; 3]> = PALETTE.iter().map(|&c| lab(c)).collect();
        for (i, a) in labs.iter().enumerate() {
            for b in &labs[i + 1..] {
                assert!(distance(*a, *b) > 24.0, "{i}: {a:?} and {b:?} too close");
            }
            assert!(distance(*a, lab(OTHER)) > 30.0, "{i} looks grey");
        }
        assert_eq!(color(Some(39)), "#ff1ea5");
        assert_eq!(color(Some(40)), color(None));
    }

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("déjà vu", 4), "déjà…");
        assert_eq!(truncate("short", 10), "short");
    }
}
