#!/bin/sh
# console_forecast: the end-point forecast on the operator console, on a
# real running batch. The simulator and the daemon at 100x on their own
# port, socket and database; a cassia-leaf batch of 300 kg started and its
# first question answered; once the daemon's status says the estimator
# has a forecast (fc_valid=1), the console under tmux shows on still1's
# detail page the forecast line and "Next hour: +X kg oil worth Y VND,
# costs Z VND" with the daemon's figures, on the oil trend the end oil
# and the 95 % time with a dotted line at the end oil (at 200x50, where
# every trend fits), on the overview the forecast yield (Fcst), and the
# next hour in Vietnamese with dong after L.
# Skips when the daemon publishes no fc_* keys (the endpt part of issue 13
# not merged yet).
#   CONSOLE=path   the console binary (default $BUILD/stillroom)
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-100}
. tests/lib.sh
. tests/plant.sh
CONSOLE=${CONSOLE:-$BUILD/stillroom}
tsock=stillroom-fc-$$
T="tmux -L $tsock -f /dev/null"

if ! command -v tmux >/dev/null 2>&1; then
	tap_skip "forecast on the console" "tmux is not installed (apt-get install tmux)"
	exit 0
fi
cleanup() {
	_rc=$?
	$T kill-server 2>/dev/null
	(exit $_rc)
	_lib_exit
}
trap cleanup EXIT

plant_config
plant_start_sim --charge still1=cassia-leaf:300
# at 100x the field watchdog's 60 s are 0.6 s of wall time: off here
# (ctl_hung tests the watchdog)
plant_watchdog_off
plant_start_daemon
if ! sr status --json | grep -q '"fc_valid"'; then
	tap_skip "forecast on the console" \
		"the daemon publishes no fc_* status keys (issue 13's endpt part)"
	exit 0
fi
batch=$(plant_batch still1 cassia-leaf 300)
tap_check "a cassia-leaf batch starts on still1" test -n "$batch"
wait_for "the daemon has a forecast for still1 (fc_valid=1)" 180 \
	field_is still1 fc_valid 1 || exit 1

# Vietnamese catalog for this run, wherever the build put (or not) its own.
locale=$TEST_LOG_DIR/locale
mkdir -p "$locale/vi/LC_MESSAGES"
msgfmt -o "$locale/vi/LC_MESSAGES/stillroom.mo" po/vi.po ||
	tap_fail "po/vi.po compiles"

screen() { $T capture-pane -p -t con; }
has() { screen | grep -qF -- "$1"; }
has_re() { screen | grep -qE -- "$1"; }
keys() { $T send-keys -t con "$@"; }
expect() {
	wait_for "$@" || screen | sed 's/^/# screen: /'
}
# still1's overview row holds the daemon's forecast yield (2 decimals)
row_has_fc_yield() {
	_y=$(printf '%.2f' "$(sr_field still1 fc_yield_pct)")
	screen | grep '^still1 ' | grep -qF " $_y"
}
# the hour's cost on the screen ("costs 168,868 VND") is the daemon's
# fc_hour_cost_vnd within 5 % (it follows the steam and cooling flows)
cost_is_daemons() {
	_shown=$(screen | sed -n 's/.*costs \([0-9,]*\) VND.*/\1/p' | tr -d ,)
	_have=$(sr_field still1 fc_hour_cost_vnd)
	[ -n "$_shown" ] && awk "BEGIN { d = $_shown - $_have; exit !(d * d <= (0.05 * $_have) ^ 2) }"
}

$T new-session -d -s con -x 80 -y 24 \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=xterm-256color STILLROOM_LOCALEDIR='$locale' '$CONSOLE' -c '$PLANT_CONF' --operator tester 2>'$TEST_LOG_DIR/console.err'; sleep 30"
expect "the console asks who is operating" 10 has "Operator: tester"
keys Enter
expect "the overview lists still1" 10 has_re '^still1 '
expect "the overview has the forecast yield column" 10 has "Fcst"
expect "still1's row shows the daemon's forecast yield" 10 row_has_fc_yield

keys Enter
expect "the detail page shows the forecast line" 10 has "Forecast ("
expect "... and the next hour's oil, its worth and its cost" 10 has_re \
	'Next hour: \+[0-9.]+ kg oil worth [0-9,]+ VND, costs [0-9,]+ VND'
expect "the hour's cost is the daemon's (within 5 %: the flows move)" 10 cost_is_daemons

$T resize-window -t con -x 200 -y 50
expect "at 200x50 the oil trend says where the oil ends and when 95 % is in" 10 \
	has_re 'Oil collected, kg .* end [0-9.]+, 95 % in'
tap_check "the oil trend has a dotted line at the end oil" has "┄┄┄┄"

keys L
expect "in Vietnamese the next hour is in dong" 10 has_re \
	'Giờ tới: \+[0-9.]+ kg dầu trị giá [0-9.]+ ₫'
keys q
if [ -s "$TEST_LOG_DIR/console.err" ]; then
	tap_note "console stderr:" "$(cat "$TEST_LOG_DIR/console.err")"
fi
