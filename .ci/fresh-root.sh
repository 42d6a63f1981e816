#!/usr/bin/env bash
# CI on a fresh machine: a minimal Debian 12 root (debootstrap minbase),
# given only what the README says a fresh machine needs (make, gcc; git to
# get the source), a clean clone of the commit under test, then as root in
# a chroot:
#   fresh     apt-get install make gcc git
#   deps      make deps (installs the rest, proves every tool works)
#   check     make -j WERROR=1 check-build (the build, a job per core),
#             then make WERROR=1 check
#   demo      make demo under tmux until both stills show, then q
#   deb       make deb, install it, run the installed plant (.ci/deb-smoke.sh)
# Everything after deps runs without network, in its own network namespace
# (so the demo's and the package's port 1502 is private); the whole run is
# in its own mount and pid namespaces, so its mounts and processes go with
# it, and the root is removed on exit, on failure or on Ctrl-C.
#   sudo .ci/fresh-root.sh [COMMIT]     (default HEAD)
#   SR_CI_CACHE=DIR   where downloaded .debs are kept between runs (default
#                     /var/cache/stillroom-ci; the root itself is always new)
#   SR_CI_KEEP=1      keep the root (for a look after a failure)
#   SR_CI_LOGS=DIR    where the failed tests' logs are copied from the root
#                     before it goes (default /var/tmp/stillroom-ci-logs)
# Prints each stage's duration and last "N passed, N failed" summed over the
# stages; exits non-zero on any failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)

# ---- inside the namespaces (the script runs itself with --inside) ----

# stage NAME CMD...: runs CMD, prints its duration and counts its result:
# the last "N passed, N failed" line when it prints one, else its TAP
# ok / not ok lines, else one check for its exit status
stage() {
	local name=$1 t0 rc p f log line
	shift
	log=$(mktemp)
	echo "=== fresh root: $name"
	t0=$(date +%s)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | cut -d' ' -f1)
		f=$(echo "$line" | cut -d' ' -f3)
	else
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
			[ "$rc" -eq 0 ] && p=1 || f=1
		fi
	fi
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	echo "=== fresh root: $name: $p passed, $f failed, $(($(date +%s) - t0)) s"
	rm -f "$log"
	return "$rc"
}

in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=xterm LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
in_root_offline() { unshare --net -- sh -c 'ip link set lo up && exec "$@"' sh \
	chroot "$root" /usr/bin/env -i HOME=/root TERM=xterm LANG=C.UTF-8 \
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
in_src() { in_root sh -c 'cd /src/stillroom && "$@"' sh "$@"; }
in_src_offline() { in_root_offline sh -c 'cd /src/stillroom && "$@"' sh "$@"; }

fresh_mounts() {
	mount -t proc proc "$root/proc" &&
		mount -t sysfs sysfs "$root/sys" &&
		mount --bind /dev "$root/dev" &&
		mount --bind /dev/pts "$root/dev/pts" &&
		mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm" &&
		mkdir -p "$cache/archives/partial" &&
		mount --bind "$cache/archives" "$root/var/cache/apt/archives"
}

fresh_machine() {
	cp /etc/resolv.conf "$root/etc/resolv.conf" &&
		in_root sh -c 'apt-get update -q >/dev/null &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends make gcc git ca-certificates >/dev/null' &&
		in_root sh -c 'make --version | head -n 1; gcc --version | head -n 1; git --version'
}

fresh_inside() {
	total_pass=0 total_fail=0
	local status=0
	fresh_mounts || { echo "fresh root: mounting /proc, /sys, /dev failed" >&2; exit 1; }
	stage "fresh machine: make, gcc, git" fresh_machine || status=1
	[ "$status" -eq 0 ] && { stage "make deps" in_src make deps || status=1; }
	if [ "$status" -eq 0 ]; then
		# the build with one job per core first; check then runs the suite
		stage "make -j WERROR=1 check-build" in_src_offline sh -c \
			'make -j"$(nproc)" WERROR=1 check-build' || status=1
		stage "make WERROR=1 check" in_src_offline make WERROR=1 check || status=1
		stage "make demo under tmux" in_src_offline sh .ci/demo-drive.sh WERROR=1 || status=1
		if stage "make deb" in_src_offline make WERROR=1 deb; then
			stage "the installed plant (.deb)" in_src_offline sh -c \
				'sh .ci/deb-smoke.sh build-deb/stillroom_*.deb' || status=1
		else
			status=1
		fi
	fi
	echo "fresh root: $total_pass passed, $total_fail failed"
	echo "$total_pass passed, $total_fail failed"
	exit "$status"
}

if [ "${1:-}" = --inside ]; then
	root=$2 cache=$3
	fresh_inside
fi

# ---- on the host ----

# the host's own Debian mirror: where apt finds bookworm/main
fresh_mirror() {
	local m
	m=$(apt-cache policy 2>/dev/null | awk '$3 == "bookworm/main" { print $2; exit }')
	echo "${m:-http://deb.debian.org/debian}"
}

# copies the logs of the test scripts that failed in the root (their TAP
# and their TEST_LOG_DIR: a soak's faults, daemon log and final database)
# to SR_CI_LOGS before the root goes
fresh_keep_logs() {
	local keep tap n=0
	keep=${SR_CI_LOGS:-/var/tmp/stillroom-ci-logs}/$(date +%Y%m%d-%H%M%S)
	for tap in "$root"/tmp/stillroom-tests.*/*.tap; do
		[ -f "$tap" ] && grep -q '^not ok' "$tap" || continue
		mkdir -p "$keep" && cp -a "$tap" "$keep/" || continue
		[ -d "${tap%.tap}.d" ] && cp -a "${tap%.tap}.d" "$keep/"
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] && echo "fresh root: the logs of the $n failed test files are in $keep"
	return 0
}

fresh_cleanup() {
	[ -n "${work:-}" ] && [ -d "$work" ] || return 0
	fresh_keep_logs
	if grep -qF " $work/" /proc/self/mountinfo; then
		# only if a mount escaped the namespace; never rm under a mount
		grep -F " $work/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r |
			while read -r m; do umount -l "$m"; done
	fi
	if grep -qF " $work/" /proc/self/mountinfo; then
		echo "fresh root: $work still has mounts; left in place" >&2
		return 1
	fi
	if [ "${SR_CI_KEEP:-0}" = 1 ]; then
		echo "fresh root: kept $work/root (SR_CI_KEEP=1)"
		return 0
	fi
	rm -rf --one-file-system "$work"
}

[ "$(id -u)" = 0 ] || { echo "fresh root: run as root (debootstrap, chroot)" >&2; exit 2; }
commit=$(git -C "$top" rev-parse --verify "${1:-HEAD}^{commit}") || exit 2
cache=${SR_CI_CACHE:-/var/cache/stillroom-ci}
mkdir -p "$cache/debootstrap" "$cache/archives"
command -v debootstrap >/dev/null ||
	{ apt-get update -q >/dev/null && apt-get install -y -q debootstrap >/dev/null; } ||
	{ echo "fresh root: cannot install debootstrap" >&2; exit 2; }
work=$(mktemp -d /var/tmp/stillroom-root.XXXXXX) || exit 2
root=$work/root
trap fresh_cleanup EXIT
trap 'exit 130' INT TERM
mirror=$(fresh_mirror)
echo "=== fresh root: debootstrap --variant=minbase bookworm $root $mirror"
t0=$(date +%s)
if ! debootstrap --variant=minbase --cache-dir="$cache/debootstrap" bookworm "$root" \
	"$mirror" >"$work/debootstrap.log" 2>&1; then
	tail -n 20 "$work/debootstrap.log"
	echo "fresh root: debootstrap failed"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "=== fresh root: debootstrap: $(($(date +%s) - t0)) s"
git clone -q --no-checkout "$top" "$root/src/stillroom" &&
	git -C "$root/src/stillroom" checkout -q "$commit" ||
	{ echo "fresh root: cannot clone $commit"; echo "0 passed, 1 failed"; exit 1; }
echo "=== fresh root: commit $(git -C "$root/src/stillroom" log --oneline -1)"
unshare --mount --pid --fork --propagation private -- \
	"$BASH" "$0" --inside "$root" "$cache"
