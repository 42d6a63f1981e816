#!/bin/sh
# rec_trace: the read side of issue 14 end to end (real stillroomd and
# simulator, the CLI): two batches (one of two conventional lots, one of an
# organic lot) are stopped, weighed and put in drums; one drum ships.
# `drum list` (text, CSV, JSON), `drum show`, `trace --drum` (by id and by
# trace code; households hidden by the bundled privacy setting, shown when
# the config allows them), `trace --lot` (the recall answer: drums,
# shipment, buyer), `lot show` after a moisture correction (the corrected
# value, the correction, the oil re-attributed), `lot list` (part,
# organic). Text fits 80 columns; a report of something that does not
# exist is one sentence, exit 1, nothing on stdout.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh

ops_plant

GROWER="Hộ Lò Văn Minh"
sr lot add L1 --feedstock cassia-leaf --mass 300 --grower "$GROWER" --origin "Văn Yên" \
	--organic-cert VN-ORG-7 --organic-body "Control Union" --part leaf >/dev/null
sr lot add L2 --feedstock cassia-leaf --mass 300 --grower "Hồ Phạm Văn Dũng" \
	--origin "Mậu A" --moisture 14 >/dev/null
sr lot add L3 --feedstock cassia-leaf --mass 300 --grower "Đặng Thị Hoa" \
	--origin "Mậu A" --moisture 10 --part twig >/dev/null
tap_check "a batch of two lots starts on still1" sr start still1 --recipe quick-leaf \
	--lot L2:100 --lot L3:100
tap_check "an organic batch starts on still2" sr start still2 --recipe quick-leaf-organic \
	--lot L1:150
sr stop still1 >/dev/null
sr stop still2 >/dev/null
wait_for "batch 1 is stopped" 30 field_is still1 state stopped
wait_for "batch 2 is stopped" 30 field_is still2 state stopped
sr weigh 1 --oil-kg 2 >/dev/null
sr weigh 2 --oil-kg 1.5 >/dev/null
sr drum fill D-CONV --batch 1 --kg 1.2 --tare 17.5 >/dev/null
sr drum fill D-CONV --batch 1 --kg 0.3 >/dev/null
sr drum fill D-ORG --batch 2 --kg 1.5 --tare 18 --organic >/dev/null
tap_check "three fills in two drums" test "$(q "select count(*) from drum_fills")" = 3

# json FILE EXPR: the Python expression EXPR (over d, the JSON in FILE)
# is true.
json() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

# fits FILE: no line of FILE is wider than 80 characters.
fits() { "$PYTHON" -c 'import sys
sys.exit(max(len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")) > 80)' "$1"; }

# one_sentence DESC WANT ARGS...: `sr ARGS` exits 1 with one line naming
# WANT on stderr and nothing on stdout.
one_sentence() {
	_d=$1 _w=$2
	shift 2
	sr "$@" >"$TEST_LOG_DIR/out" 2>"$TEST_LOG_DIR/err"
	_rc=$?
	if [ $_rc -eq 1 ] && [ ! -s "$TEST_LOG_DIR/out" ] &&
	   [ "$(wc -l <"$TEST_LOG_DIR/err")" -eq 1 ] && grep -qF -- "$_w" "$TEST_LOG_DIR/err"; then
		tap_ok "$_d"
	else
		tap_fail "$_d (exit $_rc: $(cat "$TEST_LOG_DIR/err"))"
	fi
}

L="$TEST_LOG_DIR"
# ---- drum list, drum show -------------------------------------------------
sr drum list >"$L/list.txt"
tap_check "drum list: both drums, pending" sh -c \
	"grep -q 'D-CONV.*pending' '$L/list.txt' && grep -q 'D-ORG' '$L/list.txt'"
tap_check "drum list fits 80 columns" fits "$L/list.txt"
sr drum list --csv >"$L/list.csv"
tap_check "drum list --csv: the agreed columns first" \
	grep -q '^drum_id,feedstock,organic,net_kg,batches,qa_status,shipped,buyer' "$L/list.csv"
sr drum list --json >"$L/list.json"
tap_check "drum list --json: D-ORG organic, 1.5 kg, one batch, not shipped" json "$L/list.json" \
	'[(x["organic"], x["net_kg"], x["batches"], x["shipped"], x["buyer"]) for x in d if x["drum_id"] == "D-ORG"] == [(1, 1.5, 1, 0, None)]'
sr drum show D-ORG --json >"$L/org.json"
CODE=$(q "select trace_code from drums where drum_id = 'D-ORG'")
tap_check "drum show --json: the agreed keys, gross = tare + net, pending, not shipped" \
	json "$L/org.json" 'set(d) >= {"drum_id", "trace_code", "feedstock", "organic", "tare_kg", "net_kg", "gross_kg", "qa_status", "shipment", "fills"} and d["gross_kg"] == 19.5 and d["qa_status"] == "pending" and d["shipment"] is None and d["trace_code"] == "'"$CODE"'"'
tap_check "drum show --json: the fill with its batch, who and QA" json "$L/org.json" \
	'[(f["batch_id"], f["oil_kg"], f["who"], f["organic"], f["qa_decision"]) for f in d["fills"]] == [(2, 1.5, "tester", 1, None)]'
sr drum show "$CODE" >"$L/org.txt"
tap_check "drum show by trace code: the drum, its masses, its fills" sh -c \
	"grep -q 'Drum D-ORG, trace code $CODE' '$L/org.txt' && grep -q '1.500 kg net, 19.500 kg gross' '$L/org.txt' && grep -q '^Fills' '$L/org.txt'"
tap_check "drum show fits 80 columns" fits "$L/org.txt"

# ---- release, ship, trace --drum ------------------------------------------
sr qa record 2 --density 1.060 --ri 1.605 --marker 85 --analyst Hoa >/dev/null
sr qa release 2 >/dev/null
sr ship D-ORG --buyer "Hương Liệu Co" --doc INV-7 --date 2026-12-01 >/dev/null
sr drum show D-ORG --json >"$L/org.json"
tap_check "the shipped drum: releasable, its shipment" json "$L/org.json" \
	'd["qa_status"] == "releasable" and (d["shipment"]["buyer"], d["shipment"]["doc_no"], d["shipment"]["ship_date"]) == ("Hương Liệu Co", "INV-7", "2026-12-01")'
sr trace --drum D-CONV >"$L/tdrum.txt"
tap_check "trace --drum (the buyer's): communes, no household, says so" sh -c \
	"grep -q 'households: hidden (privacy)' '$L/tdrum.txt' && grep -q 'Mậu A' '$L/tdrum.txt' && ! grep -q 'Dũng\|Hoa' '$L/tdrum.txt'"
tap_check "trace --drum fits 80 columns" fits "$L/tdrum.txt"
sr trace --drum D-CONV --json >"$L/tdrum.json"
tap_check "trace --drum --json: batch 1's 1.5 kg from L2 and L3, grams summing to its weighing, no grower key" \
	json "$L/tdrum.json" 'd["drum"]["net_kg"] == 1.5 and [(b["batch_id"], b["oil_kg"], sorted(x["lot_id"] for x in b["lots"]), sum(x["oil_g"] for x in b["lots"])) for b in d["batches"]] == [(1, 1.5, ["L2", "L3"], 2000)] and all("grower" not in x for b in d["batches"] for x in b["lots"])'
CONV=$(q "select trace_code from drums where drum_id = 'D-CONV'")
sr trace --drum "$CONV" --json >"$L/tcode.json"
tap_check "trace --drum by trace code is the same trace" cmp -s "$L/tdrum.json" "$L/tcode.json"
sed 's/households_in_trace: false/households_in_trace: true/' "$PLANT_CONF" >"$L/open.yaml"
"$BUILD/stillroom" -c "$L/open.yaml" trace --drum D-CONV >"$L/topen.txt"
"$BUILD/stillroom" -c "$L/open.yaml" trace --drum D-CONV --json >"$L/topen.json"
tap_check "privacy households_in_trace: true names the households" sh -c \
	"grep -q 'Dũng' '$L/topen.txt' && ! grep -q 'hidden (privacy)' '$L/topen.txt'"
tap_check "... and the JSON has each lot's grower" json "$L/topen.json" \
	'sorted(x["grower"] for b in d["batches"] for x in b["lots"]) == ["Hồ Phạm Văn Dũng", "Đặng Thị Hoa"]'

# ---- trace --lot: the recall answer ---------------------------------------
sr trace --lot L1 >"$L/tlot.txt"
tap_check "trace --lot L1: its batch, drum, buyer and note" sh -c \
	"grep -q 'Batch 2' '$L/tlot.txt' && grep -q 'drum D-ORG: 1.500 kg; shipped to Hương Liệu Co (note INV-7)' '$L/tlot.txt'"
tap_check "trace --lot fits 80 columns" fits "$L/tlot.txt"
sr trace --lot L1 --json >"$L/tlot.json"
tap_check "trace --lot --json: lot, batch, drum, shipment" json "$L/tlot.json" \
	'd["lot"]["lot_id"] == "L1" and d["lot"]["grower"] == "'"$GROWER"'" and [(b["batch_id"], b["mass_kg"], b["oil_g"], b["qa_decision"], [(x["drum_id"], x["oil_kg"], x["shipment"]["buyer"]) for x in b["drums"]]) for b in d["batches"]] == [(2, 150.0, 1500, "released", [("D-ORG", 1.5, "Hương Liệu Co")])]'

# ---- lot show after a correction, lot list --------------------------------
sr lot correct L2 --moisture 12 --why "re-measured" >/dev/null
sr lot show L2 --json >"$L/l2.json"
OIL_L2=$(q "select l.oil_g from attribution_lots l join attribution_now a on a.id = l.attribution_id where l.lot_id = 'L2'")
tap_check "lot show --json: the corrected moisture, the correction, mass left, oil re-attributed" \
	json "$L/l2.json" 'd["moisture_pct"] == 12 and [(c["field"], c["why"]) for c in d["corrections"]] == [("moisture_pct", "re-measured")] and d["mass_remaining_kg"] == 200 and d["oil_g"] == '"$OIL_L2"' and [(b["batch_id"], b["mass_kg"], b["oil_g"]) for b in d["batches"]] == [(1, 100.0, '"$OIL_L2"')]'
sr lot show L2 >"$L/l2.txt"
tap_check "lot show: the correction and the oil in text" sh -c \
	"grep -q '^Moisture   12.0 %' '$L/l2.txt' && grep -q 'moisture_pct' '$L/l2.txt' && grep -q '^Oil ' '$L/l2.txt'"
tap_check "lot show fits 80 columns" fits "$L/l2.txt"
sr lot list --json >"$L/lots.json"
tap_check "lot list --json: part and organic" json "$L/lots.json" \
	'[(x["lot_id"], x["plant_part"], x["organic"]) for x in d] == [("L1", "leaf", 1), ("L2", "leaf", 0), ("L3", "twig", 0)]'

# ---- what does not exist is a sentence ------------------------------------
one_sentence "drum show of no drum" "no drum D-NONE" drum show D-NONE
one_sentence "trace --drum of no drum" "no drum D-NONE" trace --drum D-NONE --json
one_sentence "trace --lot of no lot" "no lot named NOPE" trace --lot NOPE
one_sentence "trace with a drum and a lot" "one of them" trace --drum D-ORG --lot L1

plant_finish still1 still2

