#!/bin/sh
# The documents' kit in the real tools: a sample A4 page (sections, a table,
# badges, an 8-hour trend of three series and a reference, bars, a timeline,
# a QR code; tests/unit/test_doc_qr.c --page) and a sample drum label are
# checked by tests/doc.sh: well formed, no external reference, rendered in
# headless chromium to PNG and PDF without console messages, A4 (or 100 x
# 150 mm), the text in the PDF, the QR code decoded by zbarimg from the PNG.
# Then the harness itself must catch what it is for: an external
# reference, a script error, a Letter page, a broken tag, a wrong count.
# Only stillroom links libqrencode, never stillroomd.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/doc.sh

dir=$TEST_LOG_DIR/doc
mkdir -p "$dir"
code="SR-D-2026-0042-7F3A"

# fails CMD...: the check CMD must fail (the harness catches the fault)
fails() {
	if "$@"; then
		echo "the check passed but should have failed: $*"
		return 1
	fi
	return 0
}

tap_check "the sample page is written" sh -c \
	"'$BUILD/tests/test_doc_qr' --page '$code' >'$dir/page.html'"
tap_check "the sample label is written" sh -c \
	"'$BUILD/tests/test_doc_qr' --label '$code' >'$dir/label.html'"
tap_check "the page is well formed (xmllint --html)" doc_wellformed "$dir/page.html"
tap_check "the page has no external reference" doc_no_external "$dir/page.html"
tap_check "the page's trend has 4 series, one of them the reference" sh -c \
	". tests/doc.sh; doc_series_count '$dir/page.html' 4 && grep -q 'class=\"series s-3 ref\"' '$dir/page.html'"
tap_check "2 limit lines, 2 alarm marks, 1 QR path" sh -c \
	". tests/doc.sh; doc_class_count '$dir/page.html' limit 2 &&
	 doc_class_count '$dir/page.html' alarm 2 && doc_class_count '$dir/page.html' qr 1"
tap_check "the page renders in chromium without console messages" \
	doc_render "$dir/page.html" "$dir"
tap_check "the page prints on A4" doc_is_a4 "$dir/page.pdf"
tap_check "each section after the first starts a page (4 sections, 4 pages)" \
	doc_pages_at_least "$dir/page.pdf" 4
tap_check "the printed page has its text" sh -c \
	". tests/doc.sh; doc_text_has '$dir/page.pdf' 'Batch 42 sample record' &&
	 doc_text_has '$dir/page.pdf' 'Hộ Nguyễn Văn An' &&
	 doc_text_has '$dir/page.pdf' 'L-9 <&>' && doc_text_has '$dir/page.pdf' 'no data'"
tap_check "the page's QR code decodes to the trace code (zbarimg)" sh -c \
	". tests/doc.sh; test \"\$(doc_qr_decode '$dir/page.png')\" = '$code'"
tap_check "the label is well formed, self-contained and renders" sh -c \
	". tests/doc.sh; doc_wellformed '$dir/label.html' && doc_no_external '$dir/label.html' &&
	 doc_render '$dir/label.html' '$dir' 378,567"
tap_check "the label prints on 100 x 150 mm" doc_is_label "$dir/label.pdf"
tap_check "the label's QR code decodes to the trace code" sh -c \
	". tests/doc.sh; test \"\$(doc_qr_decode '$dir/label.png')\" = '$code'"

# ---- the harness must catch what it is for ----
head='<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
a4='<style>@page{size:A4 portrait;margin:15mm}</style></head><body>'
for ref in '<img src="https://example.org/x.png" alt="">' '<img src="//example.org/x.png" alt="">' \
	'<img src="x.png" alt="">' '<p style="background:url(x.png)">x</p>' \
	'<style>@import "x.css";</style>' '<script>var a = 1;</script>' \
	'<a href="http://example.org/">x</a>'; do
	printf '%s%s<p>x</p>%s</body></html>\n' "$head" "$a4" "$ref" >"$dir/ext.html"
	tap_check "doc_no_external catches $ref" fails doc_no_external "$dir/ext.html"
done
printf '%s%s<p>x</p><script>nosuch();</script></body></html>\n' "$head" "$a4" >"$dir/err.html"
tap_check "doc_render catches a script error on the console" fails doc_render "$dir/err.html" "$dir"
printf '%s</head><body><p>Letter</p></body></html>\n' "$head" >"$dir/letter.html"
tap_check "a page without @page renders" doc_render "$dir/letter.html" "$dir"
tap_check "doc_is_a4 catches a Letter page" fails doc_is_a4 "$dir/letter.pdf"
tap_check "doc_is_label catches an A4 page" fails doc_is_label "$dir/page.pdf"
tap_check "doc_text_has catches missing text" fails doc_text_has "$dir/letter.pdf" "Legal"
printf '%s%s<p><b>x</p></i><table><tr><td>1</table></body></html>\n' "$head" "$a4" >"$dir/bad.html"
tap_check "doc_wellformed catches misnested and stray tags" fails doc_wellformed "$dir/bad.html"
tap_check "doc_series_count catches a wrong count" fails doc_series_count "$dir/page.html" 3
tap_check "doc_qr_decode finds no code where there is none" fails doc_qr_decode "$dir/letter.png"

tap_check "stillroom links libqrencode" sh -c "ldd '$BUILD/stillroom' | grep -q libqrencode"
tap_check "stillroomd does not link libqrencode" sh -c "! ldd '$BUILD/stillroomd' | grep -q libqrencode"
