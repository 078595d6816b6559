//! The `collection.sgs` file: a checksummed, versioned binary snapshot of the read articles.
//!
//! Layout: `SGSTORE` + format byte, then the header (base IRI and counts) and
//! the body (one [`Entry`] per seed file), each as a little-endian `u64`
//! length, the bytes and their BLAKE3 hash. The header is postcard; the body is
//! a `u64` chunk count followed by length-prefixed postcard chunks of entries,
//! so a large store decodes in parallel. The header comes first so `stats` can
//! answer without reading the body.

use super::StoreError;
use crate::model::{SeedFile, Stats};
use crate::seed::{Article, Diagnostic};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"SGSTORE\x02";

/// Entries per body chunk (chunks are encoded and decoded in parallel).
const CHUNK: usize = 4096;

/// A file's modification time, to skip re-reading unchanged files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modified {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
}

/// One seed file of the collection and what reading it gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The file and its content hash.
    pub file: SeedFile,
    /// Its modification time when read, if known.
    pub modified: Option<Modified>,
    /// The article it held.
    pub article: Article,
    /// Warnings and notes from reading the file, replayed on later builds.
    pub diagnostics: Vec<Diagnostic>,
}

/// What the store knows without reading its body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// The base IRI data is minted under.
    pub base_iri: String,
    /// Counts of the article and collection graphs (ontology and extra graphs are added when read).
    pub stats: Stats,
}

fn corrupt(path: &Path, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Reads one length-prefixed, hashed section.
fn read_section<'a>(path: &Path, bytes: &mut &'a [u8], what: &str) -> Result<&'a [u8], StoreError> {
    let truncated = || corrupt(path, format!("truncated {what}"));
    let (len, rest) = bytes.split_first_chunk::<8>().ok_or_else(truncated)?;
    let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| truncated())?;
    if rest.len() < len + 32 {
        return Err(truncated());
    }
    let (data, rest) = rest.split_at(len);
    let (hash, rest) = rest.split_at(32);
    if blake3::hash(data).as_bytes() != hash {
        return Err(corrupt(path, format!("{what} checksum mismatch")));
    }
    *bytes = rest;
    Ok(data)
}

fn check_magic<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a [u8], StoreError> {
    match bytes.strip_prefix(MAGIC) {
        Some(rest) => Ok(rest),
        None if bytes.starts_with(b"SGSTORE") => Err(StoreError::OtherVersion(path.to_path_buf())),
        None => Err(corrupt(path, "bad magic bytes")),
    }
}

pub(crate) fn read_header(path: &Path) -> Result<Header, StoreError> {
    let mut file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let mut head = [0u8; 16];
    file.read_exact(&mut head)
        .map_err(|_| corrupt(path, "truncated header"))?;
    check_magic(path, &head)?;
    let len = u64::from_le_bytes(head[8..16].try_into().expect("8 bytes")) as usize;
    let mut rest = vec![0u8; len.min(1 << 30) + 32];
    file.read_exact(&mut rest)
        .map_err(|_| corrupt(path, "truncated header"))?;
    let mut section = Vec::with_capacity(8 + rest.len());
    section.extend_from_slice(&head[8..16]);
    section.extend_from_slice(&rest);
    let mut bytes = section.as_slice();
    let data = read_section(path, &mut bytes, "header")?;
    postcard::from_bytes(data).map_err(|e| corrupt(path, format!("header: {e}")))
}

/// Reads the header after checking both sections against their checksums
/// (the body is hashed as it streams by, not decoded).
pub(crate) fn verify(path: &Path) -> Result<Header, StoreError> {
    let file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let len = file.metadata().map_err(|e| StoreError::io(path, e))?.len();
    let mut file = io::BufReader::with_capacity(1 << 20, file);
    let mut magic = [0u8; 8];
    file.read_exact(&mut magic)
        .map_err(|_| corrupt(path, "truncated header"))?;
    check_magic(path, &magic)?;
    let mut header = None;
    let mut left = len - 8;
    for what in ["header", "body"] {
        let truncated = || corrupt(path, format!("truncated {what}"));
        let mut size = [0u8; 8];
        file.read_exact(&mut size).map_err(|_| truncated())?;
        let size = u64::from_le_bytes(size);
        if left < 8 + 32 || size > left - 8 - 32 {
            return Err(truncated());
        }
        left -= 8 + size + 32;
        let mut hasher = blake3::Hasher::new();
        let data = if what == "header" {
            let mut data = vec![0u8; size as usize];
            file.read_exact(&mut data).map_err(|_| truncated())?;
            hasher.update(&data);
            Some(data)
        } else {
            let copied = io::copy(&mut (&mut file).take(size), &mut hasher)
                .map_err(|e| StoreError::io(path, e))?;
            if copied != size {
                return Err(truncated());
            }
            None
        };
        let mut hash = [0u8; 32];
        file.read_exact(&mut hash).map_err(|_| truncated())?;
        if hasher.finalize().as_bytes() != &hash {
            return Err(corrupt(path, format!("{what} checksum mismatch")));
        }
        if let Some(data) = data {
            header = Some(
                postcard::from_bytes(&data).map_err(|e| corrupt(path, format!("header: {e}")))?,
            );
        }
    }
    header.ok_or_else(|| corrupt(path, "no header"))
}

pub(crate) fn read(path: &Path) -> Result<(Header, Vec<Entry>), StoreError> {
    let bytes = std::fs::read(path).map_err(|e| StoreError::io(path, e))?;
    let mut rest = check_magic(path, &bytes)?;
    let header = read_section(path, &mut rest, "header")?;
    let body = read_section(path, &mut rest, "body")?;
    let header: Header =
        postcard::from_bytes(header).map_err(|e| corrupt(path, format!("header: {e}")))?;
    let entries = decode_chunks(path, body)?;
    Ok((header, entries))
}

/// Splits the body into its length-prefixed chunks and decodes them in parallel.
fn decode_chunks(path: &Path, body: &[u8]) -> Result<Vec<Entry>, StoreError> {
    let truncated = || corrupt(path, "truncated body chunk");
    let (count, mut rest) = body.split_first_chunk::<8>().ok_or_else(truncated)?;
    let count = u64::from_le_bytes(*count);
    let mut chunks = Vec::new();
    for _ in 0..count {
        let (len, tail) = rest.split_first_chunk::<8>().ok_or_else(truncated)?;
        let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| truncated())?;
        if tail.len() < len {
            return Err(truncated());
        }
        let (chunk, tail) = tail.split_at(len);
        chunks.push(chunk);
        rest = tail;
    }
    let decoded: Vec<Vec<Entry>> = chunks
        .into_par_iter()
        .map(|chunk| postcard::from_bytes(chunk).map_err(|e| corrupt(path, format!("body: {e}"))))
        .collect::<Result<_, _>>()?;
    Ok(decoded.into_iter().flatten().collect())
}

pub(crate) fn write(path: &Path, header: &Header, entries: &[Entry]) -> Result<(), StoreError> {
    let header = postcard::to_stdvec(header).map_err(|e| corrupt(path, e.to_string()))?;
    let chunks: Vec<Vec<u8>> = entries
        .par_chunks(CHUNK)
        .map(postcard::to_stdvec)
        .collect::<Result<_, _>>()
        .map_err(|e| corrupt(path, e.to_string()))?;
    let mut body = Vec::with_capacity(8 + chunks.iter().map(|c| c.len() + 8).sum::<usize>());
    body.extend_from_slice(&(chunks.len() as u64).to_le_bytes());
    for chunk in &chunks {
        body.extend_from_slice(&(chunk.len() as u64).to_le_bytes());
        body.extend_from_slice(chunk);
    }
    drop(chunks);
    write_atomically(path, |w| {
        w.write_all(MAGIC)?;
        for section in [&header, &body] {
            w.write_all(&(section.len() as u64).to_le_bytes())?;
            w.write_all(section)?;
            w.write_all(blake3::hash(section).as_bytes())?;
        }
        Ok(())
    })
}

/// Writes a file under a temporary name in the same folder, syncs it, renames
/// it over `path` and syncs the folder, so readers see the old or the new file.
pub fn write_atomically(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let file = File::create(&tmp)?;
        {
            let mut w = BufWriter::with_capacity(1 << 20, &file);
            fill(&mut w)?;
            w.flush()?;
        }
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        // The rename is durable once the folder is synced.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    result.map_err(|e: io::Error| {
        let _ = std::fs::remove_file(&tmp);
        StoreError::io(path, e)
    })
}

/// The length of the file at `path` and the BLAKE3 hash of its body, read
/// from its last 32 bytes (the body is the last section) without reading
/// the rest: what files derived from the collection are stamped with.
pub(crate) fn body_stamp(path: &Path) -> Result<(u64, [u8; 32]), StoreError> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path).map_err(|e| StoreError::io(path, e))?;
    let len = file.metadata().map_err(|e| StoreError::io(path, e))?.len();
    if len < (MAGIC.len() + 2 * (8 + 32)) as u64 {
        return Err(corrupt(path, "truncated body"));
    }
    let mut hash = [0u8; 32];
    file.seek(SeekFrom::Start(len - 32))
        .and_then(|_| file.read_exact(&mut hash))
        .map_err(|e| StoreError::io(path, e))?;
    Ok((len, hash))
}
