//! The report as JSON for machines: the [`Report`] model with stable keys, pretty-printed.
//!
//! The keys are documented in `docs/report.schema.json` (JSON Schema) and
//! README.md. Numbers are written by serde_json (shortest round-trip form of
//! values already rounded to 6 significant digits), so the same report
//! always gives the same bytes.

use super::Report;
use std::io::{self, Write};

/// Writes `report` as pretty JSON with a final newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(report).map_err(io::Error::other)?;
    bytes.push(b'\n');
    out.write_all(&bytes)
}
