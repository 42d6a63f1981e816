#!/bin/sh
# sim_speed: whole batches at the speeds engineers use, with the bundled
# config as shipped (watchdog_ms 2000, comm_loss_ticks 5: only ports and
# paths change), under load: a CPU hog and an fsync loop run beside it
# (issue 11). One speed at a time: three plants at once on two cores were
# more load than that, and at 1000x a 139 ms stall of the controller is
# 139 s of plant time without control.
#   1. at --speed 100, 300 and 1000 (each plant with its own simulator,
#      controller, port and database) a cassia-leaf batch (100 kg, the
#      recipe's smallest charge) runs on still1 to complete, and from its
#      start to its end the record has no watchdog and no comm_loss alarm
#      (docs/MODEL.md, "Time and speed");
#   2. then at each speed the controller is stopped (SIGSTOP) during
#      still2's heat-up: its heartbeat stops, the simulated field watchdog
#      trips (status bit 1) and closes the steam valve on the device
#      although steam_cmd still asks for it open; after SIGCONT the
#      controller raises the watchdog alarm and holds the batch; then the
#      simulator is stopped (SIGSTOP) and still1 raises comm_loss.
# An operator script answers the prompts as status shows them. No timed
# assertion: every wait has a generous limit.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

SPEEDS=${SPEEDS:-100 300 1000}
# A sanitizer build cannot keep a 1000x plant in real time on two cores:
# the simulator skips steps (22,941 in one run), the controller's process
# clock runs ahead of the plant's, and its distillate loop, which has no
# cooling floor once the steam closes, overshot to the 60 C trip in
# cool-down (2 runs of 2). Not an engineering speed of such a build.
if ldd "$BUILD/stillroomd" 2>/dev/null | grep -Eq 'lib(a|ub)san'; then
	SPEEDS=$(echo "$SPEEDS" | sed 's/\b1000\b//')
	tap_skip "1000x" "a sanitizer build: the simulator cannot keep up (see above)"
fi
PLANT_TIMING=shipped
MASS=100

# plant_use S: the helpers of tests/plant.sh act on the plant at speed S
plant_use() {
	SPEED_NOW=$1
	PLANT_CONF="$TEST_LOG_DIR/s$1/plant.yaml"
	PLANT_DB="$TEST_LOG_DIR/s$1/stillroom.db"
	PLANT_SOCK="$TEST_LOG_DIR/s$1/stillroom.sock"
	PLANT_PORT=$(cat "$TEST_LOG_DIR/s$1/port" 2>/dev/null)
}

# only_ports_paths: the test config differs from the shipped one in ports
# and paths alone
only_ports_paths() {
	diff config/plant.yaml "$PLANT_CONF" | grep '^>' |
		grep -vE '^> +(tcp: 127\.0\.0\.1:[0-9]+|database: |socket: |recipes: |feedstocks: |qa_spec: )' &&
		return 1
	return 0
}

status_bits() { plant_mb_read "$1" 3 11; }
wd_clear() { test $(($(status_bits "$1") & 2)) -eq 0; }
wd_tripped() { test $(($(status_bits "$1") & 2)) -eq 2; }
valve() { plant_mb_read "$1" 3 9; }
valve_above() { test "$(valve "$1")" -gt "$2"; }
valve_shut() { test "$(valve "$1")" = 0; }

# operator S: the engineer's script beside the plant at speed S: answers a
# still's prompt (steps check and weigh) as soon as status shows it, for
# a prompt step's maximum is process time too (check's 30 min are 1.8 s of
# wall time at 1000x)
operator() {
	plant_use "$1"
	while :; do
		for _st in $("$BUILD/stillroom" -c "$PLANT_CONF" status 2>/dev/null |
			awk '$2 == "running" && ($5 == "check" || $5 == "weigh") { print $1 }'); do
			"$BUILD/stillroom" -c "$PLANT_CONF" --operator "operator$1" answer "$_st" yes
		done
		sleep 0.05
	done
}

# batch_on STILL: a lot and a 100 kg cassia-leaf batch on STILL, its first
# prompt answered at once (the operator script may be slower, in a
# sanitizer build, than check's 1.8 s at 1000x); prints the batch id
batch_on() {
	_lot="LOT-$1-$(date +%s%N)"
	sr lot add "$_lot" --feedstock cassia-leaf --mass 2000 --grower "Test Grower" \
		--origin "Yen Bai" >/dev/null || return 1
	sr start "$1" --recipe cassia-leaf --lot "$_lot" --mass "$MASS" \
		>"$TEST_LOG_DIR/start.$1.$SPEED_NOW.out" 2>&1
	_poll 5 sr answer "$1" yes
	# the reply names the batch; a reply that timed out does not, though the
	# start took effect (issue 11, defect 6): then status does
	_id=$(sed -n 's/^batch \([0-9]*\) started.*/\1/p' "$TEST_LOG_DIR/start.$1.$SPEED_NOW.out")
	[ -n "$_id" ] || ! field_is "$1" state running || _id=$(sr_field "$1" batch_id)
	echo "$_id"
}

# batch_ends: 0 once still1 has left running
batch_ends() {
	field_has still1 state '^(complete|held|stopped|aborted)$'
}

# wd_comm_alarms B: watchdog and comm_loss alarm rows in the audit trail
# from batch B's first row on (any still of the plant)
wd_comm_alarms() {
	sqlite3 "file:$PLANT_DB?mode=ro" "select still, what, new_value, text from events
		where kind = 'alarm' and what in ('watchdog', 'comm_loss')
		and id >= (select min(id) from events where batch_id = $1)"
}

# ---- the load: a CPU hog and a disk that syncs all the time ------------
start_bg hog sh -c 'while :; do :; done'
start_bg fsyncs sh -c "while :; do dd if=/dev/zero of='$TEST_LOG_DIR/fsync.dat' \
	bs=1M count=20 conv=fsync 2>/dev/null; done"

# plant_up S: the plant at speed S: simulator, controller, operator script
plant_up() {
	mkdir -p "$TEST_LOG_DIR/s$1"
	plant_use "$1"
	plant_config
	echo "$PLANT_PORT" >"$TEST_LOG_DIR/s$1/port"
	tap_check "${1}x: the config is the bundled one but for ports and paths" only_ports_paths
	start_bg "sim$1" "$BUILD/stillroom-sim" -c "$PLANT_CONF" --speed "$1" \
		--charge "still1=cassia-leaf:$MASS" --charge "still2=cassia-leaf:$MASS"
	wait_port "$PLANT_PORT" 20
	rm -f "$PLANT_SOCK"
	start_bg "daemon$1" "$BUILD/stillroomd" -c "$PLANT_CONF" --speed "$1" --no-realtime
	start_bg "operator$1" operator "$1"
}

# whole_batch S: 1. a whole batch on still1, no watchdog or comm loss
whole_batch() {
	s=$1
	wait_for "${s}x: the controller answers" 20 sr status
	# the field watchdog may have tripped before the first heartbeat came:
	# wait for the heartbeat to clear it, then acknowledge what it raised
	wait_for "${s}x: the heartbeat keeps still1's field watchdog quiet" 20 wd_clear 1
	wait_for "${s}x: the heartbeat keeps still2's field watchdog quiet" 20 wd_clear 2
	sr_as acker ack still1 >/dev/null 2>&1
	sr_as acker ack still2 >/dev/null 2>&1
	b=$(batch_on still1)
	[ -n "$b" ] && tap_ok "${s}x: cassia-leaf batch $b starts on still1" ||
		{ tap_fail "${s}x: cassia-leaf batch starts on still1 ($(sr_field still1 state), alarms: $(sr alarms still1 | tr '\n' ' '))"; return; }
	wait_for "${s}x: batch $b leaves running" 900 batch_ends
	st=$(sr_fields still1 state step alarms)
	tap_check "${s}x: batch $b is complete (state step alarms: $st)" field_is still1 state complete
	wd_comm_alarms "$b" >"$TEST_LOG_DIR/s$s/alarms.out"
	tap_check "${s}x: no watchdog or comm_loss alarm since batch $b began: $(head -c 300 "$TEST_LOG_DIR/s$s/alarms.out" | tr '\n' ' ')" \
		test ! -s "$TEST_LOG_DIR/s$s/alarms.out"
}

# steam_cmd_open: still2's steam command asks for the valve open
steam_cmd_open() { test "$(plant_mb_read 2 4 0)" -gt 0; }

# heartbeat_stop S: 2. a stopped heartbeat still trips the field watchdog;
# a stopped device is comm loss
heartbeat_stop() {
	s=$1
	b=$(batch_on still2)
	[ -n "$b" ] && tap_ok "${s}x: batch $b starts on still2" || tap_fail "${s}x: batch starts on still2"
	wait_for "${s}x: still2's steam valve opens (heat-up, over 50 %)" 60 valve_above 2 500
	kill -STOP "$(bg_pid "daemon$s")"
	wait_for "${s}x: SIGSTOP: the field watchdog trips (status bit 1)" 30 wd_tripped 2
	wait_for "${s}x: SIGSTOP: the field closes the steam valve (position 0)" 30 valve_shut 2
	wait_for "${s}x: SIGSTOP: steam_cmd still asks for it open" 10 steam_cmd_open
	kill -CONT "$(bg_pid "daemon$s")"
	wait_for "${s}x: SIGCONT: still2 raises the watchdog alarm" 20 alarm_is still2 watchdog
	wait_for "${s}x: SIGCONT: still2's batch is held" 20 field_is still2 state held
	# and the other way round: a device that stops answering is comm loss
	kill -STOP "$(bg_pid "sim$s")"
	wait_for "${s}x: the simulator stopped (SIGSTOP): still1 raises comm_loss" 20 \
		alarm_is still1 comm_loss
	kill -CONT "$(bg_pid "sim$s")"
	wait_for "${s}x: SIGCONT: still1's link is back" 20 field_is still1 comm ok
	stop_bg "daemon$s" 10
	rc=$?
	[ $rc -eq 0 ] && tap_ok "${s}x: daemon exits 0 on SIGTERM" ||
		tap_fail "${s}x: daemon exits 0 on SIGTERM (status $rc)"
}

for s in $SPEEDS; do
	plant_up "$s"
	whole_batch "$s"
	heartbeat_stop "$s"
	stop_bg "operator$s" 5
	stop_bg "sim$s" 10
done
plant_no_sanitizer
