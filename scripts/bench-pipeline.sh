#!/usr/bin/env bash
# The event pipeline's figures (docs/benchmarks.md, issue #13), same build, same machine: a
# release origin (SQLite, --rate-limit 0) and one edge (gateway flood limit raised for the
# senders), a seeded workspace, then fan-out, capacity, connect storm, working set and origin
# throughput through the edge's gateway.
#
#   bash scripts/bench-pipeline.sh [OUT_DIR]      # JSON results in OUT_DIR (default ./bench-pipeline)
#
# Environment: USERS (32000), SCENARIOS ("origin origin-rest fanout capacity capacity5k bootstrap storm": writes
# first and the storm last — sessions stay resumable for a minute after a scenario, and take badges),
# PERF=1 records the edge with `perf record` during the fan-out, the bootstrap scenario and the
# storm (perf.data, perf-bootstrap.data, perf-storm.data in OUT_DIR), and the whole machine during
# `origin` (perf-origin.data); STRACE=1
# counts its system calls instead (strace.txt: strace slows the edge, so its latency is not a figure).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-bench-pipeline}")
mkdir -p "$out"
BENCH_NAME=pipeline . scripts/bench-servers.sh
start_origin
seed --json "$out/seed.json"
start_edge
# Warm the edge before anything is measured, and say how long that took and in how many feeds.
warm_start=$(date +%s)
warm_edge
feeds=$(curl -s $edge/metrics | awk '/^switchboard_edge_(snapshots|upstream_connects)_total/ {printf "%s %s  ", $1, $2}')
echo "== edge warm: $(( $(date +%s) - warm_start )) s; $feeds" | tee "$out/warm.txt"

for scenario in ${SCENARIOS:-origin origin-rest fanout capacity capacity5k bootstrap storm}; do
    echo "== $scenario"
    case $scenario in
        fanout)
            if [ "${PERF:-0}" = 1 ]; then
                perf record -F 499 -g -p $edge_pid -o "$out/perf.data" -- sleep 40 >/dev/null 2>&1 &
                perf_pid=$!
            elif [ "${STRACE:-0}" = 1 ]; then
                # System calls of the edge while the messages flow (the connect takes ~8 s first).
                (sleep 10; timeout -s INT 30 strace -c -f -p $edge_pid -o "$out/strace.txt") &
                perf_pid=$!
            fi
            bench fanout --manifest "$work/ws.json" --clients 1200 --viewers 1000 --rate 20 --seconds 30 --via-gateway \
                --json "$out/fanout.json"
            [ -n "${perf_pid:-}" ] && wait $perf_pid || true ;;
        capacity)
            bench fanout --manifest "$work/ws.json" --clients 1000 --viewers 1000 --rate 40 --senders 20 --seconds 5 \
                --via-gateway --capacity --json "$out/capacity-1000.json" ;;
        capacity5k)
            bench fanout --manifest "$work/ws.json" --clients 5000 --viewers 5000 --rate 8 --senders 20 --seconds 5 \
                --via-gateway --capacity --json "$out/capacity-5000.json" ;;
        storm)
            if [ "${PERF:-0}" = 1 ]; then
                # The whole storm (its tokens are minted at the origin first).
                perf record -F 499 -g -p $edge_pid -o "$out/perf-storm.data" >/dev/null 2>&1 &
                perf_pid=$!
            fi
            bench connect-storm --manifest "$work/ws.json" --clients 10000 --parallelism 500 --json "$out/storm.json"
            if [ -n "${perf_pid:-}" ]; then kill -INT $perf_pid; wait $perf_pid || true; unset perf_pid; fi
            # What the resident memory is: heap (anonymous) or LMDB's map (file-backed pages read).
            grep -E "^(Rss|Pss_Anon|Pss_File|Anonymous)" /proc/$edge_pid/smaps_rollup | tee "$out/storm-smaps.txt" ;;
        bootstrap)
            if [ "${PERF:-0}" = 1 ]; then
                # The whole scenario (the full bootstraps come first and are the origin's): stopped after it.
                perf record -F 999 -g -p $edge_pid -o "$out/perf-bootstrap.data" >/dev/null 2>&1 &
                perf_pid=$!
            fi
            bench bootstrap --manifest "$work/ws.json" --samples 200 --full-samples 5 --json "$out/bootstrap.json"
            if [ -n "${perf_pid:-}" ]; then kill -INT $perf_pid; wait $perf_pid || true; unset perf_pid; fi ;;
        origin-rest)
            bench origin --manifest "$work/ws.json" --senders 64 --seconds 20 --history-messages 1000 \
                --history-requests 10 --json "$out/origin-rest.json" ;;
        origin)
            if [ "${PERF:-0}" = 1 ]; then
                # Every process on the machine (origin, edge, bench client): a post's cost is spread over them.
                perf record -F 499 -g -a -o "$out/perf-origin.data" -- sleep 20 >/dev/null 2>&1 &
                perf_pid=$!
            fi
            bench origin --manifest "$work/ws.json" --senders 64 --seconds 20 --via-gateway --history-messages 1000 \
                --history-requests 10 --json "$out/origin-via-gateway.json"
            if [ -n "${perf_pid:-}" ]; then wait $perf_pid || true; unset perf_pid; fi ;;
    esac
done
