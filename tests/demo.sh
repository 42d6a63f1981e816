#!/bin/sh
# make demo: the simulator, the controller and the console together on the
# bundled config, all on 127.0.0.1. Quitting the console stops what this
# started (and only that); logs stay in run/.
#   DEMO_SPEED=N        process seconds per wall second (default 10)
#   DEMO_CONFIG=FILE    another plant config (tests use one on a free port)
#   DEMO_RUN=DIR        where the logs go (default run/)
set -u
BUILD=${BUILD:-build}
SPEED=${DEMO_SPEED:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
CONF=${DEMO_CONFIG:-config/plant.yaml}
RUN=${DEMO_RUN:-run}
mkdir -p "$RUN"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$BUILD/stillroom-sim" -c "$CONF" --speed "$SPEED" >"$RUN"/demo-sim.log 2>&1 &
pids="$pids $!"
"$BUILD/stillroomd" -c "$CONF" --speed "$SPEED" --no-realtime \
	>"$RUN"/demo-stillroomd.log 2>&1 &
pids="$pids $!"
i=0
while ! "$BUILD/stillroom" -c "$CONF" status >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ]; then
		echo "demo: the controller did not come up; see $RUN/demo-*.log:" >&2
		tail -n 5 "$RUN"/demo-sim.log "$RUN"/demo-stillroomd.log >&2
		exit 1
	fi
	sleep 0.1
done
# a received lot to start a batch from, the first time
"$BUILD/stillroom" -c "$CONF" lot add DEMO-LEAF-001 --feedstock cassia-leaf \
	--mass 2000 --grower "Hộ Nguyễn Văn An" --origin "Văn Yên, Yên Bái" \
	--moisture 12 --operator demo >/dev/null 2>&1
"$BUILD/stillroom" -c "$CONF"
