//! Graph views for analysis: the CSR layout the algorithms read.

pub mod csr;
pub mod edgelist;

pub use csr::{Csr, NodeId};
pub mod projection;

pub use projection::{
    Edge, EdgeKind, NodeKind, NodeRef, ProjectedGraph, Projection, ProjectionOptions,
};
