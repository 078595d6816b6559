//! What a remote endpoint holds, as far as the store knows: graph IRI → content hash, one JSON file per endpoint URL.
//!
//! The file is `<store>/push/<first 16 hex digits of BLAKE3(url)>.json`,
//! written atomically (temporary file, fsync, rename). A graph is recorded
//! only once the server acknowledged it; a graph about to be replaced is
//! first recorded as pending (an empty hash, which matches no content;
//! `send` marks one job at a time until the server has acknowledged one,
//! then the next 64), so a push that is killed
//! half-way leaves a state from which the next push resends what may
//! differ. No credentials are ever written here.

use super::PushError;
use crate::store::{write_atomically, StoreDir};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The hash recorded for a graph whose replacement is under way.
pub const PENDING: &str = "";

/// What the store remembers of one endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushState {
    /// The endpoint URL (for people reading the file; the file name is its hash).
    pub endpoint: String,
    /// Graph IRI → BLAKE3 of the N-Triples the server acknowledged ([`PENDING`] while a send is under way).
    pub graphs: BTreeMap<String, String>,
}

/// The state file of `url` in the store.
pub fn state_path(dir: &StoreDir, url: &str) -> PathBuf {
    let hash = blake3::hash(url.as_bytes()).to_hex();
    dir.path()
        .join("push")
        .join(format!("{}.json", &hash[..16]))
}

impl PushState {
    /// Reads the state of `url` from `path`; an empty state when there is no file.
    pub fn read(path: &Path, url: &str) -> Result<PushState, PushError> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(PushState {
                    endpoint: url.to_string(),
                    graphs: BTreeMap::new(),
                })
            }
            Err(e) => return Err(PushError::state(path, e.to_string())),
        };
        let state: PushState =
            serde_json::from_slice(&bytes).map_err(|e| PushError::state(path, e.to_string()))?;
        if state.endpoint != url {
            return Err(PushError::state(
                path,
                format!("it is the state of {}, not of {url}", state.endpoint),
            ));
        }
        Ok(state)
    }

    /// Writes the state to `path` atomically (creating the `push` folder).
    pub fn write(&self, path: &Path) -> Result<(), PushError> {
        if let Some(folder) = path.parent() {
            std::fs::create_dir_all(folder).map_err(|e| PushError::state(path, e.to_string()))?;
        }
        write_atomically(path, |w| {
            serde_json::to_writer(&mut *w, self)?;
            w.write_all(b"\n")
        })
        .map_err(|e| PushError::state(path, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_wrong_endpoint() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = StoreDir::new(tmp.path());
        let url = "http://127.0.0.1:8890/sparql-graph-crud-auth";
        let path = state_path(&dir, url);
        assert!(path.starts_with(tmp.path().join("push")));
        assert_eq!(PushState::read(&path, url).unwrap().graphs.len(), 0);
        let mut state = PushState::read(&path, url).unwrap();
        state.graphs.insert("http://ex.org/g".into(), "ab".into());
        state.write(&path).unwrap();
        assert_eq!(PushState::read(&path, url).unwrap(), state);
        assert!(PushState::read(&path, "http://other/").is_err());
        assert_ne!(state_path(&dir, "http://other/"), path);
    }
}
