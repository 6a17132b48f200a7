#!/usr/bin/env bash
# Runs temgraph's conformance suite: the real Microsoft Graph Go SDK over
# http and @microsoft/microsoft-graph-client over https, each against a
# real `temgraph serve` process with a throwaway database.
#
# Usage: bash conformance/run.sh [go] [js]     (both when none is named)
#
# Exits non-zero if any test fails, a server does not start, or a server
# logged an error (a 500) or did not stop cleanly.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
suites=${*:-go js}
page_size=5
throttle_writes=2
throttle_window=2s

work=$(mktemp -d "${TMPDIR:-/tmp}/temgraph-conformance.XXXXXX")
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

say() { printf '\n=== %s\n' "$*"; }
failed=()

# start NAME ARGS... starts `temgraph serve` on a free loopback port, waits
# until it listens and sets URL to its base URL.
start() {
	local name=$1 log="$work/$1.log"
	shift
	"$bin" serve --addr 127.0.0.1:0 --page-size "$page_size" "$@" >"$log" 2>&1 &
	local pid=$!
	pids+=("$pid")
	eval "pid_$name=$pid"
	URL=
	for _ in $(seq 1 300); do
		URL=$(sed -n 's/.*msg="temgraph serving" addr=\([^ ]*\).*/\1/p' "$log" | head -n 1)
		[ -n "$URL" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "temgraph serve ($name) did not start:" >&2
	cat "$log" >&2
	return 1
}

# stop NAME stops a server with SIGTERM and checks its exit and its log.
stop() {
	local name=$1 pid
	eval "pid=\${pid_$name:-}"
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	local rc=0
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "temgraph serve ($name) exited with status $rc" >&2
		failed+=("server $name exit $rc")
	fi
	if grep -E 'level=ERROR|^panic:|^goroutine [0-9]+ ' "$work/$name.log" >&2; then
		echo "temgraph serve ($name) logged the errors above" >&2
		failed+=("server $name logged errors")
	fi
}

say "build temgraph"
bin="$work/temgraph"
(cd "$root" && go build -o "$bin" ./cmd/temgraph)

export TEMGRAPH_BIN="$bin" TEMGRAPH_CONFORMANCE_PAGE_SIZE="$page_size"

if [[ " $suites " == *" go "* ]]; then
	say "Go: github.com/microsoftgraph/msgraph-sdk-go over http"
	export TEMGRAPH_CONFORMANCE_DB="$work/go.db"
	start go --db "$TEMGRAPH_CONFORMANCE_DB" --throttling=off
	export TEMGRAPH_CONFORMANCE_URL="$URL"

	# A second server with a tiny write limit, for the SDK's 429 retry.
	export TEMGRAPH_CONFORMANCE_THROTTLED_DB="$work/throttled.db"
	export TEMGRAPH_CONFORMANCE_THROTTLE_WRITES="$throttle_writes"
	export TEMGRAPH_CONFORMANCE_THROTTLED_ERR= TEMGRAPH_CONFORMANCE_THROTTLED_URL=
	if start throttled --db "$TEMGRAPH_CONFORMANCE_THROTTLED_DB" --throttling=on \
		--throttle-writes-app "$throttle_writes" --throttle-window "$throttle_window"; then
		TEMGRAPH_CONFORMANCE_THROTTLED_URL="$URL"
	else
		TEMGRAPH_CONFORMANCE_THROTTLED_ERR="temgraph serve --throttle-writes-app failed; see its log above"
	fi

	(cd "$here" && go test -count=1 -timeout 15m -v ./gosdk/) || failed+=("go tests")
	stop go
	stop throttled
fi

if [[ " $suites " == *" js "* ]]; then
	say "JavaScript: @microsoft/microsoft-graph-client over https"
	command -v node >/dev/null || { echo "node (20 or later) is needed for the JavaScript suite" >&2; exit 1; }
	tls="$work/tls"
	mkdir -p "$tls"
	"$bin" cert --dir "$tls" --days 1 >/dev/null
	export TEMGRAPH_CONFORMANCE_HTTPS_DB="$work/js.db"
	start js --db "$TEMGRAPH_CONFORMANCE_HTTPS_DB" --throttling=off \
		--tls-cert "$tls/cert.pem" --tls-key "$tls/key.pem"
	export TEMGRAPH_CONFORMANCE_HTTPS_URL="$URL"

	(cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
	(cd "$here/js" && NODE_EXTRA_CA_CERTS="$tls/ca.pem" node --test --test-concurrency=1 graphclient.test.mjs) ||
		failed+=("js tests")
	stop js
fi

if [ ${#failed[@]} -gt 0 ]; then
	say "conformance FAILED: ${failed[*]}"
	exit 1
fi
say "conformance passed ($suites)"
