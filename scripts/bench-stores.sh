#!/usr/bin/env bash
# `switchboard-bench origin` on each store, same build, same machine, one after the other:
# a release origin on SQLite (temporary data directory), then on a throw-away PostgreSQL.
# Each gets a seeded 32,000-user workspace, then the origin scenario (writes + history).
#
#   bash scripts/bench-stores.sh [OUT_DIR]     # JSON results in OUT_DIR (default ./bench-stores)
#
# Environment: STORES ("sqlite postgres"), USERS (32000), SENDERS (32), SECONDS_WRITING (20),
# HISTORY (1000000).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-stores}
mkdir -p "$out"
bash scripts/install-deps.sh postgresql
swift build -c release --product switchboard-origin
swift build -c release --product switchboard-bench
source scripts/throwaway-postgres.sh

work=$(mktemp -d /tmp/switchboard-bench-stores.XXXXXX)
source scripts/secrets.sh "$work/secrets.env"
origin_pid=""
cleanup() {
    [ -n "$origin_pid" ] && kill "$origin_pid" 2>/dev/null && wait "$origin_pid" 2>/dev/null || true
    stop_throwaway_postgres
    rm -rf "$work"
}
trap cleanup EXIT

port=18080
bench=.build/release/switchboard-bench

run_store() {  # name, storage
    local name=$1 storage=$2
    echo "== $name"
    SWITCHBOARD_STORAGE=$storage .build/release/switchboard-origin --port $port --data-dir "$work/$name" \
        --rate-limit 0 --log-level warning &
    origin_pid=$!
    for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
    $bench seed --origin "http://127.0.0.1:$port" --users "${USERS:-32000}" --manifest "$work/$name.manifest.json" \
        --json "$out/seed-$name.json"
    $bench origin --origin "http://127.0.0.1:$port" --manifest "$work/$name.manifest.json" --senders "${SENDERS:-32}" \
        --seconds "${SECONDS_WRITING:-20}" --history-messages "${HISTORY:-1000000}" --json "$out/origin-$name.json"
    kill "$origin_pid"; wait "$origin_pid" 2>/dev/null || true; origin_pid=""
}

for store in ${STORES:-sqlite postgres}; do
    case $store in
        sqlite) run_store sqlite sqlite ;;
        postgres) start_throwaway_postgres; run_store postgres "$SWITCHBOARD_TEST_DATABASE_URL" ;;
    esac
done
