//! GEXF 1.3 for Gephi: attributes, colours by cluster, sizes by PageRank,
//! layout positions and time.
//!
//! The graph is `mode="dynamic"` with `timeformat="date"`: each node starts
//! at its first appearance (articles and signals at their date, concepts,
//! sources and stub articles at the earliest article naming them, digests at
//! theirs; undated nodes are always present) and each edge when its later end
//! appears, so Gephi's timeline shows clusters forming. Written in one pass.
//!
//! With the store's trends through time (articles projection only), each
//! article also has a dynamic attribute `trend` (declared in a second
//! `<attributes class="node" mode="dynamic">`): one `<attvalue>` per window
//! whose partition holds the article, from the window's first to its last
//! day (GEXF 1.3 intervals are inclusive), with the article's trend id in
//! that window, so the timeline shows trends forming, merging and splitting.

use super::view::{Column, ColumnType, GraphView, Value};
use super::xml;
use crate::graph::NodeRef;
use crate::layout::palette::PALETTE;
use crate::trends::history::History;
use std::io::{self, Write};

/// The colour of cluster `c`: the report map's for the 40 largest (cluster
/// 0 first), hues spaced by the golden angle beyond, grey for nodes without
/// a cluster.
pub fn cluster_color(c: Option<u32>) -> (u8, u8, u8) {
    match c {
        None => (190, 190, 190),
        Some(c) if (c as usize) < PALETTE.len() => PALETTE[c as usize],
        Some(c) => {
            let hue = (c as f64 * 137.507_764) % 360.0;
            hsv_to_rgb(hue, 0.55, 0.85)
        }
    }
}

fn hsv_to_rgb(h: f64, s: f64, v: f64) -> (u8, u8, u8) {
    let c = v * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = v - c;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let byte = |f: f64| ((f + m) * 255.0).round() as u8;
    (byte(r), byte(g), byte(b))
}

fn gexf_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::String | ColumnType::Strings | ColumnType::Date => "string",
        ColumnType::Integer => "long",
        ColumnType::Double => "double",
    }
}

/// Writes `view` as GEXF 1.3, with each article's trend per window when
/// `history` is given.
pub fn write(view: &GraphView, history: Option<&History>, out: impl Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    // `label` is the node's own label attribute; the rest are declared.
    let columns: Vec<(usize, &Column)> = view
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.id != "label" && c.id != "x" && c.id != "y")
        .collect();
    write_head(&mut w, view)?;
    let spells = history.map(|h| Spells::of(h));
    write_attributes(&mut w, &columns, spells.is_some())?;
    let keys: Vec<String> = (0..view.node_count() as u32).map(|i| view.key(i)).collect();
    write_nodes(&mut w, view, &keys, &columns, spells.as_ref())?;
    write_edges(&mut w, view, &keys)?;
    writeln!(w, "  </graph>")?;
    writeln!(w, "</gexf>")?;
    w.flush()
}

/// The XML declaration, `<gexf>`, `<meta>` and the opening `<graph>`.
fn write_head(w: &mut impl Write, view: &GraphView) -> io::Result<()> {
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">"#
    )?;
    let last = view.starts.iter().flatten().max();
    match last {
        Some(d) => writeln!(w, r#"  <meta lastmodifieddate="{d}">"#)?,
        None => writeln!(w, "  <meta>")?,
    }
    writeln!(w, "    <creator>signalgraph</creator>")?;
    writeln!(
        w,
        "    <description>{} projection of a signalgraph collection</description>",
        view.graph.projection.name()
    )?;
    writeln!(w, "  </meta>")?;
    writeln!(
        w,
        r#"  <graph mode="dynamic" defaultedgetype="undirected" timeformat="date" timerepresentation="interval">"#
    )
}

/// The node attributes (the declared `columns`, and `trend` when the
/// trends are shown) and the edge attributes.
fn write_attributes(
    w: &mut impl Write,
    columns: &[(usize, &Column)],
    trends: bool,
) -> io::Result<()> {
    writeln!(w, r#"    <attributes class="node" mode="static">"#)?;
    for (_, c) in columns {
        write!(w, r#"      <attribute id=""#)?;
        xml::attribute(w, &c.id)?;
        write!(w, r#"" title=""#)?;
        xml::attribute(w, &c.id)?;
        writeln!(w, r#"" type="{}"/>"#, gexf_type(c.kind))?;
    }
    writeln!(w, "    </attributes>")?;
    if trends {
        writeln!(w, r#"    <attributes class="node" mode="dynamic">"#)?;
        writeln!(
            w,
            r#"      <attribute id="trend" title="trend" type="long"/>"#
        )?;
        writeln!(w, "    </attributes>")?;
    }
    writeln!(w, r#"    <attributes class="edge" mode="static">"#)?;
    writeln!(
        w,
        r#"      <attribute id="kind" title="kind" type="string"/>"#
    )?;
    writeln!(
        w,
        r#"      <attribute id="merged" title="merged" type="long"/>"#
    )?;
    writeln!(w, "    </attributes>")
}

/// Every node with its start, attribute values, colour, size and position.
fn write_nodes(
    w: &mut impl Write,
    view: &GraphView,
    keys: &[String],
    columns: &[(usize, &Column)],
    spells: Option<&Spells>,
) -> io::Result<()> {
    let max_rank = (0..view.node_count() as u32)
        .filter_map(|i| view.pagerank(i))
        .fold(0.0f64, f64::max);
    let mut values = Vec::new();
    writeln!(w, "    <nodes>")?;
    for (i, key) in keys.iter().enumerate() {
        let node = i as u32;
        write!(w, r#"      <node id=""#)?;
        xml::attribute(w, key)?;
        write!(w, r#"" label=""#)?;
        xml::attribute(w, &view.label(node))?;
        write!(w, "\"")?;
        if let Some(start) = view.starts[i] {
            write!(w, r#" start="{start}""#)?;
        }
        writeln!(w, ">")?;
        view.values(node, &mut values);
        let article = match view.node(node) {
            NodeRef::Article(a) => spells.map(|s| (s, a)),
            _ => None,
        };
        write_values(w, columns, &values, article)?;
        let (r, g, b) = cluster_color(view.cluster(node));
        writeln!(w, r#"        <viz:color r="{r}" g="{g}" b="{b}" a="1.0"/>"#)?;
        let size = match view.pagerank(node) {
            Some(pr) if max_rank > 0.0 => 4.0 + 36.0 * (pr / max_rank).sqrt(),
            _ => 8.0,
        };
        writeln!(w, r#"        <viz:size value="{size:.3}"/>"#)?;
        if let Some(p) = &view.positions {
            let [x, y] = p[i];
            writeln!(
                w,
                r#"        <viz:position x="{x:.3}" y="{y:.3}" z="0.0"/>"#
            )?;
        }
        writeln!(w, "      </node>")?;
    }
    writeln!(w, "    </nodes>")
}

/// A node's `<attvalues>`: its values of the declared columns, empty ones
/// left out, then an article's trend per window.
fn write_values(
    w: &mut impl Write,
    columns: &[(usize, &Column)],
    values: &[Value],
    article: Option<(&Spells, usize)>,
) -> io::Result<()> {
    writeln!(w, "        <attvalues>")?;
    for &(index, c) in columns {
        let v = &values[index];
        if *v == Value::None {
            continue;
        }
        write!(w, r#"          <attvalue for=""#)?;
        xml::attribute(w, &c.id)?;
        write!(w, r#"" value=""#)?;
        match v {
            Value::None => {}
            Value::Text(t) => xml::attribute(w, t)?,
            Value::Texts(list) => xml::attribute(w, &list.join("\n"))?,
            Value::Integer(n) => write!(w, "{n}")?,
            Value::Double(x) => write!(w, "{x:?}")?,
            Value::Date(d) => write!(w, "{d}")?,
        }
        writeln!(w, r#""/>"#)?;
    }
    if let Some((spells, a)) = article {
        for (w_index, trends) in spells.trend_at.iter().enumerate() {
            if let Some(t) = trends.get(a).copied().flatten() {
                let (start, end) = &spells.days[w_index];
                writeln!(
                    w,
                    r#"          <attvalue for="trend" value="{t}" start="{start}" end="{end}"/>"#
                )?;
            }
        }
    }
    writeln!(w, "        </attvalues>")
}

/// Each window's first and last day, and the articles' trends per window.
struct Spells<'a> {
    days: Vec<(String, String)>,
    trend_at: &'a [Vec<Option<u32>>],
}

impl Spells<'_> {
    fn of(history: &History) -> Spells<'_> {
        let days: Vec<(String, String)> = history
            .spans
            .iter()
            .map(|s| (s.first_date().to_string(), s.last_date().to_string()))
            .collect();
        let windows = days.len().min(history.lineage.trend_at.len());
        Spells {
            days,
            trend_at: &history.lineage.trend_at[..windows],
        }
    }
}

/// Every edge, starting when its later end appears.
fn write_edges(w: &mut impl Write, view: &GraphView, keys: &[String]) -> io::Result<()> {
    writeln!(w, "    <edges>")?;
    for (i, e) in view.edges.iter().enumerate() {
        write!(w, r#"      <edge id="e{i}" source=""#)?;
        xml::attribute(w, &keys[e.source as usize])?;
        write!(w, r#"" target=""#)?;
        xml::attribute(w, &keys[e.target as usize])?;
        write!(w, r#"" weight="{:?}""#, e.weight)?;
        let (a, b) = (
            view.starts[e.source as usize],
            view.starts[e.target as usize],
        );
        if let Some(start) = a.max(b) {
            write!(w, r#" start="{start}""#)?;
        }
        writeln!(w, ">")?;
        writeln!(w, "        <attvalues>")?;
        writeln!(
            w,
            r#"          <attvalue for="kind" value="{}"/>"#,
            e.kind.name()
        )?;
        if e.count > 1 {
            writeln!(
                w,
                r#"          <attvalue for="merged" value="{}"/>"#,
                e.count
            )?;
        }
        writeln!(w, "        </attvalues>")?;
        writeln!(w, "      </edge>")?;
    }
    writeln!(w, "    </edges>")
}
