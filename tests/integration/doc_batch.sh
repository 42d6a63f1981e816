#!/bin/sh
# doc_batch: `stillroom report batch ID --html` (issue 15). A real batch on
# the simulator with an alarm (the cooling put in manual at 0 % during
# distillation heats the distillate past its limits and holds the batch;
# it is restarted), a prompt, a weighing,
# QA and a release; then the document: its sections and text, one series
# per trend line, the lots without growers' names (privacy: the plant's
# settle.households_in_trace is off), well formed, no reference outside
# the file, no script, rendered in chromium to A4 (tests/doc.sh); with
# --lang vi the printed text is Vietnamese; with --reference 2 (a second
# cassia-leaf batch) the reference's traces (class ref) and the table of
# differences; a bad batch id, or a reference of another feedstock
# (batch 3, star anise), is refused with one sentence and nothing on
# stdout. The documents, with their PNG and PDF, are kept in the
# test's log dir.
cd "$(dirname "$0")/../.." || exit 2
SPEED=${SPEED:-150}
. tests/lib.sh
. tests/plant.sh
. tests/doc.sh

DOC="$TEST_LOG_DIR/doc-batch-1.html"
GROWER="Hộ Nguyễn Thị Lan"

plant_config
sed -e 's/^name: quick-leaf/name: doc-leaf/' \
	-e 's/reach: still_temp, above: 40 C/reach: vapour_temp, above: 95 C/' \
	-e 's/end: {after: 3 min}/end: {after: 12 min}/' \
	-e 's/    max: 10 min/    max: 40 min/' \
	-e 's/^feedstock: cassia-leaf/&\nreference_batch: 1/' \
	tests/data/it/quick-leaf.yaml >"$TEST_LOG_DIR/recipes/doc-leaf.yaml"
# the star-anise recipe names a cassia-leaf batch: its record says why no
# reference is overlaid
sed -i 's/^feedstock: star-anise/&\nreference_batch: 1/' "$TEST_LOG_DIR/recipes/star-anise.yaml"
plant_start_sim
plant_start_daemon || tap_fail "daemon starts"

tap_check "lot L1 is received" sr lot add L1 --feedstock cassia-leaf --mass 800 \
	--grower "$GROWER" --origin "Văn Yên" --moisture 12
tap_check "lot S1 (star anise) is received" sr lot add S1 --feedstock star-anise \
	--mass 300 --grower "$GROWER" --origin "Lạng Sơn"
out=$(sr start still1 --recipe doc-leaf --lot L1 --mass 500)
[ "$out" = "batch 1 started on still1" ] && tap_ok "batch 1 starts" ||
	tap_fail "batch 1 starts: $out"
out=$(sr start still2 --recipe doc-leaf --lot L1 --mass 200)
[ "$out" = "batch 2 (the reference) started on still2" ] ||
	[ "$out" = "batch 2 started on still2" ] && tap_ok "batch 2 (the reference) starts" ||
	tap_fail "batch 2 starts: $out"
both_ask() {
	sr_field still1 prompt | grep -q Condenser && sr_field still2 prompt | grep -q Condenser
}
wait_for "both stills ask their first question" 10 both_ask
tap_check "the operator answers still1" sr_as answerer answer still1 yes
tap_check "the operator answers still2" sr_as answerer answer still2 yes
wait_for "still1 distils" 60 field_is still1 step distil
tap_check "the cooling goes to manual 0 %" sr_as tester manual still1 cooling 0
wait_for "an alarm is raised on still1" 60 sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' alarms still1 | grep -q 'state=unack'"
tap_check "the cooling goes back to automatic" sr_as tester auto still1 cooling
sr_as acker ack still1 >/dev/null
# complete: still1's batch is complete; a batch the alarm held restarts
complete() {
	field_is still1 state complete && return 0
	field_is still1 state held && _plant_try_restart still1 doc
	return 1
}
wait_for "batch 1 completes" 60 complete
wait_for "batch 2 completes" 60 field_is still2 state complete
tap_check "still2 is reset" sr_as resetter reset still2
out=$(sr start still2 --recipe star-anise --lot S1 --mass 200)
[ "$out" = "batch 3 started on still2" ] && tap_ok "batch 3 (star anise) starts" ||
	tap_fail "batch 3 starts: $out"
tap_check "batch 3 is aborted" sr_as aborter abort still2
tap_check "the oil is weighed" sr_as weigher weigh 1 --oil-kg 1.25
tap_check "a QA result in spec is recorded" \
	sr qa record 1 --density 1.060 --ri 1.605 --marker 85 --analyst Hoa
tap_check "batch 1 is released" sr_as signer qa release 1

# ---- the document ----
tap_check "report batch 1 --html exits 0" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch 1 --html >'$DOC'"
tap_check "the document is well formed (xmllint --html)" doc_wellformed "$DOC"
tap_check "no script and no reference outside the file" doc_no_external "$DOC"
tap_check "chromium renders it (PNG and PDF kept), no console message" \
	doc_render "$DOC" "$TEST_LOG_DIR"
PDF="$TEST_LOG_DIR/doc-batch-1.pdf"
tap_check "every printed page is A4" doc_is_a4 "$PDF"
tap_check "the sections print on several pages" doc_pages_at_least "$PDF" 2
for text in "Batch 1" "Step timeline" "Temperatures" "Oil attributed to lots" \
	"distillate_hh" "Condenser water on?" "in spec" "rows intact, head"; do
	tap_check "the printed page says '$text'" doc_text_has "$PDF" "$text"
done
for text in "charge [kg]" "yield [%]" "weighed by" "mass [kg]" "refractive index"; do
	tap_check "a human heading: '$text'" doc_text_has "$PDF" "$text"
done
# wide tables fit the A4 page (print: smaller type, cells wrap; the QA
# table's spec columns are one line above it): nothing cut at the margin
tap_check "the alarms table fits the page: its last heading (closed) prints" sh -c \
	"pdftotext -layout '$PDF' - | grep -A1 '^Alarms\$' | tail -n 1 | grep -q 'closed\$'"
tap_check "the QA table fits: its spec is one line, not 7 columns" \
	doc_text_has "$PDF" "Spec for cassia-leaf: density"
tap_check "no heading is a database column name (charge_kg, answered_by)" sh -c \
	"! grep -E -q '<(th|dt)( class=\"num\")?>[a-z0-9]+_[a-z0-9_]+</' '$DOC'"
for section in identity lots steps trends alarms prompts weighings qa release attribution audit; do
	tap_check "section $section is there" grep -q "<section id=\"$section\"" "$DOC"
done
tap_check "7 trend series (3 temperatures, pressure, steam, valve, oil)" \
	doc_series_count "$DOC" 7
tap_check "4 limit lines: distillate and vapour high, pressure high and high-high" \
	doc_class_count "$DOC" limit 4
nal=$(sqlite3 "file:$PLANT_DB?mode=ro" "select count(*) from events where batch_id = 1 and kind = 'alarm' and new_value = 'unack'")
tap_check "each of the 5 trends marks the $nal alarm onsets" \
	doc_class_count "$DOC" alarm $((5 * nal))
tap_check "the alarm, the prompt, the weighing and who released it are shown" \
	sh -c "grep -q distillate_hh '$DOC' && grep -q 'Condenser water on?' '$DOC' &&
	       grep -q 'oil_kg' '$DOC' && grep -q signer '$DOC'"
tap_check "the QA result has a pass mark" grep -q 'in spec' "$DOC"
tap_check "the audit anchor says the trail is intact" grep -q 'rows intact, head' "$DOC"
tap_check "no end-point decision (the step ended on its time): no decision mark" \
	doc_class_count "$DOC" decision 0
tap_check "batch 1 is the reference its recipe names: the record says so" \
	grep -q 'This batch is the reference batch its recipe names.' "$DOC"
tap_check "privacy: no grower's name (households_in_trace is off)" \
	sh -c "! grep -q 'Nguyễn Thị Lan' '$DOC'"
VI="$TEST_LOG_DIR/doc-batch-1-vi.html"
tap_check "report batch 1 --html --lang vi exits 0" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' --lang vi report batch 1 --html >'$VI'"
tap_check "the Vietnamese document says lang=vi" grep -q '<html lang="vi"' "$VI"
tap_check "it renders in chromium" doc_render "$VI" "$TEST_LOG_DIR"
for text in "Mẻ 1" "Diễn biến" "Kết quả kiểm nghiệm" "Mốc kiểm toán" \
	"khối lượng nạp [kg]" "người vận hành" "khối lượng [kg]"; do
	tap_check "the printed Vietnamese page says '$text'" \
		doc_text_has "$TEST_LOG_DIR/doc-batch-1-vi.pdf" "$text"
done

# ---- the reference batch ----
REF="$TEST_LOG_DIR/doc-batch-1-ref-2.html"
tap_check "report batch 1 --html --reference 2 exits 0" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch 1 --html --reference 2 >'$REF'"
tap_check "the reference doubles the series: 7 of batch 1, 7 of batch 2" \
	doc_series_count "$REF" 14
tap_check "7 of them are the reference's (class ref)" sh -c \
	"[ \$(grep -o '<path class=\"series [^\"]* ref\"' '$REF' | wc -l) -eq 7 ]"
tap_check "the differences table is there" grep -q '<section id="reference"' "$REF"
tap_check "it renders in chromium" doc_render "$REF" "$TEST_LOG_DIR"
for text in "Against the reference batch" "time to first distillate" \
	"steam per kg of oil" "reference 2"; do
	tap_check "the printed reference page says '$text'" \
		doc_text_has "$TEST_LOG_DIR/doc-batch-1-ref-2.pdf" "$text"
done

# ---- the reference the recipe names (reference_batch: 1) ----
R2="$TEST_LOG_DIR/doc-batch-2.html"
tap_check "report batch 2 --html (no --reference) exits 0" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch 2 --html >'$R2'"
tap_check "the recipe's reference batch 1 is overlaid: 7 + 7 series" \
	doc_series_count "$R2" 14
tap_check "... and the record says the recipe named it" \
	grep -q 'Reference batch 1, named by the recipe as run.' "$R2"
R3="$TEST_LOG_DIR/doc-batch-3.html"
tap_check "report batch 3 --html (star anise; its recipe names cassia batch 1) exits 0" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch 3 --html >'$R3'"
tap_check "... overlays nothing and says why" sh -c \
	"grep -q 'names reference batch 1; none is overlaid: reference batch 1 distilled cassia-leaf, not star-anise' '$R3' &&
	 ! grep -q '<path class=\"series [^\"]* ref\"' '$R3'"
tap_check "... and is well formed" doc_wellformed "$R3"

# ---- bad input ----
tap_check "a reference of another feedstock is refused with a sentence" sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' report batch 1 --html --reference 3 >'$TEST_LOG_DIR/bad.out' 2>'$TEST_LOG_DIR/bad.err' &&
	 ! [ -s '$TEST_LOG_DIR/bad.out' ] && grep -q 'star-anise, not cassia-leaf' '$TEST_LOG_DIR/bad.err'"
tap_check "a reference that does not exist is refused" sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' report batch 1 --html --reference 99 >'$TEST_LOG_DIR/bad.out' 2>'$TEST_LOG_DIR/bad.err' &&
	 ! [ -s '$TEST_LOG_DIR/bad.out' ] && [ \$(wc -l <'$TEST_LOG_DIR/bad.err') -eq 1 ]"
tap_check "--reference without --html is refused" sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' report batch 1 --reference 2 >'$TEST_LOG_DIR/bad.out' 2>&1"
tap_check "report batch 99 --html: one sentence, nothing on stdout" sh -c \
	"! '$BUILD/stillroom' -c '$PLANT_CONF' report batch 99 --html >'$TEST_LOG_DIR/bad.out' 2>'$TEST_LOG_DIR/bad.err' &&
	 ! [ -s '$TEST_LOG_DIR/bad.out' ] && grep -q 'no batch 99' '$TEST_LOG_DIR/bad.err'"
tap_check "report batch x --html is a usage error" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' report batch x --html >/dev/null 2>&1; [ \$? -eq 2 ]"
plant_check_db
plant_no_sanitizer
