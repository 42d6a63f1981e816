#!/bin/sh
# CI: the README's `make demo` (bundled config, port 1502: run it where
# nothing else uses that port, as .ci/fresh-root.sh does in its own network
# namespace), driven under tmux until the console shows both stills, then
# `q`. Run from the top of a built tree:  sh .ci/demo-drive.sh [MAKE ARGS]
# TAP output (tests/lib.sh), the same steps as tests/integration/demo_tmux.sh.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
tmx="stillroom-ci-demo-$$"
tmux -L "$tmx" new-session -d -s demo -x 100 -y 30 \
	"make $* demo; echo DEMO-EXIT=\$?; sleep 60"
screen() { tmux -L "$tmx" capture-pane -p -t demo; }
asks_operator() { screen | grep -q "Who is operating"; }
wait_for "make demo: the console asks who is operating" 120 asks_operator
tmux -L "$tmx" send-keys -t demo Enter
shows_both() { screen | grep -q "^still1 " && screen | grep -q "^still2 "; }
wait_for "make demo: the overview lists still1 and still2" 30 shows_both
tmux -L "$tmx" send-keys -t demo q
exited() { screen | grep -q "DEMO-EXIT=0"; }
wait_for "make demo: q ends the demo with status 0" 30 exited
screen | tail -n 5 | sed 's/^/# /'
tmux -L "$tmx" kill-server 2>/dev/null
