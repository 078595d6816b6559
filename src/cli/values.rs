//! Parsers for flags that take one of a library enum's names, so clap lists
//! the names in help and completions and refuses others with exit status 2.

use clap::builder::{PossibleValuesParser, TypedValueParser};

/// A parser accepting `name(v)` for each `v` of `all`, into `v`.
pub fn named<T>(all: &'static [T], name: fn(T) -> &'static str) -> impl TypedValueParser<Value = T>
where
    T: Copy + Send + Sync + 'static,
{
    PossibleValuesParser::new(all.iter().map(|&v| name(v))).map(move |s: String| {
        all.iter()
            .copied()
            .find(|&v| name(v) == s)
            .expect("clap accepts only the possible values")
    })
}
