//! Time windows over a collection's digest dates: months, quarters, years or N days.
//!
//! Calendar windows (month, quarter, year) start on the first day of the
//! period holding the earliest date, so every window is a whole calendar
//! period and two collections share window boundaries. `Nd` windows start
//! on the earliest date. The last window is the one holding the latest date.
//! [`Window::auto`] picks quarters, or months when the dated span is under
//! 18 months (too few quarters to see a change).

use crate::seed::{civil_from_days, date_of_day, day_number, days_from_civil, Date};
use std::fmt;
use std::str::FromStr;

/// How long a window is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Window {
    /// Calendar months.
    Month,
    /// Calendar quarters (January, April, July, October).
    Quarter,
    /// Calendar years.
    Year,
    /// Runs of this many days from the earliest date (≥ 1).
    Days(u32),
}

/// Spans shorter than this many months get monthly windows under [`Window::auto`].
pub const MONTHLY_BELOW_MONTHS: i64 = 18;

impl Window {
    /// Quarters, or months for a span (earliest to latest date) under 18 months.
    pub fn auto(first: Date, last: Date) -> Window {
        let months = month_index(last) - month_index(first) + 1;
        if months < MONTHLY_BELOW_MONTHS {
            Window::Month
        } else {
            Window::Quarter
        }
    }

    /// The windows covering `first..=last`, in order.
    pub fn cover(self, first: Date, last: Date) -> Vec<Span> {
        let (first_day, last_day) = (day_number(first), day_number(last));
        let mut spans = Vec::new();
        let mut start = match self {
            Window::Days(_) => first_day,
            Window::Month => day_of_month(month_index(first)),
            Window::Quarter => day_of_month(month_index(first) / 3 * 3),
            Window::Year => day_of_month(i64::from(first.year) * 12),
        };
        while start <= last_day {
            let next = match self {
                Window::Days(n) => start + i64::from(n.max(1)),
                Window::Month => day_of_month(month_of_day(start) + 1),
                Window::Quarter => day_of_month(month_of_day(start) + 3),
                Window::Year => day_of_month(month_of_day(start) + 12),
            };
            spans.push(Span { start, next });
            start = next;
        }
        spans
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Window::Month => f.write_str("month"),
            Window::Quarter => f.write_str("quarter"),
            Window::Year => f.write_str("year"),
            Window::Days(n) => write!(f, "{n}d"),
        }
    }
}

impl FromStr for Window {
    type Err = String;

    /// `month`, `quarter`, `year` or `Nd` (N from 1 to 3660).
    fn from_str(s: &str) -> Result<Window, String> {
        match s {
            "month" => Ok(Window::Month),
            "quarter" => Ok(Window::Quarter),
            "year" => Ok(Window::Year),
            _ => s
                .strip_suffix('d')
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (1..=3660).contains(n))
                .map(Window::Days)
                .ok_or_else(|| {
                    format!("`{s}`: give month, quarter, year or a number of days like 90d")
                }),
        }
    }
}

/// One window: the days `start..next` (day numbers since 1970-01-01).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First day of the window.
    pub start: i64,
    /// First day after the window.
    pub next: i64,
}

impl Span {
    /// Whether `date` falls in the window.
    pub fn contains(&self, date: Date) -> bool {
        (self.start..self.next).contains(&day_number(date))
    }

    /// The first day.
    pub fn first_date(&self) -> Date {
        date_of_day(self.start)
    }

    /// The last day (inclusive).
    pub fn last_date(&self) -> Date {
        date_of_day(self.next - 1)
    }
}

/// The index of the window of `spans` holding `date`, if any.
pub fn window_of(spans: &[Span], date: Date) -> Option<usize> {
    let d = day_number(date);
    let i = spans.partition_point(|s| s.next <= d);
    (i < spans.len() && spans[i].start <= d).then_some(i)
}

/// Months since year 0 (`year * 12 + month - 1`).
fn month_index(d: Date) -> i64 {
    i64::from(d.year) * 12 + i64::from(d.month.max(1) - 1)
}

fn day_of_month(month: i64) -> i64 {
    days_from_civil(month.div_euclid(12), (month.rem_euclid(12) + 1) as u32, 1)
}

fn month_of_day(z: i64) -> i64 {
    let (year, month, _) = civil_from_days(z);
    year * 12 + i64::from(month) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::from_yyyymmdd(s).unwrap()
    }

    #[test]
    fn quarters_are_calendar_quarters() {
        let spans = Window::Quarter.cover(d("20240215"), d("20241001"));
        let shown: Vec<_> = spans
            .iter()
            .map(|s| format!("{}..{}", s.first_date(), s.last_date()))
            .collect();
        assert_eq!(
            shown,
            [
                "2024-01-01..2024-03-31",
                "2024-04-01..2024-06-30",
                "2024-07-01..2024-09-30",
                "2024-10-01..2024-12-31"
            ]
        );
        assert_eq!(window_of(&spans, d("20240630")), Some(1));
        assert_eq!(window_of(&spans, d("20240701")), Some(2));
        assert_eq!(window_of(&spans, d("20231231")), None);
        assert_eq!(window_of(&spans, d("20250101")), None);
    }

    #[test]
    fn months_years_and_days() {
        let months = Window::Month.cover(d("20231215"), d("20240201"));
        assert_eq!(months.len(), 3);
        assert_eq!(months[1].first_date(), d("20240101"));
        assert_eq!(months[1].last_date(), d("20240131"));
        let years = Window::Year.cover(d("20220601"), d("20240101"));
        assert_eq!(years.len(), 3);
        assert_eq!(years[2].first_date(), d("20240101"));
        let days = Window::Days(10).cover(d("20240105"), d("20240125"));
        assert_eq!(days.len(), 3);
        assert_eq!(days[2].first_date(), d("20240125"));
        assert_eq!(Window::Month.cover(d("20240105"), d("20240105")).len(), 1);
    }

    #[test]
    fn auto_picks_months_for_short_spans() {
        assert_eq!(Window::auto(d("20240101"), d("20250531")), Window::Month);
        assert_eq!(Window::auto(d("20240101"), d("20250601")), Window::Quarter);
    }

    #[test]
    fn names_parse_back() {
        for w in [
            Window::Month,
            Window::Quarter,
            Window::Year,
            Window::Days(90),
        ] {
            assert_eq!(w.to_string().parse::<Window>(), Ok(w));
        }
        assert!("0d".parse::<Window>().is_err());
        assert!("week".parse::<Window>().is_err());
    }
}
