#!/usr/bin/env python3
"""Run the serving load test against signalgraph and Oxigraph's own server.

    python3 benches/serve_peer.py                  # the default load test, then the peer
    python3 benches/serve_peer.py --rate 160       # both paced at 160 queries/s
    python3 benches/serve_peer.py --order random   # any option of benches/serve_load.rs

The peer is `oxigraph serve` from the `oxigraph` package on PyPI (the CLI
of the Oxigraph version signalgraph's SPARQL engine comes from), installed
into the benchmark virtual environment (~/.cache/signalgraph-bench-venv, from
benches/requirements.txt). The script re-runs itself there and calls
`cargo bench --bench serve_load -- --peer <that binary>` with its own
arguments: signalgraph first, then the peer, under the same protocol, in the
same run. See benches/BENCHMARKS.md.
"""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchenv  # noqa: E402

benchenv.ensure_venv()
peer = benchenv.VENV / "bin" / "oxigraph"
if not peer.exists():
    sys.exit(f"{peer} is missing: is oxigraph in benches/requirements.txt?")
command = ["cargo", "bench", "--bench", "serve_load", "--", "--peer", str(peer), *sys.argv[1:]]
sys.exit(subprocess.run(command, cwd=benchenv.ROOT).returncode)
