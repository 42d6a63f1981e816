#!/bin/sh
# doc_label: the drum's documents and the members' statements, end to end
# (real stillroomd and simulator, the CLI, headless chromium through
# tests/doc.sh). Two batches are weighed and put in an organic and a
# conventional drum.
#   - drum label D --html: a 100 x 150 mm page (pdfinfo); the QR code in
#     the rendered PNG decodes (zbarimg) to the drum's trace code exactly;
#     product, net kg, communes, certificate, QA status, trace code in text;
#   - trace --drum D --html: an A4 sheet with communes and certificates,
#     no household by default, the households with households_in_trace;
#   - settle --html: one statement per household, a page each, and the
#     totals on the last page, every amount that of settle --json;
#   - each page: xmllint clean, no external reference, no console error;
#     an unknown drum is one sentence, nothing on stdout.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh
. tests/doc.sh

ops_plant
L=$TEST_LOG_DIR

sr lot add L1 --feedstock cassia-leaf --mass 300 --grower "Hộ Lò Văn Minh" --origin "Văn Yên" \
	--organic-cert VN-ORG-7 --organic-body "Control Union" --part leaf >/dev/null
sr lot add L2 --feedstock cassia-leaf --mass 300 --grower "Hồ Phạm Văn Dũng" \
	--origin "Mậu A" --moisture 14 >/dev/null
sr lot add L3 --feedstock cassia-leaf --mass 300 --grower "Đặng Thị Hoa" \
	--origin "Đại Sơn" --moisture 10 --part twig >/dev/null
sr start still1 --recipe quick-leaf --lot L2:100 --lot L3:100 >/dev/null
sr start still2 --recipe quick-leaf-organic --lot L1:150 >/dev/null
ops_stop_weigh 2 1.5
sr drum fill D-CONV --batch 1 --kg 1.5 --tare 17.5 >/dev/null
sr drum fill D-ORG --batch 2 --kg 1.5 --tare 18 --organic >/dev/null
sr qa record 2 --density 1.060 --ri 1.605 --marker 85 --analyst Hoa >/dev/null
sr qa release 2 >/dev/null
ORG=$(q "select trace_code from drums where drum_id = 'D-ORG'")
tap_check "two drums on record, the organic one with a trace code" test -n "$ORG"

# doc_ok NAME: the page L/NAME.html renders in chromium without a console
# message (L/NAME.png, L/NAME.pdf), is well formed and refers to nothing
# outside itself.
doc_ok() {
	tap_check "$1: renders in chromium, no console message" doc_render "$L/$1.html" "$L"
	tap_check "$1: xmllint --html clean" doc_wellformed "$L/$1.html"
	tap_check "$1: no external reference" doc_no_external "$L/$1.html"
}

# pages PDF: its number of pages.
pages() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }

# ---- drum label --------------------------------------------------------
sr drum label D-ORG --html >"$L/label.html"
doc_ok label
tap_check "the label's page is 100 x 150 mm" doc_is_label "$L/label.pdf"
tap_check "the label is one page" test "$(pages "$L/label.pdf")" -eq 1
tap_check "the label's QR code decodes to the drum's trace code ($ORG)" test \
	"$(doc_qr_decode "$L/label.png")" = "$ORG"
for want in "cassia-leaf oil, organic" "1.500 kg" "Văn Yên" "VN-ORG-7 (Control Union)" \
	releasable "$ORG"; do
	tap_check "the printed label says $want" doc_text_has "$L/label.pdf" "$want"
done
sr drum label "$ORG" --html >"$L/label2.html"
tap_check "drum label by trace code is the same label" cmp -s "$L/label.html" "$L/label2.html"
refused "an unknown drum has no label" 1 "NOPE" drum label NOPE --html
refused "a label is a page: --html" 1 "--html" drum label D-ORG

# ---- trace sheet -------------------------------------------------------
sr trace --drum D-CONV --html >"$L/trace.html"
doc_ok trace
tap_check "the trace sheet is A4" doc_is_a4 "$L/trace.pdf"
for want in "Mậu A" "Đại Sơn" "households: hidden (privacy)"; do
	tap_check "the trace sheet says $want" doc_text_has "$L/trace.pdf" "$want"
done
tap_check "the trace sheet names no household by default" sh -c \
	"! pdftotext '$L/trace.pdf' - | grep -q 'Dũng\|Hoa'"
sed 's/households_in_trace: false/households_in_trace: true/' "$PLANT_CONF" >"$L/open.yaml"
"$BUILD/stillroom" -c "$L/open.yaml" trace --drum D-CONV --html >"$L/topen.html"
doc_ok topen
tap_check "households_in_trace: true names the households on the sheet" doc_text_has \
	"$L/topen.pdf" "Hồ Phạm Văn Dũng"
tap_check "... and does not say they are hidden" sh -c "! grep -q 'hidden (privacy)' '$L/topen.html'"

# a database that fails under the sheet (batch_lots dropped in a copy): the
# sheet is built in memory and written whole, so nothing reaches stdout
sqlite3 "$PLANT_DB" ".backup '$L/broken.db'"
sqlite3 "$L/broken.db" "drop table batch_lots"
sed "s#database: .*#database: $L/broken.db#" "$PLANT_CONF" >"$L/broken.yaml"
"$BUILD/stillroom" -c "$L/broken.yaml" trace --drum D-CONV --html >"$L/tbroken.html" 2>"$L/tbroken.err"
rc=$?
tap_check "a failing database: the trace sheet exits non-zero" test "$rc" -ne 0
tap_check "... with nothing on stdout (no half page)" test ! -s "$L/tbroken.html"
tap_check "... and one sentence on stderr" test "$(wc -l <"$L/tbroken.err")" -eq 1

# ---- settlement statements --------------------------------------------
TODAY=$(date -u +%F)
sr settle --from "$TODAY" --to "$TODAY" --json >"$L/settle.json"
sr settle --from "$TODAY" --to "$TODAY" --html >"$L/stmt.html"
doc_ok stmt
tap_check "the statements are A4" doc_is_a4 "$L/stmt.pdf"
tap_check "one page per household and the totals' page (3 + 1)" test "$(pages "$L/stmt.pdf")" -eq 4
tap_check "the totals count the batches without a plural in brackets" \
	doc_text_has "$L/stmt.pdf" "(batches started in the period and weighed: 2)"
tap_check "... never 'from 1 batches'" sh -c "! grep -q 'from [0-9]* batches' '$L/stmt.html'"
tap_check "every statement's amounts are those of settle --json" \
	"$PYTHON" - "$L/settle.json" "$L/stmt.html" <<'EOF'
import html.parser, json, re, sys
d = json.load(open(sys.argv[1]))
class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(); s.sec = None; s.cell = None; s.row = []; s.got = {}
    def handle_starttag(s, t, a):
        if t == "section": s.sec = dict(a).get("id")
        if t in ("td", "th"): s.cell = ""
        if t == "tr": s.row = []
    def handle_data(s, x):
        if s.cell is not None: s.cell += x
    def handle_endtag(s, t):
        if t in ("td", "th"): s.row.append(s.cell.strip()); s.cell = None
        if t == "tr" and len(s.row) == 2:
            s.got.setdefault(s.sec, {})[s.row[0]] = int(re.sub(r"\D", "", s.row[1]) or 0)
p = P(); p.feed(open(sys.argv[2], encoding="utf-8").read())
keys = [("raw material", "raw_vnd"), ("oil share", "oil_share_vnd"),
        ("quality bonus", "bonus_vnd"), ("already paid (advances, intake payments)", "paid_vnd"),
        ("due", "due_vnd")]
want = {"household-%d" % (i + 1): g for i, g in enumerate(d["growers"])}
want["total"] = d["total"]
bad = [(s, k, p.got.get(s, {}).get(k), g[j]) for s, g in want.items() for k, j in keys
       if p.got.get(s, {}).get(k) != g[j]]
print("# mismatches:", bad[:4])
sys.exit(1 if bad or len(d["growers"]) != 3 else 0)
EOF
sr settle --from "$TODAY" --to "$TODAY" --html --lang vi >"$L/stmt_vi.html"
tap_check "settle --html --lang vi: a Vietnamese page, amounts in dong" sh -c \
	"grep -q 'lang=\"vi\"' '$L/stmt_vi.html' && grep -q '₫' '$L/stmt_vi.html'"
tap_check "... whose totals count the batches in Vietnamese" \
	grep -q 'số mẻ bắt đầu trong kỳ đã cân: 2)' "$L/stmt_vi.html"
refused "settle --html --lang other than en or vi" 2 "fr" \
	settle --from "$TODAY" --to "$TODAY" --html --lang fr

plant_finish still1 still2
