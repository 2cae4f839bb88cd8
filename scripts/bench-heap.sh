#!/usr/bin/env bash
# Where an edge's memory per idle client goes (docs/benchmarks.md, issue #13): a release origin
# with a seeded workspace, an edge run under heaptrack, a connect storm, then heaptrack's peak
# consumers and the async-task stack memory by the frame that asked for it.
#
#   bash scripts/bench-heap.sh [OUT_DIR]      # edge.zst, peaks.txt, task-stacks.txt in OUT_DIR
#
# Environment: USERS (1500), CLIENTS (3000). heaptrack slows the edge several times over: the
# storm's times are not figures here, its memory is.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-bench-heap}")
mkdir -p "$out"
BENCH_NAME=heap BENCH_PACKAGES=heaptrack . scripts/bench-servers.sh
start_origin
USERS=${USERS:-1500} seed
rm -f "$out/edge.zst"
start_edge heaptrack -o "$out/edge"
warm_edge
bench connect-storm --manifest "$work/ws.json" --clients "${CLIENTS:-3000}" --parallelism 500 --json "$out/storm.json"
# Stopped with SIGINT, the edge exits cleanly and heaptrack writes its data.
pkill -INT -f "release/switchboard-edge --port $edge_port" || true
wait $edge_pid || true

heaptrack_print -f "$out/edge.zst" --print-peaks 1 --print-allocators 0 --print-temporary 0 --print-leaks 0 \
    --peak-limit 10 -s 0 | swift demangle --simplified > "$out/peaks.txt"
heaptrack_print -f "$out/edge.zst" --print-peaks 0 --print-allocators 0 --print-temporary 0 --print-leaks 0 \
    -F "$work/flame.txt" --flamegraph-cost-type peak >/dev/null
swift demangle --simplified < "$work/flame.txt" | python3 -c '
import collections, sys
by_frame, total = collections.Counter(), 0
for line in sys.stdin:
    stack, _, cost = line.rstrip("\n").rpartition(" ")
    frames = stack.split(";")
    slab = [i for i, f in enumerate(frames) if "swift_task_alloc" in f or "StackAllocator" in f]
    if not cost.isdigit() or not slab: continue
    total += int(cost)
    by_frame[frames[slab[0] - 1] if slab[0] > 0 else "?"] += int(cost)
print(f"async task stack memory at the peak: {total / 1e6:.1f} MB")
for frame, cost in by_frame.most_common(20): print(f"{cost / 1e6:8.2f} MB  {frame[:160]}")
' | tee "$out/task-stacks.txt"
grep "peak memory consumed" "$out/peaks.txt" | head -3
