//! The wording the HTML and Markdown writers share: the lede, scores, status counts, a cluster's gaps and rank, how a signal bridges two clusters, and which source URLs may become links.

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

/// `#7 name` of a trend the lineage knows (`#7` alone otherwise).
pub(crate) fn trend_label(r: &Report, id: u32) -> String {
    match r.lineage.trends.binary_search_by_key(&id, |t| t.id) {
        Ok(i) => format!("#{id} {}", r.lineage.trends[i].name),
        Err(_) => format!("#{id}"),
    }
}

/// What an event says, without its articles: `#3 a + #5 b → #7 c`.
pub(crate) fn event_trends(r: &Report, e: &super::model::EventEntry) -> String {
    let side = |ids: &[u32]| {
        ids.iter()
            .map(|&id| trend_label(r, id))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    match (e.from.is_empty(), e.to.is_empty()) {
        (true, _) => format!("{} appears", side(&e.to)),
        (_, true) => format!("{} stops getting articles", side(&e.from)),
        _ => format!("{} → {}", side(&e.from), side(&e.to)),
    }
}

/// The first sentence of the what-changed section.
pub(crate) fn since_summary(r: &Report, s: &super::model::Since) -> String {
    let since = match s.basis.as_str() {
        "date" => format!("Articles dated after {}", s.date),
        _ => format!("Since the scan of {}", s.date),
    };
    let grouped: usize = s
        .by_trend
        .iter()
        .filter(|g| g.trend.is_some())
        .map(|g| g.articles.len())
        .sum();
    format!(
        "{since}: {} article{} added ({grouped} in trends); {} new trend{}; {} status change{}; {} lineage event{} and {} burst{} since.",
        s.new_articles.len(),
        plural(s.new_articles.len()),
        s.new_trends.len(),
        plural(s.new_trends.len()),
        s.status_changes.len(),
        plural(s.status_changes.len()),
        s.events.len(),
        plural(s.events.len()),
        s.bursts.len(),
        plural(s.bursts.len()),
    ) + if r.lineage.windows.is_empty() {
        " There are no time windows, so no events."
    } else {
        ""
    }
}

/// What the section says before a second scan.
pub(crate) fn first_scan(r: &Report) -> &'static str {
    if r.scans == 0 {
        "The store keeps no scans yet: what changed appears after the next build and analysis."
    } else {
        "This is the store's first scan: there is nothing earlier to compare with. Build again after adding articles (what changed then appears here), or run `signalgraph report --since YYYY-MM-DD`."
    }
}

/// The rule for what counts as changed, in words.
pub(crate) const CHANGES_RULE: &str = "Added articles are those the last scan added (or dated after the date given); the articles before are the rest. New trends have ids first given after the previous scan (or first articles after the date). A status change applies the status rule to a trend's articles before, over their dated period, against its status now. Events and bursts are new when their window (a burst's first month) starts after the latest date of the articles before, or holds that date and cites an added article.";

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A cluster's name cut to its first concept, for running text.
pub(crate) fn short_name(name: &str) -> &str {
    name.split(" · ").next().unwrap_or(name)
}

/// How a bridging signal joins two clusters, in words: "links Energy
/// Transition and Space Economy through 4 articles that also name Regulatory
/// pressure".
pub(crate) fn bridge_phrase(own: &str, other: &str, articles: u32, force: Option<&str>) -> String {
    let through = match (articles, force) {
        (0, _) | (_, None) => "through its article's links".to_string(),
        (n, Some(f)) => format!(
            "through {n} article{} that also name{} {f}",
            plural(n as usize),
            if n == 1 { "s" } else { "" }
        ),
    };
    format!(
        "links {} and {} {through}",
        short_name(own),
        short_name(other)
    )
}

/// The numbers behind a signal, for a tooltip or small print.
pub(crate) fn signal_numbers(x: &super::SignalRef) -> String {
    format!(
        "article {}, row {}; PageRank {}, betweenness {}",
        x.article.id,
        x.row,
        score(x.pagerank),
        score(x.betweenness)
    )
}

/// How weak signals are chosen, in words (`report::weak`).
pub(crate) const WEAK_RULE: &str = "A concept is new when no article before the recent part of the period names it and few articles do (at most 5, or 1 % of a large collection). Signals of recent articles that carry one are scored novelty × few links × reach: novelty is 1 / (1 + log10 n) for a new driving force of the signal named by n articles, half that for a new theme or keyword of its article; few links is the median number of links of an article over its article's (1 at or below the median); reach is (1 + the other clusters it links to or whose articles name its new concepts, at most 3) / 4. Signals scoring at least 0.2 are listed, best first: one per article, two per cluster and twelve in all. Being in an emerging cluster alone does not list a signal.";

/// How a cluster's brief is made, in words (`report::brief`).
pub(crate) const BRIEF_RULE: &str = "Each cluster's brief is two or three sentences copied from the summaries of its eight articles richest in its distinctive concepts: each next sentence is the one naming the most c-TF-IDF weight of the cluster's twelve most distinctive concepts not named by the sentences before, one per article. Each sentence cites its article; nothing is reworded.";
