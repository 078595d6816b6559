//! The HTML pages: the query page at `/` and the "no report yet" page.
//!
//! Both are self-contained (inline style and script, no fonts, images or
//! requests to other hosts); the server sends them with a Content-Security-Policy
//! that forbids anything else, so the page can only talk to this endpoint.

use crate::store::vocab::PREFIXES;

/// The Content-Security-Policy of the query page.
pub const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
     connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const STYLE: &str = r#"
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: .7rem 1.2rem; display: flex; gap: 1.2rem; align-items: baseline; }
header h1 { font-size: 1.1rem; margin: 0; }
header a { color: #b9c7ff; }
main { padding: 1rem 1.2rem; }
textarea { width: 100%; box-sizing: border-box; min-height: 11rem; font: 13px/1.4 ui-monospace, monospace;
  padding: .6rem; border: 1px solid #c5cad3; border-radius: 4px; }
.bar { display: flex; gap: .8rem; align-items: center; margin: .5rem 0 1rem; flex-wrap: wrap; }
button { font: inherit; padding: .35rem 1.1rem; border-radius: 4px; border: 1px solid #2c49c9; background: #2c49c9; color: #fff; cursor: pointer; }
button:disabled { opacity: .6; }
#status { color: #555; }
#status.error { color: #b00020; white-space: pre-wrap; font-family: ui-monospace, monospace; }
table { border-collapse: collapse; background: #fff; font-size: 13px; }
th, td { border: 1px solid #d9dde4; padding: .25rem .5rem; text-align: left; vertical-align: top; max-width: 40rem; overflow-wrap: anywhere; }
th { background: #eef0f4; position: sticky; top: 0; }
td.iri { color: #2c49c9; }
pre { background: #fff; border: 1px solid #d9dde4; padding: .6rem; overflow: auto; font-size: 12px; }
small { color: #666; }
"#;

const SCRIPT: &str = r#"
const form = document.getElementById('q');
const text = document.getElementById('query');
const status = document.getElementById('status');
const out = document.getElementById('out');
const run = document.getElementById('run');
const prefixes = __PREFIXES__;
function short(iri) {
  for (const [p, ns] of prefixes) if (iri.startsWith(ns)) return p + ':' + iri.slice(ns.length);
  return '<' + iri + '>';
}
function cell(term) {
  const td = document.createElement('td');
  if (!term) return td;
  if (term.type === 'uri') { td.className = 'iri'; td.title = term.value; td.textContent = short(term.value); }
  else if (term.type === 'bnode') td.textContent = '_:' + term.value;
  else {
    td.textContent = term.value;
    if (term['xml:lang']) td.title = '@' + term['xml:lang'];
    else if (term.datatype) td.title = short(term.datatype);
  }
  return td;
}
function show(json) {
  out.replaceChildren();
  if ('boolean' in json) { status.textContent = 'ASK: ' + json.boolean; return 1; }
  const vars = json.head.vars, rows = json.results.bindings;
  const table = document.createElement('table');
  const head = table.insertRow();
  for (const v of vars) { const th = document.createElement('th'); th.textContent = v; head.appendChild(th); }
  for (const b of rows) { const tr = table.insertRow(); for (const v of vars) tr.appendChild(cell(b[v])); }
  out.appendChild(table);
  return rows.length;
}
async function submit(event) {
  event.preventDefault();
  run.disabled = true; status.className = ''; status.textContent = 'running…';
  const started = performance.now();
  try {
    const response = await fetch('sparql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded',
                 'Accept': 'application/sparql-results+json, text/turtle;q=0.9' },
      body: new URLSearchParams({ query: text.value }),
    });
    const ms = Math.round(performance.now() - started);
    const type = response.headers.get('Content-Type') || '';
    const body = await response.text();
    if (!response.ok) {
      status.className = 'error'; out.replaceChildren();
      status.textContent = response.status + ' ' + response.statusText + ': ' + body;
    } else if (type.startsWith('application/sparql-results+json')) {
      const n = show(JSON.parse(body));
      if (!('boolean' in JSON.parse(body))) status.textContent = n + (n === 1 ? ' row' : ' rows') + ' in ' + ms + ' ms';
    } else {
      out.replaceChildren(); const pre = document.createElement('pre'); pre.textContent = body; out.appendChild(pre);
      status.textContent = type.split(';')[0] + ', ' + body.length + ' characters in ' + ms + ' ms';
    }
  } catch (e) {
    status.className = 'error'; status.textContent = String(e);
  } finally { run.disabled = false; }
}
form.addEventListener('submit', submit);
text.addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e); });
"#;

const EXAMPLE: &str = "SELECT ?force (COUNT(DISTINCT ?a) AS ?articles)
WHERE { ?a sg:hasSignal/sg:drivenBy ?d . ?d skos:prefLabel ?force }
GROUP BY ?force ORDER BY DESC(?articles) ?force LIMIT 10";

/// The query page; IRIs in results are shortened with the predeclared
/// prefixes and `id:` for the store's base IRI.
pub fn query_page(base: &str) -> String {
    let mut prefixes: Vec<(&str, &str)> = PREFIXES.to_vec();
    prefixes.push(("id", base));
    // JSON of plain strings, with `<` escaped so no `</script>` can appear.
    let prefixes = serde_json::to_string(&prefixes)
        .unwrap_or_else(|_| "[]".into())
        .replace('<', "\\u003c");
    let script = SCRIPT.replace("__PREFIXES__", &prefixes);
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>signalgraph SPARQL</title><style>{STYLE}</style></head>
<body>
<header><h1>signalgraph SPARQL</h1><a href="sparql">service description</a><a href="report">trend report</a></header>
<main>
<form id="q">
<textarea id="query" name="query" spellcheck="false" aria-label="SPARQL query">{EXAMPLE}</textarea>
<div class="bar"><button id="run" type="submit">Run</button>
<small>Ctrl+Enter runs. Predeclared prefixes: sg, dcterms, skos, schema, prov, rdf, rdfs, xsd, owl.
The default graph is the union of all graphs.</small></div>
</form>
<div id="status"></div>
<div id="out"></div>
</main>
<script>{script}</script>
</body></html>
"#
    )
}

/// The page `/report` shows while the store has no `report.html`.
pub fn no_report_page(store: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>No report yet</title><style>{STYLE}</style></head>
<body><header><h1>signalgraph</h1><a href="./">query page</a></header>
<main><h2>No trend report yet</h2>
<p>The store <code>{}</code> has no <code>report.html</code>. Make one with</p>
<pre>signalgraph report</pre>
<p>and reload this page; the server does not need a restart.</p></main></body></html>
"#,
        escape(store)
    )
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_load_nothing_from_elsewhere() {
        for page in [
            query_page("https://w3id.org/signalgraph/id/"),
            no_report_page("<s>"),
        ] {
            for attr in ["src=", "href=\"http", "href='http", "@import", "url("] {
                assert!(!page.contains(attr), "{attr} in page");
            }
        }
        assert!(no_report_page("<s>").contains("&lt;s&gt;"));
        assert!(no_report_page("x").contains("signalgraph report"));
        let page = query_page("https://ex.org/</script>/");
        assert!(
            page.contains(r#"["sg","https://w3id.org/signalgraph/ontology#"]"#),
            "{page}"
        );
        assert_eq!(page.matches("</script>").count(), 1);
    }
}
