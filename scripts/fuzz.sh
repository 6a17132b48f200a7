#!/usr/bin/env bash
# Runs every fuzz target of the module for a short time each.
# usage: scripts/fuzz.sh [DURATION]   (default 20s per target)
#
# A target fails when it finds an input that breaks it: go test then writes
# that input under the package's testdata/fuzz/<Target>/ and exits non-zero.
# The fuzzing engine itself sometimes ends a run with "context deadline
# exceeded" when the time runs out while it is still minimising an
# interesting input; such a run found nothing, so it is retried once and
# then reported without failing.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-20s}
status=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		for attempt in 1 2; do
			echo "fuzz $pkg $target for $dur (attempt $attempt)"
			log=$(mktemp)
			if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" -fuzzminimizetime 5s 2>&1 | tee "$log"; then
				rm -f "$log"
				break
			fi
			if ! grep -q "context deadline exceeded" "$log" || grep -q "Failing input written to" "$log"; then
				echo "fuzz: $pkg $target found a failing input"
				status=1
				rm -f "$log"
				break
			fi
			rm -f "$log"
			[ "$attempt" = 2 ] && echo "fuzz: $pkg $target: the engine timed out twice while minimising; nothing failed"
		done
	done
done
exit $status
