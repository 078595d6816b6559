#!/usr/bin/env bash
# Starts and stops a throw-away Virtuoso Open Source 7 (Debian's
# `virtuoso-opensource`) on loopback, for the push test and benchmark.
# Source it, then:
#
#   virtuoso_install            # apt-get install when virtuoso-t is missing (as root)
#   virtuoso_start DIR [LOADDIR] # database in DIR, on two free 127.0.0.1 ports;
#                               # sets VIRTUOSO_HTTP (port), VIRTUOSO_ISQL (port),
#                               # VIRTUOSO_PID; LOADDIR is added to DirsAllowed
#   virtuoso_stop               # stops it (kill and wait; no checkpoint needed)
#   virtuoso_restart            # starts it again on the same database and ports
#   virtuoso_isql 'SQL;'        # runs SQL through isql-vt as dba
#
# The account is Virtuoso's default, dba/dba. Startup takes ~15 s on a fresh
# database: virtuoso_start waits until the HTTP port answers a query.

virtuoso_install() {
    if ! command -v virtuoso-t > /dev/null || ! command -v isql-vt > /dev/null; then
        echo "virtuoso_server.sh: installing virtuoso-opensource" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >&2
    fi
}

# Two free TCP ports on 127.0.0.1 (bound and released; a race with another
# process taking one in between is possible but unlikely).
virtuoso_free_ports() {
    python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])'
}

virtuoso_start() {
    local dir="$1" load="${2:-}"
    mkdir -p "$dir"
    # shellcheck disable=SC2046
    set -- $(virtuoso_free_ports)
    VIRTUOSO_ISQL="$1" VIRTUOSO_HTTP="$2"
    VIRTUOSO_DIR="$dir"
    local allowed=". , /usr/share/virtuoso-opensource-7/vad"
    [ -n "$load" ] && allowed="$allowed, $load"
    # Every path into DIR, both ports on loopback; the rest as Debian ships it.
    python3 - /etc/virtuoso-opensource-7/virtuoso.ini "$dir/virtuoso.ini" "$dir" \
        "$VIRTUOSO_ISQL" "$VIRTUOSO_HTTP" "$allowed" <<'PY'
import re, sys
src, dst, d, isql, http, allowed = sys.argv[1:]
section = None
out = []
for line in open(src, encoding="utf-8"):
    m = re.match(r"\s*\[(\w+)\]", line)
    if m:
        section = m.group(1)
    key = line.split("=")[0].strip()
    temp = "-temp" if section == "TempDatabase" else ""
    value = {
        "DatabaseFile": f"{d}/virtuoso{temp}.db",
        "TransactionFile": f"{d}/virtuoso{temp}.trx",
        "ErrorLogFile": f"{d}/virtuoso.log",
        "LockFile": f"{d}/virtuoso.lck",
        "xa_persistent_file": f"{d}/virtuoso.pxa",
        "DirsAllowed": allowed,
        "ServerPort": f"127.0.0.1:{isql}" if section == "Parameters" else f"127.0.0.1:{http}",
    }.get(key) if section in ("Database", "TempDatabase", "Parameters", "HTTPServer") else None
    # Whole answers for the comparisons (Debian's default cuts at 10000 rows).
    if key == "ResultSetMaxRows" and section == "SPARQL" and not line.lstrip().startswith(";"):
        line = f"{key} = 10000000\n"
    elif value is not None and not line.lstrip().startswith(";"):
        line = f"{key} = {value}\n"
    out.append(line)
open(dst, "w", encoding="utf-8").writelines(out)
PY
    virtuoso_restart
}

virtuoso_restart() {
    local dir="$VIRTUOSO_DIR"
    (cd "$dir" && exec virtuoso-t -f -c "$dir/virtuoso.ini" > "$dir/stdout.log" 2>&1) &
    VIRTUOSO_PID=$!
    local i
    for i in $(seq 1 120); do
        if curl -sf -o /dev/null "http://127.0.0.1:$VIRTUOSO_HTTP/sparql?query=ASK%7B%7D"; then
            return 0
        fi
        if ! kill -0 "$VIRTUOSO_PID" 2> /dev/null; then
            echo "virtuoso-t exited at start:" >&2
            tail -20 "$dir/stdout.log" "$dir/virtuoso.log" >&2 || true
            return 1
        fi
        sleep 0.5
    done
    echo "virtuoso-t did not answer on port $VIRTUOSO_HTTP within 60 s" >&2
    return 1
}

virtuoso_stop() {
    if [ -n "${VIRTUOSO_PID:-}" ] && kill -0 "$VIRTUOSO_PID" 2> /dev/null; then
        kill "$VIRTUOSO_PID" 2> /dev/null || true
        wait "$VIRTUOSO_PID" 2> /dev/null || true
    fi
    VIRTUOSO_PID=
}

virtuoso_isql() {
    isql-vt "127.0.0.1:$VIRTUOSO_ISQL" dba dba "exec=$1" 2>&1
}
