#!/bin/sh
# rec_crash: the batch record survives SIGKILL. A cassia-leaf batch runs on
# the simulator while a stream of operator commands (hold, restart, answer,
# ack, reset, lot-add, each with its own operator name) goes to the daemon,
# and the daemon is killed with SIGKILL: 5 times, 50 with SOAK=1. Odd kills
# come at a random moment; even ones the instant the stream reads its N-th
# ok reply (N random), where a daemon that answered before its commit would
# lose the command. For those, every pwrite of the daemon starts 3 ms late
# (strace fault injection), as on a slow disk: on a RAM-backed /tmp a commit
# is so quick that no kill would land between it and a premature reply.
# (A commit is safe from SIGKILL once write() returns, so slowing fsync
# would not do; with the delay, a daemon changed to reply before its
# commit fails this test.)
# After each kill:
#   - the crash image (the database and its WAL exactly as the kill left
#     them, copied aside) passes PRAGMA integrity_check and holds the audit
#     row of every command whose reply was ok (tests/integration/rec_tool.py
#     records each request and reply);
#   - the restarted daemon puts the batch back as LOST, same id, steam shut,
#     and no other batch appears;
#   - `stillroom audit verify` passes;
#   - `restart` resumes the batch (running).
# At the end `stop` ends it and the whole log is checked once more.
#   SEED=N   the kill moments and command mix (printed; SEED=N repeats them)
# SIGKILL ends the process, not the machine: what the kernel had accepted
# from write() survives, so this proves the order "commit, then ok" and
# crash recovery, not fsync against a power cut.
cd "$(dirname "$0")/../.." || exit 2
# 10 ms wall ticks: comm_loss (5 missed ticks) is not a scheduling hiccup
SPEED=${SPEED:-20}
. tests/lib.sh
. tests/plant.sh

KILLS=5
[ "${SOAK:-0}" = 1 ] && KILLS=50
SEED=${SEED:-$(($(date +%s) % 100000))}
ACKS="$TEST_LOG_DIR/cli.acks"
TOOL="tests/integration/rec_tool.py"
tap_note "seed $SEED, $KILLS kills (SEED=$SEED sh $0 repeats them)"

# rnd I LO HI: a number from LO to HI, fixed by the seed and I.
rnd() {
	awk -v s="$SEED" -v i="$1" -v lo="$2" -v hi="$3" \
		'BEGIN { srand(s * 1000 + i); printf "%.3f\n", lo + rand() * (hi - lo) }'
}


# all_logs: every request log so far.
all_logs() {
	echo "$ACKS"
	ls "$TEST_LOG_DIR"/stream*.log 2>/dev/null
}

field_is() { test "$(sr_field "$1" "$2")" = "$3"; }

# resume OPERATOR: restart still1 as an operator would: when an interlock
# latched while the daemon was away (comm_loss), acknowledge and reset it
# first. Output and status of the restart.
resume() {
	cli_logged "$1" restart restart still1 && return 0
	cli_logged "$1-ack" ack ack still1 >/dev/null
	cli_logged "$1-reset" reset reset still1 >/dev/null
	cli_logged "$1-again" restart restart still1
}

# lost_as_before: still1 is lost with batch $BATCH and steam commanded shut.
lost_as_before() {
	sr status --json | "$PYTHON" -c 'import json, sys
s = [s for s in json.load(sys.stdin)["stills"] if s["name"] == "still1"][0]
want = {"state": "lost", "batch_id": int(sys.argv[1])}
got = {k: s[k] for k in want}
assert got == want, "still1 %s, not %s" % (got, want)
assert s["steam_cmd_pct"] == 0, "steam commanded %s %%" % s["steam_cmd_pct"]' "$BATCH"
}

# db_batch_is STATE: the database holds one batch, $BATCH, in STATE.
db_batch_is() {
	got=$(sqlite3 "file:$PLANT_DB?mode=ro" "select group_concat(id || ' ' || state) from batches")
	[ "$got" = "$BATCH $1" ] || {
		echo "batches: $got (want only $BATCH $1)"
		return 1
	}
}

# slow_disk I: every pwrite of the daemon starts 3 ms late from now on
# (strace attached as "slowI"); 1 when that cannot be done.
slow_disk() {
	command -v strace >/dev/null 2>&1 || return 1
	start_bg "slow$1" strace -f -qq -o /dev/null -p "$(bg_pid daemon)" \
		-e trace=pwrite64 -e inject=pwrite64:delay_enter=3000
	_poll 3 grep -q "^TracerPid:[[:space:]]*[1-9]" "/proc/$(bg_pid daemon)/status"
}

# image_ok DIR: PRAGMA integrity_check of the crash image in DIR is ok.
image_ok() {
	got=$(sqlite3 "$1/stillroom.db" 'PRAGMA integrity_check' 2>&1)
	[ "$got" = ok ] || {
		echo "integrity_check: $got"
		return 1
	}
}

plant_config
plant_start_sim
plant_start_daemon || tap_fail "daemon starts"

cli_logged setup-lot lot-add lot add L1 --feedstock cassia-leaf --mass 2000 \
	--grower "Hộ Trần Thị Bình" --origin "Trấn Yên" --moisture 11 >/dev/null
out=$(cli_logged setup-start start start still1 --recipe cassia-leaf --lot L1 --mass 500)
BATCH=$(echo "$out" | sed -n 's/^batch \([0-9][0-9]*\) started on still1$/\1/p')
if [ -n "$BATCH" ]; then
	tap_ok "batch $BATCH starts on still1"
else
	tap_fail "batch starts on still1: $out"
	exit 1
fi
prompt_waits() { sr_field still1 prompt | grep -q Condenser; }
wait_for "the batch's first prompt waits" 10 prompt_waits
cli_logged setup-answer answer answer still1 yes >/dev/null

in_flight=0
i=1
while [ "$i" -le "$KILLS" ]; do
	# still2's charge sensor broken on odd rounds, mended on even ones:
	# fresh alarms for the stream to acknowledge
	plant_sim_write 240 $((i % 2))
	stream="$TEST_LOG_DIR/stream$i.log"
	if [ $((i % 2)) -eq 1 ]; then
		start_bg "stream$i" "$PYTHON" "$TOOL" stream "$PLANT_SOCK" "$stream" \
			--tag "k$i" --seed "$SEED$i"
		delay=$(rnd "$i" 0.1 1.2)
		sleep "$delay"
		at="+$delay s"
	else
		n_ok=$(rnd "$i" 1 8 | cut -d. -f1)
		slow=", writes slowed"
		slow_disk "$i" || slow=", writes NOT slowed: no strace or no ptrace"
		start_bg "stream$i" "$PYTHON" "$TOOL" stream "$PLANT_SOCK" "$stream" \
			--tag "k$i" --seed "$SEED$i" --kill-after-ok "$n_ok" --pid "$(bg_pid daemon)"
		_poll 10 sh -c "! kill -0 $(bg_pid "stream$i") 2>/dev/null"
		at="the instant of ok $n_ok$slow"
	fi
	plant_kill_daemon
	_poll 5 sh -c "! kill -0 $(bg_pid "stream$i") 2>/dev/null"
	stop_bg "stream$i" 2
	[ -n "$(bg_pid "slow$i")" ] && stop_bg "slow$i" 2
	tail -n 1 "$stream" | grep -q '	lost	' && in_flight=$((in_flight + 1))

	# the crash image, before anything opens the database again
	img="$TEST_LOG_DIR/crash$i"
	mkdir -p "$img"
	cp "$PLANT_DB" "$img/stillroom.db"
	[ -f "$PLANT_DB-wal" ] && cp "$PLANT_DB-wal" "$img/stillroom.db-wal"
	tap_check "kill $i (at $at): the crash image passes integrity_check" \
		image_ok "$img"
	# shellcheck disable=SC2046
	tap_check "kill $i: every acknowledged command has its audit row in the crash image" \
		"$PYTHON" "$TOOL" check "$img/stillroom.db" $(all_logs)
	grep -q '^MISSING' "$TEST_LOG_DIR/check.$_tap_n.out" 2>/dev/null || tap_note "$(tail -n 1 "$TEST_LOG_DIR/check.$_tap_n.out")"

	plant_start_daemon
	wait_for "kill $i: the restarted daemon shows batch $BATCH lost on still1, steam shut" 10 \
		lost_as_before
	tap_check "kill $i: the database holds batch $BATCH as lost, no other batch" db_batch_is lost
	tap_check "kill $i: audit verify passes" sr audit verify
	if resume "k$i-resume" >"$TEST_LOG_DIR/resume$i.out" 2>&1; then
		wait_for "kill $i: restart resumes batch $BATCH" 10 field_is still1 state running
	else
		tap_fail "kill $i: restart resumes batch $BATCH: $(cat "$TEST_LOG_DIR/resume$i.out")"
	fi
	i=$((i + 1))
done
tap_note "$in_flight of $KILLS kills cut a command off before its reply"
tap_check "the stream itself killed the daemon on even rounds, right after an ok" sh -c \
	"test \$(cat '$TEST_LOG_DIR'/stream*.log | grep -c '^K	') -eq $((KILLS / 2))"

# The end: the batch stops; the whole record holds.
cli_logged end-stop stop stop still1 >/dev/null
wait_for "stop ends batch $BATCH" 20 field_is still1 state stopped
tap_check "the database holds batch $BATCH as stopped, with its end time" sh -c \
	"sqlite3 'file:$PLANT_DB?mode=ro' \"select state, ended_at is not null from batches\" | grep -qx 'stopped|1'"
# shellcheck disable=SC2046
tap_check "every acknowledged command of the campaign is in the audit trail" \
	"$PYTHON" "$TOOL" check "$PLANT_DB" $(all_logs)
tap_note "$(tail -n 1 "$TEST_LOG_DIR/check.$_tap_n.out")"
tap_check "the kills left operator commands in the trail (hold, restart, ack, lot)" sh -c \
	"sqlite3 'file:$PLANT_DB?mode=ro' \"select count(distinct case kind when 'lot' then 'lot' else what end) from events where who glob 'k[0-9]*-[0-9]*' and ((kind = 'command' and what in ('hold', 'restart', 'ack')) or kind = 'lot')\" | grep -qx 4"
tap_check "every audit row says who: the operator or the controller" who_ok
tap_check "audit verify passes at the end" sr audit verify
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
