//! The term dictionary: 64 shards, each an arena of term text and an
//! open-addressing hash table of local ids.

use super::hash::{hash_str, mix, K0, K1, K3};
use oxigraph::model::vocab::xsd;
use oxigraph::model::{BlankNodeRef, LiteralRef, NamedNodeRef, TermRef};

/// Bits of a term id that select its dictionary shard.
pub(super) const SHARD_BITS: u32 = 6;
/// Number of dictionary shards (interned in parallel).
pub(super) const SHARDS: usize = 1 << SHARD_BITS;
/// Mask of the shard bits of a term id.
pub(super) const SHARD_MASK: u32 = (1 << SHARD_BITS) - 1;
/// Local ids of a shard are below this, so no term id is ever [`DEFAULT_GRAPH`].
pub(super) const MAX_LOCAL: u32 = u32::MAX >> SHARD_BITS;
/// Kinds of terms, stored in the top byte of an arena entry.
pub(super) const IRI: u8 = 0;
pub(super) const BLANK: u8 = 1;
pub(super) const SIMPLE_LITERAL: u8 = 2;
pub(super) const LANG_LITERAL: u8 = 3;
pub(super) const TYPED_LITERAL: u8 = 4;
/// The arena offset bits of an entry's `start`.
pub(super) const OFFSET_MASK: u64 = (1 << 56) - 1;

// Terms as flat parts

/// A term as its kind and at most two strings (the value, and the language
/// tag or datatype IRI of a literal): what the dictionary stores.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Parts<'a> {
    kind: u8,
    value: &'a str,
    extra: &'a str,
}

impl<'a> Parts<'a> {
    #[inline]
    pub(super) fn of(term: TermRef<'a>) -> Self {
        let (kind, value, extra) = match term {
            TermRef::NamedNode(n) => (IRI, n.as_str(), ""),
            TermRef::BlankNode(b) => (BLANK, b.as_str(), ""),
            TermRef::Literal(l) => {
                if let Some(language) = l.language() {
                    (LANG_LITERAL, l.value(), language)
                } else {
                    let datatype = l.datatype();
                    if datatype == xsd::STRING {
                        (SIMPLE_LITERAL, l.value(), "")
                    } else {
                        (TYPED_LITERAL, l.value(), datatype.as_str())
                    }
                }
            }
        };
        Parts { kind, value, extra }
    }

    #[inline]
    pub(super) fn hash(&self) -> u64 {
        let mut h = hash_str(u64::from(self.kind).wrapping_mul(K3) ^ K0, self.value);
        if self.kind >= LANG_LITERAL {
            h = hash_str(h, self.extra);
        }
        mix(h ^ K1, K3)
    }

    /// The term back (`None` only for a corrupt kind, which cannot be stored).
    #[inline]
    pub(super) fn term(self) -> Option<TermRef<'a>> {
        Some(match self.kind {
            IRI => NamedNodeRef::new_unchecked(self.value).into(),
            BLANK => BlankNodeRef::new_unchecked(self.value).into(),
            SIMPLE_LITERAL => LiteralRef::new_simple_literal(self.value).into(),
            LANG_LITERAL => {
                LiteralRef::new_language_tagged_literal_unchecked(self.value, self.extra).into()
            }
            TYPED_LITERAL => {
                LiteralRef::new_typed_literal(self.value, NamedNodeRef::new_unchecked(self.extra))
                    .into()
            }
            _ => return None,
        })
    }
}

/// The shard of a term hash (its top bits; the table uses the low bits).
#[inline]
pub(super) fn shard_of(hash: u64) -> usize {
    (hash >> (64 - SHARD_BITS)) as usize
}

// Shards

/// Where a term's text lies in its shard's arena; it ends where the next entry starts.
#[derive(Clone, Copy)]
pub(super) struct Entry {
    /// Arena offset of the value, with the term kind in the top byte.
    start: u64,
    /// Arena offset where the value ends and the extra part starts.
    mid: u64,
}

/// One shard of the term dictionary.
#[derive(Default)]
pub(super) struct Shard {
    /// The text of every term, concatenated in local id order.
    text: String,
    /// Per local id, where its text lies.
    entries: Vec<Entry>,
    /// Linear-probing hash table: `(low 32 hash bits) << 32 | (local id + 1)`, 0 = empty.
    slots: Vec<u64>,
}

impl Shard {
    /// The parts of local term `local`.
    #[inline]
    pub(super) fn parts(&self, local: usize) -> Option<Parts<'_>> {
        let entry = self.entries.get(local)?;
        let start = (entry.start & OFFSET_MASK) as usize;
        let end = match self.entries.get(local + 1) {
            Some(next) => (next.start & OFFSET_MASK) as usize,
            None => self.text.len(),
        };
        Some(Parts {
            kind: (entry.start >> 56) as u8,
            value: self.text.get(start..entry.mid as usize)?,
            extra: self.text.get(entry.mid as usize..end)?,
        })
    }

    /// The local id of `parts` (hash `hash`), or the empty slot where it would go.
    #[inline]
    pub(super) fn find(&self, parts: &Parts<'_>, hash: u64) -> Result<u32, usize> {
        let mask = self.slots.len().wrapping_sub(1);
        let tag = hash as u32;
        let mut i = tag as usize & mask;
        // The table is never full (see `intern`), so an empty slot ends the probe.
        while let Some(&slot) = self.slots.get(i) {
            if slot == 0 {
                return Err(i);
            }
            if (slot >> 32) as u32 == tag {
                let local = (slot as u32).wrapping_sub(1);
                if self.parts(local as usize).as_ref() == Some(parts) {
                    return Ok(local);
                }
            }
            i = (i + 1) & mask;
        }
        Err(usize::MAX)
    }

    /// The local id of a term, if interned.
    pub(super) fn get(&self, parts: &Parts<'_>, hash: u64) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        self.find(parts, hash).ok()
    }

    /// The local id of a term, interning it if new (`None`: the shard is full).
    #[inline]
    pub(super) fn intern(&mut self, parts: &Parts<'_>, hash: u64) -> Option<u32> {
        // Keep the load factor at most 5/8.
        if (self.entries.len() + 1) * 8 > self.slots.len() * 5 {
            self.grow();
        }
        match self.find(parts, hash) {
            Ok(local) => Some(local),
            Err(i) => {
                let local = u32::try_from(self.entries.len())
                    .ok()
                    .filter(|&l| l < MAX_LOCAL)?;
                let slot = self.slots.get_mut(i)?;
                *slot = (u64::from(hash as u32) << 32) | u64::from(local + 1);
                let start = self.text.len() as u64;
                self.text.push_str(parts.value);
                let mid = self.text.len() as u64;
                self.text.push_str(parts.extra);
                self.entries.push(Entry {
                    start: start | (u64::from(parts.kind) << 56),
                    mid,
                });
                Some(local)
            }
        }
    }

    /// Doubles the hash table.
    pub(super) fn grow(&mut self) {
        let capacity = (self.slots.len() * 2).max(64);
        let mask = capacity - 1;
        let mut slots = vec![0u64; capacity];
        for &slot in self.slots.iter().filter(|&&s| s != 0) {
            let mut i = (slot >> 32) as usize & mask;
            while slots.get(i).is_some_and(|&s| s != 0) {
                i = (i + 1) & mask;
            }
            if let Some(free) = slots.get_mut(i) {
                *free = slot;
            }
        }
        self.slots = slots;
    }

    /// The number of terms interned.
    pub(super) fn term_count(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.entries.shrink_to_fit();
    }

    pub(super) fn heap_size(&self) -> usize {
        self.text.capacity()
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.slots.capacity() * 8
    }
}

/// The id of a term in a set of shards.
#[inline]
pub(super) fn lookup(shards: &[Shard], term: TermRef<'_>) -> Option<u32> {
    let parts = Parts::of(term);
    let hash = parts.hash();
    let shard = shard_of(hash);
    let local = shards.get(shard)?.get(&parts, hash)?;
    Some((local << SHARD_BITS) | shard as u32)
}

/// The term of an id in a set of shards.
#[inline]
pub(super) fn resolve(shards: &[Shard], id: u32) -> Option<TermRef<'_>> {
    shards
        .get((id & SHARD_MASK) as usize)?
        .parts((id >> SHARD_BITS) as usize)?
        .term()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxigraph::model::{BlankNode, Literal, NamedNode, Term};

    /// Distinct terms whose hashes collide stay distinct: the table compares
    /// the terms themselves, through growth too.
    #[test]
    fn colliding_hashes_keep_terms_apart() {
        let mut terms: Vec<Term> = vec![
            NamedNode::new_unchecked("http://example.com/a").into(),
            BlankNode::new_unchecked("a").into(),
            Literal::new_simple_literal("a").into(),
            Literal::new_simple_literal("http://example.com/a").into(),
            Literal::new_language_tagged_literal_unchecked("a", "en").into(),
            Literal::new_typed_literal("a", NamedNodeRef::new_unchecked("http://example.com/t"))
                .into(),
            Literal::new_typed_literal("ahttp://example.com/t", NamedNodeRef::new_unchecked("x:"))
                .into(),
            Literal::new_simple_literal("").into(),
        ];
        terms.extend((0..300).map(|i| Literal::new_simple_literal(i.to_string()).into()));
        let mut shard = Shard::default();
        for (i, t) in terms.iter().enumerate() {
            assert_eq!(shard.intern(&Parts::of(t.as_ref()), 42), Some(i as u32));
        }
        for (i, t) in terms.iter().enumerate() {
            let parts = Parts::of(t.as_ref());
            assert_eq!(shard.intern(&parts, 42), Some(i as u32), "{t}");
            assert_eq!(shard.get(&parts, 42), Some(i as u32), "{t}");
            assert_eq!(shard.parts(i).and_then(Parts::term), Some(t.as_ref()));
        }
        assert_eq!(
            shard.get(&Parts::of(NamedNodeRef::new_unchecked("x:y").into()), 42),
            None
        );
    }
}
