#!/bin/sh
# ctl_frozen_rest: a sensor judged frozen while its valve travelled does
# not block its still for good once the valve rests and the reading is
# true. still1 starts with its steam valve stuck shut (the simulator's
# steam-valve-stuck while the still is idle): the loop opens the steam,
# the steam flow reads 0 all along, and after sensor_frozen (2 min here)
# sensor_steam_flow trips the batch. The valve is freed and the batch
# stopped: shut, the valve gives a true 0 that never changes. After
# sensor_frozen of rest the alarm's condition is gone (it used to stay
# until the daemon restarted, and the start was refused, the interlock
# latched), and ack, reset and a new start are accepted, the new batch's
# steam flowing. Seen in the soak: a still idle for the rest of the run.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-100}
. tests/lib.sh
. tests/plant.sh

plant_config 's/^  sensor_frozen: .*/  sensor_frozen: 2 min/'
plant_recipe slow-leaf 's/end: {after: 1 min}/end: {after: 5 s}/' \
	's/end: {after: 3 min}/end: {after: 120 min}/' 's/    max: 10 min/    max: 180 min/'
plant_start_sim --charge still1=cassia-leaf:150
plant_watchdog_off
plant_start_daemon

plant_ctl 1 0 1 # the steam valve stuck where it is: shut
b1=$(plant_batch still1 slow-leaf 150)
[ -n "$b1" ] && tap_ok "batch $b1 starts, the steam valve stuck shut" ||
	tap_fail "batch starts with the steam valve stuck shut"
wait_for "the steam command opens" 20 field_above still1 steam_cmd_pct 20
wait_for "sensor_steam_flow trips the batch" 30 alarm_is still1 sensor_steam_flow unack
wait_for "the batch is held" 10 field_is still1 state held
tap_check "the alarm says the steam flow is frozen" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' alarms still1 | grep 'id=sensor_steam_flow ' | grep -q frozen"

plant_ctl 1 0 0 # the valve freed; the daemon keeps it shut
sr_as stopper stop still1 >/dev/null
wait_for "the batch stops" 20 field_is still1 state stopped
# sensor_frozen (2 min) of rest is 1.2 s of wall time at 100x
frozen_gone() { ! sr alarms still1 | grep 'id=sensor_steam_flow ' | grep -q 'active=1'; }
wait_for "after sensor_frozen of rest the frozen condition is gone" 20 frozen_gone
sr_as acker ack still1 >/dev/null 2>&1
tap_check "ack and reset are accepted" sr_as resetter reset still1
tap_check "the still is idle" field_is still1 state idle
tap_check "the steam flow sensor is good again" sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' alarms still1 | grep 'id=sensor_steam_flow ' | grep -q 'state=unack'"
b2=$(plant_batch still1 slow-leaf 150)
[ -n "$b2" ] && [ "$b2" != "$b1" ] && tap_ok "a new batch $b2 starts" ||
	tap_fail "a new batch starts after the reset ($b2)"
wait_for "its steam flows" 30 field_above still1 steam_flow_kg_h 1
tap_check "the new batch is running, not tripped" field_is still1 state running
stop_bg daemon 10 && tap_ok "the daemon exits 0 on SIGTERM" || tap_fail "the daemon exits 0 on SIGTERM"
