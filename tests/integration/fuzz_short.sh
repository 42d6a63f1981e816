#!/bin/sh
# The short fuzz run (tests/fuzz/run short, about 20 s): one TAP line per
# harness in tests/fuzz. The regressions in tests/fuzz/regressions are
# replayed first. A harness without a "links:" line is reported as SKIP.
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
	"SKIP "*)
		n=$((n + 1))
		echo "ok $n - fuzz ${line#SKIP } # SKIP"
		;;
	*)
		echo "# $line"
		;;
	esac
done
