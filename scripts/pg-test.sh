#!/usr/bin/env bash
# pg-test.sh starts and stops a throwaway PostgreSQL 15 server for temgraph's
# tests. The server keeps its data in a new temporary directory, listens on
# 127.0.0.1 at a free port and on a socket in that directory, trusts local
# connections and keeps fsync on.
#
# Usage:
#   eval "$(scripts/pg-test.sh start)"   # exports TEMGRAPH_TEST_POSTGRES and TEMGRAPH_PG_DIR
#   go test ./postgres/ ./cmd/temgraph/
#   scripts/pg-test.sh stop "$TEMGRAPH_PG_DIR"
#
#   scripts/pg-test.sh run go test ./...   # start, run the command, stop
#
# start prints the export lines on stdout and everything else on stderr.
# The server refuses to run as root, so as root it runs as the postgres
# user; PostgreSQL 15 is installed with apt-get when it is missing.
#
# Environment: PGBIN (folder of initdb and pg_ctl; default
# /usr/lib/postgresql/15/bin), PG_OS_USER (default postgres).
set -Eeuo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PG_OS_USER=${PG_OS_USER:-postgres}

log() { echo "pg-test: $*" >&2; }
die() { log "$*"; exit 1; }

# as_pg runs a command as the PostgreSQL owner when we are root.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		# From /, which the PostgreSQL owner can enter: the caller's folder
		# may be closed to it, and initdb and pg_ctl complain when they
		# cannot change back into it.
		(cd / && runuser -u "$PG_OS_USER" -- "$@")
	else
		"$@"
	fi
}

ensure_binaries() {
	[ -x "$PGBIN/initdb" ] && return
	[ "$(id -u)" = 0 ] || die "no $PGBIN/initdb; install postgresql-15 or set PGBIN"
	log "installing postgresql-15"
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
	[ -x "$PGBIN/initdb" ] || die "postgresql-15 installed but $PGBIN/initdb is missing"
}

# free_port prints a TCP port nobody listens on at 127.0.0.1.
free_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
		return
	fi
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

# stop_server stops the server whose files are in dir and removes dir.
stop_server() {
	local dir=$1
	[ -n "$dir" ] && [ -d "$dir" ] || die "stop: no such directory: ${dir:-(none)}"
	[ -f "$dir/temgraph-pg-test" ] || die "stop: $dir was not made by pg-test.sh"
	dir=$(cd "$dir" && pwd) # as_pg runs from /
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -t 60 -w stop >&2 ||
			as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >&2 || true
	fi
	rm -rf -- "$dir"
	log "stopped and removed $dir"
}

start_server() {
	ensure_binaries
	local dir port
	dir=$(mktemp -d "${TMPDIR:-/tmp}/temgraph-pg.XXXXXX")
	dir=$(cd "$dir" && pwd) # as_pg runs from /
	touch "$dir/temgraph-pg-test"
	# Remove everything again if any step below fails.
	trap 'log "start failed; log tail:"; tail -n 20 "$dir/server.log" >&2 2>/dev/null || true; stop_server "$dir"' ERR
	if [ "$(id -u)" = 0 ]; then
		chown "$PG_OS_USER" "$dir"
	fi
	as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		{ cat "$dir/initdb.log" >&2; false; }
	port=$(free_port)
	as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" >&2
	wait_ready "$port"
	trap - ERR
	log "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') ready on 127.0.0.1:$port, files in $dir"
	echo "export TEMGRAPH_TEST_POSTGRES='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
	echo "export TEMGRAPH_PG_DIR='$dir'"
}

# wait_ready waits until the server accepts connections over TCP.
wait_ready() {
	local port=$1
	for _ in $(seq 120); do
		if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
			return 0
		fi
		sleep 0.5
	done
	log "server on port $port did not become ready"
	return 1
}

# run_with_server runs a command with a server started for it, and stops
# the server however the command ends.
run_with_server() {
	local exports status=0
	exports=$(start_server)
	eval "$exports"
	trap 'stop_server "$TEMGRAPH_PG_DIR"' EXIT
	"$@" || status=$?
	return "$status"
}

case "${1:-}" in
start)
	start_server
	;;
stop)
	stop_server "${2:-${TEMGRAPH_PG_DIR:-}}"
	;;
run)
	shift
	[ $# -gt 0 ] || die "run: name a command to run"
	run_with_server "$@"
	;;
*)
	sed -n '2,/^set -/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
