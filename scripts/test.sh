#!/usr/bin/env bash
# The test command: installs what is missing (PostgreSQL included), builds, starts a
# throw-away PostgreSQL on a loopback port, and runs every test: the store contract suite
# against SQLite and PostgreSQL, then the origin and integration suites again with every
# origin on PostgreSQL. (`swift test` alone runs everything on SQLite.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh postgresql
swift build --build-tests

source scripts/throwaway-postgres.sh
start_throwaway_postgres
trap stop_throwaway_postgres EXIT

swift test --skip-build "$@"
if [ $# -eq 0 ]; then
    echo "== the origin and integration suites with the origin on PostgreSQL"
    SWITCHBOARD_TEST_STORE=postgres swift test --skip-build --filter 'SwitchboardOriginTests|SwitchboardIntegrationTests'
fi
