#!/bin/sh
# Bad input changes nothing (issue 11, defect 4): every socket verb and
# every CLI command that takes arguments, sent malformed, out-of-range,
# NaN/inf, empty, overlong and injected arguments against the real daemon
# and simulator over Modbus TCP, is refused with a sentence, and the
# stills, the outputs on the wire, the database and the audit trail stay
# as they were. The cases and the checks are in badinput.py beside this
# file (one table line per verb).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

if ! "$PYTHON" -c 'import pymodbus.client' 2>/dev/null; then
	tap_skip "bad input changes nothing" "no pymodbus client for $PYTHON"
	exit 0
fi
plant_config "$CTL_FROZEN_OFF"
plant_start_sim
plant_start_daemon
wait_for "both stills are idle with a live link" 10 sh -c \
	"test \"\$('$BUILD/stillroom' -c '$PLANT_CONF' status | grep -c ' idle ')\" = 2"

# The two reproductions of the issue, as a user types them.
out=$(sr manual still2 cooling abc 2>&1)
rc=$?
tap_check "'manual still2 cooling abc' is a usage error (exit 2, was: $rc $out)" \
	test "$rc" = 2
tap_check "... and still2's cooling stays in auto" field_is still2 mode_cooling auto
out=$(sr lot add L3 --feedstock cassia-leaf --mass 100 --grower g --origin o \
	--moisture abc 2>&1)
rc=$?
tap_check "'lot add L3 ... --moisture abc' is a usage error (exit 2, was: $rc $out)" \
	test "$rc" = 2
tap_check "... and no lot L3 is recorded" sh -c \
	"test \"\$(sqlite3 '$PLANT_DB' \"select count(*) from lots where lot_id = 'L3'\")\" = 0"

# Program options: a bad number is a usage error (exit 2) that names the
# option, before anything starts (a later --check-config or --help would
# otherwise exit 0).
# opt_refused OPTION PROGRAM ARGS...: PROGRAM OPTION VALUE ARGS...
opt_refused() {
	_or_opt=$1
	_or_prog=$2
	shift 2
	_or_bad=""
	for _or_v in 0x64 " 100" "100 " nan inf abc "" 1e999 100x 1,5 \
		"100000000000000000000000000000000000000"; do
		"$_or_prog" "$_or_opt" "$_or_v" "$@" >"$TEST_LOG_DIR/opt.out" 2>&1 </dev/null
		_or_rc=$?
		{ [ $_or_rc = 2 ] && grep -q -- "$_or_opt" "$TEST_LOG_DIR/opt.out"; } ||
			_or_bad="$_or_bad '$_or_v' (exit $_or_rc)"
	done
	tap_check "$(basename "$_or_prog") $_or_opt: 11 bad numbers refused (exit 2) naming it${_or_bad:+; not:$_or_bad}" \
		test -z "$_or_bad"
}
opt_refused --speed "$BUILD/stillroomd" -c "$PLANT_CONF" --check-config
opt_refused --speed "$BUILD/stillroom-sim" --help
opt_refused --baud "$BUILD/stillroom-sim" --help

# A lot and a finished batch on still1, so that the batch verbs (weigh, qa,
# decide) have one to be refused on; still2 stays idle.
lot="PROP-LOT"
sr lot add "$lot" --feedstock cassia-leaf --mass 2000 --grower g --origin o >/dev/null
batch=$(plant_batch still1 quick-leaf)
sr_as prop abort still1 >/dev/null
wait_for "still1's batch $batch is aborted" 20 field_is still1 state aborted

"$PYTHON" tests/integration/badinput.py "$PLANT_SOCK" "$BUILD/stillroom" "$PLANT_CONF" \
	"$PLANT_DB" "$PLANT_PORT" "$lot" "$batch" >"$TEST_LOG_DIR/badinput.out" 2>&1
tap_check "badinput.py ran to the end" grep -q '^COUNT ' "$TEST_LOG_DIR/badinput.out"
while IFS= read -r line; do
	case "$line" in
	"PASS "*) tap_ok "${line#PASS }" ;;
	"FAIL "*) tap_fail "${line#FAIL }" ;;
	"COUNT "*) tap_note "cases: ${line#COUNT }" ;;
	*) tap_note "$line" ;;
	esac
done <"$TEST_LOG_DIR/badinput.out"
plant_check_db
stop_bg daemon 10
tap_check "daemon exits 0 on SIGTERM" test $? -eq 0
plant_no_sanitizer
