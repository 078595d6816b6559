//! A user's SKOS vocabulary read from Turtle: the labels, matches and hierarchy that decide merges.
//!
//! Every subject with a `skos:prefLabel` is a concept; its `skos:altLabel`s
//! name it too. `skos:exactMatch` (either direction) puts two concepts in one
//! class: their labels name one concept of the collection. `skos:broader`
//! (and its inverse `skos:narrower`) gives the hierarchy. Language tags are
//! ignored; when a concept has several preferred labels, the smallest in
//! byte order is kept (the others count as alternative labels), so the
//! result does not depend on the order of the file.

use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{NamedOrBlankNode, Term};
use std::collections::BTreeMap;

const SKOS: &str = "http://www.w3.org/2004/02/skos/core#";

/// One concept of the vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VocabConcept {
    /// The concept's IRI (or blank node label).
    pub id: String,
    /// Its preferred label.
    pub pref_label: String,
    /// Its other labels, sorted.
    pub alt_labels: Vec<String>,
    /// Concepts it matches exactly (indices).
    pub exact: Vec<usize>,
    /// Concepts broader than it (indices).
    pub broader: Vec<usize>,
}

/// A parsed vocabulary, concepts sorted by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vocabulary {
    /// The concepts.
    pub concepts: Vec<VocabConcept>,
    /// `blake3:` and the hash of the Turtle text it was read from.
    pub hash: String,
    /// The Turtle text (saved in the store).
    pub turtle: String,
}

/// What one subject says, while reading.
#[derive(Default)]
struct Said {
    pref: Vec<String>,
    alt: Vec<String>,
    exact: Vec<String>,
    broader: Vec<String>,
}

fn subject_id(s: &NamedOrBlankNode) -> String {
    match s {
        NamedOrBlankNode::NamedNode(n) => n.as_str().to_string(),
        NamedOrBlankNode::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

fn term_id(t: &Term) -> Option<String> {
    match t {
        Term::NamedNode(n) => Some(n.as_str().to_string()),
        Term::BlankNode(b) => Some(format!("_:{}", b.as_str())),
        _ => None,
    }
}

impl Vocabulary {
    /// Reads a vocabulary from Turtle text.
    pub fn parse(turtle: &str) -> Result<Vocabulary, String> {
        let mut said: BTreeMap<String, Said> = BTreeMap::new();
        let parser = RdfParser::from_format(RdfFormat::Turtle).for_slice(turtle.as_bytes());
        for quad in parser {
            let quad = quad.map_err(|e| e.to_string())?;
            let Some(local) = quad.predicate.as_str().strip_prefix(SKOS) else {
                continue;
            };
            let subject = subject_id(&quad.subject);
            let literal = match &quad.object {
                Term::Literal(l) => Some(l.value().to_string()),
                _ => None,
            };
            let object = term_id(&quad.object);
            match (local, literal, object) {
                ("prefLabel", Some(l), _) => said.entry(subject).or_default().pref.push(l),
                ("altLabel" | "hiddenLabel", Some(l), _) => {
                    said.entry(subject).or_default().alt.push(l)
                }
                ("exactMatch", _, Some(o)) => said.entry(subject).or_default().exact.push(o),
                ("broader", _, Some(o)) => said.entry(subject).or_default().broader.push(o),
                ("narrower", _, Some(o)) => said.entry(o).or_default().broader.push(subject),
                _ => {}
            }
        }
        let ids: Vec<String> = said
            .iter()
            .filter(|(_, s)| !s.pref.is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        let index = |id: &str| ids.binary_search_by(|x| x.as_str().cmp(id)).ok();
        let concepts = ids
            .iter()
            .map(|id| {
                let s = &said[id];
                let mut prefs = s.pref.clone();
                prefs.sort();
                prefs.dedup();
                let pref_label = prefs[0].clone();
                let mut alt_labels: Vec<String> = prefs[1..].to_vec();
                alt_labels.extend(s.alt.iter().cloned());
                alt_labels.sort();
                alt_labels.dedup();
                alt_labels.retain(|a| *a != pref_label);
                let refs = |list: &[String]| {
                    let mut v: Vec<usize> = list.iter().filter_map(|o| index(o)).collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                };
                VocabConcept {
                    id: id.clone(),
                    pref_label,
                    alt_labels,
                    exact: refs(&s.exact),
                    broader: refs(&s.broader),
                }
            })
            .collect();
        Ok(Vocabulary {
            concepts,
            hash: format!("blake3:{}", blake3::hash(turtle.as_bytes()).to_hex()),
            turtle: turtle.to_string(),
        })
    }

    /// The concept keys of every label.
    pub fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .concepts
            .iter()
            .flat_map(|c| std::iter::once(&c.pref_label).chain(&c.alt_labels))
            .map(|l| crate::normalize::concept_key(l))
            .filter(|k| !k.is_empty())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// The class (concepts joined by `skos:exactMatch`) of each concept,
    /// numbered by their first concept.
    pub fn class_of(&self) -> Vec<usize> {
        let n = self.concepts.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for (i, c) in self.concepts.iter().enumerate() {
            for &j in &c.exact {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a.max(b)] = a.min(b);
            }
        }
        let mut number = vec![usize::MAX; n];
        let mut next = 0;
        (0..n)
            .map(|i| {
                let r = find(&mut parent, i);
                if number[r] == usize::MAX {
                    number[r] = next;
                    next += 1;
                }
                number[r]
            })
            .collect()
    }

    /// The members of each class, in concept order.
    pub fn classes(&self) -> Vec<Vec<usize>> {
        let class_of = self.class_of();
        let mut classes: Vec<Vec<usize>> = Vec::new();
        for (i, &c) in class_of.iter().enumerate() {
            if c == classes.len() {
                classes.push(Vec::new());
            }
            classes[c].push(i);
        }
        classes
    }

    /// `(narrower, broader)` concept pairs.
    pub fn broader_pairs(&self) -> Vec<(usize, usize)> {
        self.concepts
            .iter()
            .enumerate()
            .flat_map(|(i, c)| c.broader.iter().map(move |&b| (i, b)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_matches_and_hierarchy() {
        let v = Vocabulary::parse(
            r#"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            @prefix ex: <https://example.org/> .
            ex:ai a skos:Concept ; skos:prefLabel "Artificial intelligence"@en ;
                skos:altLabel "AI", "machine intelligence" ; skos:broader ex:tech .
            ex:tech skos:prefLabel "Technology" ; skos:narrower ex:robots .
            ex:robots skos:prefLabel "Robotics" ; skos:exactMatch ex:robotics2 .
            ex:robotics2 skos:prefLabel "Robots" .
            "#,
        )
        .unwrap();
        assert_eq!(v.concepts.len(), 4);
        assert_eq!(v.concepts[0].pref_label, "Artificial intelligence");
        assert_eq!(v.concepts[0].alt_labels, vec!["AI", "machine intelligence"]);
        assert_eq!(v.broader_pairs(), vec![(0, 3), (2, 3)]);
        let c = v.class_of();
        assert_eq!(c[1], c[2]);
        assert_ne!(c[0], c[1]);
        assert!(v.hash.starts_with("blake3:"));
        assert!(Vocabulary::parse("not turtle").is_err());
    }
}
