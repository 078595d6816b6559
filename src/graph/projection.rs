//! Projections of a collection into petgraph graphs: articles, concepts, full.
//!
//! - [`Projection::Articles`]: one node per read article. Two articles are
//!   linked when one names the other as closest or when they share themes,
//!   keywords or driving forces. The weight of a pair is
//!
//!   ```text
//!   w(a, b) = Σ_{c shared by a and b} idf(c)  +  closest(a, b) · ln((N + 1) / 2)
//!   idf(c)  = ln((N + 1) / df(c))
//!   ```
//!
//!   where `N` is the number of read articles, `df(c)` the number of articles
//!   naming concept `c` (for a driving force: having a signal it drives), and
//!   `closest(a, b)` is 1 or 2 when one or both name the other as closest. A
//!   closest link therefore counts like a concept shared by exactly two
//!   articles, the rarest kind of evidence. Rare concepts count more, and a
//!   theme every article carries counts almost nothing.
//!
//! - [`Projection::Concepts`]: one node per theme, keyword and driving force
//!   (a theme, keyword and driving force linked by alignment are one node),
//!   linked when they occur in the same article (its themes, keywords and the
//!   driving forces of its signals), weighted by Salton's cosine
//!   `co(c, d) / sqrt(df(c) · df(d))`, so a pair of rare concepts that always
//!   occur together outweighs two popular ones that meet by chance.
//!
//! - [`Projection::Full`]: every node kind (articles and stubs, signals,
//!   concepts, sources, digests) and every link of the model as typed edges of
//!   weight 1.
//!
//! The first two are sparse by design: every node keeps its `k` strongest
//! links ([`ProjectionOptions::neighbours`]; an edge stays when either end
//! keeps it, ties broken by node order), and a concept named by more than
//! [`ProjectionOptions::window`] articles pairs each of them only with the
//! `window` articles nearest in the concept's article list (sorted by date,
//! then id), so no concept ever makes a clique. Work and edges grow linearly
//! with the number of articles: at most `N · (k + closest links)` edges.

use super::csr::{Csr, NodeId};
use crate::model::{Collection, ConceptId, ConceptKind, LinkTarget};
use crate::store::iri::Iris;
use oxigraph::model::NamedNode;
use petgraph::graph::{NodeIndex, UnGraph};
use rayon::prelude::*;
use std::fmt;

/// Which graph view of the collection to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Projection {
    /// Articles linked by shared concepts and closest links (the trend clusters).
    Articles,
    /// Themes, keywords and driving forces linked by co-occurrence.
    Concepts,
    /// Every article, signal, concept, source and digest with its typed links.
    Full,
}

impl Projection {
    /// Every projection.
    pub const ALL: [Projection; 3] = [Projection::Articles, Projection::Concepts, Projection::Full];

    /// The name used on the command line and in the analysis graph's IRI.
    pub fn name(self) -> &'static str {
        match self {
            Projection::Articles => "articles",
            Projection::Concepts => "concepts",
            Projection::Full => "full",
        }
    }

    /// The projection named `name`, if any.
    pub fn from_name(name: &str) -> Option<Projection> {
        Projection::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How sparse the weighted projections are.
#[derive(Clone, Copy, Debug)]
pub struct ProjectionOptions {
    /// Strongest links each node keeps (`--neighbours`).
    pub neighbours: usize,
    /// Articles a popular concept pairs each of its articles with.
    pub window: usize,
}

impl Default for ProjectionOptions {
    fn default() -> Self {
        ProjectionOptions {
            neighbours: 15,
            window: 32,
        }
    }
}

/// The kind of thing a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeKind {
    /// A seed article (or a stub known only from links).
    Article,
    /// A row of an article's signal table.
    Signal,
    /// A theme.
    Theme,
    /// A keyword.
    Keyword,
    /// A driving force.
    DrivingForce,
    /// A source host of news items.
    Source,
    /// A digest that carried articles.
    Digest,
}

impl NodeKind {
    /// Every kind, in the order exports list them.
    pub const ALL: [NodeKind; 7] = [
        NodeKind::Article,
        NodeKind::Signal,
        NodeKind::Theme,
        NodeKind::Keyword,
        NodeKind::DrivingForce,
        NodeKind::Source,
        NodeKind::Digest,
    ];

    /// The ontology class name (`Article`, `DrivingForce`, …).
    pub fn name(self) -> &'static str {
        match self {
            NodeKind::Article => "Article",
            NodeKind::Signal => "Signal",
            NodeKind::Theme => "Theme",
            NodeKind::Keyword => "Keyword",
            NodeKind::DrivingForce => "DrivingForce",
            NodeKind::Source => "Source",
            NodeKind::Digest => "Digest",
        }
    }

    fn of_concept(kind: ConceptKind) -> NodeKind {
        match kind {
            ConceptKind::Theme => NodeKind::Theme,
            ConceptKind::Keyword => NodeKind::Keyword,
            ConceptKind::DrivingForce => NodeKind::DrivingForce,
        }
    }
}

/// What a node is in the collection: indexes into its tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeRef {
    /// Index into [`Collection::articles`].
    Article(usize),
    /// Index into [`Collection::stubs`].
    Stub(usize),
    /// Article index and 1-based signal row.
    Signal {
        /// Index into [`Collection::articles`].
        article: usize,
        /// 1-based row in its signal table.
        row: u32,
    },
    /// Index into [`Collection::concepts`].
    Concept(ConceptId),
    /// Index into [`Collection::sources`].
    Source(usize),
    /// Index into [`Collection::digests`].
    Digest(usize),
}

impl NodeRef {
    /// The kind of thing the node stands for.
    pub fn kind(self, c: &Collection) -> NodeKind {
        match self {
            NodeRef::Article(_) | NodeRef::Stub(_) => NodeKind::Article,
            NodeRef::Signal { .. } => NodeKind::Signal,
            NodeRef::Concept(id) => NodeKind::of_concept(c.concepts[id].kind),
            NodeRef::Source(_) => NodeKind::Source,
            NodeRef::Digest(_) => NodeKind::Digest,
        }
    }

    /// The node's RDF IRI in the store.
    pub fn iri(self, c: &Collection, iris: &Iris) -> NamedNode {
        match self {
            NodeRef::Article(i) => iris.article(&c.articles[i].article.id),
            NodeRef::Stub(i) => iris.article(&c.stubs[i].id),
            NodeRef::Signal { article, row } => iris.signal(&c.articles[article].article.id, row),
            NodeRef::Concept(id) => iris.concept(c.concepts[id].kind, &c.concepts[id].key),
            NodeRef::Source(i) => iris.source(&c.sources[i]),
            NodeRef::Digest(i) => iris.digest(&c.digests[i].date.compact()),
        }
    }

    /// A human-readable label: title, signal text, concept label, host or date.
    pub fn label(self, c: &Collection) -> String {
        match self {
            NodeRef::Article(i) => c.articles[i].article.title.clone(),
            NodeRef::Stub(i) => c.stubs[i].title.clone(),
            NodeRef::Signal { article, row } => c.articles[article].article.signals
                [row as usize - 1]
                .signal
                .clone(),
            NodeRef::Concept(id) => c.concepts[id].label.clone(),
            NodeRef::Source(i) => c.sources[i].clone(),
            NodeRef::Digest(i) => c.digests[i].date.to_string(),
        }
    }

    /// The stable key the node is known by (article id, `signal-id-row`,
    /// `kind:key`, host, date); unique within a projection.
    pub fn key(self, c: &Collection) -> String {
        match self {
            NodeRef::Article(i) => c.articles[i].article.id.clone(),
            NodeRef::Stub(i) => c.stubs[i].id.clone(),
            NodeRef::Signal { article, row } => {
                format!("{}-{row}", c.articles[article].article.id)
            }
            NodeRef::Concept(id) => {
                format!("{}:{}", c.concepts[id].kind.slug(), c.concepts[id].key)
            }
            NodeRef::Source(i) => c.sources[i].clone(),
            NodeRef::Digest(i) => c.digests[i].date.compact(),
        }
    }
}

/// Why two nodes are linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EdgeKind {
    /// Articles sharing concepts (articles projection), maybe also closest.
    SharesConcepts,
    /// Articles where one names the other as closest (and maybe share concepts).
    Closest,
    /// Concepts occurring in the same articles.
    CoOccurs,
    /// Article to one of its signals.
    HasSignal,
    /// Article to a theme.
    HasTheme,
    /// Article to a keyword.
    HasKeyword,
    /// Signal to its driving force.
    DrivenBy,
    /// Article to the source host that published it.
    PublishedBy,
    /// Article to the digest that carried it.
    InDigest,
}

impl EdgeKind {
    /// The relationship name used in exports (`CLOSEST`, `HAS_THEME`, …).
    pub fn name(self) -> &'static str {
        match self {
            EdgeKind::SharesConcepts => "SHARES_CONCEPTS",
            EdgeKind::Closest => "CLOSEST",
            EdgeKind::CoOccurs => "CO_OCCURS",
            EdgeKind::HasSignal => "HAS_SIGNAL",
            EdgeKind::HasTheme => "HAS_THEME",
            EdgeKind::HasKeyword => "HAS_KEYWORD",
            EdgeKind::DrivenBy => "DRIVEN_BY",
            EdgeKind::PublishedBy => "PUBLISHED_BY",
            EdgeKind::InDigest => "IN_DIGEST",
        }
    }
}

/// An edge of a projection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    /// What the edge stands for.
    pub kind: EdgeKind,
    /// Its weight: 1 in the full projection, by the module's rules in the weighted ones.
    pub weight: f64,
}

/// A projection: a petgraph graph whose nodes know what they stand for.
///
/// Node indexes are dense and stable: the same collection and options give
/// the same nodes in the same order and the same edges.
#[derive(Clone, Debug)]
pub struct ProjectedGraph {
    /// Which projection this is.
    pub projection: Projection,
    /// The graph; node weights say what each node is.
    pub graph: UnGraph<NodeRef, Edge, u32>,
}

impl ProjectedGraph {
    /// Builds `projection` of `c`.
    pub fn build(c: &Collection, projection: Projection, options: &ProjectionOptions) -> Self {
        let graph = match projection {
            Projection::Articles => articles(c, options),
            Projection::Concepts => concepts(c, options),
            Projection::Full => full(c),
        };
        ProjectedGraph { projection, graph }
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// What node `i` stands for.
    pub fn node(&self, i: NodeId) -> NodeRef {
        self.graph[NodeIndex::new(i as usize)]
    }

    /// The weighted adjacency the analyzers read (node `i` = petgraph index `i`).
    pub fn to_csr(&self) -> Csr {
        Csr::from_edges(
            self.graph.node_count(),
            self.graph.raw_edges().iter().map(|e| {
                (
                    e.source().index() as NodeId,
                    e.target().index() as NodeId,
                    e.weight.weight,
                )
            }),
        )
    }
}

/// For each article, its concepts (themes, keywords, signal driving forces),
/// sorted and deduplicated; linked concepts of different kinds count as one
/// (their [`crate::model::Concept::meaning`]).
pub fn article_concepts(c: &Collection) -> Vec<Vec<ConceptId>> {
    concepts_per_article(c, true)
}

/// [`article_concepts`] with a theme, keyword and driving force of one
/// meaning kept apart: what concept bursts count, so a theme's steady use
/// does not hide a burst of its keyword.
pub fn article_concepts_by_kind(c: &Collection) -> Vec<Vec<ConceptId>> {
    concepts_per_article(c, false)
}

fn concepts_per_article(c: &Collection, linked: bool) -> Vec<Vec<ConceptId>> {
    c.links
        .par_iter()
        .map(|l| {
            let mut ids: Vec<ConceptId> = l
                .themes
                .iter()
                .chain(&l.keywords)
                .copied()
                .chain(l.signals.iter().filter_map(|s| s.driving_force))
                .map(|id| if linked { c.concepts[id].meaning } else { id })
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .collect()
}

/// For each concept, the articles naming it, sorted by (date, id); and for
/// each article, its position in the list of each of its concepts (parallel
/// to `concepts_of`).
fn postings(c: &Collection, concepts_of: &[Vec<ConceptId>]) -> (Vec<Vec<u32>>, Vec<Vec<u32>>) {
    let mut order: Vec<u32> = (0..c.articles.len() as u32).collect();
    order.sort_by_key(|&a| c.articles[a as usize].article.date);
    let mut lists: Vec<Vec<u32>> = vec![Vec::new(); c.concepts.len()];
    let mut positions: Vec<Vec<u32>> = concepts_of.iter().map(|ids| vec![0; ids.len()]).collect();
    for &a in &order {
        for (j, &id) in concepts_of[a as usize].iter().enumerate() {
            positions[a as usize][j] = lists[id].len() as u32;
            lists[id].push(a);
        }
    }
    (lists, positions)
}

/// Candidate partners of one node, with accumulated scores: a dense score
/// table reused across nodes plus the list of entries touched.
struct Scores {
    score: Vec<f64>,
    touched: Vec<u32>,
}

impl Scores {
    fn new(n: usize) -> Self {
        Scores {
            score: vec![0.0; n],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, node: u32, w: f64) {
        let s = &mut self.score[node as usize];
        if *s == 0.0 {
            self.touched.push(node);
        }
        *s += w;
    }

    /// The `k` best (score desc, node asc), then clears the table.
    fn take_top(&mut self, k: usize) -> Vec<(u32, f64)> {
        let mut all: Vec<(u32, f64)> = self
            .touched
            .drain(..)
            .map(|n| (n, std::mem::take(&mut self.score[n as usize])))
            .collect();
        let by_strength = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if all.len() > k {
            all.select_nth_unstable_by(k, by_strength);
            all.truncate(k);
        }
        all.sort_unstable_by(by_strength);
        all
    }
}

/// The articles of `list` that article at `position` is paired with: all of
/// them for a small list, else the `window` nearest positions.
fn partners(list: &[u32], position: usize, window: usize) -> &[u32] {
    if list.len() <= window + 1 {
        return list;
    }
    let half = window / 2;
    let start = position.saturating_sub(half).min(list.len() - window - 1);
    &list[start..start + window + 1]
}

/// Turns each node's chosen links into a graph: an edge is kept when either
/// end chose it. When both did, the larger score and the stronger kind
/// (closest over shared concepts) win, so the result never depends on order.
fn graph_from_choices(
    nodes: Vec<NodeRef>,
    choices: Vec<Vec<(u32, f64, EdgeKind)>>,
) -> UnGraph<NodeRef, Edge, u32> {
    let mut edges: Vec<(u32, u32, f64, EdgeKind)> = choices
        .into_iter()
        .enumerate()
        .flat_map(|(a, list)| {
            list.into_iter().map(move |(b, w, kind)| {
                let (u, v) = if (a as u32) < b {
                    (a as u32, b)
                } else {
                    (b, a as u32)
                };
                (u, v, w, kind)
            })
        })
        .collect();
    edges.par_sort_unstable_by(|x, y| {
        (x.0, x.1)
            .cmp(&(y.0, y.1))
            .then(y.2.total_cmp(&x.2))
            .then(y.3.cmp(&x.3))
    });
    edges.dedup_by(|later, kept| {
        let same = (later.0, later.1) == (kept.0, kept.1);
        if same {
            kept.3 = kept.3.max(later.3);
        }
        same
    });

    let mut graph = UnGraph::with_capacity(nodes.len(), edges.len());
    for n in nodes {
        graph.add_node(n);
    }
    for (u, v, weight, kind) in edges {
        graph.add_edge(
            NodeIndex::new(u as usize),
            NodeIndex::new(v as usize),
            Edge { kind, weight },
        );
    }
    graph
}

fn articles(c: &Collection, options: &ProjectionOptions) -> UnGraph<NodeRef, Edge, u32> {
    let n = c.articles.len();
    let concepts_of = article_concepts(c);
    let (lists, positions) = postings(c, &concepts_of);
    let total = n as f64 + 1.0;
    let idf: Vec<f64> = lists
        .iter()
        .map(|l| {
            if l.is_empty() {
                0.0
            } else {
                (total / l.len() as f64).ln()
            }
        })
        .collect();
    let closest_weight = (total / 2.0).ln();

    // Closest links in both directions: (a, b) with a != b, both read articles.
    let mut closest: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (a, l) in c.links.iter().enumerate() {
        for link in &l.closest {
            if let LinkTarget::Article(b) = link.target {
                if a != b {
                    closest[a].push(b as u32);
                    closest[b].push(a as u32);
                }
            }
        }
    }

    let choices: Vec<Vec<(u32, f64, EdgeKind)>> = (0..n)
        .into_par_iter()
        .map_init(
            || Scores::new(n),
            |scores, a| {
                for (&id, &position) in concepts_of[a].iter().zip(&positions[a]) {
                    for &b in partners(&lists[id], position as usize, options.window) {
                        if b as usize != a {
                            scores.add(b, idf[id]);
                        }
                    }
                }
                for &b in &closest[a] {
                    scores.add(b, closest_weight);
                }
                let mut chosen: Vec<(u32, f64, EdgeKind)> = scores
                    .take_top(options.neighbours)
                    .into_iter()
                    .map(|(b, w)| (b, w, EdgeKind::SharesConcepts))
                    .collect();
                // Closest links are facts the analyst wrote down: always kept.
                for &b in &closest[a] {
                    if !chosen.iter().any(|&(x, ..)| x == b) {
                        chosen.push((b, f64::NAN, EdgeKind::Closest));
                    }
                }
                for entry in &mut chosen {
                    if closest[a].contains(&entry.0) {
                        entry.2 = EdgeKind::Closest;
                    }
                }
                chosen
            },
        )
        .collect();

    // Fill in the scores of closest links kept beyond the top k.
    let choices = fill_missing_scores(choices, |a, b| {
        let shared = intersect_weight(&concepts_of[a as usize], &concepts_of[b as usize], &idf);
        let links = closest[a as usize].iter().filter(|&&x| x == b).count() as f64;
        shared + links * closest_weight
    });
    graph_from_choices((0..n).map(NodeRef::Article).collect(), choices)
}

/// Replaces NaN scores (links kept without being scored) by `score(a, b)`.
fn fill_missing_scores(
    mut choices: Vec<Vec<(u32, f64, EdgeKind)>>,
    score: impl Fn(u32, u32) -> f64 + Sync,
) -> Vec<Vec<(u32, f64, EdgeKind)>> {
    choices.par_iter_mut().enumerate().for_each(|(a, list)| {
        for entry in list.iter_mut().filter(|e| e.1.is_nan()) {
            entry.1 = score(a as u32, entry.0);
        }
    });
    choices
}

/// Σ idf over the concepts two sorted lists share.
fn intersect_weight(a: &[ConceptId], b: &[ConceptId], idf: &[f64]) -> f64 {
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += idf[a[i]];
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

fn concepts(c: &Collection, options: &ProjectionOptions) -> UnGraph<NodeRef, Edge, u32> {
    let n = c.concepts.len();
    let concepts_of = article_concepts(c);
    let (lists, _) = postings(c, &concepts_of);
    let df: Vec<f64> = lists.iter().map(|l| l.len() as f64).collect();
    // Linked concepts of other kinds are one node: the one that stands for them.
    let nodes: Vec<ConceptId> = (0..n).filter(|&id| c.concepts[id].meaning == id).collect();
    let mut position = vec![u32::MAX; n];
    for (p, &id) in nodes.iter().enumerate() {
        position[id] = p as u32;
    }

    let choices: Vec<Vec<(u32, f64, EdgeKind)>> = nodes
        .par_iter()
        .map_init(
            || Scores::new(n),
            |scores, &id| {
                let list = &lists[id];
                // A popular concept looks at a window of its articles only,
                // spread evenly over its list so every period is seen.
                let step = list.len().div_ceil(options.window.max(1) * 4).max(1);
                let sampled = list.iter().step_by(step);
                let scale = step as f64;
                for &a in sampled {
                    for &other in &concepts_of[a as usize] {
                        if other != id {
                            scores.add(other as u32, scale);
                        }
                    }
                }
                scores
                    .take_top(options.neighbours)
                    .into_iter()
                    .map(|(other, co)| {
                        let w = co / (df[id] * df[other as usize]).sqrt();
                        (position[other as usize], w, EdgeKind::CoOccurs)
                    })
                    .collect()
            },
        )
        .collect();
    graph_from_choices(nodes.into_iter().map(NodeRef::Concept).collect(), choices)
}

fn full(c: &Collection) -> UnGraph<NodeRef, Edge, u32> {
    let mut graph: UnGraph<NodeRef, Edge, u32> = UnGraph::default();
    let article_base = 0usize;
    for i in 0..c.articles.len() {
        graph.add_node(NodeRef::Article(i));
    }
    let stub_base = graph.node_count();
    for i in 0..c.stubs.len() {
        graph.add_node(NodeRef::Stub(i));
    }
    let concept_base = graph.node_count();
    for id in 0..c.concepts.len() {
        graph.add_node(NodeRef::Concept(id));
    }
    let source_base = graph.node_count();
    for i in 0..c.sources.len() {
        graph.add_node(NodeRef::Source(i));
    }
    let digest_base = graph.node_count();
    for i in 0..c.digests.len() {
        graph.add_node(NodeRef::Digest(i));
    }
    let node = NodeIndex::<u32>::new;
    let add = |g: &mut UnGraph<NodeRef, Edge, u32>, a: usize, b: usize, kind: EdgeKind| {
        g.add_edge(node(a), node(b), Edge { kind, weight: 1.0 });
    };
    for (i, (input, l)) in c.articles.iter().zip(&c.links).enumerate() {
        let a = article_base + i;
        for &t in &l.themes {
            add(&mut graph, a, concept_base + t, EdgeKind::HasTheme);
        }
        for &k in &l.keywords {
            add(&mut graph, a, concept_base + k, EdgeKind::HasKeyword);
        }
        for (row, s) in input.article.signals.iter().zip(&l.signals) {
            let signal = graph
                .add_node(NodeRef::Signal {
                    article: i,
                    row: row.row,
                })
                .index();
            add(&mut graph, a, signal, EdgeKind::HasSignal);
            if let Some(df) = s.driving_force {
                add(&mut graph, signal, concept_base + df, EdgeKind::DrivenBy);
            }
        }
        for link in &l.closest {
            let b = match link.target {
                LinkTarget::Article(b) => article_base + b,
                LinkTarget::Stub(s) => stub_base + s,
            };
            add(&mut graph, a, b, EdgeKind::Closest);
        }
        if let Some(s) = l.source {
            add(&mut graph, a, source_base + s, EdgeKind::PublishedBy);
        }
        if let Some(d) = l.digest {
            add(&mut graph, a, digest_base + d, EdgeKind::InDigest);
        }
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partners_window_stays_inside_the_list() {
        let list: Vec<u32> = (0..10).collect();
        assert_eq!(partners(&list, 0, 4), &[0, 1, 2, 3, 4]);
        assert_eq!(partners(&list, 9, 4), &[5, 6, 7, 8, 9]);
        assert_eq!(partners(&list, 5, 4), &[3, 4, 5, 6, 7]);
        assert_eq!(partners(&list, 5, 20).len(), 10);
    }

    #[test]
    fn top_k_prefers_strength_then_node_order() {
        let mut s = Scores::new(5);
        s.add(3, 1.0);
        s.add(1, 2.0);
        s.add(4, 1.0);
        s.add(2, 0.5);
        assert_eq!(s.take_top(2), vec![(1, 2.0), (3, 1.0)]);
        assert!(s.touched.is_empty() && s.score.iter().all(|&x| x == 0.0));
    }
}
