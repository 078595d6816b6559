//! Bursts of a concept's share of the articles: Kleinberg's two-state automaton over months.
//!
//! A concept (theme, keyword, driving force) is *bursting* while it appears
//! in a clearly larger share of each month's articles than it does overall.
//! Following Kleinberg ("Bursty and Hierarchical Structure in Streams",
//! KDD 2002, section 4, the enumeration of bursts over batches), month `t`
//! has `d_t` articles of which `r_t` carry the concept, and the automaton has
//! a base state with rate `p0 = Σr / Σd` and a burst state whose odds are
//! `s` times the base odds, `p1 = s·p0 / (1 − p0 + s·p0)` (Kleinberg
//! multiplies the rate, `s·p0`, which is the same for rare concepts but
//! leaves a concept in more than `1/s` of the articles no burst state). Staying in a state for month `t` costs
//! `-ln(p^r (1-p)^(d-r))` (the binomial coefficient is the same in both
//! states and drops out); entering the burst state costs `γ · ln n` for `n`
//! months, leaving it is free. The cheapest state sequence (Viterbi) marks
//! the bursts: each maximal run of burst months is one burst, weighted by
//! how much cheaper the burst state made its months (Kleinberg's weight,
//! `Σ cost0 − cost1`). With the defaults `s = 6` and `γ = 1.5` a concept
//! must multiply its share about six times, for a stretch of months long or
//! strong enough to pay one and a half times the usual price for the move.
//! Chosen on generated collections (tests/lineage.rs; BENCHMARKS.md has the
//! sweep): Kleinberg's own `s = 2`, `γ = 1` flagged chance wobbles of monthly
//! shares; `γ = 2` missed planted bursts of 8–13 weeks at 1k articles (14 of
//! 24 found on seeds never used to choose), `s = 6`, `γ = 1.5` found 22 of
//! those 24 with 95 % of what it reported explained.
//!
//! Cost: O(n) per concept.

/// The automaton's settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurstOptions {
    /// How many times the base rate the burst state's rate is (`s`, > 1).
    pub scale: f64,
    /// The cost of entering the burst state, in units of `ln n` (`γ`, ≥ 0).
    pub gamma: f64,
    /// Fewest articles with the concept inside a burst for it to count;
    /// a burst of one or two articles is chance, not news.
    pub min_articles: u32,
}

impl Default for BurstOptions {
    fn default() -> BurstOptions {
        BurstOptions {
            scale: 6.0,
            gamma: 1.5,
            min_articles: 3,
        }
    }
}

/// One burst: months `start..=end` (indices into the series) and its weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Burst {
    /// First month of the burst.
    pub start: usize,
    /// Last month of the burst (inclusive).
    pub end: usize,
    /// How much cheaper the burst state made these months (≥ 0); larger is stronger.
    pub weight: f64,
    /// Articles with the concept in these months.
    pub articles: u32,
}

/// The bursts of a concept: `relevant[t]` of `total[t]` articles in month `t`.
///
/// Months without articles cost nothing in either state. A concept present
/// in every article (or none) has no burst.
pub fn bursts(relevant: &[u32], total: &[u32], options: &BurstOptions) -> Vec<Burst> {
    assert_eq!(relevant.len(), total.len(), "one count per month");
    let n = total.len();
    let r_sum: u64 = relevant.iter().map(|&r| u64::from(r)).sum();
    let d_sum: u64 = total.iter().map(|&d| u64::from(d)).sum();
    if n == 0 || r_sum == 0 || r_sum >= d_sum {
        return Vec::new();
    }
    let p0 = r_sum as f64 / d_sum as f64;
    // s times the odds rather than s times the rate, so that a concept
    // already in a large share of the articles can still burst (6 × 20 %
    // is no rate); for rare concepts the two agree.
    let p1 = options.scale * p0 / (1.0 - p0 + options.scale * p0);
    if p1 <= p0 {
        return Vec::new();
    }
    let cost = |p: f64, t: usize| {
        let (r, d) = (f64::from(relevant[t]), f64::from(total[t]));
        -(r * p.ln() + (d - r) * (1.0 - p).ln())
    };
    let enter = options.gamma * (n as f64).ln();
    let states = viterbi(n, |t| cost(p0, t), |t| cost(p1, t), enter);
    let mut found = Vec::new();
    let mut t = 0;
    while t < n {
        if !states[t] {
            t += 1;
            continue;
        }
        let start = t;
        while t < n && states[t] {
            t += 1;
        }
        let end = t - 1;
        let weight: f64 = (start..=end).map(|m| cost(p0, m) - cost(p1, m)).sum();
        let articles: u32 = relevant[start..=end].iter().sum();
        if articles >= options.min_articles && weight > 0.0 {
            found.push(Burst {
                start,
                end,
                weight,
                articles,
            });
        }
    }
    found
}

/// The cheapest two-state sequence (`true` = burst) for month costs
/// `base(t)` and `burst(t)`, entering the burst state costing `enter`.
/// The sequence starts in the base state; ties keep the base state.
fn viterbi(
    n: usize,
    base: impl Fn(usize) -> f64,
    burst: impl Fn(usize) -> f64,
    enter: f64,
) -> Vec<bool> {
    // best[s]: cheapest cost of months 0..=t ending in state s; from[t][s]:
    // the state of month t-1 on that path.
    let mut best = [base(0), enter + burst(0)];
    let mut from = vec![[false, false]; n];
    for (t, from_t) in from.iter_mut().enumerate().skip(1) {
        let to_base = if best[1] < best[0] {
            (best[1], true)
        } else {
            (best[0], false)
        };
        let stay_or_enter = if best[1] < best[0] + enter {
            (best[1], true)
        } else {
            (best[0] + enter, false)
        };
        *from_t = [to_base.1, stay_or_enter.1];
        best = [to_base.0 + base(t), stay_or_enter.0 + burst(t)];
    }
    let mut states = vec![false; n];
    let mut state = best[1] < best[0];
    for t in (0..n).rev() {
        states[t] = state;
        state = from[t][usize::from(state)];
    }
    states
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(n: usize, d: u32) -> Vec<u32> {
        vec![d; n]
    }

    #[test]
    fn a_steady_share_has_no_burst() {
        let total = flat(24, 50);
        let relevant = flat(24, 5);
        assert!(bursts(&relevant, &total, &BurstOptions::default()).is_empty());
    }

    #[test]
    fn a_planted_burst_is_found_where_it_was_planted() {
        let total = flat(36, 100);
        let mut relevant = flat(36, 2);
        for r in &mut relevant[20..26] {
            *r = 20;
        }
        let found = bursts(&relevant, &total, &BurstOptions::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].start, found[0].end), (20, 25));
        assert!(found[0].weight > 0.0);
        assert_eq!(found[0].articles, 120);
    }

    #[test]
    fn a_single_busy_month_with_few_articles_is_not_a_burst() {
        let total = flat(24, 10);
        let mut relevant = vec![0; 24];
        relevant[10] = 2;
        assert!(bursts(&relevant, &total, &BurstOptions::default()).is_empty());
    }

    #[test]
    fn empty_months_and_edge_cases_are_handled() {
        assert!(bursts(&[], &[], &BurstOptions::default()).is_empty());
        assert!(bursts(&[5, 5], &[5, 5], &BurstOptions::default()).is_empty());
        let total = [0, 0, 40, 40, 40, 0, 40, 40, 40, 40];
        let relevant = [0, 0, 1, 1, 1, 0, 30, 30, 1, 1];
        let found = bursts(&relevant, &total, &BurstOptions::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].start, found[0].end), (6, 7));
    }

    #[test]
    fn two_separate_bursts_stay_two() {
        let total = flat(48, 60);
        let mut relevant = flat(48, 1);
        for t in (5..9).chain(30..34) {
            relevant[t] = 15;
        }
        let found = bursts(&relevant, &total, &BurstOptions::default());
        let spans: Vec<_> = found.iter().map(|b| (b.start, b.end)).collect();
        assert_eq!(spans, vec![(5, 8), (30, 33)]);
    }
}
