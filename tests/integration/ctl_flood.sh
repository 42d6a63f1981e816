#!/bin/sh
# Fault campaign 14, 15 (a console killed mid-command) and 16. An alarm flood: a pressure transmitter whose
# loop breaks and recovers 30 times in a process minute; every transition
# is in the audit trail, the alarm ends in the right state, the flood is
# entered once and counted, the record verifies. And everything binds to
# loopback: the simulator does not answer on another address.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
SPEED=10
. tests/plant.sh

plant_config
plant_start_sim
plant_start_daemon
wait_for "still1 is up" 10 field_is still1 comm ok
sr ack still1 >/dev/null 2>&1   # the simulator's start-up watchdog alarm

# sensor_broken of tag 2 (pressure) is offset 40 + 2 in still1's block
"$PYTHON" - "$PLANT_PORT" <<'PY'
import sys, time
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1]))
c.connect()
reg = 100 * 1 + 40 + 2
for i in range(30):                  # 30 onsets in 6 s wall = 1 process min
    c.write_register(reg, 1, slave=247)
    time.sleep(0.1)
    c.write_register(reg, 0, slave=247)
    time.sleep(0.1)
c.close()
PY
sleep 0.5
onsets=$(sqlite3 "$PLANT_DB" "select count(*) from events where still = 'still1'
	and kind = 'alarm' and what = 'sensor_pressure' and new_value = 'unack'
	and old_value in ('normal', 'rtn_unack')")
[ "$onsets" -ge 25 ] && tap_ok "the audit trail has every onset ($onsets of 30)" ||
	tap_fail "the audit trail has every onset ($onsets of 30)"
tap_check "status counts them in the last 10 minutes" field_above still1 alarms_10min 24
tap_check "the flood was entered and counted once" sh -c \
	"test \"\$(sqlite3 '$PLANT_DB' \"select count(*) from events where what = 'flood' and new_value = 'flood'\")\" = 1"
tap_check "status shows the flood" field_is still1 alarm_floods 1
wait_for "the transmitter's alarm ends back to normal, unacknowledged" 10 \
	alarm_is still1 sensor_pressure rtn_unack
tap_check "ack all clears it" sr ack still1
tap_check "the record verifies after the flood" sr audit verify
tap_check "integrity_check ok" sh -c "sqlite3 '$PLANT_DB' 'PRAGMA integrity_check' | grep -qx ok"

# 15: a console killed mid-command: it sends and vanishes before the
# reply; another leaves half a line. The daemon carries on, the command
# that arrived whole is in the record, the half line is not acted on.
"$PYTHON" - "$PLANT_SOCK" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"ack still1 operator=ghost\n"); s.close()
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"hold still1 operator=half"); s.close()
PY
sleep 0.5
tap_check "the daemon still answers after consoles vanished mid-command" sr status
tap_check "the command that arrived whole is in the audit trail" sh -c \
	"test \$(sqlite3 '$PLANT_DB' \"select count(*) from events where who = 'ghost'\") -ge 1"
tap_check "the half line was not acted on" sh -c \
	"test \$(sqlite3 '$PLANT_DB' \"select count(*) from events where who = 'half'\") -eq 0"

# 16: loopback only
refused() {
	"$PYTHON" -c 'import socket, sys
try:
    socket.create_connection(("127.0.0.2", int(sys.argv[1])), timeout=2)
except OSError:
    sys.exit(0)
sys.exit(1)' "$PLANT_PORT"
}
tap_check "the simulator is not reachable on 127.0.0.2 (bound to 127.0.0.1 only)" refused
tap_check "the log says what it bound to" grep -q "listening on 127.0.0.1:$PLANT_PORT" "$TEST_LOG_DIR/sim.log"
tap_check "ss sees the simulator listening (the check below can see)" sh -c \
	"ss -ltnp | grep -q 'pid=$(bg_pid sim),'"
tap_check "the daemon listens on no TCP port" sh -c \
	"! ss -ltnp | grep -q 'pid=$(bg_pid daemon),'"
