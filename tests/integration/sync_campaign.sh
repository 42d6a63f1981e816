#!/bin/sh
# sync_campaign: the fault campaign of issue 16 (docs/ALLIANCE.md, "Tests
# and figures"). A real plant (stillroom-sim + stillroomd at --speed 1000,
# batches back to back on still1 by a producer loop) ships its records
# with the real stillroom-sync into a throwaway PostgreSQL (tests/pg.sh)
# through a proxy the test controls (tests/integration/sync_flap.py).
# Cases, each ending with a row-by-row comparison of every central table
# against every plant's database (central_equal) and a chain verification
# (the plant's `audit verify`, the central events equal to the plant's,
# hashes included, and no chain fault recorded for a sound plant):
#   1. PostgreSQL down while the plant runs (short: 20 s wall, 5.5 plant
#      hours; SOAK=1: 173 s wall, two plant days at 1000x), then back: the
#      running sync catches up by itself
#   2. the sync killed with SIGKILL at random points (5; SOAK=1: 20),
#      restarted each time
#   3. a link that flaps (up 3 s, down 2 s) while the plant runs
#   4. a duplicate replay of everything shipped (the plant-side state file
#      removed and the central position rewound): nothing lands twice
#   5. a plant with a tampered audit row: refused, a chain_faults row, the
#      rows before it land, none from it on
#   6. two plants with the same local ids (the second a copy of the
#      first's database under another name): both land, distinct by plant
# Nothing lost, nothing duplicated, the tamper refused.
# SYNC=PATH: the stillroom-sync to use (default $BUILD/stillroom-sync).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/pg.sh

SPEED=1000
SOAK=${SOAK:-0}
if [ "$SOAK" = 1 ]; then
	DOWN_S=173 KILLS=20 FLAP_S=40
else
	DOWN_S=20 KILLS=5 FLAP_S=12
fi
SYNC=${SYNC:-"$BUILD/stillroom-sync"}

if [ ! -x "$SYNC" ]; then
	tap_skip "sync fault campaign" "$SYNC is not built"
	exit 0
fi

# ---- the central side ------------------------------------------------------

pg_start || { tap_fail "PostgreSQL starts"; exit 1; }
PROXY_PORT=$(free_port)
ADMIN="host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres"

# central_init: the schema (idempotent, from north's tables), a role per
# plant used here
central_init() {
	"$SYNC" -c "$NORTH" --init-central --conninfo "$ADMIN" &&
	for _p in north south west; do
		pg_sql "CREATE ROLE $_p LOGIN IN ROLE stillroom_plant" || return 1
	done
}

# sync_conf NAME DB: a config for plant NAME on database DB, shipping
# through the proxy; prints its path
sync_conf() {
	_c="$TEST_LOG_DIR/$1.yaml"
	sed -e "s#^\( *database:\).*#\1 $2#" "$PLANT_CONF" >"$_c"
	cat >>"$_c" <<EOF
sync:
  postgres: "host=127.0.0.1 port=$PROXY_PORT dbname=postgres user=$1 connect_timeout=2"
  plant: $1
  state: $TEST_LOG_DIR/$1.state
  poll_s: 0.2
EOF
	echo "$_c"
}

# the proxy: steady (up for a day) unless a case makes it flap
proxy_steady() {
	stop_bg proxy 5 >/dev/null 2>&1
	start_bg proxy "$PYTHON" tests/integration/sync_flap.py "$PROXY_PORT" \
		"$PGPORT" 86400 1
	wait_port "$PROXY_PORT" 10
}

# ---- the plant ---------------------------------------------------------------

# a sample every 20 plant seconds (at 1000x: 100 a wall second for the
# two stills), so that the comparisons stay short on a loaded machine
plant_config 's/^historian_ms: .*/historian_ms: 20000/'
plant_start_sim
plant_start_daemon
NORTH=$(sync_conf north "$PLANT_DB")
tap_check "the central schema is made (stillroom-sync --init-central)" central_init

# producer: batches back to back on still1 until stopped
producer() {
	_i=0
	while :; do
		_i=$((_i + 1))
		plant_batch still1 quick-leaf 300 >/dev/null 2>&1 || sleep 0.2
		_poll 20 field_has still1 state 'complete|stopped|aborted' ||
			sr stop still1 >/dev/null 2>&1
		sr reset still1 >/dev/null 2>&1
	done
}
start_bg producer producer
proxy_steady

# quiesce: the producer and the daemon stopped (the plant's database then
# stands still), the running sync stopped
quiesce() {
	stop_bg producer 5 >/dev/null 2>&1
	stop_bg sync 20 >/dev/null 2>&1
	stop_bg daemon 20 >/dev/null 2>&1
}

# resume: the daemon and the producer again, the sync running
resume() {
	plant_start_daemon
	sr reset still1 >/dev/null 2>&1
	start_bg producer producer
	start_bg sync "$SYNC" -c "$NORTH"
}

# central_equal PLANT DB: every table of DB equals the central rows of
# PLANT, row by row (tests/sync_cmp.py: per table count and a diff)
central_equal() {
	"$PYTHON" tests/sync_cmp.py "$2" "$1"
}

# chain_ok PLANT DB: the plant's chain verifies and no chain fault is
# recorded centrally for it
chain_ok() {
	"$BUILD/stillroom" -c "$NORTH" --db "$2" audit verify &&
		test "$(pg_sql "SELECT count(*) FROM chain_faults WHERE plant = '$1'")" = 0
}

# stamp WHAT: a note of the seconds since the start
T0=$(_now_s)
stamp() { tap_note "$1 at $(($(_now_s) - T0)) s"; }

# settle DESC: quiesce, ship the rest with --once, compare, verify the chain
settle() {
	stamp "$1: settling"
	quiesce
	stamp "$1: quiet"
	if "$SYNC" -c "$NORTH" --once >"$TEST_LOG_DIR/once.out" 2>&1; then
		tap_ok "$1: --once ships the rest and exits 0"
	else
		tap_fail "$1: --once exits non-zero: $(tail -n 1 "$TEST_LOG_DIR/once.out")"
	fi
	tap_check "$1: every central table equals the plant's, row by row" \
		central_equal north "$PLANT_DB"
	tap_check "$1: the chain verifies at the plant, no chain fault centrally" \
		chain_ok north "$PLANT_DB"
	stamp "$1: done"
}

# rows: how many rows of the plant the centre holds
rows() { pg_sql "SELECT count(*) FROM events WHERE plant = '${1:-north}'"; }

# ---- 1. PostgreSQL down for plant days ----------------------------------------

start_bg sync "$SYNC" -c "$NORTH"
wait_for "the running sync ships the first events" 60 sh -c \
	"test \"\$(psql -X -A -t -c \"SELECT count(*) FROM events WHERE plant = 'north'\")\" -gt 0"
before=$(rows)
pg_pid=$(bg_pid pg)
kill -INT "$pg_pid" && _reap "$pg_pid" 20
eval "_bg_pid_pg="
tap_note "PostgreSQL down for $DOWN_S s wall ($((DOWN_S * SPEED / 3600)) plant hours)"
sleep "$DOWN_S"
# (a slow machine or ASan runs the plant slower than SPEED: give it time)
wait_for "the plant ran on while PostgreSQL was down (batches ended)" 90 sh -c \
	"test \"\$(sqlite3 'file:$PLANT_DB?mode=ro' \"select count(*) from batches where state in ('complete','stopped')\")\" -gt 1"
tap_check "the sync is still running after the outage" bg_alive sync
_pg_run pg
wait_for "the running sync catches up by itself (more events centrally)" 120 sh -c \
	"test \"\$(psql -X -A -t -c \"SELECT count(*) FROM events WHERE plant = 'north'\")\" -gt $before"
settle "PostgreSQL down"

# ---- 2. SIGKILL at random points ------------------------------------------------

resume
k=0
while [ "$k" -lt "$KILLS" ]; do
	k=$((k + 1))
	# 0.3 .. 2.3 s into a run: mid-transaction, mid-COPY or idle
	sleep "$(awk -v s="$$$k" 'BEGIN { srand(s); printf "%.2f", 0.3 + 2 * rand() }')"
	kill -KILL "$(bg_pid sync)" 2>/dev/null
	wait "$(bg_pid sync)" 2>/dev/null
	eval "_bg_pid_sync="
	start_bg sync "$SYNC" -c "$NORTH"
done
tap_ok "the sync was killed with SIGKILL $KILLS times and restarted"
settle "SIGKILL x $KILLS"

# ---- 3. a flapping link ------------------------------------------------------------

stop_bg proxy 5
start_bg proxy "$PYTHON" tests/integration/sync_flap.py "$PROXY_PORT" "$PGPORT" 3 2
resume
sleep "$FLAP_S"
flaps=$(grep -c '^down' "$TEST_LOG_DIR/proxy.log")
tap_check "the link dropped $flaps times" test "$flaps" -ge 2
stop_bg producer 5
proxy_steady
settle "a flapping link"

# ---- 4. a duplicate replay ------------------------------------------------------------

n_before=$(rows)
rm -f "$TEST_LOG_DIR/north.state"
pg_sql "DELETE FROM sync_position WHERE plant = 'north'" >/dev/null
if "$SYNC" -c "$NORTH" --once >"$TEST_LOG_DIR/replay.out" 2>&1; then
	tap_ok "a replay of everything from the start: --once exits 0"
else
	tap_fail "a replay: --once exits non-zero: $(tail -n 1 "$TEST_LOG_DIR/replay.out")"
fi
tap_check "the replay added no event ($n_before before)" test "$(rows)" = "$n_before"
tap_check "replay: every central table equals the plant's, row by row" \
	central_equal north "$PLANT_DB"

# ---- 5. a tampered row ------------------------------------------------------------------

WEST_DB="$TEST_LOG_DIR/west.db"
sqlite3 "file:$PLANT_DB?mode=ro" ".backup '$WEST_DB'"
mid=$(sqlite3 "$WEST_DB" "select id from events order by id limit 1 offset (select count(*) / 2 from events)")
sqlite3 "$WEST_DB" "drop trigger events_no_update;
	update events set text = coalesce(text, '') || ' (edited)' where id = $mid" ||
	tap_fail "the copy is tampered"
WEST=$(sync_conf west "$WEST_DB")
if "$SYNC" -c "$WEST" --once >"$TEST_LOG_DIR/west.out" 2>&1; then
	tap_fail "a tampered plant: --once exits 0"
else
	tap_ok "a tampered plant: --once refuses ($(tail -n 1 "$TEST_LOG_DIR/west.out"))"
fi
tap_check "the fault is recorded centrally (chain_faults)" test \
	"$(pg_sql "SELECT count(*) FROM chain_faults WHERE plant = 'west'")" -ge 1
tap_check "no event from the edited row on landed" test \
	"$(pg_sql "SELECT count(*) FROM events WHERE plant = 'west' AND id >= $mid")" = 0
tap_check "north's rows are untouched by west's fault" \
	central_equal north "$PLANT_DB"

# ---- 6. two plants with the same local ids --------------------------------------------

SOUTH_DB="$TEST_LOG_DIR/south.db"
sqlite3 "file:$PLANT_DB?mode=ro" ".backup '$SOUTH_DB'"
SOUTH=$(sync_conf south "$SOUTH_DB")
tap_check "south (north's ids) ships: --once exits 0" "$SYNC" -c "$SOUTH" --once
tap_check "south: every central table equals its database, row by row" \
	central_equal south "$SOUTH_DB"
tap_check "north: still equal, row by row" central_equal north "$PLANT_DB"
tap_check "the same local ids, two rows each, distinct by plant" test \
	"$(pg_sql "SELECT count(*) FROM events n JOIN events s ON s.id = n.id
	  AND s.plant = 'south' WHERE n.plant = 'north'")" = "$(rows north)"
tap_check "south's chain verifies, no chain fault" chain_ok south "$SOUTH_DB"

stop_bg proxy 5
pg_stop
