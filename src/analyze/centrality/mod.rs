//! Centrality measures over a [`crate::graph::Csr`].
