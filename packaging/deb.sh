#!/bin/sh
# make deb: turns a staged install (make install PREFIX=/usr DESTDIR=ROOT)
# into a Debian package with dpkg-deb.
#   sh packaging/deb.sh ROOT VERSION OUTDIR
# Depends is worked out from the libraries the installed programs link
# (ldd, then the package that owns each); /etc/stillroom/*.yaml are
# conffiles, so dpkg never overwrites an edited config.
set -eu
root=$1 version=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
arch=$(dpkg --print-architecture)

# deb_owner LIB: the installed package that ships LIB, as "name (>= version)"
deb_owner() {
	for f in "$1" "$(readlink -f "$1")" "/usr$1" "${1#/usr}"; do
		pkg=$(dpkg-query -S "$f" 2>/dev/null | head -n 1 | cut -d: -f1) || continue
		[ -n "$pkg" ] || continue
		ver=$(dpkg-query -W -f='${Version}' "$pkg" | sed 's/-[^-]*$//')
		echo "$pkg (>= $ver)"
		return 0
	done
	echo "deb: no installed package owns $1" >&2
	return 1
}

deb_depends() {
	ldd "$root"/usr/bin/* | awk '/=> \// { print $3 }' | sort -u |
		while read -r lib; do deb_owner "$lib"; done | sort -u |
		paste -sd, - | sed 's/,/, /g'
}

depends=$(deb_depends)
[ -n "$depends" ] || { echo "deb: could not work out Depends" >&2; exit 1; }
mkdir -p "$root/DEBIAN"
size_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: stillroom
Version: $version
Architecture: $arch
Maintainer: stillroom developers <stillroom@localhost>
Installed-Size: $size_kb
Depends: $depends
Section: misc
Priority: optional
Description: process controller for essential-oil steam distillation
 stillroomd runs the stills over Modbus to YAML recipes, with interlocks,
 alarms and a batch record in SQLite; stillroom is the operator console
 and command line; stillroom-sim is a simulated plant behind a Modbus
 server. The service is installed but not started: edit
 /etc/stillroom/plant.yaml, then systemctl enable --now stillroomd.
CONTROL
(cd "$root" && find etc -type f | sed 's#^#/#' | sort) >"$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do
	install -m 0755 "$here/deb/$s" "$root/DEBIAN/$s"
done
deb="$out/stillroom_${version}_$arch.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "deb: $deb"
