#!/bin/sh
# make install's generated files: the installed plant.yaml has the FHS
# paths (absolute, not relative to /etc/stillroom), the unit's ExecStart
# follows PREFIX, a config generated for a private PREFIX/SYSCONFDIR with
# the recipes and qa.yaml put where it says passes --check-config, and an
# edited config is never installed over.
# (The whole package, installed and run as user stillroom, is checked by
# .ci/deb-smoke.sh in CI's fresh root.)
cd "$(dirname "$0")/../.." || exit 2
. tests/lib.sh

gen=$TEST_LOG_DIR/gen
# gen_files DIR MAKEVARS...: only the two generated files, no compiling
gen_files() {
	_dir=$1
	shift
	make -s BUILD="$_dir" "$@" "$_dir/install/plant.yaml" \
		"$_dir/install/stillroomd.service" "$_dir/install/stillroom-sync.service"
}
path_is() { grep -qx "  $1: $2" "$gen/usr/install/plant.yaml"; }

tap_check "make generates the installed plant.yaml and unit (PREFIX=/usr)" \
	gen_files "$gen/usr" PREFIX=/usr
tap_check "installed database: /var/lib/stillroom/stillroom.db" \
	path_is database /var/lib/stillroom/stillroom.db
tap_check "installed socket: /run/stillroom/stillroom.sock" \
	path_is socket /run/stillroom/stillroom.sock
tap_check "installed recipes: DATADIR/recipes" path_is recipes /usr/share/stillroom/recipes
tap_check "installed feedstocks: DATADIR/feedstocks.yaml" \
	path_is feedstocks /usr/share/stillroom/feedstocks.yaml
tap_check "installed qa_spec: /etc/stillroom/qa.yaml" path_is qa_spec /etc/stillroom/qa.yaml
tap_check "the unit's ExecStart follows PREFIX=/usr" grep -qx \
	"ExecStart=/usr/bin/stillroomd -c /etc/stillroom/plant.yaml" \
	"$gen/usr/install/stillroomd.service"
tap_check "the sync unit's ExecStart and credential follow PREFIX=/usr" sh -c "
	grep -qx 'ExecStart=/usr/bin/stillroom-sync -c /etc/stillroom/plant.yaml' '$gen/usr/install/stillroom-sync.service' &&
	grep -qx 'LoadCredential=sync.secret:/etc/stillroom/sync.secret' '$gen/usr/install/stillroom-sync.service'"

# a private prefix: the generated config, with the files where it says
p=$TEST_LOG_DIR/prefix
tap_check "make generates them for PREFIX=$p SYSCONFDIR=$p/etc" \
	gen_files "$gen/priv" PREFIX="$p" SYSCONFDIR="$p/etc"
mkdir -p "$p/etc" "$p/share/stillroom/recipes"
cp "$gen/priv/install/plant.yaml" config/qa.yaml "$p/etc/"
cp recipes/*.yaml "$p/share/stillroom/recipes/"
cp simulator/feedstocks.yaml "$p/share/stillroom/"
tap_check "the unit's ExecStart follows PREFIX=$p" grep -qx \
	"ExecStart=$p/bin/stillroomd -c $p/etc/plant.yaml" "$gen/priv/install/stillroomd.service"
tap_check "the generated config passes stillroomd --check-config (recipes, qa.yaml found)" \
	"$BUILD/stillroomd" -c "$p/etc/plant.yaml" --check-config

# installing the config again: the same file is replaced, an edited one kept
etc=$TEST_LOG_DIR/etc
mkdir -p "$etc"
tap_check "the config installs where there is none" \
	sh packaging/install-conf.sh "$etc" "$gen/priv/install/plant.yaml" config/qa.yaml
echo "# edited by the plant" >>"$etc/plant.yaml"
tap_check "installing again keeps the edited plant.yaml, puts the new one beside it" \
	sh -c "sh packaging/install-conf.sh '$etc' '$gen/priv/install/plant.yaml' config/qa.yaml &&
	       grep -qx '# edited by the plant' '$etc/plant.yaml' &&
	       cmp '$gen/priv/install/plant.yaml' '$etc/plant.yaml.new' && ! test -e '$etc/qa.yaml.new'"
