#!/bin/sh
# stillroom-sim against Debian's mbpoll: the command line (options, bad
# input, exit statuses), the documented registers read and written, the
# physics answering, faults injected through the control unit and from a
# scenario file, a clean exit on SIGTERM.
. "$(dirname "$0")/../lib.sh"
sim=$BUILD/stillroom-sim
cfg=config/plant.yaml

# mb_read UNIT TABLE ADDR COUNT [mbpoll options]: the values, one a line.
mb_read() {
	_u=$1 _t=$2 _a=$3 _c=$4
	shift 4
	mbpoll -q -1 -0 -o 1 -p "$port" -a "$_u" -t "$_t" -r "$_a" -c "$_c" "$@" 127.0.0.1 |
		sed -n 's/^\[[0-9]*\]:[[:space:]]*\([0-9-]*\).*/\1/p'
}

# mb_write UNIT ADDR VALUE...: writes holding registers.
mb_write() {
	_u=$1 _a=$2
	shift 2
	mbpoll -q -0 -o 1 -p "$port" -a "$_u" -t 4 -r "$_a" 127.0.0.1 "$@" >/dev/null
}

# input_at UNIT ADDR: one input register.
input_at() {
	mb_read "$1" 3 "$2" 1
}

# signed VALUE: a 16-bit register as two's complement.
signed() {
	if [ "$1" -ge 32768 ]; then echo $(($1 - 65536)); else echo "$1"; fi
}

holding_is() { # UNIT ADDR VALUE
	[ "$(mb_read "$1" 4 "$2" 1)" = "$3" ]
}

input_at_least() { # UNIT ADDR MIN
	_v=$(input_at "$1" "$2") && [ -n "$_v" ] && [ "$(signed "$_v")" -ge "$3" ]
}

input_below() { # UNIT ADDR MAX
	_v=$(input_at "$1" "$2") && [ -n "$_v" ] && [ "$(signed "$_v")" -lt "$3" ]
}

status_has() { # UNIT BIT
	_v=$(input_at "$1" 11) && [ -n "$_v" ] && [ $((_v & $2)) -ne 0 ]
}

status_lacks() { # UNIT BIT
	_v=$(input_at "$1" 11) && [ -n "$_v" ] && [ $((_v & $2)) -eq 0 ]
}

# bad_input DESC WANT ARGS...: the simulator refuses ARGS with exit 2 and
# one line on stderr holding WANT, and leaves nothing running.
bad_input() {
	_desc=$1 _want=$2
	shift 2
	"$sim" -c "$cfg" --listen 127.0.0.1:0 "$@" >"$TEST_LOG_DIR/bad.out" 2>"$TEST_LOG_DIR/bad.err"
	_rc=$?
	if [ "$_rc" -eq 2 ] && [ "$(wc -l <"$TEST_LOG_DIR/bad.err")" -eq 1 ] &&
		grep -qF -- "$_want" "$TEST_LOG_DIR/bad.err"; then
		tap_ok "$_desc"
	else
		tap_fail "$_desc (exit $_rc)"
		sed 's/^/# /' "$TEST_LOG_DIR/bad.err"
	fi
}

# --- the command line
tap_check "--version" sh -c "'$sim' --version | grep -qx 'stillroom-sim [0-9][0-9.]*'"
"$sim" --help >"$TEST_LOG_DIR/help.out" 2>&1
missing=""
for o in -c --config --speed --listen --charge --scenario --rtu --baud --parity --help \
	--version default; do
	grep -qe "$o" "$TEST_LOG_DIR/help.out" || missing="$missing $o"
done
tap_check "--help names every option and default$missing" test -z "$missing"
bad_input "unknown option: exit 2" "unknown option '--frobnicate'" --frobnicate
bad_input "missing argument: exit 2" "option '--speed' needs an argument" --speed
bad_input "bad --speed" "--speed 'fast'" --speed fast
bad_input "malformed --charge" "--charge 'still1': expected STILL=FEED:KG" --charge still1
bad_input "--charge of an unknown still" "unknown still 'still9'" \
	--charge still9=cassia-leaf:500
bad_input "--charge of an unknown feedstock" "unknown feedstock 'cinnamon'" \
	--charge still1=cinnamon:500
bad_input "--charge with a bad mass" "the mass '-5' must be kg" --charge still1=cassia-leaf:-5
bad_input "bad --listen" "--listen 'localhost': expected HOST:PORT" --listen localhost
printf -- '- at: 40 minutes\n  fault: cooling_lost\n  for: 5 minutes\n- at: 50 minutes\n  fault: coolant_lost\n' \
	>"$TEST_LOG_DIR/bad-scenario.yaml"
bad_input "bad scenario: file:line:column" \
	"$TEST_LOG_DIR/bad-scenario.yaml:5:10: 'fault' must be one of" \
	--scenario "$TEST_LOG_DIR/bad-scenario.yaml"
bad_input "missing scenario file" "no-such.yaml: cannot open" --scenario "$TEST_LOG_DIR/no-such.yaml"

# --- a running plant at 1000x
port=$(free_port)
start_bg sim "$sim" -c "$cfg" --listen "127.0.0.1:$port" --speed 1000 \
	--charge still2=star-anise:200:11
wait_port "$port" 10
tap_check "logs what it bound to" wait_log sim "listening on 127.0.0.1:$port" 5
tap_check "still1 load cell: 500 kg" test "$(input_at 1 8)" = 500
tap_check "still2 load cell: 200 kg" test "$(input_at 2 8)" = 200
tap_check "status bit 3: charge loaded" status_has 1 8
temp0=$(signed "$(input_at 1 0)")
tap_check "still1 starts near ambient ($temp0 x0.1 C)" test "$temp0" -ge 100 -a "$temp0" -le 400
# (the field watchdog keeps a 500 ms wall floor: docs/MODEL.md)
wait_for "no heartbeat: status bit 1 (watchdog) set" 10 status_has 1 2
tap_check "unknown unit: gateway target exception" sh -c \
	"mbpoll -q -1 -0 -o 1 -p $port -a 99 -t 3 -r 0 127.0.0.1 2>&1 | grep -q 'Target device failed to respond'"

# steam on with the watchdog off (no client can feed it at 1000x)
mb_write 247 108 1
mb_write 1 0 1000 1000
tap_check "holding registers read back" test "$(mb_read 1 4 0 2 | tr '\n' ' ')" = "1000 1000 "
wait_for "steam open: still temperature above 60 C" 20 input_at_least 1 0 600
wait_for "steam valve position reaches 100 %" 10 input_at_least 1 9 1000
wait_for "oil in the receiver (32-bit, high word first)" 30 sh -c \
	"mbpoll -q -1 -0 -o 1 -p $port -a 1 -t 3:int -B -r 6 127.0.0.1 | grep -q '^\[6\]:[[:space:]]*[1-9]'"

# faults through the control unit
mb_write 247 102 1
wait_for "blocked vapour line: pressure above 30 kPa" 10 input_at_least 1 2 300
wait_for "relief valve lifts: status bit 0" 10 status_has 1 1
mb_write 247 109 1
tap_check "clear: the fault registers read 0" holding_is 247 102 0
mb_write 247 108 1
wait_for "cleared: pressure back below 10 kPa" 20 input_below 1 2 100
mb_write 247 141 1
wait_for "broken vapour sensor: status bit 2" 5 status_has 1 4
tap_check "broken vapour sensor reads below range" input_below 1 1 -200
mb_write 247 141 0
wait_for "sensor repaired: status bit 2 clear" 5 status_lacks 1 4
mb_write 247 205 3
tap_check "exception fault: still2 answers 'Illegal data value'" sh -c \
	"mbpoll -q -1 -0 -o 1 -p $port -a 2 -t 3 -r 0 127.0.0.1 2>&1 | grep -q 'Illegal data value'"
tap_check "still1 unaffected" test "$(input_at 1 8)" = 500
mb_write 247 205 0
mb_write 247 211 450 0
mb_write 247 210 2
tap_check "load charge: 450 kg of feed 2 in still2" test "$(input_at 2 8)" = 450
tap_check "control unit: charges loaded in still2 = 2" holding_is 247 281 2
tap_check "control unit: simulated time advances" test "$(mb_read 247 4 0 1 -t 4:int -B)" -gt 0
stop_bg sim
tap_check "SIGTERM: exit 0" test $? -eq 0

# --- a scenario file drives the faults
cat >"$TEST_LOG_DIR/scenario.yaml" <<'YAML'
- at: 5 min
  still: still1
  fault: cooling_lost
  for: 60 min
- at: 0 s
  still: still2
  fault: exception
  code: 2
YAML
port=$(free_port)
start_bg scen "$sim" -c "$cfg" --listen "127.0.0.1:$port" --speed 1000 \
	--scenario "$TEST_LOG_DIR/scenario.yaml"
wait_port "$port" 10
tap_check "scenario: logs its events" wait_log scen "3 events" 5
tap_check "scenario: still2 answers exception 2" sh -c \
	"mbpoll -q -1 -0 -o 1 -p $port -a 2 -t 3 -r 0 127.0.0.1 2>&1 | grep -q 'Illegal data address'"
mb_write 247 108 1
mb_write 1 1 1000
# 5 min of simulated time is 0.3 s of wall time, the fault lasts 3.6 s
wait_for "scenario: cooling_lost set on the control unit" 5 holding_is 247 103 1
tap_check "scenario: cooling flow reads 0" test "$(input_at 1 4)" = 0
wait_for "scenario: the fault ends after 60 min" 10 input_at_least 1 4 100
stop_bg scen
tap_check "SIGTERM: exit 0" test $? -eq 0
