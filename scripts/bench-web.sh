#!/usr/bin/env bash
# Time to first screen of the web client on a large workspace: an origin (SQLite) and an edge
# (release builds), `switchboard-bench seed --users ${USERS:-32000}`, then headless Chromium
# loads the page at the edge as signed-in users (Tests/browser/first_screen_bench.py).
# Usage: bash scripts/bench-web.sh OUT_DIR     (SAMPLES=10 users, LOADS=3 loads each)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-web}
mkdir -p "$out"
bash scripts/install-deps.sh python3 python3-venv chromium chromium-driver
swift build -c release --product switchboard-origin
swift build -c release --product switchboard-edge
swift build -c release --product switchboard-bench
venv=.build/browser-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import selenium' 2>/dev/null || "$venv/bin/pip" install -q 'selenium>=4.20,<5'

work=$(mktemp -d /tmp/switchboard-bench-web.XXXXXX)
source scripts/secrets.sh "$work/secrets.env"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
bin=.build/release
origin=http://127.0.0.1:18090 edge=http://127.0.0.1:18091

$bin/switchboard-origin --port 18090 --data-dir "$work/origin" --rate-limit 0 --log-level warning &
pids+=($!)
for _ in $(seq 1 100); do curl -sf "$origin/healthz" >/dev/null && break; sleep 0.2; done
$bin/switchboard-bench seed --origin "$origin" --users "${USERS:-32000}" --manifest "$work/ws.json" --json "$out/seed.json"
workspace=$(python3 -c "import json; print(json.load(open('$work/ws.json'))['workspace_id'])")
$bin/switchboard-edge --port 18091 --origin "$origin" --data-dir "$work/edge" --workspaces "$workspace" \
    --public-url "$edge" --log-level warning &
pids+=($!)
for _ in $(seq 1 300); do curl -sf "$edge/healthz" >/dev/null && break; sleep 0.2; done

# Sample users spread over the workspace, each with a fresh token from the admin API.
python3 - "$work/ws.json" "${SAMPLES:-10}" > "$work/users.txt" <<'PY'
import json, sys
ids = json.load(open(sys.argv[1]))["user_ids"]
step = max(1, len(ids) // int(sys.argv[2]))
print("\n".join(str(i) for i in ids[::step][:int(sys.argv[2])]))
PY
while read -r user; do
    token=$(curl -sf -X POST "$origin/api/workspaces/$workspace/tokens" -H "X-Admin-Key: $SWITCHBOARD_ADMIN_KEY" \
        -H 'Content-Type: application/json' -d "{\"user_id\":\"$user\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    echo "$user $token"
done < "$work/users.txt" > "$work/tokens.txt"
# The edge's copy must be complete before the first load: a 32,000-user snapshot takes a while.
first_token=$(head -1 "$work/tokens.txt" | cut -d' ' -f2)
for _ in $(seq 1 60); do
    curl -sf "$edge/api/bootstrap" -H "Authorization: Bearer $first_token" -o /dev/null && break
    sleep 5
done
"$venv/bin/python" Tests/browser/first_screen_bench.py "$edge" "$work/tokens.txt" "${LOADS:-3}" > "$out/first-screen.json"
python3 -c "import json; r = json.load(open('$out/first-screen.json')); print(json.dumps({k: r[k] for k in ('cold', 'warm')}, indent=2))"
