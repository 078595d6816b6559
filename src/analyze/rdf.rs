//! An analysis of a projection as the quads of the store's analysis graph.
//!
//! Into `{base}graph/analysis/{projection}`: every node's measures
//! (`sg:pageRank`, `sg:betweenness`, … as `xsd:double`, `sg:degree` and
//! `sg:coreNumber` as `xsd:integer`), one `sg:Cluster` per cluster and level
//! (`{base}cluster/{projection}/{level}/{index}`, with `sg:level`,
//! `sg:clusterSize`, `sg:modularity` of its level, `sg:projection`, and
//! `sg:subClusterOf` its parent below level 0), and `sg:memberOf` from every
//! node to its cluster at every level. An analysis of the articles
//! projection that followed the trends adds them ([`trends`]).

pub mod trends;

use super::{Analysis, Measure};
use crate::graph::ProjectedGraph;
use crate::model::Collection;
use crate::store::iri::Iris;
use crate::store::vocab::term;
use oxigraph::model::vocab::xsd;
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};

/// The predicate a measure is written with.
pub fn predicate(m: Measure) -> &'static str {
    match m {
        Measure::Degree => term::DEGREE,
        Measure::WeightedDegree => term::WEIGHTED_DEGREE,
        Measure::PageRank => term::PAGE_RANK,
        Measure::Betweenness => term::BETWEENNESS,
        Measure::Closeness => term::CLOSENESS,
        Measure::Harmonic => term::HARMONIC_CLOSENESS,
        Measure::Eigenvector => term::EIGENVECTOR,
        Measure::CoreNumber => term::CORE_NUMBER,
    }
}

/// `value` as a literal of the measure's datatype.
fn literal(m: Measure, value: f64) -> Term {
    if m.is_integer() {
        Literal::new_typed_literal(format!("{}", value as i64), xsd::INTEGER).into()
    } else {
        Literal::from(value).into()
    }
}

fn integer(value: usize) -> Term {
    Literal::new_typed_literal(value.to_string(), xsd::INTEGER).into()
}

/// The quads of the analysis graph of `graph`'s projection.
pub fn analysis_quads(
    analysis: &Analysis,
    graph: &ProjectedGraph,
    c: &Collection,
    iris: &Iris,
) -> Vec<Quad> {
    let name = graph.projection.name();
    let g = GraphName::NamedNode(iris.analysis_graph(name));
    let p = |iri: &str| NamedNode::new_unchecked(iri);
    let mut out = Vec::new();

    let clusters: Vec<Vec<NamedNode>> = analysis
        .levels
        .iter()
        .enumerate()
        .map(|(level, l)| {
            (0..l.count as u32)
                .map(|i| iris.cluster(name, level, i))
                .collect()
        })
        .collect();
    for (level, l) in analysis.levels.iter().enumerate() {
        for (i, size) in l.sizes().into_iter().enumerate() {
            let cluster = &clusters[level][i];
            let mut fact = |pred: &str, o: Term| {
                out.push(Quad::new(cluster.clone(), p(pred), o, g.clone()));
            };
            fact(term::RDF_TYPE, p(term::CLUSTER).into());
            fact(term::LEVEL, integer(level));
            fact(term::CLUSTER_SIZE, integer(size));
            fact(term::MODULARITY, Literal::from(l.modularity).into());
            fact(term::PROJECTION, Literal::new_simple_literal(name).into());
            if level > 0 {
                let parent = clusters[level - 1][l.parents[i] as usize].clone();
                fact(term::SUB_CLUSTER_OF, parent.into());
            }
        }
    }
    for node in 0..analysis.node_count {
        let subject = graph.node(node as u32).iri(c, iris);
        for (m, scores) in &analysis.measures {
            out.push(Quad::new(
                subject.clone(),
                p(predicate(*m)),
                literal(*m, scores[node]),
                g.clone(),
            ));
        }
        for (level, l) in analysis.levels.iter().enumerate() {
            let cluster = clusters[level][l.membership[node] as usize].clone();
            out.push(Quad::new(
                subject.clone(),
                p(term::MEMBER_OF),
                cluster,
                g.clone(),
            ));
        }
    }
    if let Some(tracked) = &analysis.trends {
        trends::trend_quads(&tracked.history, c, iris, &g, &mut out);
    }
    out
}
