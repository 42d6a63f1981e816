#!/bin/sh
# stillroom-sim against a pymodbus client (Debian's python3-pymodbus):
# physics, faults through the control unit, several clients at once, clients
# that vanish or never read, a burst of connections while it cannot accept,
# the connection cap, the field watchdog, a clean
# exit on SIGTERM. The checks are in sim_client.py beside this file.
. "$(dirname "$0")/../lib.sh"
here=$(dirname "$0")
sim=$BUILD/stillroom-sim

# client PORT CHECK [ARG...]: one check of sim_client.py
client() {
	"$PYTHON" "$here/sim_client.py" "$@"
}

if ! "$PYTHON" -c 'import pymodbus' 2>/dev/null; then
	tap_skip "pymodbus checks" "no pymodbus for $PYTHON (apt-get install python3-pymodbus)"
	exit 0
fi

# A fast plant for everything but the watchdog.
port=$(free_port)
start_bg fast "$sim" -c config/plant.yaml --listen "127.0.0.1:$port" --speed 1000 \
	--charge still2=cassia-bark:300
if wait_port "$port" 10; then
	tap_ok "simulator listens on 127.0.0.1:$port"
else
	tap_fail "simulator listens on 127.0.0.1:$port"
	exit 1
fi
tap_check "charges, status bits, unit routing, exceptions" client "$port" basics 300
tap_check "write single, multiple, mask, write-and-read" client "$port" write-kinds
tap_check "steam and cooling open: the charge heats" client "$port" heat
tap_check "oil reaches the receiver (32-bit counter)" client "$port" oil
tap_check "injected cooling loss: no flow, hot distillate; clear" client "$port" cooling-lost
tap_check "exception, late reply, silence, dropped connection" client "$port" comm-faults 2
tap_check "load charge through the control unit" client "$port" load-charge
tap_check "8 clients at once" client "$port" many-clients 8 3
tap_check "clients that connect and vanish" client "$port" vanish
tap_check "a burst of 48 connections while the simulator is stopped: none times out" \
	client "$port" burst 48 "$(bg_pid fast)"
tap_check "a client that never reads does not stall the model" client "$port" slow-client 1000
tap_check "connections past the cap are refused, then served again" client "$port" cap 264
tap_check "simulator still running" bg_alive fast
stop_bg fast
tap_check "SIGTERM: clean exit 0" test $? -eq 0
tap_check "the log says what it bound to" grep -q "listening on 127.0.0.1:$port" \
	"$TEST_LOG_DIR/fast.log"

# The field watchdog needs a speed at which a client can feed it: at 20x
# the heartbeat must change every 100 ms of wall time.
port=$(free_port)
start_bg slow "$sim" -c config/plant.yaml --listen "127.0.0.1:$port" --speed 20
wait_port "$port" 10
tap_check "heartbeat fed keeps steam; stopped trips the watchdog" client "$port" heartbeat
stop_bg slow
tap_check "SIGTERM at 20x: clean exit 0" test $? -eq 0
