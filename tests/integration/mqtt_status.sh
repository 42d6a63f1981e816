#!/bin/sh
# mqtt_status: live status over MQTT (issue 16) with a real mosquitto
# (tests/mqtt.sh), the real daemon and simulator:
#   1. without an `mqtt:` section nothing connects to the broker;
#   2. with one: a subscriber sees the retained birth `online`, a retained
#      status for every still (the same members as `status --json`), and
#      an alarm onset and its return when a sensor breaks and mends
#      (still1's pressure loop through the simulator's control unit);
#   3. the broker restarted (no persistence: retained messages gone; ten
#      times under SOAK=1): the
#      daemon reconnects and publishes `online` and a fresh status; the
#      control loop kept answering meanwhile;
#   4. SIGTERM: `offline` retained, exit 0; SIGKILL: the last will
#      `offline` (retained);
#   5. a password broker: the credentials file (mode 600) lets it in, the
#      password is in no log; a group-readable file is refused by
#      --check-config with a sentence;
#   6. a TLS broker (a throwaway CA): with `tls: {cafile: CA}` the daemon
#      comes online over TLS; with another CA it does not (the broker's
#      certificate is checked);
#   7. a TLS broker that requires client certificates (require_certificate):
#      with `tls: {cafile, certfile, keyfile}` a subscriber with its own
#      client certificate sees the birth and every still's status; with
#      only the CA nothing is published, the daemon logs why and goes on
#      controlling (status answers).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/mqtt.sh

TOP="stillroom/coop1/plant1"

# mqtt_section [CREDENTIALS [CAFILE [CERTFILE KEYFILE]]]: appends an mqtt:
# section to the plant config
mqtt_section() {
	{
		echo "mqtt:"
		echo "  broker: 127.0.0.1:$MQTT_PORT"
		echo "  cooperative: coop1"
		echo "  plant: plant1"
		echo "  status_s: 1 s"
		[ -n "${1:-}" ] && echo "  credentials: $1"
		if [ -n "${3:-}" ]; then
			echo "  tls: {cafile: $2, certfile: $3, keyfile: $4}"
		elif [ -n "${2:-}" ]; then
			echo "  tls: {cafile: $2}"
		fi
	} >>"$PLANT_CONF"
}

# retained TOPIC [ARGS]: the retained messages on TOPIC now, "topic payload"
retained() {
	_t=$1
	shift
	mqtt_sub -t "$_t" --retained-only -v -W 3 "$@" 2>/dev/null
	return 0
}
state_is() { [ "$(retained "$TOP/state" -C 1 | cut -d' ' -f2)" = "$1" ]; }
sub_has() { grep -q -- "$1" "$TEST_LOG_DIR/sub.log"; }

mqtt_start || { tap_fail "mosquitto starts"; exit 1; }
tap_ok "mosquitto runs on 127.0.0.1:$MQTT_PORT"
plant_config
cp "$PLANT_CONF" "$TEST_LOG_DIR/plain.yaml"
plant_start_sim

# ---- 1. no section, no connection --------------------------------------
before=$(mqtt_connections)
plant_start_daemon
sleep 2
tap_check "without mqtt: the daemon runs (status answers)" sr status
after=$(mqtt_connections)
[ "$before" = "$after" ] && tap_ok "without mqtt: nothing connected to the broker" ||
	tap_fail "without mqtt: the broker saw $((after - before)) connections"
tap_check "without mqtt: --check-config says mqtt and notify are off" sh -c \
	"'$BUILD/stillroomd' --check-config -c '$PLANT_CONF' | grep -q 'mqtt: off' &&
	 '$BUILD/stillroomd' --check-config -c '$PLANT_CONF' | grep -q 'notify: off'"
stop_bg daemon 10

# ---- 2. birth, retained status, alarm events ---------------------------
mqtt_section
tap_check "--check-config prints the mqtt section" sh -c \
	"'$BUILD/stillroomd' --check-config -c '$PLANT_CONF' | grep -q 'mqtt: broker 127.0.0.1:$MQTT_PORT, topics $TOP/'"
start_bg sub mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t "$TOP/#" -v
sleep 0.5
plant_start_daemon
wait_for "the birth: $TOP/state online" 15 sub_has "^$TOP/state online"
wait_for "the state topic holds online (retained)" 10 state_is online
# every still's status, retained, as status --json shows it
status_ok() {
	retained "$TOP/+/status" -C 2 >"$TEST_LOG_DIR/status.ret"
	sr status --json >"$TEST_LOG_DIR/status.json" || return 1
	"$PYTHON" - "$TEST_LOG_DIR/status.ret" "$TEST_LOG_DIR/status.json" <<'EOF'
import json, sys
top = "stillroom/coop1/plant1/"
cli = {s["name"]: s for s in json.load(open(sys.argv[2]))["stills"]}
got = {}
for line in open(sys.argv[1]):
    topic, payload = line.rstrip("\n").split(" ", 1)
    s = json.loads(payload)
    assert topic == top + s["name"] + "/status", topic
    got[s["name"]] = s
assert set(got) == set(cli), (sorted(got), sorted(cli))
for name, s in got.items():
    assert set(s) == set(cli[name]), set(s) ^ set(cli[name])
    assert s["state"] == cli[name]["state"], (s["state"], cli[name]["state"])
EOF
}
wait_for "a retained status for every still, the members of status --json" 15 status_ok
ticks1=$(sr_field still1 ticks)
alarm_event() {
	grep "^$TOP/still1/alarms " "$TEST_LOG_DIR/sub.log" | cut -d' ' -f2- |
		"$PYTHON" -c 'import json, sys
want = sys.argv[1:]
for line in sys.stdin:
    e = json.loads(line)
    if [e["alarm"], e["event"]] == want:
        assert e["still"] == "still1" and e["priority"] == 1, e
        assert e["message"] and e["time"].endswith("Z"), e
        sys.exit(0)
sys.exit(1)' "$@"
}
plant_ctl 1 $((CTL_BROKEN + TAG_PRESSURE)) 1
wait_for "a broken pressure loop: the onset on $TOP/still1/alarms" 15 \
	alarm_event sensor_pressure onset
plant_ctl 1 $((CTL_BROKEN + TAG_PRESSURE)) 0
wait_for "mended: its return on the alarms topic" 15 alarm_event sensor_pressure return
tap_check "alarm events are not retained" sh -c \
	"[ -z \"\$(mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT -t '$TOP/+/alarms' --retained-only -W 2 2>/dev/null)\" ]"
sr_as acker ack still1 >/dev/null

# ---- 3. the broker restarted -------------------------------------------
# (SOAK=1: ten restarts)
stop_bg sub
restarts=1
[ "${SOAK:-0}" = 1 ] && restarts=10
i=0
while [ $i -lt $restarts ]; do
	i=$((i + 1))
	mqtt_stop
	sleep 1
	tap_check "broker away ($i): status still answers" sr status
	mqtt_start || tap_fail "mosquitto starts again ($i)"
	wait_for "after restart $i: online again (retained)" 20 state_is online
	wait_for "after restart $i: a fresh retained status for every still" 15 status_ok
done
ticks2=$(sr_field still1 ticks)
[ "${ticks2:-0}" -gt "${ticks1:-0}" ] && tap_ok "still1 ticked on throughout ($ticks1 -> $ticks2)" ||
	tap_fail "still1 ticks ($ticks1 -> $ticks2)"

# ---- 4. SIGTERM: offline; SIGKILL: the last will -----------------------
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "SIGTERM: the daemon exits 0" || tap_fail "SIGTERM: exit status $rc"
tap_check "SIGTERM: the state topic holds offline" state_is offline
plant_start_daemon
wait_for "started again: online" 15 state_is online
plant_kill_daemon
wait_for "SIGKILL: the last will offline (retained)" 15 state_is offline

# ---- 5. a password broker ----------------------------------------------
mqtt_stop
mqtt_start auth || tap_fail "mosquitto with a password file starts"
printf '%s\n%s\n' "$MQTT_USER" "$MQTT_PASS" >"$TEST_LOG_DIR/mqtt.cred"
chmod 644 "$TEST_LOG_DIR/mqtt.cred"
cp "$TEST_LOG_DIR/plain.yaml" "$PLANT_CONF"
mqtt_section "$TEST_LOG_DIR/mqtt.cred"
"$BUILD/stillroomd" --check-config -c "$PLANT_CONF" >"$TEST_LOG_DIR/chk.out" 2>&1
rc=$?
tap_check "a group-readable credentials file is refused (exit $rc) with a sentence" sh -c \
	"[ $rc -eq 1 ] && grep -q 'credentials.*can be read by group or others (mode 0644).*chmod 600' '$TEST_LOG_DIR/chk.out'"
chmod 600 "$TEST_LOG_DIR/mqtt.cred"
tap_check "mode 600: --check-config names the file" sh -c \
	"'$BUILD/stillroomd' --check-config -c '$PLANT_CONF' | grep -q 'credentials $TEST_LOG_DIR/mqtt.cred'"
plant_start_daemon
authed_online() {
	[ "$(retained "$TOP/state" -C 1 -u "$MQTT_USER" -P "$MQTT_PASS" | cut -d' ' -f2)" = online ]
}
wait_for "with the credentials: online on the password broker" 15 authed_online
stop_bg daemon 10
if grep -rqF -- "$MQTT_PASS" "$TEST_LOG_DIR"/*.log "$TEST_LOG_DIR/chk.out"; then
	tap_fail "the password appears in a log"
else
	tap_ok "the password is in no log"
fi

# ---- 6. TLS ------------------------------------------------------------
mqtt_stop
mqtt_start tls || tap_fail "mosquitto with TLS starts"
tls_state() {
	mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" --cafile "$MQTT_CA" -t "$TOP/state" \
		--retained-only -C 1 -W 3 2>/dev/null
}
tls_online() { [ "$(tls_state)" = online ]; }
cp "$TEST_LOG_DIR/plain.yaml" "$PLANT_CONF"
mqtt_section "" "$MQTT_OTHER_CA"
plant_start_daemon
sleep 3
tap_check "TLS with a CA that did not sign the broker: not online" sh -c \
	"[ \"\$(mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT --cafile '$MQTT_CA' -t '$TOP/state' --retained-only -C 1 -W 3 2>/dev/null)\" != online ]"
stop_bg daemon 10
cp "$TEST_LOG_DIR/plain.yaml" "$PLANT_CONF"
mqtt_section "" "$MQTT_CA"
tap_check "--check-config says TLS is on" sh -c \
	"'$BUILD/stillroomd' --check-config -c '$PLANT_CONF' | grep -q 'TLS on (CA file)'"
plant_start_daemon
wait_for "TLS with the broker's CA: online" 20 tls_online
stop_bg daemon 10

# ---- 7. TLS with client certificates (require_certificate) ----------------
mqtt_stop
mqtt_start tls-cert || tap_fail "mosquitto with TLS and client certificates starts"
# csub ARGS...: mosquitto_sub with the subscriber's own client certificate
csub() {
	mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" --cafile "$MQTT_CA" \
		--cert "$MQTT_SUB_CERT" --key "$MQTT_SUB_KEY" "$@" 2>/dev/null
}
# csub_start / csub_stop: a subscriber to all of the plant's topics in
# the background, into csub.log
csub_start() {
	csub -t "$TOP/#" -v -W 60 >"$TEST_LOG_DIR/csub.log" &
	csub_pid=$!
	sleep 1
}
csub_stop() {
	kill "$csub_pid" 2>/dev/null
	wait "$csub_pid" 2>/dev/null
}
tap_check "the broker refuses a subscriber without a client certificate" sh -c \
	"! mosquitto_sub -h 127.0.0.1 -p $MQTT_PORT --cafile '$MQTT_CA' -t '#' -C 1 -W 3 >/dev/null 2>&1"
csub_start
cp "$TEST_LOG_DIR/plain.yaml" "$PLANT_CONF"
mqtt_section "" "$MQTT_CA" "$MQTT_CLIENT_CERT" "$MQTT_CLIENT_KEY"
tap_check "--check-config says TLS is on with a client certificate" sh -c \
	"'$BUILD/stillroomd' --check-config -c '$PLANT_CONF' | grep -q 'TLS on (CA file, client certificate)'"
plant_start_daemon
csub_has() { grep -q -- "$1" "$TEST_LOG_DIR/csub.log"; }
wait_for "client certificate: the birth arrives" 20 csub_has "^$TOP/state online"
wait_for "client certificate: still1's status arrives" 20 csub_has "^$TOP/still1/status {"
wait_for "client certificate: still2's status arrives" 20 csub_has "^$TOP/still2/status {"
stop_bg daemon 10
csub_stop

# without a client certificate: refused by the broker, nothing published,
# the stills controlled all the same, the log says why
mqtt_stop
mqtt_start tls-cert || tap_fail "mosquitto with TLS and client certificates starts again"
csub_start
cp "$TEST_LOG_DIR/plain.yaml" "$PLANT_CONF"
mqtt_section "" "$MQTT_CA"
plant_start_daemon
refused_logged() { grep -q "mqtt: no session with 127.0.0.1:$MQTT_PORT: .*no client certificate is configured" "$TEST_LOG_DIR/daemon.log"; }
wait_for "no client certificate: the daemon logs why it is not publishing" 20 refused_logged
grep "mqtt: " "$TEST_LOG_DIR/daemon.log" | sed 's/^/# daemon: /'
t0=$(sr_field still1 ticks)
ticking() { [ "$(sr_field still1 ticks)" -gt "${t0:-0}" ]; }
wait_for "no client certificate: the daemon still controls (status answers, still1's ticks go on from $t0)" \
	10 ticking
tap_check "no client certificate: nothing was published" sh -c "! test -s '$TEST_LOG_DIR/csub.log'"
stop_bg daemon 10
csub_stop
plant_no_sanitizer
