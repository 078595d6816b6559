//! Analysis of graph views: centrality and community detection, run together.
//!
//! [`analyze`] runs the chosen centrality measures and a community method on
//! one [`Csr`] and returns an [`Analysis`]: one score vector per measure and a
//! hierarchy of clusterings. Level 0 holds the clusters of the whole graph;
//! with [`AnalyzeOptions::max_cluster_size`] every cluster larger than that is
//! split again by the same method on its own subgraph, giving level 1, and so
//! on, as hierarchical Leiden does. Within a level clusters are numbered from
//! 0 by size (largest first, ties by smallest member), so the numbering is
//! stable and "cluster 0" is always the biggest.
//!
//! [`analyze_store`] and [`analyze_projection`] (in `in_store.rs`) do the
//! same for a projection of a store and write the results into its analysis
//! graph (for the `analyze` and `run` commands). [`rdf`] turns an analysis of a projection
//! into the quads of that graph, [`stored`] reads them back, [`summary`]
//! turns an analysis into text, JSON and per-node CSV.

pub mod centrality;
pub mod community;
mod in_store;
pub mod naming;
pub mod rdf;
pub mod stored;
pub mod summary;

pub use in_store::{analyze_projection, analyze_store, StoreAnalysis};

use crate::graph::Csr;
use crate::store::StoreError;
use crate::trends::track::{TrackError, Tracked};
use crate::trends::windows::Window;
use centrality::{CentralityError, EdgeLength};
use community::CommunityError;
use std::time::Instant;

/// A centrality measure `analyze` can compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    /// Number of neighbours.
    Degree,
    /// Sum of the weights of a node's edges.
    WeightedDegree,
    /// PageRank (weighted; see `damping` and `tolerance` of [`AnalyzeOptions`]).
    PageRank,
    /// Share of shortest paths through a node (sampled on large graphs).
    Betweenness,
    /// Closeness: inverse mean distance to the nodes a node reaches.
    Closeness,
    /// Harmonic closeness: mean inverse distance to the other nodes.
    Harmonic,
    /// Eigenvector centrality (weighted).
    Eigenvector,
    /// The largest k of a k-core the node belongs to.
    CoreNumber,
}

impl Measure {
    /// Every measure, in output order.
    pub const ALL: [Measure; 8] = [
        Measure::Degree,
        Measure::WeightedDegree,
        Measure::PageRank,
        Measure::Betweenness,
        Measure::Closeness,
        Measure::Harmonic,
        Measure::Eigenvector,
        Measure::CoreNumber,
    ];

    /// What runs when `--centrality` is not given: everything that stays
    /// near-linear on a 100k-node projection (betweenness is sampled there;
    /// closeness needs all-pairs paths and is asked for by name).
    pub const DEFAULT: [Measure; 6] = [
        Measure::Degree,
        Measure::WeightedDegree,
        Measure::PageRank,
        Measure::Betweenness,
        Measure::Eigenvector,
        Measure::CoreNumber,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Degree => "degree",
            Measure::WeightedDegree => "weighted-degree",
            Measure::PageRank => "pagerank",
            Measure::Betweenness => "betweenness",
            Measure::Closeness => "closeness",
            Measure::Harmonic => "harmonic",
            Measure::Eigenvector => "eigenvector",
            Measure::CoreNumber => "core",
        }
    }

    /// The JSON key and CSV column.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Degree => "degree",
            Measure::WeightedDegree => "weighted_degree",
            Measure::PageRank => "pagerank",
            Measure::Betweenness => "betweenness",
            Measure::Closeness => "closeness",
            Measure::Harmonic => "harmonic_closeness",
            Measure::Eigenvector => "eigenvector",
            Measure::CoreNumber => "core_number",
        }
    }

    /// The measure named `name` (its name or its key), if any.
    pub fn from_name(name: &str) -> Option<Measure> {
        Measure::ALL
            .into_iter()
            .find(|m| m.name() == name || m.key() == name)
    }

    /// Whether the values are whole numbers (written as `xsd:integer`).
    pub fn is_integer(self) -> bool {
        matches!(self, Measure::Degree | Measure::CoreNumber)
    }
}

/// A community detection method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Leiden (Traag et al. 2019): well-connected clusters; the default.
    Leiden,
    /// Louvain (Blondel et al. 2008): modularity only.
    Louvain,
    /// Label propagation: fast, no objective.
    LabelPropagation,
    /// Connected components.
    Components,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 4] = [
        Method::Leiden,
        Method::Louvain,
        Method::LabelPropagation,
        Method::Components,
    ];

    /// The name used on the command line and in the store.
    pub fn name(self) -> &'static str {
        match self {
            Method::Leiden => "leiden",
            Method::Louvain => "louvain",
            Method::LabelPropagation => "label-propagation",
            Method::Components => "components",
        }
    }

    /// The method named `name`, if any.
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// What the Leiden method optimises.
pub use community::Objective;

/// The name of an objective on the command line and in summaries.
pub fn objective_name(o: Objective) -> &'static str {
    match o {
        Objective::Modularity => "modularity",
        Objective::Cpm => "cpm",
    }
}

/// Options of [`analyze`].
#[derive(Clone, Debug)]
pub struct AnalyzeOptions {
    /// The community detection method (default Leiden).
    pub method: Method,
    /// Leiden's objective (Louvain always optimises modularity).
    pub objective: Objective,
    /// γ of modularity or CPM; higher gives more, smaller clusters.
    pub resolution: f64,
    /// Seed of the method's random choices: the same seed gives the same clusters (default 42).
    pub seed: u64,
    /// Centrality measures to compute (default [`Measure::DEFAULT`]).
    pub measures: Vec<Measure>,
    /// PageRank's damping factor (default 0.85).
    pub damping: f64,
    /// Convergence tolerance of the power iterations (default 1e-6).
    pub tolerance: f64,
    /// Betweenness from this many sampled sources instead of all of them.
    pub samples: Option<usize>,
    /// Above this many nodes betweenness is sampled when `samples` is unset.
    pub exact_betweenness_limit: usize,
    /// Split clusters larger than this again (levels 1, 2, …).
    pub max_cluster_size: Option<usize>,
    /// How edge weights turn into path lengths for betweenness and closeness.
    pub length: EdgeLength,
    /// The time windows of the trends (articles projection only); `None`
    /// picks quarters, or months for under 18 months of dates.
    pub window: Option<Window>,
}

impl Default for AnalyzeOptions {
    fn default() -> Self {
        AnalyzeOptions {
            method: Method::Leiden,
            objective: Objective::Modularity,
            resolution: 1.0,
            seed: 42,
            measures: Measure::DEFAULT.to_vec(),
            damping: 0.85,
            tolerance: 1e-6,
            samples: None,
            exact_betweenness_limit: 5_000,
            max_cluster_size: None,
            length: EdgeLength::InverseWeight,
            window: None,
        }
    }
}

/// Number of sampled sources when betweenness is sampled by default.
pub const DEFAULT_SAMPLES: usize = 100;

/// Why an analysis could not run.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzeError {
    /// The graph has no nodes.
    #[error("the graph has no nodes")]
    EmptyGraph,
    /// The resolution is negative or not finite.
    #[error("resolution must be a finite number ≥ 0, not {0}")]
    Resolution(f64),
    /// `max_cluster_size` is below 2.
    #[error("--max-cluster-size must be at least 2")]
    MaxClusterSize,
    /// Sampled betweenness scales by `k - 1` sources, so it needs two.
    #[error("--samples must be at least 2, not {0}")]
    Samples(usize),
    /// A centrality measure failed.
    #[error(transparent)]
    Centrality(#[from] CentralityError),
    /// The community method failed.
    #[error(transparent)]
    Community(#[from] CommunityError),
    /// Reading or writing the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Following the trends through time failed.
    #[error(transparent)]
    Trends(#[from] TrackError),
}

/// The clusters of one level of the hierarchy.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// Cluster of each node, `0..count`, numbered by size (largest first).
    pub membership: Vec<u32>,
    /// Number of clusters.
    pub count: usize,
    /// For levels below 0: the cluster of the level above each cluster splits.
    pub parents: Vec<u32>,
    /// Newman's modularity (γ = 1) of the whole level's partition.
    pub modularity: f64,
}

impl Level {
    /// Number of nodes in each cluster.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![0; self.count];
        for &c in &self.membership {
            // Nodes without a cluster (u32::MAX, in stored analyses) count nowhere.
            if let Some(size) = sizes.get_mut(c as usize) {
                *size += 1;
            }
        }
        sizes
    }
}

/// Everything [`analyze`] found.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Nodes of the graph analysed.
    pub node_count: usize,
    /// Edges of the graph analysed.
    pub edge_count: usize,
    /// Each computed measure with one score per node.
    pub measures: Vec<(Measure, Vec<f64>)>,
    /// The cluster hierarchy: level 0 the whole graph, each further level splits clusters above `max_cluster_size`.
    pub levels: Vec<Level>,
    /// Modularity after each pass of the method over the whole graph (Louvain
    /// and Leiden aggregation levels), never decreasing.
    pub passes: Vec<f64>,
    /// Sources betweenness was computed from when it was sampled.
    pub betweenness_samples: Option<usize>,
    /// Iterations PageRank took, when computed.
    pub pagerank_iterations: Option<usize>,
    /// Measures left out because their power iteration did not converge,
    /// with the reason; every other result stands.
    pub skipped: Vec<(Measure, CentralityError)>,
    /// Seconds per step, in the order they ran.
    pub timings: Vec<(&'static str, f64)>,
    /// The trends through time, for an analysis of a store's articles
    /// projection ([`analyze_projection`]).
    pub trends: Option<Tracked>,
    /// Why the articles projection was built from the collection rather
    /// than read from the store ([`crate::graph::stored`]), when it was.
    pub projection_built: Option<String>,
}

impl Analysis {
    /// The scores of measure `m`, one per node, if it was computed.
    pub fn scores(&self, m: Measure) -> Option<&[f64]> {
        self.measures
            .iter()
            .find(|(x, _)| *x == m)
            .map(|(_, v)| v.as_slice())
    }
}

/// Runs the centrality measures and the community method of `options` on `g`.
pub fn analyze(g: &Csr, options: &AnalyzeOptions) -> Result<Analysis, AnalyzeError> {
    if g.node_count() == 0 {
        return Err(AnalyzeError::EmptyGraph);
    }
    check_options(options)?;
    let mut timings = Vec::new();
    let mut timed = |name: &'static str, started: Instant| {
        timings.push((name, started.elapsed().as_secs_f64()));
    };

    let mut measures = Vec::new();
    let mut betweenness_samples = None;
    let mut pagerank_iterations = None;
    let mut skipped = Vec::new();
    let mut wanted = options.measures.clone();
    wanted.sort();
    wanted.dedup();
    for m in wanted {
        let started = Instant::now();
        let scores = measure(
            g,
            m,
            options,
            &mut betweenness_samples,
            &mut pagerank_iterations,
        );
        timed(m.name(), started);
        match scores {
            Ok(scores) => measures.push((m, scores)),
            // A power iteration that does not settle says something about
            // the graph, not about the run: the other results stand.
            Err(e @ CentralityError::NotConverged { .. }) => skipped.push((m, e)),
            Err(e) => return Err(e.into()),
        }
    }

    let started = Instant::now();
    let (top, passes) = detect(g, options)?;
    let mut levels = vec![numbered(g, &top, &[])];
    timed(options.method.name(), started);

    if options.max_cluster_size.is_some() {
        let started = Instant::now();
        split_levels(g, &mut levels, options)?;
        timed("split", started);
    }

    Ok(Analysis {
        node_count: g.node_count(),
        edge_count: g.edge_count(),
        measures,
        levels,
        passes,
        betweenness_samples,
        pagerank_iterations,
        skipped,
        timings,
        trends: None,
        projection_built: None,
    })
}

/// The errors in `options` that [`analyze`] refuses, whatever the graph.
pub(crate) fn check_options(options: &AnalyzeOptions) -> Result<(), AnalyzeError> {
    if !options.resolution.is_finite() || options.resolution < 0.0 {
        return Err(AnalyzeError::Resolution(options.resolution));
    }
    if options.max_cluster_size.is_some_and(|n| n < 2) {
        return Err(AnalyzeError::MaxClusterSize);
    }
    if let Some(k) = options.samples.filter(|&k| k < 2) {
        return Err(AnalyzeError::Samples(k));
    }
    Ok(())
}

/// Leiden's settings from the analysis options.
fn leiden_options(options: &AnalyzeOptions) -> community::LeidenOptions {
    community::LeidenOptions {
        objective: options.objective,
        resolution: options.resolution,
        seed: options.seed,
        ..Default::default()
    }
}

/// Computes one measure on `g`, noting the sampled sources of betweenness and
/// the iterations PageRank took.
fn measure(
    g: &Csr,
    m: Measure,
    options: &AnalyzeOptions,
    betweenness_samples: &mut Option<usize>,
    pagerank_iterations: &mut Option<usize>,
) -> Result<Vec<f64>, CentralityError> {
    Ok(match m {
        Measure::Degree => centrality::degree(g),
        Measure::WeightedDegree => centrality::weighted_degree(g),
        Measure::PageRank => {
            let pr = centrality::pagerank(
                g,
                &centrality::PageRankOptions {
                    damping: options.damping,
                    tolerance: options.tolerance,
                    max_iterations: 1000,
                    weighted: true,
                },
            )?;
            *pagerank_iterations = Some(pr.iterations);
            pr.scores
        }
        Measure::Betweenness => {
            let samples = options
                .samples
                .or((g.node_count() > options.exact_betweenness_limit).then_some(DEFAULT_SAMPLES));
            let samples = samples.filter(|&k| k < g.node_count());
            *betweenness_samples = samples;
            centrality::betweenness(
                g,
                &centrality::BetweennessOptions {
                    normalized: true,
                    length: options.length,
                    samples: samples.map(|sources| centrality::Sampling {
                        sources,
                        seed: options.seed,
                    }),
                },
            )?
        }
        Measure::Closeness => centrality::closeness(
            g,
            &centrality::ClosenessOptions {
                length: options.length,
                wf_improved: true,
            },
        )?,
        Measure::Harmonic => centrality::harmonic(g, options.length)?,
        Measure::Eigenvector => {
            centrality::eigenvector(
                g,
                &centrality::EigenvectorOptions {
                    tolerance: options.tolerance,
                    max_iterations: 1000,
                    weighted: true,
                },
            )?
            .scores
        }
        Measure::CoreNumber => centrality::core_number(g)
            .into_iter()
            .map(f64::from)
            .collect(),
    })
}

/// The community module's method for `options` (components have no
/// splitting method: a connected cluster is one component).
fn community_method(options: &AnalyzeOptions) -> Option<community::Method> {
    match options.method {
        Method::Louvain => Some(community::Method::Louvain(community::LouvainOptions {
            resolution: options.resolution,
            seed: options.seed,
            ..Default::default()
        })),
        Method::Leiden => Some(community::Method::Leiden(leiden_options(options))),
        Method::LabelPropagation => {
            Some(community::Method::LabelPropagation { seed: options.seed })
        }
        Method::Components => None,
    }
}

/// Runs the community method on `g`: a membership and the modularity after
/// each pass over the whole graph (Louvain's levels; one value otherwise).
fn detect(g: &Csr, options: &AnalyzeOptions) -> Result<(Vec<u32>, Vec<f64>), AnalyzeError> {
    let membership = match (options.method, community_method(options)) {
        (Method::Louvain, Some(community::Method::Louvain(louvain))) => {
            let h = community::louvain(g, &louvain)?;
            return Ok((h.best().membership.clone(), h.modularity));
        }
        (_, Some(method)) if g.total_weight() > 0.0 => method.run(g)?.membership,
        // A graph without edges: every node is its own cluster.
        (_, Some(_)) => (0..g.node_count() as u32).collect(),
        (_, None) => community::components(g).membership,
    };
    let q = modularity_of(g, &membership);
    Ok((membership, vec![q]))
}

/// Renumbers a membership by cluster size (largest first, ties by smallest
/// member) and computes its modularity.
fn numbered(g: &Csr, membership: &[u32], parents_of: &[u32]) -> Level {
    let mut level = level_of(g, by_size(membership).0);
    if !parents_of.is_empty() {
        level.parents = vec![0u32; level.count];
        for (node, &c) in level.membership.iter().enumerate() {
            level.parents[c as usize] = parents_of[node];
        }
    }
    level
}

/// `membership` renumbered by cluster size, largest first (ties by first
/// node), and each old number's new one (`u32::MAX` for numbers unused).
pub(crate) fn by_size(membership: &[u32]) -> (Vec<u32>, Vec<u32>) {
    let count = membership
        .iter()
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut size = vec![0usize; count];
    let mut first = vec![u32::MAX; count];
    for (node, &c) in membership.iter().enumerate() {
        size[c as usize] += 1;
        first[c as usize] = first[c as usize].min(node as u32);
    }
    let mut order: Vec<usize> = (0..count).filter(|&c| size[c] > 0).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(size[c]), first[c]));
    let mut rank = vec![u32::MAX; count];
    for (r, &c) in order.iter().enumerate() {
        rank[c] = r as u32;
    }
    let membership = membership.iter().map(|&c| rank[c as usize]).collect();
    (membership, rank)
}

/// The level of the clusters `membership` (already numbered by size) of `g`.
pub(crate) fn level_of(g: &Csr, membership: Vec<u32>) -> Level {
    let count = membership
        .iter()
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    let modularity = modularity_of(g, &membership);
    Level {
        membership,
        count,
        parents: Vec::new(),
        modularity,
    }
}

/// Adds levels below the last of `levels` while clusters larger than
/// `options.max_cluster_size` split.
pub(crate) fn split_levels(
    g: &Csr,
    levels: &mut Vec<Level>,
    options: &AnalyzeOptions,
) -> Result<(), AnalyzeError> {
    let Some(limit) = options.max_cluster_size else {
        return Ok(());
    };
    loop {
        let last = levels.last().expect("level 0 exists");
        let Some(next) = split_level(g, last, limit, options)? else {
            return Ok(());
        };
        levels.push(next);
    }
}

/// The next level: the clusters of `level` larger than `limit` split by the
/// method on their own subgraphs; `None` when nothing splits.
fn split_level(
    g: &Csr,
    level: &Level,
    limit: usize,
    options: &AnalyzeOptions,
) -> Result<Option<Level>, AnalyzeError> {
    let Some(method) = community_method(options) else {
        return Ok(None);
    };
    let partition = community::Partition::from_membership(level.membership.clone());
    let next = community::split_large(g, &partition, limit, &method)?;
    if next.count == partition.count {
        return Ok(None);
    }
    Ok(Some(numbered(g, &next.membership, &level.membership)))
}

/// Newman's modularity (γ = 1); 0 for a graph without edge weight, where it is undefined.
fn modularity_of(g: &Csr, membership: &[u32]) -> f64 {
    if g.total_weight() > 0.0 {
        community::modularity(g, membership, 1.0)
    } else {
        0.0
    }
}
