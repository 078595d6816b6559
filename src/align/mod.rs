//! Concept alignment: variants of one concept (spellings, plurals, abbreviations) become one concept.

pub mod abbreviation;
pub mod spelling;
