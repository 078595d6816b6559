//! The bursts of every concept of a collection: themes, keywords and driving forces, month by month.
//!
//! Each concept's series is the number of dated articles naming it per
//! calendar month, from the collection's first dated month to its last,
//! against all dated articles per month; [`super::bursts::bursts`] finds its
//! bursts. A burst is *bursting now* when it reaches the last month.

use super::bursts::{bursts, BurstOptions};
use super::windows::{window_of, Window};
use crate::model::{Collection, ConceptId};
use crate::seed::Date;
use rayon::prelude::*;

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

/// Every burst of every concept, strongest first (ties by concept, then
/// start); `concepts_of[a]` are article `a`'s concepts
/// ([`crate::graph::projection::article_concepts_by_kind`]: a keyword's
/// burst is its own, not pooled with a theme of the same meaning).
pub fn concept_bursts(
    c: &Collection,
    concepts_of: &[Vec<ConceptId>],
    options: &BurstOptions,
) -> Vec<ConceptBurst> {
    let dates = c.articles.iter().filter_map(|a| a.article.date);
    let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
        return Vec::new();
    };
    let spans = Window::Month.cover(first, last);
    let months: Vec<Option<usize>> = c
        .articles
        .iter()
        .map(|a| a.article.date.and_then(|d| window_of(&spans, d)))
        .collect();
    let span = spans.len();
    let mut total = vec![0u32; span];
    for &m in months.iter().flatten() {
        total[m] += 1;
    }
    let mut articles_of: Vec<Vec<u32>> = vec![Vec::new(); c.concepts.len()];
    for (a, ids) in concepts_of.iter().enumerate() {
        if months[a].is_some() {
            for &id in ids {
                articles_of[id].push(a as u32);
            }
        }
    }
    let bursts_of = |(concept, articles): (ConceptId, &Vec<u32>)| {
        let mut relevant = vec![0u32; span];
        for &a in articles {
            let m = months[a as usize].expect("dated");
            relevant[m] += 1;
        }
        bursts(&relevant, &total, options)
            .into_iter()
            .map(|b| {
                let (from, to) = (b.start, b.end);
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
                ConceptBurst {
                    concept,
                    start: spans[from].first_date(),
                    end: spans[to].last_date(),
                    weight: b.weight,
                    now: b.end + 1 == span,
                    articles: members,
                }
            })
            .collect::<Vec<_>>()
    };
    let mut found: Vec<ConceptBurst> = articles_of
        .par_iter()
        .enumerate()
        .filter(|(_, articles)| articles.len() >= options.min_articles as usize)
        .flat_map_iter(bursts_of)
        .collect();
    found.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.concept.cmp(&y.concept))
            .then(x.start.cmp(&y.start))
    });
    found
}
