#!/usr/bin/env bash
# libFuzzer on the parsers of untrusted bytes (Tests/Fuzz): gateway frames, feed messages,
# mention parsing and REST request bodies. SwitchboardCore's sources and the targets are built
# into one binary with `swiftc -sanitize=fuzzer,address`; each target starts from its seed
# corpus in Tests/Fuzz/corpus/TARGET (read only) and keeps what it finds in .build/fuzz/corpus.
#
#   bash scripts/fuzz.sh                 # every target, 30 s each
#   bash scripts/fuzz.sh "" 15           # every target, 15 s each (what scripts/test.sh runs)
#   bash scripts/fuzz.sh feed 600        # one target for 600 s
#   RUNS=10000000 bash scripts/fuzz.sh   # every target for 10 million executions each
#   TIMEOUT=60 ...                       # seconds one input may take (default 10; more for a
#                                        # long run at low priority on a busy machine)
#
# A crash leaves the input in .build/fuzz/crash-*; replay it with
#   SWITCHBOARD_FUZZ_TARGET=feed .build/fuzz/switchboard-fuzz .build/fuzz/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(gateway feed mentions requests)
if [ -n "${1:-}" ]; then targets=("$1"); fi
seconds="${2:-30}"
out=.build/fuzz
mkdir -p "$out"
binary="$out/switchboard-fuzz"

# Rebuilt only when a source is newer than the binary. SwitchboardLocking (which Core imports)
# is compiled first as a module of its own, then Core and the targets as one module.
locking=(Sources/SwitchboardLocking/*.swift)
sources=(Sources/SwitchboardCore/*.swift Tests/Fuzz/*.swift)
if [ ! -x "$binary" ] || [ -n "$(find "${locking[@]}" "${sources[@]}" -newer "$binary" | head -1)" ]; then
    echo "== building $binary"
    flags=(-O -sanitize=fuzzer,address -parse-as-library)
    mkdir -p "$out/modules"
    # (The linker's "Cannot export local symbol '__asan_…'" warnings are harmless; kept in the log.)
    { swiftc "${flags[@]}" -module-name SwitchboardLocking -emit-module -emit-module-path "$out/modules/SwitchboardLocking.swiftmodule" \
          -emit-object -o "$out/SwitchboardLocking.o" "${locking[@]}" \
      && swiftc "${flags[@]}" -module-name SwitchboardCore -I "$out/modules" "${sources[@]}" "$out/SwitchboardLocking.o" -o "$binary"; \
    } >"$out/build.log" 2>&1 || { grep -v 'Cannot export local symbol' "$out/build.log"; exit 1; }
fi

for target in "${targets[@]}"; do
    seeds="Tests/Fuzz/corpus/$target"
    found="$out/corpus/$target"
    mkdir -p "$found"
    if [ -n "${RUNS:-}" ]; then limit=(-runs="$RUNS"); budget="$RUNS runs"; else limit=(-max_total_time="$seconds"); budget="$seconds s"; fi
    echo "== fuzzing $target ($budget)"
    log="$out/$target.log"
    # -rss_limit_mb: the largest input is 64 KiB; anything near this is a leak or a blow-up.
    # Swift's own crash backtracer is off: it fights AddressSanitizer over the crashing thread.
    if ! SWIFT_BACKTRACE=enable=no SWITCHBOARD_FUZZ_TARGET="$target" "$binary" "${limit[@]}" -max_len=65536 -rss_limit_mb=2048 \
            -timeout="${TIMEOUT:-10}" -print_final_stats=1 -artifact_prefix="$out/" "$found" "$seeds" >"$log" 2>&1; then
        tail -n 60 "$log"
        echo "fuzzing $target failed: the input is in $out/ (see above)" >&2
        exit 1
    fi
    # The count of executions this run tried, as libFuzzer reports it.
    grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$log" | tail -n 2
done
