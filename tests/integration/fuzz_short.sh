#!/bin/sh
# The short fuzz run (tests/fuzz/run short, about 20 s): one TAP line per
# harness. The regressions in tests/fuzz/regressions are replayed first.
BUILD=${BUILD:-build}
export BUILD
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
out=$(sh tests/fuzz/run short 2>&1)
n=0
echo "$out" | while IFS= read -r line; do
	case "$line" in
	"PASS "*)
		n=$((n + 1))
		echo "ok $n - fuzz ${line#PASS }"
		;;
	"FAIL "*)
		n=$((n + 1))
		echo "not ok $n - fuzz ${line#FAIL }"
		;;
	*)
		echo "# $line"
		;;
	esac
done
