#!/bin/sh
# ops_console: the console's start form makes up a charge of several lots
# (real stillroomd and simulator; the console under tmux, keys in with
# send-keys, the screen back with capture-pane). The operator adds lot A
# with Ins, lot B with '+' typed in the mass field, removes B with Del,
# adds B again with another mass by Enter on the last field; the form
# shows the charge's lines and its total; the review says how many lots
# and the charge; the batch draws each lot as shown.
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh
. tests/ops.sh

if ! command -v tmux >/dev/null 2>&1; then
	tap_skip "console under tmux" "tmux is not installed (apt-get install tmux)"
	exit 0
fi
T="tmux -L stillroom-ops-$$ -f /dev/null"
cleanup() {
	$T kill-server 2>/dev/null
	_lib_exit
}
trap cleanup EXIT

plant_config
plant_start_sim
plant_start_daemon
sr lot add L-A --feedstock cassia-leaf --mass 300 --grower "Hộ A" --origin "Văn Yên" >/dev/null
sr lot add L-B --feedstock cassia-leaf --mass 300 --grower "Hộ B" --origin "Mậu A" >/dev/null

screen() { $T capture-pane -p -t con; }
has() { screen | grep -qF -- "$1"; }
keys() { $T send-keys -t con "$@"; }
expect() { wait_for "$@" || screen | sed 's/^/# screen: /'; }

$T new-session -d -s con -x 80 -y 24 \
	"env LANG=C.UTF-8 LC_ALL= LANGUAGE= TERM=xterm-256color '$BUILD/stillroom' -c '$PLANT_CONF' --operator tester 2>'$TEST_LOG_DIR/console.err'; sleep 30"
expect "the console asks who is operating" 10 has "Operator: tester"
keys Enter
expect "overview lists still1" 10 sh -c "$T capture-pane -p -t con | grep -q '^still1 '"
keys 4
expect "start form opens" 5 has "Start a batch"
keys L-A Enter Enter 200 IC
expect "Ins adds lot A: the total shows" 5 has "charge: 1 lots, 200.0 kg in all"
keys L-B Enter Enter 100 +
expect "'+' in the mass field adds lot B" 5 has "charge: 2 lots, 300.0 kg in all"
keys Tab Tab Tab
expect "the charge's lines are listed with the total" 5 has "Charge: 2 lots, 300.0 kg"
tap_check "lot B's line is listed" has "2. L-B"
keys DC
expect "Del removes the last lot" 5 has "Charge: 1 lots, 200.0 kg"
keys Tab
keys L-B Enter Enter 150 Enter
expect "Enter on the mass adds lot B and opens the review" 15 has "Start a batch on still1?"
tap_check "the review says 2 lots and 350 kg" has "2 lots, charge 350.0 kg"
keys y
expect "the console shows the started batch" 15 has "Done:"
tap_check "the batch draws each lot as shown" test "$(q "select group_concat(lot_id || '=' || \
mass_kg, ',') from (select * from batch_lots where batch_id = 1 order by lot_id)")" = \
	"L-A=200.0,L-B=150.0"
tap_check "and charges their sum" test "$(q "select charge_kg from batches where id = 1")" = "350.0"
