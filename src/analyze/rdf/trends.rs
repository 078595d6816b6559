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
use oxigraph::model::{
    GraphName, GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Term,
};
use std::io;

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

/// Writes the quads of one history into one graph.
struct Writer<'a, 'e> {
    graph: GraphNameRef<'a>,
    emit: &'e mut dyn FnMut(QuadRef<'_>) -> io::Result<()>,
    /// The first error `emit` gave; nothing is emitted after it.
    error: Option<io::Error>,
    history: &'a History,
    c: &'a Collection,
    iris: &'a Iris,
    /// Each window's IRI.
    windows: Vec<NamedNode>,
}

fn class(iri: &str) -> NamedNode {
    NamedNode::new_unchecked(iri)
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
    each_trend_quad(history, c, iris, graph.as_ref(), &mut |q| {
        out.push(q.into_owned());
        Ok(())
    })
    .expect("collecting cannot fail");
}

/// Hands the quads [`trend_quads`] gives, in its order, to `emit` one at a
/// time; stops at the first error `emit` returns.
pub fn each_trend_quad(
    history: &History,
    c: &Collection,
    iris: &Iris,
    graph: GraphNameRef<'_>,
    emit: &mut dyn FnMut(QuadRef<'_>) -> io::Result<()>,
) -> io::Result<()> {
    let kind = history.window.to_string();
    let mut w = Writer {
        graph,
        emit,
        error: None,
        history,
        c,
        iris,
        windows: history
            .spans
            .iter()
            .map(|s| iris.window(&kind, &s.first_date().to_string()))
            .collect(),
    };
    w.windows(&kind);
    w.trends();
    w.events();
    w.bursts();
    w.error.map_or(Ok(()), Err)
}

impl Writer<'_, '_> {
    fn add(&mut self, s: &NamedNode, p: &str, o: impl Into<Term>) {
        if self.error.is_none() {
            let o = o.into();
            let quad = QuadRef::new(s, NamedNodeRef::new_unchecked(p), &o, self.graph);
            self.error = (self.emit)(quad).err();
        }
    }

    fn article(&self, a: u32) -> NamedNode {
        self.iris.article(&self.c.articles[a as usize].article.id)
    }

    fn windows(&mut self, kind: &str) {
        for (i, span) in self.history.spans.iter().enumerate() {
            let w = self.windows[i].clone();
            self.add(&w, term::RDF_TYPE, class(term::TIME_WINDOW));
            self.add(&w, term::START, date(span.first_date()));
            self.add(&w, term::END, date(span.last_date()));
            self.add(&w, term::WINDOW_KIND, Literal::new_simple_literal(kind));
        }
    }

    fn trends(&mut self) {
        for t in &self.history.trends {
            let trend = self.iris.trend(t.id);
            self.add(&trend, term::RDF_TYPE, class(term::TREND));
            let id = Literal::new_typed_literal(t.id.to_string(), xsd::INTEGER);
            self.add(&trend, term::TREND_ID, id);
            self.add(
                &trend,
                term::RDFS_LABEL,
                Literal::new_simple_literal(&t.name),
            );
            if let Some((first, last)) = t.seen {
                self.add(&trend, term::FIRST_WINDOW, self.windows[first].clone());
                self.add(&trend, term::LAST_WINDOW, self.windows[last].clone());
            }
            if let Some(a) = t.activity {
                let name = Literal::new_simple_literal(activity_name(a));
                self.add(&trend, term::ACTIVITY, name);
            }
            if let Some(p) = t.placement {
                let name = Literal::new_simple_literal(p.quadrant.name());
                self.add(&trend, term::QUADRANT, name);
                self.add(&trend, term::CENTRALITY, Literal::from(p.centrality));
                self.add(&trend, term::DENSITY, Literal::from(p.density));
            }
            for &a in &t.articles {
                self.add(&trend, term::HAS_MEMBER, self.article(a));
            }
            if let Some(k) = t.cluster {
                let cluster = self.iris.cluster("articles", 0, k);
                self.add(&cluster, term::OF_TREND, trend);
            }
        }
    }

    fn events(&mut self) {
        for e in &self.history.lineage.events {
            let Some(span) = self.history.spans.get(e.window) else {
                continue;
            };
            let day = span.first_date().to_string();
            let event = self.iris.lineage_event(e.kind.name(), &day, event_trend(e));
            self.add(&event, term::RDF_TYPE, class(term::LINEAGE_EVENT));
            self.add(&event, term::RDF_TYPE, class(class_of(e.kind)));
            self.add(&event, term::DATE, date(&day));
            self.add(&event, term::IN_WINDOW, self.windows[e.window].clone());
            for &t in &e.from {
                self.add(&event, term::FROM_TREND, self.iris.trend(t));
            }
            for &t in &e.to {
                self.add(&event, term::TO_TREND, self.iris.trend(t));
            }
            for &a in &e.articles {
                self.add(&event, term::EVIDENCE, self.article(a));
            }
        }
    }

    fn bursts(&mut self) {
        for b in &self.history.bursts {
            let concept = &self.c.concepts[b.concept];
            let start = b.start.to_string();
            let burst = self.iris.burst(concept.kind, &concept.key, &start);
            self.add(&burst, term::RDF_TYPE, class(term::BURST));
            let of = self.iris.concept(concept.kind, &concept.key);
            self.add(&burst, term::BURST_OF, of);
            self.add(&burst, term::START, date(b.start));
            self.add(&burst, term::END, date(b.end));
            self.add(&burst, term::BURST_WEIGHT, Literal::from(b.weight));
            self.add(&burst, term::BURSTING_NOW, Literal::from(b.now));
            for &a in &b.articles {
                self.add(&burst, term::EVIDENCE, self.article(a));
            }
        }
    }
}
