#!/bin/sh
# Run by the BuildInfoPlugin before each build: writes BuildInfoStamp.swift into $2 with the
# version from $1/VERSION and the commit git reports (or "unknown" outside a git checkout),
# rewriting it only when that changes.
set -eu
package=$1
out=$2
mkdir -p "$out"
version=$(tr -d ' \n' < "$package/VERSION" 2>/dev/null || echo 0.0.0)
commit=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
stamp="// Generated at build time by scripts/build-info.sh.
extension BuildInfo {
    static let stamp = (version: \"$version\", commit: \"$commit\")
}"
file="$out/BuildInfoStamp.swift"
if [ ! -f "$file" ] || [ "$(cat "$file")" != "$stamp" ]; then
    printf '%s\n' "$stamp" > "$file"
fi
