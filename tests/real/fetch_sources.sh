#!/bin/sh
# Unpack Debian source packages for the real-library tests, without touching
# the machine's own apt configuration.
#
#   fetch_sources.sh DEST PACKAGE[=VERSION]...
#
# The deb-src entries are the machine's deb entries with the type changed,
# written under DEST/apt with apt's lists and cache beside them; each
# package is unpacked into DEST (apt-get source runs dpkg-source, from the
# Debian package dpkg-dev).  A package already unpacked is left as it is.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 DEST PACKAGE[=VERSION]..." >&2
	exit 2
fi
dest=$(mkdir -p "$1" && cd "$1" && pwd)
shift
apt=$dest/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"

# The machine's entries come in either of apt's formats: deb822 files
# (*.sources, Debian 12's default) or one-line files (sources.list, *.list).
found=
for file in /etc/apt/sources.list.d/*.sources; do
	[ -f "$file" ] || continue
	sed 's/^Types: deb$/Types: deb-src/' "$file" > "$apt/sources.list.d/${file##*/}"
	found=1
done
: > "$apt/sources.list.d/src.list"
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$file" ] || continue
	sed -n 's/^deb[[:space:]]\{1,\}/deb-src /p' "$file" >> "$apt/sources.list.d/src.list"
	found=1
done
if [ -z "$found" ]; then
	echo "$0: the machine has no apt sources (/etc/apt/sources.list or" \
	     "/etc/apt/sources.list.d/); add Debian's, then run again" >&2
	exit 1
fi

# Every apt setting lives in this file, read through APT_CONFIG.
cat > "$apt/apt.conf" <<CONF
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$apt/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
Debug::NoLocking "true";
CONF
export APT_CONFIG="$apt/apt.conf"

stamp=$apt/lists/.updated
if [ ! -f "$stamp" ]; then
	apt-get -q update >&2
	touch "$stamp"
fi
cd "$dest"
for package in "$@"; do
	name=${package%%=*}
	if ls -d "$dest/$name"-*/ >/dev/null 2>&1; then
		continue
	fi
	apt-get -q source "$package" >&2
done
