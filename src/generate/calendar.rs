//! Weekly digest calendar and the planted per-group trajectories that place articles in time.

use rand::Rng;

/// How a group's article rate develops over the generated period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trajectory {
    /// Almost nothing until the last ~15 % of the period, then many articles.
    Emerging,
    /// Rate rising steadily over the period.
    Growing,
    /// Flat rate.
    Stable,
    /// Rate falling steadily over the period.
    Declining,
    /// Flat rate until a planted point (its `Group::active`), then nothing.
    Ended,
}

/// Share of the period (at its end) in which an emerging group takes off.
pub(crate) const EMERGING_WINDOW: f64 = 0.15;
/// Probability that an emerging group's article lands before the window.
const EMERGING_EARLY: f64 = 0.04;
/// Offset of the linear density `a + t` used for growing/declining groups;
/// the rate at the rising end is `(1 + a) / a` times the rate at the other end.
const LINEAR_OFFSET: f64 = 0.15;

impl Trajectory {
    /// All trajectories, in the order they are dealt to groups before shuffling.
    pub(crate) const ALL: [Trajectory; 5] = [
        Trajectory::Emerging,
        Trajectory::Growing,
        Trajectory::Stable,
        Trajectory::Declining,
        Trajectory::Ended,
    ];

    /// The name used in `truth.json`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Trajectory::Emerging => "emerging",
            Trajectory::Growing => "growing",
            Trajectory::Stable => "stable",
            Trajectory::Declining => "declining",
            Trajectory::Ended => "ended",
        }
    }

    /// A position in the period, in `[0, 1)`, drawn from this trajectory's density.
    pub(crate) fn sample<R: Rng>(self, rng: &mut R) -> f64 {
        let t = match self {
            Trajectory::Stable | Trajectory::Ended => rng.random::<f64>(),
            Trajectory::Growing => rising(rng.random::<f64>(), LINEAR_OFFSET),
            Trajectory::Declining => 1.0 - rising(rng.random::<f64>(), LINEAR_OFFSET),
            Trajectory::Emerging => {
                if rng.random_bool(EMERGING_EARLY) {
                    rng.random::<f64>() * (1.0 - EMERGING_WINDOW)
                } else {
                    1.0 - EMERGING_WINDOW + EMERGING_WINDOW * rising(rng.random::<f64>(), 0.5)
                }
            }
        };
        t.clamp(0.0, 1.0 - f64::EPSILON)
    }
}

/// Inverse CDF of the density proportional to `a + t` on `[0, 1]`.
fn rising(u: f64, a: f64) -> f64 {
    -a + (a * a + u * (2.0 * a + 1.0)).sqrt()
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Date {
    pub(crate) year: i32,
    pub(crate) month: u32,
    pub(crate) day: u32,
}

impl Date {
    /// `YYYYMMDD`, as in digest headings and URLs.
    pub(crate) fn compact(self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// `YYYY-MM-DD`, as in `truth.json`.
    pub(crate) fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub(crate) fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    crate::seed::days_from_civil(i64::from(year), month, day)
}

/// Civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> Date {
    let (year, month, day) = crate::seed::civil_from_days(z);
    Date {
        // The year range is validated by the caller, so this fits.
        year: i32::try_from(year).unwrap_or(i32::MAX),
        month,
        day,
    }
}

/// The weekly issue dates of a digest: every Sunday from the first Sunday of
/// `start_year` up to (not including) 1 January of `start_year + years`.
#[derive(Debug, Clone)]
pub(crate) struct Calendar {
    first_day: i64,
    weeks: u32,
}

impl Calendar {
    pub(crate) fn new(start_year: i32, years: u32) -> Self {
        let jan1 = days_from_civil(start_year, 1, 1);
        // 1970-01-01 was a Thursday; weekday 0 is Sunday.
        let weekday = (jan1 + 4).rem_euclid(7);
        let first_day = jan1 + (7 - weekday) % 7;
        let end_year = i64::from(start_year) + i64::from(years);
        let end = days_from_civil(i32::try_from(end_year).unwrap_or(i32::MAX), 1, 1);
        let weeks = u32::try_from(((end - first_day) + 6) / 7).unwrap_or(u32::MAX);
        Calendar { first_day, weeks }
    }

    /// Number of issues in the period.
    pub(crate) fn weeks(&self) -> u32 {
        self.weeks
    }

    /// The issue a period position `t` in `[0, 1)` falls in.
    pub(crate) fn week_of(&self, t: f64) -> u32 {
        // `t` is in [0, 1) and weeks is small, so the product is exact enough.
        let w = (t * f64::from(self.weeks)).floor();
        (w.max(0.0) as u32).min(self.weeks - 1)
    }

    /// The date of issue `week`.
    pub(crate) fn date(&self, week: u32) -> Date {
        civil_from_days(self.first_day + 7 * i64::from(week))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn civil_round_trip() {
        for z in [-800_000_i64, -1, 0, 1, 10_957, 20_000, 2_000_000] {
            let d = civil_from_days(z);
            assert_eq!(days_from_civil(d.year, d.month, d.day), z);
        }
        assert_eq!(civil_from_days(0).iso(), "1970-01-01");
        assert_eq!(days_from_civil(2024, 11, 3), 20_030);
    }

    #[test]
    fn issues_are_sundays_inside_the_period() {
        let cal = Calendar::new(2019, 6);
        assert_eq!(cal.date(0).iso(), "2019-01-06");
        let last = cal.date(cal.weeks() - 1);
        assert_eq!(last.year, 2024);
        assert!(civil_from_days(days_from_civil(last.year, last.month, last.day) + 7).year == 2025);
        // 2024-11-03 (the sample's issue) is a Sunday in this calendar.
        let sample = (days_from_civil(2024, 11, 3) - days_from_civil(2019, 1, 6)) % 7;
        assert_eq!(sample, 0);
    }

    #[test]
    fn trajectories_have_their_shape() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let n = 20_000;
        let late = |tr: Trajectory, rng: &mut ChaCha8Rng| {
            (0..n).filter(|_| tr.sample(rng) >= 0.85).count() as f64 / n as f64
        };
        let first_half = |tr: Trajectory, rng: &mut ChaCha8Rng| {
            (0..n).filter(|_| tr.sample(rng) < 0.5).count() as f64 / n as f64
        };
        assert!(late(Trajectory::Emerging, &mut rng) > 0.9);
        assert!((late(Trajectory::Stable, &mut rng) - 0.15).abs() < 0.02);
        assert!(first_half(Trajectory::Growing, &mut rng) < 0.35);
        assert!(first_half(Trajectory::Declining, &mut rng) > 0.65);
    }
}
