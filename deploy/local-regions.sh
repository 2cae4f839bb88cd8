#!/usr/bin/env bash
# An origin and two regional edges, "us-east" and "eu-west", on loopback: the shape of a real
# deployment on one machine, over TLS with a throw-away CA (DATA_DIR/tls/ca.pem): HTTPS and WSS
# for clients, HTTP/2 by ALPN, and mutual TLS between the edges and the origin. Builds what is
# missing, seeds the demo workspace, prints how to point the CLI at the nearest edge. Ctrl-C
# stops all three (the edges drain their clients).
#
#   ORIGIN_PORT=8080 US_EAST_PORT=8081 EU_WEST_PORT=8082 DATA_DIR=./data/regions BUILD=release \
#       RATE_LIMIT=0 TLS=1 bash deploy/local-regions.sh
#   RATE_LIMIT=0: no message rate limit (benchmarks); TLS=0: plain HTTP (to measure what TLS costs).
set -euo pipefail
cd "$(dirname "$0")/.."
ORIGIN_PORT="${ORIGIN_PORT:-8080}"
US_EAST_PORT="${US_EAST_PORT:-8081}"
EU_WEST_PORT="${EU_WEST_PORT:-8082}"
DATA_DIR="${DATA_DIR:-./data/regions}"
BUILD="${BUILD:-release}"
TLS="${TLS:-1}"

bash scripts/install-deps.sh
echo "Building ($BUILD; the first build takes several minutes)..."
for product in switchboard-origin switchboard-edge switchboard switchboard-bench; do swift build -c "$BUILD" --product "$product"; done
bin="$(swift build -c "$BUILD" --show-bin-path)"

# Secrets are made once per data directory and never committed.
mkdir -p "$DATA_DIR"
secrets="$DATA_DIR/secrets.env"
. scripts/secrets.sh "$secrets"

pids=()
cleanup() {
    # SIGTERM: each edge tells its clients to reconnect elsewhere, then stops.
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

scheme=http origin_tls=() curl_tls=()
if [ "$TLS" = 1 ]; then
    # Certificates for 127.0.0.1 / localhost, and one client certificate the edges present.
    tls="$DATA_DIR/tls"
    for name in origin edge-us-east edge-eu-west; do
        [ -f "$tls/$name.pem" ] || bash scripts/throwaway-ca.sh "$tls" "$name" localhost,127.0.0.1
    done
    [ -f "$tls/edge-client.pem" ] || CLIENT=1 bash scripts/throwaway-ca.sh "$tls" edge-client
    export SWITCHBOARD_CA_FILE="$tls/ca.pem"
    scheme=https curl_tls=(--cacert "$tls/ca.pem")
    origin_tls=(--tls-cert "$tls/origin.pem" --tls-key "$tls/origin-key.pem" --edge-client-ca "$tls/ca.pem")
fi
wait_for() { for _ in $(seq 1 150); do curl -sf "${curl_tls[@]}" "$1/healthz" >/dev/null && return 0; sleep 0.1; done; echo "$1 did not start" >&2; exit 1; }

origin="$scheme://127.0.0.1:$ORIGIN_PORT"
"$bin/switchboard-origin" --host 127.0.0.1 --port "$ORIGIN_PORT" --data-dir "$DATA_DIR/origin" --seed-demo \
    "${origin_tls[@]}" ${RATE_LIMIT:+--rate-limit "$RATE_LIMIT"} >"$DATA_DIR/origin.log" 2>&1 &
pids+=($!)
wait_for "$origin"

for region_port in "us-east:$US_EAST_PORT" "eu-west:$EU_WEST_PORT"; do
    region="${region_port%%:*}" port="${region_port##*:}"
    edge_tls=()
    if [ "$TLS" = 1 ]; then
        edge_tls=(--tls-cert "$tls/edge-$region.pem" --tls-key "$tls/edge-$region-key.pem" --origin-ca "$tls/ca.pem"
                  --client-cert "$tls/edge-client.pem" --client-key "$tls/edge-client-key.pem")
    fi
    "$bin/switchboard-edge" --host 127.0.0.1 --port "$port" --origin "$origin" --region "$region" "${edge_tls[@]}" \
        --data-dir "$DATA_DIR/edge-$region" --public-url "$scheme://127.0.0.1:$port" --drain-window-ms 2000 \
        >"$DATA_DIR/edge-$region.log" 2>&1 &
    pids+=($!)
    wait_for "$scheme://127.0.0.1:$port"
done

TOKEN="$(sed -n 's/^export TOKEN=//p' "$DATA_DIR/origin.log")"
export SWITCHBOARD_CREDENTIALS="$DATA_DIR/credentials.json"
"$bin/switchboard" login --origin "$origin" --token "$TOKEN" >/dev/null
sleep 1  # the edges announce themselves to the origin
cat <<TXT

Origin  $origin                     (log $DATA_DIR/origin.log)
us-east $scheme://127.0.0.1:$US_EAST_PORT  (log $DATA_DIR/edge-us-east.log)
eu-west $scheme://127.0.0.1:$EU_WEST_PORT  (log $DATA_DIR/edge-eu-west.log)
${SWITCHBOARD_CA_FILE:+Certificates: the throw-away CA $SWITCHBOARD_CA_FILE signed them (edges present a client certificate to the origin).}

The CLI is logged in as @alice (SWITCHBOARD_CREDENTIALS=$SWITCHBOARD_CREDENTIALS). In another shell:
  export SWITCHBOARD_CREDENTIALS=$SWITCHBOARD_CREDENTIALS${SWITCHBOARD_CA_FILE:+ SWITCHBOARD_CA_FILE=$SWITCHBOARD_CA_FILE}
  $bin/switchboard edges                          # both edges, nearest first
  $bin/switchboard tail '#general' --edge auto    # live, through the nearest edge
  $bin/switchboard send '#general' 'hello from eu-west' --edge $scheme://127.0.0.1:$EU_WEST_PORT
  curl --http2 ${curl_tls[*]} $scheme://127.0.0.1:$US_EAST_PORT/healthz
  kill -TERM <pid of an edge>                     # its clients move to the other edge

Ctrl-C stops everything.
TXT
"$bin/switchboard" edges
wait
