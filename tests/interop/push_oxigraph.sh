#!/usr/bin/env bash
# `signalgraph push` against a real Oxigraph server (PyPI's `oxigraph`, the
# version pinned in requirements.txt, in the interop venv) with a throw-away
# location on 127.0.0.1:
#  - a dry run sends nothing; a store of the sample seeds plus a seed with a
#    hostile title is pushed with the Graph Store Protocol (/store); SPARQL
#    on Oxigraph (/query) then answers as `signalgraph query` does
#    (push_common.sh's queries);
#  - a second push sends nothing; two seeds edited, one deleted, one added:
#    the next push sends those article graphs (plus collection/analysis
#    graphs that changed) and deletes the one gone (which the test removed
#    first, so Oxigraph answers 404), and the answers match;
#  - a push while the server is stopped fails (exit 1) and the next one
#    converges;
#  - `--protocol update` (/update) brings a fresh server to the same
#    answers, first in full, then incrementally;
#  - https: a throw-away CA signs a certificate for 127.0.0.1 and localhost
#    (openssl), and tls_proxy.py serves it in front of a fresh server: a push
#    to https://127.0.0.1:PORT/store with --ca-cert brings the same answers;
#    without it, or with another CA's certificate, it fails (exit 1) on the
#    certificate; an unreadable --ca-cert file is a usage error naming it.
#
#   bash tests/interop/push_oxigraph.sh BIN
#
# Installs openssl with apt-get when it is missing (as root).
set -euo pipefail
bin="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
py="$(bash "$here/venv.sh")"
oxigraph="$(dirname "$py")/oxigraph"
if ! command -v openssl > /dev/null; then
    echo "push_oxigraph.sh: installing openssl" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >&2
fi
work="$(mktemp -d)"
OXIGRAPH_PID="" PROXY_PID=""
stop() { # PID: ends a server this script started
    if [ -n "$1" ]; then kill "$1" 2> /dev/null || true; wait "$1" 2> /dev/null || true; fi
}
trap 'stop "$PROXY_PID"; stop "$OXIGRAPH_PID"; rm -rf "$work"' EXIT

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# A server with its data in DIR on a free port (OXIGRAPH_PORT, kept by
# oxigraph_restart); waits until it answers a query.
oxigraph_start() { # DIR
    OXIGRAPH_DIR="$1" OXIGRAPH_PORT="$(free_port)"
    oxigraph_restart
}
oxigraph_restart() {
    "$oxigraph" serve --location "$OXIGRAPH_DIR" --bind "127.0.0.1:$OXIGRAPH_PORT" >> "$OXIGRAPH_DIR.log" 2>&1 &
    OXIGRAPH_PID=$!
    http="http://127.0.0.1:$OXIGRAPH_PORT"
    for _ in $(seq 1 100); do
        curl -sf "$http/query" --data-urlencode 'query=ASK {}' > /dev/null && return 0
        kill -0 "$OXIGRAPH_PID" 2> /dev/null || break
        sleep 0.1
    done
    echo "oxigraph did not start:" >&2
    cat "$OXIGRAPH_DIR.log" >&2
    return 1
}
oxigraph_stop() {
    stop "$OXIGRAPH_PID"
    OXIGRAPH_PID=""
}

# shellcheck source=check.sh
source "$here/check.sh"
# shellcheck source=push_common.sh
source "$here/push_common.sh"
echo "oxigraph: $("$oxigraph" --version)"
push_seeds
push_build

echo "== first push (Graph Store Protocol)"
oxigraph_start "$work/db-gsp"
gsp="$http/store"
check_first_pushes Oxigraph "$gsp" "$http/query"

echo "== two seeds edited, one deleted, one added"
push_edit_seeds
push_build
check_edit_plan "$gsp"
# The gone graph is removed behind the push's back first: its DELETE then
# gets Oxigraph's 404, which counts as done.
gone="$(awk '$1 == "delete" { print $2 }' "$work/plan.txt")"
delete_gone() { curl -s -o /dev/null -w '%{http_code}' -X DELETE -G --data-urlencode "graph=$gone" "$gsp"; }
status="$(delete_gone)"
status2="$(delete_gone)"
check "Oxigraph's answers to DELETE" "$([ "$status" = 204 ] && [ "$status2" = 404 ] && echo 1 || echo 0)" \
    "$status, then $status2 for the graph gone"
check_incremental_push "$gsp" "$http/query"

echo "== server down, then back"
check_down_then_back "$gsp" "$http/query" oxigraph_stop oxigraph_restart
oxigraph_stop

echo "== SPARQL Update protocol, to a fresh server"
oxigraph_start "$work/db-update"
check_update_pushes "$http/update" "$http/query"
oxigraph_stop

echo "== https through a TLS proxy, with a throw-away CA"
tls="$work/tls"
mkdir -p "$tls"
ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
for ca in ca other-ca; do
    openssl req -x509 "${ec[@]}" -keyout "$tls/$ca.key" -out "$tls/$ca.pem" -days 2 \
        -subj "/CN=signalgraph test $ca" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign 2> /dev/null
done
openssl req -new "${ec[@]}" -keyout "$tls/server.key" -out "$tls/server.csr" -subj /CN=127.0.0.1 2> /dev/null
printf '%s\n' subjectAltName=IP:127.0.0.1,DNS:localhost basicConstraints=critical,CA:FALSE \
    keyUsage=critical,digitalSignature extendedKeyUsage=serverAuth > "$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -set_serial 2 \
    -days 2 -extfile "$tls/server.ext" -out "$tls/server.pem" 2> /dev/null
oxigraph_start "$work/db-tls"
python3 "$here/tls_proxy.py" "$tls/server.pem" "$tls/server.key" "$OXIGRAPH_PORT" "$tls/port" 2> "$tls/proxy.log" &
PROXY_PID=$!
for _ in $(seq 1 100); do [ -s "$tls/port" ] && break; sleep 0.05; done
https="https://127.0.0.1:$(cat "$tls/port")/store"
graphs="$(store_graphs)"
sg push -q --json --retries 0 "$https" > "$work/tls0.json" 2> "$work/err" && rc=0 || rc=$?
check "https without --ca-cert" "$([ $rc = 1 ] && [ "$(json "$work/tls0.json" graphs_sent)" = 0 ] && grep -q 'certificate' "$work/err" && [ "$(remote_graphs "$http/query")" = 0 ] && echo 1 || echo 0)" \
    "exit $rc: $(head -1 "$work/err")"
sg push -q --json --ca-cert "$tls/other-ca.pem" "$https" > "$work/tls1.json" 2> "$work/err" && rc=0 || rc=$?
check "https with another CA" "$([ $rc = 1 ] && [ "$(json "$work/tls1.json" graphs_sent)" = 0 ] && grep -q 'certificate' "$work/err" && echo 1 || echo 0)" \
    "exit $rc: $(head -1 "$work/err")"
sg push -q --ca-cert "$tls/missing.pem" "$https" 2> "$work/err" && rc=0 || rc=$?
sg push -q --ca-cert "$tls/server.key" "$https" 2>> "$work/err" && rc2=0 || rc2=$?
check "unusable --ca-cert files" "$([ $rc = 2 ] && [ $rc2 = 2 ] && grep -q 'missing.pem: No such file' "$work/err" && grep -q 'server.key: holds no PEM certificate' "$work/err" && echo 1 || echo 0)" \
    "exit $rc and $rc2: $(tr '\n' ' ' < "$work/err")"
sg push -q --json --ca-cert "$tls/ca.pem" "$https" > "$work/tls2.json" 2> "$work/err" && rc=0 || rc=$?
check "https with --ca-cert" "$([ $rc = 0 ] && [ "$(json "$work/tls2.json" graphs_sent)" = "$graphs" ] && echo 1 || echo 0)" \
    "exit $rc, sent $(json "$work/tls2.json" graphs_sent) of $graphs graphs $(head -1 "$work/err")"
compare_all "after a push over https" "$http/query"

echo "push_oxigraph: $passed passed, $failed failed"
[ "$failed" = 0 ]
