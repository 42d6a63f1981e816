#!/bin/sh
# The console's drawing files keep the house rule "file name = function
# prefix": every symbol ui/con_draw.o, con_grid.o, con_fmt.o, con_table.o
# and con_trend.o (and the documents' doc.o, doc_svg.o, doc_qr.o) export starts with its own file's name and "_" (nm over
# the built objects; statics are not exported and may be named freely).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

# exports_own_prefix NAME: fails, listing them, when $BUILD/ui/NAME.o is
# missing or exports a symbol not named NAME_*.
exports_own_prefix() {
	obj="$BUILD/ui/$1.o"
	[ -f "$obj" ] || { echo "$obj: not built"; return 1; }
	bad=$(nm -g --defined-only "$obj" | awk -v p="$1_" \
		'NF == 3 && index($3, p) != 1 { print $3 }')
	[ -z "$bad" ] || { echo "$obj exports: $bad"; return 1; }
}

for f in con_draw con_grid con_fmt con_table con_trend doc doc_svg doc_qr; do
	tap_check "ui/$f.c exports only ${f}_* names" exports_own_prefix "$f"
done
