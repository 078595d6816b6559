//! The wording the HTML and Markdown writers share: the lede, scores, status counts, a cluster's gaps and rank, and which source URLs may become links.

use super::links::Gap;
use super::trajectory::Status;
use super::Report;

/// The one-line summary under the title.
pub(crate) fn lede(r: &Report) -> String {
    let c = &r.collection;
    let dates = match (&c.first_date, &c.last_date) {
        (Some(a), Some(b)) => format!("from {a} to {b}"),
        _ => "undated".to_string(),
    };
    let modularity = r.analysis.modularity.map_or_else(
        || "modularity undefined".to_string(),
        |q| format!("modularity {q:.2}"),
    );
    format!(
        "{} articles {dates}, {} signals, {} clusters ({modularity}).",
        c.articles, c.signals, r.analysis.clusters
    )
}

/// A source URL that may become a link: http(s) only, no spaces or controls.
pub(crate) fn safe_url(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
        && !url.chars().any(|ch| ch.is_whitespace() || ch.is_control());
    ok.then_some(url)
}

/// A score for people: 4 decimals, or 3 significant digits when small.
pub(crate) fn score(v: Option<f64>) -> String {
    match v {
        None => "–".to_string(),
        Some(0.0) => "0".to_string(),
        Some(v) if v.abs() >= 0.001 => format!("{v:.4}"),
        Some(v) => format!("{v:.2e}"),
    }
}

/// "2 emerging, 1 growing, …" over the clusters with a status.
pub(crate) fn status_counts(r: &Report) -> String {
    let parts: Vec<String> = Status::ALL
        .iter()
        .filter_map(|&status| {
            let n = r.clusters.iter().filter(|k| k.status == status).count();
            (n > 0).then(|| format!("{n} {}", status.name()))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("Cluster status: {}", parts.join(", "))
    }
}

/// The gaps cluster `k` is part of, with the other cluster of each.
pub(crate) fn gaps_of(r: &Report, k: u32) -> impl Iterator<Item = (u32, &Gap)> {
    r.gaps.iter().filter_map(move |g| match g.clusters {
        [a, b] if a == k => Some((b, g)),
        [a, b] if b == k => Some((a, g)),
        _ => None,
    })
}

/// The rank of `cluster` (0 when the report does not list it).
pub(crate) fn rank_of(r: &Report, cluster: u32) -> usize {
    r.clusters
        .iter()
        .find(|c| c.cluster == cluster)
        .map_or(0, |c| c.rank)
}
