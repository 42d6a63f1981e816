#!/bin/sh
# sync_basic: stillroom-sync ships a plant's record into a real PostgreSQL
# 15 (tests/pg.sh) and the centre holds it row for row (issue 16). A real
# plant (stillroomd + simulator) runs two batches (lots, weighings, drum
# fills); `stillroom-sync --once` ships while the daemon runs and again
# after it stops; tests/sync_cmp.py finds every table equal; a second
# --once ships nothing; a central batch row changed behind the sync's
# back is seen by sync_cmp.py and put right by the next --once, a row
# the plant deleted (of a table that changes) goes centrally too; the
# running form ships new rows and rides out a PostgreSQL restart; row-level security keeps plant_a out of plant_b's
# rows and refuses updates and deletes of the audit trail; an events row
# edited behind the trail's back is refused: nothing of its batch lands, a
# chain_faults row is written and the plant's alarm is raised (the CLI's
# alarms, status --json, and the console under tmux: banner and alarms
# screen); an
# append-only row edited on the plant after it was shipped is refused
# (the centre keeps its copy) and recorded in chain_faults.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh
. tests/pg.sh

pg_start || { tap_fail "a throwaway PostgreSQL starts"; exit 1; }
ops_plant
cat >>"$PLANT_CONF" <<EOF2
sync:
  postgres: "host=127.0.0.1 port=$PGPORT dbname=postgres user=plant_a"
  plant: plant_a
  state: $TEST_LOG_DIR/sync.state
  batch_rows: 500
  poll_s: 0.2
EOF2
SYNC="$BUILD/stillroom-sync -c $PLANT_CONF"
# as ROLE: psql as that role; one value
as() { _r=$1; shift; PGUSER=$_r pg_sql "$@"; }
once() { $SYNC --once >"$TEST_LOG_DIR/once.out" 2>&1; }

tap_check "--init-central makes the schema (as its owner)" \
	$SYNC --init-central --conninfo "host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres"
tap_check "--init-central again changes nothing and succeeds" \
	$SYNC --init-central --conninfo "host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres"
pg_sql "CREATE ROLE plant_a LOGIN IN ROLE stillroom_plant;
        CREATE ROLE plant_b LOGIN IN ROLE stillroom_plant;
        CREATE ROLE report LOGIN IN ROLE alliance"

sr lot add L1 --feedstock cassia-leaf --mass 300 --grower "Hộ Lò Văn Minh" \
	--origin "Văn Yên" >/dev/null
sr lot add L2 --feedstock cassia-leaf --mass 300 --grower "Đặng Thị Hoa" \
	--origin "Mậu A" --moisture 14 >/dev/null
sr start still1 --recipe quick-leaf --lot L1:100 >/dev/null
sr start still2 --recipe quick-leaf --lot L2:120 >/dev/null
ops_stop_weigh 2 1.5
sr drum fill D1 --batch 1 --kg 1.2 --tare 17.5 >/dev/null
tap_check "two batches ran, weighed, one drum filled" \
	test "$(q "select count(*) from drum_fills")" = 1

tap_check "--once ships while the plant runs" once
stop_bg daemon
tap_check "--once ships the rest once the daemon stopped" once
tap_check "every central table equals the plant's, row by row" \
	"$PYTHON" tests/sync_cmp.py "$PLANT_DB" plant_a
# historian_central: the centre has historian rows of plant_a (samples
# before schema 6; hist_raw and hist_blocks since)
historian_central() {
	for _t in $(q "select name from sqlite_master where type = 'table'
		and name in ('samples', 'hist_raw', 'hist_blocks')"); do
		[ "$(as report "select count(*) > 0 from $_t where plant = 'plant_a'")" = t ] &&
			return 0
	done
	return 1
}
tap_check "events arrived" \
	test "$(as report "select count(*) > 0 from events where plant = 'plant_a'")" = t
tap_check "the historian arrived" historian_central
tap_check "a second --once exits 0" once
tap_check "... and ships nothing new" sh -c "! grep -q shipped '$TEST_LOG_DIR/once.out'"
pg_sql "update batches set operator = 'someone else' where plant = 'plant_a' and id = 1"
tap_check "sync_cmp.py sees a central row that differs" \
	sh -c "! '$PYTHON' tests/sync_cmp.py '$PLANT_DB' plant_a >/dev/null"
tap_check "--once puts the changed batch row right" once
tap_check "... and the centre equals the plant again" \
	"$PYTHON" tests/sync_cmp.py "$PLANT_DB" plant_a
sqlite3 "$PLANT_DB" "delete from prompts where id = (select max(id) from prompts)"
tap_check "--once after the plant deleted a row of a table that changes" once
tap_check "... the centre mirrors it (the historian's tail since schema 6)" \
	"$PYTHON" tests/sync_cmp.py "$PLANT_DB" plant_a
tap_check "the plant-side position file has the events' position" \
	grep -q "^events $(q "select max(id) from events")\$" "$TEST_LOG_DIR/sync.state"

# row-level security
tap_check "plant_b sees none of plant_a's rows" \
	test "$(as plant_b "select count(*) from events")" = 0
tap_check "plant_a cannot insert a row of plant_b" sh -c "! PGUSER=plant_a psql -X -q -v ON_ERROR_STOP=1 -c \"insert into sites (plant, name, created_at) values ('plant_b', 'x', 'now')\" 2>'$TEST_LOG_DIR/rls.err'"
tap_check "... refused by row-level security" grep -q "row-level security" "$TEST_LOG_DIR/rls.err"
tap_check "plant_a cannot update its audit trail" sh -c "! PGUSER=plant_a psql -X -q -v ON_ERROR_STOP=1 -c \"update events set who = 'x'\" 2>/dev/null"
tap_check "plant_a cannot delete its audit trail or append-only rows" sh -c "! PGUSER=plant_a psql -X -q -v ON_ERROR_STOP=1 -c \"delete from events\" 2>/dev/null && ! PGUSER=plant_a psql -X -q -v ON_ERROR_STOP=1 -c \"delete from drum_fills\" 2>/dev/null"
tap_check "the alliance role reads every plant, writes none" sh -c "test \"\$(PGUSER=report psql -X -A -t -c 'select count(*) > 0 from batches')\" = t && ! PGUSER=report psql -X -q -v ON_ERROR_STOP=1 -c \"insert into sites (plant, name, created_at) values ('plant_a', 'y', 'now')\" 2>/dev/null"

# the running form: ships as the plant writes, rides out a PostgreSQL
# restart (the link gone and back), ends cleanly on SIGTERM
plant_start_daemon
# lot_central LOT: the centre has plant_a's lot LOT
lot_central() { test "$(as report "select count(*) from lots where plant = 'plant_a' and lot_id = '$1'")" = 1; }
start_bg sync $SYNC
sr lot add L4 --feedstock cassia-leaf --mass 40 --grower "Hộ Lò Văn Minh" \
	--origin "Văn Yên" >/dev/null
wait_for "the running sync ships a new lot" 30 lot_central L4
pg_restart
sr lot add L5 --feedstock cassia-leaf --mass 40 --grower "Hộ Lò Văn Minh" \
	--origin "Văn Yên" >/dev/null
wait_for "... and the next one after PostgreSQL restarted" 30 lot_central L5
tap_check "SIGTERM ends it with status 0" stop_bg sync 10

# a tampered events row: refused, recorded centrally, alarmed on the plant
sr lot add L3 --feedstock cassia-leaf --mass 50 --grower "Hồ Văn Dũng" \
	--origin "Mậu A" >/dev/null
last=$(q "select max(id) from events")
sqlite3 "$PLANT_DB" "PRAGMA busy_timeout = 5000; BEGIN; DROP TRIGGER events_no_update;
	UPDATE events SET who = 'mallory' WHERE id = $last;
	CREATE TRIGGER events_no_update BEFORE UPDATE ON events
	 BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END; COMMIT;"
tap_check "--once refuses the edited events row (exit 1)" sh -c "! $SYNC --once >'$TEST_LOG_DIR/tamper.out' 2>&1"
tap_check "... saying why" grep -q "audit chain edit: events row $last" "$TEST_LOG_DIR/tamper.out"
tap_check "nothing of that batch landed" \
	test "$(as report "select count(*) from events where plant = 'plant_a' and id >= $last")" = 0
tap_check "a chain_faults row names it" \
	test "$(as report "select count(*) from chain_faults where plant = 'plant_a' and row_id = $last")" = 1
tap_check "the plant shows the sync-fault alarm" sh -c "$BUILD/stillroom -c '$PLANT_CONF' alarms | grep 'id=sync-fault' | grep -q 'events row $last'"
tap_check "... and in status --json" sh -c "$BUILD/stillroom -c '$PLANT_CONF' status --json | grep -q '\"sync_fault\":\"audit chain edit'"
# ... and on the operator's console (tmux; it polls `alarms`): the
# overview's alarm banner has its message, the alarms screen lists it by id
# (still "-": the plant's, not a still's)
T="tmux -L stillroom-sync-$$ -f /dev/null"
screen() { $T capture-pane -p -t con; }
has() { screen | grep -qF -- "$1"; }
$T new-session -d -s con -x 100 -y 30 \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=xterm-256color '$BUILD/stillroom' -c '$PLANT_CONF' --operator tester 2>'$TEST_LOG_DIR/console.err'; sleep 30"
wait_for "console: asks who is operating" 10 has "Operator: tester"
$T send-keys -t con Enter
wait_for "console: the overview" 10 has "still1"
shows() { screen | grep -Eq -- "$1"; }
wait_for "console: the overview's banner shows the sync fault" 10 \
	shows "UNACK: audit chain edit: events row $last "
$T send-keys -t con 3
wait_for "console: the alarms screen lists sync-fault, unacknowledged, with its message" 10 \
	shows "^HIGH +- +sync-fault +UNACK .* audit chain edit: events row $last "
# no one acknowledges it (it ends when the sync ships everything): `a` on
# it says so, `A` acknowledges the stills' alarms and leaves it be
$T send-keys -t con a
wait_for "console: a on sync-fault says it is the plant's alarm" 10 \
	shows "sync-fault: the plant's alarm; it ends when stillroom-sync"
$T send-keys -t con A
wait_for "console: A acknowledges the stills' alarms, sync-fault stays" 10 sh -c \
	"$T capture-pane -p -t con >'$TEST_LOG_DIR/con_ackall.txt' &&
	! grep -q 'still[12] .* UNACK\\|no still named' '$TEST_LOG_DIR/con_ackall.txt' &&
	grep -Eq '^HIGH +- +sync-fault +UNACK' '$TEST_LOG_DIR/con_ackall.txt'"
screen | sed 's/^/# screen: /'
$T kill-server 2>/dev/null

# an append-only row already central, edited on the plant afterwards: the
# centre keeps its copy, refuses the table's batch, records the fault
sqlite3 "$PLANT_DB" "PRAGMA busy_timeout = 5000; BEGIN; DROP TRIGGER measurements_no_update;
	UPDATE measurements SET value = 9 WHERE id = 1;
	CREATE TRIGGER measurements_no_update BEFORE UPDATE ON measurements
	 BEGIN SELECT RAISE(ABORT, 'measurements rows are append-only'); END; COMMIT;"
pg_sql "delete from sync_position where plant = 'plant_a' and tbl = 'measurements'"
tap_check "--once refuses an edited measurement already shipped" sh -c "! $SYNC --once >'$TEST_LOG_DIR/edit.out' 2>&1"
tap_check "... the centre keeps the weighing as shipped (2 kg)" \
	test "$(as report "select value from measurements where plant = 'plant_a' and id = 1")" = 2
tap_check "... and a chain_faults row names the table" \
	test "$(as report "select count(*) from chain_faults where plant = 'plant_a' and tbl = 'measurements'")" = 1
pg_stop
