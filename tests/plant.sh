# tests/plant.sh: helpers to run the real simulator and controller in an
# integration script, on 127.0.0.1 with a free port and a private
# database, socket and recipe folder under $TEST_LOG_DIR. Source after
# tests/lib.sh.
#
#   plant_config [SED_EXPR...]  writes $PLANT_CONF from config/plant.yaml:
#                               the free port $PLANT_PORT, paths in
#                               $TEST_LOG_DIR, recipes + tests/data/it/*.yaml;
#                               each SED_EXPR edits the result
#   plant_start_sim [ARGS...]   starts stillroom-sim (name "sim") on it
#   plant_start_daemon [ARGS...] starts stillroomd (name "daemon"), waits for
#                               its socket
#   sr ARGS...                  runs the stillroom CLI on this plant
#   sr_field STILL KEY          one field of `sr status` for STILL
#   SPEED                       process seconds per wall second (default 50)
#
# The field watchdog counts process time: at --speed N a wall hiccup of W ms
# in any of the processes is N*W ms of missed heartbeats. Both it and the
# comm-loss window keep a 500 ms wall floor (docs/MODEL.md), and the test
# config gives them more still for sanitizer builds: watchdog_ms 60000
# (1.2 s wall at speed 50) and comm_loss_ticks 250 (a tick is 4 ms wall at
# speed 50: 1 s) lest a busy CI machine (ASan, two cores) look like a dead
# link. Scripts that test the
# watchdog or comm loss themselves put them back with a SED_EXPR;
# PLANT_TIMING=shipped keeps the bundled config's watchdog_ms and
# comm_loss_ticks (only ports and paths change).

SPEED=${SPEED:-50}
PLANT_CONF="$TEST_LOG_DIR/plant.yaml"
PLANT_DB="$TEST_LOG_DIR/stillroom.db"
PLANT_SOCK="$TEST_LOG_DIR/stillroom.sock"
_top=$(pwd)

plant_config() {
	PLANT_PORT=$(free_port)
	_timing="s#^watchdog_ms: [0-9]*#watchdog_ms: 60000#;s#^comm_loss_ticks: [0-9]*#comm_loss_ticks: 250#"
	[ "${PLANT_TIMING:-}" = shipped ] && _timing=""
	mkdir -p "$TEST_LOG_DIR/recipes"
	cp "$_top"/recipes/*.yaml "$_top"/tests/data/it/*.yaml "$TEST_LOG_DIR/recipes/"
	sed -e "s#127.0.0.1:1502#127.0.0.1:$PLANT_PORT#" \
		-e "s#database: .*#database: $PLANT_DB#" \
		-e "s#socket: .*#socket: $PLANT_SOCK#" \
		-e "s#recipes: .*#recipes: $TEST_LOG_DIR/recipes#" \
		-e "s#feedstocks: .*#feedstocks: $_top/simulator/feedstocks.yaml#" \
		-e "s#qa_spec: .*#qa_spec: $_top/config/qa.yaml#" \
		-e "$_timing" "$_top/config/plant.yaml" >"$PLANT_CONF"
	for _e in "$@"; do
		sed -i -e "$_e" "$PLANT_CONF"
	done
	export PLANT_CONF PLANT_PORT PLANT_DB PLANT_SOCK
}

plant_start_sim() {
	start_bg sim "$BUILD/stillroom-sim" -c "$PLANT_CONF" --speed "$SPEED" "$@"
	wait_port "$PLANT_PORT" 10
}

plant_start_daemon() {
	rm -f "$PLANT_SOCK"
	start_bg daemon "$BUILD/stillroomd" -c "$PLANT_CONF" --speed "$SPEED" --no-realtime "$@"
	_poll 10 sr status
}

sr() {
	"$BUILD/stillroom" -c "$PLANT_CONF" --operator tester "$@"
}

sr_field() {
	sr status --json | "$PYTHON" -c 'import json, sys
for s in json.load(sys.stdin)["stills"]:
    if s["name"] == sys.argv[1]:
        print(s[sys.argv[2]])' "$1" "$2"
}

# ---- crash and storage helpers (the rec_*.sh record tests) ----
#   plant_kill_daemon           SIGKILL to the daemon (no cleanup at all),
#                               reaps it and forgets it
#   plant_sim_write REG VALUE   writes holding register REG (0-based) of
#                               the simulator's control unit 247
#                               (docs/registers.md: still1's faults at 100..)
#   sr_op OPERATOR ARGS...      the CLI acting as OPERATOR, its exit status
#                               kept as is (sr_as, with the fault scripts'
#                               helpers below, also notes acknowledged
#                               operators and turns any failure into 1)

plant_kill_daemon() {
	_pid=$(bg_pid daemon)
	[ -n "$_pid" ] || return 1
	kill -KILL "$_pid" 2>/dev/null
	wait "$_pid" 2>/dev/null
	eval "_bg_pid_daemon="
	return 0
}

plant_sim_write() {
	mbpoll -m tcp -a 247 -0 -r "$1" -t 4 -1 -p "$PLANT_PORT" 127.0.0.1 "$2" >/dev/null
}

sr_op() {
	_op=$1
	shift
	"$BUILD/stillroom" -c "$PLANT_CONF" --operator "$_op" "$@"
}

# ---- helpers for the controller's fault scripts (tests/integration/ctl_*) --
#
#   sr_as OP ARGS...            `sr ARGS` as operator OP; when the daemon
#                               said ok, OP is recorded as acknowledged
#                               (plant_check_db looks for it on disk)
#   sr_fields STILL KEY...      several fields of one status, space-separated
#   field_is STILL KEY VALUE    status checks (for wait_for / tap_check):
#   field_above STILL KEY N     field_has greps, field_below compares
#   field_below STILL KEY N
#   field_has STILL KEY RE
#   plant_mb_read UNIT TABLE ADDR [COUNT]  registers (0-based address, TABLE
#                               3 input, 4 holding) via mbpoll, one a line
#   plant_mb_write UNIT ADDR VALUE...      holding registers via mbpoll
#   plant_ctl N OFFSET VALUE... the control unit's block of the N-th still
#                               (1-based, docs/registers.md)
#   plant_watchdog_off [PORT]   the simulator's field watchdog off for both
#                               stills: at 100x its 60 s are 0.6 s of wall
#                               time, a loaded machine's hiccup (clear
#                               turns it on again: clear faults one by one)
#   plant_recipe NAME SED...    a recipe NAME made from quick-leaf with SEDs
#   plant_long_recipe           long-leaf: quick-leaf with a 5 s purge and a
#                               100 min heat-up at 60 % open steam, for faults
#   plant_batch STILL RECIPE [MASS]  lot, start, answer the prompt; prints
#                               the batch id
#   alarm_is STILL ID STATE     `sr alarms STILL` lists ID in STATE (any
#                               state when STATE is empty)
#   steam_safe_on_wire UNIT     the steam_cmd holding register reads 0
#   plant_recover STILL WHY     acknowledge, reset and restart (again, until
#                               restart is taken: the condition may take a
#                               while to go) as ack-WHY, reset-WHY and
#                               restart-WHY; then the batch runs
#   plant_check_db [DESC]       TAP: integrity_check ok, audit verify exits
#                               0, every acknowledged operator on disk
#   plant_no_sanitizer          TAP: no sanitizer report in any log

# sensor_frozen for scripts that do not test it: a flow that reads 0 while
# its valve is shut for longer than sensor_frozen (a hold, or idle) is taken
# for frozen as soon as the valve opens again, because the frozen window
# counts from the last change of the reading, before the valve moved; these
# scripts hold stills for many process minutes
CTL_FROZEN_OFF='s/^  sensor_frozen: .*/  sensor_frozen: 24 h/'
CTL_UNIT=247
CTL_BLOCK=100
# control-unit offsets in a still's block (docs/registers.md)
CTL_LINE_BLOCKED=2 CTL_COOLING_LOST=3 CTL_REPLY_DELAY=4 CTL_EXCEPTION=5
CTL_DROP=6 CTL_SILENT=7 CTL_WATCHDOG_OFF=8 CTL_CLEAR=9
CTL_STUCK=20 CTL_BROKEN=40 CTL_DRIFT=60
# input tag numbers t (docs/registers.md)
TAG_STILL_TEMP=0 TAG_VAPOUR_TEMP=1 TAG_PRESSURE=2 TAG_DISTILLATE_TEMP=3
TAG_COOLING_FLOW=4 TAG_STEAM_FLOW=5

sr_as() {
	_op=$1
	shift
	if "$BUILD/stillroom" -c "$PLANT_CONF" --operator "$_op" "$@"; then
		echo "$_op" >>"$TEST_LOG_DIR/acked"
		return 0
	fi
	return 1
}

sr_fields() {
	sr status --json | "$PYTHON" -c 'import json, sys
for s in json.load(sys.stdin)["stills"]:
    if s["name"] == sys.argv[1]:
        print(" ".join(str(s[k]) for k in sys.argv[2:]))' "$@"
}

field_is() { test "$(sr_field "$1" "$2")" = "$3"; }
field_above() { awk "BEGIN { exit !($(sr_field "$1" "$2") > $3) }"; }
field_below() { awk "BEGIN { exit !($(sr_field "$1" "$2") < $3) }"; }
field_has() { sr_field "$1" "$2" | grep -Eq -- "$3"; }

plant_mb_read() {
	mbpoll -q -1 -0 -o 1 -p "$PLANT_PORT" -a "$1" -t "$2" -r "$3" -c "${4:-1}" 127.0.0.1 |
		sed -n 's/^\[[0-9]*\]:[[:space:]]*\([0-9-]*\).*/\1/p'
}

plant_mb_write() {
	_u=$1 _a=$2
	shift 2
	mbpoll -q -0 -o 1 -p "$PLANT_PORT" -a "$_u" -t 4 -r "$_a" 127.0.0.1 "$@" >/dev/null
}

plant_ctl() {
	_n=$1 _off=$2
	shift 2
	plant_mb_write "$CTL_UNIT" $((CTL_BLOCK * _n + _off)) "$@"
}

plant_watchdog_off() {
	mbpoll -q -0 -o 1 -p "${1:-$PLANT_PORT}" -a "$CTL_UNIT" -t 4 \
		-r $((CTL_BLOCK + CTL_WATCHDOG_OFF)) 127.0.0.1 1 >/dev/null &&
	mbpoll -q -0 -o 1 -p "${1:-$PLANT_PORT}" -a "$CTL_UNIT" -t 4 \
		-r $((2 * CTL_BLOCK + CTL_WATCHDOG_OFF)) 127.0.0.1 1 >/dev/null
}

plant_recipe() {
	_name=$1
	shift
	sed -e "s/^name: quick-leaf/name: $_name/" "$_top/tests/data/it/quick-leaf.yaml" \
		>"$TEST_LOG_DIR/recipes/$_name.yaml"
	for _e in "$@"; do
		sed -i -e "$_e" "$TEST_LOG_DIR/recipes/$_name.yaml"
	done
}

plant_long_recipe() {
	plant_recipe long-leaf 's/end: {after: 1 min}/end: {after: 5 s}/' \
		's/steam: 100 %/steam: 60 %/' \
		's/end: {reach: still_temp, above: 40 C}/end: {after: 100 min}/' \
		's/max: 45 min/max: 120 min/'
}

plant_batch() {
	_lot="LOT-$1-$$-$(date +%s%N)"
	sr lot add "$_lot" --feedstock cassia-leaf --mass 2000 --grower "Test Grower" \
		--origin "Yen Bai" >/dev/null || return 1
	_out=$(sr_as starter start "$1" --recipe "$2" --lot "$_lot" --mass "${3:-400}") || return 1
	_poll 10 field_has "$1" prompt . || return 1
	sr_as answerer answer "$1" yes >/dev/null || return 1
	echo "$_out" | sed -n 's/^batch \([0-9]*\) started.*/\1/p'
}

alarm_is() {
	sr alarms "$1" | grep -E "id=\"?$2\"? " | grep -q "state=${3:-}"
}

steam_safe_on_wire() {
	test "$(plant_mb_read "$1" 4 0)" = 0
}

_plant_try_restart() {
	sr_as "ack-$2" ack "$1" >/dev/null 2>&1
	sr_as "reset-$2" reset "$1" >/dev/null 2>&1
	sr_as "restart-$2" restart "$1" >/dev/null 2>&1
}

plant_recover() {
	_poll 20 _plant_try_restart "$1" "$2" && _poll 10 field_is "$1" state running
}

plant_check_db() {
	_d=${1:+ ($1)}
	tap_check "database integrity_check is ok$_d" sh -c \
		"sqlite3 '$PLANT_DB' 'PRAGMA integrity_check' | grep -qx ok"
	tap_check "stillroom audit verify exits 0$_d" sr audit verify
	: >>"$TEST_LOG_DIR/acked"
	_missing=""
	for _op in $(sort -u "$TEST_LOG_DIR/acked"); do
		_n=$(sqlite3 "$PLANT_DB" "select count(*) from events where who = '$_op'")
		[ "${_n:-0}" -gt 0 ] || _missing="$_missing $_op"
	done
	if [ -z "$_missing" ]; then
		tap_ok "every acknowledged command is in the audit trail$_d"
	else
		tap_fail "acknowledged but not in the audit trail:$_missing$_d"
	fi
}

plant_no_sanitizer() {
	if grep -lE '==[0-9]+==ERROR: |runtime error: |SUMMARY: [A-Za-z]+Sanitizer' \
		"$TEST_LOG_DIR"/*.log >"$TEST_LOG_DIR/san.out" 2>/dev/null; then
		tap_fail "a sanitizer reported in: $(tr '\n' ' ' <"$TEST_LOG_DIR/san.out")"
	else
		tap_ok "no sanitizer report in any log"
	fi
}

# (for the record tests) acknowledged commands are logged to $ACKS by
# tests/integration/rec_tool.py ($TOOL)
ACKS=${ACKS:-"$TEST_LOG_DIR/cli.acks"}
TOOL=${TOOL:-tests/integration/rec_tool.py}

# cli_logged OPERATOR VERB ARGS...: the CLI as OPERATOR; request and reply
# recorded in $ACKS (rec_tool.py's format); prints stdout and stderr.
cli_logged() {
	_cl_op=$1
	_cl_verb=$2
	shift 2
	_cl_out=$(sr_op "$_cl_op" "$@" 2>&1)
	_cl_rc=$?
	_cl_st=err
	[ $_cl_rc -eq 0 ] && _cl_st=ok
	"$PYTHON" "$TOOL" log "$ACKS" "$_cl_op" "$_cl_verb" "$_cl_st" "$_cl_out" "$@"
	echo "$_cl_out"
	return $_cl_rc
}

# plant_finish STILL...: stops each still's batch, checks the database
# (plant_check_db), then SIGTERM: the daemon exits 0, no sanitizer report.
plant_finish() {
	for _s in "$@"; do
		sr_as stopper stop "$_s" >/dev/null
	done
	wait_for "the batches stop" 20 sh -c \
		"'$BUILD/stillroom' -c '$PLANT_CONF' status | grep -c ' stopped ' | grep -qx $#"
	plant_check_db
	stop_bg daemon 10
	_pf_rc=$?
	[ $_pf_rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" ||
		tap_fail "daemon exits 0 on SIGTERM (status $_pf_rc)"
	plant_no_sanitizer
}

# who_ok: every audit row says who: the operator or "controller", also on
# the rows that finish a transition (holding -> held, ...) (docs/RECORDS.md)
who_ok() {
	_wo_n=$(sqlite3 "file:$PLANT_DB?mode=ro" "select count(*) from events where coalesce(who, '') = ''")
	[ "$_wo_n" = 0 ] || {
		sqlite3 "file:$PLANT_DB?mode=ro" "select id, kind, what, old_value, new_value, text from events where coalesce(who, '') = '' limit 5"
		echo "$_wo_n audit rows say nobody did them"
		return 1
	}
}
