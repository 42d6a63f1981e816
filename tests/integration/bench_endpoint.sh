#!/bin/sh
# The end-point benchmark's harness (bench/bench_endpoint.c, `make bench`)
# on a tiny population: 3 batches a feedstock, each run every way there is
# a recipe for, once with one worker and once with two. Asserts that the
# harness runs and that its figures are there, finite and sane (every batch
# ran; oil, steam and money are numbers; fixed-time practice distilled for
# its fixed time; the forecast was compared), and that sharing the batches
# between workers changes no figure. The goals (issue 13) are not asserted
# here: `make bench-endpoint` reports them.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

prog="$BUILD/bench/bench_endpoint"
one="$TEST_LOG_DIR/one.json"
two="$TEST_LOG_DIR/two.json"
args="config/plant.yaml simulator/feedstocks.yaml recipes 3"
# shellcheck disable=SC2086
tap_check "bench_endpoint runs 3 batches a feedstock with one worker" \
	sh -c "'$prog' $args 1 >'$one'"
# shellcheck disable=SC2086
tap_check "and with two workers" sh -c "'$prog' $args 2 >'$two'"
# the checks print "1 DESC" (passed) or "0 DESC" (failed), one a line
"$PYTHON" - "$one" "$two" >"$TEST_LOG_DIR/checks.out" <<'PY'
import json, math, os, sys

def tap(ok, desc):
    print(("1 " if ok else "0 ") + desc)

try:
    one = json.load(open(sys.argv[1]))
    two = json.load(open(sys.argv[2]))
except (OSError, ValueError) as e:
    tap(False, f"the output is one JSON object ({e})")
    sys.exit(0)
tap(one["batches_per_feed"] == 3, "3 batches a feedstock")
for feed, f in one["feeds"].items():
    ways = [w for w in ("bundled", "fixed", "economic") if w in f]
    want = ["bundled", "fixed"] + (["economic"]
                                   if os.path.exists(f"recipes/{feed}-economic.yaml") else [])
    tap(ways == want, f"{feed}: runs {', '.join(want)} ({', '.join(ways)})")
    for w in ways:
        r = f[w]
        tap(r["batches"] == 3 and r["failed"] == 0,
            f"{feed} {w}: every batch ran ({r['batches']} ran, {r['failed']} failed)")
        bad = [k for k, v in r.items() if not (isinstance(v, (int, float)) and math.isfinite(v))]
        tap(not bad, f"{feed} {w}: every figure is a finite number (not: {bad})")
        if bad:
            continue
        tap(r["oil_kg_median"] > 0 and r["steam_kg_median"] > r["distil_steam_kg_median"] > 0,
            f"{feed} {w}: oil and steam, more steam in the batch than in its distil step")
        tap(0 < r["distil_h_median"] < r["batch_h_median"],
            f"{feed} {w}: the distil step is part of the batch")
        tap(r["cost_vnd_median"] > 0 and abs(r["value_vnd_median"] - r["net_vnd_median"]) > 0,
            f"{feed} {w}: the batch costs money and its oil is worth some")
    fx = f.get("fixed", {})
    tap(abs(fx.get("distil_h_median", 0) - f["fixed_h"]) < 0.01,
        f"{feed}: fixed-time practice distils {f['fixed_h']} h ({fx.get('distil_h_median')})")
fc = one["fc"]
vals = [fc[f"p{p}_pct_at_{a}"] for p in (50, 90) for a in ("quarter", "half", "three_quarters")]
tap(all(isinstance(v, (int, float)) and 0 <= v <= 100 for v in vals),
    f"forecast errors at 25/50/75 % are percentages ({vals})")
one.pop("wall_s"), two.pop("wall_s"), one.pop("workers"), two.pop("workers")
tap(one == two, "two workers give the same figures as one")
PY
while read -r ok desc; do
	if [ "$ok" = 1 ]; then tap_ok "$desc"; else tap_fail "$desc"; fi
done <"$TEST_LOG_DIR/checks.out"
