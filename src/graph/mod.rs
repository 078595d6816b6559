//! Graph views for analysis: the CSR layout the algorithms read, the projections, and what the store keeps for analyses (the articles projection and the article index).

pub mod article_index;
pub mod csr;
pub mod edgelist;

pub use csr::{Csr, NodeId};
pub mod projection;
pub mod stored;

pub use projection::{
    Edge, EdgeKind, NodeKind, NodeRef, ProjectedGraph, Projection, ProjectionOptions,
};
