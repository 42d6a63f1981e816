#!/bin/sh
# ops_start: a charge made of several lots, through the CLI and the daemon
# (real stillroomd and simulator). `stillroom start --lot L1:M1 --lot
# L2:M2` draws each lot in the batch's transaction, the charge is the sum,
# the batch is organic only when every lot is. Each refusal (a lot of
# another feedstock, an over-draw, a --mass that is not the sum, an organic
# recipe with a conventional lot, a lot named twice, bad numbers, lot and
# lots together) prints one sentence naming the lot and leaves
# `sqlite3 DB .dump` identical.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh

ops_plant

tap_check "lot L-ORG (organic leaf) is added" sr lot add L-ORG --feedstock cassia-leaf \
	--mass 300 --grower "Hộ Lò Văn Minh" --origin "Văn Yên" --part leaf --price 4500 \
	--organic-cert VN-ORG-7 --organic-body "Control Union"
tap_check "lot L-ORG2 (organic leaf) is added" sr lot add L-ORG2 --feedstock cassia-leaf \
	--mass 300 --grower "Hộ Hoàng Thị Lan" --origin "Văn Yên" --organic-cert VN-ORG-9 \
	--organic-body "Control Union"
tap_check "lot L-CONV (conventional leaf) is added" sr lot add L-CONV --feedstock cassia-leaf \
	--mass 300 --grower "Ho Pham Van Dung" --origin "Mậu A"
tap_check "lot L-BARK is added" sr lot add L-BARK --feedstock cassia-bark --mass 300 \
	--grower "Ho Pham Van Dung" --origin "Mậu A"

tap_check "lot add keeps part, price and certificate" test "$(q "select plant_part || '|' || \
price_vnd_per_kg || '|' || organic_cert || '|' || organic_body from lots where lot_id = 'L-ORG'")" = \
	"leaf|4500.0|VN-ORG-7|Control Union"
refused "a lot add with a price that is not a number" 2 "price" lot add L-X \
	--feedstock cassia-leaf --mass 10 --grower G --origin O --price abc
refused "a lot add with an unknown plant part" 1 "root" lot add L-X \
	--feedstock cassia-leaf --mass 10 --grower G --origin O --part root

refused "a lot of another feedstock" 1 "L-BARK" \
	start still1 --recipe quick-leaf --lot L-ORG:100 --lot L-BARK:100
refused "an over-draw" 1 "L-CONV" \
	start still1 --recipe quick-leaf --lot L-ORG:100 --lot L-CONV:400
refused "a --mass that is not the sum" 1 "L-CONV" \
	start still1 --recipe quick-leaf --lot L-ORG:100 --lot L-CONV:100 --mass 250
refused "an organic recipe with a conventional lot" 1 "L-CONV" \
	start still1 --recipe quick-leaf-organic --lot L-ORG:100 --lot L-CONV:100
refused "an organic recipe, one-lot form, conventional lot" 1 "L-CONV" \
	start still1 --recipe quick-leaf-organic --lot L-CONV --mass 150
refused "a lot named twice" 2 "L-ORG" \
	start still1 --recipe quick-leaf --lot L-ORG:100 --lot L-ORG:50
refused "a lot without its mass" 2 "L-ORG" \
	start still1 --recipe quick-leaf --lot L-ORG: --lot L-CONV:100
refused "a mass without its lot" 2 "lot id" \
	start still1 --recipe quick-leaf --lot :200 --lot L-CONV:100
refused "a mass that is not a number" 2 "L-CONV" \
	start still1 --recipe quick-leaf --lot L-ORG:100 --lot L-CONV:abc
refused "a mass beyond any number" 2 "L-CONV" \
	start still1 --recipe quick-leaf --lot L-ORG:100 --lot L-CONV:1e999
refused "lots over the recipe's charge limits" 1 "charge limits" \
	start still1 --recipe quick-leaf --lot L-ORG:300 --lot L-CONV:300 --lot L-ORG2:100
tap_check "the lots are untouched" test "$(q "select group_concat(mass_remaining_kg) from \
lots order by lot_id")" = "300.0,300.0,300.0,300.0"

tap_check "a two-lot charge of mixed lots starts on still1" sr start still1 \
	--recipe quick-leaf --lot L-ORG:100 --lot L-CONV:150.5
tap_check "the batch draws each lot and charges their sum" test \
	"$(q "select charge_kg || ' ' || organic || ' ' || (select group_concat(lot_id || '=' || \
mass_kg, ',') from (select * from batch_lots where batch_id = b.id order by lot_id)) \
from batches b where id = 1")" = "250.5 0 L-CONV=150.5,L-ORG=100.0"
tap_check "each lot is drawn down" test "$(q "select group_concat(lot_id || '=' || \
mass_remaining_kg, ',') from (select * from lots order by lot_id)")" = \
	"L-BARK=300.0,L-CONV=149.5,L-ORG=200.0,L-ORG2=300.0"
tap_check "an organic recipe starts on still2 from two organic lots, --mass matching" \
	sr start still2 --recipe quick-leaf-organic --lot L-ORG:50 --lot L-ORG2:100 --mass 150
tap_check "that batch is organic" test "$(q "select organic || ' ' || charge_kg from \
batches where id = 2")" = "1 150.0"
tap_check "the audit trail still verifies" sr audit verify
