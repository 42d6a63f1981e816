#!/bin/sh
# `make demo`'s script under tmux: the console comes up showing both stills
# with live values, and quitting it stops the simulator and the controller
# the demo started (on a private config with a free port, not 1502).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

plant_config
tmx="stillroom-demo-$$"
tmux -L "$tmx" new-session -d -s demo -x 100 -y 30 \
	"DEMO_CONFIG=$PLANT_CONF DEMO_RUN=$TEST_LOG_DIR DEMO_SPEED=20 BUILD=$BUILD sh tests/demo.sh; echo DEMO-EXIT=\$?; sleep 60"
screen() { tmux -L "$tmx" capture-pane -p -t demo; }
shows_operator_prompt() { screen | grep -q "Who is operating"; }
wait_for "the console asks who is operating" 20 shows_operator_prompt
tmux -L "$tmx" send-keys -t demo Enter
shows_both() { screen | grep -q "^still1 " && screen | grep -q "^still2 "; }
wait_for "the overview lists still1 and still2" 10 shows_both
tap_check "the overview shows a live charge temperature (about 25 C)" \
	sh -c "tmux -L '$tmx' capture-pane -p -t demo | grep -E '^still1 .* 2[0-9]\.[0-9]'"
tap_check "the demo received a lot to start from" sh -c \
	"sqlite3 '$PLANT_DB' \"select count(*) from lots where lot_id = 'DEMO-LEAF-001'\" | grep -qx 1"
demo_procs() { pgrep -f -- "-c $PLANT_CONF --speed" >/dev/null; }
tap_check "the simulator and controller are running" demo_procs
tmux -L "$tmx" send-keys -t demo q
exited() { screen | grep -q "DEMO-EXIT=0"; }
wait_for "quitting the console ends the demo with status 0" 15 exited
no_procs() { ! demo_procs; }
wait_for "no process of the demo is left" 10 no_procs
tmux -L "$tmx" kill-server 2>/dev/null
