#!/bin/sh
# ctl_life: stillroomd's life as a service, on the real simulator.
#   - --help, --version and an unknown option (exit 2, one line) for the
#     three programs;
#   - sd_notify: READY=1 at start, WATCHDOG=1 every WATCHDOG_USEC / 2 when
#     it is set (and none when not), STOPPING=1 at SIGTERM, to the datagram
#     socket in NOTIFY_SOCKET;
#   - a second stillroomd on the same socket or the same database refuses
#     with a one-line reason and leaves the first one serving;
#   - SIGKILL mid-batch: the socket file left behind is replaced on
#     restart, the batch is LOST with the same id, steam_cmd 0 on the wire;
#     restart, stop and abort each work from there (one kill each);
#   - SIGTERM mid-batch: exit 0, steam_cmd 0 written.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-100}
. tests/lib.sh
. tests/plant.sh

# ---- the command lines ----------------------------------------------------
for prog in stillroomd stillroom stillroom-sim; do
	tap_check "$prog --help prints the usage and exits 0" sh -c \
		"'$BUILD/$prog' --help | grep -q '^usage: $prog'"
	tap_check "$prog --version prints one line with the version" sh -c \
		"test \"\$('$BUILD/$prog' --version)\" = '$prog 0.1.0'"
	"$BUILD/$prog" --no-such-option >"$TEST_LOG_DIR/opt.out" 2>"$TEST_LOG_DIR/opt.err"
	rc=$?
	tap_check "$prog --no-such-option: exit 2 ($rc), one line on stderr naming it, none on stdout" \
		sh -c "test $rc = 2 && test \$(wc -l <'$TEST_LOG_DIR/opt.err') = 1 &&
		grep -q -- '--no-such-option' '$TEST_LOG_DIR/opt.err' && test ! -s '$TEST_LOG_DIR/opt.out'"
done

plant_config "$CTL_FROZEN_OFF"
plant_long_recipe
plant_start_sim
NOTIFY="$TEST_LOG_DIR/notify.sock"
NOTES="$TEST_LOG_DIR/notify.txt"
: >"$NOTES"
start_bg notify "$PYTHON" tests/integration/ctl_net.py notify "$NOTIFY" "$NOTES"
wait_file "$NOTIFY" 10
# start_daemon [ENV...]: the daemon, the socket file left as it is
start_daemon() {
	start_bg daemon env NOTIFY_SOCKET="$NOTIFY" "$@" "$BUILD/stillroomd" -c "$PLANT_CONF" \
		--speed "$SPEED" --no-realtime
	_poll 10 sr status
}
notes() { grep -cx "$1" "$NOTES"; }

# ---- sd_notify --------------------------------------------------------------
start_daemon WATCHDOG_USEC=200000
wait_for "READY=1 reaches NOTIFY_SOCKET" 5 sh -c "grep -qx READY=1 '$NOTES'"
sleep 1
tap_check "WATCHDOG=1 every 0.1 s with WATCHDOG_USEC=200000 ($(notes WATCHDOG=1) in about 1 s)" \
	test "$(notes WATCHDOG=1)" -ge 5

# ---- a second daemon ----------------------------------------------------------
# second NAME ARGS...: runs a second stillroomd (it must refuse: exit 1,
# one line that names the reason)
second() {
	_n=$1
	shift
	"$BUILD/stillroomd" -c "$PLANT_CONF" --speed "$SPEED" --no-realtime "$@" \
		>"$TEST_LOG_DIR/$_n.out" 2>"$TEST_LOG_DIR/$_n.err" &
	_pid=$!
	_reap "$_pid" 5
}
second second_both
rc=$?
tap_check "a second daemon on the same database and socket refuses in one line (exit $rc)" \
	sh -c "test $rc = 1 && test \$(wc -l <'$TEST_LOG_DIR/second_both.err') = 1 &&
	 grep -q ': error: .*another stillroomd' '$TEST_LOG_DIR/second_both.err'"
second second_sock --db "$TEST_LOG_DIR/other.db"
rc=$?
tap_check "a second daemon on the same socket (another database) refuses in one line (exit $rc)" \
	sh -c "test $rc = 1 && test \$(wc -l <'$TEST_LOG_DIR/second_sock.err') = 1 &&
	 grep -q ': error: .*another stillroomd is serving this socket' '$TEST_LOG_DIR/second_sock.err'"
second second_db --socket "$TEST_LOG_DIR/other.sock"
rc=$?
tap_check "a second daemon on the same database (another socket) refuses in one line (exit $rc)" \
	sh -c "test $rc = 1 && test \$(wc -l <'$TEST_LOG_DIR/second_db.err') = 1 &&
	 grep -q ': error: .*another stillroomd uses this database' '$TEST_LOG_DIR/second_db.err'"
tap_check "the second daemons left nothing behind" sh -c \
	"test ! -e '$TEST_LOG_DIR/other.db' && test ! -e '$TEST_LOG_DIR/other.sock'"
tap_check "the first daemon still serves its socket" sr status

# ---- SIGKILL mid-batch: restart, stop and abort from LOST --------------------
b1=$(plant_batch still1 long-leaf)
[ -n "$b1" ] && tap_ok "batch $b1 starts" || tap_fail "batch starts"
wait_for "batch $b1 opens the steam" 20 field_above still1 steam_cmd_pct 30
plant_kill_daemon
tap_check "SIGKILL leaves the socket file behind" test -S "$PLANT_SOCK"
tap_check "... which nobody answers" sh -c "! '$BUILD/stillroom' -c '$PLANT_CONF' status"
w0=$(notes WATCHDOG=1)
start_daemon
tap_check "a restarted daemon replaces the stale socket and answers" sr status
tap_check "READY=1 again" test "$(notes READY=1)" = 2
lost_is() { test "$(sr_fields still1 state batch_id)" = "lost $1"; }
tap_check "batch $b1 is LOST after the kill, same id" lost_is "$b1"
tap_check "... in the database too" sh -c \
	"test \"\$(sqlite3 '$PLANT_DB' 'select state from batches where id = $b1')\" = lost"
wait_for "... with steam_cmd 0 on the wire" 5 steam_safe_on_wire 1
# (the field watchdog may have tripped while no daemon ran: then it is
# acknowledged and reset first)
tap_check "restart works from LOST" plant_recover still1 lost
wait_for "batch $b1 runs and opens the steam again" 20 field_above still1 steam_cmd_pct 30

plant_kill_daemon
start_daemon
tap_check "killed again: batch $b1 is LOST again" lost_is "$b1"
wait_for "... with steam_cmd 0 on the wire" 5 steam_safe_on_wire 1
tap_check "stop works from LOST" sr_as op-stop stop still1
wait_for "batch $b1 is stopped" 20 field_is still1 state stopped
tap_check "reset makes still1 idle" sr_as op-reset reset still1

b2=$(plant_batch still1 long-leaf)
[ -n "$b2" ] && [ "$b2" -gt "$b1" ] && tap_ok "batch $b2 starts" || tap_fail "batch starts ($b2)"
wait_for "batch $b2 opens the steam" 20 field_above still1 steam_cmd_pct 30
plant_kill_daemon
start_daemon
tap_check "killed: batch $b2 is LOST" lost_is "$b2"
tap_check "abort works from LOST" sr_as op-abort abort still1
wait_for "batch $b2 is aborted" 10 field_is still1 state aborted
tap_check "no WATCHDOG=1 without WATCHDOG_USEC" test "$(notes WATCHDOG=1)" = "$w0"
tap_check "the database holds batches $b1 stopped and $b2 aborted, no other" sh -c \
	"test \"\$(sqlite3 '$PLANT_DB' 'select id, state from batches order by id' | tr '\n' ' ')\" = \
	'$b1|stopped $b2|aborted '"
tap_check "the log says each batch was LOST and why" sh -c \
	"test \$(grep -c 'it is LOST, outputs safe' '$TEST_LOG_DIR/daemon.log') -ge 1"

# ---- SIGTERM mid-batch -----------------------------------------------------------
sr_as op-reset2 reset still1 >/dev/null
b3=$(plant_batch still1 long-leaf)
wait_for "batch $b3 opens the steam" 20 field_above still1 steam_cmd_pct 30
tap_check "steam_cmd is not 0 on the wire while it runs" sh -c \
	"test \"\$(mbpoll -q -1 -0 -o 1 -p $PLANT_PORT -a 1 -t 4 -r 0 127.0.0.1 |
		sed -n 's/^\\[0\\]:[[:space:]]*//p')\" -gt 0"
plant_check_db
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "SIGTERM mid-batch: exit 0" || tap_fail "SIGTERM mid-batch: exit 0 (status $rc)"
tap_check "SIGTERM mid-batch: steam_cmd 0 written" steam_safe_on_wire 1
wait_for "SIGTERM: STOPPING=1 reaches NOTIFY_SOCKET" 5 sh -c "grep -qx STOPPING=1 '$NOTES'"
tap_check "SIGTERM: the socket file is removed" test ! -e "$PLANT_SOCK"
plant_no_sanitizer
