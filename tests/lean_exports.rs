//! Lean exports through the binary: what `run` writes by default and with
//! `--formats`, gzip-compressed exports (`--compress`) that decompress to the
//! uncompressed bytes, and N-Quads/N-Triples split into chunks
//! (`--split-size`) that each parse alone and together make the whole export.

use oxigraph::io::{RdfFormat, RdfParser};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn signalgraph(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signalgraph"))
        .current_dir(cwd)
        .args(["--store", "store"])
        .args(args)
        .output()
        .expect("run signalgraph")
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    let o = signalgraph(cwd, args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn seeds() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .to_string_lossy()
        .into_owned()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

fn gunzip(path: &Path) -> Vec<u8> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(file)
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{} does not decompress: {e}", path.display()));
    out
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const REPORTS: [&str; 3] = ["report.html", "report.md", "report.json"];

#[test]
fn run_writes_the_documented_exports_and_formats_chooses_them() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let seeds = seeds();
    run(root, &["-q", "run", &seeds, "--out", "lean"]);
    let mut expected = set(&["graph.nq", "graph.graphml", "graph.gexf", "neo4j"]);
    expected.extend(set(&REPORTS));
    assert_eq!(names(&root.join("lean")), expected);
    assert!(root.join("lean/neo4j/import.sh").exists());

    run(
        root,
        &["-q", "run", &seeds, "--out", "all", "--formats", "all"],
    );
    let mut expected = set(&[
        "graph.ttl",
        "graph.nt",
        "graph.nq",
        "graph.trig",
        "graph.rdf",
        "graph.jsonld",
        "graph.graphml",
        "graph.gexf",
        "neo4j",
        "csv",
    ]);
    expected.extend(set(&REPORTS));
    assert_eq!(names(&root.join("all")), expected);
    // The default set is the same bytes as the same files of `all`.
    for name in ["graph.nq", "graph.graphml", "graph.gexf", "neo4j/import.sh"] {
        let lean = std::fs::read(root.join("lean").join(name)).unwrap();
        let all = std::fs::read(root.join("all").join(name)).unwrap();
        assert!(lean == all, "{name} differs");
    }

    run(
        root,
        &[
            "-q",
            "run",
            &seeds,
            "--out",
            "two",
            "--formats",
            "trig, csv",
        ],
    );
    let mut expected = set(&["graph.trig", "csv"]);
    expected.extend(set(&REPORTS));
    assert_eq!(names(&root.join("two")), expected);

    let o = signalgraph(root, &["run", &seeds, "--formats", "nquads,parquet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown format `parquet`"));
}

#[test]
fn compressed_exports_decompress_to_the_uncompressed_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    run(root, &["build", "-q", &seeds()]);
    run(root, &["export", "-q", "--all", "--out", "plain"]);
    run(
        root,
        &["export", "-q", "--all", "--compress", "--out", "gz"],
    );
    run(
        root,
        &["export", "-q", "--all", "--compress", "--out", "gz2"],
    );
    for ext in ["ttl", "nt", "nq", "trig", "rdf", "jsonld"] {
        let name = format!("graph.{ext}.gz");
        let gz = root.join("gz").join(&name);
        assert!(!root.join("gz").join(format!("graph.{ext}")).exists());
        let plain = std::fs::read(root.join("plain").join(format!("graph.{ext}"))).unwrap();
        assert!(gunzip(&gz) == plain, "{name} is not graph.{ext}");
        let bytes = std::fs::read(&gz).unwrap();
        // No time stamp (bytes 4-7) and no file name (flag bit 3) in the header.
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "{name}");
        assert_eq!(bytes[3] & 0x08, 0, "{name}");
        assert!(bytes.len() * 2 < plain.len(), "{name} hardly shrank");
    }
    // Gephi's formats stay as they are.
    for name in ["graph.graphml", "graph.gexf"] {
        let plain = std::fs::read(root.join("plain").join(name)).unwrap();
        assert!(std::fs::read(root.join("gz").join(name)).unwrap() == plain);
    }
    for folder in ["neo4j", "csv"] {
        let plain = root.join("plain").join(folder);
        let gz = root.join("gz").join(folder);
        let mut csvs = 0;
        for name in names(&plain) {
            if let Some(stem) = name.strip_suffix(".csv") {
                let packed = gz.join(format!("{stem}.csv.gz"));
                assert!(gunzip(&packed) == std::fs::read(plain.join(&name)).unwrap());
                csvs += 1;
            } else if name == "load.cypher" {
                // LOAD CSV reads local files plain (or zipped): the script
                // names the plain files and says to gunzip them first.
                let text = std::fs::read_to_string(gz.join(&name)).unwrap();
                let note = text
                    .lines()
                    .find(|l| l.contains("gunzip"))
                    .expect("a gunzip note");
                assert_eq!(
                    text.replacen(&format!("{note}\n"), "", 1),
                    std::fs::read_to_string(plain.join(&name)).unwrap()
                );
            } else {
                // import.sh names the compressed files, and only those.
                let text = std::fs::read_to_string(plain.join(&name))
                    .unwrap()
                    .replace(".csv", ".csv.gz");
                assert_eq!(std::fs::read_to_string(gz.join(&name)).unwrap(), text);
            }
        }
        assert!(csvs >= 2, "{folder}");
        assert_eq!(names(&plain).len(), names(&gz).len(), "{folder}");
    }
    let import = std::fs::read_to_string(root.join("gz/neo4j/import.sh")).unwrap();
    assert!(import.contains("--nodes=Article=nodes_Article.csv.gz"));
    // Byte-identical twice.
    for name in names(&root.join("gz")) {
        let (a, b) = (root.join("gz").join(&name), root.join("gz2").join(&name));
        if a.is_dir() {
            for inner in names(&a) {
                assert!(
                    std::fs::read(a.join(&inner)).unwrap()
                        == std::fs::read(b.join(&inner)).unwrap()
                );
            }
        } else {
            assert!(
                std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
                "{name}"
            );
        }
    }
    // An --out ending in .gz compresses without --compress.
    run(root, &["export", "-q", "--out", "one.nq.gz"]);
    let plain = std::fs::read(root.join("plain/graph.nq")).unwrap();
    assert!(gunzip(&root.join("one.nq.gz")) == plain);
    // GraphML cannot be compressed.
    let o = signalgraph(root, &["export", "--compress", "--out", "g.graphml"]);
    assert_eq!(o.status.code(), Some(2));
    // `run --compress`: the N-Quads file and the Neo4j files.
    run(
        root,
        &["-q", "run", &seeds(), "--out", "runz", "--compress"],
    );
    let runz = names(&root.join("runz"));
    assert!(runz.contains("graph.nq.gz") && !runz.contains("graph.nq"));
    // (The run added the analysis graphs: export the store again to compare.)
    run(root, &["export", "-q", "--out", "analysed.nq"]);
    let analysed = std::fs::read(root.join("analysed.nq")).unwrap();
    assert!(gunzip(&root.join("runz/graph.nq.gz")) == analysed);
    assert!(names(&root.join("runz/neo4j"))
        .iter()
        .all(|n| n.ends_with(".csv.gz") || n.ends_with(".sh") || n.ends_with(".cypher")));
}

/// The chunks of a split export, in order.
fn chunks(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = names(dir)
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .map(|n| dir.join(n))
        .collect();
    found.sort();
    found
}

/// The blank node labels (`_:x`) of N-Triples or N-Quads text.
fn blank_labels(bytes: &[u8]) -> BTreeSet<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut labels = BTreeSet::new();
    for line in text.lines() {
        // Outside literals: the labels of this store's statements are
        // subjects and objects, which come before any literal on the line.
        let terms = line.split('"').next().unwrap_or("");
        for word in terms.split(' ') {
            if word.starts_with("_:") {
                labels.insert(word.to_string());
            }
        }
    }
    labels
}

#[test]
fn split_chunks_parse_alone_and_add_up_to_the_whole_export() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    run(root, &["build", "-q", &seeds()]);
    std::fs::create_dir_all(root.join("parts")).unwrap();
    for (ext, format, name) in [
        ("nq", RdfFormat::NQuads, "nquads"),
        ("nt", RdfFormat::NTriples, "ntriples"),
    ] {
        let whole_name = format!("whole.{ext}");
        run(
            root,
            &["export", "-q", "--format", name, "--out", &whole_name],
        );
        let whole = std::fs::read(root.join(&whole_name)).unwrap();
        let limit = 40_000;
        let out = format!("parts/graph.{ext}");
        run(
            root,
            &["export", "-q", "--out", &out, "--split-size", "40kB"],
        );
        let parts = chunks(&root.join("parts"), "graph.part-");
        assert!(
            parts.len() >= 3,
            "{} chunks of {}",
            parts.len(),
            whole.len()
        );
        assert!(!root.join(&out).exists(), "the unsplit file is not written");
        let mut joined = Vec::new();
        let mut labels = BTreeSet::new();
        let mut blank_chunks = 0;
        for (i, part) in parts.iter().enumerate() {
            let file = part.file_name().unwrap().to_string_lossy().into_owned();
            assert_eq!(file, format!("graph.part-{:04}.{ext}", i + 1));
            let bytes = std::fs::read(part).unwrap();
            assert!(bytes.len() <= limit, "{file}: {} bytes", bytes.len());
            // A blank node label is local to its file: all in one chunk.
            let blank = blank_labels(&bytes);
            if !blank.is_empty() {
                blank_chunks += 1;
            }
            labels.extend(blank);
            assert!(bytes.ends_with(b"\n"), "{file}");
            let parsed = RdfParser::from_format(format)
                .for_slice(&bytes)
                .collect::<Result<Vec<_>, _>>()
                .unwrap_or_else(|e| panic!("{file} does not parse alone: {e}"));
            assert_eq!(parsed.len(), bytes.iter().filter(|&&b| b == b'\n').count());
            joined.extend(bytes);
        }
        assert_eq!(
            blank_chunks, 1,
            "{ext}: blank nodes in {blank_chunks} chunks"
        );
        assert_eq!(labels, blank_labels(&whole));
        // The same statements, in the same order but for those with blank
        // nodes, which the last chunk holds.
        let lines = |b: &[u8]| -> Vec<String> {
            String::from_utf8_lossy(b)
                .lines()
                .map(str::to_string)
                .collect()
        };
        let (joined_lines, whole_lines) = (lines(&joined), lines(&whole));
        let plain = |l: &Vec<String>| -> Vec<String> {
            l.iter()
                .filter(|x| !x.starts_with("_:") && !x.contains(" _:"))
                .cloned()
                .collect()
        };
        assert_eq!(plain(&joined_lines), plain(&whole_lines), "{ext}");
        let (mut a, mut b) = (joined_lines, whole_lines);
        a.sort();
        b.sort();
        assert!(a == b, "the chunks of {ext} are not the whole export");

        // Compressed chunks hold the same; a larger size leaves fewer chunks
        // and removes the ones a longer split left.
        run(
            root,
            &[
                "export",
                "-q",
                "--out",
                &out,
                "--split-size",
                "40kB",
                "--compress",
            ],
        );
        let gz = chunks(&root.join("parts"), "graph.part-")
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".gz"))
            .collect::<Vec<_>>();
        assert_eq!(gz.len(), parts.len());
        let unpacked: Vec<u8> = gz.iter().flat_map(|p| gunzip(p)).collect();
        assert!(unpacked == joined);
        run(
            root,
            &["export", "-q", "--out", &out, "--split-size", "1GB"],
        );
        assert_eq!(
            chunks(&root.join("parts"), "graph.part-")
                .iter()
                .filter(|p| p.extension().unwrap() == ext)
                .count(),
            1
        );
        let one = std::fs::read(root.join(format!("parts/graph.part-0001.{ext}"))).unwrap();
        assert!(one.len() == whole.len() && blank_labels(&one) == blank_labels(&whole));
        for p in chunks(&root.join("parts"), "graph.part-") {
            std::fs::remove_file(p).unwrap();
        }
    }
    // Only line-based formats are split.
    let o = signalgraph(root, &["export", "--out", "g.ttl", "--split-size", "1MB"]);
    assert_eq!(o.status.code(), Some(2));
    let o = signalgraph(
        root,
        &["export", "--out", "g.nq", "--split-size", "12 parsecs"],
    );
    assert_eq!(o.status.code(), Some(2));
}
