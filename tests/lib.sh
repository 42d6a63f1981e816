# tests/lib.sh: shared helpers for the integration scripts (POSIX sh).
# Source it first:  . "$(dirname "$0")/../lib.sh"
#
#   $BUILD          where the programs are (default build): $BUILD/stillroom-sim
#   $TEST_LOG_DIR   logs of this script's processes (tests/run sets it; made
#                   with mktemp -d when unset)
#   $PYTHON         the python with pymodbus (default /usr/bin/python3)
#
# TAP:        tap_ok DESC, tap_fail DESC, tap_check DESC CMD..., tap_skip DESC WHY,
#             tap_note TEXT
# waiting:    wait_port PORT [TIMEOUT_S], wait_file PATH [TIMEOUT_S],
#             wait_log NAME TEXT [TIMEOUT_S], wait_for DESC TIMEOUT_S CMD...
# processes:  start_bg NAME CMD..., stop_bg NAME [TIMEOUT_S], bg_pid NAME,
#             bg_alive NAME
# misc:       free_port
#
# Every process started with start_bg is recorded; on exit a trap sends
# SIGTERM to the recorded pids only (never by name), waits for them (SIGKILL
# after 5 s), prints the tail of every log when a test failed, prints the
# plan line and exits non-zero if any test failed.

BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
if [ -z "$TEST_LOG_DIR" ]; then
	TEST_LOG_DIR=$(mktemp -d /tmp/stillroom-it.XXXXXX)
fi
mkdir -p "$TEST_LOG_DIR"
export BUILD PYTHON TEST_LOG_DIR

_tap_n=0
_tap_failed=0
_bg_names=""

tap_note() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

tap_ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $*"
}

tap_fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $*"
}

# tap_skip DESC WHY: counts as passed, says why it did not run.
tap_skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# tap_check DESC CMD...: runs CMD; ok when it exits 0. On failure its
# output follows as comments.
tap_check() {
	_desc=$1
	shift
	_out="$TEST_LOG_DIR/check.$((_tap_n + 1)).out"
	if "$@" >"$_out" 2>&1; then
		tap_ok "$_desc"
	else
		tap_fail "$_desc"
		tail -n 20 "$_out" | sed 's/^/# /'
	fi
}

# _now_s: wall seconds (whole).
_now_s() {
	date +%s
}

# _poll TIMEOUT_S CMD...: runs CMD every 0.1 s until it exits 0 (return 0)
# or TIMEOUT_S seconds have passed (return 1).
_poll() {
	# the deadline lives in this call's positional parameters, not in a
	# variable, so a CMD that polls too (wait_for ... wait_log) cannot
	# move it
	set -- "$(($(_now_s) + $1))" "$@"
	while :; do
		if _poll_run "$@" >/dev/null 2>&1; then
			return 0
		fi
		[ "$(_now_s)" -gt "$1" ] && return 1
		sleep 0.1
	done
}
_poll_run() {
	shift 2
	"$@"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

_port_open() {
	"$PYTHON" -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1)
s.close()' "$1"
}

# wait_port PORT [TIMEOUT_S]: until something accepts on 127.0.0.1:PORT.
wait_port() {
	_poll "${2:-10}" _port_open "$1"
}

# wait_file PATH [TIMEOUT_S]: until PATH exists.
wait_file() {
	_poll "${2:-10}" test -e "$1"
}

# wait_log NAME TEXT [TIMEOUT_S]: until NAME's log holds TEXT (fixed string).
wait_log() {
	_poll "${3:-10}" grep -qF -- "$2" "$TEST_LOG_DIR/$1.log"
}

# wait_for DESC TIMEOUT_S CMD...: polls CMD until it succeeds; prints a TAP
# line either way and returns CMD's last verdict.
wait_for() {
	_desc=$1
	_timeout=$2
	shift 2
	if _poll "$_timeout" "$@"; then
		tap_ok "$_desc"
		return 0
	fi
	tap_fail "$_desc (not within ${_timeout} s)"
	_out="$TEST_LOG_DIR/wait.$_tap_n.out"
	"$@" >"$_out" 2>&1
	tail -n 20 "$_out" | sed 's/^/# /'
	return 1
}

# start_bg NAME CMD...: starts CMD in the background, output to
# $TEST_LOG_DIR/NAME.log, and records its pid under NAME ([A-Za-z0-9_]).
start_bg() {
	_name=$1
	shift
	"$@" >"$TEST_LOG_DIR/$_name.log" 2>&1 &
	eval "_bg_pid_$_name=$!"
	_bg_names="$_bg_names $_name"
}

# bg_pid NAME: the recorded pid of NAME (empty when none).
bg_pid() {
	eval "echo \"\${_bg_pid_$1:-}\""
}

# bg_alive NAME: is NAME still running?
bg_alive() {
	_pid=$(bg_pid "$1")
	[ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null
}

# _reap PID TIMEOUT_S: waits for PID to end, SIGKILL after TIMEOUT_S;
# returns its exit status.
_reap() {
	_reap_until=$(($(_now_s) + $2))
	while kill -0 "$1" 2>/dev/null; do
		if [ "$(_now_s)" -gt "$_reap_until" ]; then
			kill -KILL "$1" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$1"
}

# stop_bg NAME [TIMEOUT_S]: SIGTERM to NAME, waits (SIGKILL after
# TIMEOUT_S, default 5); returns its exit status and forgets it.
stop_bg() {
	_pid=$(bg_pid "$1")
	[ -n "$_pid" ] || return 127
	kill -TERM "$_pid" 2>/dev/null
	_reap "$_pid" "${2:-5}"
	_rc=$?
	eval "_bg_pid_$1="
	return $_rc
}

_lib_exit() {
	_status=$?
	for _n in $_bg_names; do
		_pid=$(bg_pid "$_n")
		[ -n "$_pid" ] || continue
		kill -TERM "$_pid" 2>/dev/null
		_reap "$_pid" 5
		eval "_bg_pid_$_n="
	done
	if [ "$_tap_failed" -gt 0 ]; then
		for _log in "$TEST_LOG_DIR"/*.log; do
			[ -f "$_log" ] || continue
			echo "# --- tail of $_log"
			tail -n 15 "$_log" | sed 's/^/# /'
		done
	fi
	echo "1..$_tap_n"
	[ "$_tap_failed" -gt 0 ] && exit 1
	exit "$_status"
}

trap _lib_exit EXIT
trap 'exit 130' INT TERM
