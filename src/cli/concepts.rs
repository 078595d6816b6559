//! The `concepts` command: the merges and links of concept alignment, with their evidence, as text or JSON.

use clap::Args;
use serde_json::{json, Value};
use signalgraph::model::{Collection, ConceptId};
use signalgraph::store::{Iris, StoreDir};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ConceptsArgs {
    /// The store (instead of --store).
    store: Option<PathBuf>,
    /// JSON with stable keys.
    #[arg(long)]
    json: bool,
}

pub fn run(dir: &StoreDir, args: &ConceptsArgs) -> anyhow::Result<ExitCode> {
    let dir = args
        .store
        .as_ref()
        .map_or_else(|| dir.clone(), StoreDir::new);
    let (c, iris) = signalgraph::build::load_collection(&dir)?;
    let doc = describe(&c, &iris);
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        print_text(&mut out, &doc)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The groups of concepts that alignment merged or linked, in group order.
fn groups(c: &Collection) -> Vec<Vec<ConceptId>> {
    let mut by_group: std::collections::BTreeMap<u32, Vec<ConceptId>> = Default::default();
    for (id, concept) in c.concepts.iter().enumerate() {
        by_group.entry(concept.group).or_default().push(id);
    }
    by_group
        .into_iter()
        .filter(|(g, ids)| linked(c, ids) || !c.alignment.evidence_of(*g).is_empty())
        .map(|(_, ids)| ids)
        .collect()
}

/// Whether a group's concepts of different kinds are linked.
fn linked(c: &Collection, ids: &[ConceptId]) -> bool {
    ids.len() > 1 && c.concepts[ids[0]].meaning == c.concepts[ids[1]].meaning
}

fn describe(c: &Collection, iris: &Iris) -> Value {
    let iri = |id: ConceptId| {
        let k = &c.concepts[id];
        iris.concept(k.kind, &k.key).as_str().to_string()
    };
    let groups: Vec<Value> = groups(c)
        .into_iter()
        .map(|ids| {
            let group = c.concepts[ids[0]].group;
            let concepts: Vec<Value> = ids
                .iter()
                .map(|&id| {
                    let k = &c.concepts[id];
                    json!({
                        "kind": k.kind.slug(),
                        "label": k.label,
                        "alt_labels": k.alt_labels,
                        "uses": k.uses,
                        "iri": iri(id),
                    })
                })
                .collect();
            let evidence: Vec<Value> = c
                .alignment
                .evidence_of(group)
                .iter()
                .map(|(_, e)| {
                    let articles: Vec<&str> = e
                        .articles
                        .iter()
                        .map(|&a| c.articles[a as usize].article.id.as_str())
                        .collect();
                    json!({
                        "forms": [e.a, e.b],
                        "rule": e.rule.name(),
                        "why": e.rule.describe(),
                        "articles": articles,
                        "article_count": e.article_count,
                    })
                })
                .collect();
            json!({
                "label": c.concepts[c.concepts[ids[0]].meaning].label,
                "concepts": concepts,
                "exact_match": linked(c, &ids),
                "evidence": evidence,
            })
        })
        .collect();
    let broader: Vec<Value> = c
        .alignment
        .broader
        .iter()
        .map(|&(n, b)| json!({"narrower": iri(n), "broader": iri(b)}))
        .collect();
    json!({
        "automatic": c.alignment.automatic,
        "vocabulary": c.alignment.vocabulary,
        "groups": groups,
        "broader": broader,
    })
}

fn print_text(out: &mut impl Write, doc: &Value) -> std::io::Result<()> {
    let groups = doc["groups"].as_array().map_or(&[][..], Vec::as_slice);
    writeln!(
        out,
        "alignment: automatic rules {}, vocabulary {}; {} merged or linked concepts",
        if doc["automatic"].as_bool() == Some(true) {
            "on"
        } else {
            "off"
        },
        doc["vocabulary"].as_str().unwrap_or("none"),
        groups.len()
    )?;
    for g in groups {
        writeln!(out, "\n{}", g["label"].as_str().unwrap_or_default())?;
        for k in g["concepts"].as_array().into_iter().flatten() {
            let alts: Vec<&str> = k["alt_labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let uses = k["uses"].as_u64().unwrap_or_default();
            write!(
                out,
                "  {} \"{}\" ({uses} use{})",
                k["kind"].as_str().unwrap_or_default(),
                k["label"].as_str().unwrap_or_default(),
                if uses == 1 { "" } else { "s" }
            )?;
            if !alts.is_empty() {
                write!(out, ", also {}", alts.join(" | "))?;
            }
            writeln!(out)?;
        }
        if g["exact_match"].as_bool() == Some(true) {
            writeln!(out, "  linked across kinds (skos:exactMatch)")?;
        }
        for e in g["evidence"].as_array().into_iter().flatten() {
            let articles: Vec<&str> = e["articles"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let count = e["article_count"].as_u64().unwrap_or_default();
            let more = if count as usize > articles.len() {
                format!(" …and {} more", count as usize - articles.len())
            } else {
                String::new()
            };
            writeln!(
                out,
                "  \"{}\" = \"{}\": {} ({}); articles {}{}",
                e["forms"][0].as_str().unwrap_or_default(),
                e["forms"][1].as_str().unwrap_or_default(),
                e["rule"].as_str().unwrap_or_default(),
                e["why"].as_str().unwrap_or_default(),
                if articles.is_empty() {
                    "none".to_string()
                } else {
                    articles.join(", ")
                },
                more
            )?;
        }
    }
    for b in doc["broader"].as_array().into_iter().flatten() {
        writeln!(
            out,
            "broader: {} → {}",
            b["narrower"].as_str().unwrap_or_default(),
            b["broader"].as_str().unwrap_or_default()
        )?;
    }
    Ok(())
}
