#!/bin/sh
# rec_settle: `stillroom settle` on a record made through the daemon (real
# stillroomd and simulator): lots of three households (leaf and bark, a
# price paid at intake, a price corrected later), a two-lot batch weighed
# and released, a one-lot batch weighed and not released, a batch never
# weighed, advances in and out of the period, a weighing corrected (the
# oil attributed again). Then:
#   - settle --csv: every household's row and the TOTAL equal an
#     independent computation in sqlite3 from the tables (the rule of
#     docs/RECORDS.md, "Member settlement"), to the gram and the dong;
#   - settle --json: growers sum to the total, the total's oil to the
#     latest weighings (oil_weighed_g), due = raw + share + bonus - paid;
#   - the text report fits 80 columns, names the batch not weighed, and
#     reads in Vietnamese with --lang vi;
#   - --grower keeps one household;
#   - refusals, each one sentence and nothing on stdout: a feedstock the
#     rule has no price for (named), no settlement: section, bad dates.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh

# The test's own rule (the figures the sqlite3 computation below uses),
# without star-anise; oil prices are the bundled economics: (leaf 900,000
# VND/kg).
plant_config '/^settlement:/,$d'
cat >>"$PLANT_CONF" <<'EOF'
settlement:
  raw_price: {cassia-leaf: 2500 VND_per_kg, cassia-bark: 28000 VND_per_kg}
  oil_share_pct: 30 %
  quality_bonus_pct: 5 %
EOF
tap_check "the test's settlement rule checks" "$BUILD/stillroomd" -c "$PLANT_CONF" --check-config
plant_start_sim
plant_start_daemon
TODAY=$(date -u +%F)

A="Hộ Lò Văn Minh" B="Hộ Phạm Văn Dũng" C="Hộ Triệu Thị Hoa"
sr lot add LA1 --feedstock cassia-leaf --mass 300.125 --grower "$A" --origin "Văn Yên" \
	--moisture 12 --price 1000 >/dev/null
sr lot add LA2 --feedstock cassia-bark --mass 100.5 --grower "$A" --origin "Văn Yên" \
	--part bark --price 20000 >/dev/null
sr lot add LB1 --feedstock cassia-leaf --mass 300 --grower "$B" --origin "Mậu A" \
	--moisture 20 >/dev/null
sr lot add LC1 --feedstock cassia-leaf --mass 250.333 --grower "$C" --origin "Đại Sơn" \
	--moisture 15 --price 1200 >/dev/null
tap_check "four lots of three households are on record" test "$(q "select count(*) from lots")" = 4

tap_check "batch 1: lots of two households on still1" \
	sr start still1 --recipe quick-leaf --lot LA1:200 --lot LB1:150.5
tap_check "batch 2: one lot on still2" sr start still2 --recipe quick-leaf --lot LC1:180
sr stop still1 >/dev/null
sr stop still2 >/dev/null
wait_for "batch 1 is stopped" 30 field_is still1 state stopped
wait_for "batch 2 is stopped" 30 field_is still2 state stopped
tap_check "batch 1 weighed: 2.345 kg" sr weigh 1 --oil-kg 2.345
tap_check "batch 2 weighed: 1.111 kg" sr weigh 2 --oil-kg 1.111
sr qa record 1 --density 1.060 --ri 1.605 --marker 85 --analyst Hoa >/dev/null
tap_check "batch 1 is released in QA (batch 2 is not)" sr qa release 1
sr reset still1 >/dev/null
tap_check "batch 3 on still1, never weighed" sr start still1 --recipe quick-leaf --lot LA1:100
sr stop still1 >/dev/null
wait_for "batch 3 is stopped" 30 field_is still1 state stopped
tap_check "an advance to $A in the period" sr advance "$A" --vnd 500000 --date "$TODAY"
tap_check "an advance to $B before it" sr advance "$B" --vnd 77777 --date 2020-01-01
tap_check "$B's lot gets its intake price by a correction" \
	sr lot correct LB1 --price 1500 --why "receipt found"
tap_check "batch 1 weighed again: 2.401 kg (its oil attributed again)" \
	sr weigh 1 --oil-kg 2.401 --why "scale recalibrated"

# ---- the independent computation (sqlite3 alone) ---------------------------
EXPECTED="
WITH rp(feed, vnd) AS (VALUES ('cassia-leaf', 2500), ('cassia-bark', 28000)),
op(feed, vnd) AS (VALUES ('cassia-leaf', 900000), ('cassia-bark', 1200000)),
pl AS (SELECT l.lot_id, l.grower, l.feedstock, l.mass_received_kg AS kg,
  coalesce((SELECT CAST(c.new_value AS REAL) FROM lot_corrections c
   WHERE c.lot_id = l.lot_id AND c.field = 'price_vnd_per_kg'
   ORDER BY c.id DESC LIMIT 1), l.price_vnd_per_kg) AS price
  FROM lots l WHERE substr(l.received_at, 1, 10) BETWEEN '$TODAY' AND '$TODAY'),
latest AS (SELECT a.id, a.batch_id FROM attributions a WHERE a.revision =
  (SELECT max(x.revision) FROM attributions x WHERE x.batch_id = a.batch_id)),
rel AS (SELECT b.id, coalesce((SELECT d.decision FROM qa_decisions d
  WHERE d.batch_id = b.id ORDER BY d.id DESC LIMIT 1), '') = 'released' AS ok,
  b.feedstock FROM batches b
  WHERE substr(b.started_at, 1, 10) BETWEEN '$TODAY' AND '$TODAY'),
x(grower, g, rawv, oil, oilv, relv, paid) AS (
  SELECT grower, round(kg * 1000), round(kg * 1000) * (SELECT vnd FROM rp WHERE feed = feedstock),
   0, 0, 0, coalesce(round(price * kg), 0) FROM pl
  UNION ALL SELECT lo.grower, 0, 0, al.oil_g, al.oil_g * op.vnd,
   CASE WHEN rel.ok THEN al.oil_g * op.vnd ELSE 0 END, 0
   FROM latest JOIN rel ON rel.id = latest.batch_id
   JOIN attribution_lots al ON al.attribution_id = latest.id
   JOIN lots lo ON lo.lot_id = al.lot_id JOIN op ON op.feed = rel.feedstock
  UNION ALL SELECT grower, 0, 0, 0, 0, 0, amount_vnd FROM advances
   WHERE paid_on BETWEEN '$TODAY' AND '$TODAY'),
g AS (SELECT grower, sum(g) / 1000.0 AS raw_kg, sum(oil) AS oil_g,
  CAST(round(sum(rawv) / 1000.0) AS INTEGER) AS raw,
  CAST(round(sum(oilv) * 30 / 100000.0) AS INTEGER) AS share,
  CAST(round(sum(relv) * 30 * 5 / 10000000.0) AS INTEGER) AS bonus,
  CAST(sum(paid) AS INTEGER) AS paid FROM x GROUP BY grower)
SELECT grower, printf('%.3f', raw_kg), oil_g, raw, share, bonus, paid,
 raw + share + bonus - paid FROM g
UNION ALL SELECT 'TOTAL', printf('%.3f', sum(raw_kg)), sum(oil_g), sum(raw),
 sum(share), sum(bonus), sum(paid), sum(raw + share + bonus - paid) FROM g"
sqlite3 -separator , "$PLANT_DB" "$EXPECTED" >"$TEST_LOG_DIR/expected.csv"
sr settle --from "$TODAY" --to "$TODAY" --csv >"$TEST_LOG_DIR/settle.csv" 2>&1
tr -d '\r' <"$TEST_LOG_DIR/settle.csv" | sed 1d | cut -d, -f1-8 >"$TEST_LOG_DIR/got.csv"
tap_check "settle --csv: three households and a TOTAL row" test "$(wc -l <"$TEST_LOG_DIR/got.csv")" -eq 4
tap_check "settle --csv equals the sqlite3 computation, to the gram and the dong" \
	cmp "$TEST_LOG_DIR/expected.csv" "$TEST_LOG_DIR/got.csv"
tap_check "settle --csv: the header names the columns" sh -c \
	"head -n 1 '$TEST_LOG_DIR/settle.csv' | tr -d '\r' | grep -qx 'grower,raw_kg,oil_g,raw_vnd,oil_share_vnd,bonus_vnd,paid_vnd,due_vnd,deliveries'"
tap_check "settle --csv: $B's corrected intake price is paid (300 kg x 1,500 VND)" \
	grep -qF "$B,300.000,975,750000,263250,13163,450000," "$TEST_LOG_DIR/settle.csv"
tap_check "settle --csv: $A's deliveries by feedstock and part" \
	grep -qF "cassia-bark/bark:100.500" "$TEST_LOG_DIR/settle.csv"
sed 's/^/# expected: /' "$TEST_LOG_DIR/expected.csv"
sed 's/^/# got:      /' "$TEST_LOG_DIR/got.csv"

sr settle --from "$TODAY" --to "$TODAY" --json >"$TEST_LOG_DIR/settle.json"
tap_check "settle --json: growers sum to the total; the oil to the latest weighings" \
	"$PYTHON" - "$TEST_LOG_DIR/settle.json" 2401 1111 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
g, t = s["growers"], s["total"]
for k in ("oil_g", "raw_vnd", "oil_share_vnd", "bonus_vnd", "paid_vnd", "due_vnd"):
    assert t[k] == sum(x[k] for x in g), (k, t, g)
assert abs(t["raw_kg"] - sum(x["raw_kg"] for x in g)) < 5e-4, t
for x in g + [t]:
    assert x["due_vnd"] == x["raw_vnd"] + x["oil_share_vnd"] + x["bonus_vnd"] - x["paid_vnd"], x
    assert abs(x["raw_kg"] - sum(d["raw_kg"] for d in x["deliveries"])) < 5e-4, x
weighed = sum(int(a) for a in sys.argv[2:])
assert s["oil_weighed_g"] == weighed and t["oil_g"] == weighed, (s["oil_weighed_g"], t)
assert [b["batch_id"] for b in s["not_weighed"]] == [3], s["not_weighed"]
EOF

sr settle --from "$TODAY" --to "$TODAY" >"$TEST_LOG_DIR/settle.txt"
tap_check "the text report fits 80 columns" "$PYTHON" -c \
	"import sys; sys.exit(max(len(l.rstrip('\n')) for l in open(sys.argv[1], encoding='utf-8')) > 80)" \
	"$TEST_LOG_DIR/settle.txt"
due=$(awk -F, '$1 == "TOTAL" { print $8 }' "$TEST_LOG_DIR/expected.csv")
tap_check "the text report: a block per household and the TOTAL" sh -c \
	"grep -qx '$A' '$TEST_LOG_DIR/settle.txt' && grep -qx 'TOTAL' '$TEST_LOG_DIR/settle.txt'"
tap_check "the text report names the batch not weighed" \
	grep -q "Not weighed (no oil attributed yet): batch 3 (stopped)" "$TEST_LOG_DIR/settle.txt"
tap_check "the text report's total due in VND ($due)" sh -c \
	"'$PYTHON' -c 'print(format($due, \",\") + \" VND\")' | xargs -I{} grep -qF '{}' '$TEST_LOG_DIR/settle.txt'"
sr --lang vi settle --from "$TODAY" --to "$TODAY" >"$TEST_LOG_DIR/settle.vi.txt"
tap_check "in Vietnamese: dong as ₫ and the labels translated" sh -c \
	"grep -q '₫' '$TEST_LOG_DIR/settle.vi.txt' && grep -q 'TỔNG' '$TEST_LOG_DIR/settle.vi.txt' && ! grep -q 'already paid' '$TEST_LOG_DIR/settle.vi.txt'"

sr settle --from "$TODAY" --to "$TODAY" --grower "$C" --csv >"$TEST_LOG_DIR/one.csv"
tap_check "--grower keeps one household (and its TOTAL)" test \
	"$(tr -d '\r' <"$TEST_LOG_DIR/one.csv" | sed 1d | cut -d, -f1-8)" = \
	"$(grep -F "$C," "$TEST_LOG_DIR/expected.csv")
$(grep -F "$C," "$TEST_LOG_DIR/expected.csv" | sed 's/^[^,]*,/TOTAL,/')"

# ---- refusals: one sentence, nothing on stdout ------------------------------
settle_refused() {
	_desc=$1 _rc=$2 _want=$3
	shift 3
	"$@" >"$TEST_LOG_DIR/out" 2>"$TEST_LOG_DIR/err"
	_got=$?
	if [ "$_got" -eq "$_rc" ] && [ ! -s "$TEST_LOG_DIR/out" ] &&
	   grep -qF -- "$_want" "$TEST_LOG_DIR/err"; then
		tap_ok "$_desc: $(head -n 1 "$TEST_LOG_DIR/err")"
	else
		tap_fail "$_desc (exit $_got; $(head -n 2 "$TEST_LOG_DIR/err" | tr '\n' ' '))"
	fi
}
sr lot add LS1 --feedstock star-anise --mass 50 --grower "Hộ Vàng A Pao" --origin "Bình Gia" >/dev/null
settle_refused "a feedstock the rule has no raw price for" 1 \
	"has no price for feedstock 'star-anise' (delivered by Hộ Vàng A Pao)" \
	sr settle --from "$TODAY" --to "$TODAY"
tap_check "a household without it still settles" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' settle --from $TODAY --to $TODAY --grower '$A' --json >/dev/null"
sed '/^settlement:/,$d' "$PLANT_CONF" >"$TEST_LOG_DIR/norule.yaml"
settle_refused "a plant configuration without settlement:" 1 "has no 'settlement:' section" \
	"$BUILD/stillroom" -c "$TEST_LOG_DIR/norule.yaml" settle --from "$TODAY" --to "$TODAY"
settle_refused "a date that is not one" 1 "is not a date" sr settle --from 2026-13-01 --to "$TODAY"
settle_refused "a period that ends before it begins" 1 "before it begins" \
	sr settle --from "$TODAY" --to 2020-01-01
settle_refused "no period" 2 "--from and --to" sr settle --from "$TODAY"
settle_refused "an unknown option" 2 "unknown argument --lot" \
	sr settle --from "$TODAY" --to "$TODAY" --lot LA1

plant_finish still1 still2
