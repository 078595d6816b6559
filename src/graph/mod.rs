//! Graph views for analysis: the CSR layout the algorithms read, the projections, and the articles projection kept in the store.

pub mod csr;
pub mod edgelist;

pub use csr::{Csr, NodeId};
pub mod projection;
pub mod stored;

pub use projection::{
    Edge, EdgeKind, NodeKind, NodeRef, ProjectedGraph, Projection, ProjectionOptions,
};
