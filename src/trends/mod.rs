//! Trends over time: stable trend identities, windows, lineage, bursts and the strategic diagram.
//!
//! The pieces, each a pure function of counts and labels, so that `analyze`,
//! the report and the exports share one reading of time:
//! [`windows`] cuts the dated period into months, quarters, years or N-day
//! spans; [`matching`] decides which new cluster continues which earlier
//! trend; [`bursts`] finds the months where a concept's share jumps
//! (Kleinberg's automaton); [`strategic`] places a trend on Callon's
//! strategic diagram.

pub mod bursts;
pub mod concept_bursts;
pub mod history;
pub mod idf;
pub mod lineage;
pub mod matching;
pub mod refine;
pub mod state;
pub mod strategic;
pub mod track;
pub mod windows;
