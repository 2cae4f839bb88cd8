#!/usr/bin/env bash
# Installs the system packages Switchboard builds and runs with, only if missing.
# Debian 12; needs root (or sudo) the first time.
set -euo pipefail

# The design card's libraries (TLS and HTTP/2 are parts of the product), and the tools the
# scripts and tests use: openssl (throw-away CAs), curl (an independent HTTP/2 client), iproute2.
packages=(libsqlite3-dev sqlite3 liblmdb-dev libssl-dev libnghttp2-dev openssl curl iproute2 "$@")
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "Swift 6.1+ is required (https://swift.org/install)"; exit 1; }
