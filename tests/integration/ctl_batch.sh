#!/bin/sh
# ctl_batch: whole batches over real Modbus TCP against stillroom-sim at
# 100x, two stills at once, and what the operators do to them:
#   - two consoles start still1 at the same moment: one wins, the other gets
#     a sentence naming the batch that did, and the audit trail has both;
#   - still1 runs quick-leaf to complete (record, steps, samples, steam);
#   - still2 meanwhile: manual steam moves the valve on the wire and in the
#     plant, auto gives it back to the recipe, hold winds the steam down to
#     held, restart runs on, stop stops; every change in the audit trail.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-100}
. tests/lib.sh
. tests/plant.sh

plant_config
plant_long_recipe
plant_start_sim
plant_watchdog_off
plant_start_daemon
sr lot add LOT-A --feedstock cassia-leaf --mass 1000 --grower "Hộ Lê Thị Bình" \
	--origin "Văn Yên" >/dev/null
sr lot add LOT-B --feedstock cassia-leaf --mass 1000 --grower "Hộ Trần Văn Cường" \
	--origin "Trấn Yên" >/dev/null

# ---- two consoles, one still, the same moment ------------------------------
"$BUILD/stillroom" -c "$PLANT_CONF" --operator console-a start still1 --recipe quick-leaf \
	--lot LOT-A --mass 500 >"$TEST_LOG_DIR/a.out" 2>&1 &
pa=$!
"$BUILD/stillroom" -c "$PLANT_CONF" --operator console-b start still1 --recipe long-leaf \
	--lot LOT-B --mass 450 >"$TEST_LOG_DIR/b.out" 2>&1 &
pb=$!
wait $pa
ra=$?
wait $pb
rb=$?
if [ $ra -eq 0 ] && [ $rb -ne 0 ]; then
	win=a lose=b
elif [ $rb -eq 0 ] && [ $ra -ne 0 ]; then
	win=b lose=a
else
	win='' lose=''
fi
[ -n "$win" ] && tap_ok "two consoles start still1 at once: exactly one wins (console-$win)" ||
	tap_fail "two consoles start still1 at once: exactly one wins (exit $ra and $rb)"
echo "console-$win" >>"$TEST_LOG_DIR/acked"
b1=$(sed -n 's/^batch \([0-9]*\) started on still1$/\1/p' "$TEST_LOG_DIR/$win.out" 2>/dev/null)
tap_check "the winner is told its batch number ($(cat "$TEST_LOG_DIR/$win.out" 2>/dev/null))" \
	test -n "$b1"
tap_check "the other console is told why, naming batch $b1 ($(cat "$TEST_LOG_DIR/$lose.out" 2>/dev/null))" \
	grep -q "still1.* $b1" "$TEST_LOG_DIR/$lose.out"
tap_check "the database has one batch" sh -c \
	"test \"\$(sqlite3 '$PLANT_DB' 'select count(*) from batches')\" = 1"
tap_check "the audit trail has the winner's start" sh -c \
	"sqlite3 '$PLANT_DB' \"select count(*) from events where who = 'console-$win'\" | grep -qv '^0\$'"
tap_check "the audit trail has the refused start too" sh -c \
	"sqlite3 '$PLANT_DB' \"select count(*) from events where who = 'console-$lose'\" | grep -qv '^0\$'"
# the batch console-b asked for may have won: let still1 run quick-leaf
if [ "$win" = b ]; then
	sr_as console-b abort still1 >/dev/null
	_poll 10 field_is still1 state aborted
	sr_as console-b reset still1 >/dev/null
	out=$(sr_as console-a start still1 --recipe quick-leaf --lot LOT-A --mass 500)
	b1=$(echo "$out" | sed -n 's/^batch \([0-9]*\) started.*/\1/p')
fi
wait_for "still1 asks its first question" 10 field_has still1 prompt "Condenser water"
tap_check "the operator answers it" sr_as answerer answer still1 "yes, on"

# ---- still2 at the same time: manual, auto, hold, restart ------------------
b2=$(plant_batch still2 long-leaf 400)
[ -n "$b2" ] && tap_ok "still2 starts batch $b2 at the same time" || tap_fail "still2 starts a batch"
wait_for "still2's steam opens under the recipe (60 %)" 20 field_above still2 steam_cmd_pct 55
tap_check "manual steam 25 % on still2" sr_as op-manual manual still2 steam 25
wait_for "the steam_cmd register says 250" 5 sh -c "test \"\$(mbpoll -q -1 -0 -o 1 \
	-p $PLANT_PORT -a 2 -t 4 -r 0 127.0.0.1 | sed -n 's/^\\[0\\]:[[:space:]]*//p')\" = 250"
valve_near() {
	_v=$(plant_mb_read 2 3 9)
	[ "$_v" -ge $(($1 - 15)) ] && [ "$_v" -le $(($1 + 15)) ]
}
wait_for "the plant's steam valve moves to 25 %" 10 valve_near 250
tap_check "status: steam manual at 25 %" \
	test "$(sr_fields still2 mode_steam steam_cmd_pct)" = "manual 25.0"
tap_check "auto steam on still2" sr_as op-auto auto still2 steam
wait_for "the recipe takes the valve back to 60 %" 10 valve_near 600
tap_check "hold still2" sr_as op-hold hold still2
wait_for "still2 winds down to held" 20 field_is still2 state held
tap_check "held: steam command 0" field_is still2 steam_cmd_pct 0.0
tap_check "restart still2" sr_as op-restart restart still2
wait_for "still2 runs and opens the steam again" 20 field_above still2 steam_cmd_pct 30
tap_check "mode changes, hold and restart are in the audit trail with their operators" sh -c \
	"test \$(sqlite3 '$PLANT_DB' \"select count(*) from events where batch_id = $b2 and
		((kind = 'mode' and who in ('op-manual', 'op-auto')) or
		 (kind = 'state' and who in ('op-hold', 'op-restart')))\") -ge 4"

# ---- still1's batch completes ---------------------------------------------
wait_for "still1's batch $b1 completes" 60 field_is still1 state complete
tap_check "batch $b1 is complete in the database, with its five steps" sh -c \
	"test \"\$(sqlite3 '$PLANT_DB' \"select state, (select count(*) from batch_steps
		where batch_id = $b1) from batches where id = $b1\")\" = 'complete|5'"
tap_check "batch $b1 recorded steam used and historian samples" sh -c \
	"test \"\$(sqlite3 '$PLANT_DB' \"select steam_kg > 0 and (select coalesce(sum(samples), 0)
		from hist_counts where batch_id = $b1) > 10 from batches where id = $b1\")\" = 1"
tap_check "report batch $b1 names the recipe and its hash" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch $b1 --json | '$PYTHON' -c 'import json, sys
d = json.load(sys.stdin)
assert d[\"recipe\"] == \"quick-leaf\" and len(d[\"recipe_sha256\"]) == 64, d'"
tap_check "still1 cooled down: steam_cmd 0 on the wire" steam_safe_on_wire 1
tap_check "still2 ran on meanwhile" field_is still2 state running
tap_check "stop still2" sr_as op-stop stop still2
wait_for "still2 stops" 20 field_is still2 state stopped

plant_check_db
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
plant_no_sanitizer
