# Sourced by the bench scripts that start their own servers (bench-pipeline, bench-heap,
# bench-soak): installs what is missing, builds the release daemons and the bench client, makes a
# work directory with fresh secrets, and stops everything started and removes the directory on
# exit. Then `start_origin`, `seed …`, `start_edge [WRAPPER …]` and `bench SCENARIO …`.
#
#   BENCH_NAME=soak BENCH_PORT=18280 BENCH_PACKAGES=heaptrack . scripts/bench-servers.sh
#
# The origin listens on BENCH_PORT (default 18080), the edge on the next port; BENCH_PACKAGES are
# Debian packages the calling script needs besides the usual ones. (Sourced, so no arguments:
# "$@" would be the caller's.)
# shellcheck disable=SC2086  # the package list is split on purpose
bash scripts/install-deps.sh ${BENCH_PACKAGES:-}
for product in switchboard-origin switchboard-edge switchboard-bench; do swift build -c release --product $product; done

work=$(mktemp -d "/tmp/switchboard-bench-${BENCH_NAME:-run}.XXXXXX")
source scripts/secrets.sh "$work/secrets.env"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

origin_port=${BENCH_PORT:-18080} edge_port=$(( ${BENCH_PORT:-18080} + 1 ))
origin=http://127.0.0.1:$origin_port edge=http://127.0.0.1:$edge_port
bench() { .build/release/switchboard-bench "$1" --origin $origin --edge $edge --quiet "${@:2}"; }
wait_ready() { for _ in $(seq 1 600); do curl -sf "$1/healthz" >/dev/null && return; sleep 0.2; done; echo "$1 did not start" >&2; exit 1; }

# The origin on SQLite, without rate limits (the benchmark's senders are its load).
start_origin() {
    .build/release/switchboard-origin --port $origin_port --data-dir "$work/origin" --rate-limit 0 --log-level warning &
    pids+=($!)
    wait_ready $origin
}

# A synthetic workspace of USERS users (default 32000); its manifest is $work/ws.json.
seed() { bench seed --users "${USERS:-32000}" --manifest "$work/ws.json" "$@"; }

# The edge (its gateway's flood limit raised for the senders), run by WRAPPER if given
# (`heaptrack -o FILE`); edge_pid is the process started.
start_edge() {
    echo '{"gateway": {"commandsPerWindow": 1000000}}' > "$work/edge.json"
    "$@" .build/release/switchboard-edge --port $edge_port --origin $origin --data-dir "$work/edge" \
        --config "$work/edge.json" --log-level warning &
    edge_pid=$!
    pids+=($edge_pid)
    wait_ready $edge
}

# The edge takes the workspace's snapshot on first use (tens of seconds at 32,000 users): warm
# it before anything is measured.
warm_edge() {
    for _ in $(seq 1 30); do
        bench bootstrap --manifest "$work/ws.json" --samples 1 --full-samples 1 >/dev/null 2>&1 && return
        sleep 5
    done
}
