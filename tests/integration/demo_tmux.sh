#!/bin/sh
# `make demo`'s script under tmux: the console comes up showing both stills
# with live values, and quitting it stops the simulator and the controller
# the demo started (on a private config with a free port, not 1502).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/demo_drive.sh

plant_config
demo_open "stillroom-demo-$$" \
	"DEMO_CONFIG=$PLANT_CONF DEMO_RUN=$TEST_LOG_DIR DEMO_SPEED=20 BUILD=$BUILD sh tests/demo.sh"
tap_check "the overview shows a live charge temperature (about 25 C)" \
	sh -c "tmux -L 'stillroom-demo-$$' capture-pane -p -t demo | grep -E '^still1 .* 2[0-9]\.[0-9]'"
tap_check "the demo received a lot to start from" sh -c \
	"sqlite3 '$PLANT_DB' \"select count(*) from lots where lot_id = 'DEMO-LEAF-001'\" | grep -qx 1"
demo_procs() { pgrep -f -- "-c $PLANT_CONF --speed" >/dev/null; }
tap_check "the simulator and controller are running" demo_procs
demo_quit
no_procs() { ! demo_procs; }
wait_for "no process of the demo is left" 10 no_procs
