#!/usr/bin/env bash
# The main command: installs what is missing, builds, and starts the origin on SQLite with a
# seeded demo workspace and an edge on LMDB in front of it. Prints a token, the working-set vs
# full bootstrap sizes for the demo user, and example curl lines. Ctrl-C stops both.
#
#   PORT=8080 EDGE_PORT=8081 DATA_DIR=./data BUILD=release bash scripts/run-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8080}"
EDGE_PORT="${EDGE_PORT:-8081}"
DATA_DIR="${DATA_DIR:-./data}"
BUILD="${BUILD:-release}"

bash scripts/install-deps.sh
echo "Building ($BUILD; the first build takes several minutes)..."
swift build -c "$BUILD" --product switchboard-origin
swift build -c "$BUILD" --product switchboard-edge
bin="$(swift build -c "$BUILD" --show-bin-path)"

# Secrets are made once per data directory and never committed.
mkdir -p "$DATA_DIR"
secrets="$DATA_DIR/demo-secrets.env"
. scripts/secrets.sh "$secrets"
echo "Admin key, token secret and edge key: $secrets"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

origin_log="$DATA_DIR/origin.log"
"$bin/switchboard-origin" --host 127.0.0.1 --port "$PORT" --data-dir "$DATA_DIR/origin" --seed-demo >"$origin_log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
"$bin/switchboard-edge" --host 127.0.0.1 --port "$EDGE_PORT" --origin "http://127.0.0.1:$PORT" \
    --data-dir "$DATA_DIR/edge" --region local --public-url "http://127.0.0.1:$EDGE_PORT" >"$DATA_DIR/edge.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$EDGE_PORT/healthz" >/dev/null && break; sleep 0.1; done

sed -n '/Demo workspace/,/rtm.start/p' "$origin_log"
TOKEN="$(sed -n 's/^export TOKEN=//p' "$origin_log")"
auth=(-H "Authorization: Bearer $TOKEN")
full="$(curl -sf "${auth[@]}" "http://127.0.0.1:$PORT/api/rtm.start" | wc -c)"
full_gz="$(curl -sf "${auth[@]}" "http://127.0.0.1:$PORT/api/rtm.start" | gzip -c | wc -c)"
working="$(curl -sf "${auth[@]}" "http://127.0.0.1:$EDGE_PORT/api/bootstrap" | wc -c)"
working_gz="$(curl -sf "${auth[@]}" "http://127.0.0.1:$EDGE_PORT/api/bootstrap" | gzip -c | wc -c)"
cat <<TXT

Bootstrap sizes for @alice (the demo workspace is small; see docs/benchmarks.md for 32,000 users):
  full bootstrap   origin GET /api/rtm.start   $full bytes ($full_gz gzipped)
  working set      edge   GET /api/bootstrap   $working bytes ($working_gz gzipped)

The edge answers on http://127.0.0.1:$EDGE_PORT and passes everything it does not serve itself to
the origin, so the curl lines above work against either port:
  curl -s http://127.0.0.1:$EDGE_PORT/api/bootstrap -H "Authorization: Bearer \$TOKEN"

Origin log: $origin_log   Edge log: $DATA_DIR/edge.log   (Ctrl-C stops both)
TXT
wait
