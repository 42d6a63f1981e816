#!/bin/sh
# ctl_process: stillroomd against process faults of the simulated plant,
# injected through the simulator's control unit, two stills at a time:
#   7. a sensor stuck (still1's charge temperature frozen while the steam
#      ramps: sensor_still_temp after sensor_frozen), drifting (still2's
#      vapour temperature climbing 150 C/min: vapour_high on the way, then
#      sensor_vapour_temp once out of its range), out of range (still1's
#      pressure loop broken: sensor_pressure);
#   8. cooling-water loss (still1, boiling: cooling_lost);
#   9. a blocked vapour line (still2, boiling: the pressure rises fast,
#      pressure_rise, then the pressure_hh trip).
# Each trip holds the running batch with the steam command 0 in the status
# and 0 in the steam_cmd holding register on the wire, and latches: restart
# is refused until the fault is gone, the alarm acknowledged and the still
# reset. Between the sensor faults and the rest the daemon is stopped and
# started with another sensor_frozen (see CTL_FROZEN_OFF in tests/plant.sh):
# the held batches come back LOST and restart from there. Last, with the
# batches stopped and still2 idle, a broken pressure loop refuses a start,
# the refusal saying so and why (no "batch held": there is no batch). The
# database is checked at the end.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-100}
. tests/lib.sh
. tests/plant.sh

plant_config
# boil-leaf: heat-up until vapour comes through, then a long distillation
plant_recipe boil-leaf 's/end: {after: 1 min}/end: {after: 5 s}/' \
	's/end: {reach: still_temp, above: 40 C}/end: {reach: vapour_temp, above: 98 C}/' \
	's/end: {after: 3 min}/end: {after: 120 min}/' 's/    max: 10 min/    max: 180 min/'
plant_start_sim --charge still1=cassia-leaf:150 --charge still2=cassia-leaf:150
# at 100x the field watchdog's 60 s are 0.6 s of wall time, and the daemon
# is restarted below: off here (ctl_hung tests the watchdog)
plant_watchdog_off
plant_start_daemon

# tripped STILL ALARM WHAT: the alarm stands, the batch is held, the steam
# command is 0 in the status and on the wire
tripped() {
	wait_for "$3: $1 raises $2" 20 alarm_is "$1" "$2" unack
	wait_for "$3: $1's batch is held" 10 field_is "$1" state held
	tap_check "$3: $1's steam command is 0 (status)" field_is "$1" steam_cmd_pct 0.0
	tap_check "$3: $1's steam_cmd register is 0 on the wire" \
		steam_safe_on_wire "$(echo "$1" | tr -d a-z)"
}
# refused_while STILL WHAT: restart is refused, an interlock latched
refused_while() {
	if _out=$(sr_as refused restart "$1" 2>&1); then
		tap_fail "$2: restart of $1 is refused: $_out"
	else
		echo "$_out" | grep -q "interlock .* latched" &&
			tap_ok "$2: restart of $1 is refused: $_out" ||
			tap_fail "$2: restart of $1 is refused naming the latch: $_out"
	fi
}

# The batches start at once: while they run the flows move, so the default
# sensor_frozen (10 min) judges only the stuck sensor.
b1=$(plant_batch still1 boil-leaf 150)
b2=$(plant_batch still2 boil-leaf 150)
[ -n "$b1" ] && [ -n "$b2" ] && tap_ok "batches $b1 and $b2 start" || tap_fail "batches start ($b1, $b2)"

# ---- 7. stuck (still1, heating up); 9. line blocked (still2, boiling) ------
wait_for "still1 opens the steam" 20 field_above still1 steam_cmd_pct 15
plant_ctl 1 $((CTL_STUCK + TAG_STILL_TEMP)) 1
wait_for "still2 is boiling (distil)" 40 field_is still2 step distil
plant_ctl 2 "$CTL_LINE_BLOCKED" 1
tripped still2 pressure_hh "line blocked"
tap_check "line blocked: pressure_rise was raised too" alarm_is still2 pressure_rise
rise_first() {
	sr alarms still2 | "$PYTHON" -c 'import re, sys
t = {m[0]: float(m[1]) for m in re.findall(r"id=(\S+) .*since_s=([0-9.]+)", sys.stdin.read())}
print(t)
sys.exit(0 if t["pressure_rise"] <= t["pressure_hh"] else 1)'
}
tap_check "line blocked: the rise alarm came no later than the trip" rise_first
refused_while still2 "line blocked"
plant_ctl 2 "$CTL_LINE_BLOCKED" 0
tripped still1 sensor_still_temp "stuck"
tap_check "stuck: the alarm says the reading is frozen" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' alarms still1 | grep 'id=sensor_still_temp ' | grep -q frozen"
tap_check "stuck: no other sensor of still1 was blamed" sh -c \
	"test \$('$BUILD/stillroom' -c '$PLANT_CONF' alarms still1 | grep -c 'id=sensor_') = 1"
refused_while still1 "stuck"
plant_ctl 1 $((CTL_STUCK + TAG_STILL_TEMP)) 0

# ---- the daemon again, the other sensor_frozen: held batches are LOST ------
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
sed -i -e "$CTL_FROZEN_OFF" "$PLANT_CONF"
plant_start_daemon
tap_check "the held batches come back lost, same ids" \
	test "$(sr_fields still1 state batch_id) $(sr_fields still2 state batch_id)" = "lost $b1 lost $b2"
tap_check "restart from lost runs still1's batch $b1 again" plant_recover still1 lost1
tap_check "restart from lost runs still2's batch $b2 again" plant_recover still2 lost2

# ---- 7. drifting, out of range (still2); 8. cooling lost (still1) ----------
plant_ctl 2 $((CTL_DRIFT + TAG_VAPOUR_TEMP)) 15000
wait_for "drift: still2 raises vapour_high on the way" 15 alarm_is still2 vapour_high
tripped still2 sensor_vapour_temp "drift"
refused_while still2 "drift"
plant_ctl 2 $((CTL_DRIFT + TAG_VAPOUR_TEMP)) 0
tap_check "drift cleared: ack, reset and restart" plant_recover still2 drift

plant_ctl 2 $((CTL_BROKEN + TAG_PRESSURE)) 1
tripped still2 sensor_pressure "out of range"
# range -50..300 kPa: a broken loop reads a quarter span below, -137.5
tap_check "out of range: still2 read -137.5 kPa (a broken loop)" \
	field_is still2 pressure_kpa -137.5
refused_while still2 "out of range"
plant_ctl 2 $((CTL_BROKEN + TAG_PRESSURE)) 0
tap_check "out of range cleared: ack, reset and restart" plant_recover still2 broken

wait_for "still1 is boiling again (distil)" 40 field_is still1 step distil
plant_ctl 1 "$CTL_COOLING_LOST" 1
tripped still1 cooling_lost "cooling water lost"
refused_while still1 "cooling water lost"
plant_ctl 1 "$CTL_COOLING_LOST" 0
tap_check "cooling water back: ack, reset and restart" plant_recover still1 cooling

sr_as stopper stop still1 >/dev/null
sr_as stopper stop still2 >/dev/null
wait_for "both batches stop" 20 sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' status | grep -c ' stopped ' | grep -qx 2"
# ---- a start refused on an idle still: a sensor out of range -------------
# No batch exists, so no "batch held": the operator is told, in English and
# in Vietnamese, that the start was refused and which sensor is why.
tap_check "still2 is reset to idle" sr_as resetter reset still2
wait_for "still2 is idle" 10 field_is still2 state idle
plant_ctl 2 $((CTL_BROKEN + TAG_PRESSURE)) 1
wait_for "idle: still2 raises sensor_pressure" 20 alarm_is still2 sensor_pressure unack
tap_check "idle: the alarm does not speak of a held batch" sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' alarms still2 | grep 'id=sensor_pressure ' | grep -q 'batch held'"
sr lot add LOT-IDLE --feedstock cassia-leaf --mass 500 --grower "Test Grower" \
	--origin "Yen Bai" >/dev/null
start_refused() {
	# $1: language; $2: the CLI's word for refused
	if _out=$(env -u LC_MESSAGES -u LANG LANGUAGE="$1" LC_ALL=C.UTF-8 "$BUILD/stillroom" \
		-c "$PLANT_CONF" --operator refused start still2 --recipe boil-leaf \
		--lot LOT-IDLE --mass 150 2>&1); then
		tap_fail "idle, sensor out of range ($1): start is refused: $_out"
		return
	fi
	echo "$_out" | grep -q "^stillroom start: $2: still2 cannot start a batch: sensor pressure reads -137.5, outside" &&
		! echo "$_out" | grep -q "batch held" &&
		tap_ok "idle, sensor out of range ($1): start refused, saying why: $_out" ||
		tap_fail "idle, sensor out of range ($1): start refused, saying why, no batch held: $_out"
}
start_refused en refused
start_refused vi "bị từ chối"
tap_check "idle: the refused start made no batch" field_is still2 state idle
plant_ctl 2 $((CTL_BROKEN + TAG_PRESSURE)) 0

tap_check "every trip is in the audit trail" sh -c \
	"test \$(sqlite3 '$PLANT_DB' \"select count(distinct what) from events where kind = 'alarm'
		and new_value = 'unack' and what in ('sensor_still_temp', 'sensor_vapour_temp',
		'sensor_pressure', 'cooling_lost', 'pressure_hh')\") -eq 5"
plant_check_db
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
plant_no_sanitizer
