#!/bin/sh
# ctl_fakedev: what stillroomd puts on the wire is what the register map
# says. The device is tests/integration/ctl_fakedev.py, written with Debian's
# python3-pymodbus apart from the project's code, speaking the default map
# of docs/registers.md for still1 (unit 1) and still2 (unit 2); it logs
# every request. Checked:
#   - reads: FC 4 of input registers 0..11 in one block per still, nothing
#     else; writes: one FC 16 of holding registers 0..2 per tick;
#   - decoding: signed temperatures and pressure (0.1 units), unsigned
#     flows and valves, the 32-bit oil counter high word first, per unit;
#     a value outside the map's range makes the tag bad (sensor alarm);
#     status bits 0 and 1 raise relief_lifted and watchdog;
#   - encoding: idle writes the safe outputs (steam 0, cooling 1000 = 100 %),
#     the heartbeat goes up by one each write, manual steam 37.5 % is 375 and
#     cooling 12.34 % is 123 (0.1 % a count, rounded), and both land in the
#     audit trail; after SIGTERM the last write is the safe outputs.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-5}
. tests/lib.sh
. tests/plant.sh

plant_config
DEV_LOG="$TEST_LOG_DIR/fakedev.log"
start_bg fakedev "$PYTHON" tests/integration/ctl_fakedev.py "$PLANT_PORT"
wait_port "$PLANT_PORT" 10
plant_start_daemon
both_ok() { test "$(sr_field still1 comm) $(sr_field still2 comm)" = "ok ok"; }
wait_for "both stills read the fake device" 10 both_ok

# dev_writes UNIT: the controller's writes to UNIT, "v1,v2,v3" a line
dev_writes() {
	sed -n "s/^write $1 16 0 //p" "$DEV_LOG"
}
# last_write UNIT "STEAM,COOLING": the last write to UNIT began so
last_write() {
	test "$(dev_writes "$1" | tail -n 1 | cut -d, -f1-2)" = "$2"
}
# ctl_set UNIT ADDR VALUE: sets an input register of the fake device
ctl_set() {
	plant_mb_write 247 $((100 * $1 + $2)) "$3"
}

sleep 1
tap_check "every read is FC 4, input registers 0..11 in one block" sh -c \
	"test \$(grep -c '^read ' '$DEV_LOG') -gt 10 &&
	 ! grep '^read ' '$DEV_LOG' | grep -vE '^read [12] 4 0 12\$'"
tap_check "every write is one FC 16 of holding registers 0..2" sh -c \
	"test \$(grep -c '^write ' '$DEV_LOG') -gt 10 &&
	 ! grep '^write ' '$DEV_LOG' | grep -vE '^write [12] 16 0 [0-9]+,[0-9]+,[0-9]+\$'"
tap_check "both units are read and written" sh -c \
	"grep -q '^read 1 ' '$DEV_LOG' && grep -q '^read 2 ' '$DEV_LOG' &&
	 grep -q '^write 1 ' '$DEV_LOG' && grep -q '^write 2 ' '$DEV_LOG'"
tap_check "idle: the safe outputs on the wire (steam 0, cooling 1000)" sh -c \
	"test \"\$(sed -n 's/^write 1 16 0 \\([0-9]*,[0-9]*\\),.*/\\1/p' '$DEV_LOG' | sort -u)\" = 0,1000"
heartbeat_steps() {
	dev_writes 1 | "$PYTHON" -c 'import sys
hb = [int(l.split(",")[2]) for l in sys.stdin]
bad = [(a, b) for a, b in zip(hb, hb[1:]) if (b - a) % 65536 != 1]
print(len(hb), "writes", bad[:5])
sys.exit(1 if bad or len(hb) < 10 else 0)'
}
tap_check "the heartbeat goes up by one with every write" heartbeat_steps

tap_check "still1 decodes the map: signed 0.1 C and kPa, flows, valves" \
	test "$(sr_fields still1 still_temp_c vapour_temp_c pressure_kpa distillate_temp_c \
		cooling_flow_l_min steam_flow_kg_h steam_valve_pct cooling_valve_pct)" = \
	"25.3 24.8 1.2 -5.0 123.4 56.7 25.0 99.9"
tap_check "still2 decodes its own unit's registers" \
	test "$(sr_fields still2 still_temp_c vapour_temp_c pressure_kpa distillate_temp_c \
		cooling_flow_l_min steam_flow_kg_h steam_valve_pct cooling_valve_pct)" = \
	"30.1 29.9 -0.3 18.7 150.0 0.0 0.0 100.0"
oil_charge() {
	test "$("$BUILD/stillroom" -c "$PLANT_CONF" db samples --still "$1" --last 1 |
		awk -F, 'NR == 2 { print $13 "|" $14 }')" = "$2"
}
wait_for "still1's oil counter is 32-bit high word first (0x0001 0x86a0 = 100000 g)" 10 \
	oil_charge still1 "100000|480"
wait_for "still2's oil counter (0x0000 0x04d2 = 1234 g)" 10 oil_charge still2 "1234|350"

ctl_set 1 0 2500
wait_for "250.0 C is outside still_temp's range: the tag is bad" 10 field_is still1 quality still_temp
tap_check "... and raises sensor_still_temp" alarm_is still1 sensor_still_temp
ctl_set 1 0 253
ctl_set 1 2 65526
wait_for "raw 65526 is -1.0 kPa (signed)" 10 field_is still1 pressure_kpa -1.0
tap_check "... and the tags are good again" field_is still1 quality ""
ctl_set 1 2 12
ctl_set 1 11 9
wait_for "status bit 0 raises relief_lifted" 10 alarm_is still1 relief_lifted
ctl_set 1 11 10
wait_for "status bit 1 raises watchdog" 10 alarm_is still1 watchdog
ctl_set 1 11 8
_poll 10 field_is still1 alarms 0 || sr_as acker ack still1 >/dev/null

# A batch, to put the outputs in manual.
sr lot add FD-LOT --feedstock cassia-leaf --mass 1000 --grower "Test Grower" \
	--origin "Yen Bai" >/dev/null
tap_check "a batch starts on still1" sr_as starter start still1 --recipe quick-leaf \
	--lot FD-LOT --mass 480
tap_check "manual steam 37.5 % is accepted" sr_as op-steam manual still1 steam 37.5
wait_for "manual steam 37.5 % is 375 on the wire" 10 sh -c \
	"tail -n 5 '$DEV_LOG' | grep -q '^write 1 16 0 375,'"
tap_check "manual cooling 12.34 % is accepted" sr_as op-cooling manual still1 cooling 12.34
wait_for "steam 375 and cooling 123 (rounded) on the wire" 10 last_write 1 375,123
tap_check "status shows the manual modes and steam_cmd_pct 37.5" \
	test "$(sr_fields still1 mode_steam mode_cooling steam_cmd_pct)" = "manual manual 37.5"
tap_check "back to auto for cooling" sr_as op-auto auto still1 cooling
wait_for "cooling is auto again" 10 field_is still1 mode_cooling auto
tap_check "the mode changes are in the audit trail with their operators" sh -c \
	"test \$(sqlite3 '$PLANT_DB' \"select count(*) from events where kind = 'mode' and
		who in ('op-steam', 'op-cooling', 'op-auto')\") -eq 3"
plant_check_db

stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
tap_check "after SIGTERM the last write to still1 is the safe outputs (0, 1000)" last_write 1 0,1000
tap_check "after SIGTERM the last write to still2 is the safe outputs (0, 1000)" last_write 2 0,1000
plant_no_sanitizer
