#!/usr/bin/env bash
# Hostile-input check: schemathesis fuzzes the GraphQL API of a real server (demo data) for a
# bounded time, as the demo admin (SECONDS) and then as anonymous, a resident, kelurahan staff,
# a vendor and OPD staff (SECONDS/2 each); any crash (HTTP 5xx, an error without a code, or INTERNAL) fails.
# Usage: tests/fuzz/run.sh MUFAKAT_BINARY [SECONDS]
# With FUZZ_DATABASE_URL (an empty PostgreSQL database) the server runs on it instead of SQLite.
set -euo pipefail
bin="$1"
secs="${2:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
venv="$HOME/.cache/mufakat-venv-schemathesis"
if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q schemathesis
fi
work=$(mktemp -d /tmp/mufakat-fuzz.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
db_args=()
if [ -n "${FUZZ_DATABASE_URL:-}" ]; then db_args=(--database-url "$FUZZ_DATABASE_URL"); fi
"$bin" --data-dir "$work/data" "${db_args[@]}" serve --demo --listen "127.0.0.1:$port" > "$work/out.txt" 2> "$work/err.txt" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 300); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=2)" 2>/dev/null && break
    sleep 0.2
done
pw=$(grep -o 'shown once: [A-Za-z0-9]*' "$work/out.txt" | cut -d' ' -f3)
login() {
    PORT="$port" PW="$pw" WHO="$1" python3 - <<'PY'
import json, os, urllib.request
q = {"query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
     "variables": {"u": os.environ["WHO"], "p": os.environ["PW"]}}
req = urllib.request.Request(f"http://127.0.0.1:{os.environ['PORT']}/graphql", data=json.dumps(q).encode(), headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req))["data"]["login"]["token"])
PY
}
# One run per role: what each may reach differs (most mutations refuse anonymous callers
# before reading their input; a resident's and staff's paths go further).
fuzz() { # SECONDS [TOKEN]
    local auth=()
    if [ -n "${2:-}" ]; then auth=(-H "Authorization: Bearer $2"); fi
    # logout/logoutEverywhere would revoke the fuzzer's own token.
    SCHEMATHESIS_HOOKS=mufakat_hooks PYTHONPATH="$here" "$venv/bin/schemathesis" run "http://127.0.0.1:$port/graphql" \
        --checks no_crash --exclude-checks not_a_server_error --exclude-name-regex 'logout' \
        --max-time "$1" --seed 1 "${auth[@]}"
}
half=$(( (secs + 1) / 2 ))
echo "-- as admin"; fuzz "$secs" "$(login admin)"
echo "-- anonymous"; fuzz "$half"
echo "-- as a resident"; fuzz "$half" "$(login warga.siti)"
echo "-- as kelurahan staff"; fuzz "$half" "$(login lurah.mekarsari)"
echo "-- as a vendor (a verified company)"; fuzz "$half" "$(login penyedia.maju)"
echo "-- as OPD staff (a buyer)"; fuzz "$half" "$(login opd.dinaspu)"
if grep -q "internal error" "$work/err.txt"; then
    echo "the server logged internal errors:" >&2
    grep "internal error" "$work/err.txt" | head -5 >&2
    exit 1
fi
