//! What changed: since the store's previous scan, or since a date (`report --since`).
//!
//! The rule, on the collection as it is now:
//!
//! * **added** articles: those the last scan added (basis `scan`), or those
//!   dated after the date given (basis `date`). The articles **before** are
//!   the rest: the collection minus the added ones (for a date, the articles
//!   dated up to it; undated articles count as before). The *cutoff* is the
//!   latest date of the dated articles before.
//! * added articles are grouped by their trend now (their cluster's trend,
//!   or the cluster itself when the store keeps no trends);
//! * **new trends**: ids from the last scan's `next_id` on (basis `scan`), or
//!   trends whose first dated article is after the date (basis `date`);
//! * **status changes**: the status rule ([`super::trajectory`]) applied to
//!   each trend's articles before, in the period of the articles before,
//!   against its status now; new trends are left out;
//! * **events and bursts since**: those whose window (for a burst, first
//!   month) starts after the cutoff, or holds the cutoff and cites an added
//!   article (it may have been seen before, but the added articles are part
//!   of it). Without a cutoff (no article before is dated) every event and
//!   burst is new.

use super::model::{AddedGroup, ClusterReport, LineageReport, Since, StatusChange, TrendEntry};
use super::prepare::Prepared;
use super::trajectory::{self, Period};
use crate::seed::Date;
use crate::trends::history::History;
use std::collections::{BTreeMap, BTreeSet};

/// What the what-changed section compares.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Basis {
    /// The last scan against the collection before it (none before a second scan).
    #[default]
    LastScan,
    /// Articles dated after this date against those up to it.
    Date(Date),
}

/// The what-changed section, without its bursts (see [`burst_indexes`]).
/// One function, in the order of the module documentation's rule, so the
/// rule reads as written there.
pub(crate) fn since(
    p: &Prepared,
    history: Option<&History>,
    basis: Basis,
    clusters: &[ClusterReport],
    trends: &[TrendEntry],
    lineage: &LineageReport,
) -> Option<Since> {
    let c = p.collection;
    let (basis_name, date, added, next_id) = match basis {
        Basis::LastScan => {
            let h = history?;
            let [.., before, last] = h.scans.as_slice() else {
                return None;
            };
            let ids: BTreeSet<&str> = last.added.iter().map(String::as_str).collect();
            let added: Vec<bool> = c
                .articles
                .iter()
                .map(|a| ids.contains(a.article.id.as_str()))
                .collect();
            let date = before.at.get(..10).unwrap_or(&before.at).to_string();
            ("scan", date, added, Some(last.next_id))
        }
        Basis::Date(d) => {
            let added = c
                .articles
                .iter()
                .map(|a| a.article.date.is_some_and(|x| x > d))
                .collect();
            ("date", d.to_string(), added, None)
        }
    };
    let before_dates = || {
        c.articles
            .iter()
            .zip(&added)
            .filter(|(_, &new)| !new)
            .filter_map(|(a, _)| a.article.date)
    };
    let cutoff = before_dates().max();
    let period_before = Period::of(before_dates());
    let mut new_articles: Vec<String> = c
        .articles
        .iter()
        .zip(&added)
        .filter(|(_, &new)| new)
        .map(|(a, _)| a.article.id.clone())
        .collect();
    if let (Basis::LastScan, Some([.., last])) = (basis, history.map(|h| h.scans.as_slice())) {
        // The scan's own list: it may name articles since removed.
        new_articles = last.added.clone();
    }
    new_articles.sort_unstable();
    let new_trends: Vec<u32> = match (history, next_id) {
        (Some(h), Some(next)) => h
            .trends
            .iter()
            .map(|t| t.id)
            .filter(|&id| id >= next)
            .collect(),
        (Some(h), None) => h
            .trends
            .iter()
            .filter(|t| {
                let first = t
                    .articles
                    .iter()
                    .find_map(|&a| c.articles[a as usize].article.date);
                matches!((first, basis), (Some(f), Basis::Date(d)) if f > d)
            })
            .map(|t| t.id)
            .collect(),
        (None, _) => Vec::new(),
    };
    let is_new: BTreeSet<u32> = new_trends.iter().copied().collect();
    let status_changes = trends
        .iter()
        .filter(|t| !is_new.contains(&t.id))
        .filter_map(|t| {
            let dates: Vec<Date> = p.members[t.cluster as usize]
                .iter()
                .filter(|&&a| !added[a])
                .filter_map(|&a| c.articles[a].article.date)
                .collect();
            let before = trajectory::trend(period_before.as_ref(), &dates).status;
            (before != t.status).then(|| StatusChange {
                trend: t.id,
                name: t.name.clone(),
                before,
                after: t.status,
            })
        })
        .collect();
    let cutoff_text = cutoff.map(|d| d.to_string());
    let cites_added =
        |ids: &[String], all: &BTreeSet<&str>| ids.iter().any(|i| all.contains(i.as_str()));
    let added_ids: BTreeSet<&str> = new_articles.iter().map(String::as_str).collect();
    let events = lineage
        .events
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            let window = &lineage.windows[e.window];
            let holds_cutoff = cutoff_text
                .as_deref()
                .is_some_and(|c| window.start.as_str() <= c && c <= window.end.as_str());
            after(&e.date, &cutoff_text)
                || (holds_cutoff && cites_added(&e.article_ids, &added_ids))
        })
        .map(|(i, _)| i)
        .collect();
    Some(Since {
        basis: basis_name.to_string(),
        date,
        before_last_date: cutoff_text,
        by_trend: groups(p, clusters, trends, &added),
        new_trends,
        status_changes,
        events,
        bursts: Vec::new(),
        new_articles,
    })
}

/// Whether `start` (`YYYY-MM-DD`) is after the cutoff (always, without one).
fn after(start: &str, cutoff: &Option<String>) -> bool {
    cutoff.as_deref().is_none_or(|c| start > c)
}

/// Indexes into `history.bursts` of the bursts that started since (see the
/// module documentation).
pub(crate) fn burst_indexes(p: &Prepared, history: &History, since: &Since) -> BTreeSet<usize> {
    let added: BTreeSet<&str> = since.new_articles.iter().map(String::as_str).collect();
    history
        .bursts
        .iter()
        .enumerate()
        .filter(|(_, b)| {
            let start = b.start.to_string();
            let holds_cutoff = since
                .before_last_date
                .as_deref()
                .is_some_and(|c| c.get(..7) == start.get(..7));
            after(&start, &since.before_last_date)
                || holds_cutoff
                    && b.articles.iter().any(|&a| {
                        added.contains(p.collection.articles[a as usize].article.id.as_str())
                    })
        })
        .map(|(i, _)| i)
        .collect()
}

/// The added articles grouped by cluster (named by their trend when it has
/// one), largest group first, then by name; articles newest first.
fn groups(
    p: &Prepared,
    clusters: &[ClusterReport],
    trends: &[TrendEntry],
    added: &[bool],
) -> Vec<AddedGroup> {
    let trend_of: BTreeMap<u32, u32> = trends.iter().map(|t| (t.cluster, t.id)).collect();
    let name_of: BTreeMap<u32, &str> = clusters
        .iter()
        .map(|k| (k.cluster, k.name.as_str()))
        .collect();
    let mut by_cluster: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
    for (a, _) in added.iter().enumerate().filter(|(_, &new)| new) {
        by_cluster.entry(p.cluster_of[a]).or_default().push(a);
    }
    let mut groups: Vec<AddedGroup> = by_cluster
        .into_iter()
        .map(|(k, mut articles)| {
            articles.sort_by(|&x, &y| {
                let (dx, dy) = (
                    p.collection.articles[x].article.date,
                    p.collection.articles[y].article.date,
                );
                dy.cmp(&dx).then(x.cmp(&y))
            });
            AddedGroup {
                trend: k.and_then(|k| trend_of.get(&k).copied()),
                name: k.and_then(|k| name_of.get(&k)).unwrap_or(&"").to_string(),
                articles: articles.into_iter().map(|a| p.article_ref(a)).collect(),
            }
        })
        .collect();
    groups.sort_by(|x, y| {
        y.articles
            .len()
            .cmp(&x.articles.len())
            .then_with(|| x.name.cmp(&y.name))
            .then(x.trend.cmp(&y.trend))
    });
    groups
}
