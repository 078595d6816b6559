//! Analysis results read back from the store, for exporters and the report.
//!
//! `analyze` writes its results as RDF ([`super::rdf`]); this reads the
//! analysis graph of one projection back into per-node vectors aligned with
//! the projection's nodes, so every consumer sees exactly what SPARQL sees.

use super::{Analysis, Level, Measure};
use crate::graph::ProjectedGraph;
use crate::model::Collection;
use crate::store::iri::Iris;
use crate::store::vocab::term;
use crate::store::{read_graph_file, StoreDir, StoreError};
use oxigraph::model::{NamedOrBlankNode, Term};
use std::collections::HashMap;

/// The stored analysis of one projection.
#[derive(Clone, Debug, Default)]
pub struct StoredAnalysis {
    /// One vector per measure found, NaN for nodes without a value.
    pub measures: Vec<(Measure, Vec<f64>)>,
    /// Cluster levels; nodes without a cluster have `u32::MAX`.
    pub levels: Vec<Level>,
}

impl StoredAnalysis {
    pub fn scores(&self, m: Measure) -> Option<&[f64]> {
        self.measures
            .iter()
            .find(|(x, _)| *x == m)
            .map(|(_, v)| v.as_slice())
    }
}

impl From<&Analysis> for StoredAnalysis {
    /// What [`load`] reads back after the analysis is written: the same
    /// measures and levels (doubles round-trip through their literals), so a
    /// caller holding the analysis need not read the store again.
    fn from(a: &Analysis) -> Self {
        StoredAnalysis {
            measures: a.measures.clone(),
            levels: a.levels.clone(),
        }
    }
}

/// The analysis graph of `graph`'s projection, if `analyze` wrote one.
pub fn load(
    dir: &StoreDir,
    graph: &ProjectedGraph,
    c: &Collection,
    iris: &Iris,
) -> Result<Option<StoredAnalysis>, StoreError> {
    let name = graph.projection.name();
    let path = dir.graph_file(&format!("analysis-{name}"));
    if !path.exists() {
        return Ok(None);
    }
    let quads = read_graph_file(&path)?;
    let n = graph.node_count();
    let node_of: HashMap<String, u32> = (0..n as u32)
        .map(|i| (graph.node(i).iri(c, iris).into_string(), i))
        .collect();
    let cluster_prefix = format!("{}cluster/{name}/", iris.base());
    let parse_cluster = |iri: &str| -> Option<(usize, u32)> {
        let (level, index) = iri.strip_prefix(&cluster_prefix)?.split_once('/')?;
        Some((level.parse().ok()?, index.parse().ok()?))
    };
    let measure_of: HashMap<&str, Measure> = Measure::ALL
        .into_iter()
        .map(|m| (super::rdf::predicate(m), m))
        .collect();

    let mut measures: Vec<(Measure, Vec<f64>)> = Vec::new();
    let mut members: Vec<(usize, u32, u32)> = Vec::new();
    let mut parents: Vec<(usize, u32, u32)> = Vec::new();
    let mut modularity: HashMap<usize, f64> = HashMap::new();
    for q in &quads {
        let NamedOrBlankNode::NamedNode(subject) = &q.subject else {
            continue;
        };
        let predicate = q.predicate.as_str();
        if let Some(&m) = measure_of.get(predicate) {
            let (Some(&node), Term::Literal(value)) = (node_of.get(subject.as_str()), &q.object)
            else {
                continue;
            };
            let Ok(value) = value.value().parse::<f64>() else {
                continue;
            };
            let slot = match measures.iter().position(|(x, _)| *x == m) {
                Some(i) => i,
                None => {
                    measures.push((m, vec![f64::NAN; n]));
                    measures.len() - 1
                }
            };
            measures[slot].1[node as usize] = value;
        } else if predicate == term::MEMBER_OF {
            let (Some(&node), Term::NamedNode(cluster)) =
                (node_of.get(subject.as_str()), &q.object)
            else {
                continue;
            };
            if let Some((level, index)) = parse_cluster(cluster.as_str()) {
                members.push((level, index, node));
            }
        } else if predicate == term::SUB_CLUSTER_OF {
            if let (Some((level, index)), Term::NamedNode(parent)) =
                (parse_cluster(subject.as_str()), &q.object)
            {
                if let Some((_, parent)) = parse_cluster(parent.as_str()) {
                    parents.push((level, index, parent));
                }
            }
        } else if predicate == term::MODULARITY {
            if let (Some((level, _)), Term::Literal(value)) =
                (parse_cluster(subject.as_str()), &q.object)
            {
                if let Ok(v) = value.value().parse() {
                    modularity.insert(level, v);
                }
            }
        }
    }
    measures.sort_by_key(|(m, _)| *m);

    let level_count = members.iter().map(|m| m.0 + 1).max().unwrap_or(0);
    let mut levels: Vec<Level> = (0..level_count)
        .map(|level| Level {
            membership: vec![u32::MAX; n],
            count: 0,
            parents: Vec::new(),
            modularity: modularity.get(&level).copied().unwrap_or(f64::NAN),
        })
        .collect();
    for (level, index, node) in members {
        let l = &mut levels[level];
        l.membership[node as usize] = index;
        l.count = l.count.max(index as usize + 1);
    }
    for l in levels.iter_mut().skip(1) {
        l.parents = vec![0; l.count];
    }
    for (level, index, parent) in parents {
        if let Some(slot) = levels
            .get_mut(level)
            .and_then(|l| l.parents.get_mut(index as usize))
        {
            *slot = parent;
        }
    }
    Ok(Some(StoredAnalysis { measures, levels }))
}
