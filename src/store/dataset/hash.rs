//! The fixed-seed string hash of dictionary terms (wyhash's folded multiply).
//!
//! Hand-written rather than a hasher crate: term ids and therefore the order of
//! every export depend on it, so it must never change with a dependency update.

pub(super) const K0: u64 = 0xa076_1d64_78bd_642f;
pub(super) const K1: u64 = 0xe703_7ed1_a0b4_28db;
pub(super) const K2: u64 = 0x8ebc_6af0_9c88_c6e3;
pub(super) const K3: u64 = 0x5899_65cc_7537_4cc3;

/// Folded multiply: the xor of both halves of the 128-bit product (wyhash's mixer).
#[inline]
pub(super) fn mix(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

/// Up to 8 bytes, little-endian, zero-padded.
#[inline]
pub(super) fn read_tail(bytes: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = bytes.len().min(8);
    buf[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(buf)
}

/// Exactly 8 bytes (the caller guarantees the length), little-endian.
#[inline]
pub(super) fn read_word(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map_or_else(|_| read_tail(bytes), u64::from_le_bytes)
}

/// Hashes `s` into `seed`, 16 bytes per multiplication; the length is mixed
/// in, so consecutive strings hash unambiguously.
#[inline]
pub(super) fn hash_str(seed: u64, s: &str) -> u64 {
    let bytes = s.as_bytes();
    let mut h = seed;
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        let (a, b) = chunk.split_at(8);
        h = mix(read_word(a) ^ K0, read_word(b) ^ h);
    }
    let rest = chunks.remainder();
    let (a, b) = rest.split_at(rest.len().min(8));
    mix(
        read_tail(a) ^ K1 ^ bytes.len() as u64,
        read_tail(b) ^ h ^ K2,
    )
}
