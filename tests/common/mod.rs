//! Helpers shared by the integration tests.
// Each test binary compiles this module and uses only some of it.
#![allow(dead_code)]

pub mod server;

use signalgraph::analyze::{analyze_store, StoreAnalysis};
use signalgraph::build::{build, BuildOptions, NoProgress};
use signalgraph::generate::{generate, GenerateOptions};
use signalgraph::graph::Projection;
use signalgraph::store::StoreDir;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The signalgraph binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_signalgraph");

/// A command running the binary under test.
pub fn bin() -> Command {
    Command::new(BIN)
}

/// The bundled sample collection.
pub fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds")
}

/// The standard output of a run that must have succeeded (its stderr in the panic otherwise).
pub fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

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
                .args(["build", "-q"])
                .arg(seeds())
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

/// A generated collection of `articles` in `root/all`.
pub fn generated(root: &Path, articles: usize, seed: u64) -> PathBuf {
    let all = root.join("all");
    let opts = GenerateOptions {
        articles,
        seed,
        ..Default::default()
    };
    generate(&opts, &all).expect("generate");
    all
}

/// Builds `folder` into `store` (incrementally).
pub fn build_from(store: &StoreDir, folder: &Path) {
    let options = BuildOptions {
        paths: vec![folder.to_path_buf()],
        ..Default::default()
    };
    build(store, &options, &NoProgress).expect("build");
}

/// Analyses the articles projection of `store` with the defaults.
pub fn analyze_articles(store: &StoreDir) -> StoreAnalysis {
    analyze_store(
        store,
        Projection::Articles,
        &Default::default(),
        &Default::default(),
    )
    .expect("analyze")
}

/// Each article's planted group, by article id, from a generated
/// collection's truth.json.
pub fn planted_groups(truth: &serde_json::Value) -> BTreeMap<&str, u64> {
    truth["assignments"]
        .as_object()
        .expect("assignments")
        .iter()
        .map(|(id, a)| (id.as_str(), a["group"].as_u64().expect("a group")))
        .collect()
}
