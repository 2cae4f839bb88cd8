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
BENCH_NAME=soak BENCH_PORT=18280 . scripts/bench-servers.sh
start_origin
USERS=${USERS:-1500} seed >/dev/null
start_edge
echo "== soak: ${MINUTES:-30} min, ${VIEWERS:-200} viewers, ${RATE:-20} msg/s ($(date -u +%FT%TZ), $(nproc) cores)"
.build/release/switchboard-bench soak --origin $origin --edge $edge --manifest "$work/ws.json" --minutes "${MINUTES:-30}" \
    --viewers "${VIEWERS:-200}" --rate "${RATE:-20}" --viewer-lifetime "${LIFETIME:-120}" --json "$out/soak.json"
