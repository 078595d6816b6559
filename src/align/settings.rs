//! How a store aligns its concepts, saved beside its collection (`alignment.json`).
//!
//! A build decides whether the automatic rules run (`--no-align` turns them
//! off) and which vocabulary decides merges (`--vocabulary FILE.ttl`; without
//! it the saved one is kept). The vocabulary's Turtle text and its content
//! hash are saved, so every later command aligns the collection the same way,
//! and a build with changed settings realigns (and saves) even when no seed
//! file changed; so does the first build of a store saved before alignment
//! existed (it has no settings file).

use super::vocabulary::Vocabulary;
use crate::store::{write_atomically, StoreError};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file name, inside the store folder.
pub const FILE: &str = "alignment.json";

/// How concepts are aligned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// Whether the automatic rules (spelling, abbreviations) run.
    pub automatic: bool,
    /// The user's vocabulary, if any.
    pub vocabulary: Option<Vocabulary>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            automatic: true,
            vocabulary: None,
        }
    }
}

/// The saved form.
#[derive(Serialize, Deserialize)]
struct Saved {
    automatic: bool,
    vocabulary: Option<SavedVocabulary>,
}

#[derive(Serialize, Deserialize)]
struct SavedVocabulary {
    hash: String,
    turtle: String,
}

fn path_in(store: &Path) -> PathBuf {
    store.join(FILE)
}

impl Settings {
    /// Settings with a vocabulary read from a Turtle file.
    pub fn with_vocabulary_file(automatic: bool, file: &Path) -> Result<Settings, String> {
        let turtle = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read vocabulary {}: {e}", file.display()))?;
        let vocabulary = Vocabulary::parse(&turtle)
            .map_err(|e| format!("vocabulary {}: {e}", file.display()))?;
        Ok(Settings {
            automatic,
            vocabulary: Some(vocabulary),
        })
    }

    /// The settings saved in a store; the defaults when none are saved.
    pub fn load(store: &Path) -> Result<Settings, StoreError> {
        Ok(Settings::load_saved(store)?.unwrap_or_default())
    }

    /// The settings saved in a store, `None` when the store has none (a new
    /// store, or one built before alignment existed).
    pub fn load_saved(store: &Path) -> Result<Option<Settings>, StoreError> {
        let path = path_in(store);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(&path, e)),
        };
        let damaged = |reason: String| {
            StoreError::io(
                &path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, reason),
            )
        };
        let saved: Saved = serde_json::from_str(&text).map_err(|e| damaged(e.to_string()))?;
        let vocabulary = match saved.vocabulary {
            None => None,
            Some(v) => {
                let parsed = Vocabulary::parse(&v.turtle).map_err(damaged)?;
                if parsed.hash != v.hash {
                    return Err(damaged(
                        "the saved vocabulary does not match its hash".into(),
                    ));
                }
                Some(parsed)
            }
        };
        Ok(Some(Settings {
            automatic: saved.automatic,
            vocabulary,
        }))
    }

    /// Saves the settings in a store (atomically).
    pub fn save(&self, store: &Path) -> Result<(), StoreError> {
        let path = path_in(store);
        let vocabulary = self.vocabulary.as_ref().map(|v| SavedVocabulary {
            hash: v.hash.clone(),
            turtle: v.turtle.clone(),
        });
        let saved = Saved {
            automatic: self.automatic,
            vocabulary,
        };
        let text = serde_json::to_string_pretty(&saved)
            .map_err(|e| StoreError::io(&path, std::io::Error::other(e.to_string())))?;
        write_atomically(&path, |w| writeln!(w, "{text}"))
    }

    /// The vocabulary's hash, if any.
    pub fn vocabulary_hash(&self) -> Option<&str> {
        self.vocabulary.as_ref().map(|v| v.hash.as_str())
    }
}
