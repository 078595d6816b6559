//! Analysis of graph views: centrality and community detection.

pub mod centrality;
pub mod community;
