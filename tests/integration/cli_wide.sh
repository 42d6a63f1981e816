#!/bin/sh
# cli_wide: `stillroom status --json` of a plant of 8 stills. The JSON is
# one reply line of about 9 KB, longer than PROTO_LINE_MAX (8192): the CLI
# used to drop its first 8192 bytes and print the rest, which is no JSON
# (found by the soak). Checks that the whole line comes through and parses,
# with every still in it, and that the table form lists all 8.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

plant_config
"$PYTHON" tests/soak/soak.py stills "$PLANT_CONF" 8
plant_start_sim
plant_start_daemon || tap_fail "daemon starts"
json_stills() {
	sr status --json >"$TEST_LOG_DIR/status.json" &&
		"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
names = [s["name"] for s in d["stills"]]
assert names == ["still%d" % i for i in range(1, 9)], names
print(len(open(sys.argv[1]).read()), "bytes")' "$TEST_LOG_DIR/status.json"
}
tap_check "status --json of 8 stills is one whole JSON document (over 8192 bytes)" json_stills
tap_note "$(wc -c <"$TEST_LOG_DIR/status.json") bytes"
tap_check "status lists the 8 stills" sh -c \
	"'$BUILD/stillroom' -c '$PLANT_CONF' status | grep -c '^still[1-8] ' | grep -qx 8"
stop_bg daemon 10
