# tests/doc.sh: checks of the HTML documents (ui/doc.h) in the real tools,
# for the integration scripts (POSIX sh). Source it after tests/lib.sh:
#   . tests/lib.sh; . tests/doc.sh
# Each function returns 0 when the check holds, else prints one sentence
# saying what is wrong and returns 1; use them with tap_check.
#
#   doc_render HTML DIR [W,H]   headless chromium: DIR/NAME.png (a W x H
#                               pixel screenshot, default 800,1130) and
#                               DIR/NAME.pdf (printed with the page's own
#                               @page size); fails on any console message
#                               (a script error, a blocked load) or a
#                               missing output. NAME is HTML's base name.
#   doc_is_a4 PDF               every page is A4 portrait (pdfinfo)
#   doc_is_label PDF            every page is 100 x 150 mm (the drum label)
#   doc_pages_at_least PDF N    the PDF has at least N pages
#   doc_text_has PDF TEXT       pdftotext finds TEXT (whitespace folded)
#   doc_wellformed HTML         `xmllint --html --noout` says nothing (see
#                               below for HTML5 and SVG tag names)
#   doc_no_external HTML        no http:, https:, file:, //host, src= other
#                               than data:, url(, @import, <script, <link,
#                               <iframe, <object, <embed, <base
#   doc_series_count HTML N     exactly N <path class="series ..."> (trends)
#   doc_class_count HTML CLASS N  exactly N elements with class word CLASS
#   doc_qr_decode PNG           prints the QR code zbarimg reads in PNG
#
# chromium runs with --no-sandbox (tests run as root in CI), no GPU, a
# private profile under DIR, every host name resolving to nothing (no
# network even if a page asked) and a 120 s limit.

DOC_CHROMIUM=${DOC_CHROMIUM:-chromium}

doc_render() {
	_dr_html=$1
	_dr_dir=$2
	_dr_win=${3:-800,1130}
	_dr_name=$(basename "$_dr_html" .html)
	_dr_abs=$(cd "$(dirname "$_dr_html")" && pwd)/$(basename "$_dr_html")
	[ -f "$_dr_html" ] || { echo "$_dr_html: no such file"; return 1; }
	mkdir -p "$_dr_dir/chromium-profile" || return 1
	rm -f "$_dr_dir/$_dr_name.png" "$_dr_dir/$_dr_name.pdf"
	timeout 120 "$DOC_CHROMIUM" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$_dr_dir/chromium-profile" --no-first-run \
		--disable-extensions --disable-background-networking --disable-sync \
		--disable-component-update --disable-default-apps --mute-audio \
		--host-resolver-rules='MAP * ~NOTFOUND' --hide-scrollbars \
		--force-device-scale-factor=1 --window-size="$_dr_win" \
		--enable-logging=stderr --v=0 --no-pdf-header-footer \
		--screenshot="$_dr_dir/$_dr_name.png" \
		--print-to-pdf="$_dr_dir/$_dr_name.pdf" \
		"file://$_dr_abs" >"$_dr_dir/$_dr_name.render.log" 2>&1
	_dr_rc=$?
	# the page's console: INFO:CONSOLE lines (errors, warnings, logs)
	if grep -E ':CONSOLE|Uncaught' "$_dr_dir/$_dr_name.render.log" >"$_dr_dir/$_dr_name.console"; then
		echo "$_dr_html: the page wrote to the browser console:"
		head -n 5 "$_dr_dir/$_dr_name.console"
		return 1
	fi
	if [ "$_dr_rc" -ne 0 ] || [ ! -s "$_dr_dir/$_dr_name.png" ] ||
		[ ! -s "$_dr_dir/$_dr_name.pdf" ]; then
		echo "$_dr_html: chromium exited $_dr_rc without both the PNG and the PDF:"
		grep -v dbus "$_dr_dir/$_dr_name.render.log" | tail -n 5
		return 1
	fi
}

# doc_page_size PDF W_PT H_PT NAME: every page is W x H points (+-1)
doc_page_size() {
	pdfinfo -f 1 -l 9999 "$1" >"$1.info" 2>&1 || { cat "$1.info"; return 1; }
	awk -v w="$2" -v h="$3" -v name="$4" -v f="$1" '
		/^Page +[0-9]+ size:/ { n++
			if ($4 < w - 1 || $4 > w + 1 || $6 < h - 1 || $6 > h + 1) {
				printf "%s: page %d is %s x %s pt, not %s\n", f, $2, $4, $6, name
				bad = 1; exit } }
		END { if (!bad && n == 0) { printf "%s: pdfinfo shows no page\n", f; bad = 1 }
		      exit bad }' "$1.info"
}

doc_is_a4() {
	doc_page_size "$1" 595.28 841.89 "A4 portrait (595 x 842 pt)"
}

doc_is_label() {
	doc_page_size "$1" 283.46 425.20 "the 100 x 150 mm label (283 x 425 pt)"
}

doc_pages_at_least() {
	_dp_n=$(pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ { print $2 }')
	[ "${_dp_n:-0}" -ge "$2" ] && return 0
	echo "$1: ${_dp_n:-no} pages, expected at least $2"
	return 1
}

doc_text_has() {
	_dt_text=$(pdftotext -enc UTF-8 "$1" - 2>&1 | tr -s ' \t\n' '   ') ||
		{ echo "$1: pdftotext failed: $_dt_text"; return 1; }
	_dt_want=$(printf '%s' "$2" | tr -s ' \t\n' '   ')
	case "$_dt_text" in
	*"$_dt_want"*) return 0 ;;
	esac
	echo "$1: the text '$2' is not in the printed page"
	return 1
}

# libxml2 2.9's HTML parser knows HTML 4 only: it reports the HTML5 and SVG
# element names as "Tag X invalid" though the page is well formed. Those
# reports (3 lines each: message, context, caret) for the names the
# documents use are dropped; everything else xmllint says is a failure.
DOC_HTML5_TAGS='section|header|footer|main|nav|article|aside|figure|figcaption|svg|g|path|rect|line|polyline|polygon|circle|text|tspan|defs|desc'

doc_wellformed() {
	_dw_out=$(xmllint --html --noout "$1" 2>&1 | awk -v tags="$DOC_HTML5_TAGS" '
		skip > 0 { skip--; next }
		$0 ~ ("HTML parser error : Tag (" tags ") invalid$") { skip = 2; next }
		{ print }')
	[ -z "$_dw_out" ] && return 0
	echo "$1: xmllint --html says:"
	printf '%s\n' "$_dw_out" | head -n 9
	return 1
}

doc_no_external() {
	_dn_bad=$(grep -n -i -o -E 'https?:[^"'\'' <>]{0,40}|ftp:|file:|(src|href|action|srcset|poster)[[:space:]]*=[[:space:]]*["'\'']?//[^"'\'' >]*|url[[:space:]]*\(|@import|<(script|link|iframe|object|embed|base)\b' "$1")
	_dn_src=$(grep -n -i -o -E '(src|href)[[:space:]]*=[[:space:]]*["'\'']?[^"'\'' >]{0,8}' "$1" |
		grep -v -i -E '=[[:space:]]*["'\'']?(data:|#)')
	[ -z "$_dn_bad$_dn_src" ] && return 0
	echo "$1: external references (line:match):"
	printf '%s\n%s\n' "$_dn_bad" "$_dn_src" | grep . | head -n 10
	return 1
}

doc_series_count() {
	_ds_n=$(grep -o '<path class="series[ "]' "$1" | wc -l)
	[ "$_ds_n" -eq "$2" ] && return 0
	echo "$1: $_ds_n chart series (<path class=\"series ...\">), expected $2"
	return 1
}

doc_class_count() {
	_dc_n=$(grep -o -E "class=\"([^\"]* )?$2( [^\"]*)?\"" "$1" | wc -l)
	[ "$_dc_n" -eq "$3" ] && return 0
	echo "$1: $_dc_n elements of class $2, expected $3"
	return 1
}

doc_qr_decode() {
	zbarimg --raw -q "$1"
}
