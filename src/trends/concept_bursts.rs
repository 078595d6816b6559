//! The bursts of every concept of a collection: themes, keywords and driving forces, month by month.
//!
//! Each concept's series is the number of dated articles naming it per
//! calendar month, from the collection's first dated month to its last,
//! against all dated articles per month; [`super::bursts::bursts`] finds its
//! bursts. A burst is *bursting now* when it reaches the last month.

use super::bursts::{bursts, BurstOptions};
use crate::graph::projection::article_concepts;
use crate::model::{Collection, ConceptId};
use crate::seed::Date;

/// One burst of one concept.
#[derive(Clone, Debug, PartialEq)]
pub struct ConceptBurst {
    /// The concept (index into [`Collection::concepts`]).
    pub concept: ConceptId,
    /// First day of the burst's first month.
    pub start: Date,
    /// Last day of the burst's last month.
    pub end: Date,
    /// Kleinberg's weight: how much cheaper the burst state made these months.
    pub weight: f64,
    /// Whether the burst reaches the collection's last month.
    pub now: bool,
    /// The articles naming the concept in those months (indices, by date then id).
    pub articles: Vec<u32>,
}

/// Every burst of every concept, strongest first (ties by concept, then start).
pub fn concept_bursts(c: &Collection, options: &BurstOptions) -> Vec<ConceptBurst> {
    let months: Vec<Option<i64>> = c
        .articles
        .iter()
        .map(|a| a.article.date.map(month_index))
        .collect();
    let (Some(first), Some(last)) = (
        months.iter().flatten().min().copied(),
        months.iter().flatten().max().copied(),
    ) else {
        return Vec::new();
    };
    let span = (last - first + 1) as usize;
    let mut total = vec![0u32; span];
    for m in months.iter().flatten() {
        total[(m - first) as usize] += 1;
    }
    let concepts_of = article_concepts(c);
    let mut articles_of: Vec<Vec<u32>> = vec![Vec::new(); c.concepts.len()];
    for (a, ids) in concepts_of.iter().enumerate() {
        if months[a].is_some() {
            for &id in ids {
                articles_of[id].push(a as u32);
            }
        }
    }
    let mut found = Vec::new();
    let mut relevant = vec![0u32; span];
    for (concept, articles) in articles_of.iter().enumerate() {
        if articles.len() < options.min_articles as usize {
            continue;
        }
        relevant.iter_mut().for_each(|r| *r = 0);
        for &a in articles {
            let m = months[a as usize].expect("dated");
            relevant[(m - first) as usize] += 1;
        }
        for b in bursts(&relevant, &total, options) {
            let (from, to) = (first + b.start as i64, first + b.end as i64);
            let mut members: Vec<u32> = articles
                .iter()
                .copied()
                .filter(|&a| (from..=to).contains(&months[a as usize].expect("dated")))
                .collect();
            members.sort_by(|&x, &y| {
                let (x, y) = (
                    &c.articles[x as usize].article,
                    &c.articles[y as usize].article,
                );
                (x.date, &x.id).cmp(&(y.date, &y.id))
            });
            found.push(ConceptBurst {
                concept,
                start: first_day(from),
                end: last_day(to),
                weight: b.weight,
                now: b.end + 1 == span,
                articles: members,
            });
        }
    }
    found.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.concept.cmp(&y.concept))
            .then(x.start.cmp(&y.start))
    });
    found
}

/// Months since year 0.
fn month_index(d: Date) -> i64 {
    i64::from(d.year) * 12 + i64::from(d.month.max(1) - 1)
}

fn first_day(month: i64) -> Date {
    Date {
        year: month.div_euclid(12).clamp(1, 9999) as u16,
        month: (month.rem_euclid(12) + 1) as u8,
        day: 1,
    }
}

fn last_day(month: i64) -> Date {
    let next = first_day(month + 1);
    let z = crate::seed::days_from_civil(i64::from(next.year), u32::from(next.month), 1) - 1;
    let (year, m, day) = crate::seed::civil_from_days(z);
    Date {
        year: year.clamp(1, 9999) as u16,
        month: m as u8,
        day: day as u8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_ends() {
        assert_eq!(last_day(2024 * 12 + 1).to_string(), "2024-02-29");
        assert_eq!(last_day(2023 * 12 + 11).to_string(), "2023-12-31");
        assert_eq!(first_day(2023 * 12 + 11).to_string(), "2023-12-01");
    }
}
