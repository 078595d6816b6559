//! Quads packed as `u128` index keys, the range of a key prefix, and the
//! counting sort that derives a graph-first index from `spog`.

use super::{DEFAULT_GRAPH, G, ORDERS, SPOG};
use rayon::prelude::*;

/// Packs a quad (in `s, p, o, g` position order) as a key of the given order.
#[inline]
pub(super) fn pack(quad: [u32; 4], order: &[usize; 4]) -> u128 {
    (u128::from(quad[order[0]]) << 96)
        | (u128::from(quad[order[1]]) << 64)
        | (u128::from(quad[order[2]]) << 32)
        | u128::from(quad[order[3]])
}

/// Unpacks a key of the given order into a quad in `s, p, o, g` position order.
#[inline]
pub(super) fn unpack(key: u128, order: &[usize; 4]) -> [u32; 4] {
    let mut quad = [0; 4];
    quad[order[0]] = (key >> 96) as u32;
    quad[order[1]] = (key >> 64) as u32;
    quad[order[2]] = (key >> 32) as u32;
    quad[order[3]] = key as u32;
    quad
}

/// The keys of `keys` whose first `len` components equal those of `prefix`.
pub(super) fn prefix_range(keys: &[u128], prefix: u128, len: usize) -> &[u128] {
    if len == 0 {
        return keys;
    }
    let shift = 32 * (4 - len as u32);
    let wanted = prefix >> shift;
    let start = keys.partition_point(|&k| (k >> shift) < wanted);
    let rest = keys.get(start..).unwrap_or_default();
    let len = rest.partition_point(|&k| (k >> shift) == wanted);
    rest.get(..len).unwrap_or_default()
}

/// Where each graph's keys start in a graph-first index: a counting sort by graph.
pub(super) struct GraphStarts {
    /// Per graph id, the position of its first key (ids that are not graphs
    /// start where the next graph does).
    starts: Vec<usize>,
    /// The position of the first key of the default graph (after every named graph).
    default_start: usize,
}

impl GraphStarts {
    /// Counts the keys of each graph in `spog`.
    pub(super) fn of(spog: &[u128]) -> GraphStarts {
        let graph = |k: &u128| unpack(*k, &ORDERS[SPOG])[G];
        let max = spog
            .par_iter()
            .map(graph)
            .filter(|&g| g != DEFAULT_GRAPH)
            .max()
            .map_or(0, |g| g as usize + 1);
        let mut starts = vec![0usize; max];
        for g in spog.iter().map(graph) {
            if let Some(count) = starts.get_mut(g as usize) {
                *count += 1;
            }
        }
        let mut next = 0;
        for count in starts.iter_mut() {
            let n = *count;
            *count = next;
            next += n;
        }
        GraphStarts {
            starts,
            default_start: next,
        }
    }

    /// The keys of `keys` (sorted in order `from`, whose last component is the
    /// graph) in order `to` (`from` with the graph moved first), by a stable
    /// counting sort on the graph.
    pub(super) fn sort(&self, keys: &[u128], from: &[usize; 4], to: &[usize; 4]) -> Box<[u128]> {
        let mut next = self.starts.clone();
        let mut next_default = self.default_start;
        let mut out = vec![0u128; keys.len()];
        for &k in keys {
            let quad = unpack(k, from);
            let at = match next.get_mut(quad[G] as usize) {
                Some(at) if quad[G] != DEFAULT_GRAPH => at,
                _ => &mut next_default,
            };
            if let Some(slot) = out.get_mut(*at) {
                *slot = pack(quad, to);
            }
            *at += 1;
        }
        out.into_boxed_slice()
    }
}
