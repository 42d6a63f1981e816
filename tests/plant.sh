# tests/plant.sh: helpers to run the real simulator and controller in an
# integration script, on 127.0.0.1 with a free port and a private
# database, socket and recipe folder under $TEST_LOG_DIR. Source after
# tests/lib.sh.
#
#   plant_config [SED_EXPR...]  writes $PLANT_CONF from config/plant.yaml:
#                               the free port $PLANT_PORT, paths in
#                               $TEST_LOG_DIR, recipes + tests/data/it/*.yaml;
#                               each SED_EXPR edits the result
#   plant_start_sim [ARGS...]   starts stillroom-sim (name "sim") on it
#   plant_start_daemon [ARGS...] starts stillroomd (name "daemon"), waits for
#                               its socket
#   sr ARGS...                  runs the stillroom CLI on this plant
#   sr_field STILL KEY          one field of `sr status` for STILL
#   SPEED                       process seconds per wall second (default 50)
#
# The field watchdog counts process time: at --speed N a wall hiccup of W ms
# in any of the processes is N*W ms of missed heartbeats, so the test config
# sets watchdog_ms to 60000 (1.2 s wall at speed 50). Scripts that test the
# watchdog itself put it back with a SED_EXPR and a lower SPEED.

SPEED=${SPEED:-50}
PLANT_CONF="$TEST_LOG_DIR/plant.yaml"
PLANT_DB="$TEST_LOG_DIR/stillroom.db"
PLANT_SOCK="$TEST_LOG_DIR/stillroom.sock"
_top=$(pwd)

plant_config() {
	PLANT_PORT=$(free_port)
	mkdir -p "$TEST_LOG_DIR/recipes"
	cp "$_top"/recipes/*.yaml "$_top"/tests/data/it/*.yaml "$TEST_LOG_DIR/recipes/"
	sed -e "s#127.0.0.1:1502#127.0.0.1:$PLANT_PORT#" \
		-e "s#database: .*#database: $PLANT_DB#" \
		-e "s#socket: .*#socket: $PLANT_SOCK#" \
		-e "s#recipes: .*#recipes: $TEST_LOG_DIR/recipes#" \
		-e "s#feedstocks: .*#feedstocks: $_top/simulator/feedstocks.yaml#" \
		-e "s#qa_spec: .*#qa_spec: $_top/config/qa.yaml#" \
		-e "s#^watchdog_ms: [0-9]*#watchdog_ms: 60000#" \
		"$_top/config/plant.yaml" >"$PLANT_CONF"
	for _e in "$@"; do
		sed -i -e "$_e" "$PLANT_CONF"
	done
	export PLANT_CONF PLANT_PORT PLANT_DB PLANT_SOCK
}

plant_start_sim() {
	start_bg sim "$BUILD/stillroom-sim" -c "$PLANT_CONF" --speed "$SPEED" "$@"
	wait_port "$PLANT_PORT" 10
}

plant_start_daemon() {
	rm -f "$PLANT_SOCK"
	start_bg daemon "$BUILD/stillroomd" -c "$PLANT_CONF" --speed "$SPEED" --no-realtime "$@"
	_poll 10 sr status
}

sr() {
	"$BUILD/stillroom" -c "$PLANT_CONF" --operator tester "$@"
}

sr_field() {
	sr status --json | "$PYTHON" -c 'import json, sys
for s in json.load(sys.stdin)["stills"]:
    if s["name"] == sys.argv[1]:
        print(s[sys.argv[2]])' "$1" "$2"
}
