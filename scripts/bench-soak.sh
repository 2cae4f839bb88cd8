#!/usr/bin/env bash
# The soak: a release origin (SQLite) and edge on loopback, a seeded workspace, then
# `switchboard-bench soak` for MINUTES (default 30) — viewers that reconnect, senders over the
# edge's gateway, REST reads, presence — with both daemons' RSS, open files and CPU and the
# delivery latency sampled every minute. Figures go to OUT/soak.json (and the table to stdout).
#
#   bash scripts/bench-soak.sh OUT            # USERS=1500 MINUTES=30 VIEWERS=200 RATE=20 LIFETIME=120
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-bench-soak}")
mkdir -p "$out"
bash scripts/install-deps.sh
for product in switchboard-origin switchboard-edge switchboard-bench; do swift build -c release --product $product; done

work=$(mktemp -d /tmp/switchboard-bench-soak.XXXXXX)
source scripts/secrets.sh "$work/secrets.env"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
origin=http://127.0.0.1:18280 edge=http://127.0.0.1:18281
bench() { .build/release/switchboard-bench "$1" --origin $origin --edge $edge --quiet "${@:2}"; }
wait_ready() { for _ in $(seq 1 600); do curl -sf "$1/healthz" >/dev/null && return; sleep 0.2; done; echo "$1 did not start" >&2; exit 1; }

.build/release/switchboard-origin --port 18280 --data-dir "$work/origin" --rate-limit 0 --log-level warning &
pids+=($!)
wait_ready $origin
bench seed --users "${USERS:-1500}" --manifest "$work/ws.json" >/dev/null
echo '{"gateway": {"commandsPerWindow": 1000000}}' > "$work/edge.json"
.build/release/switchboard-edge --port 18281 --origin $origin --data-dir "$work/edge" --config "$work/edge.json" --log-level warning &
pids+=($!)
wait_ready $edge
echo "== soak: ${MINUTES:-30} min, ${VIEWERS:-200} viewers, ${RATE:-20} msg/s ($(date -u +%FT%TZ), $(nproc) cores)"
.build/release/switchboard-bench soak --origin $origin --edge $edge --manifest "$work/ws.json" --minutes "${MINUTES:-30}" \
    --viewers "${VIEWERS:-200}" --rate "${RATE:-20}" --viewer-lifetime "${LIFETIME:-120}" --json "$out/soak.json"
