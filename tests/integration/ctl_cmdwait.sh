#!/bin/sh
# ctl_cmdwait: a command waiting for a slow disk never stalls another
# client, and its reply says exactly one of: done and recorded (ok, CLI
# exit 0) / done, not yet recorded (ok unrecorded, CLI exit 3) / refused
# (err, CLI exit 1). The slow disk is honest: another process holds an
# EXCLUSIVE SQLite lock on the database (BEGIN EXCLUSIVE), so the
# journal's commits wait on it as they would on a stalled disk.
#   - while client A's hold waits on the blocked commit, client B's
#     status answers, shows the hold carried out, and A has still no
#     reply (B answered first: no time is measured);
#   - A's reply is "done, not yet recorded"; the CLI says so on one line
#     and exits 3; a refusal exits 1 and is audited as refused;
#   - once the lock goes, the trail has each carried-out command by its
#     operator and no refusal for them, and the wire agrees (steam_cmd).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

LOCK_FLAG="$TEST_LOG_DIR/lock.held"
plant_config "$CTL_FROZEN_OFF"
plant_long_recipe
plant_start_sim
plant_start_daemon || tap_fail "daemon starts"
b=$(plant_batch still1 long-leaf)
[ -n "$b" ] && tap_ok "batch $b runs on still1" || tap_fail "batch starts on still1"
steam_open_on_wire() { test "$(plant_mb_read 1 4 0)" -gt 0; }
wait_for "steam is commanded open on the wire" 20 steam_open_on_wire

# lock_db: holds an EXCLUSIVE lock on the database until $LOCK_FLAG goes.
lock_db() {
	rm -f "$LOCK_FLAG"
	start_bg locker "$PYTHON" -c 'import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
while os.path.exists(sys.argv[2]):
    time.sleep(0.05)
c.execute("ROLLBACK")' "$PLANT_DB" "$LOCK_FLAG"
	wait_file "$LOCK_FLAG" 60
}
unlock_db() {
	rm -f "$LOCK_FLAG"
	stop_bg locker 10 >/dev/null 2>&1
}

lock_db && tap_ok "another process holds an EXCLUSIVE lock on the database" ||
	tap_fail "another process holds an EXCLUSIVE lock on the database"

# A sends hold; B asks for status until it shows the hold carried out,
# then looks whether A has a reply yet.
"$PYTHON" - "$PLANT_SOCK" >"$TEST_LOG_DIR/race.out" 2>&1 <<'EOF'
import select, socket, sys, time
sys.path.insert(0, "tests/integration")
from sock_talk import talk
path = sys.argv[1]
a = socket.socket(socket.AF_UNIX)
a.connect(path)
a.sendall(b"hold still1 operator=holder\n")
first = None
for _ in range(600):
    try:
        reply = talk(path, "status").decode()
    except OSError as e:
        first = "A (status did not answer: %s)" % e
        break
    line = [l for l in reply.splitlines() if "name=still1" in l][0]
    if " state=holding " in line or " state=held " in line:
        waiting = not select.select([a], [], [], 0)[0]
        first = "B" if waiting else "A"
        break
    time.sleep(0.02)
print("first:", first)
a.settimeout(30)
buf = b""
while not buf.endswith(b"\n") or not (buf.rstrip(b"\n").split(b"\n")[-1][:2] in (b"ok", b"er")):
    data = a.recv(4096)
    if not data:
        break
    buf += data
print("reply:", buf.decode().strip())
EOF
tap_note "$(cat "$TEST_LOG_DIR/race.out")"
tap_check "B's status answers while A's hold waits on the blocked commit" \
	grep -qx "first: B" "$TEST_LOG_DIR/race.out"
tap_check "A's reply: done, not yet recorded" \
	grep -q "^reply: ok unrecorded hold still1: done, not yet recorded" "$TEST_LOG_DIR/race.out"
# One connection keeps its order: a status sent behind a parked command
# is answered after it. A client that hangs up while parked is forgotten.
"$PYTHON" - "$PLANT_SOCK" >"$TEST_LOG_DIR/order.out" 2>&1 <<'EOF'
import socket, sys
path = sys.argv[1]
gone = socket.socket(socket.AF_UNIX)
gone.connect(path)
gone.sendall(b"hold still2 operator=gone\n")
gone.close()
c = socket.socket(socket.AF_UNIX)
c.connect(path)
c.settimeout(30)
c.sendall(b"ack still2 operator=piper\nstatus\n")
finals, buf = [], b""
while len(finals) < 2:
    data = c.recv(65536)
    if not data:
        break
    buf += data
    *lines, buf = buf.split(b"\n")
    finals += [l.decode()[:40] for l in lines if l[:3] in (b"ok ", b"err")]
print("finals:", " | ".join(finals))
EOF
tap_note "$(cat "$TEST_LOG_DIR/order.out")"
tap_check "a status behind a parked command on the same connection comes after it" \
	grep -q "^finals: .* | ok 2 stills" "$TEST_LOG_DIR/order.out"
tap_check "the daemon still answers after a parked client hung up" sr status
steam_shut() { test "$(plant_mb_read 1 4 0)" = 0; }
wait_for "the hold is on the wire: steam_cmd 0" 20 steam_shut

out=$(sr_op restarter restart still1)
rc=$?
tap_note "restart: exit $rc: $out"
[ $rc -eq 3 ] && tap_ok "CLI: restart done, not yet recorded exits 3" ||
	tap_fail "CLI: restart done, not yet recorded exits 3 (exit $rc)"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "done, not yet recorded" &&
	tap_ok "CLI: says so in one line" || tap_fail "CLI: says so in one line: $out"
wait_for "the restart is carried out: steam commanded again" 20 steam_open_on_wire
out=$(sr_op refuser restart still2 2>&1)
rc=$?
[ $rc -eq 1 ] && echo "$out" | grep -q "refused" &&
	tap_ok "CLI: a refusal exits 1 and says refused: $out" ||
	tap_fail "CLI: a refusal exits 1 and says refused (exit $rc): $out"

unlock_db
out=$(sr_op recorder hold still1)
rc=$?
[ $rc -eq 0 ] && [ "$out" = "hold still1" ] && tap_ok "CLI: done and recorded exits 0: $out" ||
	tap_fail "CLI: done and recorded exits 0 (exit $rc): $out"
tap_check "the recorded hold is in the trail at once" sh -c \
	"sqlite3 'file:$PLANT_DB?mode=ro' \"select count(*) from events where who = 'recorder' and kind = 'command' and what = 'hold'\" | grep -qx 1"
rows() { sqlite3 "file:$PLANT_DB?mode=ro" "select count(*) from events where who = '$1' and kind = 'command' and what = '$2' and coalesce(new_value, '') $3"; }
landed() { test "$(rows holder hold "<> 'refused'")" = 1 && test "$(rows restarter restart "<> 'refused'")" = 1; }
wait_for "the unrecorded hold and restart land in the trail by their operators" 20 landed
tap_check "neither is audited as refused" sh -c \
	"test \"\$(sqlite3 'file:$PLANT_DB?mode=ro' \"select count(*) from events where who in ('holder', 'restarter') and new_value = 'refused'\")\" = 0"
wait_for "the refusal is audited as refused" 20 sh -c \
	"test \"\$(sqlite3 'file:$PLANT_DB?mode=ro' \"select count(*) from events where who = 'refuser' and new_value = 'refused'\")\" = 1"
wait_for "the wire agrees with the last recorded command (hold): steam_cmd 0" 20 steam_shut
plant_finish still1
