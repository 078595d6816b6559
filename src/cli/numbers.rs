//! Range-checked parsers for the numeric flags: a value out of range is a
//! usage error from clap (exit 2) instead of a panic or an overflow later.
//!
//! Integer flags use clap's ranged parsers directly; floats go through
//! [`float`], which also refuses NaN and infinities.

use clap::builder::{RangedU64ValueParser, TypedValueParser};

/// A float parser accepting `min..=max` (or `min < x <= max` when `above_min`).
pub fn float(
    min: f64,
    max: f64,
    above_min: bool,
) -> impl Fn(&str) -> Result<f64, String> + Clone + Send + Sync + 'static {
    move |s: &str| {
        let v: f64 = s
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a number"))?;
        let low_ok = if above_min { v > min } else { v >= min };
        if v.is_finite() && low_ok && v <= max {
            Ok(v)
        } else {
            let low = if above_min { "above" } else { "at least" };
            Err(format!("give a number {low} {min} and at most {max}"))
        }
    }
}

/// An unsigned integer parser for `min..=max`, into `usize` or `u64`.
pub fn count<T>(min: u64, max: u64) -> impl TypedValueParser<Value = T>
where
    T: TryFrom<u64> + Clone + Send + Sync + 'static,
    <T as TryFrom<u64>>::Error: std::error::Error + Send + Sync + 'static,
{
    RangedU64ValueParser::<T>::new().range(min..=max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_refuse_non_finite_and_out_of_range_values() {
        let p = float(0.0, 86_400.0, true);
        assert_eq!(p("30"), Ok(30.0));
        assert_eq!(p("0.5"), Ok(0.5));
        for bad in ["0", "-1", "1e300", "NaN", "inf", "-inf", "", "x", "86401"] {
            assert!(p(bad).is_err(), "{bad}");
        }
        let q = float(0.0, 1.0, false);
        assert_eq!(q("0"), Ok(0.0));
        assert!(q("-0.1").is_err());
    }
}
