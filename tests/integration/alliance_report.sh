#!/bin/sh
# alliance_report: `stillroom alliance ...` and the alliance views
# (docs/ALLIANCE.md, "Reports") on a real PostgreSQL with two plants
# shipped by the real stillroom-sync. Plant north (real stillroomd and
# simulator): two batches of three lots stopped, weighed, put in two drums,
# one shipped. Plant south: a checked copy of north's database taken then
# (the same local ids, drum and lot names), then north goes on: a third
# batch from a new lot of the same grower, weighed. Each report is checked
# against the plants' own figures; the views are refused to a plant's role
# and granted to the alliance's (a reader role in role alliance); bad arguments and an unreachable server
# are one line each. In Vietnamese (--lang vi, or LANGUAGE=vi) the text
# reports' headings and the messages of `stillroom alliance` and of
# stillroom-sync are Vietnamese; values and JSON are the same.
# SYNC=PATH: the stillroom-sync to use (default $BUILD/stillroom-sync).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh
. tests/pg.sh

SYNC=${SYNC:-"$BUILD/stillroom-sync"}
if [ ! -x "$SYNC" ]; then
	tap_skip "alliance reports" "$SYNC is not built"
	exit 0
fi
L="$TEST_LOG_DIR"

# json FILE EXPR: the Python expression EXPR (over d, the JSON in FILE) is true
json() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

ops_plant
HOA="Đặng Thị Hoa"
sr lot add L2 --feedstock cassia-leaf --mass 300 --grower "Hồ Phạm Văn Dũng" \
	--origin "Mậu A" --moisture 14 >/dev/null
sr lot add L3 --feedstock cassia-leaf --mass 300 --grower "$HOA" \
	--origin "Mậu A" --moisture 10 --part twig >/dev/null
sr lot add L1 --feedstock cassia-leaf --mass 300 --grower "Hộ Lò Văn Minh" \
	--origin "Văn Yên" >/dev/null
sr start still1 --recipe quick-leaf --lot L2:100 --lot L3:100 >/dev/null
sr start still2 --recipe quick-leaf --lot L1:150 >/dev/null
ops_stop_weigh 2 1.5
sr drum fill D-CONV --batch 1 --kg 1.5 --tare 17.5 >/dev/null
sr drum fill D-TWO --batch 2 --kg 1.5 --tare 18 >/dev/null
sr qa record 2 --density 1.060 --ri 1.605 --marker 85 --analyst Hoa >/dev/null
sr qa release 2 >/dev/null
sr ship D-TWO --buyer "Hương Liệu Co" --doc INV-7 --date 2026-12-01 >/dev/null
tap_check "plant north: two drums, one shipped" test \
	"$(q "select count(*) from shipment_drums")" = 1
sr backup "$L/south.db" >/dev/null
sr reset still1 >/dev/null
sr lot add L4 --feedstock cassia-leaf --mass 300 --grower "$HOA" --origin "Mậu A" >/dev/null
sr start still1 --recipe quick-leaf --lot L4:200 >/dev/null
sr stop still1 >/dev/null
wait_for "north's third batch is stopped" 30 field_is still1 state stopped
sr weigh 3 --oil-kg 1.8 >/dev/null
stop_bg daemon 10

# ---- both plants into one PostgreSQL ---------------------------------------
pg_start || { tap_fail "PostgreSQL starts"; exit 1; }
ADMIN="host=127.0.0.1 port=$PGPORT dbname=postgres user=postgres"
for p in north south; do
	db=$PLANT_DB
	[ $p = south ] && db="$L/south.db"
	sed -e "s#^\( *database:\).*#\1 $db#" "$PLANT_CONF" >"$L/$p.yaml"
	cat >>"$L/$p.yaml" <<EOF
sync:
  postgres: "host=127.0.0.1 port=$PGPORT dbname=postgres user=$p"
  plant: $p
  state: $L/$p.state
EOF
done
tap_check "the central schema is made" "$SYNC" -c "$L/north.yaml" --init-central \
	--conninfo "$ADMIN"
pg_sql "CREATE ROLE north LOGIN IN ROLE stillroom_plant;
	CREATE ROLE south LOGIN IN ROLE stillroom_plant;
	CREATE ROLE report LOGIN IN ROLE alliance" >/dev/null
for p in north south; do
	tap_check "$p ships (stillroom-sync --once)" "$SYNC" -c "$L/$p.yaml" --once
done
A="$BUILD/stillroom"
tap_check "alliance views: created by the schema's owner" \
	"$A" alliance views --postgres "$ADMIN"
tap_check "alliance views: again (idempotent)" "$A" alliance views --postgres "$ADMIN"
AL="host=127.0.0.1 port=$PGPORT dbname=postgres user=report"

# ---- yields ----------------------------------------------------------------
"$A" alliance yields --postgres "$AL" --json >"$L/y.json"
tap_check "yields --json: one row per plant (one feedstock, one month)" json "$L/y.json" \
	'sorted(r["plant"] for r in d) == ["north", "south"]'
tap_check "yields: north's 3 batches, 5.3 kg of oil from 550 kg; south's 2, 3.5 kg from 350 kg" \
	json "$L/y.json" 'sorted((r["plant"], r["batches"], float(r["oil_kg"]), float(r["charge_kg"])) for r in d) == [("north", 3, 5.3, 550.0), ("south", 2, 3.5, 350.0)]'
tap_check "yields: yield_pct = 100 x oil / charge" json "$L/y.json" \
	'all(abs(float(r["yield_pct"]) - 100 * float(r["oil_kg"]) / float(r["charge_kg"])) < 0.001 for r in d)'
"$BUILD/stillroom" -c "$L/north.yaml" report yields --by month --json >"$L/py.json"
tap_check "yields: north's oil and cost equal the plant's own report yields" "$PYTHON" -c '
import json, sys
a = [r for r in json.load(open(sys.argv[1])) if r["plant"] == "north"][0]
p = json.load(open(sys.argv[2]))[0]
ok = abs(float(a["oil_kg"]) - p["oil_kg"]) < 1e-6 and a["batches"] == p["batches"]
ok = ok and (p["cost_vnd"] is None or abs(float(a["cost_vnd"]) - p["cost_vnd"]) <= 1)
sys.exit(0 if ok else 1)' "$L/y.json" "$L/py.json"
"$A" alliance yields --postgres "$AL" >"$L/y.txt"
tap_check "yields (text): a head line and a line per row" sh -c \
	"head -n 1 '$L/y.txt' | grep -q '^plant  *feedstock  *month' && test \$(wc -l <'$L/y.txt') = 3"

# ---- traces ----------------------------------------------------------------
"$A" alliance trace --drum D-CONV --postgres "$AL" --json >"$L/d.json"
tap_check "trace --drum D-CONV: in both plants, batch 1 from L2 and L3" json "$L/d.json" \
	'sorted((r["plant"], r["batch_id"], r["lot_id"]) for r in d) == [("north", 1, "L2"), ("north", 1, "L3"), ("south", 1, "L2"), ("south", 1, "L3")]'
tap_check "trace --drum: the grams attributed sum to the weighing in each plant" json "$L/d.json" \
	'all(sum(r["oil_g"] for r in d if r["plant"] == p) == 2000 for p in ("north", "south"))'
CODE=$(q "select trace_code from drums where drum_id = 'D-CONV'")
"$A" alliance trace --drum "$CODE" --postgres "$AL" --json >"$L/dc.json"
tap_check "trace --drum by trace code: the same rows" cmp -s "$L/d.json" "$L/dc.json"
"$A" alliance trace --lot L1 --postgres "$AL" --json >"$L/l.json"
tap_check "trace --lot L1: batch 2, drum D-TWO shipped to Hương Liệu Co, in both plants" json "$L/l.json" \
	'sorted((r["plant"], r["batch_id"], r["drum_id"], r["buyer"], r["doc_no"]) for r in d) == [(p, 2, "D-TWO", "Hương Liệu Co", "INV-7") for p in ("north", "south")]'
"$A" alliance trace --lot L4 --postgres "$AL" --json >"$L/l4.json"
tap_check "trace --lot L4: only north has it, batch 3, not in a drum" json "$L/l4.json" \
	'[(r["plant"], r["batch_id"], r["drum_id"]) for r in d] == [("north", 3, None)]'

# ---- a grower across plants --------------------------------------------------
"$A" alliance grower "$HOA" --postgres "$AL" --json >"$L/g.json"
tap_check "grower: her lots in every plant (north L3 and L4, south L3)" json "$L/g.json" \
	'sorted((r["plant"], r["lot_id"], r["mass_received_kg"]) for r in d) == [("north", "L3", 300), ("north", "L4", 300), ("south", "L3", 300)]'
tap_check "grower: the oil attributed to her lots (L4: all of batch 3)" json "$L/g.json" \
	'[r["oil_g"] for r in d if r["lot_id"] == "L4"] == [1800]'
"$A" alliance grower "$HOA" --postgres "$AL" >"$L/g.txt"
tap_check "grower (text): names and columns" sh -c \
	"grep -q '^north  *$HOA  *L3' '$L/g.txt' && head -n 1 '$L/g.txt' | grep -q 'received \[kg\]'"

# ---- in Vietnamese: the headings, not the values, not the JSON ---------------
"$A" --lang vi alliance yields --postgres "$AL" >"$L/y.vi.txt"
tap_check "yields --lang vi: Vietnamese headings ($(head -n 1 "$L/y.vi.txt"))" sh -c \
	"head -n 1 '$L/y.vi.txt' | grep -q '^cơ sở  *nguyên liệu  *tháng  *mẻ  *khối lượng nạp \[kg\]'"
tap_check "yields --lang vi: the same rows as in English (but for the padding)" sh -c \
	"test \"\$(tail -n +2 '$L/y.vi.txt' | tr -s ' ')\" = \"\$(tail -n +2 '$L/y.txt' | tr -s ' ')\""
"$A" --lang vi alliance grower "$HOA" --postgres "$AL" >"$L/g.vi.txt"
tap_check "grower --lang vi: Vietnamese headings ($(head -n 1 "$L/g.vi.txt"))" sh -c \
	"head -n 1 '$L/g.vi.txt' | grep -q '^cơ sở  *hộ trồng  *lô .*khối lượng nhận \[kg\]  *giá \[VND/kg\]'"
"$A" --lang vi alliance trace --lot L1 --postgres "$AL" >"$L/l.vi.txt"
tap_check "trace --lot --lang vi: Vietnamese headings ($(head -n 1 "$L/l.vi.txt"))" sh -c \
	"head -n 1 '$L/l.vi.txt' | grep -q 'thùng .*người mua  *số chứng từ  *ngày giao'"
"$A" --lang vi alliance yields --postgres "$AL" --json >"$L/y.vi.json"
tap_check "yields --lang vi --json: the same JSON as in English" cmp -s "$L/y.json" "$L/y.vi.json"

# ---- refusals ----------------------------------------------------------------
# one_line DESC RC ARGS...: `stillroom ARGS` exits RC with one line on stderr
one_line() {
	_d=$1 _rc=$2
	shift 2
	"$A" "$@" >"$L/out" 2>"$L/err"
	_got=$?
	if [ $_got -eq "$_rc" ] && [ "$(wc -l <"$L/err")" -eq 1 ]; then
		tap_ok "$_d: $(cat "$L/err")"
	else
		tap_fail "$_d (exit $_got, stderr: $(head -c 300 "$L/err"))"
	fi
}
one_line "a drum no plant has: exit 1" 1 alliance trace --drum NOPE --postgres "$AL"
one_line "a plant's role may not read the views" 1 alliance yields \
	--postgres "host=127.0.0.1 port=$PGPORT dbname=postgres user=north"
one_line "an unreachable server: exit 1" 1 alliance yields \
	--postgres "host=127.0.0.1 port=$(free_port) connect_timeout=2"
"$A" alliance trace --postgres "$AL" >"$L/out" 2>"$L/err"
tap_check "trace without --drum or --lot: usage, exit 2" test $? = 2
env -u LC_MESSAGES -u LANG LANGUAGE=vi LC_ALL=C.UTF-8 "$A" alliance trace --drum NOPE \
	--postgres "$AL" >"$L/out" 2>"$L/err"
tap_check "a drum no plant has, in Vietnamese: $(cat "$L/err")" grep -q "không cơ sở nào có 'NOPE'" "$L/err"
env -u LC_MESSAGES -u LANG LANGUAGE=vi LC_ALL=C.UTF-8 "$SYNC" -c "$PLANT_CONF" --once \
	>"$L/out" 2>"$L/err"
tap_check "stillroom-sync in Vietnamese: a config without sync: ($(cat "$L/err"))" \
	grep -q "không có mục sync:" "$L/err"
tap_check "alliance needs no plant config" sh -c \
	"'$A' -c /nonexistent.yaml alliance yields --postgres '$AL' --json | grep -q north"

pg_stop
