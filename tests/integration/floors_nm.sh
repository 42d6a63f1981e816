#!/bin/sh
# floors_nm: the console and CLI (stillroom) carry none of the records
# module's writers. The writers are what the writer objects themselves
# define (nm --defined-only on the Makefile's RECORDS_WRITE_SRC objects),
# so a new writer is checked without editing this script; stillroomd must
# define every one of them (else the check would pass on an empty list).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

# the make that runs this script must not hand its jobserver to this one
objs=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	make -s --no-print-directory BUILD="$BUILD" records-writers)
syms="$TEST_LOG_DIR/writers.syms"
: >"$syms"
for o in $objs; do
	if [ ! -f "$o" ]; then
		tap_fail "writer object $o is built"
		continue
	fi
	# global text and data symbols (T, D, B, R): the writers' exports
	nm --defined-only "$o" | awk '$2 ~ /^[TDBR]$/ { print $3 }' >>"$syms"
done
sort -u -o "$syms" "$syms"
tap_note "writer objects: $objs"
tap_check "the writer objects define writer symbols ($(wc -l <"$syms") found)" \
	test -s "$syms"
tap_check "store_batch_begin is among them" grep -qx store_batch_begin "$syms"

# defined SYMS BIN: the symbols of SYMS that BIN defines
defined() {
	nm --defined-only "$2" | awk '{ print $3 }' | sort -u | comm -12 "$1" -
}
in_ui="$TEST_LOG_DIR/in_stillroom.syms"
defined "$syms" "$BUILD/stillroom" >"$in_ui"
tap_check "stillroom (console and CLI) defines no writer symbol" \
	sh -c "! test -s '$in_ui' || { cat '$in_ui'; false; }"
in_d="$TEST_LOG_DIR/in_stillroomd.syms"
defined "$syms" "$BUILD/stillroomd" >"$in_d"
tap_check "stillroomd defines every writer symbol" cmp "$syms" "$in_d"
