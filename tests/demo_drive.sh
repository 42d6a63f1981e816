# tests/demo_drive.sh: `make demo`'s console driven under tmux, for
# tests/integration/demo_tmux.sh and CI's .ci/demo-drive.sh. Source it
# after tests/lib.sh.
#   demo_open TMX CMD   runs CMD (then "DEMO-EXIT=status") in a 100x30 tmux
#                       session on server TMX, answers the operator prompt,
#                       waits until the overview lists still1 and still2
#   demo_screen         the pane as text
#   demo_quit           sends q, waits for DEMO-EXIT=0, ends the server
#   DEMO_WAIT_S         how long the console may take to come up (20 s)

demo_screen() { tmux -L "$_demo_tmx" capture-pane -p -t demo; }
_demo_asks() { demo_screen | grep -q "Who is operating"; }
_demo_both() { demo_screen | grep -q "^still1 " && demo_screen | grep -q "^still2 "; }
_demo_exited() { demo_screen | grep -q "DEMO-EXIT=0"; }

demo_open() {
	_demo_tmx=$1
	tmux -L "$_demo_tmx" new-session -d -s demo -x 100 -y 30 \
		"$2; echo DEMO-EXIT=\$?; sleep 60"
	wait_for "the console asks who is operating" "${DEMO_WAIT_S:-20}" _demo_asks
	tmux -L "$_demo_tmx" send-keys -t demo Enter
	wait_for "the overview lists still1 and still2" 10 _demo_both
}

demo_quit() {
	tmux -L "$_demo_tmx" send-keys -t demo q
	wait_for "quitting the console ends the demo with status 0" 15 _demo_exited
	demo_screen | tail -n 5 | sed 's/^/# /'
	tmux -L "$_demo_tmx" kill-server 2>/dev/null
}
