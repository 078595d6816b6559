//! Line-based RDF (N-Triples, N-Quads) written in chunks of at most a given size.
//!
//! Bulk loaders (Virtuoso's `ld_dir`, QLever, Neptune) load several files in
//! parallel. [`Chunks`] is a writer that cuts the stream it is given at line
//! ends — in these formats one line is one statement, and a line break
//! inside a literal is escaped — so every chunk is a valid file on its own.
//! Chunk `i` of `graph.nq` is `graph.part-000i.nq` (`.gz` added when
//! compressed); its uncompressed size stays under the limit unless a single
//! statement is larger. A blank node label is local to its file, so the
//! statements that mention blank nodes (the ontology's OWL lists; few) are
//! held back and written together into the last chunk
//! ([`Chunks::hold_lines`]): the chunks hold the unsplit file's statements,
//! in its order but for those. Each chunk is written under a temporary name and
//! renamed when full, and chunks left from an earlier, longer split of the
//! same name are removed.

use super::output::{gz_path, gzip, has_gz_extension};
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// One chunk written.
#[derive(Clone, Debug)]
pub struct Chunk {
    /// Its file.
    pub path: PathBuf,
    /// Its size on disk.
    pub bytes: u64,
    /// Its statements (lines).
    pub lines: u64,
    /// Writing it.
    pub seconds: f64,
}

/// The chunk file being written.
struct Open {
    tmp: PathBuf,
    path: PathBuf,
    out: Sink,
    /// Uncompressed bytes written.
    bytes: u64,
    lines: u64,
    started: Instant,
}

enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
}

impl Sink {
    fn get(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w,
        }
    }

    fn finish(self) -> io::Result<File> {
        let buffered = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w.finish()?,
        };
        buffered.into_inner().map_err(|e| e.into_error())
    }
}

/// A writer that spreads whole lines over numbered chunk files.
pub struct Chunks {
    folder: PathBuf,
    /// The file name before `.part-NNNN`.
    stem: String,
    /// The extension after `.part-NNNN`, `.gz` included when compressed.
    suffix: String,
    gz: bool,
    limit: u64,
    open: Option<Open>,
    /// Indexes of the lines to hold back (ascending).
    hold: Vec<u64>,
    /// The lines held back so far.
    held: Vec<u8>,
    held_lines: u64,
    /// The index of the next line.
    line: u64,
    /// The first index of `hold` not yet passed.
    next_hold: usize,
    /// The start of a line not yet ended.
    pending: Vec<u8>,
    done: Vec<Chunk>,
}

impl Chunks {
    /// Chunks of `path` (`graph.nq` or `graph.nq.gz`) of at most `limit`
    /// uncompressed bytes each, gzip-compressed when `gz`.
    pub fn new(path: &Path, limit: u64, gz: bool) -> Chunks {
        let path = gz_path(path, gz);
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut base = name.as_str();
        let mut suffix = String::new();
        if has_gz_extension(&path) {
            base = &base[..base.len() - 3];
            suffix.push_str(".gz");
        }
        let (stem, ext) = match base.rfind('.') {
            Some(dot) if dot > 0 => (&base[..dot], &base[dot..]),
            _ => (base, ""),
        };
        Chunks {
            folder,
            stem: stem.to_string(),
            suffix: format!("{ext}{suffix}"),
            gz,
            limit: limit.max(1),
            open: None,
            hold: Vec::new(),
            held: Vec::new(),
            held_lines: 0,
            line: 0,
            next_hold: 0,
            pending: Vec::new(),
            done: Vec::new(),
        }
    }

    /// Holds back the lines with these indexes (0-based, ascending), such
    /// as `rdf::blank_node_lines` gives, and writes them together last.
    pub fn hold_lines(mut self, lines: Vec<u64>) -> Chunks {
        self.hold = lines;
        self
    }

    /// Holds back `lines` statements already rendered (`text`, whole lines)
    /// and writes them together last, after any held by [`Chunks::hold_lines`].
    pub fn hold_text(mut self, text: Vec<u8>, lines: u64) -> Chunks {
        self.held.extend_from_slice(&text);
        self.held_lines += lines;
        self
    }

    /// The file of chunk `index` (from 1).
    pub fn chunk_path(&self, index: usize) -> PathBuf {
        self.folder
            .join(format!("{}.part-{index:04}{}", self.stem, self.suffix))
    }

    /// Ends the last chunk (an empty stream still gets one, empty chunk),
    /// removes chunks of an earlier, longer split and returns the chunks.
    pub fn finish(mut self) -> io::Result<Vec<Chunk>> {
        if !self.pending.is_empty() {
            self.pending.push(b'\n');
            self.emit()?;
        }
        if !self.held.is_empty() {
            let held = std::mem::take(&mut self.held);
            let full = self
                .open
                .as_ref()
                .is_none_or(|o| o.bytes > 0 && o.bytes + held.len() as u64 > self.limit);
            if full {
                self.close()?;
                self.start()?;
            }
            let open = self.open.as_mut().expect("a chunk is open");
            open.out.get().write_all(&held)?;
            open.bytes += held.len() as u64;
            open.lines += self.held_lines;
        }
        if self.open.is_none() && self.done.is_empty() {
            self.start()?;
        }
        self.close()?;
        let mut index = self.done.len() + 1;
        loop {
            let stale = self.chunk_path(index);
            if std::fs::remove_file(&stale).is_err() {
                break;
            }
            index += 1;
        }
        Ok(std::mem::take(&mut self.done))
    }

    /// Writes the pending line into the open chunk, first starting a new one
    /// when it would pass the limit.
    fn emit(&mut self) -> io::Result<()> {
        if self.hold.get(self.next_hold) == Some(&self.line) {
            self.held.extend_from_slice(&self.pending);
            self.held_lines += 1;
            self.next_hold += 1;
            self.line += 1;
            self.pending.clear();
            return Ok(());
        }
        let len = self.pending.len() as u64;
        let full = self
            .open
            .as_ref()
            .is_none_or(|o| o.bytes > 0 && o.bytes + len > self.limit);
        if full {
            self.close()?;
            self.start()?;
        }
        let open = self.open.as_mut().expect("a chunk is open");
        open.out.get().write_all(&self.pending)?;
        open.bytes += len;
        open.lines += 1;
        self.line += 1;
        self.pending.clear();
        Ok(())
    }

    fn start(&mut self) -> io::Result<()> {
        let path = self.chunk_path(self.done.len() + 1);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // The temporary names of store::write_atomically, which
        // remove_stale_temps cleans up after a killed export.
        let tmp = self
            .folder
            .join(format!(".{name}.tmp-{}", std::process::id()));
        let file = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        let out = if self.gz {
            Sink::Gzip(gzip(file))
        } else {
            Sink::Plain(file)
        };
        self.open = Some(Open {
            tmp,
            path,
            out,
            bytes: 0,
            lines: 0,
            started: Instant::now(),
        });
        Ok(())
    }

    fn close(&mut self) -> io::Result<()> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        let tmp = open.tmp.clone();
        let result = (|| {
            let file = open.out.finish()?;
            file.sync_all()?;
            let bytes = file.metadata()?.len();
            std::fs::rename(&open.tmp, &open.path)?;
            Ok(Chunk {
                path: open.path,
                bytes,
                lines: open.lines,
                seconds: open.started.elapsed().as_secs_f64(),
            })
        })();
        match result {
            Ok(chunk) => {
                self.done.push(chunk);
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_file(tmp);
                Err(e)
            }
        }
    }
}

impl Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut rest = buf;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            let (line, tail) = rest.split_at(end + 1);
            self.pending.extend_from_slice(line);
            self.emit()?;
            rest = tail;
        }
        self.pending.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Chunks {
    /// A chunk still open (an error on the way) leaves no temporary file.
    fn drop(&mut self) {
        if let Some(open) = self.open.take() {
            let _ = std::fs::remove_file(open.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cut_at_line_ends_and_stay_under_the_limit() {
        let tmp = tempfile::tempdir().unwrap();
        let mut chunks = Chunks::new(&tmp.path().join("graph.nq"), 10, false);
        chunks.write_all(b"aaaa\nbbbb\ncc").unwrap();
        chunks.write_all(b"c\ndddddddddddddd\ne\n").unwrap();
        let done = chunks.finish().unwrap();
        let texts: Vec<String> = done
            .iter()
            .map(|c| std::fs::read_to_string(&c.path).unwrap())
            .collect();
        assert_eq!(texts, ["aaaa\nbbbb\n", "ccc\n", "dddddddddddddd\n", "e\n"]);
        assert_eq!(
            done[0].path.file_name().unwrap().to_str(),
            Some("graph.part-0001.nq")
        );
        // A shorter split removes the chunks the longer one left.
        let mut chunks = Chunks::new(&tmp.path().join("graph.nq"), 100, false);
        chunks.write_all(b"x\n").unwrap();
        assert_eq!(chunks.finish().unwrap().len(), 1);
        let mut names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["graph.part-0001.nq"]);
    }

    #[test]
    fn held_lines_go_together_into_the_last_chunk() {
        let tmp = tempfile::tempdir().unwrap();
        let mut chunks = Chunks::new(&tmp.path().join("g.nt"), 4, false).hold_lines(vec![1, 4]);
        chunks.write_all(b"a\nb\nc\nd\ne\nf\n").unwrap();
        let texts: Vec<String> = chunks
            .finish()
            .unwrap()
            .iter()
            .map(|c| std::fs::read_to_string(&c.path).unwrap())
            .collect();
        assert_eq!(texts, ["a\nc\n", "d\nf\n", "b\ne\n"]);
    }

    #[test]
    fn compressed_chunks_are_named_gz() {
        let tmp = tempfile::tempdir().unwrap();
        let chunks = Chunks::new(&tmp.path().join("graph.nt"), 10, true);
        assert_eq!(
            chunks.chunk_path(2).file_name().unwrap().to_str(),
            Some("graph.part-0002.nt.gz")
        );
        // An empty stream still gives one (empty) chunk.
        assert_eq!(chunks.finish().unwrap().len(), 1);
    }
}
