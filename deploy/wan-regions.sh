#!/usr/bin/env bash
# Two regions with real round trips on one machine (root): the origin, a "us-east" edge and an
# "eu-west" edge, and a client host in each region, each in its own network namespace, with the
# delays a user would see and every hop over TLS (a throw-away CA from openssl; mutual TLS
# between the edges and the origin).
#
#   one-way delay     origin  us-east  eu-west      clients: 50 Mbit/s links, servers 1 Gbit/s
#   client-us          3 ms    2 ms    40 ms
#   client-eu         37 ms   40 ms     2 ms
#   origin              -      1 ms    35 ms        (us-east ↔ eu-west 35 ms)
#
#   bash deploy/wan-regions.sh up       # start and stay up (Ctrl-C stops); prints how to use it
#   bash deploy/wan-regions.sh check    # start, seed 1,500 users, run `switchboard-bench wan --check`
#                                       # from client-eu (the far region), stop; non-zero if a check fails
#   bash deploy/wan-regions.sh bench N  # the same with N users, JSON into DATA_DIR/wan-N.json
#   bash deploy/wan-regions.sh down     # remove what a killed run left (namespaces, processes)
#
# The delays come from `tc netem` where the kernel has it; where it does not (CONFIG_NET_SCH_NETEM
# unset, as on the reference machine) from deploy/wan/linkemu.py, a user-space switch over TAP
# devices that delays and paces every frame. Either way the namespaces' own TCP stacks see the
# round trips. BUILD=release|debug (default release), DATA_DIR (default ./data/wan).
set -euo pipefail
cd "$(dirname "$0")/.."
command="${1:-up}"
BUILD="${BUILD:-release}"
DATA_DIR="${DATA_DIR:-./data/wan}"
prefix=sbw
hosts=(origin us-east eu-west client-us client-eu)
declare -A ip=([origin]=10.77.0.1 [us-east]=10.77.0.2 [eu-west]=10.77.0.3 [client-us]=10.77.0.11 [client-eu]=10.77.0.12)
declare -A rate=([origin]=1000 [us-east]=1000 [eu-west]=1000 [client-us]=50 [client-eu]=50)
declare -A delay=(
    [origin/us-east]=1 [origin/eu-west]=35 [us-east/eu-west]=35
    [client-us/origin]=3 [client-us/us-east]=2 [client-us/eu-west]=40
    [client-eu/origin]=37 [client-eu/us-east]=40 [client-eu/eu-west]=2 [client-us/client-eu]=42
)
port=8443
url() { echo "https://${ip[$1]}:$port"; }
in_ns() { local host="$1"; shift; ip netns exec "$prefix-$host" "$@"; }

[ "$(id -u)" -eq 0 ] || { echo "wan-regions.sh needs root (network namespaces)" >&2; exit 1; }

# Stops what the pid files name: SIGTERM (the edges drain over --drain-window-ms), SIGKILL for
# whatever is still up after 20 s.
stop_pids() {
    local pids=() pidfile pid alive
    for pidfile in "$@"; do
        [ -f "$pidfile" ] || continue
        pids+=("$(cat "$pidfile")")
        rm -f "$pidfile"
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 200); do
        alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && return 0
        sleep 0.1
    done
    echo "still running 20 s after SIGTERM, killed: ${pids[*]}" >&2
    kill -KILL "${pids[@]}" 2>/dev/null || true
}

down() {
    # The daemons first, while the links between them still carry their goodbyes; then the links.
    stop_pids "$DATA_DIR"/edge-*.pid
    stop_pids "$DATA_DIR"/origin.pid
    stop_pids "$DATA_DIR"/*.pid
    for host in "${hosts[@]}"; do ip netns del "$prefix-$host" 2>/dev/null || true; done
    ip link del "$prefix-br" 2>/dev/null || true
}
if [ "$command" = down ]; then down; exit 0; fi

bash scripts/install-deps.sh python3
mkdir -p "$DATA_DIR"
echo "Building ($BUILD)..."
for product in switchboard-origin switchboard-edge switchboard switchboard-bench; do swift build -c "$BUILD" --product "$product" >/dev/null; done
bin="$(swift build -c "$BUILD" --show-bin-path)"
. scripts/secrets.sh "$DATA_DIR/secrets.env"

down
trap down EXIT
for host in "${hosts[@]}"; do ip netns add "$prefix-$host"; done

# --- the links -------------------------------------------------------------------------------
has_netem() {
    ip netns add "$prefix-probe"
    local ok=1
    ip netns exec "$prefix-probe" tc qdisc add dev lo root netem delay 1ms 2>/dev/null || ok=0
    ip netns del "$prefix-probe"
    [ "$ok" = 1 ]
}
one_way() { echo "${delay[$1/$2]:-${delay[$2/$1]:-0}}"; }
if has_netem; then
    echo "Links: tc netem"
    ip link add "$prefix-br" type bridge && ip link set "$prefix-br" up
    index=0
    for host in "${hosts[@]}"; do
        ns="$prefix-$host" dev="$prefix$index"
        ip link add "$dev" type veth peer name eth0 netns "$ns"
        ip link set "$dev" master "$prefix-br" up
        ip -n "$ns" addr add "${ip[$host]}/24" dev eth0
        ip -n "$ns" link set eth0 up && ip -n "$ns" link set lo up
        # Egress: one class per destination with its delay, at this host's rate.
        in_ns "$host" tc qdisc add dev eth0 root handle 1: htb default 99
        in_ns "$host" tc class add dev eth0 parent 1: classid 1:99 htb rate "${rate[$host]}mbit"
        class=10
        for other in "${hosts[@]}"; do
            [ "$other" = "$host" ] && continue
            in_ns "$host" tc class add dev eth0 parent 1: classid "1:$class" htb rate "${rate[$host]}mbit"
            in_ns "$host" tc qdisc add dev eth0 parent "1:$class" handle "$class:" netem delay "$(one_way "$host" "$other")ms" limit 10000
            in_ns "$host" tc filter add dev eth0 parent 1: protocol ip u32 match ip dst "${ip[$other]}/32" flowid "1:$class"
            class=$((class + 1))
        done
        index=$((index + 1))
    done
else
    echo "Links: deploy/wan/linkemu.py (this kernel has no netem)"
    config="$DATA_DIR/links.json"
    {
        echo '{"queue_ms": 200, "hosts": ['
        sep=""
        for host in "${hosts[@]}"; do
            printf '%s{"name": "%s", "netns": "%s-%s", "ip": "%s/24", "rate_mbit": %s}' "$sep" "$host" "$prefix" "$host" "${ip[$host]}" "${rate[$host]}"
            sep=","
        done
        echo '], "delay_ms": {'
        sep=""
        for pair in "${!delay[@]}"; do printf '%s"%s": %s' "$sep" "$pair" "${delay[$pair]}"; sep=","; done
        echo '}}'
    } > "$config"
    rm -f "$DATA_DIR/links.ready"
    python3 deploy/wan/linkemu.py "$config" "$DATA_DIR/links.ready" 2>"$DATA_DIR/links.log" &
    echo $! > "$DATA_DIR/links.pid"
    for _ in $(seq 1 100); do [ -f "$DATA_DIR/links.ready" ] && break; sleep 0.1; done
    [ -f "$DATA_DIR/links.ready" ] || { cat "$DATA_DIR/links.log" >&2; exit 1; }
fi

# --- certificates ----------------------------------------------------------------------------
tls="$DATA_DIR/tls"
for host in origin us-east eu-west; do
    [ -f "$tls/$host.pem" ] || bash scripts/throwaway-ca.sh "$tls" "$host" "${ip[$host]}"
done
[ -f "$tls/edge-client.pem" ] || CLIENT=1 bash scripts/throwaway-ca.sh "$tls" edge-client
export SWITCHBOARD_CA_FILE="$tls/ca.pem"

# --- the servers -----------------------------------------------------------------------------
wait_for() {  # host-to-ask-from URL
    for _ in $(seq 1 200); do in_ns "$1" curl -sf --cacert "$tls/ca.pem" "$2/healthz" >/dev/null && return 0; sleep 0.1; done
    echo "$2 did not answer" >&2; exit 1
}
# Started with `ip netns exec` itself (it execs the daemon), not through `in_ns`: a function run
# in the background is a subshell, and $! would name it rather than the daemon `down` must stop.
ip netns exec "$prefix-origin" "$bin/switchboard-origin" --host "${ip[origin]}" --port "$port" --data-dir "$DATA_DIR/origin" --seed-demo \
    --rate-limit 0 --tls-cert "$tls/origin.pem" --tls-key "$tls/origin-key.pem" --edge-client-ca "$tls/ca.pem" \
    >"$DATA_DIR/origin.log" 2>&1 &
echo $! > "$DATA_DIR/origin.pid"
wait_for origin "$(url origin)"
for region in us-east eu-west; do
    ip netns exec "$prefix-$region" "$bin/switchboard-edge" --host "${ip[$region]}" --port "$port" --region "$region" \
        --origin "$(url origin)" --origin-ca "$tls/ca.pem" --client-cert "$tls/edge-client.pem" --client-key "$tls/edge-client-key.pem" \
        --tls-cert "$tls/$region.pem" --tls-key "$tls/$region-key.pem" --public-url "$(url "$region")" \
        --data-dir "$DATA_DIR/edge-$region" --drain-window-ms 2000 >"$DATA_DIR/edge-$region.log" 2>&1 &
    echo $! > "$DATA_DIR/edge-$region.pid"
    wait_for "client-${region%%-*}" "$(url "$region")"
done
# A TCP handshake is one round trip (the first one to a host also resolves its MAC: asked twice).
rtt() { in_ns "$1" curl -s -o /dev/null --cacert "$tls/ca.pem" "$2/healthz"; in_ns "$1" curl -s -o /dev/null --cacert "$tls/ca.pem" -w '%{time_connect}' "$2/healthz"; }
echo "Round trips (TCP connect) from client-eu: origin $(rtt client-eu "$(url origin)") s, us-east $(rtt client-eu "$(url us-east)") s, eu-west $(rtt client-eu "$(url eu-west)") s"

bench_run() {  # users json-file
    local users="$1" manifest="$DATA_DIR/ws-$1.json"
    echo "Seeding $users users..."
    in_ns origin "$bin/switchboard-bench" seed --origin "$(url origin)" --users "$users" --manifest "$manifest" --quiet >/dev/null
    in_ns client-eu "$bin/switchboard-bench" wan --origin "$(url origin)" --edges "$(url us-east),$(url eu-west)" \
        --expect-nearest "$(url eu-west)" --remote-command "ip netns exec $prefix-client-us" --remote-edge "$(url us-east)" \
        --manifest "$manifest" --quiet --check ${2:+--json "$2"}
}

case "$command" in
    check) bench_run 1500 ;;
    bench) bench_run "${2:-32000}" "$DATA_DIR/wan-${2:-32000}.json" ;;
    up)
        cat <<TXT

origin  $(url origin)   (namespace $prefix-origin, log $DATA_DIR/origin.log)
us-east $(url us-east)   (namespace $prefix-us-east)      eu-west $(url eu-west)   (namespace $prefix-eu-west)
Clients: namespaces $prefix-client-us and $prefix-client-eu. CA: $tls/ca.pem. Admin key: $DATA_DIR/secrets.env. For example:
  ip netns exec $prefix-client-eu curl --http2 --cacert $tls/ca.pem $(url eu-west)/healthz
  ip netns exec $prefix-client-eu env SWITCHBOARD_CA_FILE=$tls/ca.pem $bin/switchboard login --origin $(url origin) --token \$TOKEN
Ctrl-C stops everything.
TXT
        wait ;;
    *) echo "usage: $0 up|check|bench [USERS]|down" >&2; exit 2 ;;
esac
