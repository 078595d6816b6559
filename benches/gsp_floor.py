"""The least time Virtuoso's Graph Store Protocol takes for a dataset.

Sends every named graph of an N-Quads file (as `signalgraph export --format
nquads` writes it: lines grouped by graph) with one `PUT ?graph=IRI` of its
N-Triples each, from THREADS threads on kept-alive connections, with nothing
else to do: no store to read, no hashing, no state, no authentication (the
endpoint is Virtuoso's `/sparql-graph-crud` with SPARQL_UPDATE granted to the
anonymous user). What a push takes beyond this is the client's share.

    python3 benches/gsp_floor.py GRAPH.nq http://127.0.0.1:8890/sparql-graph-crud [THREADS]
"""

import http.client
import queue
import sys
import threading
import time
import urllib.parse


def graphs(path):
    """(IRI, N-Triples body) per graph, in the order graphs first appear."""
    bodies = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            head, _, graph = line.rstrip("\n")[: -len(" .")].rpartition(" ")
            if graph.startswith("<"):  # not a statement of the default graph
                bodies.setdefault(graph[1:-1], []).append(head + " .\n")
    return [(iri, "".join(lines)) for iri, lines in bodies.items()]


def main():
    path, endpoint = sys.argv[1], sys.argv[2]
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    url = urllib.parse.urlsplit(endpoint)
    work = graphs(path)
    jobs = queue.Queue()
    for job in work:
        jobs.put(job)
    failures = []

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        while True:
            try:
                iri, body = jobs.get_nowait()
            except queue.Empty:
                return
            target = f"{url.path}?graph={urllib.parse.quote(iri, safe='')}"
            conn.request("PUT", target, body.encode(), {"Content-Type": "application/n-triples"})
            answer = conn.getresponse()
            answer.read()
            if answer.status >= 300:
                failures.append((iri, answer.status))

    started = time.monotonic()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds = time.monotonic() - started
    print(f"{len(work)} graphs in {seconds:.1f} s ({threads} threads), {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
