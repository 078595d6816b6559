//! The report's pictures as inline SVG: the cluster map and articles-per-quarter bars.
//!
//! Every number is written with a fixed number of decimals and every label
//! escaped, so the same report always gives the same bytes. Colours are
//! those of the GEXF export ([`crate::export::gexf::cluster_color`]), so a
//! cluster looks the same here and in Gephi.

use super::{ClusterMap, ClusterReport};
use crate::export::gexf::cluster_color;
use std::fmt::Write;

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
    let (r, g, b) = cluster_color(cluster);
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
    for label in &m.labels {
        // The first concept of the name keeps labels short enough to place.
        let first = label.name.split(" · ").next().unwrap_or("");
        let text = format!("{}. {}", label.rank, truncate(first, 26));
        // About 0.55 em per character at 22 px, bold.
        let half = text.chars().count() as f64 * 6.2 + 8.0;
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="22" font-weight="600" fill="#111111" stroke="#ffffff" stroke-width="5" paint-order="stroke">{}</text>"##,
            label
                .x
                .clamp(half.min(size / 2.0), (size - half).max(size / 2.0)),
            label.y.clamp(30.0, size - 10.0),
            escape(&text)
        );
    }
    s.push_str("</svg>");
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
    fn truncates_on_characters() {
        assert_eq!(truncate("déjà vu", 4), "déjà…");
        assert_eq!(truncate("short", 10), "short");
    }
}
