//! Writing a collection as RDF quads: one named graph per article, one for shared nodes.

use super::iri::Iris;
use super::vocab::term;
use crate::model::{split_change, Collection, ConceptKind, LinkTarget};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};

/// Appends quads to one named graph.
struct Emit<'a> {
    graph: GraphName,
    out: &'a mut Vec<Quad>,
}

impl Emit<'_> {
    fn link(&mut self, s: &NamedNode, p: &str, o: &NamedNode) {
        self.push(s, p, o.clone().into());
    }

    fn text(&mut self, s: &NamedNode, p: &str, value: &str) {
        self.push(s, p, Literal::new_simple_literal(value).into());
    }

    /// Like `text`, but nothing for an empty value.
    fn text_if_any(&mut self, s: &NamedNode, p: &str, value: &str) {
        if !value.is_empty() {
            self.text(s, p, value);
        }
    }

    fn integer(&mut self, s: &NamedNode, p: &str, value: u64) {
        self.push(
            s,
            p,
            Literal::new_typed_literal(value.to_string(), xsd::INTEGER).into(),
        );
    }

    fn date(&mut self, s: &NamedNode, p: &str, value: &str) {
        self.push(s, p, Literal::new_typed_literal(value, xsd::DATE).into());
    }

    fn typed(&mut self, s: &NamedNode, class: &str) {
        self.push(s, term::RDF_TYPE, NamedNode::new_unchecked(class).into());
    }

    fn push(&mut self, s: &NamedNode, p: &str, o: Term) {
        self.out.push(Quad::new(
            s.clone(),
            NamedNode::new_unchecked(p),
            o,
            self.graph.clone(),
        ));
    }
}

/// An IRI written in a seed file (source link, digest page), if it is a valid absolute IRI.
pub fn external_iri(url: &str) -> Option<NamedNode> {
    NamedNode::new(url.trim()).ok()
}

/// The quads of the read article at `index`, in its own named graph.
pub fn article_quads(c: &Collection, index: usize, iris: &Iris, out: &mut Vec<Quad>) {
    let input = &c.articles[index];
    let id = input.article.id.as_str();
    let mut e = Emit {
        graph: iris.article_graph(id).into(),
        out,
    };
    let node = iris.article(id);
    article_properties(&mut e, c, index, iris, &node);
    signal_quads(&mut e, c, index, iris, &node);
    for (position, section) in input.article.sections.iter().enumerate() {
        let s = iris.section(id, position + 1);
        e.link(&node, term::HAS_SECTION, &s);
        e.typed(&s, term::SECTION);
        e.text(&s, term::RDFS_LABEL, &section.heading);
        e.text(&s, term::RDF_VALUE, &section.text);
        e.integer(&s, term::POSITION, position as u64 + 1);
    }
    let file = iris.seed_file(id);
    e.link(&node, term::WAS_DERIVED_FROM, &file);
    e.typed(&file, term::SEED_FILE);
    e.text(&file, term::FILE_PATH, &input.file.path);
    e.text(&file, term::CONTENT_HASH, &input.file.hash);
    e.integer(&file, term::BYTE_SIZE, input.file.size);
}

/// The article's own properties and its links to digest, source, concepts
/// and closest articles.
fn article_properties(e: &mut Emit, c: &Collection, index: usize, iris: &Iris, node: &NamedNode) {
    let a = &c.articles[index].article;
    let links = &c.links[index];
    e.typed(node, term::NEWS_ARTICLE);
    e.text(node, term::IDENTIFIER, &a.id);
    e.text(node, term::TITLE, &a.title);
    if let Some(date) = a.date {
        e.date(node, term::DATE, &date.to_string());
        e.link(node, term::IS_PART_OF, &iris.digest(&date.compact()));
    }
    if let Some(url) = a.source_url.as_deref().and_then(external_iri) {
        e.link(node, term::SOURCE, &url);
    }
    if let Some(source) = links.source {
        e.link(node, term::PUBLISHER, &iris.source(&c.sources[source]));
    }
    if let Some(summary) = &a.summary {
        e.text(node, term::ABSTRACT, summary);
    }
    for (predicate, concepts) in [
        (term::HAS_THEME, &links.themes),
        (term::HAS_KEYWORD, &links.keywords),
    ] {
        for &id in concepts {
            let concept = &c.concepts[id];
            e.link(node, predicate, &iris.concept(concept.kind, &concept.key));
        }
    }
    let mut targets: Vec<LinkTarget> = links.closest.iter().map(|l| l.target).collect();
    targets.sort_unstable();
    targets.dedup();
    for target in targets {
        let iri = match target {
            LinkTarget::Article(i) => iris.article(&c.articles[i].article.id),
            LinkTarget::Stub(s) => iris.article(&c.stubs[s].id),
        };
        e.link(node, term::CLOSEST_TO, &iri);
    }
}

/// The article's signals, each with its driving force and extra cells.
fn signal_quads(e: &mut Emit, c: &Collection, index: usize, iris: &Iris, node: &NamedNode) {
    let a = &c.articles[index].article;
    let id = a.id.as_str();
    for (signal, signal_links) in a.signals.iter().zip(&c.links[index].signals) {
        let s = iris.signal(id, signal.row);
        e.link(node, term::HAS_SIGNAL, &s);
        e.typed(&s, term::SIGNAL);
        e.integer(&s, term::ROW, u64::from(signal.row));
        e.text_if_any(&s, term::RDFS_LABEL, &signal.signal);
        e.text_if_any(&s, term::CHANGE, &signal.change);
        if let Some((from, to)) = split_change(&signal.change) {
            e.text(&s, term::CHANGE_FROM, &from);
            e.text(&s, term::CHANGE_TO, &to);
        }
        e.text_if_any(&s, term::HORIZON, &signal.horizon);
        if let Some(df) = signal_links.driving_force {
            let concept = &c.concepts[df];
            e.link(
                &s,
                term::DRIVEN_BY,
                &iris.concept(concept.kind, &concept.key),
            );
        }
        for (position, (column, value)) in signal.extra.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let cell = iris.cell(id, signal.row, position + 1);
            e.link(&s, term::HAS_CELL, &cell);
            e.typed(&cell, term::CELL);
            e.text(&cell, term::COLUMN, column);
            e.text(&cell, term::RDF_VALUE, value);
        }
    }
}

/// What concept alignment did: `skos:exactMatch` between the linked concepts
/// of a group, a note and an `sg:alignmentRule` for each merge a concept's
/// forms took part in, and the vocabulary's `skos:broader`.
fn alignment_quads(e: &mut Emit, c: &Collection, iris: &Iris) {
    let iri = |id: usize| iris.concept(c.concepts[id].kind, &c.concepts[id].key);
    let mut by_group: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for (id, concept) in c.concepts.iter().enumerate() {
        by_group.entry(concept.group).or_default().push(id);
    }
    for (group, ids) in by_group {
        let evidence = c.alignment.evidence_of(group);
        for &id in &ids {
            let concept = &c.concepts[id];
            let node = iri(id);
            for &other in &ids {
                if other != id && c.concepts[other].meaning == concept.meaning {
                    e.link(&node, term::EXACT_MATCH, &iri(other));
                }
            }
            if evidence.is_empty() {
                continue;
            }
            let forms: Vec<String> = std::iter::once(&concept.label)
                .chain(&concept.alt_labels)
                .map(|l| crate::normalize::concept_key(l))
                .collect();
            let mut rules: Vec<&str> = Vec::new();
            for (_, ev) in evidence {
                if !forms.contains(&ev.a) && !forms.contains(&ev.b) {
                    continue;
                }
                rules.push(ev.rule.name());
                let note = format!(
                    "\"{}\" and \"{}\" merged by {}: {} ({} article{})",
                    ev.a,
                    ev.b,
                    ev.rule.name(),
                    ev.rule.describe(),
                    ev.article_count,
                    if ev.article_count == 1 { "" } else { "s" }
                );
                e.text(&node, term::EDITORIAL_NOTE, &note);
            }
            rules.sort_unstable();
            rules.dedup();
            for rule in rules {
                e.text(&node, term::ALIGNMENT_RULE, rule);
            }
        }
    }
    for &(narrow, wide) in &c.alignment.broader {
        e.link(&iri(narrow), term::BROADER, &iri(wide));
    }
}

/// The quads of the shared nodes (concepts, schemes, sources, digests, stubs)
/// in the collection graph.
pub fn collection_quads(c: &Collection, iris: &Iris, out: &mut Vec<Quad>) {
    let mut e = Emit {
        graph: iris.collection_graph().into(),
        out,
    };
    for kind in ConceptKind::ALL {
        let scheme = iris.scheme(kind);
        e.typed(&scheme, term::CONCEPT_SCHEME);
        let label = match kind {
            ConceptKind::Theme => "Themes",
            ConceptKind::Keyword => "Keywords",
            ConceptKind::DrivingForce => "Driving forces",
        };
        e.text(&scheme, term::PREF_LABEL, label);
    }
    for concept in &c.concepts {
        let node = iris.concept(concept.kind, &concept.key);
        e.typed(&node, term::CONCEPT);
        e.typed(
            &node,
            match concept.kind {
                ConceptKind::Theme => term::THEME,
                ConceptKind::Keyword => term::KEYWORD,
                ConceptKind::DrivingForce => term::DRIVING_FORCE,
            },
        );
        e.link(&node, term::IN_SCHEME, &iris.scheme(concept.kind));
        e.text(&node, term::PREF_LABEL, &concept.label);
        for alt in &concept.alt_labels {
            e.text(&node, term::ALT_LABEL, alt);
        }
        e.text(&node, term::NORMALIZED_LABEL, &concept.key);
    }
    alignment_quads(&mut e, c, iris);
    for host in &c.sources {
        let node = iris.source(host);
        e.typed(&node, term::SOURCE_CLASS);
        e.text(&node, term::RDFS_LABEL, host);
        if let Some(url) = external_iri(&format!("https://{host}/")) {
            e.link(&node, term::URL, &url);
        }
    }
    for digest in &c.digests {
        let node = iris.digest(&digest.date.compact());
        e.typed(&node, term::DIGEST);
        e.date(&node, term::DATE, &digest.date.to_string());
        for url in digest.urls.iter().filter_map(|u| external_iri(u)) {
            e.link(&node, term::URL, &url);
        }
    }
    for stub in &c.stubs {
        let node = iris.article(&stub.id);
        e.typed(&node, term::STUB_ARTICLE);
        e.text(&node, term::IDENTIFIER, &stub.target);
        e.text(&node, term::TITLE, &stub.title);
    }
}
