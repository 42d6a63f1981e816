#!/bin/sh
# docs/img/make.sh: makes the pictures of docs/RECORDS.md "Documents", one
# PNG per document (the first screen of it at a moderate width), from a
# small record made on the simulator: two households' lots of cassia leaf,
# two batches run to the end at 150x, weighed, one QA-released and put in
# a drum. Rerun it from the top of the tree after `make`:
#
#     sh docs/img/make.sh            (needs Debian's chromium)
#
# It starts its own stillroom-sim and stillroomd on a free port with a
# private database under a temporary folder (tests/plant.sh), and writes
# docs/img/{batch,yields,label,trace,statement}.png and the HTML beside
# them in that folder. A document whose command this tree lacks is named
# and skipped.
cd "$(dirname "$0")/../.." || exit 2
TEST_LOG_DIR=$(mktemp -d /tmp/stillroom-img.XXXXXX)
SPEED=150
. tests/lib.sh
. tests/plant.sh

OUT=docs/img
TODAY=$(date -u +%F)
A="Hộ Lò Văn Minh" B="Hộ Phạm Văn Dũng"

plant_config "$CTL_FROZEN_OFF"
sed -e 's/^name: quick-leaf/name: demo-leaf/' \
	-e 's/reach: still_temp, above: 40 C/reach: vapour_temp, above: 95 C/' \
	-e 's/end: {after: 3 min}/end: {after: 12 min}/' \
	-e 's/    max: 10 min/    max: 40 min/' \
	tests/data/it/quick-leaf.yaml >"$TEST_LOG_DIR/recipes/demo-leaf.yaml"
plant_start_sim
plant_start_daemon || exit 1

sr lot add LA1 --feedstock cassia-leaf --mass 600 --grower "$A" --origin "Văn Yên" \
	--moisture 12 --price 1000 >/dev/null
sr lot add LB1 --feedstock cassia-leaf --mass 500 --grower "$B" --origin "Mậu A" \
	--moisture 14 >/dev/null
sr start still1 --recipe demo-leaf --lot LA1:250 --lot LB1:200 >/dev/null
sr start still2 --recipe demo-leaf --lot LB1:280 >/dev/null
wait_for "still1 asks its first question" 20 field_has still1 prompt Condenser
wait_for "still2 asks its first question" 20 field_has still2 prompt Condenser
sr answer still1 yes >/dev/null
sr answer still2 yes >/dev/null
wait_for "batch 1 completes" 120 field_is still1 state complete
wait_for "batch 2 completes" 120 field_is still2 state complete
sr weigh 1 --oil-kg 3.412 >/dev/null
sr weigh 2 --oil-kg 2.087 >/dev/null
sr qa record 1 --density 1.060 --ri 1.605 --marker 85 --analyst Hoa >/dev/null
sr qa release 1 >/dev/null
sr drum fill D-101 --batch 1 --kg 3.4 --tare 17.5 >/dev/null

# shot NAME WIDTH HEIGHT ARGS...: `stillroom ARGS` to NAME.html, its first
# WIDTH x HEIGHT px in chromium to docs/img/NAME.png.
shot() {
	_name=$1 _w=$2 _h=$3
	shift 3
	if ! sr "$@" >"$TEST_LOG_DIR/$_name.html" 2>"$TEST_LOG_DIR/$_name.err"; then
		tap_skip "$_name.png" "stillroom $*: $(head -n 1 "$TEST_LOG_DIR/$_name.err")"
		return 0
	fi
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$TEST_LOG_DIR/chromium" --window-size="$_w,$_h" \
		--screenshot="$OUT/$_name.png" "file://$TEST_LOG_DIR/$_name.html" \
		>"$TEST_LOG_DIR/chromium-$_name.log" 2>&1
	tap_check "$_name.png: stillroom $* ($(du -k "$OUT/$_name.png" 2>/dev/null | cut -f1) KB)" \
		test -s "$OUT/$_name.png"
}

shot batch 820 1700 report batch 1 --html
shot yields 820 1160 report yields --html
shot label 420 600 drum label D-101 --html
shot trace 820 1160 trace --drum D-101 --html
shot statement 820 1160 settle --html --from "$TODAY" --to "$TODAY" --grower "$A"
tap_note "the HTML is in $TEST_LOG_DIR"
