"""Query `signalgraph serve` with real Python clients and compare with `signalgraph query`.

usage: python check_serve.py SIGNALGRAPH_BINARY STORE_DIR

Starts the server on a free loopback port, queries it with SPARQLWrapper
(GET, POST form, POST direct; JSON, XML, CSV, TSV, Turtle, RDF/XML, JSON-LD;
default and named graphs; errors) and with rdflib's SPARQLStore, compares
every answer with the CLI's on the same store, then stops the server with
SIGTERM and checks it exits cleanly. Prints one line per check and a closing
`sparql-endpoint: N passed, M failed`.
"""

import json
import signal
import subprocess
import sys
import threading
import time

import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

SELECT = """SELECT ?force (COUNT(DISTINCT ?a) AS ?articles)
WHERE { ?a sg:hasSignal/sg:drivenBy ?d . ?d skos:prefLabel ?force }
GROUP BY ?force ORDER BY DESC(?articles) ?force LIMIT 8"""
TITLES = "SELECT ?a ?title ?date WHERE { ?a dcterms:title ?title ; dcterms:date ?date } ORDER BY ?date ?a"
ASK = 'ASK { ?t skos:prefLabel "Energy Transition" }'
CONSTRUCT = "CONSTRUCT { ?a dcterms:title ?t ; sg:hasTheme ?th } WHERE { ?a dcterms:title ?t ; sg:hasTheme ?th }"
FIRST_GRAPH = "SELECT ?g WHERE { GRAPH ?g { ?a a schema:NewsArticle } } ORDER BY ?g LIMIT 1"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""))
        if ok:
            self.passed += 1
        else:
            self.failed += 1

    def run(self, name, fn):
        try:
            ok, detail = fn()
        except Exception as e:  # a client error is this check's failure
            ok, detail = False, f"{type(e).__name__}: {e}"
        self.check(name, ok, detail)


def cli(binary, store, query, fmt):
    out = subprocess.run(
        [binary, "--store", store, "query", "--format", fmt, query],
        check=True,
        capture_output=True,
    )
    return out.stdout


def start(binary, store):
    proc = subprocess.Popen(
        [binary, "--store", store, "serve", "--bind", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    found = threading.Event()
    state = {"addr": None, "log": []}

    def drain():
        for line in proc.stderr:
            state["log"].append(line)
            if state["addr"] is None and "listening on http://" in line:
                state["addr"] = line.split("listening on http://")[1].split("/")[0]
                found.set()

    threading.Thread(target=drain, daemon=True).start()
    if not found.wait(60):
        proc.kill()
        raise SystemExit("the server did not start:\n" + "".join(state["log"]))
    return proc, state


def wrapper(endpoint, query, fmt, method=GET, request=URLENCODED):
    s = SPARQLWrapper(endpoint)
    s.setQuery(query)
    s.setReturnFormat(fmt)
    s.setMethod(method)
    s.setRequestMethod(request)
    s.setTimeout(60)
    return s


def main() -> int:
    binary, store = sys.argv[1], sys.argv[2]
    proc, state = start(binary, store)
    endpoint = f"http://{state['addr']}/sparql"
    c = Checks()

    expected_json = json.loads(cli(binary, store, SELECT, "json"))
    for label, method, request in [
        ("GET", GET, URLENCODED),
        ("POST form", POST, URLENCODED),
        ("POST direct", POST, POSTDIRECTLY),
    ]:
        def select_json(method=method, request=request):
            got = wrapper(endpoint, SELECT, JSON, method, request).query().convert()
            return got == expected_json, f"{got} != {expected_json}"

        c.run(f"SPARQLWrapper SELECT JSON by {label}", select_json)

    for fmt, name in [(XML, "xml"), (CSV, "csv"), (TSV, "tsv")]:
        def raw(fmt=fmt, name=name):
            got = wrapper(endpoint, TITLES, fmt).query().response.read()
            want = cli(binary, store, TITLES, name)
            return got == want, f"{len(got)} bytes != {len(want)} bytes"

        c.run(f"SPARQLWrapper SELECT {name.upper()} byte-identical to the CLI", raw)

    def ask():
        got = wrapper(endpoint, ASK, JSON).query().convert()
        return got.get("boolean") is True, str(got)

    c.run("SPARQLWrapper ASK JSON", ask)

    expected_graph = rdflib.Graph().parse(data=cli(binary, store, CONSTRUCT, "turtle"), format="turtle")
    for fmt, label in [(TURTLE, "Turtle"), (RDFXML, "RDF/XML"), (JSONLD, "JSON-LD")]:
        def construct(fmt=fmt):
            result = wrapper(endpoint, CONSTRUCT, fmt, POST).query().convert()
            if isinstance(result, (bytes, str)):
                result = rdflib.Graph().parse(data=result, format="turtle")
            return (
                len(result) == len(expected_graph) and isomorphic(result, expected_graph),
                f"{len(result)} triples, expected {len(expected_graph)}",
            )

        c.run(f"SPARQLWrapper CONSTRUCT {label} isomorphic to the CLI's", construct)

    graph = json.loads(cli(binary, store, FIRST_GRAPH, "json"))["results"]["bindings"][0]["g"]["value"]
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    want_count = json.loads(
        cli(binary, store, f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}", "json")
    )

    def default_graph():
        s = wrapper(endpoint, count, JSON)
        s.addDefaultGraph(graph)
        got = s.query().convert()
        return got == want_count, f"{got} != {want_count}"

    c.run("SPARQLWrapper default-graph-uri", default_graph)

    def named_graph():
        s = wrapper(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", JSON)
        s.addNamedGraph(graph)
        got = [b["g"]["value"] for b in s.query().convert()["results"]["bindings"]]
        return got == [graph], str(got)

    c.run("SPARQLWrapper named-graph-uri", named_graph)

    def bad_query():
        try:
            wrapper(endpoint, "SELECT ?x WHERE { ?x ?y }", JSON).query()
        except QueryBadFormed as e:
            return "1:26" in str(e), str(e)
        return False, "no error"

    c.run("SPARQLWrapper: a malformed query is QueryBadFormed with its position", bad_query)

    def update_refused():
        s = SPARQLWrapper(endpoint)
        s.setQuery("INSERT DATA { <http://ex/s> <http://ex/p> <http://ex/o> }")
        s.setMethod(POST)
        try:
            s.query()
        except QueryBadFormed as e:
            return "read-only" in str(e), str(e)
        return False, "the update was accepted"

    c.run("SPARQLWrapper: an update is refused", update_refused)

    def sparql_store():
        g = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="xml"))
        got = [tuple(str(v) for v in row) for row in g.query(TITLES)]
        want_json = json.loads(cli(binary, store, TITLES, "json"))
        names = want_json["head"]["vars"]
        want = [tuple(b[v]["value"] for v in names) for b in want_json["results"]["bindings"]]
        return got == want and len(got) == 47, f"{len(got)} rows, expected {len(want)}"

    c.run("rdflib SPARQLStore SELECT rows equal the CLI's", sparql_store)

    def sparql_store_graph():
        g = rdflib.Graph(store=SPARQLStore(endpoint))
        result = g.query(CONSTRUCT).graph
        return isomorphic(result, expected_graph), f"{len(result)} triples"

    c.run("rdflib SPARQLStore CONSTRUCT isomorphic to the CLI's", sparql_store_graph)

    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        code = None
    time.sleep(0.1)
    log = "".join(state["log"])
    c.check("server exits 0 on SIGTERM", code == 0, f"exit {code}\n{log}")
    c.check("a log line per request", log.count(" /sparql ") >= 15, log)

    print(f"sparql-endpoint: {c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
