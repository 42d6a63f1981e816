#!/bin/sh
# make install's config files: installs each FILE into DIR, but never over
# an edited copy: when DIR/FILE is there and differs, it is kept and the new
# one goes beside it as DIR/FILE.new (and we say so). (The .deb does the
# same through dpkg's conffiles.)
#   sh packaging/install-conf.sh DIR FILE...
set -eu
dir=$1
shift
for f in "$@"; do
	dest=$dir/$(basename "$f")
	if [ -e "$dest" ] && ! cmp -s "$f" "$dest"; then
		install -m 0644 "$f" "$dest.new"
		echo "install: kept $dest (it differs); the new one is $dest.new"
	else
		install -m 0644 "$f" "$dest"
	fi
done
