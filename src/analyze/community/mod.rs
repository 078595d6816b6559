//! Community detection over a [`crate::graph::Csr`].
