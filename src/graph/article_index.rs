//! The per-article index kept in the store (`<store>/articles-index.bin`), so an analysis of the stored articles projection needs no collection.
//!
//! `build` writes it next to `projection-articles.bin`. It holds what an
//! analysis of the articles projection reads of the collection besides the
//! projection itself — for the trends ([`crate::trends`]), the analysis
//! graph and its sidecar, and the summary: each article's id, title, date
//! and concepts (themes, keywords and driving forces together, each kind
//! kept apart), and each concept's kind, key, label and meaning.
//! [`load`] turns it back into a *partial* [`Collection`]: those fields
//! filled in, every other one empty (no files, signals, links, stubs,
//! sources or digests). [`crate::graph::projection::article_concepts`] and
//! `article_concepts_by_kind` give the same lists on it as on the whole
//! collection (the concepts are stored as the by-kind list, in `themes`), so
//! trends, names, bursts and IRIs come out the same. It must not be
//! projected, exported or reported from.
//!
//! Layout, little-endian: `SGAIDX` + `\x00` + format byte; the stamp of the
//! collection it was built from (`collection.sgs` length `u64` and body
//! hash, as [`crate::graph::stored`]); the BLAKE3 hash of the store's
//! alignment settings file (zeros when it has none); the concept count
//! (`u64`), per concept `kind u8, meaning u32, key, label`; the article
//! count (`u64`), per article `id, title, date (year u16, month u8, day u8;
//! zeros when undated), concept count u32, concept ids u32`; strings as a
//! `u32` length and UTF-8 bytes; then the BLAKE3 hash of everything before
//! it. A file that is stale, damaged or of another version is not used.

use super::stored::stamp_of;
use crate::model::{ArticleLinks, Collection, Concept, ConceptKind, Input, SeedFile};
use crate::seed::{Article, Date};
use crate::store::{write_atomically, CollectionStamp, Iris, StoreDir, StoreError};
use std::io::Write;
use std::path::PathBuf;

const MAGIC: &[u8; 8] = b"SGAIDX\x00\x01";

/// Bytes before the concepts: magic, collection stamp, alignment hash.
const HEAD_BYTES: usize = 8 + 8 + 32 + 32;

/// Where the index is kept.
pub fn path(dir: &StoreDir) -> PathBuf {
    dir.path().join("articles-index.bin")
}

/// The hash of the store's alignment settings file (zeros without one):
/// the concepts depend on it as well as on the collection.
fn alignment_hash(dir: &StoreDir) -> Result<[u8; 32], StoreError> {
    let file = dir.path().join(crate::align::settings::FILE);
    match std::fs::read(&file) {
        Ok(bytes) => Ok(*blake3::hash(&bytes).as_bytes()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok([0; 32]),
        Err(e) => Err(StoreError::io(&file, e)),
    }
}

/// Writes the index of `collection`, the collection saved in `dir`.
pub fn save(dir: &StoreDir, collection: &Collection) -> Result<(), StoreError> {
    let stamp = dir.collection_stamp()?;
    let bytes = encode(&stamp, &alignment_hash(dir)?, collection);
    write_atomically(&path(dir), |w| w.write_all(&bytes))
}

/// Stamps the file again with the collection now saved in `dir` when it
/// was current for `before` (a save that changed only modification times);
/// returns whether it is current now.
pub fn restamp(dir: &StoreDir, before: &CollectionStamp) -> Result<bool, StoreError> {
    super::stored::restamp_file(dir, &path(dir), before, check)
}

/// The partial collection of the index (see the module documentation) and
/// the store's IRIs, when the index is current for the collection and the
/// alignment settings saved in `dir`; else why not.
pub fn load(dir: &StoreDir) -> Result<(Collection, Iris), String> {
    let file = path(dir);
    let bytes = super::stored::read_checked(&file, check)?;
    let now = dir.collection_stamp().map_err(|e| e.to_string())?;
    let alignment = alignment_hash(dir).map_err(|e| e.to_string())?;
    if stamp_of(&bytes) != now || bytes[48..80] != alignment {
        return Err(format!(
            "{} was built from another collection",
            file.display()
        ));
    }
    let header = dir.read_header().map_err(|e| e.to_string())?;
    let iris = Iris::new(&header.base_iri).map_err(|e| e.to_string())?;
    let collection = decode(&bytes[HEAD_BYTES..bytes.len() - 32])
        .ok_or_else(|| format!("{}: damaged", file.display()))?;
    Ok((collection, iris))
}

fn check(bytes: &[u8]) -> Result<(), String> {
    super::stored::check_file(bytes, MAGIC, HEAD_BYTES, "an article index")
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn encode(stamp: &CollectionStamp, alignment: &[u8; 32], c: &Collection) -> Vec<u8> {
    let by_kind = crate::graph::projection::article_concepts_by_kind(c);
    let mut out = Vec::with_capacity(HEAD_BYTES + 64 * c.concepts.len() + 128 * c.articles.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&stamp.len.to_le_bytes());
    out.extend_from_slice(&stamp.body);
    out.extend_from_slice(alignment);
    out.extend_from_slice(&(c.concepts.len() as u64).to_le_bytes());
    for concept in &c.concepts {
        let kind = ConceptKind::ALL.iter().position(|&k| k == concept.kind);
        out.push(kind.expect("one of the kinds") as u8);
        out.extend_from_slice(&(concept.meaning as u32).to_le_bytes());
        put_str(&mut out, &concept.key);
        put_str(&mut out, &concept.label);
    }
    out.extend_from_slice(&(c.articles.len() as u64).to_le_bytes());
    for (input, concepts) in c.articles.iter().zip(&by_kind) {
        let a = &input.article;
        put_str(&mut out, &a.id);
        put_str(&mut out, &a.title);
        let d = a.date.unwrap_or(Date {
            year: 0,
            month: 0,
            day: 0,
        });
        out.extend_from_slice(&d.year.to_le_bytes());
        out.extend_from_slice(&[d.month, d.day]);
        out.extend_from_slice(&(concepts.len() as u32).to_le_bytes());
        for &id in concepts {
            out.extend_from_slice(&(id as u32).to_le_bytes());
        }
    }
    let hash = blake3::hash(&out);
    out.extend_from_slice(hash.as_bytes());
    out
}

/// Reads the parts of a checked file in order; `None` past its end.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
}

/// The partial collection of a checked file's body.
fn decode(body: &[u8]) -> Option<Collection> {
    let mut r = Reader(body);
    let concept_count = usize::try_from(r.u64()?).ok()?;
    let mut concepts = Vec::with_capacity(concept_count.min(body.len()));
    for _ in 0..concept_count {
        let kind = *ConceptKind::ALL.get(r.u8()? as usize)?;
        let meaning = r.u32()? as usize;
        concepts.push(Concept {
            kind,
            key: r.string()?,
            label: r.string()?,
            alt_labels: Vec::new(),
            uses: 0,
            group: 0,
            meaning: (meaning < concept_count).then_some(meaning)?,
        });
    }
    let article_count = usize::try_from(r.u64()?).ok()?;
    let mut articles = Vec::with_capacity(article_count.min(body.len()));
    let mut links = Vec::with_capacity(article_count.min(body.len()));
    for _ in 0..article_count {
        let id = r.string()?;
        let title = r.string()?;
        let (year, month, day) = (r.u16()?, r.u8()?, r.u8()?);
        let date = (year != 0).then_some(Date { year, month, day });
        let count = r.u32()? as usize;
        let ids = r
            .take(count.checked_mul(4)?)?
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
            .collect::<Vec<_>>();
        if ids.iter().any(|&id| id >= concept_count) {
            return None;
        }
        articles.push(Input {
            file: SeedFile {
                path: String::new(),
                hash: String::new(),
                size: 0,
            },
            article: Article {
                id,
                title,
                date,
                digest_url: None,
                source_url: None,
                summary: None,
                keywords: Vec::new(),
                themes: Vec::new(),
                signals: Vec::new(),
                closest: Vec::new(),
                sections: Vec::new(),
            },
        });
        links.push(ArticleLinks {
            themes: ids,
            keywords: Vec::new(),
            signals: Vec::new(),
            closest: Vec::new(),
            source: None,
            digest: None,
        });
    }
    r.0.is_empty().then_some(Collection {
        articles,
        links,
        concepts,
        stubs: Vec::new(),
        sources: Vec::new(),
        digests: Vec::new(),
        alignment: Default::default(),
    })
}
