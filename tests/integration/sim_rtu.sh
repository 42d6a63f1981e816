#!/bin/sh
# stillroom-sim as a Modbus RTU slave on a serial line: a socat pty pair,
# the simulator on one end (--rtu), mbpoll -m rtu on the other. Several
# unit ids on one bus, faults, line noise, TCP served at the same time.
. "$(dirname "$0")/../lib.sh"
sim=$BUILD/stillroom-sim

if ! command -v socat >/dev/null 2>&1; then
	tap_skip "RTU checks" "no socat (apt-get install socat)"
	exit 0
fi

start_bg socat socat -d -d pty,raw,echo=0 pty,raw,echo=0
wait_for "socat made a pty pair" 10 sh -c \
	"[ \$(grep -c 'PTY is' '$TEST_LOG_DIR/socat.log') -eq 2 ]" || exit 1
sim_tty=$(sed -n 's/.*PTY is \(.*\)$/\1/p' "$TEST_LOG_DIR/socat.log" | sed -n 1p)
cli_tty=$(sed -n 's/.*PTY is \(.*\)$/\1/p' "$TEST_LOG_DIR/socat.log" | sed -n 2p)

port=$(free_port)
start_bg sim "$sim" -c config/plant.yaml --listen "127.0.0.1:$port" --speed 1000 \
	--rtu "$sim_tty" --baud 19200 --parity E --charge still2=cassia-bark:300
wait_port "$port" 10
tap_check "logs the RTU device and framing" wait_log sim "serving Modbus RTU on $sim_tty at 19200 8E1" 5

# rtu_read UNIT TABLE ADDR COUNT: the values, one a line.
rtu_read() {
	mbpoll -m rtu -b 19200 -P even -d 8 -s 1 -q -1 -0 -o 1 -a "$1" -t "$2" -r "$3" -c "$4" \
		"$cli_tty" | sed -n 's/^\[[0-9]*\]:[[:space:]]*\([0-9-]*\).*/\1/p'
}

rtu_write() { # UNIT ADDR VALUE...
	_u=$1 _a=$2
	shift 2
	mbpoll -m rtu -b 19200 -P even -d 8 -s 1 -q -0 -o 1 -a "$_u" -t 4 -r "$_a" \
		"$cli_tty" "$@" >/dev/null
}

rtu_fails_with() { # TEXT UNIT: a read of UNIT fails, saying TEXT
	mbpoll -m rtu -b 19200 -P even -q -1 -0 -o 1 -a "$2" -t 3 -r 0 "$cli_tty" 2>&1 |
		grep -q "$1"
}

temp_at_least() { # UNIT MIN (0.1 C)
	_v=$(rtu_read "$1" 3 0 1) && [ -n "$_v" ] && [ "$_v" -ge "$2" ] && [ "$_v" -lt 32768 ]
}

tap_check "RTU unit 1: load cell 500 kg" test "$(rtu_read 1 3 8 1)" = 500
tap_check "RTU unit 2: load cell 300 kg" test "$(rtu_read 2 3 8 1)" = 300
tap_check "RTU control unit 247: 2 stills" test "$(rtu_read 247 4 3 1)" = 2
tap_check "RTU unknown unit 99: no reply" rtu_fails_with "timed out" 99
rtu_write 247 108 1
rtu_write 1 0 1000 1000
tap_check "RTU write read back" test "$(rtu_read 1 4 0 2 | tr '\n' ' ')" = "1000 1000 "
wait_for "RTU: steam open, still1 above 60 C" 20 temp_at_least 1 600
rtu_write 247 205 4
tap_check "RTU exception fault: unit 2 answers 'Slave device or server failure'" \
	rtu_fails_with "Slave device or server failure" 2
rtu_write 247 205 0
rtu_write 247 207 1
tap_check "RTU silent fault: no reply" rtu_fails_with "timed out" 2
rtu_write 247 207 0
tap_check "RTU: unit 2 answers again" test "$(rtu_read 2 3 8 1)" = 300
printf '\001\003\377\377\377garbage on the line\n' >"$cli_tty"
sleep 0.3
tap_check "RTU: served after line noise" test "$(rtu_read 1 3 8 1)" = 500
tap_check "TCP served beside RTU" sh -c \
	"mbpoll -q -1 -0 -o 1 -p $port -a 1 -t 3 -r 8 127.0.0.1 | grep -q '^\[8\]:[[:space:]]*500'"

# cpu_ticks PID: user + system clock ticks the process has used
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
stop_bg socat
sleep 0.5
t0=$(cpu_ticks "$(bg_pid sim)")
sleep 1
t1=$(cpu_ticks "$(bg_pid sim)")
tap_check "the line hung up: no busy loop ($((t1 - t0)) ticks in 1 s)" test $((t1 - t0)) -lt 15
tap_check "TCP still served after the line hung up" sh -c \
	"mbpoll -q -1 -0 -o 1 -p $port -a 1 -t 3 -r 8 127.0.0.1 | grep -q '^\[8\]:[[:space:]]*500'"
stop_bg sim
tap_check "SIGTERM: exit 0" test $? -eq 0
