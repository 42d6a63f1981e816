#!/bin/sh
# CI: the installed plant works. Run as root on a throwaway Debian machine
# or root (.ci/fresh-root.sh runs it in its chroot), with the package built:
#   sh .ci/deb-smoke.sh build-deb/stillroom_VERSION_ARCH.deb
# Installs the package, runs the unit's ExecStart line as user stillroom
# against the installed simulator on the port the installed config names,
# starts a batch with the installed CLI (no flags), finds the batch in
# /var/lib/stillroom/stillroom.db, checks an edited conffile survives a
# reinstall, then removes the package. TAP output: ok / not ok lines and a
# last line "N passed, N failed".
set -u
deb=$(readlink -f "$1")
conf=/etc/stillroom/plant.yaml
db=/var/lib/stillroom/stillroom.db
unit=/usr/lib/systemd/system/stillroomd.service
log=$(mktemp -d /tmp/stillroom-deb-smoke.XXXXXX)
n=0 passed=0 failed=0
pids=""

# smoke_check NAME CMD...: one TAP line; on failure the command's output
smoke_check() {
	name=$1
	shift
	n=$((n + 1))
	if "$@" >"$log/out" 2>&1; then
		echo "ok $n - $name"
		passed=$((passed + 1))
		return 0
	fi
	echo "not ok $n - $name"
	sed 's/^/    # /' "$log/out" | tail -n 15
	failed=$((failed + 1))
	return 1
}

# smoke_wait SECONDS CMD...: until CMD succeeds, at most SECONDS
smoke_wait() {
	tries=$(($1 * 10))
	shift
	while ! "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

smoke_stop() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	pids=""
}
trap 'smoke_stop; rm -rf "$log"' EXIT
trap 'exit 130' INT TERM

owned_by_stillroom() { [ "$(stat -c %U "$1")" = stillroom ]; }
sql() { sqlite3 "$db" "$1"; }
exec_start() { sed -n 's/^ExecStart=//p' "$unit"; }

export DEBIAN_FRONTEND=noninteractive
smoke_check "the package installs with its Depends (apt-get install ./deb)" \
	apt-get install -y -q --no-install-recommends "$deb" || {
	echo "$passed passed, $failed failed"
	exit 1
}
smoke_check "postinst made the system user stillroom" getent passwd stillroom
smoke_check "/var/lib/stillroom belongs to stillroom" owned_by_stillroom /var/lib/stillroom
smoke_check "/run/stillroom belongs to stillroom" owned_by_stillroom /run/stillroom
smoke_check "qa.yaml is installed beside plant.yaml" test -r /etc/stillroom/qa.yaml
smoke_check "the unit's ExecStart is the installed daemon" \
	sh -c "sed -n 's/^ExecStart=//p' $unit | grep -qx '/usr/bin/stillroomd -c $conf'"
smoke_check "the installed config passes --check-config as user stillroom" \
	runuser -u stillroom -- stillroomd -c "$conf" --check-config

# the plant: the simulator on the port the config names, then the unit's line
runuser -u stillroom -- stillroom-sim -c "$conf" >"$log/sim.log" 2>&1 &
pids="$pids $!"
# the unit's ExecStart line, split as systemd would; setpriv execs it (no
# process in between), so the SIGTERM below reaches the daemon itself
# shellcheck disable=SC2046
setpriv --reuid stillroom --regid stillroom --init-groups -- $(exec_start) \
	>"$log/stillroomd.log" 2>&1 &
pids="$pids $!"
daemon_pid=$!
status_ok() { stillroom status >/dev/null 2>&1; }
if ! smoke_check "the installed stillroom status finds the daemon without flags" \
	smoke_wait 30 status_ok; then
	tail -n 5 "$log/sim.log" "$log/stillroomd.log" | sed 's/^/    # /'
fi
smoke_check "the database is /var/lib/stillroom/stillroom.db, owned by stillroom" \
	owned_by_stillroom "$db"
smoke_check "stillroom lot add (installed CLI, no flags)" \
	stillroom lot add LOT-SMOKE-1 --feedstock cassia-leaf --mass 800 \
	--grower "Hộ Lò Văn Minh" --origin "Văn Yên" --moisture 12 --operator ci
smoke_check "stillroom start still1 (installed CLI, no flags)" \
	stillroom start still1 --recipe cassia-leaf --lot LOT-SMOKE-1 --mass 500 --operator ci
batch_recorded() {
	sql "select count(*) from batches b join batch_lots l on l.batch_id = b.id
	     where b.still = 'still1' and l.lot_id = 'LOT-SMOKE-1'" | grep -qx 1
}
smoke_check "sqlite3 finds the batch of LOT-SMOKE-1 in $db" smoke_wait 10 batch_recorded
smoke_check "stillroom status shows the batch running on still1" \
	sh -c "stillroom status | grep '^still1' | grep -v IDLE"
kill "$daemon_pid"
smoke_check "the daemon stops cleanly on SIGTERM" wait "$daemon_pid"
smoke_stop

echo "# edited by the plant" >>"$conf"
smoke_check "reinstalling the package keeps an edited $conf (conffile)" \
	sh -c "dpkg -i '$deb' && grep -qx '# edited by the plant' '$conf'"
smoke_check "the package removes (apt-get remove)" apt-get remove -y -q stillroom
smoke_check "removing keeps the batch records" test -s "$db"
smoke_check "removing leaves no program behind" sh -c "! command -v stillroomd"
echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
