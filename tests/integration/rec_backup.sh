#!/bin/sh
# rec_backup: `stillroom backup FILE` copies the live database while a
# batch runs at speed and the daemon keeps writing (SQLite's online backup
# API, in steps), checks the copy (integrity_check, audit verify) and says
# so in one line; refuses to overwrite FILE unless --force; leaves no
# half-written file. `stillroom restore FILE` is refused while the daemon
# holds the database (its flock on DB.lock), refuses a FILE that does not
# verify (and changes nothing), and with the daemon stopped puts FILE in
# place, keeping the old database aside; the daemon then runs on it.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
SPEED=${SPEED:-100}
. tests/plant.sh

BK="$TEST_LOG_DIR/copies/backup.db"
mkdir -p "$TEST_LOG_DIR/copies"
q() { sqlite3 "file:$1?mode=ro" "$2"; }
live_samples() { q "$PLANT_DB" 'select coalesce(sum(samples), 0) from hist_counts'; }
# one line, exit 0, saying what it checked
one_line_ok() {
	_out=$("$@" 2>&1)
	_rc=$?
	echo "$_out"
	[ $_rc -eq 0 ] && [ "$(printf '%s\n' "$_out" | wc -l)" -eq 1 ]
}

# refused DESC RE CMD...: TAP, CMD exits 1 with one line matching RE
refused() {
	_desc=$1
	_re=$2
	shift 2
	_out=$("$@" 2>&1)
	_rc=$?
	if [ $_rc -eq 1 ] && printf '%s\n' "$_out" | grep -Eq -- "$_re" &&
		[ "$(printf '%s\n' "$_out" | wc -l)" -eq 1 ]; then
		tap_ok "$_desc: $_out"
	else
		tap_fail "$_desc (exit $_rc): $_out"
	fi
}
# same_sum FILE SUM: FILE's md5sum is SUM (nothing changed it)
same_sum() { [ "$(md5sum "$1")" = "$2" ]; }

plant_config
plant_long_recipe
plant_start_sim
plant_start_daemon || tap_fail "daemon starts"
id=$(plant_batch still1 long-leaf 400)
[ -n "$id" ] && tap_ok "batch $id runs on still1" || tap_fail "batch starts"
wait_for "still1 is running" 20 field_is still1 state running
grown() { [ "$(live_samples)" -gt "$1" ]; }
wait_for "the historian is writing" 20 grown 200

# ---- backup while the batch runs ----
before=$(live_samples)
out=$(sr backup "$BK" 2>&1)
rc=$?
tap_note "$out"
[ $rc -eq 0 ] && tap_ok "backup exits 0 while the daemon writes" || tap_fail "backup exits 0 (exit $rc): $out"
tap_check "it says so in one line: written, integrity ok, audit intact" sh -c \
	"printf '%s\n' '$out' | grep -Eq '^backup: .*backup\.db.* [0-9]+ steps.*integrity ok.*audit: [0-9]+ rows intact, head [0-9a-f]{64}$' &&
	 [ \$(printf '%s\n' '$out' | wc -l) -eq 1 ]"
steps=$(printf '%s\n' "$out" | sed -n 's/.* in \([0-9]*\) steps).*/\1/p')
[ "${steps:-0}" -ge 2 ] && tap_ok "the copy was taken in steps ($steps), the daemon writing between them" ||
	tap_fail "the copy was taken in steps (${steps:-none})"
tap_check "the copy passes integrity_check" sh -c "[ \"\$(sqlite3 'file:$BK?mode=ro' 'pragma integrity_check')\" = ok ]"
tap_check "the copy holds the running batch" sh -c \
	"[ \"\$(sqlite3 'file:$BK?mode=ro' \"select state from batches where id = $id\")\" = running ]"
tap_check "the copy holds its samples" sh -c \
	"[ \$(sqlite3 'file:$BK?mode=ro' \"select coalesce(sum(samples), 0) from hist_counts where batch_id = $id\") -gt 0 ]"
tap_check "the copy is one file (rollback journal, no -wal beside it)" sh -c \
	"[ \"\$(sqlite3 '$BK' 'pragma journal_mode')\" = delete ] && [ ! -e '$BK-wal' ]"
tap_check "the copy verifies with audit verify" sr --db "$BK" audit verify
tap_check "nothing half-written is left beside it" sh -c \
	"[ \$(ls -A '$TEST_LOG_DIR/copies' | wc -l) -eq 1 ]"
wait_for "the daemon kept writing (the historian grows past the backup)" 20 grown "$before"
tap_check "the batch still runs" field_is still1 state running

# ---- no overwrite unless told ----
sum=$(md5sum "$BK")
refused "a second backup to the same file is refused" "exists.*--force" sr backup "$BK"
tap_check "the refused backup left the copy as it was" same_sum "$BK" "$sum"
tap_check "backup --force replaces it, in one line" one_line_ok sr backup "$BK" --force
out=$(sr backup 2>&1)
[ $? -eq 2 ] && tap_ok "backup with no file is a usage error" || tap_fail "backup with no file is a usage error: $out"

# ---- restore refused while the daemon runs ----
refused "restore is refused while the daemon holds the database" \
	"held by a running stillroomd.*stop it first" sr restore "$BK"
tap_check "the refused restore left no copy of the file beside the database" sh -c \
	"! ls '$TEST_LOG_DIR' | grep -q 'restore'"
tap_check "the daemon runs on" sr status

# ---- stop; restore ----
sr_as stopper stop still1 >/dev/null
wait_for "the batch stops" 20 field_is still1 state stopped
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
live_events=$(q "$PLANT_DB" 'select count(*) from events')
bk_events=$(q "$BK" 'select count(*) from events')
tap_note "live database: $live_events audit rows; the copy: $bk_events"

printf 'this is not a database\n' >"$TEST_LOG_DIR/copies/junk.db"
live_sum=$(md5sum "$PLANT_DB")
refused "a file that is not a database is refused" "nothing changed.*not a database" \
	sr restore "$TEST_LOG_DIR/copies/junk.db"
tap_check "... and the database is untouched" same_sum "$PLANT_DB" "$live_sum"
cp "$BK" "$TEST_LOG_DIR/copies/edited.db"
sqlite3 "$TEST_LOG_DIR/copies/edited.db" "update lots set grower = 'Someone Else'"
refused "a copy edited behind the audit trail is refused" "nothing changed.*edited outside the audit trail" \
	sr restore "$TEST_LOG_DIR/copies/edited.db"
tap_check "... and the database is untouched" same_sum "$PLANT_DB" "$live_sum"

out=$(sr restore "$BK" 2>&1)
rc=$?
tap_note "$out"
[ $rc -eq 0 ] && tap_ok "restore with the daemon stopped exits 0" || tap_fail "restore exits 0 (exit $rc): $out"
aside=$(printf '%s\n' "$out" | sed -n 's/.*kept as \([^ ]*\)$/\1/p')
tap_check "the old database is kept aside, whole ($aside)" sh -c \
	"[ -n '$aside' ] && [ \"\$(sqlite3 'file:$aside?mode=ro' 'select count(*) from events')\" = '$live_events' ]"
tap_check "the database now holds the copy" sh -c \
	"[ \"\$(sqlite3 'file:$PLANT_DB?mode=ro' 'select count(*) from events')\" = '$bk_events' ]"
tap_check "the restored database verifies" sr audit verify
plant_start_daemon || tap_fail "the daemon starts on the restored database"
tap_check "it finds the batch the copy held (running then: lost now, waiting)" \
	sh -c "'$BUILD/stillroom' -c '$PLANT_CONF' status | grep -q ' lost '"
stop_bg daemon 10
plant_no_sanitizer
