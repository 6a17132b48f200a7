#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time each.
# usage: scripts/fuzz.sh [DURATION]   (default 20s per target)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-20s}
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		echo "fuzz $pkg $target for $dur"
		go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$dur"
	done
done
