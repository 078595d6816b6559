//! Weak signals: recent signals at the edges of the graph, each with the reason it was flagged.
//!
//! A signal is flagged when its article is **recent** (dated in the last
//! quarter of the collection's period, the window of the status rule) and
//!
//! - its article has **few links but bridges**: degree in the articles
//!   projection at most the median, and betweenness in the top 10 % of
//!   articles (and above 0) — little noticed, yet on the paths between
//!   clusters; its two signals with the highest betweenness are listed; or
//! - its article is in a **cluster that is taking off**: an emerging cluster
//!   (new, so small by nature), or a growing one smaller than the median
//!   cluster; its cluster's three recent signals with the highest
//!   betweenness are listed.
//!
//! The list holds at most [`WEAK_SIGNALS`] signals, those flagged for both
//! reasons first, then by betweenness.

use super::trajectory::Status;
use super::{key, Prepared, SignalRef};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Most weak signals listed.
pub const WEAK_SIGNALS: usize = 30;
/// Signals listed per bridging article and per small cluster.
const PER_ARTICLE: usize = 2;
const PER_CLUSTER: usize = 3;

/// A flagged signal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WeakSignal {
    /// The signal.
    pub signal: SignalRef,
    /// Why it was flagged, in words with the numbers.
    pub reasons: Vec<String>,
}

/// The value below which a share `q` of the finite `values` lie (nearest rank).
fn quantile(values: impl Iterator<Item = f64>, q: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub(crate) fn weak_signals(p: &Prepared) -> Vec<WeakSignal> {
    let Some(period) = p.period else {
        return Vec::new();
    };
    if period.days() < super::trajectory::MIN_PERIOD_DAYS {
        return Vec::new();
    }
    let c = p.collection;
    let since = period.recent_since();
    let recent = |a: usize| c.articles[a].article.date.is_some_and(|d| d >= since);
    let mut flagged: Flagged = BTreeMap::new();
    flag_bridging_articles(p, &recent, &mut flagged);
    flag_clusters_taking_off(p, &recent, &mut flagged);
    ranked(p, flagged)
}

/// Reasons by flagged signal (article, signal index).
type Flagged = BTreeMap<(usize, usize), Vec<String>>;

/// Flags the best-bridging signals of recent articles with few links but high betweenness.
fn flag_bridging_articles(p: &Prepared, recent: &impl Fn(usize) -> bool, flagged: &mut Flagged) {
    let median_degree = quantile(p.article_degree.iter().copied(), 0.5);
    let top_betweenness = quantile(p.article_betweenness.iter().copied(), 0.9);
    let (Some(median), Some(threshold)) = (median_degree, top_betweenness) else {
        return;
    };
    for a in (0..p.collection.articles.len()).filter(|&a| recent(a)) {
        let (degree, betweenness) = (p.article_degree[a], p.article_betweenness[a]);
        if degree <= median && betweenness >= threshold && betweenness > 0.0 {
            let reason = format!(
                "recent ({}); few links (degree {degree:.0}, median {median:.0}) but on the paths between clusters (betweenness {}, top 10 % of articles)",
                date(p, a),
                short(betweenness)
            );
            let mut signals: Vec<(usize, usize)> = p.signals_of(a).collect();
            signals.sort_by(|x, y| p.by_betweenness(x, y));
            for s in signals.into_iter().take(PER_ARTICLE) {
                flagged.entry(s).or_default().push(reason.clone());
            }
        }
    }
}

/// Flags the best-bridging recent signals of emerging clusters and of small growing ones.
fn flag_clusters_taking_off(p: &Prepared, recent: &impl Fn(usize) -> bool, flagged: &mut Flagged) {
    let sizes: Vec<usize> = p.members.iter().map(Vec::len).filter(|&n| n > 0).collect();
    let median_size = quantile(sizes.iter().map(|&n| n as f64), 0.5).unwrap_or(0.0);
    for k in 0..p.clusters {
        let size = p.members[k].len();
        let status = p.trends[k].status;
        let taking_off = match status {
            Status::Emerging => true,
            Status::Growing => (size as f64) < median_size,
            _ => false,
        };
        if !taking_off {
            continue;
        }
        let mut signals: Vec<(usize, usize)> = p.members[k]
            .iter()
            .filter(|&&a| recent(a))
            .flat_map(|&a| p.signals_of(a))
            .collect();
        signals.sort_by(|x, y| p.by_betweenness(x, y));
        for (a, j) in signals.into_iter().take(PER_CLUSTER) {
            let reason = if status == Status::Emerging {
                format!(
                    "recent ({}); in an emerging cluster: {} ({size} articles)",
                    date(p, a),
                    p.names[k]
                )
            } else {
                format!(
                    "recent ({}); in a small growing cluster: {} ({size} articles, median {median_size:.0})",
                    date(p, a),
                    p.names[k]
                )
            };
            flagged.entry((a, j)).or_default().push(reason);
        }
    }
}

/// The flagged signals, those with more reasons first, then by betweenness; at most [`WEAK_SIGNALS`].
fn ranked(p: &Prepared, flagged: Flagged) -> Vec<WeakSignal> {
    let mut list: Vec<((usize, usize), Vec<String>)> = flagged.into_iter().collect();
    list.sort_by(|x, y| {
        y.1.len().cmp(&x.1.len()).then_with(|| {
            let (i, k) = (
                p.signal_offset[x.0 .0] + x.0 .1,
                p.signal_offset[y.0 .0] + y.0 .1,
            );
            key(p.signal_betweenness[k])
                .total_cmp(&key(p.signal_betweenness[i]))
                .then(x.0.cmp(&y.0))
        })
    });
    list.truncate(WEAK_SIGNALS);
    list.into_iter()
        .map(|((a, j), reasons)| WeakSignal {
            signal: p.signal_ref(a, j),
            reasons,
        })
        .collect()
}

fn date(p: &Prepared, a: usize) -> String {
    p.collection.articles[a]
        .article
        .date
        .map_or_else(|| "undated".to_string(), |d| d.to_string())
}

/// A score with 3 significant digits.
fn short(v: f64) -> String {
    format!("{v:.3e}")
        .parse::<f64>()
        .map_or_else(|_| v.to_string(), |x| x.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(quantile(v.iter().copied(), 0.5), Some(5.0));
        assert_eq!(quantile(v.iter().copied(), 0.9), Some(9.0));
        assert_eq!(quantile([f64::NAN].into_iter(), 0.5), None);
    }
}
