#!/bin/sh
# rec_alarm: every alarm occurrence belongs to its batch (issue 11, defect
# 5). The simulator's field watchdog trips while still1 is idle (the daemon
# stopped with SIGSTOP longer than the watchdog window, so the heartbeat
# stops) and the alarm is left unacknowledged; batch 1 starts; the
# watchdog trips again and holds the batch. `stillroom report batch 1`
# must count and list that occurrence (it said "Alarms 0": the occurrence
# had updated the old batch-less row).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

q() { sqlite3 "file:$PLANT_DB?mode=ro" "$1"; }
watchdog_seen() { alarm_is still1 watchdog; }
# trip_watchdog: stops the daemon for twice the watchdog's wall window
# (60 s process / SPEED), so its heartbeat stops and the field trips; the
# first tick after it reads the tripped status before it writes the
# heartbeat again. A stop that landed between a tick's read and its write
# shows nothing: then again, a few times.
trip_watchdog() {
	_pid=$(bg_pid daemon)
	_n=$(q "select count(*) from events where kind = 'alarm' and what = 'watchdog' and new_value = 'unack'")
	for _try in 1 2 3 4 5; do
		kill -STOP "$_pid"
		sleep "$(awk "BEGIN { print 2 * 60 / $SPEED }")"
		kill -CONT "$_pid"
		_poll 5 sh -c "[ \$(sqlite3 'file:$PLANT_DB?mode=ro' \"select count(*) from events where kind = 'alarm' and what = 'watchdog' and new_value = 'unack'\") -gt $_n ]" &&
			return 0
	done
	return 1
}

plant_config "$CTL_FROZEN_OFF"
plant_long_recipe
plant_start_sim
plant_start_daemon || tap_fail "daemon starts"

tap_check "the watchdog trips while still1 is idle" trip_watchdog
wait_for "the watchdog alarm stands, unacknowledged" 10 watchdog_seen
tap_check "that occurrence has no batch" sh -c \
	"[ \"\$(sqlite3 'file:$PLANT_DB?mode=ro' \"select count(*) from alarms where still = 'still1' and alarm = 'watchdog' and batch_id is null\")\" = 1 ]"
wait_for "the field is healthy again (no watchdog condition)" 10 sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' alarms still1 | grep 'watchdog' | grep -q 'state=unack'"

id=$(plant_batch still1 long-leaf 400)
[ "$id" = 1 ] && tap_ok "batch 1 runs on still1" || tap_fail "batch 1 starts (got '$id')"
wait_for "still1 is running" 20 field_is still1 state running
tap_check "the watchdog trips during batch 1" trip_watchdog
wait_for "it holds the batch" 20 sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' status | grep still1 | grep -Eq ' (held|holding) '"

json=$(sr report batch 1 --json)
tap_check "report batch 1 counts the occurrence" "$PYTHON" -c '
import json, sys
d = json.loads(sys.argv[1])
w = [a for a in d["alarms"] if a["alarm"] == "watchdog"]
assert d["alarm_count"] >= 1, d["alarm_count"]
assert any(a["raised_at"] >= d["started_at"] for a in w), (d["started_at"], w)' "$json"
tap_check "report batch 1 says Alarms 1 or more and lists the watchdog alarm" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch 1 >'$TEST_LOG_DIR/report.txt' &&
	 grep -Eq 'Alarms +[1-9]' '$TEST_LOG_DIR/report.txt' &&
	 sed -n '/^Alarms\$/,/^\$/p' '$TEST_LOG_DIR/report.txt' | grep -q '^  watchdog '"
tap_check "the occurrence during the batch is batch 1's row" sh -c \
	"[ \$(sqlite3 'file:$PLANT_DB?mode=ro' \"select count(*) from alarms where alarm = 'watchdog' and batch_id = 1\") -ge 1 ]"
tap_check "the idle occurrence ended when the new one began" sh -c \
	"[ \"\$(sqlite3 'file:$PLANT_DB?mode=ro' \"select count(*) from alarms where still = 'still1' and alarm = 'watchdog' and batch_id is null and closed_at is not null\")\" = 1 ]"
sr_as acker ack still1 >/dev/null
plant_finish still1
