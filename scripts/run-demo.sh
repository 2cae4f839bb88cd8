#!/usr/bin/env bash
# The main command: installs what is missing, builds, and starts the origin on SQLite with a
# seeded demo workspace. Prints a token and example curl lines. Ctrl-C stops it.
#
#   PORT=8080 DATA_DIR=./data BUILD=release bash scripts/run-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8080}"
DATA_DIR="${DATA_DIR:-./data}"
BUILD="${BUILD:-release}"

bash scripts/install-deps.sh
echo "Building ($BUILD; the first build takes several minutes)..."
swift build -c "$BUILD" --product switchboard-origin
bin="$(swift build -c "$BUILD" --show-bin-path)"

# Secrets are made once per data directory and never committed.
mkdir -p "$DATA_DIR"
secrets="$DATA_DIR/demo-secrets.env"
if [ ! -f "$secrets" ]; then
    umask 077
    {
        echo "SWITCHBOARD_ADMIN_KEY=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
        echo "SWITCHBOARD_TOKEN_SECRET=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
    } > "$secrets"
fi
set -a; . "$secrets"; set +a
echo "Admin key and token secret: $secrets"

exec "$bin/switchboard-origin" --host 127.0.0.1 --port "$PORT" --data-dir "$DATA_DIR/origin" --seed-demo
