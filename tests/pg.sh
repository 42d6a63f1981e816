# tests/pg.sh: a throwaway PostgreSQL 15 cluster for the integration
# scripts (POSIX sh). Source after tests/lib.sh.
#
#   pg_start [NAME]   initdb in a fresh temp dir, starts postgres on a free
#                     127.0.0.1 port (TCP only, no Unix socket, fsync off),
#                     as the unprivileged user $PG_TEST_USER (default
#                     nobody) when run as root; waits until it accepts.
#                     Exports PGHOST=127.0.0.1 PGPORT PGDATA PGUSER
#                     (the superuser, "postgres", trust auth on loopback)
#                     and PGDATABASE=postgres. NAME (default pg) names the
#                     process for start_bg and its log $TEST_LOG_DIR/NAME.log.
#   pg_stop [NAME]    fast shutdown (SIGINT), waits, removes the cluster.
#   pg_restart [NAME] stops postgres (keeps the data) and starts it again
#                     on the same port (for link-loss tests).
#   pg_sql SQL...     runs SQL through psql as $PGUSER (unaligned, tuples
#                     only, stops at the first error); prints the result.
#
# Authentication is trust on 127.0.0.1: the tests exercise the roles and
# row-level security by connecting as a role (user=...), not passwords.
# One cluster per script; a second pg_start NAME2 makes another one but
# the exported variables then point at the last one started.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_TEST_USER=${PG_TEST_USER:-nobody}

# _pg_as CMD...: runs CMD as the unprivileged user when we are root.
_pg_as() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$PG_TEST_USER" --regid="$(id -g "$PG_TEST_USER")" \
			--clear-groups "$@"
	else
		"$@"
	fi
}

# _pg_run NAME: starts postgres on $PGDATA/$PGPORT under start_bg NAME
# (setpriv execs postgres, so the recorded pid is postgres's own).
_pg_run() {
	if [ "$(id -u)" = 0 ]; then
		set -- "$1" setpriv --reuid="$PG_TEST_USER" \
			--regid="$(id -g "$PG_TEST_USER")" --clear-groups
	else
		set -- "$1" env
	fi
	start_bg "$@" "$PG_BIN/postgres" -D "$PGDATA" -p "$PGPORT" \
		-c listen_addresses=127.0.0.1 -c unix_socket_directories= \
		-c fsync=off -c synchronous_commit=off -c full_page_writes=off \
		-c max_connections=200 -c log_min_messages=warning
	_poll 30 "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"
}

pg_start() {
	_pg_name=${1:-pg}
	PGDATA=$(mktemp -d /tmp/stillroom-pg.XXXXXX) || return 1
	if [ "$(id -u)" = 0 ]; then
		chown "$PG_TEST_USER" "$PGDATA" || return 1
	fi
	chmod 700 "$PGDATA"
	if ! _pg_as "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust \
		--no-sync -E UTF8 --locale=C >"$TEST_LOG_DIR/$_pg_name.initdb.log" 2>&1; then
		tail -n 5 "$TEST_LOG_DIR/$_pg_name.initdb.log" | sed 's/^/# /'
		return 1
	fi
	PGHOST=127.0.0.1
	PGPORT=$(free_port)
	PGUSER=postgres
	PGDATABASE=postgres
	export PGHOST PGPORT PGDATA PGUSER PGDATABASE
	_pg_run "$_pg_name"
}

pg_stop() {
	_pg_name=${1:-pg}
	_pg_pid=$(bg_pid "$_pg_name")
	if [ -n "$_pg_pid" ]; then
		kill -INT "$_pg_pid" 2>/dev/null
		_reap "$_pg_pid" 20
		eval "_bg_pid_$_pg_name="
	fi
	case $PGDATA in
	/tmp/stillroom-pg.*) rm -rf "$PGDATA" ;;
	esac
}

pg_restart() {
	_pg_name=${1:-pg}
	_pg_pid=$(bg_pid "$_pg_name")
	if [ -n "$_pg_pid" ]; then
		kill -INT "$_pg_pid" 2>/dev/null
		_reap "$_pg_pid" 20
		eval "_bg_pid_$_pg_name="
	fi
	_pg_run "$_pg_name"
}

pg_sql() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$*"
}
