#!/bin/sh
# Recipes as the daemon sees them: a recipe changed on disk since it was
# checked is refused with the reason (the daemon keeps running); SIGHUP
# reloads, keeping the old set when the new one has errors; the checkers
# exit 0 clean and 1 not, with file:line:column messages.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

plant_config
plant_start_sim
plant_start_daemon
R="$TEST_LOG_DIR/recipes"
tap_check "recipes lists quick-leaf as valid" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' recipes | grep -E '^recipe .*name=quick-leaf .*valid=1'"
sr lot add RL-1 --feedstock cassia-leaf --mass 2000 --grower G --origin O >/dev/null

# 1. changed since it was checked: refused, daemon alive, nothing written
events_before=$(sqlite3 "$PLANT_DB" "select count(*) from events")
sed -i 's/end: {after: 3 min}/end: {after: 4 min}/' "$R/quick-leaf.yaml"
out=$(sr start still1 --recipe quick-leaf --lot RL-1 --mass 500 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "changed on disk since it was checked" &&
	tap_ok "a recipe changed on disk is refused with the reason (exit 1)" ||
	tap_fail "a recipe changed on disk is refused with the reason (exit $rc: $out)"
tap_check "the daemon keeps running" sr status
tap_check "nothing was written for the refused start" sh -c \
	"test \$(sqlite3 '$PLANT_DB' 'select count(*) from events') -eq $events_before &&
	 test \$(sqlite3 '$PLANT_DB' 'select count(*) from batches') -eq 0"

# 2. SIGHUP with an error in the new set: the old set stays
printf 'name: broken\nversion: 1\nfeedstock: cassia-leaf\nsteps: [\n' >"$R/broken.yaml"
kill -HUP "$(bg_pid daemon)"
wait_log daemon "keeping the" 10 && tap_ok "SIGHUP with a broken recipe keeps the old set (logged)" ||
	tap_fail "SIGHUP with a broken recipe keeps the old set (logged)"
tap_check "the log names the broken file, line and column" \
	grep -E "broken\.yaml:[0-9]+:[0-9]+: " "$TEST_LOG_DIR/daemon.log"
tap_check "reload over the socket says the same and exits 1" sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' reload 2>&1 | grep -q '^[0-9]* recipes loaded'"
tap_check "still refused: the old set's quick-leaf no longer matches the file" sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' --operator t start still1 --recipe quick-leaf --lot RL-1 --mass 500"

# 3. fix it and reload: the changed recipe is now the checked one
rm -f "$R/broken.yaml"
kill -HUP "$(bg_pid daemon)"
# every file in the folder: the bundled recipes and quick-leaf
n_recipes=$(ls "$R"/*.yaml | wc -l)
wait_log daemon "loaded $n_recipes recipes" 10 && tap_ok "SIGHUP reloads a clean set" ||
	tap_fail "SIGHUP reloads a clean set"
out=$(sr start still1 --recipe quick-leaf --lot RL-1 --mass 500 2>&1)
echo "$out" | grep -q "^batch 1 started" && tap_ok "the reloaded recipe starts: $out" ||
	tap_fail "the reloaded recipe starts: $out"
tap_check "the batch records the new recipe text (4 min purge)" sh -c \
	"sqlite3 '$PLANT_DB' 'select text from recipes' | grep -q 'after: 4 min'"

# 4. a crash, then the file changes: the lost batch comes back with its
# recipe as run (from the record), not the edited file
sed -i 's/name: cool-down/name: cooling/' "$R/quick-leaf.yaml"
plant_kill_daemon
plant_start_daemon
wait_for "after SIGKILL the batch is lost" 10 field_is still1 state lost
tap_check "the operator restarts it" sr restart still1
wait_for "its prompt comes back" 10 field_has still1 prompt "Condenser water on"
sr answer still1 yes >/dev/null
wait_for "the restarted batch completes" 60 field_is still1 state complete
tap_check "it ran the recipe as recorded (cool-down), not the edited file (cooling)" sh -c \
	"sqlite3 '$PLANT_DB' \"select name from batch_steps where batch_id = 1\" | grep -qx cool-down &&
	 ! sqlite3 '$PLANT_DB' \"select name from batch_steps where batch_id = 1\" | grep -qx cooling"

# 5. the checkers
bad=tests/data/recipes/bad
one_bad=$(ls $bad/*.yaml | head -n 1)
tap_check "recipe check: bundled recipes are clean (exit 0)" sr recipe check recipes/cassia-leaf.yaml recipes/cassia-bark.yaml recipes/star-anise.yaml
out=$(sr recipe check recipes/cassia-leaf.yaml "$one_bad" 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -qE "^$one_bad:[0-9]+:[0-9]+: " &&
	tap_ok "recipe check: a bad file gives file:line:column and exit 1" ||
	tap_fail "recipe check: a bad file gives file:line:column and exit 1 (exit $rc: $out)"
tap_check "stillroomd --check-config: the test config is clean" \
	"$BUILD/stillroomd" -c "$PLANT_CONF" --check-config
sed 's/pressure_high: 25 kPa/pressure_high: 25/' "$PLANT_CONF" >"$TEST_LOG_DIR/bad.yaml"
out=$("$BUILD/stillroomd" -c "$TEST_LOG_DIR/bad.yaml" --check-config 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -qE "bad\.yaml:[0-9]+:[0-9]+: .*pressure_high" &&
	tap_ok "stillroomd --check-config: a unit missing is an error with its place (exit 1)" ||
	tap_fail "stillroomd --check-config: a unit missing (exit $rc: $out)"
