#!/bin/sh
# rec_econ: resources and cost per kg of oil (issue 13), on the real
# daemon and simulator at 100x with the bundled economics:
#   - while a batch runs, status --json shows its resources growing
#     (steam_kg, fuel_kg, cooling_m3, electricity_kwh, labour_h, cost_vnd);
#   - held time is not running time: labour stands still while held;
#   - at its end they are in the batch record, audited (audit verify ok),
#     with the cost per kg of oil: over the receiver's oil, then over the
#     weighed oil once it is weighed;
#   - report batch (text, en and vi) and report yields (--json, text) carry
#     the figures.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-100}
. tests/lib.sh
. tests/plant.sh

plant_config "$CTL_FROZEN_OFF"
plant_recipe econ-leaf 's/end: {after: 3 min}/end: {after: 60 min}/' 's/max: 10 min/max: 90 min/'
plant_start_sim
plant_watchdog_off
plant_start_daemon

b=$(plant_batch still1 econ-leaf 500)
[ -n "$b" ] && tap_ok "still1 starts batch $b (econ-leaf)" || tap_fail "still1 starts a batch"
for k in steam_kg fuel_kg cooling_m3 electricity_kwh labour_h cost_vnd; do
	wait_for "status --json: $k of the running batch grows above 0" 30 \
		field_above still1 "$k" 0
done
c1=$(sr_field still1 cost_vnd)
s1=$(sr_field still1 steam_kg)
wait_for "the cost goes on growing (was $c1 VND)" 30 field_above still1 cost_vnd "$c1"
tap_check "and so does the steam (was $s1 kg)" field_above still1 steam_kg "$s1"
tap_check "fuel is steam over 3 kg of steam per kg of firewood" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' status --json | '$PYTHON' -c 'import json, sys
s = [s for s in json.load(sys.stdin)[\"stills\"] if s[\"name\"] == \"still1\"][0]
assert abs(s[\"fuel_kg\"] - s[\"steam_kg\"] / 3) < 0.2, s'"
tap_check "hold still1" sr hold still1
wait_for "still1 winds down to held" 20 field_is still1 state held
h1=$(sr_field still1 labour_h)
p1=$(sr_field still1 process_s)
wait_for "process time runs on 10 min while held" 30 field_above still1 process_s \
	"$(awk "BEGIN { print $p1 + 600 }")"
tap_check "held time is not running time: labour_h stays $h1 h" field_is still1 labour_h "$h1"
tap_check "restart still1" sr restart still1
wait_for "still1 runs again" 20 field_is still1 state running
wait_for "and its labour counts again" 20 field_above still1 labour_h "$h1"
wait_for "batch $b completes" 120 field_is still1 state complete
tap_check "status: the cost per kg of oil is the cost over the oil" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' status --json | '$PYTHON' -c 'import json, sys
s = [s for s in json.load(sys.stdin)[\"stills\"] if s[\"name\"] == \"still1\"][0]
assert s[\"oil_kg\"] > 0, s
assert abs(s[\"cost_vnd_per_kg_oil\"] - s[\"cost_vnd\"] / s[\"oil_kg\"]) <= 0.01 * s[\"cost_vnd_per_kg_oil\"] + 1, s'"

# ---- the record ------------------------------------------------------------
rb() { "$BUILD/stillroom" -c "$PLANT_CONF" report batch "$b" "$@"; }
tap_check "report batch --json: the resources, the cost and the cost per kg of the receiver's oil" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch $b --json | '$PYTHON' -c 'import json, sys
d = json.load(sys.stdin)
for k in (\"steam_kg\", \"fuel_kg\", \"cooling_m3\", \"electricity_kwh\", \"labour_h\", \"cost_vnd\"):
    assert d[k] > 0, (k, d)
assert abs(d[\"fuel_kg\"] - d[\"steam_kg\"] / 3) < 1e-6, d
assert abs(d[\"cost_vnd_per_kg_oil\"] - d[\"cost_vnd\"] / d[\"oil_receiver_kg\"]) < 1, d'"
cost=$(sqlite3 "$PLANT_DB" "select cost_vnd from batches where id = $b")
tap_check "the end figures in the audit trail carry the cost ($cost VND)" sh -c \
	"sqlite3 '$PLANT_DB' \"select count(*) from events where batch_id = $b and kind = 'batch'
		and what = 'end' and json_extract(record, '\\\$.cost_vnd') = $cost\" | grep -qx 1"
tap_check "report batch (text): resources and cost per kg of oil" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' --lang en report batch $b >'$TEST_LOG_DIR/rb.txt' &&
	 grep -q '^Resources .*kg steam' '$TEST_LOG_DIR/rb.txt' &&
	 grep -Eq '^Cost +[0-9,]+ VND; [0-9,]+ VND per kg of oil' '$TEST_LOG_DIR/rb.txt'"
tap_check "report batch in Vietnamese: dong with dots" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' --lang vi report batch $b |
	 grep -Eq '[0-9.]+ ₫'"
tap_check "weigh the oil: 2.5 kg" sr weigh "$b" --oil-kg 2.5
tap_check "the cost per kg is now over the weighed oil" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch $b --json | '$PYTHON' -c 'import json, sys
d = json.load(sys.stdin)
assert abs(d[\"cost_vnd_per_kg_oil\"] - d[\"cost_vnd\"] / 2.5) < 1, d'"
tap_check "report yields --json: steam, cost and cost per kg of oil by feedstock" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report yields --json | '$PYTHON' -c 'import json, sys
rows = json.load(sys.stdin)
r = [r for r in rows if r[\"feedstock\"] == \"cassia-leaf\"][0]
assert r[\"steam_kg\"] > 0 and r[\"cost_vnd\"] > 0, r
assert abs(r[\"cost_vnd_per_kg_oil\"] - r[\"cost_vnd\"] / 2.5) < 1, r'"
tap_check "report yields --by month (text): the cost table" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' --lang en report yields --by month |
	 grep -Eq '^  [0-9]{4}-[0-9]{2} .* [0-9,]+ +[0-9,]+\$'"

plant_check_db
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
plant_no_sanitizer
