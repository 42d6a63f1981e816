#!/bin/sh
# Checks for what the build and the tests need, and proves the tools work.
# Installs the missing Debian packages when run as root with apt-get, else
# prints the line to run.
#   sh tests/deps.sh install   packages, then every tool check (make deps);
#                              a failing check installs what it needs and
#                              is tried again; says which check failed, why
#   sh tests/deps.sh quiet     packages only, silent when all are there
#                              (make deps-quiet, run by every build: cheap)
# A fresh Debian machine needs make and a C compiler first; everything else
# comes from here. python3-serial-asyncio: Debian's pymodbus 3.0 imports it
# at `from pymodbus.client import ...` but only Recommends it.
PKGS="pkg-config libmodbus-dev libsqlite3-dev libyaml-dev libncurses-dev \
libcmocka-dev tmux mbpoll python3-pymodbus python3-serial-asyncio sqlite3 \
socat gettext clang libclang-rt-14-dev valgrind strace iproute2 procps \
libqrencode-dev chromium fonts-dejavu-core poppler-utils libxml2-utils zbar-tools \
zlib1g-dev"
mode=${1:-install}
CC=${CC:-cc}

# deps_missing: prints the packages of $PKGS not installed (one dpkg call)
deps_missing() {
	dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
		awk '/ ok installed$/ { ok[$1] = 1 }
		     END { n = split(ENVIRON["PKGS"], p, /[ \t\n]+/)
		           for (i = 1; i <= n; i++) if (p[i] != "" && !ok[p[i]]) print p[i] }' |
		tr '\n' ' '
}

# deps_install [--reinstall] PKG...: installs with apt-get as root; 0 when done
deps_install() {
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		export DEBIAN_FRONTEND=noninteractive
		apt_log=$(mktemp /tmp/stillroom-deps-apt.XXXXXX)
		if apt-get update -q >"$apt_log" 2>&1 &&
			apt-get install -y -q --no-install-recommends "$@" >"$apt_log" 2>&1; then
			rm -f "$apt_log"
			echo "deps: installed ${*#--reinstall }"
			return 0
		fi
		tail -n 5 "$apt_log" | sed 's/^/deps:   /' >&2
		rm -f "$apt_log"
		echo "deps: apt-get failed; run: apt-get update && apt-get install -y ${*#--reinstall }" >&2
		return 1
	fi
	echo "deps: run as root: apt-get update && apt-get install -y ${*#--reinstall }" >&2
	return 1
}

export PKGS
missing=$(deps_missing)
if [ -n "$missing" ]; then
	echo "deps: missing: $missing"
	deps_install $missing || exit 1
elif [ "$mode" != quiet ]; then
	echo "deps: all packages present ($PKGS)"
fi
[ "$mode" = quiet ] && exit 0

# ---- the tool checks: each proves one tool works as the tests use it ----
tmp=$(mktemp -d /tmp/stillroom-deps.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# deps_cc NAME PKGCONFIG-MODULES: compiles and runs $tmp/NAME.c against them
deps_cc() {
	flags=$(pkg-config --cflags --libs $2) &&
		$CC -o "$tmp/$1" "$tmp/$1.c" $flags && "$tmp/$1"
}

cat >"$tmp/cmocka_hello.c" <<'EOF'
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
static void hello(void **state) { (void)state; assert_int_equal(2, 1 + 1); }
int main(void)
{
	const struct CMUnitTest t[] = {cmocka_unit_test(hello)};
	return cmocka_run_group_tests(t, NULL, NULL);
}
EOF
cat >"$tmp/libs_hello.c" <<'EOF'
#include <modbus.h>
#include <sqlite3.h>
#include <yaml.h>
#include <curses.h>
int main(void)
{
	modbus_t *m = modbus_new_tcp("127.0.0.1", 1502);
	yaml_parser_t y;
	sqlite3 *db;
	int ok = m != NULL && yaml_parser_initialize(&y) &&
	         sqlite3_open(":memory:", &db) == SQLITE_OK && curses_version() != NULL;
	modbus_free(m);
	return ok ? 0 : 1;
}
EOF
cat >"$tmp/qr_hello.c" <<'EOF'
#include <stddef.h>
#include <qrencode.h>
int main(void)
{
	QRcode *q = QRcode_encodeString8bit("stillroom", 0, QR_ECLEVEL_M);
	int ok = q != NULL && q->width == 21;
	QRcode_free(q);
	return ok ? 0 : 1;
}
EOF
# a tiny page for chromium (the documents' tests render in it: tests/doc.sh)
printf '<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title><style>@page{size:A4}</style></head><body><p>deps</p></body></html>\n' >"$tmp/page.html"
# deps_chromium: headless chromium writes a screenshot and a PDF of it
deps_chromium() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$tmp/chromium" --no-first-run --window-size=200,100 \
		--no-pdf-header-footer --screenshot="$tmp/page.png" \
		--print-to-pdf="$tmp/page.pdf" "file://$tmp/page.html" &&
		test -s "$tmp/page.png" && test -s "$tmp/page.pdf"
}
echo 'int main(void) { int a[2] = {0, 1}; return a[1] - 1; }' >"$tmp/san_hello.c"
# deps_san: the sanitizer build (make SANITIZE=address,undefined) links and runs
deps_san() {
	$CC -fsanitize=address,undefined -o "$tmp/san" "$tmp/san_hello.c" && "$tmp/san"
}

# name | packages a failure installs | the command that must succeed
CHECKS='pymodbus|python3-pymodbus python3-serial-asyncio python3|/usr/bin/python3 -c "from pymodbus.client import ModbusTcpClient"
mbpoll|mbpoll|mbpoll -h
tmux|tmux|tmux -V
socat|socat|socat -V
sqlite3|sqlite3|sqlite3 -version
pgrep|procps|pgrep -V
ss|iproute2|ss -V
msgfmt|gettext|msgfmt --version
clang|clang|clang --version
valgrind|valgrind|valgrind --version
strace|strace|strace -V
cmocka hello|libcmocka-dev pkg-config|deps_cc cmocka_hello cmocka
libmodbus, sqlite3, yaml, ncursesw hello|libmodbus-dev libsqlite3-dev libyaml-dev libncurses-dev pkg-config|deps_cc libs_hello "libmodbus sqlite3 yaml-0.1 ncursesw"
ASan+UBSan hello|libclang-rt-14-dev|deps_san
libqrencode hello|libqrencode-dev pkg-config|deps_cc qr_hello libqrencode
chromium headless screenshot and PDF|chromium|deps_chromium
pdftotext, pdfinfo|poppler-utils|pdftotext -v && pdfinfo -v
xmllint|libxml2-utils|xmllint --version
zbarimg|zbar-tools|zbarimg --version'

# deps_check NAME CMD: runs CMD; on failure prints its last lines
deps_check() {
	if eval "$2" >"$tmp/out" 2>&1; then
		return 0
	fi
	echo "deps: check '$1' failed: $2" >&2
	tail -n 3 "$tmp/out" | sed 's/^/deps:   /' >&2
	return 1
}

failed=0
nl='
'
IFS_SAVE=$IFS
IFS=$nl
for line in $CHECKS; do
	IFS=$IFS_SAVE
	name=${line%%|*}
	rest=${line#*|}
	pkgs=${rest%%|*}
	cmd=${rest#*|}
	if ! deps_check "$name" "$cmd"; then
		echo "deps: installing for '$name': $pkgs" >&2
		if ! deps_install --reinstall $pkgs || ! deps_check "$name" "$cmd"; then
			echo "deps: FAILED: $name" >&2
			failed=$((failed + 1))
		fi
	fi
	IFS=$nl
done
IFS=$IFS_SAVE
if [ "$failed" -gt 0 ]; then
	echo "deps: $failed tool check(s) failed (see above)" >&2
	exit 1
fi
echo "deps: every tool check passed"
