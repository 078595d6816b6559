//! The SPARQL 1.1 Protocol's query operation: where the query and the dataset
//! come from in a request, and which result format the client accepts.
//!
//! Pure functions over strings and bytes (no I/O), so they are unit-tested here.

use crate::query::{Answer, GraphSelection, ResultFormat};
use hyper::StatusCode;
use oxigraph::model::NamedNode;

/// A refusal: the status and a one-line message for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The HTTP status (4xx or 5xx).
    pub status: StatusCode,
    /// The message, sent as the plain-text body.
    pub message: String,
}

impl Rejection {
    /// A refusal with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Rejection {
            status,
            message: message.into(),
        }
    }

    fn bad(message: impl Into<String>) -> Self {
        Rejection::new(StatusCode::BAD_REQUEST, message)
    }
}

/// The message for any attempt to update the store.
pub const READ_ONLY: &str = "this endpoint is read-only: SPARQL Update is not accepted \
     (the store is built from seed files with `signalgraph build`)";

/// What a query request asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SparqlRequest {
    /// The query text (`None`: a GET without a query, which asks for the service description).
    pub query: Option<String>,
    /// `default-graph-uri` values, in order.
    pub default_graphs: Vec<String>,
    /// `named-graph-uri` values, in order.
    pub named_graphs: Vec<String>,
    /// `format` values (a convenience beside the Accept header).
    pub formats: Vec<String>,
}

impl SparqlRequest {
    /// Reads `application/x-www-form-urlencoded` pairs (a URL query string or a form body).
    fn add_pairs(&mut self, encoded: &[u8]) -> Result<(), Rejection> {
        for (name, value) in form_pairs(encoded)? {
            match &*name {
                "query" => {
                    if self.query.is_some() {
                        return Err(Rejection::bad("more than one `query` parameter"));
                    }
                    self.query = Some(non_empty(value)?);
                }
                "update" | "using-graph-uri" | "using-named-graph-uri" => {
                    return Err(Rejection::bad(READ_ONLY));
                }
                "default-graph-uri" => self.default_graphs.push(value),
                "named-graph-uri" => self.named_graphs.push(value),
                "format" => self.formats.push(value),
                // Other parameters (e.g. SPARQLWrapper's `output`, `results`) are ignored.
                _ => {}
            }
        }
        Ok(())
    }

    /// The dataset the protocol names, with every IRI checked.
    pub fn graph_selection(&self) -> Result<Option<GraphSelection>, Rejection> {
        if self.default_graphs.is_empty() && self.named_graphs.is_empty() {
            return Ok(None);
        }
        let iris = |values: &[String], param: &str| {
            values
                .iter()
                .map(|v| {
                    NamedNode::new(v.as_str())
                        .map_err(|e| Rejection::bad(format!("invalid {param} IRI <{v}>: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Some(GraphSelection {
            default_graphs: iris(&self.default_graphs, "default-graph-uri")?,
            named_graphs: iris(&self.named_graphs, "named-graph-uri")?,
        }))
    }
}

/// The message for a query of no text.
pub const EMPTY_QUERY: &str = "empty query: the request has a query of no text";

/// A query text that is not only white space.
fn non_empty(query: String) -> Result<String, Rejection> {
    if query.trim().is_empty() {
        Err(Rejection::bad(EMPTY_QUERY))
    } else {
        Ok(query)
    }
}

/// The name/value pairs of `application/x-www-form-urlencoded` bytes (`+`
/// is a space, `%XX` a byte, a `%` without two hex digits itself). Unlike
/// `form_urlencoded::parse`, bytes that do not decode to UTF-8 are refused
/// rather than replaced, as a POSTed query that is not UTF-8 is.
fn form_pairs(encoded: &[u8]) -> Result<Vec<(String, String)>, Rejection> {
    encoded
        .split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            let name = percent_decode(name).map_err(|_| {
                Rejection::bad("a parameter name is not UTF-8 once percent-decoded")
            })?;
            let value = percent_decode(value).map_err(|e| {
                Rejection::bad(format!(
                    "the `{name}` parameter is not UTF-8 once percent-decoded: {e}"
                ))
            })?;
            Ok((name, value))
        })
        .collect()
}

fn percent_decode(part: &[u8]) -> Result<String, std::string::FromUtf8Error> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut bytes = Vec::with_capacity(part.len());
    let mut i = 0;
    while let Some(&b) = part.get(i) {
        let escaped = match (b, part.get(i + 1), part.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| (h * 16 + l) as u8),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                bytes.push(byte);
                i += 3;
            }
            None => {
                bytes.push(if b == b'+' { b' ' } else { b });
                i += 1;
            }
        }
    }
    String::from_utf8(bytes)
}

/// A GET request: everything is in the URL's query string.
pub fn from_get(query_string: Option<&str>) -> Result<SparqlRequest, Rejection> {
    let mut request = SparqlRequest::default();
    request.add_pairs(query_string.unwrap_or("").as_bytes())?;
    Ok(request)
}

/// A POST request: a URL-encoded form, or the query itself as
/// `application/sparql-query` (dataset parameters then in the URL).
pub fn from_post(
    content_type: Option<&str>,
    query_string: Option<&str>,
    body: &[u8],
) -> Result<SparqlRequest, Rejection> {
    let media = content_type
        .map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let mut request = SparqlRequest::default();
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            request.add_pairs(query_string.unwrap_or("").as_bytes())?;
            request.add_pairs(body)?;
        }
        "application/sparql-query" => {
            request.add_pairs(query_string.unwrap_or("").as_bytes())?;
            if request.query.is_some() {
                return Err(Rejection::bad(
                    "a `query` parameter and a query in the body: send one",
                ));
            }
            let text = std::str::from_utf8(body)
                .map_err(|e| Rejection::bad(format!("the query is not UTF-8: {e}")))?;
            request.query = Some(non_empty(text.to_string())?);
        }
        "application/sparql-update" => return Err(Rejection::bad(READ_ONLY)),
        "" => {
            return Err(Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "a POST needs Content-Type application/x-www-form-urlencoded or application/sparql-query",
            ))
        }
        other => {
            return Err(Rejection::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "unsupported Content-Type {other}: use application/x-www-form-urlencoded or application/sparql-query"
                ),
            ))
        }
    }
    if request.query.is_none() {
        return Err(Rejection::bad("no `query` in the request"));
    }
    Ok(request)
}

/// Media types offered for each answer, in order of preference (the first is
/// the default); several names of one format map to it.
const SOLUTIONS: &[(&str, ResultFormat)] = &[
    ("application/sparql-results+json", ResultFormat::Json),
    ("application/json", ResultFormat::Json),
    ("application/sparql-results+xml", ResultFormat::Xml),
    ("application/xml", ResultFormat::Xml),
    ("text/xml", ResultFormat::Xml),
    ("text/csv", ResultFormat::Csv),
    ("text/tab-separated-values", ResultFormat::Tsv),
];
const GRAPHS: &[(&str, ResultFormat)] = &[
    ("text/turtle", ResultFormat::Turtle),
    ("application/turtle", ResultFormat::Turtle),
    ("application/x-turtle", ResultFormat::Turtle),
    ("application/n-triples", ResultFormat::NTriples),
    ("application/ld+json", ResultFormat::JsonLd),
    ("application/rdf+xml", ResultFormat::RdfXml),
];

/// The result formats a query form can be written in (for messages and the service description).
pub fn offered(answer: Answer) -> Vec<ResultFormat> {
    let mut formats: Vec<ResultFormat> = Vec::new();
    for (_, f) in offers(answer) {
        if !formats.contains(f) {
            formats.push(*f);
        }
    }
    formats
}

fn offers(answer: Answer) -> &'static [(&'static str, ResultFormat)] {
    match answer {
        Answer::Solutions | Answer::Boolean => SOLUTIONS,
        Answer::Graph => GRAPHS,
    }
}

/// A `format` parameter value as a format of this answer, if it names one.
fn named_format(name: &str, answer: Answer) -> Option<ResultFormat> {
    let name = name.trim().to_ascii_lowercase();
    let graph = answer == Answer::Graph;
    let by_name = match name.as_str() {
        "json" => Some(if graph {
            ResultFormat::JsonLd
        } else {
            ResultFormat::Json
        }),
        "xml" => Some(if graph {
            ResultFormat::RdfXml
        } else {
            ResultFormat::Xml
        }),
        "csv" => Some(ResultFormat::Csv),
        "tsv" => Some(ResultFormat::Tsv),
        "turtle" | "ttl" => Some(ResultFormat::Turtle),
        "ntriples" | "n-triples" | "nt" => Some(ResultFormat::NTriples),
        "jsonld" | "json-ld" => Some(ResultFormat::JsonLd),
        "rdfxml" | "rdf+xml" | "rdf" => Some(ResultFormat::RdfXml),
        _ => offers(answer)
            .iter()
            .find(|(media, _)| *media == name)
            .map(|(_, f)| *f),
    };
    by_name.filter(|f| offers(answer).iter().any(|(_, o)| o == f))
}

/// Picks the result format: a `format` parameter that names a format of this
/// answer wins; otherwise the Accept header (q-values, `type/*`, `*/*`;
/// ties go to the order of preference); no header means JSON for
/// SELECT/ASK and Turtle for CONSTRUCT/DESCRIBE. Nothing acceptable is 406.
pub fn negotiate(
    answer: Answer,
    accept: Option<&str>,
    formats: &[String],
) -> Result<ResultFormat, Rejection> {
    if let Some(f) = formats.iter().find_map(|name| named_format(name, answer)) {
        return Ok(f);
    }
    let offers = offers(answer);
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(offers[0].1);
    };
    let ranges = parse_accept(accept);
    let mut best: Option<(f32, ResultFormat)> = None;
    for (i, (media, format)) in offers.iter().enumerate() {
        // A format's first media type is its own; the others are aliases,
        // which count only when named exactly (not through a wildcard).
        let canonical = offers.iter().position(|(_, f)| f == format) == Some(i);
        let q = if canonical {
            quality(&ranges, media)
        } else {
            exact_quality(&ranges, media)
        };
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, *format));
        }
    }
    best.map(|(_, f)| f).ok_or_else(|| {
        let kind = match answer {
            Answer::Solutions => "SELECT",
            Answer::Boolean => "ASK",
            Answer::Graph => "CONSTRUCT/DESCRIBE",
        };
        let types: Vec<&str> = offered(answer).iter().map(|f| media_only(*f)).collect();
        Rejection::new(
            StatusCode::NOT_ACCEPTABLE,
            format!(
                "no acceptable format for a {kind} result (Accept: {accept}); this endpoint gives {}",
                types.join(", ")
            ),
        )
    })
}

/// A media type without parameters.
pub fn media_only(format: ResultFormat) -> &'static str {
    let m = format.media_type();
    m.split(';').next().unwrap_or(m)
}

/// One media range of an Accept header.
#[derive(Debug, PartialEq)]
struct Range {
    kind: String,
    subtype: String,
    q: f32,
}

fn parse_accept(header: &str) -> Vec<Range> {
    let mut ranges = Vec::new();
    for item in header.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let Some((kind, subtype)) = media.split_once('/') else {
            continue;
        };
        let mut q = 1.0f32;
        let mut valid = true;
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    match value.trim().parse::<f32>() {
                        Ok(v) if (0.0..=1.0).contains(&v) => q = v,
                        _ => valid = false,
                    }
                }
            }
        }
        if valid {
            ranges.push(Range {
                kind: kind.trim().to_string(),
                subtype: subtype.trim().to_string(),
                q,
            });
        }
    }
    ranges
}

/// The q-value of a range naming exactly `media` (0 when none does).
fn exact_quality(ranges: &[Range], media: &str) -> f32 {
    let (kind, subtype) = media.split_once('/').unwrap_or((media, ""));
    ranges
        .iter()
        .filter(|r| r.kind == kind && r.subtype == subtype)
        .map(|r| r.q)
        .fold(0.0, f32::max)
}

/// The q-value the most specific matching range gives `media` (0 when none matches).
fn quality(ranges: &[Range], media: &str) -> f32 {
    let (kind, subtype) = media.split_once('/').unwrap_or((media, ""));
    let mut best: Option<(u8, f32)> = None;
    for r in ranges {
        let specificity = if r.kind == kind && r.subtype == subtype {
            3
        } else if r.kind == kind && r.subtype == "*" {
            2
        } else if r.kind == "*" && r.subtype == "*" {
            1
        } else {
            continue;
        };
        // The most specific range decides; among equally specific ones the highest q.
        if best.is_none_or(|(s, q)| specificity > s || (specificity == s && r.q > q)) {
            best = Some((specificity, r.q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_reads_query_and_dataset_parameters() {
        let r = from_get(Some(
            "query=SELECT%20*%20WHERE%20%7B%7D&default-graph-uri=http%3A%2F%2Fex%2Fa&named-graph-uri=http://ex/b&named-graph-uri=http://ex/c&output=json",
        ))
        .unwrap();
        assert_eq!(r.query.as_deref(), Some("SELECT * WHERE {}"));
        assert_eq!(r.default_graphs, ["http://ex/a"]);
        assert_eq!(r.named_graphs, ["http://ex/b", "http://ex/c"]);
        let selection = r.graph_selection().unwrap().unwrap();
        assert_eq!(selection.named_graphs.len(), 2);
        assert_eq!(from_get(None).unwrap().query, None);
        assert_eq!(from_get(Some("query=a&query=b")).unwrap_err().status, 400);
        assert_eq!(from_get(Some("update=x")).unwrap_err().message, READ_ONLY);
        let bad = from_get(Some("query=x&default-graph-uri=not%20an%20iri")).unwrap();
        assert_eq!(bad.graph_selection().unwrap_err().status, 400);
    }

    #[test]
    fn bad_utf8_and_empty_queries_are_refused_alike() {
        assert_eq!(
            percent_decode(b"a+b%20c%3D%e2%82%ac%zz%").unwrap(),
            "a b c=\u{20ac}%zz%"
        );
        let get = from_get(Some("query=ASK%7B%3Fs%20%3Fp%20%22%FF%22%7D")).unwrap_err();
        assert_eq!(get.status, 400);
        assert!(get.message.contains("not UTF-8"), "{}", get.message);
        let form = "application/x-www-form-urlencoded";
        let post = from_post(Some(form), None, b"query=ASK%7B%3Fs%20%3Fp%20%22%FF%22%7D");
        assert_eq!(post.unwrap_err(), get);
        let direct = from_post(
            Some("application/sparql-query"),
            None,
            b"ASK{?s ?p \"\xff\"}",
        );
        assert_eq!(direct.unwrap_err().status, 400);
        assert_eq!(from_get(Some("%FF=1")).unwrap_err().status, 400);
        for empty in ["query=", "query=+%20%0A", "query"] {
            assert_eq!(from_get(Some(empty)).unwrap_err().message, EMPTY_QUERY);
            let post = from_post(Some(form), None, empty.as_bytes()).unwrap_err();
            assert_eq!(post.message, EMPTY_QUERY);
        }
        let direct = from_post(Some("application/sparql-query"), None, b" \n").unwrap_err();
        assert_eq!(direct.message, EMPTY_QUERY);
    }

    #[test]
    fn post_reads_forms_and_direct_queries() {
        let form = from_post(
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
            None,
            b"query=ASK+%7B%7D&default-graph-uri=http%3A%2F%2Fex%2Fg",
        )
        .unwrap();
        assert_eq!(form.query.as_deref(), Some("ASK {}"));
        assert_eq!(form.default_graphs, ["http://ex/g"]);
        let direct = from_post(
            Some("application/sparql-query"),
            Some("named-graph-uri=http%3A%2F%2Fex%2Fg"),
            "ASK { ?s ?p \"é\" }".as_bytes(),
        )
        .unwrap();
        assert_eq!(direct.query.as_deref(), Some("ASK { ?s ?p \"é\" }"));
        assert_eq!(direct.named_graphs, ["http://ex/g"]);
        let status = |ct: Option<&str>, body: &[u8]| from_post(ct, None, body).unwrap_err().status;
        assert_eq!(
            status(Some("application/sparql-update"), b"INSERT DATA {}"),
            400
        );
        assert_eq!(
            status(Some("application/x-www-form-urlencoded"), b"update=x"),
            400
        );
        assert_eq!(status(Some("text/plain"), b"ASK {}"), 415);
        assert_eq!(status(None, b"ASK {}"), 415);
        assert_eq!(status(Some("application/sparql-query"), b"\xff"), 400);
        assert_eq!(
            status(Some("application/x-www-form-urlencoded"), b"x=1"),
            400
        );
    }

    #[test]
    fn negotiation_follows_q_values_and_specificity() {
        let pick = |answer, accept: Option<&str>| negotiate(answer, accept, &[]);
        use Answer::*;
        use ResultFormat::*;
        assert_eq!(pick(Solutions, None), Ok(Json));
        assert_eq!(pick(Solutions, Some("*/*")), Ok(Json));
        assert_eq!(pick(Boolean, Some("")), Ok(Json));
        assert_eq!(pick(Graph, None), Ok(Turtle));
        assert_eq!(pick(Solutions, Some("text/csv")), Ok(Csv));
        assert_eq!(pick(Solutions, Some("text/*")), Ok(Csv));
        assert_eq!(
            pick(
                Solutions,
                Some("application/sparql-results+xml;q=0.5, text/tab-separated-values")
            ),
            Ok(Tsv)
        );
        // A browser's header: XML (q=0.9) beats */* (q=0.8).
        assert_eq!(
            pick(
                Solutions,
                Some("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
            ),
            Ok(Xml)
        );
        // The most specific range decides even with a lower q.
        assert_eq!(pick(Graph, Some("*/*;q=1, text/turtle;q=0")), Ok(NTriples));
        assert_eq!(
            pick(Graph, Some("application/ld+json, application/x-json+ld")),
            Ok(JsonLd)
        );
        assert_eq!(pick(Graph, Some("application/rdf+xml")), Ok(RdfXml));
        let refused = pick(Graph, Some("text/csv")).unwrap_err();
        assert_eq!(refused.status, 406);
        assert!(
            refused.message.contains("text/turtle"),
            "{}",
            refused.message
        );
        assert_eq!(pick(Solutions, Some("image/png")).unwrap_err().status, 406);
        assert_eq!(
            pick(Solutions, Some("text/csv;q=0")).unwrap_err().status,
            406
        );
        // A bad q-value drops that range only.
        assert_eq!(
            pick(Solutions, Some("text/csv;q=x, text/tab-separated-values")),
            Ok(Tsv)
        );
    }

    #[test]
    fn format_parameter_overrides_accept_when_it_fits() {
        let f = |answer, names: &[&str]| {
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            negotiate(answer, Some("text/csv, text/turtle"), &names)
        };
        assert_eq!(f(Answer::Solutions, &["json"]), Ok(ResultFormat::Json));
        assert_eq!(f(Answer::Graph, &["json"]), Ok(ResultFormat::JsonLd));
        assert_eq!(f(Answer::Graph, &["xml"]), Ok(ResultFormat::RdfXml));
        assert_eq!(
            f(Answer::Solutions, &["tsv", "text/tab-separated-values"]),
            Ok(ResultFormat::Tsv)
        );
        // Names that do not fit the answer, or unknown names, leave it to Accept.
        assert_eq!(f(Answer::Graph, &["csv"]), Ok(ResultFormat::Turtle));
        assert_eq!(f(Answer::Solutions, &["n3"]), Ok(ResultFormat::Csv));
    }
}
