# Sourced by the run scripts: makes an admin key, a token secret and an edge key once per data
# directory (never committed) and exports them.   . scripts/secrets.sh FILE
secrets_file="$1"
if [ ! -f "$secrets_file" ]; then
    (
        umask 077
        {
            echo "SWITCHBOARD_ADMIN_KEY=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
            echo "SWITCHBOARD_TOKEN_SECRET=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
            echo "SWITCHBOARD_EDGE_KEY=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
        } > "$secrets_file"
    )
fi
set -a; . "$secrets_file"; set +a
