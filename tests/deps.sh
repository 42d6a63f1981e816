#!/bin/sh
# Checks for what the build and the tests need; installs the missing
# Debian packages when run as root with apt-get, else prints the line.
#   sh tests/deps.sh install   say what is checked, install if missing
#   sh tests/deps.sh quiet     silent when everything is there
PKGS="pkg-config libmodbus-dev libsqlite3-dev libyaml-dev libncurses-dev \
libcmocka-dev tmux mbpoll python3-pymodbus sqlite3 socat gettext clang \
libclang-rt-14-dev valgrind strace iproute2"
mode=${1:-install}
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	[ "$mode" = quiet ] || echo "deps: all present ($PKGS)"
	exit 0
fi
echo "deps: missing:$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null &&
		apt-get install -y -q --no-install-recommends $missing >/dev/null &&
		{ echo "deps: installed$missing"; exit 0; }
	echo "deps: apt-get failed; run: apt-get update && apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: run as root: apt-get update && apt-get install -y$missing" >&2
exit 1
