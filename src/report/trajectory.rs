//! Articles per quarter and the trajectory status of a cluster (emerging, growing, stable, declining).
//!
//! The rule works on the dates of a cluster's articles, placed in the
//! collection's dated period (first to last article date) as positions from
//! 0 (the first date) to 1 (the last):
//!
//! 1. **unknown** when the cluster has fewer than [`MIN_DATED`] dated articles
//!    or the period is shorter than [`MIN_PERIOD_DAYS`] days: too little to
//!    tell a trend from chance;
//! 2. **dormant** when none of its dated articles falls in the last
//!    [`DORMANT_AFTER`] windows of the period (the trends' windows:
//!    quarters, or months for a period under 18 months): it has stopped, and
//!    is not merely declining;
//! 3. **emerging** when at least [`EMERGING_SHARE`] (two thirds) of its dated
//!    articles fall in the most recent [`RECENT_FRACTION`] (25 %) of the
//!    period: it barely existed before;
//! 4. **growing** when its mean position is at least `0.5 + TREND_MARGIN`
//!    (0.56): its articles lean towards the end of the period;
//! 5. **declining** when its mean position is at most `0.5 - TREND_MARGIN`
//!    (0.44);
//! 6. **stable** otherwise.
//!
//! The mean position is the statistic a test for a rising or falling rate
//! rests on (a flat rate puts it at 0.5, a rate rising linearly from r to
//! 7.7 r at 0.63), and the margin is about halfway between the two. The
//! status describes the cluster's own rate over the collection's period, not
//! its share of a collection whose volume may change: the collection's own
//! articles per quarter are shown beside it.

use crate::seed::Date;
pub use crate::seed::{date_of_day, day_number};
pub use crate::trends::lineage::DORMANT_AFTER;
use crate::trends::windows::Window;
use serde::{Deserialize, Serialize};

/// Fewest dated articles a cluster needs for a status.
pub const MIN_DATED: usize = 5;
/// Shortest dated period (first to last article) a status needs.
pub const MIN_PERIOD_DAYS: i64 = 90;
/// The recent part of the period, as a fraction of it.
pub const RECENT_FRACTION: f64 = 0.25;
/// Share of a cluster's dated articles in the recent part that makes it emerging.
pub const EMERGING_SHARE: f64 = 2.0 / 3.0;
/// How far from 0.5 the mean position must be for growing or declining.
pub const TREND_MARGIN: f64 = 0.06;

/// Where a cluster is heading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Most of its articles are recent: it barely existed before.
    Emerging,
    /// Its articles lean towards the end of the period.
    Growing,
    /// Neither growing nor declining.
    Stable,
    /// Its articles lean towards the start of the period.
    Declining,
    /// No article in the last windows of the period: it has stopped.
    Dormant,
    /// Too few dated articles, or too short a period, to tell.
    Unknown,
}

impl Status {
    /// Every status, in report order.
    pub const ALL: [Status; 6] = [
        Status::Emerging,
        Status::Growing,
        Status::Stable,
        Status::Declining,
        Status::Dormant,
        Status::Unknown,
    ];

    /// The lowercase name (`emerging`, …).
    pub fn name(self) -> &'static str {
        match self {
            Status::Emerging => "emerging",
            Status::Growing => "growing",
            Status::Stable => "stable",
            Status::Declining => "declining",
            Status::Dormant => "dormant",
            Status::Unknown => "unknown",
        }
    }

    /// A one-character sign for tables: ✦ ↗ → ↘ ‖ ? (in common fonts)
    pub fn symbol(self) -> &'static str {
        match self {
            Status::Emerging => "✦",
            Status::Growing => "↗",
            Status::Stable => "→",
            Status::Declining => "↘",
            Status::Dormant => "‖",
            Status::Unknown => "?",
        }
    }
}

/// The calendar quarter of a date, counted from year 0 (`year * 4 + q`).
pub fn quarter_index(d: Date) -> i64 {
    i64::from(d.year) * 4 + i64::from((d.month.max(1) - 1) / 3)
}

/// `2024 Q3`.
pub fn quarter_label(index: i64) -> String {
    format!("{} Q{}", index.div_euclid(4), index.rem_euclid(4) + 1)
}

/// The collection's dated period: its first and last article dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// The first article date.
    pub first: Date,
    /// The last article date.
    pub last: Date,
}

impl Period {
    /// The period spanned by `dates`, if there are any.
    pub fn of(dates: impl IntoIterator<Item = Date>) -> Option<Period> {
        let mut range: Option<(Date, Date)> = None;
        for d in dates {
            range = Some(match range {
                None => (d, d),
                Some((a, b)) => (a.min(d), b.max(d)),
            });
        }
        range.map(|(first, last)| Period { first, last })
    }

    /// Days from the first date to the last.
    pub fn days(&self) -> i64 {
        day_number(self.last) - day_number(self.first)
    }

    /// Where `d` falls: 0 at the first date, 1 at the last (0 for a one-day period).
    pub fn position(&self, d: Date) -> f64 {
        let days = self.days();
        if days <= 0 {
            return 0.0;
        }
        (day_number(d) - day_number(self.first)) as f64 / days as f64
    }

    /// The first day of the last [`DORMANT_AFTER`] windows of the period.
    pub fn dormant_since(&self) -> Date {
        let spans = Window::auto(self.first, self.last).cover(self.first, self.last);
        spans
            .len()
            .checked_sub(DORMANT_AFTER)
            .map_or(self.first, |i| spans[i].first_date())
    }

    /// The first day of the recent part of the period.
    pub fn recent_since(&self) -> Date {
        let offset = (self.days() as f64 * (1.0 - RECENT_FRACTION)).ceil() as i64;
        date_of_day(day_number(self.first) + offset)
    }

    /// Quarters from the first date's to the last date's, inclusive.
    pub fn quarters(&self) -> std::ops::RangeInclusive<i64> {
        quarter_index(self.first)..=quarter_index(self.last)
    }
}

/// A cluster's status and the numbers behind it.
#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    /// The status.
    pub status: Status,
    /// Why, in words, with the numbers.
    pub reason: String,
    /// Share of the dated articles in the recent part of the period.
    pub recent_share: Option<f64>,
    /// Mean position of the dated articles in the period (0.5 for a flat rate).
    pub mean_position: Option<f64>,
}

/// The status of a cluster whose articles have `dates`, in the collection's `period`.
pub fn trend(period: Option<&Period>, dates: &[Date]) -> Trend {
    let unknown = |reason: String| Trend {
        status: Status::Unknown,
        reason,
        recent_share: None,
        mean_position: None,
    };
    let Some(period) = period else {
        return unknown("the collection has no dated articles".into());
    };
    if period.days() < MIN_PERIOD_DAYS {
        return unknown(format!(
            "the collection's dated period is {} days (at least {MIN_PERIOD_DAYS} needed)",
            period.days()
        ));
    }
    let n = dates.len();
    if n < MIN_DATED {
        return unknown(match n {
            0 => "no dated articles".to_string(),
            1 => format!("only 1 dated article (at least {MIN_DATED} needed)"),
            n => format!("only {n} dated articles (at least {MIN_DATED} needed)"),
        });
    }
    let positions: Vec<f64> = dates.iter().map(|&d| period.position(d)).collect();
    let since = period.recent_since();
    let recent = dates.iter().filter(|&&d| d >= since).count();
    let recent_share = recent as f64 / n as f64;
    let mean = positions.iter().sum::<f64>() / n as f64;
    let quiet_since = period.dormant_since();
    let latest = dates.iter().max().copied().unwrap_or(period.first);
    let (status, reason) = if latest < quiet_since && quiet_since > period.first {
        (
            Status::Dormant,
            format!("no article since {latest}, none in the last {DORMANT_AFTER} windows (from {quiet_since})"),
        )
    } else if recent_share >= EMERGING_SHARE {
        (
            Status::Emerging,
            format!(
                "{recent} of {n} dated articles ({}) since {since}, the last {} of the period (emerging from {})",
                percent(recent_share),
                percent(RECENT_FRACTION),
                percent(EMERGING_SHARE)
            ),
        )
    } else if mean >= 0.5 + TREND_MARGIN {
        (
            Status::Growing,
            format!(
                "articles lean late: mean date at {} of the period (growing from {})",
                percent(mean),
                percent(0.5 + TREND_MARGIN)
            ),
        )
    } else if mean <= 0.5 - TREND_MARGIN {
        (
            Status::Declining,
            format!(
                "articles lean early: mean date at {} of the period (declining up to {})",
                percent(mean),
                percent(0.5 - TREND_MARGIN)
            ),
        )
    } else {
        (
            Status::Stable,
            format!(
                "articles spread evenly: mean date at {} of the period (stable between {} and {})",
                percent(mean),
                percent(0.5 - TREND_MARGIN),
                percent(0.5 + TREND_MARGIN)
            ),
        )
    };
    Trend {
        status,
        reason,
        recent_share: Some(recent_share),
        mean_position: Some(mean),
    }
}

/// `42 %`, rounded to a whole percent.
pub fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

/// The rule in one paragraph, for the report.
pub fn rule_text() -> String {
    format!(
        "Each cluster's dated articles are placed in the collection's dated period, from 0 (first date) to 1 (last date). \
         A cluster is dormant when none of them falls in the last {DORMANT_AFTER} time windows of the period (quarters, or months \
         for a period under 18 months); otherwise emerging when at least {} of them fall in the last {} of the period; otherwise growing when their \
         mean position is at least {:.2}, declining when it is at most {:.2}, and stable in between. With fewer than \
         {MIN_DATED} dated articles, or a period shorter than {MIN_PERIOD_DAYS} days, the status is unknown.",
        percent(EMERGING_SHARE),
        percent(RECENT_FRACTION),
        0.5 + TREND_MARGIN,
        0.5 - TREND_MARGIN
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        Date::from_yyyymmdd(&s.replace('-', "")).unwrap()
    }

    #[test]
    fn day_numbers_round_trip() {
        for s in ["1970-01-01", "2000-02-29", "2023-12-31", "2024-03-01"] {
            let d = date(s);
            assert_eq!(date_of_day(day_number(d)), d, "{s}");
        }
        assert_eq!(day_number(date("1970-01-02")), 1);
    }

    #[test]
    fn quarters_are_labelled() {
        assert_eq!(quarter_label(quarter_index(date("2024-08-18"))), "2024 Q3");
        assert_eq!(quarter_label(quarter_index(date("2024-01-01"))), "2024 Q1");
    }

    #[test]
    fn the_rule_recognises_each_shape() {
        let period = Period {
            first: date("2020-01-01"),
            last: date("2023-12-31"),
        };
        let at = |t: f64| date_of_day(day_number(period.first) + (t * period.days() as f64) as i64);
        let dates = |ts: &[f64]| ts.iter().map(|&t| at(t)).collect::<Vec<_>>();
        let status = |ts: &[f64]| trend(Some(&period), &dates(ts)).status;
        assert_eq!(
            status(&[0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]),
            Status::Stable
        );
        assert_eq!(
            status(&[0.3, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95]),
            Status::Growing
        );
        assert_eq!(
            status(&[0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.92]),
            Status::Declining
        );
        // Nothing in the last two quarters (from 2023-07-01): dormant, not declining.
        let stopped = trend(Some(&period), &dates(&[0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6]));
        assert_eq!(stopped.status, Status::Dormant);
        assert!(stopped.reason.contains("2023-07-01"), "{}", stopped.reason);
        assert_eq!(
            status(&[0.2, 0.8, 0.85, 0.9, 0.95, 0.97, 1.0]),
            Status::Emerging
        );
        assert_eq!(status(&[0.9, 0.95]), Status::Unknown);
        let short = Period {
            first: date("2020-01-01"),
            last: date("2020-02-01"),
        };
        let t = trend(Some(&short), &[short.first; 6]);
        assert_eq!(t.status, Status::Unknown);
        assert!(t.reason.contains("31 days"), "{}", t.reason);
        assert_eq!(trend(None, &[]).status, Status::Unknown);
    }
}
