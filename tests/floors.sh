#!/bin/sh
# tests/floors.sh [ROOT]: checks every #include "..." in ROOT's module
# folders against the floors in ROOT/docs/floors.txt. A header is looked up
# beside the including file first, then in each module folder; an include
# is wrong when it resolves to no header, to headers in two folders, or to
# a folder its folder may not include from (and is not listed "pending").
# Prints one line per wrong include, "FILE:LINE: FROM -> TO: why", and
# exits 1 if there was any; exits 0 silently otherwise.
root=${1:-.}
cd "$root" || exit 2
folders=$(sed -n 's/^\([a-z]*\):.*/\1/p' docs/floors.txt)
files=$(for d in $folders; do
	[ -d "$d" ] && ls "$d"/*.c "$d"/*.h 2>/dev/null
done)
awk -v files="$files" '
BEGIN { n = split(files, list, "\n"); for (i = 1; i <= n; i++) known[list[i]] = 1 }
FNR == 1 && FILENAME == "docs/floors.txt" { table = 1 }
table && FILENAME != "docs/floors.txt" { table = 0 }
table && /^[a-z]+:/ {
	f = substr($1, 1, length($1) - 1)
	folders[f] = 1
	may[f, f] = 1
	for (i = 2; i <= NF; i++)
		may[f, $i] = 1
	next
}
table && $1 == "pending" { pending[$2, $3] = 1; next }
table { next }
/^[ \t]*#[ \t]*include[ \t]*"/ {
	h = $0
	sub(/^[^"]*"/, "", h)
	sub(/".*/, "", h)
	from = FILENAME
	sub(/\/.*/, "", from)
	dir = FILENAME
	sub(/\/[^\/]*$/, "", dir)
	to = ""
	n = 0
	if (exists(dir "/" h)) {
		to = dir "/" h
		n = 1
	} else {
		for (f in folders)
			if (exists(f "/" h)) {
				to = (n ? to " and " : "") f "/" h
				n++
			}
	}
	where = FILENAME ":" FNR ": "
	if (n == 0) {
		print where "\"" h "\" is in no module folder"
		bad++
	} else if (n > 1) {
		print where "\"" h "\" is ambiguous: " to
		bad++
	} else {
		tf = to
		sub(/\/.*/, "", tf)
		if (!((from, tf) in may) && !((FILENAME, to) in pending)) {
			print where from " -> " tf " (" to "): " from \
			    " may not include from " tf
			bad++
		}
	}
}
function exists(p) { return p in known }
END { exit bad > 0 }
' docs/floors.txt $files
