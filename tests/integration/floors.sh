#!/bin/sh
# The floors (docs/floors.txt): every #include in a module folder stays
# within the folders it may use (tests/floors.sh), the compiler refuses an
# upward include (each folder is compiled with -I for its floors only), the
# checker itself catches a planted upward include, and the simulator no
# longer carries the recipe code it never calls.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

tap_check "every #include in the module folders is within docs/floors.txt" \
	sh tests/floors.sh .

# A planted tree: common/a.h includes config's b.h (upward), and config's
# c.h includes common's a.h (allowed).
t=$TEST_LOG_DIR/tree
mkdir -p "$t/docs" "$t/common" "$t/config"
cp docs/floors.txt "$t/docs/"
printf '#include "b.h"\n' >"$t/common/a.h"
printf '/* b */\n' >"$t/config/b.h"
printf '\n#include "a.h"\n' >"$t/config/c.h"
sh tests/floors.sh "$t" >"$t.out" 2>&1
rc=$?
cat "$t.out" | sed 's/^/# /'
tap_check "the checker refuses a planted upward include" test "$rc" = 1
tap_check "it names the file, the line and the arrow" \
	grep -qx 'common/a.h:1: common -> config (config/b.h): common may not include from config' "$t.out"
tap_check "it names only that one" test "$(wc -l <"$t.out")" = 1
echo "pending common/a.h config/b.h" >>"$t/docs/floors.txt"
tap_check "a pending arrow, listed by name, passes" sh tests/floors.sh "$t"

# probe FOLDER HEADER: compiles a file including HEADER with the flags the
# Makefile gives FOLDER's objects (taken from make -n for a real source).
probe() {
	src=$(ls "$1"/*.c | head -n 1)
	cmd=$(make -n -B BUILD="$TEST_LOG_DIR/b" "$TEST_LOG_DIR/b/${src%.c}.o" |
		grep -F " -c $src -o ")
	printf '#include "%s"\nint probe(void);\nint probe(void) { return 0; }\n' \
		"$2" >"$TEST_LOG_DIR/probe.c"
	cmd=$(echo "$cmd" | sed "s# -c $src -o .*# -c $TEST_LOG_DIR/probe.c -o $TEST_LOG_DIR/probe.o#")
	eval "$cmd"
}
refuses() { ! probe "$@"; }
tap_check "common compiles with its own headers (diag.h)" probe common diag.h
tap_check "common's compile refuses config/cfg.h" refuses common cfg.h
tap_check "config compiles with common's headers (ydoc.h)" probe config ydoc.h
tap_check "config's compile refuses recipes/rcp.h" refuses config rcp.h
tap_check "recipes' compile refuses controller/core.h" refuses recipes core.h
tap_check "simulator's compile refuses recipes/rcp.h" refuses simulator rcp.h
tap_check "controller compiles with recipes/rcp.h" probe controller rcp.h
tap_check "controller's compile refuses simulator/model.h" refuses controller model.h
tap_check "ui's compile refuses simulator/model.h" refuses ui model.h

# what the simulator links: no recipe parser, no hashing
sim_clean() { ! nm "$BUILD/stillroom-sim" | grep -E ' T (rcp|sha256)_'; }
tap_check "stillroom-sim contains no rcp_ or sha256_ function" sim_clean
