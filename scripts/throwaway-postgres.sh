#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests: a new cluster in a temporary directory,
# listening on a free loopback port, with a random password. Source this file, then:
#
#   start_throwaway_postgres   # exports SWITCHBOARD_TEST_DATABASE_URL
#   stop_throwaway_postgres    # stops the server and deletes its directory
#
# Needs Debian's `postgresql` package (scripts/install-deps.sh installs it). PostgreSQL
# refuses to run as root, so as root the server runs as the `postgres` system user.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "$port"; return; fi
    done
    return 1
}

start_throwaway_postgres() {
    local bin port password
    bin=$(pg_bin)
    [ -n "$bin" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; return 1; }
    THROWAWAY_PG_DIR=$(mktemp -d /tmp/switchboard-pg.XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres: "$THROWAWAY_PG_DIR"
    password=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c 32)
    printf '%s\n' "$password" > "$THROWAWAY_PG_DIR/pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$THROWAWAY_PG_DIR/pwfile"
    as_postgres "$bin/initdb" -D "$THROWAWAY_PG_DIR/data" -U switchboard --auth=scram-sha-256 \
        --pwfile="$THROWAWAY_PG_DIR/pwfile" -E UTF8 --no-locale >"$THROWAWAY_PG_DIR/initdb.log" 2>&1 \
        || { cat "$THROWAWAY_PG_DIR/initdb.log" >&2; return 1; }
    port=$(free_port) || { echo "no free port for PostgreSQL" >&2; return 1; }
    as_postgres "$bin/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -l "$THROWAWAY_PG_DIR/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$THROWAWAY_PG_DIR -c max_connections=500" \
        >/dev/null || { cat "$THROWAWAY_PG_DIR/server.log" >&2; return 1; }
    PGPASSWORD=$password "$bin/createdb" -h 127.0.0.1 -p "$port" -U switchboard switchboard_test
    export SWITCHBOARD_TEST_DATABASE_URL="postgres://switchboard:$password@127.0.0.1:$port/switchboard_test"
    echo "throw-away PostgreSQL on 127.0.0.1:$port ($THROWAWAY_PG_DIR)"
}

stop_throwaway_postgres() {
    [ -n "${THROWAWAY_PG_DIR:-}" ] || return 0
    as_postgres "$(pg_bin)/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$THROWAWAY_PG_DIR"
    unset THROWAWAY_PG_DIR SWITCHBOARD_TEST_DATABASE_URL
}
