# tests/ops.sh: helpers of the ops_*.sh integration tests (the writing
# commands through the CLI and the daemon). Source after tests/plant.sh.
#
#   dump                        the database as SQL, without samples
#   refused DESC RC WANT ARGS...  `sr ARGS` is refused: exit RC, one line
#                               on stderr naming WANT, nothing on stdout,
#                               the dump unchanged
#   q SQL                       one value from the database
#   ops_plant                   plant_config, quick-leaf-organic (quick-leaf
#                               with organic: true) in its recipes, the
#                               simulator and the daemon started
#   ops_stop_weigh KG1 KG2      batches 1 and 2 (still1, still2) stopped
#                               and weighed

ops_plant() {
	plant_config
	sed -e 's/^name: quick-leaf/name: quick-leaf-organic/' \
		-e 's/^feedstock: cassia-leaf/feedstock: cassia-leaf\norganic: true/' \
		tests/data/it/quick-leaf.yaml >"$TEST_LOG_DIR/recipes/quick-leaf-organic.yaml"
	plant_start_sim
	plant_start_daemon
}

# dump: the database as SQL, without the historian's samples (written
# every historian period, idle or not: not the commands' doing).
dump() { sqlite3 "$PLANT_DB" .dump | grep -v -e '^INSERT INTO hist_raw ' -e '^INSERT INTO hist_blocks '; }

# refused DESC RC WANT ARGS...: `stillroom ARGS` exits RC with one line on
# stderr holding WANT, nothing on stdout, and the database dump unchanged.
refused() {
	_desc=$1 _rc=$2 _want=$3
	shift 3
	dump >"$TEST_LOG_DIR/before.sql"
	sr "$@" >"$TEST_LOG_DIR/out" 2>"$TEST_LOG_DIR/err"
	_got=$?
	dump >"$TEST_LOG_DIR/after.sql"
	_why=""
	[ "$_got" -eq "$_rc" ] || _why="exit status $_got, not $_rc"
	[ -s "$TEST_LOG_DIR/out" ] && _why="$_why; stdout not empty"
	[ "$(wc -l <"$TEST_LOG_DIR/err")" -eq 1 ] || _why="$_why; stderr is not one line"
	grep -qF -- "$_want" "$TEST_LOG_DIR/err" || _why="$_why; no '$_want' in the message"
	cmp -s "$TEST_LOG_DIR/before.sql" "$TEST_LOG_DIR/after.sql" ||
		_why="$_why; the database changed: $(diff "$TEST_LOG_DIR/before.sql" "$TEST_LOG_DIR/after.sql" | grep "^[<>]" | head -3 | tr "\n" " ")"
	if [ -z "$_why" ]; then
		tap_ok "$_desc: $(cat "$TEST_LOG_DIR/err")"
	else
		tap_fail "$_desc: ${_why#; }"
		sed 's/^/# stderr: /' "$TEST_LOG_DIR/err"
	fi
}

# q SQL: one value from the database.
q() { sqlite3 "$PLANT_DB" "$1"; }


# ops_stop_weigh KG1 KG2: stops the batches on still1 and still2 (batches 1
# and 2), waits until both are stopped and weighs them: KG1 and KG2 of oil.
ops_stop_weigh() {
	sr stop still1 >/dev/null
	sr stop still2 >/dev/null
	wait_for "batch 1 is stopped" 30 field_is still1 state stopped
	wait_for "batch 2 is stopped" 30 field_is still2 state stopped
	sr weigh 1 --oil-kg "$1" >/dev/null
	sr weigh 2 --oil-kg "$2" >/dev/null
}
