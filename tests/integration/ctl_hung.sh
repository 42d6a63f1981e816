#!/bin/sh
# ctl_hung: the controller itself hangs (SIGSTOP of stillroomd for 2 s, at
# a low speed with the real watchdog_ms of 2000 ms, 0.5 s of wall time at
# 4x):
#   11. the simulated I/O module's field watchdog sees the heartbeat stop,
#       sets status bit 1 and closes the steam valve although steam_cmd
#       still asks for it open; once the daemon runs again it raises the
#       watchdog trip, holds the batch with the steam command 0, and its
#       heartbeat clears the field watchdog;
#   13. the ticks the stop swallowed are an overrun: counted, the missed
#       periods skipped, not made up in a burst; the wake lateness shows in
#       jitter_max_us; the period is kept afterwards.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-4}
. tests/lib.sh
. tests/plant.sh

plant_config "s/^watchdog_ms: [0-9]*/watchdog_ms: 2000/" "$CTL_FROZEN_OFF"
plant_start_sim
plant_start_daemon
# the field watchdog tripped before the daemon's first heartbeat: wait for
# the heartbeat to clear it, then acknowledge
status_bits() { plant_mb_read 1 3 11; }
wd_clear() { test $(($(status_bits) & 2)) -eq 0; }
wait_for "the daemon's heartbeat keeps the field watchdog quiet" 10 wd_clear
sr_as acker ack still1 >/dev/null 2>&1
b1=$(plant_batch still1 quick-leaf)
[ -n "$b1" ] && tap_ok "batch $b1 starts" || tap_fail "batch starts"
tap_check "manual steam 60 %" sr_as op-manual manual still1 steam 60
valve() { plant_mb_read 1 3 9; }
valve_open() { test "$(valve)" -gt 80; }
wait_for "the steam valve opens (over 8 %)" 20 valve_open

set -- $(sr_fields still1 ticks overruns period_ms)
k0=$1 o0=$2 period_ms=$3
w0=$(date +%s%N)
kill -STOP "$(bg_pid daemon)"
sleep 0.2
v0=$(valve)
wd_tripped() { test $(($(status_bits) & 2)) -eq 2; }
wait_for "SIGSTOP: the field watchdog trips (status bit 1)" 3 wd_tripped
tap_check "SIGSTOP: steam_cmd still asks for 60 % (600)" test "$(plant_mb_read 1 4 0)" = 600
sleep 1
v1=$(valve)
tap_check "SIGSTOP: the field closes the steam valve anyway ($v0 -> $v1, 0.1 % a count)" \
	test "$v1" -lt $((v0 - 20))
w_stop=$(date +%s%N)
kill -CONT "$(bg_pid daemon)"
k1=$(sr_field still1 ticks)
w1=$(date +%s%N)
stopped_ms=$(((w_stop - w0) / 1000000))
# (a tick publishes the overrun that ended it with the next one)
overrun_counted() { test "$(sr_field still1 overruns)" -gt "$o0"; }
wait_for "SIGCONT: the stop was counted as an overrun (from $o0)" 2 overrun_counted
jmax=$(sr_field still1 jitter_max_us)
no_burst() {
	"$PYTHON" - "$k0" "$k1" "$w0" "$w1" "$stopped_ms" "$period_ms" <<'EOF'
import sys
k0, k1, w0, w1, stopped_ms, period_ms = (float(x) for x in sys.argv[1:])
elapsed_ms = (w1 - w0) / 1e6
kept = (elapsed_ms - stopped_ms) / period_ms      # ticks while running
burst = elapsed_ms / period_ms                     # ticks if made up
print(f"{k1 - k0:.0f} ticks in {elapsed_ms:.0f} ms, {stopped_ms:.0f} ms stopped: "
      f"{kept:.0f} expected, {burst:.0f} with a burst")
sys.exit(0 if k1 - k0 <= kept + (burst - kept) / 2 else 1)
EOF
}
if out=$(no_burst); then
	tap_ok "SIGCONT: the missed periods were skipped, not made up: $out"
else
	tap_fail "SIGCONT: the missed periods were skipped, not made up: $out"
fi
tap_check "SIGCONT: the wake lateness shows in jitter_max_us ($jmax)" \
	test "${jmax%.*}" -ge $(((stopped_ms - 300) * 1000))
rate_after() {
	set -- $(sr_fields still1 ticks) $(date +%s%N)
	sleep 1
	set -- "$@" $(sr_fields still1 ticks) $(date +%s%N)
	"$PYTHON" -c 'import sys
k0, w0, k1, w1, p = (float(x) for x in sys.argv[1:])
rate, want = (k1 - k0) / ((w1 - w0) / 1e9), 1000 / p
print(f"{rate:.1f} ticks/s, period {p} ms")
sys.exit(0 if 0.7 * want <= rate <= 1.2 * want else 1)' "$@" "$period_ms"
}
tap_check "after the stop the ticks keep their period" rate_after

wait_for "SIGCONT: still1 raises the watchdog trip" 10 alarm_is still1 watchdog
wait_for "SIGCONT: still1's batch is held" 10 field_is still1 state held
tap_check "SIGCONT: still1's steam command is 0 (status)" field_is still1 steam_cmd_pct 0.0
wait_for "SIGCONT: still1's steam_cmd register is 0 on the wire" 5 steam_safe_on_wire 1
wait_for "SIGCONT: the heartbeat clears the field watchdog" 5 wd_clear
tap_check "ack, reset and restart: the batch runs again" plant_recover still1 wd
tap_check "the watchdog trip is in the audit trail" sh -c \
	"sqlite3 '$PLANT_DB' \"select count(*) from events where kind = 'alarm' and
		what = 'watchdog' and new_value = 'unack' and batch_id = $b1\" | grep -qv '^0\$'"
plant_check_db
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
tap_check "steam_cmd register is 0 after SIGTERM" steam_safe_on_wire 1
plant_no_sanitizer
