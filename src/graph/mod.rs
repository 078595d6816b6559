//! Graph views for analysis: the CSR layout the algorithms read.

pub mod csr;

pub use csr::{Csr, NodeId};
