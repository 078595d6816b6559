//! Writing the files `export --out` and `report --out` point at.
//!
//! A regular file (or a new one) is replaced atomically: written under a
//! temporary name beside it, synced and renamed over it. A symbolic link is
//! followed and its target replaced so, and the link stays. A device or a
//! FIFO (`/dev/null`, `/dev/stdout`, a named pipe) is written directly:
//! renaming over it would replace it with a plain file. A folder is refused.
//! [`write_output_gz`] does the same through gzip when asked: deterministic
//! members (no time stamp, no file name), which bulk loaders read as they are.

use crate::store::{write_atomically, StoreError};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Symbolic links followed before giving up (as Linux's `ELOOP` limit).
const MAX_LINKS: usize = 40;

/// Writes what `fill` writes to `path` (see the module documentation).
pub fn write_output(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<&File>) -> io::Result<()>,
) -> Result<(), StoreError> {
    let error = |e: io::Error| StoreError::io(path, e);
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(error(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a folder: give a file name",
        ))),
        Ok(m) if m.is_file() => {
            // Through any links, to the file itself.
            let target = std::fs::canonicalize(path).map_err(error)?;
            write_atomically(&target, fill)
        }
        Ok(_) => {
            // The kernel follows the links (even /proc's, which name no path).
            let file = OpenOptions::new().write(true).open(path).map_err(error)?;
            let mut w = BufWriter::with_capacity(1 << 16, &file);
            fill(&mut w).and_then(|()| w.flush()).map_err(error)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A new file, or a dangling link: the file is created where it points.
            write_atomically(&link_target(path).map_err(error)?, fill)
        }
        Err(e) => Err(error(e)),
    }
}

/// The gzip level of compressed exports: level 1 keeps compressing well
/// ahead of the serialisers, and N-Quads and CSV still shrink about tenfold.
pub const GZIP_LEVEL: u32 = 1;

/// A gzip stream into `out` whose header has no time stamp and no file name,
/// so the same bytes in give the same bytes out.
pub fn gzip<W: Write>(out: W) -> flate2::write::GzEncoder<W> {
    flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(out, flate2::Compression::new(GZIP_LEVEL))
}

/// [`write_output`] through gzip when `gz` (the caller names the file `.gz`).
pub fn write_output_gz(
    path: &Path,
    gz: bool,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), StoreError> {
    write_output(path, |w| {
        if gz {
            let mut encoder = gzip(w);
            fill(&mut encoder)?;
            encoder.try_finish()
        } else {
            fill(w)
        }
    })
}

/// `path` with `.gz` added when `gz` and it has no `.gz` yet.
pub fn gz_path(path: &Path, gz: bool) -> PathBuf {
    if gz && !has_gz_extension(path) {
        let mut name = path.as_os_str().to_owned();
        name.push(".gz");
        PathBuf::from(name)
    } else {
        path.to_path_buf()
    }
}

/// Whether the file name ends in `.gz`.
pub fn has_gz_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Where a chain of symbolic links ends (`path` itself when it is no link).
fn link_target(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&path)?;
                // A relative link is relative to its folder; `join` keeps an absolute one.
                path = match path.parent() {
                    Some(folder) => folder.join(link),
                    None => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) -> Result<(), StoreError> {
        write_output(path, |w| w.write_all(text.as_bytes()))
    }

    #[test]
    fn a_chain_of_links_is_followed_to_its_file() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/real.txt"), "old").unwrap();
        std::os::unix::fs::symlink("sub/real.txt", dir.join("one")).unwrap();
        std::os::unix::fs::symlink(dir.join("one"), dir.join("two")).unwrap();
        write(&dir.join("two"), "new").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("sub/real.txt")).unwrap(),
            "new"
        );
        for link in ["one", "two"] {
            let m = std::fs::symlink_metadata(dir.join(link)).unwrap();
            assert!(m.file_type().is_symlink(), "{link}");
        }
        // No temporary file is left anywhere.
        let names = |d: &Path| -> Vec<String> {
            let mut v: Vec<String> = std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(dir), ["one", "sub", "two"]);
        assert_eq!(names(&dir.join("sub")), ["real.txt"]);
    }

    #[test]
    fn a_dangling_link_gets_its_file_created() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::os::unix::fs::symlink("made.txt", dir.join("link")).unwrap();
        write(&dir.join("link"), "text").unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("made.txt")).unwrap(),
            "text"
        );
        assert!(std::fs::symlink_metadata(dir.join("link"))
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn a_folder_is_refused_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("folder");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("inside"), "kept").unwrap();
        let e = write(&dir, "text").unwrap_err();
        assert!(e.to_string().contains("is a folder"), "{e}");
        assert_eq!(std::fs::read_to_string(dir.join("inside")).unwrap(), "kept");
        // Also through a link.
        std::os::unix::fs::symlink(&dir, tmp.path().join("link")).unwrap();
        assert!(write(&tmp.path().join("link"), "text").is_err());
    }

    #[test]
    fn a_loop_of_links_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.join("b")).unwrap();
        assert!(write(&dir.join("a"), "text").is_err());
    }
}
