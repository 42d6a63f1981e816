#!/bin/sh
# CI: the README's `make demo` (bundled config, port 1502: run it where
# nothing else uses that port, as .ci/fresh-root.sh does in its own network
# namespace), driven under tmux until the console shows both stills, then
# `q`. Run from the top of a built tree:  sh .ci/demo-drive.sh [MAKE ARGS]
# TAP output (tests/lib.sh, tests/demo_drive.sh).
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
. tests/demo_drive.sh
DEMO_WAIT_S=120 demo_open "stillroom-ci-demo-$$" "make $* demo"
demo_quit
