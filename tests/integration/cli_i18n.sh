#!/bin/sh
# The CLI in English and Vietnamese (gettext catalogs from po/, compiled by
# `make locale` into $BUILD/locale, which the program finds beside itself).
#
# What chooses the language (common/i18n.h, i18n_init): the locale. Here that
# is LANGUAGE=vi with LC_ALL=C.UTF-8, which works on a machine where the
# vi_VN locale is not generated (as on the Debian CI image); LANG=vi_VN.UTF-8
# alone works too (i18n_init falls back to C.UTF-8 and keeps the language).
# `--lang en|vi` on the command line overrides both. There is no
# STILLROOM_LANG variable. English is what you get otherwise.
#
# Checks: --help in Vietnamese (three ways) and in English (three ways);
# an error from a failing command (unknown still: the daemon's English
# reason inside a Vietnamese sentence; daemon unreachable; usage error) in
# both languages with the same exit status; the status table's headings
# translated, its values not, its columns aligned by display width;
# `status --json` byte-identical in both languages and identical to what
# the daemon sent (served from a recorded reply, since live values move).
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh
. tests/plant.sh

SRB=$BUILD/stillroom
run=$TEST_LOG_DIR

# in_en / in_vi CMD...: CMD with the environment choosing the language.
in_en() { env -u LANGUAGE -u LC_MESSAGES -u LANG LC_ALL=C.UTF-8 "$@"; }
in_vi() { env -u LC_MESSAGES -u LANG LANGUAGE=vi LC_ALL=C.UTF-8 "$@"; }

if [ ! -f "$BUILD/locale/vi/LC_MESSAGES/stillroom.mo" ]; then
	tap_fail "the Vietnamese catalog is built ($BUILD/locale: run make locale)"
	exit 1
fi

# ---- --help ---------------------------------------------------------------
# help_is FILE FIRST_LINE TEXT: FILE (valid UTF-8) starts with FIRST_LINE
# and holds TEXT somewhere.
help_is() {
	"$PYTHON" - "$@" <<'EOF'
import sys
text = open(sys.argv[1], "rb").read().decode("utf-8")
first = text.split("\n", 1)[0]
assert first == sys.argv[2], "first line %r, not %r" % (first, sys.argv[2])
assert sys.argv[3] in text, "%r not in the text" % sys.argv[3]
EOF
}
VI_FIRST="Cách dùng: stillroom [tùy_chọn] [lệnh [đối_số]]"
EN_FIRST="usage: stillroom [options] [command [args]]"

in_vi "$SRB" --help >"$run/help.vi" 2>&1
tap_check "--help is Vietnamese with LANGUAGE=vi LC_ALL=C.UTF-8" \
	help_is "$run/help.vi" "$VI_FIRST" "mọi nồi, mỗi nồi một dòng"
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=vi_VN.UTF-8 "$SRB" --help >"$run/help.vi2" 2>&1
tap_check "--help is Vietnamese with LANG=vi_VN.UTF-8 (generated or not)" \
	help_is "$run/help.vi2" "$VI_FIRST" "Lệnh:"
in_en "$SRB" --lang vi --help >"$run/help.vi3" 2>&1
tap_check "--help is Vietnamese with --lang vi in an English locale" \
	cmp "$run/help.vi" "$run/help.vi3"

in_en "$SRB" --help >"$run/help.en" 2>&1
tap_check "--help is English with LC_ALL=C.UTF-8 and no LANGUAGE" \
	help_is "$run/help.en" "$EN_FIRST" "every still, one line each"
tap_check "the English --help is plain ASCII" sh -c "! LC_ALL=C grep -q '[^ -~]' '$run/help.en'"
env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=C "$SRB" --help >"$run/help.en2" 2>&1
tap_check "--help is English with LANG=C" cmp "$run/help.en" "$run/help.en2"
in_vi "$SRB" --help --lang=en >"$run/help.en3" 2>&1
tap_check "--lang=en after --help overrides LANGUAGE=vi" cmp "$run/help.en" "$run/help.en3"

# ---- errors -----------------------------------------------------------------
# says WANT_STATUS FILE LINE CMD...: CMD exits WANT_STATUS, stdout empty,
# stderr exactly LINE (one line).
says() {
	_want=$1 _file=$2 _line=$3
	shift 3
	"$@" >"$_file.out" 2>"$_file"
	_st=$?
	[ "$_st" -eq "$_want" ] || { echo "exit $_st, not $_want"; return 1; }
	[ ! -s "$_file.out" ] || { echo "stdout:"; cat "$_file.out"; return 1; }
	printf '%s\n' "$_line" | cmp - "$_file" || { cat "$_file"; return 1; }
}

plant_config
plant_start_sim
plant_start_daemon
wait_for "the daemon answers" 10 "$SRB" -c "$PLANT_CONF" status
SR="$SRB -c $PLANT_CONF --operator tester"

tap_check "unknown still, Vietnamese: the daemon's reason in a translated sentence, exit 1" \
	says 1 "$run/err.vi" "stillroom hold: bị từ chối: no still named nosuch" \
	in_vi $SR hold nosuch
tap_check "unknown still, English: the same reason, exit 1" \
	says 1 "$run/err.en" "stillroom hold: refused: no still named nosuch" \
	in_en $SR hold nosuch
# unreachable IN_X TEXT: with IN_X, `hold` on a socket nobody listens on
# exits 1 and its message starts with TEXT.
unreachable() {
	$1 $SR --socket "$run/none.sock" hold still1 >/dev/null 2>"$run/unreach"
	_st=$?
	cat "$run/unreach"
	[ "$_st" -eq 1 ] && grep -qF "$2" "$run/unreach"
}
tap_check "daemon unreachable, Vietnamese, exit 1" unreachable in_vi \
	"stillroom hold: không kết nối được với bộ điều khiển stillroomd tại $run/none.sock: "
tap_check "daemon unreachable, English, exit 1" unreachable in_en \
	"stillroom hold: cannot reach stillroomd at $run/none.sock: "
tap_check "usage error, Vietnamese, exit 2" \
	says 2 "$run/usage.vi" "stillroom hold: sai số đối số (cách dùng: stillroom hold NỒI)" \
	in_vi $SR hold
tap_check "usage error, English, exit 2" \
	says 2 "$run/usage.en" "stillroom hold: wrong number of arguments (usage: stillroom hold STILL)" \
	in_en $SR hold
tap_check "unknown command, Vietnamese, exit 2" \
	says 2 "$run/cmd.vi" "stillroom: không có lệnh 'frob' (xem --help)" in_vi $SR frob

# ---- the status table against the live daemon ------------------------------
live_table() {
	in_vi $SR status >"$run/live.vi" || return 1
	head -n 1 "$run/live.vi" | grep -q '^NỒI  *TRẠNG THÁI  *MẺ  *CÔNG THỨC ' || return 1
	grep -Eq '^still1 +idle +0 ' "$run/live.vi"
}
tap_check "status in Vietnamese: translated headings, untranslated values" live_table

# ---- status and status --json from a recorded reply ------------------------
# The daemon's replies to `status` and `status json` are recorded once and
# served unchanged to every connection, so both languages see the same
# bytes (live values move between two requests).
SOCK_TALK_DIR="$(pwd)/tests/integration"
export SOCK_TALK_DIR
cat >"$run/canned.py" <<'EOF'
import os, socket, sys
sys.path.insert(0, os.environ["SOCK_TALK_DIR"])
from sock_talk import talk

if sys.argv[1] == "record":            # record SOCK DIR REQUEST...
    for i, req in enumerate(sys.argv[4:]):
        with open(os.path.join(sys.argv[3], "reply%d" % i), "wb") as f:
            f.write(talk(sys.argv[2], req))
    sys.exit(0)
# serve SOCK DIR REQUEST...: answers REQUEST number i with reply<i>
replies = {req: open(os.path.join(sys.argv[3], "reply%d" % i), "rb").read()
           for i, req in enumerate(sys.argv[4:])}
srv = socket.socket(socket.AF_UNIX)
srv.bind(sys.argv[2])
srv.listen(4)
while True:
    c, _ = srv.accept()
    f = c.makefile("rb")
    req = f.readline().decode().strip()
    c.sendall(replies.get(req, b"err not recorded: " + req.encode() + b"\n"))
    c.close()
EOF
mkdir -p "$run/rec"
"$PYTHON" "$run/canned.py" record "$PLANT_SOCK" "$run/rec" "status json" "status"
start_bg canned "$PYTHON" "$run/canned.py" serve "$run/canned.sock" "$run/rec" "status json" "status"
wait_file "$run/canned.sock" 10
CANNED="$SR --socket $run/canned.sock"

in_en $CANNED status --json >"$run/json.en"
in_vi $CANNED status --json >"$run/json.vi"
sed '$d' "$run/rec/reply0" >"$run/json.daemon"
tap_check "the recorded status reply is a JSON document" \
	"$PYTHON" -c 'import json, sys; json.load(open(sys.argv[1]))["stills"][0]["name"]' \
	"$run/json.daemon"
tap_check "status --json is byte-identical in English and Vietnamese" \
	cmp "$run/json.en" "$run/json.vi"
tap_check "status --json is exactly what the daemon sent" \
	cmp "$run/json.daemon" "$run/json.en"

in_en $CANNED status >"$run/table.en"
in_vi $CANNED status >"$run/table.vi"
# aligned FILE: every line of the table is as wide (in characters: the
# Vietnamese here is precomposed, one column each) as the heading.
aligned() {
	"$PYTHON" - "$1" <<'EOF'
import sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").splitlines()
assert len(lines) >= 2, lines
w = {len(l) for l in lines}
assert len(w) == 1, "widths %s:\n%s" % (sorted(w), "\n".join(lines))
EOF
}
tap_check "the English table lines up" aligned "$run/table.en"
tap_check "the Vietnamese table lines up (columns counted, not bytes)" aligned "$run/table.vi"
tap_check "the Vietnamese headings are translated" sh -c \
	"head -n 1 '$run/table.vi' | grep -q '^NỒI  *TRẠNG THÁI .* VAN HƠI % .* LIÊN LẠC *$'"
# same_values: the data rows carry the same values in both languages.
same_values() {
	_en=$(sed 1d "$run/table.en" | tr -s ' ')
	[ -n "$_en" ] && [ "$_en" = "$(sed 1d "$run/table.vi" | tr -s ' ')" ]
}
tap_check "the table's values are the same in both languages" same_values
