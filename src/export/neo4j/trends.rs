//! The trend files of the Neo4j folder: `Trend` nodes, `IN_TREND` from articles, and `MERGED_INTO`, `SPLIT_INTO` and `CONTINUES` between trends.
//!
//! From the store's [`History`]: one `Trend` node per trend (`id` its
//! number, `name`, `iri`, `activity`, `quadrant`, `centrality`, `density`,
//! `firstWindow` and `lastWindow` the first days of the first and last
//! windows it is seen in, `articles` its home articles), `IN_TREND` from
//! each article to its home trend, and with `date` (the first day of the
//! window where it was seen, as the lineage events' dates):
//! * `MERGED_INTO` from each trend before a merge to the trend after it,
//!   `SPLIT_INTO` from the trend before a split to each trend after it,
//!   leaving out a trend that keeps its id through the event;
//! * `CONTINUES` from a new trend to the trend it continues under another
//!   id: the earlier one falls silent at the later one's onset and is its
//!   only parent ([`crate::trends::lineage::Lineage::continues`]), dated at
//!   the later one's onset.
//!
//! A file is written only when it has rows.

use super::{Folder, NodeFile, Property, RelationshipFile};
use crate::analyze::rdf::trends::activity_name;
use crate::export::ExportError;
use crate::trends::history::History;
use crate::trends::lineage::EventKind;

/// A `Trend`-to-`Trend` relationship: start, end, date.
type TrendLink = (u32, u32, String);

impl Folder<'_> {
    /// The trend node file and the relationship files of `history`;
    /// `article_node[a]` is article `a`'s node in the projection.
    pub(super) fn write_trends(
        &mut self,
        history: &History,
        article_node: &[Option<u32>],
    ) -> Result<(), ExportError> {
        if history.trends.is_empty() {
            return Ok(());
        }
        self.write_trend_nodes(history)?;
        let mut members: Vec<(u32, u32)> = Vec::new();
        for t in &history.trends {
            for &a in &t.articles {
                if let Some(node) = article_node.get(a as usize).copied().flatten() {
                    members.push((node, t.id));
                }
            }
        }
        members.sort_unstable();
        if !members.is_empty() {
            self.write_in_trend(&members)?;
        }
        let (merged, split) = event_links(history);
        let continues = continues(history);
        for (kind, rows) in [
            ("MERGED_INTO", merged),
            ("SPLIT_INTO", split),
            ("CONTINUES", continues),
        ] {
            if !rows.is_empty() {
                self.write_trend_links(kind, &rows)?;
            }
        }
        Ok(())
    }

    fn write_trend_nodes(&mut self, history: &History) -> Result<(), ExportError> {
        let iris = self.view.iris;
        let name = self.file_name("nodes_Trend.csv".to_string());
        let typed = |p: &str, t: &'static str| (format!("{p}:{t}"), p.to_string(), Some(t));
        let plain = |p: &str| (p.to_string(), p.to_string(), None);
        let properties: Vec<Property> = vec![
            plain("name"),
            plain("iri"),
            plain("activity"),
            plain("quadrant"),
            typed("centrality", "double"),
            typed("density", "double"),
            typed("firstWindow", "date"),
            typed("lastWindow", "date"),
            typed("articles", "long"),
        ];
        let window = |w: usize| history.spans[w].first_date().to_string();
        self.write_csv(&name, |w| {
            let mut header = vec!["id:ID(Trend)".to_string(), ":LABEL".to_string()];
            header.extend(properties.iter().map(|p| p.0.clone()));
            w.write_record(&header)?;
            for t in &history.trends {
                let placed = |f: fn(&crate::trends::strategic::Placement) -> f64| {
                    t.placement
                        .map(|p| format!("{:?}", f(&p)))
                        .unwrap_or_default()
                };
                w.write_record([
                    t.id.to_string(),
                    "Trend".to_string(),
                    t.name.replace(super::ARRAY_DELIMITER, " "),
                    iris.trend(t.id).into_string(),
                    t.activity.map(activity_name).unwrap_or("").to_string(),
                    t.placement.map_or("", |p| p.quadrant.name()).to_string(),
                    placed(|p| p.centrality),
                    placed(|p| p.density),
                    t.seen.map(|(f, _)| window(f)).unwrap_or_default(),
                    t.seen.map(|(_, l)| window(l)).unwrap_or_default(),
                    t.articles.len().to_string(),
                ])?;
            }
            Ok(())
        })?;
        self.node_files.push(NodeFile {
            label: "Trend".into(),
            name,
            properties,
        });
        Ok(())
    }

    fn write_in_trend(&mut self, members: &[(u32, u32)]) -> Result<(), ExportError> {
        let name = self.file_name("rels_IN_TREND_Article_Trend.csv".to_string());
        self.write_csv(&name, |w| {
            w.write_record([":START_ID(Article)", ":END_ID(Trend)", ":TYPE"])?;
            for (node, trend) in members {
                w.write_record([
                    self.keys[*node as usize].as_str(),
                    &trend.to_string(),
                    "IN_TREND",
                ])?;
            }
            Ok(())
        })?;
        self.relationship_files.push(RelationshipFile {
            kind: "IN_TREND".into(),
            start: "Article".into(),
            end: "Trend".into(),
            name,
            properties: Vec::new(),
        });
        Ok(())
    }

    fn write_trend_links(&mut self, kind: &str, rows: &[TrendLink]) -> Result<(), ExportError> {
        let name = self.file_name(format!("rels_{kind}_Trend_Trend.csv"));
        self.write_csv(&name, |w| {
            w.write_record([":START_ID(Trend)", ":END_ID(Trend)", ":TYPE", "date:date"])?;
            for (from, to, date) in rows {
                w.write_record([&from.to_string(), &to.to_string(), kind, date])?;
            }
            Ok(())
        })?;
        self.relationship_files.push(RelationshipFile {
            kind: kind.into(),
            start: "Trend".into(),
            end: "Trend".into(),
            name,
            properties: vec![("date:date".into(), "date".into(), Some("date"))],
        });
        Ok(())
    }
}

/// `MERGED_INTO` and `SPLIT_INTO` rows from the lineage events, sorted.
fn event_links(history: &History) -> (Vec<TrendLink>, Vec<TrendLink>) {
    let (mut merged, mut split) = (Vec::new(), Vec::new());
    for e in &history.lineage.events {
        let rows = match e.kind {
            EventKind::Merge => &mut merged,
            EventKind::Split => &mut split,
            EventKind::Birth | EventKind::Death => continue,
        };
        let Some(span) = history.spans.get(e.window) else {
            continue;
        };
        let date = span.first_date().to_string();
        for &from in &e.from {
            for &to in &e.to {
                if from != to {
                    rows.push((from, to, date.clone()));
                }
            }
        }
    }
    merged.sort();
    split.sort();
    (merged, split)
}

/// `CONTINUES` rows (see the module documentation), later trend first, sorted.
fn continues(history: &History) -> Vec<TrendLink> {
    let mut rows: Vec<TrendLink> = history
        .lineage
        .continues
        .iter()
        .filter_map(|&(later, earlier, w)| {
            let span = history.spans.get(w)?;
            Some((later, earlier, span.first_date().to_string()))
        })
        .collect();
    rows.sort();
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Date;
    use crate::trends::lineage::{Event, Lineage};
    use crate::trends::windows::Window;

    /// Three quarters of eight articles: the first four change id in the
    /// second quarter without an event, then everything merges into trend 2.
    fn history() -> History {
        let day = |s: &str| Date::from_yyyymmdd(s).unwrap();
        let spans = Window::Quarter.cover(day("20240101"), day("20240930"));
        let trend_at = vec![
            [1, 1, 1, 1, 2, 2, 2, 2].map(Some).to_vec(),
            [3, 3, 3, 3, 2, 2, 2, 2].map(Some).to_vec(),
            [2; 8].map(Some).to_vec(),
        ];
        let merge = Event {
            kind: EventKind::Merge,
            window: 2,
            from: vec![2, 3],
            to: vec![2],
            articles: (0..8).collect(),
        };
        History {
            window: Window::Quarter,
            spans,
            lineage: Lineage {
                trend_at,
                events: vec![merge],
                ..Lineage::default()
            },
            home: Vec::new(),
            trends: Vec::new(),
            bursts: Vec::new(),
            scans: Vec::new(),
        }
    }

    #[test]
    fn merges_leave_out_the_trend_that_keeps_its_id() {
        let (merged, split) = event_links(&history());
        assert_eq!(merged, vec![(3, 2, "2024-07-01".to_string())]);
        assert!(split.is_empty());
    }

    #[test]
    fn a_continued_trend_links_to_the_one_it_continues() {
        let mut h = history();
        assert!(continues(&h).is_empty());
        h.lineage.continues = vec![(3, 1, 1)];
        assert_eq!(continues(&h), vec![(3, 1, "2024-04-01".to_string())]);
        // A window the history does not have makes no row.
        h.lineage.continues.push((4, 1, 9));
        assert_eq!(continues(&h).len(), 1);
    }
}
