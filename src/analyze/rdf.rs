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
use oxigraph::model::{
    GraphNameRef, Literal, NamedNode, NamedNodeRef, Quad, QuadRef, Term, TermRef,
};
use std::io;

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
    let mut out = Vec::new();
    each_analysis_quad(analysis, graph, c, iris, &mut |q| {
        out.push(q.into_owned());
        Ok(())
    })
    .expect("collecting cannot fail");
    out
}

/// Hands the quads [`analysis_quads`] gives, in its order, to `emit` one at a
/// time (for [`crate::store::StoreDir::write_graph_from`]); stops at the
/// first error `emit` returns.
pub fn each_analysis_quad(
    analysis: &Analysis,
    graph: &ProjectedGraph,
    c: &Collection,
    iris: &Iris,
    emit: &mut dyn FnMut(QuadRef<'_>) -> io::Result<()>,
) -> io::Result<()> {
    let name = graph.projection.name();
    let g = iris.analysis_graph(name);
    let g = GraphNameRef::NamedNode(g.as_ref());
    let p = |iri: &'static str| NamedNodeRef::new_unchecked(iri);

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
    let projection = Literal::new_simple_literal(name);
    for (level, l) in analysis.levels.iter().enumerate() {
        let modularity = Literal::from(l.modularity);
        for (i, size) in l.sizes().into_iter().enumerate() {
            let cluster = clusters[level][i].as_ref();
            let mut fact =
                |pred: &'static str, o: TermRef<'_>| emit(QuadRef::new(cluster, p(pred), o, g));
            fact(term::RDF_TYPE, p(term::CLUSTER).into())?;
            fact(term::LEVEL, integer(level).as_ref())?;
            fact(term::CLUSTER_SIZE, integer(size).as_ref())?;
            fact(term::MODULARITY, modularity.as_ref().into())?;
            fact(term::PROJECTION, projection.as_ref().into())?;
            if level > 0 {
                let parent = clusters[level - 1][l.parents[i] as usize].as_ref();
                fact(term::SUB_CLUSTER_OF, parent.into())?;
            }
        }
    }
    for node in 0..analysis.node_count {
        let subject = graph.node(node as u32).iri(c, iris);
        for (m, scores) in &analysis.measures {
            let value = literal(*m, scores[node]);
            emit(QuadRef::new(&subject, p(predicate(*m)), &value, g))?;
        }
        for (level, l) in analysis.levels.iter().enumerate() {
            let cluster = clusters[level][l.membership[node] as usize].as_ref();
            emit(QuadRef::new(&subject, p(term::MEMBER_OF), cluster, g))?;
        }
    }
    if let Some(tracked) = &analysis.trends {
        trends::each_trend_quad(&tracked.history, c, iris, g, emit)?;
    }
    Ok(())
}
