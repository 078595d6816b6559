//! What the store remembers between scans: trend ids, each window's trends and the scans themselves (`<store>/trends.bin`).
//!
//! The file is `SGTRENDS` and a version byte, the state in postcard, and
//! the BLAKE3 hash of both. A missing file is a first scan; a file that is
//! damaged (short, bad hash, another version) is set aside as
//! `trends.bin.damaged` by the caller, and the scan starts afresh with a
//! warning.

use super::lineage::Event;
use super::strategic::Placement;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"SGTRENDS";
const VERSION: u8 = 3;
/// The label of an article outside every trend, in [`WindowTrends::labels`].
pub const NO_TREND: u32 = u32::MAX;

/// One scan of the collection (a `build` that changed it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// When it ran, `YYYY-MM-DDTHH:MM:SSZ`.
    pub at: String,
    /// Ids of the articles it added, sorted.
    pub added: Vec<String>,
    /// The first trend id not given before it: trends from this id on were
    /// found by the analyses after it.
    pub next_id: u32,
}

/// The trends of one window of the previous scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowTrends {
    /// First day of the window, `YYYY-MM-DD`.
    pub start: String,
    /// The trend of each article of [`TrendState::articles`] ([`NO_TREND`] if none).
    pub labels: Vec<u32>,
}

/// Everything kept between scans.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrendState {
    /// The first trend id never given.
    pub next_id: u32,
    /// The window the lineage used (`quarter`, `month`, `year`, `Nd`).
    pub window: String,
    /// Article ids, in the order of [`WindowTrends::labels`].
    pub articles: Vec<String>,
    /// The previous analysis's trends per window, oldest first.
    pub windows: Vec<WindowTrends>,
    /// The trend of each level-0 cluster of the previous analysis ([`NO_TREND`] if none).
    pub cluster_trends: Vec<u32>,
    /// The level-0 cluster of each article of [`TrendState::articles`] in
    /// the previous analysis ([`NO_TREND`] if none).
    pub article_clusters: Vec<u32>,
    /// The strategic-diagram place of each trend of the previous analysis's
    /// clusters, by trend id.
    pub placements: Vec<(u32, Placement)>,
    /// The lineage events of the previous analysis (articles as indices
    /// into [`TrendState::articles`]).
    pub events: Vec<Event>,
    /// New trends that continue silent ones under another id (see
    /// [`super::lineage::Lineage::continues`]).
    pub continues: Vec<(u32, u32, usize)>,
    /// Every scan so far, oldest first.
    pub scans: Vec<Scan>,
}

/// Why a state file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// The file is not a whole state of this version.
    #[error("{path} is damaged or from another version")]
    Damaged {
        /// The file.
        path: String,
    },
}

impl TrendState {
    /// Reads the state; `Ok(None)` when the file does not exist.
    pub fn read(path: &Path) -> Result<Option<TrendState>, StateError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Io {
                    path: path.display().to_string(),
                    source,
                })
            }
        };
        let damaged = || StateError::Damaged {
            path: path.display().to_string(),
        };
        let split = bytes.len().checked_sub(32).ok_or_else(damaged)?;
        let (body, sum) = bytes.split_at(split);
        if blake3::hash(body).as_bytes() != sum
            || body.len() < MAGIC.len() + 1
            || &body[..MAGIC.len()] != MAGIC
            || body[MAGIC.len()] != VERSION
        {
            return Err(damaged());
        }
        postcard::from_bytes(&body[MAGIC.len() + 1..])
            .map(Some)
            .map_err(|_| damaged())
    }

    /// The file's bytes: magic, version, postcard, hash.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = MAGIC.to_vec();
        body.push(VERSION);
        body.extend(postcard::to_stdvec(self).expect("a state always serialises"));
        let sum = blake3::hash(&body);
        body.extend_from_slice(sum.as_bytes());
        body
    }

    /// The trend of each article of [`TrendState::articles`]: its cluster's
    /// ([`NO_TREND`] if none).
    pub fn article_trends(&self) -> impl Iterator<Item = u32> + '_ {
        self.article_clusters.iter().map(|&k| {
            self.cluster_trends
                .get(k as usize)
                .copied()
                .unwrap_or(NO_TREND)
        })
    }

    /// Writes the state to `out`.
    pub fn write(&self, out: &mut impl Write) -> io::Result<()> {
        out.write_all(&self.to_bytes())
    }
}

/// Adds a scan that added `added` (article ids) to the state at `path`,
/// stamped with the current time. A missing state is started; a damaged one
/// is left for the next analysis to set aside and report.
pub fn record_scan(path: &Path, mut added: Vec<String>) -> io::Result<()> {
    let mut state = match TrendState::read(path) {
        Ok(state) => state.unwrap_or_default(),
        Err(_) => return Ok(()),
    };
    added.sort_unstable();
    state.scans.push(Scan {
        at: utc_now(),
        added,
        next_id: state.next_id,
    });
    crate::store::write_atomically(path, |w| state.write(w)).map_err(io::Error::other)
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc_now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (year, month, day) = crate::seed::civil_from_days(seconds.div_euclid(86_400));
    let s = seconds.rem_euclid(86_400);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TrendState {
        TrendState {
            next_id: 4,
            window: "quarter".into(),
            articles: vec!["a".into(), "b".into()],
            windows: vec![WindowTrends {
                start: "2024-01-01".into(),
                labels: vec![0, NO_TREND],
            }],
            cluster_trends: vec![3, NO_TREND],
            article_clusters: vec![0, NO_TREND],
            placements: Vec::new(),
            events: Vec::new(),
            continues: Vec::new(),
            scans: vec![Scan {
                at: "2026-12-05T10:00:00Z".into(),
                added: vec!["a".into(), "b".into()],
                next_id: 0,
            }],
        }
    }

    #[test]
    fn a_state_reads_back_and_damage_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trends.bin");
        assert!(TrendState::read(&path).unwrap().is_none());
        let bytes = sample().to_bytes();
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(TrendState::read(&path).unwrap(), Some(sample()));
        for damaged in [&bytes[..bytes.len() - 1], &bytes[..10], b"" as &[u8]] {
            std::fs::write(&path, damaged).unwrap();
            assert!(matches!(
                TrendState::read(&path),
                Err(StateError::Damaged { .. })
            ));
        }
        let mut flipped = bytes.clone();
        flipped[12] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        assert!(TrendState::read(&path).is_err());
    }
}
