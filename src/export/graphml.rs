//! GraphML for Gephi, yEd, networkx and igraph.
//!
//! Every attribute is declared as a `<key>` with a readable id and an
//! `attr.type`; every node has an id (its stable key) and every edge a
//! `weight` and a `kind`; parallel edges are merged ([`GraphView`]) and the
//! count kept in `merged`. Lists (alternative labels) are joined with
//! newlines, which concept labels never contain. Written in one pass.

use super::view::{ColumnType, GraphView, Value};
use super::xml;
use std::io::{self, Write};

fn attr_type(kind: ColumnType) -> &'static str {
    match kind {
        ColumnType::String | ColumnType::Strings | ColumnType::Date => "string",
        ColumnType::Integer => "int",
        ColumnType::Double => "double",
    }
}

/// Writes `view` as GraphML.
pub fn write(view: &GraphView, out: impl Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, out);
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    for c in view.columns() {
        write!(w, r#"  <key id=""#)?;
        xml::attribute(&mut w, &c.id)?;
        write!(w, r#"" for="node" attr.name=""#)?;
        xml::attribute(&mut w, &c.id)?;
        writeln!(w, r#"" attr.type="{}"/>"#, attr_type(c.kind))?;
    }
    writeln!(
        w,
        r#"  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>"#
    )?;
    writeln!(
        w,
        r#"  <key id="edge_kind" for="edge" attr.name="kind" attr.type="string"/>"#
    )?;
    writeln!(
        w,
        r#"  <key id="merged" for="edge" attr.name="merged" attr.type="int"/>"#
    )?;
    writeln!(
        w,
        r#"  <graph id="{}" edgedefault="undirected">"#,
        view.graph.projection.name()
    )?;

    let keys: Vec<String> = (0..view.node_count() as u32).map(|i| view.key(i)).collect();
    let mut values = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        write!(w, r#"    <node id=""#)?;
        xml::attribute(&mut w, key)?;
        writeln!(w, r#"">"#)?;
        view.values(i as u32, &mut values);
        for (c, v) in view.columns().iter().zip(&values) {
            if *v == Value::None {
                continue;
            }
            write!(w, r#"      <data key=""#)?;
            xml::attribute(&mut w, &c.id)?;
            write!(w, r#"">"#)?;
            match v {
                Value::None => {}
                Value::Text(t) => xml::text(&mut w, t)?,
                Value::Texts(list) => xml::text(&mut w, &list.join("\n"))?,
                Value::Integer(n) => write!(w, "{n}")?,
                Value::Double(x) => write!(w, "{x:?}")?,
                Value::Date(d) => write!(w, "{d}")?,
            }
            writeln!(w, "</data>")?;
        }
        writeln!(w, "    </node>")?;
    }
    for (i, e) in view.edges.iter().enumerate() {
        write!(w, r#"    <edge id="e{i}" source=""#)?;
        xml::attribute(&mut w, &keys[e.source as usize])?;
        write!(w, r#"" target=""#)?;
        xml::attribute(&mut w, &keys[e.target as usize])?;
        writeln!(w, r#"">"#)?;
        writeln!(w, r#"      <data key="weight">{:?}</data>"#, e.weight)?;
        writeln!(w, r#"      <data key="edge_kind">{}</data>"#, e.kind.name())?;
        if e.count > 1 {
            writeln!(w, r#"      <data key="merged">{}</data>"#, e.count)?;
        }
        writeln!(w, "    </edge>")?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")?;
    w.flush()
}
