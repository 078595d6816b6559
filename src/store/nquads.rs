//! Writes a store's whole dataset as N-Quads in one streaming pass, graph by graph, without indexing it.
//!
//! An export of everything needs none of the indexed dataset's six sorted
//! permutations ([`super::open_rdf`] spends most of its time building them):
//! each article's graph is minted, its lines sorted and deduplicated, and
//! written out, batches of articles on all cores while the previous batch is
//! written. The collection and ontology graphs are minted whole; an extra
//! graph file (analysis results) of one graph is taken as the lines the
//! store wrote (checked against its seal), never parsed into terms, which
//! at 100k articles would hold a gigabyte of them.
//!
//! The order: named graphs by IRI, each graph's lines sorted, then the
//! statements that mention a blank node (the ontology's OWL lists) together
//! at the end ([`Written::blank`]), so a chunked export (`--split-size`)
//! keeps them in one file, where a blank node label means one node.
//! Statements of the default graph (the store has none today) come after
//! the named graphs. The same store gives the same bytes.

use super::{ontology_quads, rdf, read_graph_file, verify_graph_file, Iris, StoreDir, StoreError};
use crate::model::Collection;
use crate::progress::Progress;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, Quad};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Articles minted per batch.
const BATCH: usize = 2048;

/// What [`write_nquads`] wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// Statements written to the output (blank-node statements not included).
    pub quads: u64,
    /// The statements that mention a blank node, as N-Quads lines, not yet
    /// written: the caller writes them last (or into the last chunk).
    pub blank: Vec<u8>,
    /// How many lines `blank` holds.
    pub blank_quads: u64,
}

/// A graph of the output, in output order: named graphs by IRI, then the
/// default graph.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum GraphKey {
    Named(String),
    Default,
}

impl GraphKey {
    fn of(graph: &GraphName) -> GraphKey {
        match graph {
            GraphName::NamedNode(n) => GraphKey::Named(n.as_str().to_string()),
            GraphName::BlankNode(b) => GraphKey::Named(format!("_:{}", b.as_str())),
            GraphName::DefaultGraph => GraphKey::Default,
        }
    }
}

/// Where the statements of a graph other than an article's come from.
pub(crate) enum Other {
    /// Minted or parsed.
    Quads(Vec<Quad>),
    /// A sealed graph file that holds this graph only.
    File(PathBuf),
}

/// The lines of one graph, sorted and deduplicated, as ranges of `text`:
/// those without and those with a blank node.
#[derive(Default)]
struct Lines {
    text: String,
    plain: Vec<(usize, usize)>,
    blank: Vec<(usize, usize)>,
}

impl Lines {
    fn of_quads(quads: &[Quad]) -> Lines {
        let mut text = String::new();
        for quad in quads {
            let _ = writeln!(text, "{quad} .");
        }
        Lines::of_text(text, 0)
    }

    /// `text` is N-Quads lines as the store writes them; the last `skip`
    /// lines are left out (a graph file's seal).
    fn of_text(text: String, skip: usize) -> Lines {
        let mut plain = Vec::new();
        let mut blank = Vec::new();
        let mut start = 0;
        let mut ends: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        ends.truncate(ends.len().saturating_sub(skip));
        for end in ends {
            let line = (start, end);
            if mentions_blank(&text[start..end]) {
                blank.push(line);
            } else {
                plain.push(line);
            }
            start = end;
        }
        let sort = |lines: &mut Vec<(usize, usize)>| {
            lines.par_sort_unstable_by(|a, b| text[a.0..a.1].cmp(&text[b.0..b.1]));
            lines.dedup_by(|a, b| text[a.0..a.1] == text[b.0..b.1]);
        };
        sort(&mut plain);
        sort(&mut blank);
        Lines { text, plain, blank }
    }
}

/// Whether an N-Quads line as oxigraph writes it (`S P O [G] .`, one space
/// between terms) mentions a blank node: its subject or object starts with
/// `_:`, or its last term does and holds no quote (a literal ends in `"`,
/// a language tag or a datatype after one; a blank node label has none).
pub(crate) fn mentions_blank(line: &str) -> bool {
    let mut terms = line.trim_end().splitn(3, ' ');
    let subject = terms.next().unwrap_or_default();
    let _predicate = terms.next();
    let rest = terms.next().unwrap_or_default();
    let last = rest
        .strip_suffix(" .")
        .unwrap_or(rest)
        .rsplit(' ')
        .next()
        .unwrap_or_default();
    subject.starts_with("_:")
        || rest.starts_with("_:")
        || (last.starts_with("_:") && !last.contains('"'))
}

/// A piece of the output: a run of article graphs, or one other graph.
enum Segment {
    Articles(Vec<usize>),
    Other(GraphKey),
}

/// Writes every quad of the store in `dir` (its collection `c`, the
/// ontology and the extra graph files) to `out` as N-Quads, in the order
/// the module documents, but for the blank-node statements, which are
/// returned.
pub fn write_nquads(
    dir: &StoreDir,
    c: &Collection,
    iris: &Iris,
    out: &mut dyn Write,
    progress: &dyn Progress,
) -> Result<Written, StoreError> {
    let others = other_graphs(dir, c, iris)?;
    let mut articles: Vec<(GraphKey, usize)> = (0..c.articles.len())
        .into_par_iter()
        .map(|i| {
            let graph = iris.article_graph(&c.articles[i].article.id);
            (GraphKey::Named(graph.into_string()), i)
        })
        .collect();
    articles.par_sort_unstable();
    let segments = segments(&articles, others.keys().cloned().collect());
    let render = |segment: &Segment| -> Result<Vec<Lines>, StoreError> {
        Ok(match segment {
            Segment::Articles(run) => run
                .par_iter()
                .map_init(Vec::new, |buf, &i| {
                    buf.clear();
                    rdf::article_quads(c, i, iris, buf);
                    Lines::of_quads(buf)
                })
                .collect(),
            Segment::Other(key) => vec![match &others[key] {
                Other::Quads(quads) => Lines::of_quads(quads),
                Other::File(path) => {
                    let text =
                        std::fs::read_to_string(path).map_err(|e| StoreError::io(path, e))?;
                    Lines::of_text(text, 1)
                }
            }],
        })
    };
    let mut written = Written::default();
    let mut emit = |batch: Vec<Lines>, out: &mut dyn Write| -> Result<(), StoreError> {
        let failed = |e| StoreError::io(Path::new("<output>"), e);
        for lines in batch {
            for &(s, e) in &lines.plain {
                out.write_all(&lines.text.as_bytes()[s..e])
                    .map_err(failed)?;
            }
            written.quads += lines.plain.len() as u64;
            for &(s, e) in &lines.blank {
                written
                    .blank
                    .extend_from_slice(&lines.text.as_bytes()[s..e]);
            }
            written.blank_quads += lines.blank.len() as u64;
        }
        Ok(())
    };
    progress.start("writing N-Quads", c.articles.len() as u64);
    // Each segment is rendered while the previous one is written.
    let mut previous: (Vec<Lines>, u64) = (Vec::new(), 0);
    for segment in &segments {
        let articles = match segment {
            Segment::Articles(run) => run.len() as u64,
            Segment::Other(_) => 0,
        };
        let (batch, done) = std::mem::take(&mut previous);
        let (rendered, wrote) = std::thread::scope(|scope| {
            let rendering = scope.spawn(|| render(segment));
            let wrote = emit(batch, out);
            let rendered = rendering
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (rendered, wrote)
        });
        wrote?;
        progress.advance(done);
        previous = (rendered?, articles);
    }
    let (batch, done) = previous;
    emit(batch, out)?;
    progress.advance(done);
    progress.finish();
    Ok(written)
}

/// The graphs that are not an article's: the collection's and the
/// ontology's (minted), and the extra graph files (each checked against its
/// seal; parsed only when it holds several graphs or shares one).
pub(crate) fn other_graphs(
    dir: &StoreDir,
    c: &Collection,
    iris: &Iris,
) -> Result<BTreeMap<GraphKey, Other>, StoreError> {
    let mut quads = Vec::new();
    rdf::collection_quads(c, iris, &mut quads);
    quads.extend(ontology_quads(iris)?);
    let mut files: BTreeMap<GraphKey, Vec<PathBuf>> = BTreeMap::new();
    for path in dir.graph_files()? {
        let sealed = verify_graph_file(&path)?;
        match (sealed.graphs, first_graph(&path)?) {
            (1, Some(key)) => files.entry(key).or_default().push(path),
            (0, _) => {}
            _ => quads.extend(read_graph_file(&path)?),
        }
    }
    let mut others: BTreeMap<GraphKey, Other> = BTreeMap::new();
    for quad in quads {
        match others
            .entry(GraphKey::of(&quad.graph_name))
            .or_insert_with(|| Other::Quads(Vec::new()))
        {
            Other::Quads(graph) => graph.push(quad),
            Other::File(_) => unreachable!("only quads so far"),
        }
    }
    for (key, paths) in files {
        match (others.get_mut(&key), paths.as_slice()) {
            (None, [path]) => {
                others.insert(key, Other::File(path.clone()));
            }
            (graph, paths) => {
                let mut all = Vec::new();
                for path in paths {
                    all.extend(read_graph_file(path)?);
                }
                match graph {
                    Some(Other::Quads(graph)) => graph.extend(all),
                    _ => {
                        others.insert(key, Other::Quads(all));
                    }
                }
            }
        }
    }
    Ok(others)
}

/// The statements of a graph file that holds graph `iri` only (checked
/// by [`other_graphs`]) as N-Triples: the lines without their graph term,
/// sorted and deduplicated, their number, and whether one mentions a blank
/// node. The same bytes as the triples parsed and written again, without
/// parsing: sorting the lines before or after ` .` is appended gives one
/// order, as a complete triple is never a prefix of another but where the
/// longer one goes on with a character above the space (`@`, `^`, `-`, a
/// label's next character).
pub(crate) fn graph_file_triples(
    path: &Path,
    iri: &str,
) -> Result<(String, u64, bool), StoreError> {
    let text = std::fs::read_to_string(path).map_err(|e| StoreError::io(path, e))?;
    let suffix = format!(" <{iri}> .");
    let mut lines: Vec<&str> = text.lines().collect();
    lines.pop(); // the seal
    for line in &mut lines {
        *line = line
            .strip_suffix(&suffix)
            .ok_or_else(|| StoreError::Graph {
                path: path.to_path_buf(),
                message: format!("a statement outside graph <{iri}>: {line}"),
            })?;
    }
    lines.par_sort_unstable();
    lines.dedup();
    let blank = lines.par_iter().any(|l| mentions_blank(l));
    let mut body = String::with_capacity(text.len());
    for line in &lines {
        body.push_str(line);
        body.push_str(" .\n");
    }
    Ok((body, lines.len() as u64, blank))
}

/// The graph of a graph file's first statement (`None` when it has none).
fn first_graph(path: &Path) -> Result<Option<GraphKey>, StoreError> {
    let file = std::fs::File::open(path).map_err(|e| StoreError::io(path, e))?;
    let first = RdfParser::from_format(RdfFormat::NQuads)
        .for_reader(std::io::BufReader::new(file))
        .next();
    match first {
        None => Ok(None),
        Some(Ok(quad)) => Ok(Some(GraphKey::of(&quad.graph_name))),
        Some(Err(e)) => Err(StoreError::Graph {
            path: path.to_path_buf(),
            message: e.to_string(),
        }),
    }
}

/// The output in segments: the article graphs (sorted by IRI) in runs of
/// at most [`BATCH`], and the other graphs (`others`, sorted) between them
/// where their keys fall (after an article graph of the same IRI, which no
/// store has: its lines would then come in two sorted runs, side by side).
fn segments(articles: &[(GraphKey, usize)], others: Vec<GraphKey>) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut run = Vec::new();
    let mut others = others.into_iter().peekable();
    for (key, i) in articles {
        while let Some(other) = others.next_if(|o| o < key) {
            if !run.is_empty() {
                segments.push(Segment::Articles(std::mem::take(&mut run)));
            }
            segments.push(Segment::Other(other));
        }
        run.push(*i);
        if run.len() == BATCH {
            segments.push(Segment::Articles(std::mem::take(&mut run)));
        }
    }
    if !run.is_empty() {
        segments.push(Segment::Articles(run));
    }
    segments.extend(others.map(Segment::Other));
    segments
}

#[cfg(test)]
mod tests {
    use super::mentions_blank;

    #[test]
    fn blank_nodes_are_told_from_look_alike_literals() {
        assert!(mentions_blank("_:b1 <http://p> <http://o> <http://g> .\n"));
        assert!(mentions_blank("<http://s> <http://p> _:b2 <http://g> .\n"));
        assert!(mentions_blank("<http://s> <http://p> <http://o> _:g .\n"));
        assert!(!mentions_blank(
            "<http://s> <http://p> \"a _:b\" <http://g> .\n"
        ));
        assert!(!mentions_blank("<http://s> <http://p> \"x _:b\" .\n"));
        assert!(!mentions_blank("<http://s> <http://p> \"x _:b\"@en .\n"));
        assert!(!mentions_blank(
            "<http://s> <http://p> \"x _:b\"^^<http://t> .\n"
        ));
        assert!(!mentions_blank(
            "<http://s> <http://p> \"_:b\" <http://g> .\n"
        ));
    }
}
