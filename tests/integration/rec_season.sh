#!/bin/sh
# rec_season: a generated season, end to end, on the simulator at speed
# (issue 14's "done when"; docs/RECORDS.md, "A season, end to end").
# rec_season.py plans it: 30 households' lots (nine organic, with
# certificates, communes, cooperatives, harvest dates, plant parts,
# moisture, some intake prices), ten multi-lot batches (3 to 5 lots) of
# cassia leaf and bark run two at a time on still1 and still2, their
# weighings, QA (one batch rejected), five drums each filled from several
# batches, shipments to two buyers, advances to four growers. Then:
#   - every gram of oil in a drum traces to lots (trace --drum --json);
#   - every batch's latest attribution: its lots, grams summing to its
#     weighing, the method its lots call for; every lot's oil (lot show)
#     sums its batches' shares;
#   - settle --json reconciles to the gram and the dong with sums taken
#     straight from the database;
#   - organic rules held: an organic recipe refused a conventional lot, an
#     organic drum refused a conventional batch, both named;
#   - a weighing correction and a moisture correction re-attribute (a new
#     revision) and are audited; shipping an unreleased drum is refused;
#   - every refusal leaves `sqlite3 DB .dump` unchanged; audit verify ok.
# Short recipes (season-*: quick-leaf with 5 to 20 s steps) at --speed 150:
# the oil is what the weighing says, not the simulator's receiver.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-150}
. tests/lib.sh
. tests/plant.sh

GEN=tests/integration/rec_season.py
TODAY=$(date -u +%F)
IDS="$TEST_LOG_DIR/ids.txt"
: >"$IDS"

# the cooperative's rule as the test's own (rec_season.py keeps the same
# figures), in place of the bundled estimates
plant_config "$CTL_FROZEN_OFF" '/^settlement:/,$d'
cat >>"$PLANT_CONF" <<'EOF'
settlement:
  raw_price: {cassia-leaf: 2500 VND_per_kg, cassia-bark: 28000 VND_per_kg, star-anise: 42000 VND_per_kg}
  oil_share_pct: 30 %
  quality_bonus_pct: 5 %
privacy:
  households_in_trace: false
EOF
tap_check "the plant configuration takes the test's settlement: and privacy:" \
	"$BUILD/stillroomd" -c "$PLANT_CONF" --check-config
SHORT='s/end: {after: 1 min}/end: {after: 5 s}/'
plant_recipe season-leaf "$SHORT" 's/max: 600 kg/max: 1000 kg/' \
	's/end: {reach: still_temp, above: 40 C}/end: {after: 20 s}/' \
	's/end: {after: 3 min}/end: {after: 20 s}/'
sed -e 's/^name: season-leaf/name: season-organic/' -e '$a organic: true' \
	"$TEST_LOG_DIR/recipes/season-leaf.yaml" >"$TEST_LOG_DIR/recipes/season-organic.yaml"
sed -e 's/^name: season-leaf/name: season-bark/' \
	-e 's/^feedstock: cassia-leaf/feedstock: cassia-bark/' \
	"$TEST_LOG_DIR/recipes/season-leaf.yaml" >"$TEST_LOG_DIR/recipes/season-bark.yaml"
"$PYTHON" "$GEN" plan "$TEST_LOG_DIR/season.sh" "$TEST_LOG_DIR/season.json" "${SEASON_SEED:-14}"
. "$TEST_LOG_DIR/season.sh"
plant_start_sim
plant_watchdog_off
plant_start_daemon || tap_fail "daemon starts"

# ---- helpers ----------------------------------------------------------------

# dump: the whole database as SQL text but the historian's samples, which
# it writes every process second for every still, idle or not.
dump() {
	sqlite3 "file:$PLANT_DB?mode=ro" .dump | grep -v -e '^INSERT INTO hist_raw ' \
		-e '^INSERT INTO hist_blocks '
}

# unchanged DESC WANT ARGS...: `stillroom ARGS` is refused (exit 1) with a
# sentence holding WANT, and `sqlite3 DB .dump` (but samples) is the same
# before and after.
unchanged() {
	_u_desc=$1 _u_want=$2
	shift 2
	dump >"$TEST_LOG_DIR/dump.before"
	sr_op refused "$@" >"$TEST_LOG_DIR/unchanged.out" 2>"$TEST_LOG_DIR/unchanged.err"
	_u_rc=$?
	dump >"$TEST_LOG_DIR/dump.after"
	_u_why=""
	[ -n "$_u_want" ] || _u_why="nothing to look for in the sentence (a batch that did not start?)"
	[ $_u_rc -eq 1 ] || _u_why="exit status $_u_rc, not 1"
	grep -qF -- "$_u_want" "$TEST_LOG_DIR/unchanged.err" || _u_why="$_u_why; no '$_u_want' in the sentence"
	cmp -s "$TEST_LOG_DIR/dump.before" "$TEST_LOG_DIR/dump.after" ||
		_u_why="$_u_why; sqlite3 .dump differs"
	if [ -z "$_u_why" ]; then
		tap_ok "$_u_desc: $(head -n 1 "$TEST_LOG_DIR/unchanged.err")"
	else
		tap_fail "$_u_desc: ${_u_why#; }"
		cat "$TEST_LOG_DIR/unchanged.out" "$TEST_LOG_DIR/unchanged.err" | head -n 5 | sed 's/^/# /'
		diff "$TEST_LOG_DIR/dump.before" "$TEST_LOG_DIR/dump.after" | head -n 10 | sed 's/^/# /'
	fi
}

# sql QUERY: one answer from the database (read-only).
sql() {
	sqlite3 "file:$PLANT_DB?mode=ro" "$1"
}

# is WANT QUERY: the query answers WANT.
is() {
	_is_got=$(sql "$2")
	[ "$_is_got" = "$1" ] || {
		echo "$2: '$_is_got', expected '$1'"
		return 1
	}
}

season_lot() { sr lot add "$@" >>"$TEST_LOG_DIR/season.out" 2>&1 || echo "lot add $1" >>"$TEST_LOG_DIR/failed.lots"; }
season_correct() { sr lot correct "$@" >>"$TEST_LOG_DIR/season.out" 2>&1 || echo "lot correct $1" >>"$TEST_LOG_DIR/failed.assays"; }
season_advance() {
	_sa_g=$1
	shift
	sr advance "$_sa_g" --date "$TODAY" "$@" >>"$TEST_LOG_DIR/season.out" 2>&1 ||
		echo "advance $_sa_g" >>"$TEST_LOG_DIR/failed.advances"
}

# planned NAME FIELD: recipe, charge, oil or lots of a planned batch.
planned() {
	_p_f=$2
	eval "set -- \$SEASON_$1"
	case $_p_f in
	recipe) echo "$1" ;;
	charge) echo "$2" ;;
	oil) echo "$3" ;;
	lots) shift 3 && echo "$*" ;;
	esac
}

# id NAME: the batch id the plan's batch NAME got ("" before it started).
id() {
	sed -n "s/^$1 //p" "$IDS"
}

# season_start STILL NAME: starts planned batch NAME with its lots.
season_start() {
	_ss_args=""
	for _ss_l in $(planned "$2" lots); do
		_ss_args="$_ss_args --lot $_ss_l"
	done
	# shellcheck disable=SC2086
	_ss_out=$(sr start "$1" --recipe "$(planned "$2" recipe)" $_ss_args \
		--mass "$(planned "$2" charge)" 2>&1)
	_ss_id=$(echo "$_ss_out" | sed -n 's/^batch \([0-9]*\) started.*/\1/p')
	if [ -n "$_ss_id" ]; then
		echo "$2 $_ss_id" >>"$IDS"
		tap_ok "batch $2 ($(planned "$2" recipe), lots $(planned "$2" lots)) starts on $1: $_ss_out"
	else
		tap_fail "batch $2 starts on $1: $_ss_out"
		return 1
	fi
}

# ended STILL: the still's batch is complete (or stopped).
ended() {
	case $(sr_field "$1" state) in complete | stopped) return 0 ;; esac
	return 1
}

# season_round NAME1 [NAME2]: batch NAME1 on still1 and NAME2 on still2 at
# once; the operator answers, both complete, are weighed, stills reset.
season_round() {
	_sr_n=0
	for _sr_b in "$@"; do
		_sr_n=$((_sr_n + 1))
		season_start "still$_sr_n" "$_sr_b"
	done
	_sr_n=0
	for _sr_b in "$@"; do
		_sr_n=$((_sr_n + 1))
		[ -n "$(id "$_sr_b")" ] || continue
		_poll 20 field_has "still$_sr_n" prompt . && sr answer "still$_sr_n" yes >/dev/null
	done
	_sr_n=0
	for _sr_b in "$@"; do
		_sr_n=$((_sr_n + 1))
		[ -n "$(id "$_sr_b")" ] || continue
		wait_for "batch $_sr_b completes" 60 ended "still$_sr_n" &&
			tap_check "batch $_sr_b: $(planned "$_sr_b" oil) kg of oil weighed" \
				sr weigh "$(id "$_sr_b")" --oil-kg "$(planned "$_sr_b" oil)"
		sr reset "still$_sr_n" >/dev/null
		_poll 10 field_is "still$_sr_n" state idle
	done
}

# ---- the season's lots, and an organic recipe refusing a conventional lot --
season_lots
season_assays
tap_check "30 households' lots are received (lot add with part, price, certificates)" \
	test ! -s "$TEST_LOG_DIR/failed.lots" -a "$(sql 'select count(distinct grower) from lots')" = 30
tap_check "the assayed oil contents are recorded as lot corrections" \
	is 3 "select count(*) from lot_corrections where field like 'oil_content%'"
unchanged "an organic recipe refuses a conventional lot, naming it" "$CONVENTIONAL_LOT" \
	start still1 --recipe season-organic --lot "$ORGANIC_LOT:60" --lot "$CONVENTIONAL_LOT:60"
unchanged "a multi-lot start whose --mass is not the lots' sum is refused" "130" \
	start still1 --recipe season-leaf --lot "$CONVENTIONAL_LOT:60" --lot "$ORGANIC_LOT:60" --mass 130

# ---- ten batches, two at a time --------------------------------------------
season_round O1 L1
season_round O2 B1
season_round L2 B2
season_round L3 B3
season_round L4 B4
organic_of() { sql "select organic from batches where id = $(id "$1")"; }
tap_check "organic lots only: batches O1 and O2 are organic; L1 (one organic lot) is not" \
	test "$(organic_of O1) $(organic_of O2) $(organic_of L1)" = "1 1 0"

# ---- QA: every batch in spec, released but L4 (rejected) and B4 (later) ----
for b in $SEASON_BATCHES; do
	case $b in B*) dens=1.043 ;; *) dens=1.060 ;; esac
	sr qa record "$(id "$b")" --density $dens --ri 1.605 --marker 85 --analyst Hoa \
		>>"$TEST_LOG_DIR/season.out" 2>&1 || echo "qa record $b" >>"$TEST_LOG_DIR/failed.qa"
	case $b in
	L4) sr qa reject "$(id "$b")" --reason "burnt note" >>"$TEST_LOG_DIR/season.out" 2>&1 ;;
	B4) ;;
	*) sr qa release "$(id "$b")" >>"$TEST_LOG_DIR/season.out" 2>&1 ;;
	esac || echo "qa decide $b" >>"$TEST_LOG_DIR/failed.qa"
done
tap_check "QA results for the ten batches; eight released, L4 rejected" \
	test ! -s "$TEST_LOG_DIR/failed.qa"

# ---- drums, each from several batches --------------------------------------
half() { awk -v k="$1" 'BEGIN { printf "%.3f", int(k * 500) / 1000 }'; }
rest() { awk -v k="$1" -v h="$2" 'BEGIN { printf "%.3f", k - h }'; }
fill() {
	_f_d=$1 _f_b=$2 _f_kg=$3
	shift 3
	tap_check "drum $_f_d gets $_f_kg kg of batch $_f_b" \
		sr drum fill "$_f_d" --batch "$(id "$_f_b")" --kg "$_f_kg" "$@"
}
L2_HALF=$(half "$(planned L2 oil)")
fill DR-ORG-01 O1 "$(planned O1 oil)" --tare 1.2 --organic
fill DR-ORG-01 O2 "$(planned O2 oil)"
unchanged "an organic drum refuses a conventional batch, naming it" "$(id L1)" \
	drum fill DR-ORG-01 --batch "$(id L1)" --kg 0.5
fill DR-LEAF-01 L1 "$(planned L1 oil)" --tare 1.2 --conventional
fill DR-LEAF-01 L2 "$L2_HALF"
unchanged "a drum refuses more oil than the batch has left" "$(id L1)" \
	drum fill DR-LEAF-01 --batch "$(id L1)" --kg 0.001
fill DR-LEAF-02 L2 "$(rest "$(planned L2 oil)" "$L2_HALF")" --tare 1.2
fill DR-LEAF-02 L3 "$(planned L3 oil)"
fill DR-LEAF-02 L4 "$(planned L4 oil)"
fill DR-BARK-01 B1 "$(planned B1 oil)" --tare 1.2
fill DR-BARK-01 B2 "$(planned B2 oil)"
fill DR-BARK-02 B3 "$(planned B3 oil)" --tare 1.2
fill DR-BARK-02 B4 "$(planned B4 oil)"

# ---- shipments: only releasable drums, each once ---------------------------
drum_qa_is() {
	sr drum show "$1" --json | "$PYTHON" -c 'import json, sys
d = json.load(sys.stdin)
assert d["qa_status"] == sys.argv[1], d["qa_status"]' "$2"
}
tap_check "DR-LEAF-02 (batch L4 rejected) is blocked" drum_qa_is DR-LEAF-02 blocked
tap_check "DR-BARK-02 (batch B4 undecided) is pending" drum_qa_is DR-BARK-02 pending
tap_check "DR-ORG-01 is releasable" drum_qa_is DR-ORG-01 releasable
tap_check "DR-ORG-01 and DR-LEAF-01 ship to the first buyer" \
	sr ship DR-ORG-01 DR-LEAF-01 --buyer "Aroma Export JSC" --doc HD-0142 --date "$TODAY"
unchanged "shipping an unreleased drum (B4 not released) is refused, naming the batch" "$(id B4)" \
	ship DR-BARK-01 DR-BARK-02 --buyer "Công ty TNHH Hương liệu Sài Gòn" --doc PX-77 --date "$TODAY"
unchanged "shipping a blocked drum (L4 rejected) is refused, naming the batch" "$(id L4)" \
	ship DR-LEAF-02 --buyer "Aroma Export JSC" --doc HD-0143 --date "$TODAY"
unchanged "a drum ships once" "DR-ORG-01" \
	ship DR-ORG-01 --buyer "Aroma Export JSC" --doc HD-0144 --date "$TODAY"
tap_check "B4 is released" sr qa release "$(id B4)"
tap_check "DR-BARK-01 and DR-BARK-02 ship to the second buyer" \
	sr ship DR-BARK-01 DR-BARK-02 --buyer "Công ty TNHH Hương liệu Sài Gòn" --doc PX-77 --date "$TODAY"

# ---- corrections re-attribute, audited -------------------------------------
# reattributed NAME: batch NAME's latest attribution is revision 2, and its
# audit row is the batch's
reattributed() {
	is "2|$1" "select a.revision || '|' || e.batch_id from attribution_now a
		join events e on e.id = a.event_id where a.batch_id = $1"
}
L3_OIL=$(planned L3 oil)
unchanged "a weighing below what the batch's drums hold is refused" "$(id L3)" \
	weigh "$(id L3)" --oil-kg "$(rest "$L3_OIL" 0.5)" --why "re-weighed"
L3_NEW=$(rest "$L3_OIL" -0.25)
tap_check "batch L3 re-weighed: $L3_NEW kg (a correction, with its reason)" \
	sr weigh "$(id L3)" --oil-kg "$L3_NEW" --why "scale recalibrated"
tap_check "the weighing correction re-attributes L3's oil: revision 2, audited" \
	reattributed "$(id L3)"
tap_check "the correction is in the audit trail with its reason" \
	is 1 "select count(*) > 0 from events where batch_id = $(id L3) and text like '%scale recalibrated%'"
tap_check "lot $MOIST_LOT's moisture corrected (15 %)" \
	sr lot correct "$MOIST_LOT" --moisture 15 --why "re-measured at the dryer"
tap_check "the moisture correction re-attributes B1's oil: revision 2, audited" \
	reattributed "$(id B1)"
season_advances
tap_check "advances to four growers" \
	test ! -s "$TEST_LOG_DIR/failed.advances" -a "$(sql 'select count(*) from advances')" = 4

# ---- every gram of oil traces to lots --------------------------------------
tap_check "every batch's latest attribution: its lots, grams summing to its weighing, the method" \
	"$PYTHON" "$GEN" attribution "$PLANT_DB" "$TEST_LOG_DIR/season.json" "$IDS"
mkdir -p "$TEST_LOG_DIR/lots"
for lot in $(sql "select lot_id from lots"); do
	sr lot show "$lot" --json >"$TEST_LOG_DIR/lots/$lot.json" 2>>"$TEST_LOG_DIR/season.out"
done
tap_check "every lot's oil (lot show --json) sums its batches' shares; masses add up" \
	"$PYTHON" "$GEN" lots "$PLANT_DB" "$TEST_LOG_DIR/lots"
for d in DR-ORG-01 DR-LEAF-01 DR-LEAF-02 DR-BARK-01 DR-BARK-02; do
	sr trace --drum "$d" --json >"$TEST_LOG_DIR/trace-$d.json" 2>&1
	tap_check "trace --drum $d: every gram in it traces to lots, no household named" \
		"$PYTHON" "$GEN" trace-drum "$PLANT_DB" "$TEST_LOG_DIR/trace-$d.json"
done
code=$(sql "select trace_code from drums where drum_id = 'DR-BARK-01'")
tap_check "trace --drum by trace code ($code) is the drum's trace" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' trace --drum '$code' --json | cmp -s - '$TEST_LOG_DIR/trace-DR-BARK-01.json'"
first_o1=$(planned O1 lots | sed 's/:.*//')
for lot in "$SPLIT_LOT" "$first_o1"; do
	sr trace --lot "$lot" --json >"$TEST_LOG_DIR/trace-lot-$lot.json" 2>&1
	tap_check "trace --lot $lot: its batches, drums, shipments and buyers" \
		"$PYTHON" "$GEN" trace-lot "$PLANT_DB" "$TEST_LOG_DIR/trace-lot-$lot.json" "$lot"
done

# ---- the settlement reconciles ---------------------------------------------
sr settle --from "$TODAY" --to "$TODAY" --json >"$TEST_LOG_DIR/settle.json" 2>&1
tap_check "settle --json: growers sum to the total, grams to the weighings, dong to the records" \
	"$PYTHON" "$GEN" settle "$PLANT_DB" "$TEST_LOG_DIR/settle.json" "$TODAY" "$TODAY"
sr settle --from "$TODAY" --to "$TODAY" --csv >"$TEST_LOG_DIR/settle.csv" 2>&1
tap_check "settle --csv: one row per grower and a TOTAL row equal to the JSON's" \
	"$PYTHON" "$GEN" settle-csv "$TEST_LOG_DIR/settle.csv" "$TEST_LOG_DIR/settle.json"

plant_check_db
stop_bg daemon 10
rc=$?
[ $rc -eq 0 ] && tap_ok "daemon exits 0 on SIGTERM" || tap_fail "daemon exits 0 on SIGTERM (status $rc)"
plant_no_sanitizer
