//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The signalgraph binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_signalgraph");

/// The sample store (47 articles), built once per test process.
pub fn sample_store() -> &'static Path {
    static STORE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &STORE
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = dir.path().join("store");
            let out = Command::new(BIN)
                .arg("--store")
                .arg(&store)
                .args(["build", "-q", "seeds"])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            (dir, store)
        })
        .1
}
