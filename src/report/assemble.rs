//! Assembles the [`Report`] from the prepared facts: the collection and analysis facts with their notes, the timeline, each cluster, the map and the driving-force overview.

use super::model::{
    round6, AnalysisFacts, BurstEntry, ClusterMap, ClusterReport, CollectionFacts, Count,
    ForceOverview, LineageReport, MapLabel, MapPoint, Report, StatusRule, Term, Timeline, FORMAT,
};
use super::prepare::{key, prepare, Prepared};
use super::{brief, changes, layout, links, over_time, trajectory, weak, Inputs, MAP_SIZE};
use crate::analyze::naming;
use crate::graph::Projection;
use crate::model::{Collection, ConceptId};
use crate::seed::Date;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Most clusters drawn with a label on the map: those with a colour.
const MAP_LABELS: usize = super::svg::PALETTE.len();
/// Links are drawn on maps of at most this many articles.
const MAP_EDGES_UP_TO: usize = 600;
/// Entries per cluster in each top list.
const TOP: usize = 5;
/// Newest articles listed by title per cluster.
const NEWEST: usize = 30;
/// Driving forces (rows) and clusters (columns) of the overview heat map.
const OVERVIEW_FORCES: usize = 12;
const OVERVIEW_CLUSTERS: usize = 15;

/// Builds the report from a collection, its stored analyses and a layout.
pub fn build(inputs: &Inputs) -> Report {
    let mut notes = Vec::new();
    let p = prepare(inputs, &mut notes);
    let collection = collection_facts(inputs.collection);
    let analysis = analysis_facts(inputs, &p, &mut notes);
    period_notes(&p, &mut notes);

    let timeline = timeline(&p);
    let mut order: Vec<u32> = (0..p.clusters as u32).collect();
    order.sort_by_key(|&k| (std::cmp::Reverse(p.members[k as usize].len()), k));
    let rank_of: BTreeMap<u32, usize> =
        order.iter().enumerate().map(|(r, &k)| (k, r + 1)).collect();

    let pairs = links::cross_links(&p, inputs.articles);
    let forms = brief::Forms::of(inputs.collection);
    let clusters: Vec<ClusterReport> = order
        .par_iter()
        .map(|&k| cluster_report(&p, k, rank_of[&k], &timeline, &pairs, &forms))
        .collect();

    let gaps = links::gaps(&p, &pairs);
    let weak_signals = weak::weak_signals(&p, inputs.articles);
    if p.period.is_some() && weak_signals.is_empty() {
        notes.push("No weak signals: no recent signal brings a concept new to the collection with few links and reach across clusters.".into());
    }

    let lineage = inputs
        .history
        .map(|h| over_time::lineage(&p, h))
        .unwrap_or_default();
    let trends = inputs.history.map_or_else(Vec::new, |h| {
        over_time::trend_entries(&p, h, &clusters, &lineage)
    });
    let mut since = changes::since(
        &p,
        inputs.history,
        inputs.basis,
        &clusters,
        &trends,
        &lineage,
    );
    let bursts = match inputs.history {
        Some(h) => {
            let also = since
                .as_ref()
                .map(|s| changes::burst_indexes(&p, h, s))
                .unwrap_or_default();
            let (listed, landed) = over_time::bursts(&p, h, &also);
            if let Some(s) = since.as_mut() {
                s.bursts = landed;
            }
            listed
        }
        None => Vec::new(),
    };
    time_notes(inputs, &lineage, &bursts, &mut notes);
    Report {
        scans: inputs.history.map_or(0, |h| h.scans.len()),
        lineage,
        bursts,
        trends,
        since,
        format: FORMAT.to_string(),
        collection,
        analysis,
        status_rule: status_rule(&p),
        notes,
        timeline,
        map: cluster_map(&p, inputs, &order, &rank_of),
        driving_forces: force_overview(&p, &order),
        clusters,
        gaps,
        weak_signals,
    }
}

/// Notes on what the trends through time cannot show: no trend state, one
/// window (no lineage), no dated article (no windows, no bursts).
fn time_notes(
    inputs: &Inputs,
    lineage: &LineageReport,
    bursts: &[BurstEntry],
    notes: &mut Vec<String>,
) {
    let dated = inputs
        .collection
        .articles
        .iter()
        .filter(|a| a.article.date.is_some())
        .count();
    if inputs.history.is_none() {
        notes.push("The store keeps no trends yet: trend ids, lineage, bursts and what changed come with `signalgraph analyze` (or `signalgraph run`).".into());
        return;
    }
    if dated == 0 {
        notes.push("No article is dated: there are no time windows, so no lineage (births, deaths, merges, splits) and no bursts.".into());
        return;
    }
    match lineage.windows.len() {
        0 => notes.push("The trends have no time windows yet (the last analysis saw no dated article): no lineage.".into()),
        1 => notes.push(format!(
            "All dated articles fall in one {} ({} to {}): a lineage needs two windows or more, so there are no births, deaths, merges or splits.",
            lineage.window, lineage.windows[0].start, lineage.windows[0].end
        )),
        _ => {}
    }
    if bursts.is_empty() {
        notes.push(format!(
            "No concept bursts: a burst needs a concept named by at least {} dated articles whose share of a month's articles jumps.",
            crate::trends::bursts::BurstOptions::default().min_articles
        ));
    }
}

/// The collection's counts, as `signalgraph stats` gives them.
fn collection_facts(c: &Collection) -> CollectionFacts {
    let stats = c.stats();
    CollectionFacts {
        articles: stats.articles.read,
        stub_articles: stats.articles.stub,
        signals: stats.signals,
        themes: stats.themes,
        keywords: stats.keywords,
        driving_forces: stats.driving_forces,
        sources: stats.sources,
        first_date: stats.dates.first.clone(),
        last_date: stats.dates.last.clone(),
        undated_articles: stats.dates.undated_articles,
    }
}

/// What the clusters come from, noting what the analysis lacks.
fn analysis_facts(inputs: &Inputs, p: &Prepared, notes: &mut Vec<String>) -> AnalysisFacts {
    let c = inputs.collection;
    let level = inputs.article_analysis.levels.first();
    let clustered = p.cluster_of.iter().filter(|c| c.is_some()).count();
    let unclustered = c.articles.len() - clustered;
    if unclustered > 0 {
        notes.push(format!(
            "{unclustered} article(s) have no cluster: the stored analysis is older than the last build. Run `signalgraph analyze` again."
        ));
    }
    let modularity = level
        .map(|l| l.modularity)
        .filter(|q| q.is_finite())
        .map(|q| if q == 0.0 { 0.0 } else { round6(q) });
    if inputs.articles.edge_count() == 0 {
        notes.push(
            "The articles share no concepts or links: modularity is undefined and each article is a cluster of its own.".into(),
        );
    }
    if p.clusters == 1 {
        notes.push("All articles are in one cluster: there are no neighbours, bridges or gaps between clusters.".into());
    }
    let signal_measures = if inputs.full.is_some() {
        "full"
    } else {
        notes.push(
            "Signals have no measures of their own (no analysis of the full projection): each signal is ranked by its article's PageRank and betweenness. Run `signalgraph analyze --projection full` for signal-level measures.".into(),
        );
        "articles"
    };
    AnalysisFacts {
        projection: Projection::Articles.name().to_string(),
        level: 0,
        clusters: p.clusters,
        modularity,
        clustered_articles: clustered,
        unclustered_articles: unclustered,
        signal_measures: signal_measures.to_string(),
    }
}

/// Notes on why statuses cannot be computed (no dates, a short period, few articles).
fn period_notes(p: &Prepared, notes: &mut Vec<String>) {
    let c = p.collection;
    match &p.period {
        None => notes.push(
            "No article is dated: articles per quarter, statuses and weak signals cannot be computed.".into(),
        ),
        Some(period) if period.days() < trajectory::MIN_PERIOD_DAYS => notes.push(format!(
            "The dated articles span {} days: statuses need at least {}.",
            period.days(),
            trajectory::MIN_PERIOD_DAYS
        )),
        Some(_) => {}
    }
    if c.articles.len() < trajectory::MIN_DATED {
        notes.push(format!(
            "The collection has {} article(s): statuses need at least {} dated articles in a cluster.",
            c.articles.len(),
            trajectory::MIN_DATED
        ));
    }
}

/// The status rule's text and parameters, and where this period's recent part starts.
fn status_rule(p: &Prepared) -> StatusRule {
    StatusRule {
        text: trajectory::rule_text(),
        min_dated_articles: trajectory::MIN_DATED,
        min_period_days: trajectory::MIN_PERIOD_DAYS,
        recent_fraction: trajectory::RECENT_FRACTION,
        emerging_share: round6(trajectory::EMERGING_SHARE),
        growing_from_mean_position: round6(0.5 + trajectory::TREND_MARGIN),
        declining_up_to_mean_position: round6(0.5 - trajectory::TREND_MARGIN),
        recent_since: p.period.map(|x| x.recent_since().to_string()),
    }
}

fn timeline(p: &Prepared) -> Timeline {
    let Some(period) = p.period else {
        return Timeline {
            quarters: Vec::new(),
            articles: Vec::new(),
        };
    };
    let quarters = period.quarters();
    let first = *quarters.start();
    let mut articles = vec![0u32; quarters.clone().count()];
    for input in &p.collection.articles {
        if let Some(d) = input.article.date {
            articles[(trajectory::quarter_index(d) - first) as usize] += 1;
        }
    }
    Timeline {
        quarters: quarters.map(trajectory::quarter_label).collect(),
        articles,
    }
}

/// The most frequent labels of `ids`, with counts (ties by label).
fn top_counts(p: &Prepared, ids: impl Iterator<Item = ConceptId>, k: usize) -> Vec<Count> {
    let mut counts: BTreeMap<ConceptId, u32> = BTreeMap::new();
    for id in ids {
        *counts.entry(id).or_insert(0) += 1;
    }
    let mut list: Vec<Count> = counts
        .into_iter()
        .map(|(id, count)| Count {
            label: p.collection.concepts[id].label.clone(),
            count,
        })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    list.truncate(k);
    list
}

/// One cluster's part of the report.
fn cluster_report(
    p: &Prepared,
    k: u32,
    rank: usize,
    timeline: &Timeline,
    pairs: &links::CrossLinks,
    forms: &brief::Forms,
) -> ClusterReport {
    let c = p.collection;
    let members = &p.members[k as usize];
    let dates: Vec<Date> = members
        .iter()
        .filter_map(|&a| c.articles[a].article.date)
        .collect();
    let trend = &p.trends[k as usize];
    let weights = &p.weights[k as usize];
    let central = links::best(
        members.iter().flat_map(|&a| p.signals_of(a)),
        TOP,
        |x, y| p.by_pagerank(x, y),
    );
    let driving_forces = top_counts(
        p,
        members
            .iter()
            .flat_map(|&a| c.links[a].signals.iter().filter_map(|s| s.driving_force)),
        TOP,
    );
    let themes = top_counts(
        p,
        members
            .iter()
            .flat_map(|&a| c.links[a].themes.iter().copied()),
        TOP,
    );
    let by_date = newest_first(c, members);
    let ranked = representative(p, weights, members);
    ClusterReport {
        rank,
        cluster: k,
        iri: p
            .iris
            .cluster(Projection::Articles.name(), 0, k)
            .into_string(),
        name: p.name(k),
        terms: cluster_terms(c, weights),
        articles: members.len(),
        signals: members
            .iter()
            .map(|&a| c.articles[a].article.signals.len())
            .sum(),
        dated_articles: dates.len(),
        first_date: dates.iter().min().map(|d| d.to_string()),
        last_date: dates.iter().max().map(|d| d.to_string()),
        quarters: quarter_counts(p, &dates, timeline.quarters.len()),
        status: trend.status,
        status_reason: trend.reason.clone(),
        recent_share: trend.recent_share.map(round6),
        mean_position: trend.mean_position.map(round6),
        central_signals: central.iter().map(|&(a, j)| p.signal_ref(a, j)).collect(),
        driving_forces,
        themes,
        representative_articles: ranked.iter().take(TOP).map(|&a| p.article_ref(a)).collect(),
        brief: brief::brief(p, forms, weights, &ranked),
        neighbours: links::neighbours(p, k, pairs),
        newest_articles: by_date
            .iter()
            .take(NEWEST)
            .map(|&a| p.article_ref(a))
            .collect(),
        article_ids: by_date
            .iter()
            .map(|&a| c.articles[a].article.id.clone())
            .collect(),
    }
}

/// Articles with each of `dates` per quarter of the collection's period
/// (`quarters` of them; all zero without a period).
fn quarter_counts(p: &Prepared, dates: &[Date], quarters: usize) -> Vec<u32> {
    let mut counts = vec![0u32; quarters];
    if let Some(period) = p.period {
        let first = *period.quarters().start();
        for d in dates {
            counts[(trajectory::quarter_index(*d) - first) as usize] += 1;
        }
    }
    counts
}

/// The cluster's most distinctive concepts, as listed.
fn cluster_terms(c: &Collection, weights: &[naming::Weighted]) -> Vec<Term> {
    weights
        .iter()
        .take(8)
        .map(|w| Term {
            label: c.concepts[w.concept].label.clone(),
            kind: c.concepts[w.concept].kind.slug().to_string(),
            articles: w.articles,
            score: round6(w.score),
        })
        .collect()
}

/// The articles richest in the cluster's distinctive concepts (ties by
/// PageRank): the representative articles and the brief's candidates.
fn representative(p: &Prepared, weights: &[naming::Weighted], members: &[usize]) -> Vec<usize> {
    let mut by_concept: Vec<(ConceptId, f64)> =
        weights.iter().map(|w| (w.concept, w.score)).collect();
    by_concept.sort_unstable_by_key(|x| x.0);
    let score_of = |id: &ConceptId| {
        by_concept
            .binary_search_by_key(id, |x| x.0)
            .map_or(0.0, |i| by_concept[i].1)
    };
    let best = links::best(
        members.iter().map(|&a| {
            let s: f64 = p.concepts_of[a].iter().map(score_of).sum();
            (round6(s), a)
        }),
        TOP.max(brief::CANDIDATE_ARTICLES),
        |x, y| {
            y.0.total_cmp(&x.0)
                .then(key(p.article_pagerank[y.1]).total_cmp(&key(p.article_pagerank[x.1])))
                .then(x.1.cmp(&y.1))
        },
    );
    best.iter().map(|&(_, a)| a).collect()
}

/// `members` newest first, undated last, ties in collection order.
fn newest_first(c: &Collection, members: &[usize]) -> Vec<usize> {
    let mut by_date: Vec<usize> = members.to_vec();
    by_date.sort_by(|&x, &y| {
        let (dx, dy) = (c.articles[x].article.date, c.articles[y].article.date);
        match (dx, dy) {
            (Some(a), Some(b)) => b.cmp(&a),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then(x.cmp(&y))
    });
    by_date
}

fn cluster_map(
    p: &Prepared,
    inputs: &Inputs,
    order: &[u32],
    rank_of: &BTreeMap<u32, usize>,
) -> ClusterMap {
    let graph = inputs.articles;
    let n = graph.node_count();
    let mut positions: Vec<[f64; 2]> = if inputs.positions.len() == n {
        inputs.positions.to_vec()
    } else {
        vec![[0.0, 0.0]; n]
    };
    crate::layout::normalize(&mut positions, MAP_SIZE);
    // Keep a margin so dots at the edge are whole.
    let inset = |v: f64| {
        round1(if v.is_finite() {
            20.0 + v * 0.96
        } else {
            MAP_SIZE / 2.0
        })
    };
    let step = layout::map_step(n);
    let mut point_of = vec![u32::MAX; n];
    let mut points = Vec::new();
    for node in (0..n).step_by(step) {
        point_of[node] = points.len() as u32;
        points.push(MapPoint {
            x: inset(positions[node][0]),
            y: inset(positions[node][1]),
            cluster: p.article_at[node].and_then(|a| p.cluster_of[a]),
        });
    }
    let mut edges = Vec::new();
    if n <= MAP_EDGES_UP_TO {
        for e in graph.graph.raw_edges() {
            let (u, v) = (e.source().index(), e.target().index());
            edges.push([point_of[u], point_of[v]]);
        }
        edges.sort_unstable();
    }
    // Labels sit at the centroid of their cluster's drawn articles.
    let mut sums = vec![(0.0, 0.0, 0usize); p.clusters];
    for point in &points {
        if let Some(k) = point.cluster {
            let s = &mut sums[k as usize];
            s.0 += point.x;
            s.1 += point.y;
            s.2 += 1;
        }
    }
    let labels = order
        .iter()
        .filter(|&&k| sums[k as usize].2 > 0)
        .take(MAP_LABELS)
        .map(|&k| {
            let (x, y, count) = sums[k as usize];
            MapLabel {
                cluster: k,
                rank: rank_of[&k],
                x: round1(x / count as f64),
                y: round1(y / count as f64),
                name: p.name(k),
            }
        })
        .collect();
    ClusterMap {
        size: MAP_SIZE + 40.0,
        articles: n,
        points,
        edges,
        labels,
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn force_overview(p: &Prepared, order: &[u32]) -> ForceOverview {
    let c = p.collection;
    let clusters: Vec<u32> = order
        .iter()
        .copied()
        .filter(|&k| !p.members[k as usize].is_empty())
        .take(OVERVIEW_CLUSTERS)
        .collect();
    let mut totals: BTreeMap<ConceptId, u32> = BTreeMap::new();
    for (a, links) in c.links.iter().enumerate() {
        if p.cluster_of[a].is_some() {
            for id in links.signals.iter().filter_map(|s| s.driving_force) {
                *totals.entry(id).or_insert(0) += 1;
            }
        }
    }
    let mut forces: Vec<(u32, ConceptId)> = totals.into_iter().map(|(id, n)| (n, id)).collect();
    forces.sort_by(|x, y| {
        y.0.cmp(&x.0)
            .then_with(|| c.concepts[x.1].label.cmp(&c.concepts[y.1].label))
    });
    forces.truncate(OVERVIEW_FORCES);
    let row_of: BTreeMap<ConceptId, usize> =
        forces.iter().enumerate().map(|(i, f)| (f.1, i)).collect();
    let mut signals = vec![vec![0u32; clusters.len()]; forces.len()];
    let mut cluster_signals = vec![0u32; clusters.len()];
    for (col, &k) in clusters.iter().enumerate() {
        for &a in &p.members[k as usize] {
            for s in &c.links[a].signals {
                cluster_signals[col] += 1;
                if let Some(&row) = s.driving_force.and_then(|id| row_of.get(&id)) {
                    signals[row][col] += 1;
                }
            }
        }
    }
    ForceOverview {
        forces: forces
            .iter()
            .map(|f| c.concepts[f.1].label.clone())
            .collect(),
        clusters,
        signals,
        cluster_signals,
    }
}
