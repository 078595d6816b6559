//! The report's view of the store's trends through time: the trend entries, the lineage (windows, trends, events) and the concept bursts, from a [`History`].
//!
//! The trends listed in `trends[]` are the clusters of the last analysis
//! that have a trend id; the lineage lists every trend seen in a window
//! too, so a trend that stopped or flowed into another keeps its name in
//! the pictures and the events. Per-window counts are the trend's *home*
//! articles (each article counted once, in the window of its date:
//! [`History`]). Every event and burst names all its articles and cites
//! the first [`CITED`].

use super::model::{
    round6, ArticleRef, BurstEntry, ClusterReport, EventEntry, Flow, LineageReport, LineageTrend,
    TrendEntry, WindowEntry,
};
use super::prepare::Prepared;
use crate::trends::history::History;
use crate::trends::lineage::{Activity, EventKind};
use std::collections::BTreeSet;

/// Articles cited by title for each event and burst (the rest are counted).
pub(crate) const CITED: usize = 3;
/// Bursts listed: the strongest this many, plus any that started since.
pub(crate) const BURSTS: usize = 40;

/// `active`, `dormant` or `ended`.
pub(crate) fn activity_name(a: Activity) -> &'static str {
    match a {
        Activity::Active => "active",
        Activity::Dormant => "dormant",
        Activity::Ended => "ended",
    }
}

/// The cluster trends, by id, when `history` belongs to this analysis: every
/// clustered article's trend in the history is its cluster's trend.
pub(crate) fn trend_entries(
    p: &Prepared,
    history: &History,
    clusters: &[ClusterReport],
    lineage: &LineageReport,
) -> Vec<TrendEntry> {
    let mut trend_of_cluster: Vec<Option<u32>> = vec![None; p.clusters];
    for t in &history.trends {
        match t.cluster {
            Some(k) if (k as usize) < p.clusters => trend_of_cluster[k as usize] = Some(t.id),
            Some(_) => return Vec::new(),
            None => {}
        }
    }
    let agrees = p.cluster_of.iter().enumerate().all(|(a, k)| match k {
        Some(k) => history.home.get(a).copied().flatten() == trend_of_cluster[*k as usize],
        None => true,
    });
    if !agrees {
        return Vec::new();
    }
    let mut trends: Vec<TrendEntry> = clusters
        .iter()
        .filter_map(|k| {
            let id = trend_of_cluster[k.cluster as usize]?;
            let t = history.trend(id)?;
            let mut article_ids = k.article_ids.clone();
            article_ids.sort_unstable();
            let events = lineage
                .events
                .iter()
                .enumerate()
                .filter(|(_, e)| e.from.contains(&id) || e.to.contains(&id))
                .map(|(i, _)| i)
                .collect();
            Some(TrendEntry {
                id,
                iri: p.iris.trend(id).as_str().to_string(),
                name: k.name.clone(),
                status: k.status,
                cluster: k.cluster,
                article_ids,
                windows: t.per_window.clone(),
                activity: t.activity.map(|a| activity_name(a).to_string()),
                quadrant: t.placement.map(|x| x.quadrant.name().to_string()),
                centrality: t.placement.map(|x| round6(x.centrality)),
                density: t.placement.map(|x| round6(x.density)),
                events,
            })
        })
        .collect();
    trends.sort_by_key(|t| t.id);
    trends
}

/// The first [`CITED`] of `articles` as cited, and all their ids.
fn cite(p: &Prepared, articles: &[u32]) -> (Vec<String>, Vec<ArticleRef>) {
    let ids = articles
        .iter()
        .map(|&a| p.collection.articles[a as usize].article.id.clone())
        .collect();
    let cited = articles
        .iter()
        .take(CITED)
        .map(|&a| p.article_ref(a as usize))
        .collect();
    (ids, cited)
}

/// The windows, every trend seen and the events; names of cluster trends
/// are their cluster's.
pub(crate) fn lineage(p: &Prepared, history: &History) -> LineageReport {
    let mut windows: Vec<WindowEntry> = history
        .spans
        .iter()
        .map(|span| WindowEntry {
            start: span.first_date().to_string(),
            end: span.last_date().to_string(),
            articles: 0,
        })
        .collect();
    for a in &p.collection.articles {
        if let Some(w) = a
            .article
            .date
            .and_then(|d| crate::trends::windows::window_of(&history.spans, d))
        {
            windows[w].articles += 1;
        }
    }
    let trends = history
        .trends
        .iter()
        .map(|t| LineageTrend {
            id: t.id,
            name: match t.cluster {
                Some(k) if (k as usize) < p.clusters => p.name(k),
                _ => t.name.clone(),
            },
            cluster: t.cluster,
            windows: t.per_window.clone(),
            activity: t.activity.map(|a| activity_name(a).to_string()),
        })
        .collect();
    let events = history
        .lineage
        .events
        .iter()
        .filter(|e| e.window < windows.len())
        .map(|e| {
            let (article_ids, cited) = cite(p, &e.articles);
            EventEntry {
                kind: e.kind.name().to_string(),
                date: windows[e.window].start.clone(),
                window: e.window,
                from: e.from.clone(),
                to: e.to.clone(),
                article_ids,
                cited,
            }
        })
        .collect();
    LineageReport {
        flows: flows(history),
        window: if windows.is_empty() {
            String::new()
        } else {
            history.window.to_string()
        },
        windows,
        trends,
        events,
    }
}

/// The [`BURSTS`] strongest bursts and those of `also` (indexes into
/// `history.bursts`), strongest first; and where each of `also` landed.
pub(crate) fn bursts(
    p: &Prepared,
    history: &History,
    also: &BTreeSet<usize>,
) -> (Vec<BurstEntry>, Vec<usize>) {
    let mut listed = Vec::new();
    let mut landed = Vec::new();
    for (i, b) in history.bursts.iter().enumerate() {
        let wanted = also.contains(&i);
        if i >= BURSTS && !wanted {
            continue;
        }
        if wanted {
            landed.push(listed.len());
        }
        let concept = &p.collection.concepts[b.concept];
        let (article_ids, cited) = cite(p, &b.articles);
        listed.push(BurstEntry {
            label: concept.label.clone(),
            kind: concept.kind.slug().to_string(),
            start: b.start.to_string(),
            end: b.end.to_string(),
            weight: round6(b.weight),
            now: b.now,
            article_ids,
            cited,
        });
    }
    (listed, landed)
}

/// The lineage's ribbons: for each merge and split seen in window `w`, from
/// each trend before to each trend after (another id), as many articles as
/// the event cites of the trend that gives (merge) or receives (split); and
/// for a trend continued under another id, the earlier trend's articles of
/// the window before. Articles keep their trend, so nothing else flows.
fn flows(history: &History) -> Vec<Flow> {
    let cited = |e: &crate::trends::lineage::Event, t: u32| -> u32 {
        e.articles
            .iter()
            .filter(|&&a| history.home.get(a as usize).copied().flatten() == Some(t))
            .count() as u32
    };
    let mut flows = Vec::new();
    for e in &history.lineage.events {
        if e.window == 0 {
            continue;
        }
        let merge = match e.kind {
            EventKind::Merge => true,
            EventKind::Split => false,
            EventKind::Birth | EventKind::Death => continue,
        };
        for &from in &e.from {
            for &to in e.to.iter().filter(|&&to| to != from) {
                let articles = cited(e, if merge { from } else { to }).max(1);
                flows.push(Flow {
                    window: e.window,
                    from,
                    to,
                    articles,
                });
            }
        }
    }
    for &(later, earlier, w) in &history.lineage.continues {
        let articles = history
            .trend(earlier)
            .and_then(|t| t.per_window.get(w.checked_sub(1)?).copied())
            .unwrap_or(0)
            .max(1);
        if w > 0 {
            flows.push(Flow {
                window: w,
                from: earlier,
                to: later,
                articles,
            });
        }
    }
    flows.sort_by_key(|f| (f.window, f.from, f.to));
    flows.dedup_by_key(|f| (f.window, f.from, f.to));
    flows
}
