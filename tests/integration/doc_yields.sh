#!/bin/sh
# doc_yields: `stillroom report yields --html` (issue 15, "Yields at a
# glance"; docs/RECORDS.md "Documents") on a record made through the real
# daemon and simulator: three batches of three households, two
# feedstocks, two stills, weighed (the bundled economics cost them). Then:
#   - the document has a section per grouping (feedstock, month, still,
#     grower), each with its three bar charts (mean yield, oil, cost per
#     kg of oil);
#   - each section's table holds the same rows and figures as
#     `report yields --by X --json` (tests/integration/doc_yields.py);
#   - rendered in headless chromium (tests/doc.sh): no console message, A4
#     pages, the text is there (pdftotext), xmllint --html clean, no
#     external reference; the same in Vietnamese (--lang vi);
#   - before any batch, each section says so;
#   - bad input (--from not a date): one sentence, nothing on stdout.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh
. tests/doc.sh

CHECK=tests/integration/doc_yields.py

# rendered DOC TEXT...: DOC is well formed, self-contained, renders in
# chromium with no console message, prints on A4 and shows every TEXT.
rendered() {
	_doc=$1
	shift
	tap_check "$(basename "$_doc"): well formed (xmllint --html)" doc_wellformed "$_doc"
	tap_check "$(basename "$_doc"): no script, no reference outside the file" \
		doc_no_external "$_doc"
	tap_check "$(basename "$_doc"): chromium renders PNG and PDF, no console message" \
		doc_render "$_doc" "$TEST_LOG_DIR"
	tap_check "$(basename "$_doc"): every printed page is A4" \
		doc_is_a4 "${_doc%.html}.pdf"
	for _t in "$@"; do
		tap_check "$(basename "$_doc"): the printed page says '$_t'" \
			doc_text_has "${_doc%.html}.pdf" "$_t"
	done
}
plant_config "$CTL_FROZEN_OFF"
plant_recipe quick-bark 's/^feedstock: cassia-leaf/feedstock: cassia-bark/'
plant_start_sim
plant_start_daemon

tap_check "before any batch: each of the four sections says there is none" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' --lang en report yields --html |
	 grep -c 'No batch ended with an oil figure.' | grep -qx 4"

A="Hộ Lò Văn Minh" B="Hộ Phạm Văn Dũng" C="Hộ Triệu Thị Hoa"
sr lot add LA1 --feedstock cassia-leaf --mass 300 --grower "$A" --origin "Văn Yên" \
	--moisture 12 >/dev/null
sr lot add LB1 --feedstock cassia-leaf --mass 300 --grower "$B" --origin "Mậu A" >/dev/null
sr lot add LC1 --feedstock cassia-bark --mass 250 --grower "$C" --origin "Đại Sơn" \
	--part bark >/dev/null
tap_check "batch 1: leaf of two households on still1" \
	sr start still1 --recipe quick-leaf --lot LA1:200 --lot LB1:150
tap_check "batch 2: bark on still2" sr start still2 --recipe quick-bark --lot LC1:180
sr stop still1 >/dev/null
sr stop still2 >/dev/null
wait_for "batch 1 is stopped" 30 field_is still1 state stopped
wait_for "batch 2 is stopped" 30 field_is still2 state stopped
sr reset still1 >/dev/null
tap_check "batch 3: leaf on still1 again" sr start still1 --recipe quick-leaf --lot LB1:120
sr stop still1 >/dev/null
wait_for "batch 3 is stopped" 30 field_is still1 state stopped
tap_check "the three batches are weighed" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' weigh 1 --oil-kg 2.345 >/dev/null &&
	 '$BUILD/stillroom' -c '$PLANT_CONF' weigh 2 --oil-kg 1.111 >/dev/null &&
	 '$BUILD/stillroom' -c '$PLANT_CONF' weigh 3 --oil-kg 0.987 >/dev/null"

# ---- the document -----------------------------------------------------------
Y="$TEST_LOG_DIR/yields.html"
tap_check "report yields --html writes the document" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' --lang en report yields --html >'$Y' && test -s '$Y'"
for by in feedstock month still grower; do
	sr report yields --by "$by" --json >"$TEST_LOG_DIR/$by.json"
done
tap_check "each table equals report yields --by X --json" \
	"$PYTHON" "$CHECK" tables "$Y" "$TEST_LOG_DIR"
"$PYTHON" "$CHECK" charts "$Y" >"$TEST_LOG_DIR/charts.txt"
tap_check "three charts (yield, oil, cost per kg of oil) in each of the four sections" \
	test "$(cat "$TEST_LOG_DIR/charts.txt")" = "$(printf 'feedstock 3\nmonth 3\nstill 3\ngrower 3')"
ROWS=$(cat "$TEST_LOG_DIR"/feedstock.json "$TEST_LOG_DIR"/month.json \
	"$TEST_LOG_DIR"/still.json "$TEST_LOG_DIR"/grower.json | grep -o '"batches"' | wc -l)
tap_check "a bar per row in each of the three charts ($ROWS rows)" \
	doc_class_count "$Y" bar $((3 * ROWS))
rendered "$Y" "Yields" "By grower" "Cost per kg of oil" "$C" "cassia-bark" "still2"

YV="$TEST_LOG_DIR/yields-vi.html"
tap_check "report yields --html --lang vi writes the document" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' --lang vi report yields --html >'$YV' && test -s '$YV'"
tap_check "in Vietnamese: lang=vi, the same tables" sh -c \
	"grep -q '<html lang=\"vi\"' '$YV' && '$PYTHON' '$CHECK' tables '$YV' '$TEST_LOG_DIR'"

refused "report yields --html --from 2025-13-45" 1 "is not a date" report yields --html --from 2025-13-45
plant_finish still1 still2
