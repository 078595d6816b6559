//! The store's write lock (one writing process at a time) and the clean-up of temporary files left by killed writers.
//!
//! Every command that writes into a store (`build`, `analyze`, `run`,
//! `report`) first takes an advisory lock on `<store>/lock` (`flock` on
//! Unix, `LockFileEx` on Windows). A second writer waits for it; the kernel
//! releases it when its holder exits, even when killed. Readers (`query`,
//! `serve`, `stats`, `export`) never lock: every file is replaced by an
//! atomic rename, so they see the last saved state.

use super::{StoreDir, StoreError};
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file's name inside the store.
pub const LOCK_FILE: &str = "lock";

/// The held write lock of a store; dropping it releases the lock.
#[derive(Debug)]
pub struct StoreLock {
    _file: Option<File>,
}

impl StoreDir {
    /// Takes the store's write lock, creating the store folder if needed.
    ///
    /// When another process holds it, `on_wait` is called once with that
    /// process's id (when known) and the call blocks until the lock is free.
    /// Once held, temporary files of writers that died are removed
    /// ([`remove_stale_temps`]). On a file system without locks the store is
    /// used unlocked.
    pub fn lock(&self, on_wait: impl FnOnce(Option<u32>)) -> Result<StoreLock, StoreError> {
        std::fs::create_dir_all(self.path()).map_err(|e| StoreError::io(self.path(), e))?;
        let path = self.path().join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                on_wait(holder.trim().parse().ok());
                file.lock().map_err(|e| StoreError::io(&path, e))?;
            }
            Err(TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                return Ok(StoreLock { _file: None });
            }
            Err(TryLockError::Error(e)) => return Err(StoreError::io(&path, e)),
        }
        // The holder's id, for the message of the next writer that waits.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        remove_stale_temps(self.path(), 2);
        Ok(StoreLock { _file: Some(file) })
    }
}

/// The process id in a temporary file name written by
/// [`super::write_atomically`] (`.NAME.tmp-PID`).
fn temp_pid(name: &str) -> Option<u32> {
    let (stem, pid) = name.rsplit_once(".tmp-")?;
    if !stem.starts_with('.') || stem.len() < 2 || pid.is_empty() {
        return None;
    }
    if !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether a process with this id runs. Where that cannot be told, it is
/// assumed to run (its files are kept).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        true
    }
}

/// Removes the temporary files (`.NAME.tmp-PID`, as [`super::write_atomically`]
/// names them) of processes that no longer run, in `folder` and its
/// sub-folders down to `depth` levels (links are not followed), and returns
/// what it removed. Nothing else is touched.
pub fn remove_stale_temps(folder: &Path, depth: usize) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return removed;
    };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            if depth > 0 {
                removed.extend(remove_stale_temps(&path, depth - 1));
            }
            continue;
        }
        let name = entry.file_name();
        let stale =
            kind.is_file() && temp_pid(&name.to_string_lossy()).is_some_and(|pid| !alive(pid));
        if stale && std::fs::remove_file(&path).is_ok() {
            removed.push(path);
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised() {
        assert_eq!(temp_pid(".graph.trig.tmp-1234"), Some(1234));
        assert_eq!(temp_pid(".collection.sgs.tmp-7"), Some(7));
        assert_eq!(temp_pid("graph.trig.tmp-1234"), None);
        assert_eq!(temp_pid(".graph.trig.tmp-"), None);
        assert_eq!(temp_pid(".graph.trig.tmp-12a"), None);
        assert_eq!(temp_pid(".notes.txt"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn only_temporary_files_of_dead_processes_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("graphs")).unwrap();
        // A child that has exited: its id is free (and not reused this soon).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let own = std::process::id();
        for name in [
            format!(".collection.sgs.tmp-{dead}"),
            format!("graphs/.analysis-full.nq.tmp-{dead}"),
            format!(".report.html.tmp-{own}"),
            format!("keep.tmp-{dead}"),
            "collection.sgs".to_string(),
        ] {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let removed = remove_stale_temps(dir, 2);
        assert_eq!(
            removed,
            [
                dir.join(format!(".collection.sgs.tmp-{dead}")),
                dir.join(format!("graphs/.analysis-full.nq.tmp-{dead}")),
            ]
        );
        assert!(dir.join(format!(".report.html.tmp-{own}")).exists());
        assert!(dir.join(format!("keep.tmp-{dead}")).exists());
        assert!(dir.join("collection.sgs").exists());
    }
}
