#!/bin/sh
# ctl_stall: every field watchdog trip is seen, wherever the controller was
# stopped. At --speed 100 with the bundled timing (watchdog 2000 ms, its
# wall floor 500 ms), stillroomd is stopped (SIGSTOP) again and again, each
# time for longer than the field watchdog's window, and continued: the
# simulated I/O trips its watchdog (status bit 1, steam closed) and clears
# it at the next new heartbeat. A loop stopped between its read and its
# write (a tick is mostly Modbus I/O at 2 ms a period) used to write the
# new heartbeat first, with outputs of inputs from before the stop: the
# trip was cleared before it was read, and no alarm said that the field
# had closed the steam (sim_speed saw it on CI, 1 run in 2 under load).
#   1. each of ROUNDS stops raises the watchdog alarm on both stills;
#   2. the stills are idle: no batch is needed to see a trip.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-100}
ROUNDS=${ROUNDS:-30}
. tests/lib.sh
. tests/plant.sh
PLANT_TIMING=shipped

plant_config
plant_start_sim
plant_start_daemon

status_bits() { plant_mb_read "$1" 3 11; }
wd_clear() { test $(($(status_bits "$1") & 2)) -eq 0; }
wd_tripped() { test $(($(status_bits "$1") & 2)) -eq 2; }
both_clear() { wd_clear 1 && wd_clear 2; }
both_tripped() { wd_tripped 1 && wd_tripped 2; }
# One `alarms` listing of the plant (both stills) a look: each CLI run is
# a process start, slow under ASan, and a round looks many times.
# wd_listed: the watchdog alarm lines of the plant, in $TEST_LOG_DIR/wd.out
wd_listed() { sr alarms | grep -E 'id="?watchdog"? ' >"$TEST_LOG_DIR/wd.out"; }
# wd_waits STILL: in the last listing, STILL's watchdog alarm waits for an
# acknowledgement
wd_waits() {
	grep -E "still=\"?$1\"? " "$TEST_LOG_DIR/wd.out" | grep -Eq 'state=(unack|rtn_unack)'
}
# both_alarmed: a new listing where both stills' watchdog alarms wait
both_alarmed() { wd_listed; wd_waits still1 && wd_waits still2; }
# both_quiet: no watchdog alarm stands or waits on either still
both_quiet() { ! wd_listed; }

wait_for "the daemon's heartbeat keeps both field watchdogs quiet" 20 both_clear
sr_as acker ack still1 >/dev/null 2>&1
sr_as acker ack still2 >/dev/null 2>&1
wait_for "no watchdog alarm stands before the first stop" 10 both_quiet

missed=""
r=1
while [ "$r" -le "$ROUNDS" ]; do
	kill -STOP "$(bg_pid daemon)"
	_poll 10 both_tripped || tap_note "round $r: the field did not trip in 10 s"
	kill -CONT "$(bg_pid daemon)"
	_poll 10 both_clear || tap_note "round $r: the heartbeat did not clear the field in 10 s"
	if ! _poll 10 both_alarmed; then
		for st in still1 still2; do
			wd_waits "$st" || missed="$missed $st@$r"
		done
	fi
	# the two acknowledgements at once (each waits for its still's tick)
	sr_as acker ack still1 >/dev/null 2>&1 &
	ack1=$!
	sr_as acker ack still2 >/dev/null 2>&1 &
	wait "$ack1" $!
	_poll 10 both_quiet || tap_note "round $r: a watchdog alarm still stands after the ack"
	r=$((r + 1))
done
tap_check "each of $ROUNDS stops raised the watchdog alarm on both stills (missed:${missed:- none})" \
	test -z "$missed"
tap_check "the daemon runs on" bg_alive daemon
stop_bg daemon 10
plant_no_sanitizer
