#!/bin/sh
# notify_hook: the alarm notification hook (issue 16) on the real daemon
# and simulator. The hook is a script that appends its STILLROOM_*
# environment to a file and then does what $TEST_LOG_DIR/mode says (ok,
# hang, fail). Sensors are broken and mended through the simulator's
# control unit (priority-1 sensor alarms):
#   1. an onset runs the hook with the alarm in its environment;
#   2. the same alarm again within min_interval_s is not sent (logged);
#      another still's alarm is (the limit is per alarm);
#   3. a hook that hangs is killed after timeout_s, logged, and raises
#      notify_failed on that still; the still's loop ticks on and status
#      answers meanwhile;
#   4. a hook that exits 3 is logged with its status and raises
#      notify_failed again;
#   5. --check-config prints the section; a relative exec is refused.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

HOOK="$TEST_LOG_DIR/hook.sh"
SENT="$TEST_LOG_DIR/sent.env"
MODE="$TEST_LOG_DIR/mode"
cat >"$HOOK" <<EOF
#!/bin/sh
# the call's block whole in one append: the test reads "--- call" as
# the sign that its environment is there
{ echo "--- call"; env | grep '^STILLROOM_' | sort; } >"$SENT.\$\$"
cat "$SENT.\$\$" >>"$SENT" && rm -f "$SENT.\$\$"
case "\$(cat "$MODE")" in
hang) echo \$\$ >"$TEST_LOG_DIR/hang.pid"; sleep 60 ;;
fail) exit 3 ;;
esac
exit 0
EOF
chmod 755 "$HOOK"
echo ok >"$MODE"

plant_config
cat >>"$PLANT_CONF" <<EOF
notify:
  exec: $HOOK
  min_priority: 2
  min_interval_s: 1 h
  timeout_s: 2
EOF
tap_check "--check-config prints the notify section" sh -c \
	"'$BUILD/stillroomd' --check-config -c '$PLANT_CONF' | grep -q 'notify: $HOOK on alarm onsets of priority 1 to 2'"
sed "s#exec: $HOOK#exec: hook.sh#" "$PLANT_CONF" >"$TEST_LOG_DIR/rel.yaml"
"$BUILD/stillroomd" --check-config -c "$TEST_LOG_DIR/rel.yaml" >"$TEST_LOG_DIR/rel.out" 2>&1
rc=$?
tap_check "a relative exec is refused (exit $rc) with a sentence" sh -c \
	"[ $rc -eq 1 ] && grep -q \"rel.yaml:[0-9]*:[0-9]*: 'exec' must be an absolute path\" '$TEST_LOG_DIR/rel.out'"
plant_start_sim
plant_start_daemon

calls() { grep -c '^--- call' "$SENT" 2>/dev/null || echo 0; }
# calls_of ALARM STILL: the calls for that alarm of that still (a slow
# start, e.g. under ASan, may add the field watchdog's onsets)
calls_of() {
	awk -v a="STILLROOM_ALARM=$1" -v s="STILLROOM_STILL=$2" '
		/^--- call/ { if (ha && hs) n++; ha = hs = 0 }
		$0 == a { ha = 1 } $0 == s { hs = 1 }
		END { if (ha && hs) n++; print n + 0 }' "$SENT" 2>/dev/null
}
# sent_has KEY=VALUE: the last call's environment had it
sent_has() {
	awk '/^--- call/ { b = "" } { b = b $0 "\n" } END { printf "%s", b }' "$SENT" |
		grep -qx -- "$1"
}
broken() { plant_ctl "$1" $((CTL_BROKEN + $2)) "$3"; }
daemon_logged() { grep -qF -- "$1" "$TEST_LOG_DIR/daemon.log"; }

# ---- 1. an onset runs the hook -----------------------------------------
broken 1 "$TAG_PRESSURE" 1
wait_for "still1's pressure loop breaks: the hook runs once" 15 sh -c "[ \$(grep -c '^--- call' '$SENT' 2>/dev/null) -ge 1 ]"
for kv in STILLROOM_EVENT=onset STILLROOM_ALARM=sensor_pressure STILLROOM_STILL=still1 \
	STILLROOM_PRIORITY=1 STILLROOM_STATE=unack STILLROOM_SITE=stillroom; do
	tap_check "its environment holds $kv" sent_has "$kv"
done
tap_check "STILLROOM_MESSAGE says what happened" sh -c "grep -q '^STILLROOM_MESSAGE=..*' '$SENT'"
tap_check "STILLROOM_TIME is UTC ISO 8601" sh -c \
	"grep -Eq '^STILLROOM_TIME=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' '$SENT'"
wait_for "the daemon logs it sent" 10 daemon_logged "notify: still1 sensor_pressure (priority 1) sent"

# ---- 2. the rate limit is per alarm ------------------------------------
broken 1 "$TAG_PRESSURE" 0
wait_for "mended" 15 sh -c "'$BUILD/stillroom' -c '$PLANT_CONF' alarms still1 | grep sensor_pressure | grep -q 'state=rtn_unack'"
sr_as acker ack still1 >/dev/null
broken 1 "$TAG_PRESSURE" 1
wait_for "the same alarm again within min_interval_s: not sent, logged" 15 \
	daemon_logged "notify: still1 sensor_pressure not sent: the same alarm was sent"
n=$(calls_of sensor_pressure still1)
[ "$n" = 1 ] && tap_ok "the hook ran once for it" || tap_fail "the hook ran $n times for it"
broken 1 "$TAG_PRESSURE" 0
broken 2 "$TAG_PRESSURE" 1
wait_for "another still's alarm is sent (the limit is per alarm)" 15 sh -c \
	"grep -q '^STILLROOM_STILL=still2' '$SENT'"
broken 2 "$TAG_PRESSURE" 0

# ---- 3. a hook that hangs ----------------------------------------------
echo hang >"$MODE"
t0=$(sr_field still2 ticks)
broken 2 "$TAG_STILL_TEMP" 1
wait_for "a hanging hook runs" 15 test -s "$TEST_LOG_DIR/hang.pid"
tap_check "while it hangs, status answers" sr status
wait_for "it is killed after timeout_s, logged" 15 \
	daemon_logged "notify: still2 sensor_still_temp (priority 1) not sent: $HOOK did not finish within 2 s: killed"
tap_check "the hanging program is gone" sh -c "! kill -0 \$(cat '$TEST_LOG_DIR/hang.pid') 2>/dev/null"
wait_for "notify_failed is raised on still2" 10 alarm_is still2 notify_failed
t1=$(sr_field still2 ticks)
[ "${t1:-0}" -gt "${t0:-0}" ] && tap_ok "still2 ticked on meanwhile ($t0 -> $t1)" ||
	tap_fail "still2 ticks ($t0 -> $t1)"
broken 2 "$TAG_STILL_TEMP" 0

# ---- 4. a hook that fails ----------------------------------------------
echo fail >"$MODE"
sr_as acker ack still2 >/dev/null 2>&1
broken 1 "$TAG_STILL_TEMP" 1
wait_for "a failing hook: logged with its exit status" 15 \
	daemon_logged "notify: still1 sensor_still_temp (priority 1) not sent: $HOOK exited with status 3"
wait_for "notify_failed is raised on still1" 10 alarm_is still1 notify_failed
broken 1 "$TAG_STILL_TEMP" 0
tap_check "notify_failed itself never ran the hook" sh -c "! grep -q '^STILLROOM_ALARM=notify_failed' '$SENT'"
sr_as acker ack still1 >/dev/null
sr_as acker ack still2 >/dev/null 2>&1
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "the daemon exits 0 on SIGTERM" || tap_fail "exit status $rc on SIGTERM"
plant_no_sanitizer
