#!/usr/bin/env bash
# The test suites under a sanitizer: ThreadSanitizer (data races) or AddressSanitizer (memory
# errors, leaks left to LeakSanitizer's defaults). Each sanitizer builds into its own scratch
# folder (.build-tsan, .build-asan: a first build takes as long as a clean debug build, or longer).
#
#   bash scripts/sanitizers.sh thread                 # every suite under TSan
#   bash scripts/sanitizers.sh address 'Routing|Core' # the suites matching a filter, under ASan
#
# Not part of scripts/test.sh: two more full builds and suites several times slower do not fit
# CI's time. Run it before a release and after changes to concurrency; docs/operations.md
# records the last run.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizer="${1:?usage: sanitizers.sh thread|address [FILTER]}"
case "$sanitizer" in
    thread) scratch=.build-tsan ;;
    address) scratch=.build-asan ;;
    *) echo "sanitizer is 'thread' or 'address'" >&2; exit 2 ;;
esac
filter=()
if [ -n "${2:-}" ]; then filter=(--filter "$2"); fi
bash scripts/install-deps.sh
swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
# halt_on_error: the first report fails the run, with its stack.
# The suppressions file lists reports known not to be races in Switchboard's code, and why.
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan-suppressions.txt}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1 detect_leaks=0}"
# The daemons some suites start as processes come from the same sanitized build.
# One suite at a time: under a sanitizer everything runs several times slower, and suites that
# wait for a condition or a port fail for time, not for what the sanitizer looks for.
# StalledReadersTests asserts a ceiling on the edge's resident memory, which a sanitizer's shadow
# memory and (ASan) quarantine of freed blocks exceed by design: 867 MB against 250 MB under ASan.
swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --no-parallel "${filter[@]}" --skip StalledReadersTests
