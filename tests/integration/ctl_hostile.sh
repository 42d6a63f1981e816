#!/bin/sh
# ctl_hostile: stillroomd against a hostile Modbus server (fault 6). still1
# talks to tests/integration/ctl_net.py hostile, which answers every third
# request with a malformed reply: wrong transaction, protocol or unit id,
# wrong function code, short, long and odd byte counts, an MBAP length of
# 0, 1 and 65535 with 300 bytes after it, truncated replies then a close or
# a stall, garbage, unknown, empty and overlong exceptions, trailing bytes,
# a reply twice, a wrong write echo, a close and a reset, each twice.
# still2 talks to the simulator meanwhile. Then the server turns sane.
# Checked: stillroomd never crashes (run it with BUILD=build-san: no
# sanitizer report, exit 0 on SIGTERM), counts the errors, takes no value
# from a malformed reply (they carry "relief lifted" and 123.5 kPa: no
# such alarm, no such sample), recovers the link, and still2 never notices.
cd "$(dirname "$0")/../.." || exit 2
# the hostile server is python: 10 ms ticks keep it in step
SPEED=${SPEED:-20}
. tests/lib.sh
. tests/plant.sh

CYCLES=2
plant_config
HOSTILE_PORT=$(free_port)
sed -i "0,/tcp: 127.0.0.1:$PLANT_PORT/ s/tcp: 127.0.0.1:$PLANT_PORT/tcp: 127.0.0.1:$HOSTILE_PORT/" \
	"$PLANT_CONF"
plant_start_sim --listen "127.0.0.1:$PLANT_PORT"
start_bg hostile "$PYTHON" -u tests/integration/ctl_net.py hostile "$HOSTILE_PORT" "$CYCLES"
wait_port "$HOSTILE_PORT" 10
plant_start_daemon
# still2's simulator may have tripped its field watchdog before the daemon
# came up: acknowledged, so that only what follows counts
_poll 10 field_is still2 comm ok
sr_as acker ack still2 >/dev/null
modes=$("$PYTHON" -B -c 'import sys; sys.path.insert(0, "tests/integration")
import ctl_net; print(len(ctl_net.HOSTILE))')

wait_for "the hostile server went through its $((modes * CYCLES)) malformed replies" 60 \
	wait_log hostile sane 1
tap_check "each malformed reply kind was sent $CYCLES times" sh -c \
	"test \$(grep -c '^mode ' '$TEST_LOG_DIR/hostile.log') -eq $((modes * CYCLES))"
tap_check "stillroomd is alive and answers" sh -c \
	"kill -0 $(bg_pid daemon) && '$BUILD/stillroom' -c '$PLANT_CONF' status >/dev/null"
wait_for "still1's link is back once the server is sane" 15 field_is still1 comm ok
still1_sane() { test "$(sr_fields still1 still_temp_c pressure_kpa quality)" = "25.0 0.0 "; }
wait_for "still1 reads the sane values (25.0 C, 0.0 kPa, every input good)" 10 still1_sane
# every malformed reply but the wrong unit id (libmodbus takes it), the
# trailing bytes and the doubled reply (whose first copy is well formed and
# sane) is an error at once; those three are errors on the next request
errors=$(sr_field still1 modbus_errors)
tap_check "the malformed replies were counted ($errors modbus_errors)" \
	test "$errors" -ge $(((modes - 3) * CYCLES))
tap_check "no value of a malformed reply was taken: no relief, watchdog or pressure alarm" \
	sh -c "! '$BUILD/stillroom' -c '$PLANT_CONF' alarms still1 |
		grep -E 'id=(relief_lifted|watchdog|pressure_hh|pressure_high|vapour_high) '"
# the count of still1's historian rows that match the awk condition $1 (db
# samples: still_temp is column 7, pressure 9, status 17)
hostile_samples() {
	"$BUILD/stillroom" -c "$PLANT_CONF" db samples --still still1 | awk -F, "NR > 1 $1" | wc -l
}
tap_check "no value of a malformed reply was taken: no such historian sample" \
	test "$(hostile_samples '&& ($9 == 123.5 || $7 == 123.5 || $17 == 1235 || $9 > 1000)')" = 0
tap_check "still1's samples were recorded meanwhile" \
	test "$(hostile_samples '')" -gt 0
tap_check "still2 (on the simulator) kept its link and raised no alarm" \
	test "$(sr_fields still2 comm alarms)" = "ok 0"
tap_check "still2 had no Modbus error" test "$(sr_field still2 modbus_errors)" -le 3
plant_check_db
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
plant_no_sanitizer
