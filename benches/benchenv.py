"""Shared set-up of the Python benchmark scripts: their virtual environment and paths."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path.home() / ".cache"
VENV = CACHE / "signalgraph-bench-venv"
BENCH = CACHE / "signalgraph-bench"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
BINARY = TARGET / "release" / "signalgraph"
REQUIREMENTS = ROOT / "benches" / "requirements.txt"


def ensure_venv():
    """Re-run the calling script inside the benchmark venv, creating or
    updating it from benches/requirements.txt when needed."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".signalgraph-bench-requirements"
    current = REQUIREMENTS.read_text()
    if Path(sys.prefix).resolve() == VENV.resolve() and stamp.exists() and stamp.read_text() == current:
        return
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text() != current:
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(current)
    os.execv(str(python), [str(python), *sys.argv])


def build_release():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)


def run_measured(cmd, cwd=None):
    """Runs `cmd` to completion; returns (wall seconds, peak RSS bytes, stdout, stderr).

    Output goes through temporary files so the child can be reaped with
    wait4(), which gives its own peak RSS."""
    import tempfile
    import time

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}): {stderr}")
    return wall, usage.ru_maxrss * 1024, stdout, stderr
