#!/usr/bin/env bash
# The REST contract: docs/openapi.yaml is validated (openapi-spec-validator), then schemathesis
# sends generated requests to a live origin (SQLite, the demo workspace) and a live edge in
# front of it, as a demo user with the run's admin key, and checks every answer: no 5xx, the
# documented content type and status, and a body that matches the schema.
#
#   bash scripts/api-contract.sh [BIN_DIR]     # MAX_EXAMPLES=N (default 15) per operation
#
# Tools come from PyPI into .build/api-venv. Secrets are throw-away, in the environment only.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$(swift build --show-bin-path)}"
venv=.build/api-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
[ -x "$venv/bin/schemathesis" ] && [ -x "$venv/bin/openapi-spec-validator" ] \
    || "$venv/bin/pip" install -q 'schemathesis>=4.3,<5' 'openapi-spec-validator>=0.7,<1'

echo "== docs/openapi.yaml against the OpenAPI 3.0 schema"
"$venv/bin/openapi-spec-validator" docs/openapi.yaml

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    mkdir -p .build/api-contract && cp "$work"/*.log .build/api-contract/ 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
. scripts/secrets.sh "$work/secrets.env"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_healthy() {
    for _ in $(seq 1 300); do curl -sf "$1/healthz" >/dev/null && return 0; sleep 0.1; done
    echo "$1 did not come up" >&2; return 1
}
origin_port="$(free_port)"; edge_port="$(free_port)"
origin="http://127.0.0.1:$origin_port"; edge="http://127.0.0.1:$edge_port"
"$bin/switchboard-origin" --host 127.0.0.1 --port "$origin_port" --data-dir "$work/origin" --seed-demo \
    >"$work/origin.log" 2>&1 &
pids+=($!)
wait_healthy "$origin"
"$bin/switchboard-edge" --host 127.0.0.1 --port "$edge_port" --origin "$origin" --data-dir "$work/edge" \
    --region local --public-url "$edge" >"$work/edge.log" 2>&1 &
pids+=($!)
wait_healthy "$edge"
SWITCHBOARD_TEST_TOKEN="$(sed -n 's/^export TOKEN=//p' "$work/origin.log")"
export SWITCHBOARD_TEST_TOKEN
[ -n "$SWITCHBOARD_TEST_TOKEN" ] || { echo "the demo seed printed no token" >&2; exit 1; }

# One worker: with two, hypothesis (6.170, on Python 3.11) sometimes fails inside itself
# ("AST constructor recursion depth mismatch": two threads parsing source at once).
# The calls that end the run's own sign-in (sign-out, deactivation, revocation: schemathesis
# reuses ids it has seen, the demo user's among them) go last, so the rest run signed in.
enders='^/api/(auth/logout|users/\{id\}/(deactivate|sessions/revoke)|workspaces/\{workspace\}/users/\{id\})$'
status=0
for pass in "--exclude-path-regex" "--include-path-regex"; do
    for target in "origin $origin" "edge $edge"; do
        set -- $target
        echo "== schemathesis against the $1 ($2), $pass"
        if ! "$venv/bin/schemathesis" --config-file Tests/api/schemathesis.toml run docs/openapi.yaml --url "$2" \
                "$pass" "$enders" \
                --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
                --phases examples,coverage,fuzzing --max-examples "${MAX_EXAMPLES:-15}" --workers 1 \
                --seed 20261206 --no-color; then
            status=1
            echo "-- the $1's log (all of it in .build/api-contract/$1.log):"
            grep -m 5 -E 'Fatal error|Crash|error' "$work/$1.log" || tail -n 20 "$work/$1.log"
        fi
    done
done
exit $status
