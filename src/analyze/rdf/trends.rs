//! The trends through time as quads of the articles projection's analysis graph: trends, windows, lineage events and bursts.
//!
//! From a [`History`]: one `sg:Trend` per trend (`{base}trend/{n}`, with
//! `sg:trendId`, `rdfs:label` its name, `sg:hasMember` its home articles,
//! `sg:firstWindow`/`sg:lastWindow`, `sg:activity`, and `sg:quadrant`,
//! `sg:centrality`, `sg:density` when placed), `sg:ofTrend` from each
//! level-0 cluster of the articles projection to its trend, one
//! `sg:TimeWindow` per window (`{base}window/{kind}/{first day}`, with
//! `sg:start`, `sg:end`, `sg:windowKind`), one `sg:LineageEvent` per event,
//! also typed `sg:Birth`, `sg:Death`, `sg:Merge` or `sg:Split`
//! (`{base}lineage/{kind}/{date}/{trend}`, see [`Iris::lineage_event`], with
//! `dcterms:date` the first day of its window, `sg:inWindow`,
//! `sg:fromTrend`, `sg:toTrend`, `sg:evidence`), and one `sg:Burst` per
//! concept burst (`{base}burst/{kind}/{slug}/{first day}`, with
//! `sg:burstOf`, `sg:start`, `sg:end`, `sg:burstWeight`, `sg:burstingNow`,
//! `sg:evidence`). Everything is in the History's order (trends by id,
//! windows by date, events by window then kind, bursts strongest first),
//! so the same store gives the same quads.

use crate::model::Collection;
use crate::store::iri::Iris;
use crate::store::vocab::term;
use crate::trends::history::History;
use crate::trends::lineage::{Activity, Event, EventKind};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};

/// An activity's name in the exports: `active`, `dormant` or `ended`.
pub fn activity_name(a: Activity) -> &'static str {
    match a {
        Activity::Active => "active",
        Activity::Dormant => "dormant",
        Activity::Ended => "ended",
    }
}

/// The trend that names an event in its IRI: the one born or merged into,
/// the one that died or split.
pub fn event_trend(e: &Event) -> u32 {
    match e.kind {
        EventKind::Birth | EventKind::Merge => e.to.first().copied(),
        EventKind::Death | EventKind::Split => e.from.first().copied(),
    }
    .unwrap_or(u32::MAX)
}

fn class_of(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Birth => term::BIRTH,
        EventKind::Death => term::DEATH,
        EventKind::Merge => term::MERGE,
        EventKind::Split => term::SPLIT,
    }
}

fn date(d: impl std::fmt::Display) -> Term {
    Literal::new_typed_literal(d.to_string(), xsd::DATE).into()
}

/// Collects the quads of one graph.
struct Quads<'a> {
    graph: GraphName,
    out: &'a mut Vec<Quad>,
}

impl Quads<'_> {
    fn add(&mut self, s: &NamedNode, p: &str, o: impl Into<Term>) {
        self.out.push(Quad::new(
            s.clone(),
            NamedNode::new_unchecked(p),
            o.into(),
            self.graph.clone(),
        ));
    }
}

/// Appends the quads of `history` in `graph` (the articles projection's
/// analysis graph) to `out`.
pub fn trend_quads(
    history: &History,
    c: &Collection,
    iris: &Iris,
    graph: &GraphName,
    out: &mut Vec<Quad>,
) {
    let mut q = Quads {
        graph: graph.clone(),
        out,
    };
    let kind = history.window.to_string();
    let windows: Vec<NamedNode> = history
        .spans
        .iter()
        .map(|s| iris.window(&kind, &s.first_date().to_string()))
        .collect();
    let article = |a: u32| iris.article(&c.articles[a as usize].article.id);
    let class = |iri: &str| NamedNode::new_unchecked(iri);
    for (w, span) in windows.iter().zip(&history.spans) {
        q.add(w, term::RDF_TYPE, class(term::TIME_WINDOW));
        q.add(w, term::START, date(span.first_date()));
        q.add(w, term::END, date(span.last_date()));
        q.add(w, term::WINDOW_KIND, Literal::new_simple_literal(&kind));
    }
    for t in &history.trends {
        let trend = iris.trend(t.id);
        q.add(&trend, term::RDF_TYPE, class(term::TREND));
        q.add(
            &trend,
            term::TREND_ID,
            Literal::new_typed_literal(t.id.to_string(), xsd::INTEGER),
        );
        q.add(
            &trend,
            term::RDFS_LABEL,
            Literal::new_simple_literal(&t.name),
        );
        if let Some((first, last)) = t.seen {
            q.add(&trend, term::FIRST_WINDOW, windows[first].clone());
            q.add(&trend, term::LAST_WINDOW, windows[last].clone());
        }
        if let Some(a) = t.activity {
            q.add(
                &trend,
                term::ACTIVITY,
                Literal::new_simple_literal(activity_name(a)),
            );
        }
        if let Some(p) = t.placement {
            q.add(
                &trend,
                term::QUADRANT,
                Literal::new_simple_literal(p.quadrant.name()),
            );
            q.add(&trend, term::CENTRALITY, Literal::from(p.centrality));
            q.add(&trend, term::DENSITY, Literal::from(p.density));
        }
        for &a in &t.articles {
            q.add(&trend, term::HAS_MEMBER, article(a));
        }
        if let Some(k) = t.cluster {
            q.add(&iris.cluster("articles", 0, k), term::OF_TREND, trend);
        }
    }
    for e in &history.lineage.events {
        let Some(span) = history.spans.get(e.window) else {
            continue;
        };
        let day = span.first_date().to_string();
        let event = iris.lineage_event(e.kind.name(), &day, event_trend(e));
        q.add(&event, term::RDF_TYPE, class(term::LINEAGE_EVENT));
        q.add(&event, term::RDF_TYPE, class(class_of(e.kind)));
        q.add(&event, term::DATE, date(&day));
        q.add(&event, term::IN_WINDOW, windows[e.window].clone());
        for &t in &e.from {
            q.add(&event, term::FROM_TREND, iris.trend(t));
        }
        for &t in &e.to {
            q.add(&event, term::TO_TREND, iris.trend(t));
        }
        for &a in &e.articles {
            q.add(&event, term::EVIDENCE, article(a));
        }
    }
    for b in &history.bursts {
        let concept = &c.concepts[b.concept];
        let burst = iris.burst(concept.kind, &concept.key, &b.start.to_string());
        q.add(&burst, term::RDF_TYPE, class(term::BURST));
        q.add(
            &burst,
            term::BURST_OF,
            iris.concept(concept.kind, &concept.key),
        );
        q.add(&burst, term::START, date(b.start));
        q.add(&burst, term::END, date(b.end));
        q.add(&burst, term::BURST_WEIGHT, Literal::from(b.weight));
        q.add(&burst, term::BURSTING_NOW, Literal::from(b.now));
        for &a in &b.articles {
            q.add(&burst, term::EVIDENCE, article(a));
        }
    }
}
