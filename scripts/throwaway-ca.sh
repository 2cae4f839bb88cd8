#!/usr/bin/env bash
# A throw-away certificate authority made with Debian's openssl, for local and emulated
# deployments (never for production: use your organisation's CA or ACME there).
#
#   bash scripts/throwaway-ca.sh DIR                       # DIR/ca.pem, DIR/ca-key.pem (once)
#   bash scripts/throwaway-ca.sh DIR NAME SAN[,SAN...]     # DIR/NAME.pem + DIR/NAME-key.pem signed by it
#   CLIENT=1 bash scripts/throwaway-ca.sh DIR NAME         # a client certificate (mutual TLS)
#   DAYS=90 ...                                            # lifetime of the leaf (default 90 days)
#
# SANs are DNS names or IP addresses, e.g. "localhost,127.0.0.1". Keys are EC P-256, files 0600.
set -euo pipefail
dir="$1"; name="${2:-}"; sans="${3:-}"
command -v openssl >/dev/null || bash "$(dirname "$0")/install-deps.sh" openssl
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.pem" ]; then
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$dir/ca-key.pem" \
        -out "$dir/ca.pem" -days 3650 -subj "/CN=Switchboard throw-away CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
[ -n "$name" ] || exit 0
ext="$(mktemp)"; trap 'rm -f "$ext" "$dir/$name.csr"' EXIT
if [ -n "${CLIENT:-}" ]; then
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > "$ext"
else
    alt=""
    IFS=',' read -ra list <<< "$sans"
    for san in "${list[@]}"; do
        if [[ "$san" =~ ^[0-9.]+$ || "$san" == *:* ]]; then alt+="IP:$san,"; else alt+="DNS:$san,"; fi
    done
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "${alt%,}" > "$ext"
fi
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$dir/$name-key.pem" \
    -out "$dir/$name.csr" -subj "/CN=$name" 2>/dev/null
openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
    -out "$dir/$name.pem" -days "${DAYS:-90}" -extfile "$ext" 2>/dev/null
chmod 0644 "$dir/ca.pem" "$dir/$name.pem"
