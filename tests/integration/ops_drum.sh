#!/bin/sh
# ops_drum: drums, shipments and advances end to end through the CLI and
# the daemon (real stillroomd and simulator). Two batches (one organic,
# one conventional) are stopped and weighed; oil goes into an organic and
# a conventional drum; the organic drum ships once its batch is released;
# a grower gets an advance. Every refusal (a conventional batch into the
# organic drum, more oil than the batch has left, an unweighed batch, a
# first fill without tare, bad numbers, an unreleased or already shipped
# drum, an advance to nobody or of no money) prints one sentence naming
# the batch, drum or field and leaves `sqlite3 DB .dump` identical.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh

ops_plant

GROWER="Hộ Lò Văn Minh"
sr lot add L1 --feedstock cassia-leaf --mass 300 --grower "$GROWER" --origin "Văn Yên" \
	--organic-cert VN-ORG-7 --organic-body "Control Union" >/dev/null
sr lot add L2 --feedstock cassia-leaf --mass 300 --grower "Ho Pham Van Dung" \
	--origin "Mậu A" >/dev/null
tap_check "an organic batch starts on still1" sr start still1 --recipe quick-leaf-organic \
	--lot L1:200
tap_check "a conventional batch starts on still2" sr start still2 --recipe quick-leaf \
	--lot L2:150
refused "a running batch fills no drum" 1 "batch 1" \
	drum fill D-ORG --batch 1 --kg 1 --tare 18 --organic
sr stop still1 >/dev/null
sr stop still2 >/dev/null
wait_for "batch 1 is stopped" 30 field_is still1 state stopped
wait_for "batch 2 is stopped" 30 field_is still2 state stopped
refused "an unweighed batch fills no drum" 1 "batch 1" \
	drum fill D-ORG --batch 1 --kg 1 --tare 18 --organic
tap_check "batch 1 weighed: 2 kg of oil" sr weigh 1 --oil-kg 2
tap_check "batch 2 weighed: 1.5 kg of oil" sr weigh 2 --oil-kg 1.5

tap_check "the organic drum's first fill: 1.2 kg of batch 1, tare 18 kg" \
	sr drum fill D-ORG --batch 1 --kg 1.2 --tare 18 --organic
refused "a conventional batch into the organic drum" 1 "batch 2" \
	drum fill D-ORG --batch 2 --kg 0.5
refused "more oil than batch 1 has left (0.8 kg)" 1 "batch 1" \
	drum fill D-ORG --batch 1 --kg 0.9
refused "a new drum without its tare" 1 "tare" drum fill D-NEW --batch 2 --kg 0.5
refused "oil that is not a number" 2 "oil" drum fill D-ORG --batch 1 --kg abc
refused "oil beyond any number" 2 "oil" drum fill D-ORG --batch 1 --kg 1e999
refused "a batch that is not a number" 2 "batch" drum fill D-ORG --batch one --kg 0.1
refused "--organic and a value" 2 "organic" drum fill D-ORG --batch 1 --kg 0.1 --organic=2
tap_check "the rest of batch 1 into the organic drum" \
	sr drum fill D-ORG --batch 1 --kg 0.8
tap_check "batch 2 into a conventional drum (organic 0 by default)" \
	sr drum fill D-CONV --batch 2 --kg 1.5 --tare 17.5
tap_check "the drums hold what was filled" test "$(q "select group_concat(x, ' ') from \
(select d.drum_id || '=' || d.organic || '/' || (select round(sum(oil_kg), 3) from \
drum_fills f where f.drum_id = d.drum_id) as x from drums d order by d.drum_id)")" = \
	"D-CONV=0/1.5 D-ORG=1/2.0"

refused "a drum whose batch is not released does not ship" 1 "batch 1" \
	ship D-ORG --buyer "Hương Liệu Co" --doc INV-7 --date 2026-12-01
sr qa record 1 --density 1.060 --ri 1.605 --marker 85 --analyst Hoa >/dev/null
tap_check "batch 1 is released" sr qa release 1
refused "a shipment with a bad date" 1 "2026-13-01" \
	ship D-ORG --buyer "Hương Liệu Co" --doc INV-7 --date 2026-13-01
refused "an unknown drum does not ship" 1 "D-NONE" \
	ship D-ORG D-NONE --buyer "Hương Liệu Co" --doc INV-7 --date 2026-12-01
tap_check "the organic drum ships" \
	sr ship D-ORG --buyer "Hương Liệu Co" --doc INV-7 --date 2026-12-01
refused "a drum ships once" 1 "D-ORG" \
	ship D-ORG --buyer "Other" --doc INV-8 --date 2026-12-02
refused "a shipped drum takes no more oil" 1 "D-ORG" \
	drum fill D-ORG --batch 1 --kg 0.001
tap_check "the shipment is recorded with its drum" test "$(q "select s.buyer || '|' || \
s.doc_no || '|' || s.ship_date || '|' || group_concat(sd.drum_id) from shipments s join \
shipment_drums sd on sd.shipment_id = s.id")" = "Hương Liệu Co|INV-7|2026-12-01|D-ORG"

tap_check "an advance to a grower" sr advance "$GROWER" --vnd 500000 --date 2026-11-30 \
	--why "seed money"
refused "an advance to a grower with no lot" 1 "Nobody" \
	advance Nobody --vnd 1000 --date 2026-11-30
refused "an advance of nothing" 2 "advance" advance "$GROWER" --vnd 0 --date 2026-11-30
refused "an advance in part of a dong" 2 "advance" advance "$GROWER" --vnd 10.5 --date 2026-11-30
refused "an advance with a bad date" 1 "30-11-2026" \
	advance "$GROWER" --vnd 1000 --date 30-11-2026
tap_check "the advance is recorded" test "$(q "select grower || '|' || amount_vnd || '|' || \
paid_on from advances")" = "$GROWER|500000|2026-11-30"

# ---- lot correct: new rows, never edits; moisture re-attributes ----
tap_check "batch 2's oil was attributed by the mass drawn (L2 had no moisture)" test \
	"$(q "select method || ' ' || oil_g from attribution_now where batch_id = 2")" = \
	"charged_mass 1500"
tap_check "L2's moisture corrected to 12 %" sr lot correct L2 --moisture 12 --why "re-measured"
tap_check "the correction is a row with the old and new value, who and why" test \
	"$(q "select field || '|' || coalesce(old_value, '') || '|' || new_value || '|' || who || \
'|' || why from lot_corrections where lot_id = 'L2'")" = "moisture_pct||12|tester|re-measured"
tap_check "batch 2 is attributed again, by dry mass" test "$(q "select count(*) || ' ' || \
method from attributions a where batch_id = 2 and revision = (select max(revision) from \
attributions where batch_id = 2)")" = "1 dry_mass"
tap_check "L1's certificate renewed" sr lot correct L1 --organic-cert VN-ORG-8 --why renewed
refused "a correction without why" 1 "why" lot correct L2 --moisture 11
refused "a correction that names no field" 1 "no field" lot correct L2 --why nothing
refused "a field that cannot be corrected" 2 "grower" lot correct L2 --grower X --why x
refused "a moisture out of range" 2 "moisture" lot correct L2 --moisture 150 --why x
refused "an oil content that is not a number" 2 "oil content" \
	lot correct L2 --oil-content abc --why x
refused "the same value again" 1 "12" lot correct L2 --moisture 12 --why again
refused "an unknown lot" 1 "NOPE" lot correct NOPE --moisture 10 --why x
tap_check "the audit trail verifies" sr audit verify
