#!/bin/sh
# Unpacks Debian packages of another release into ROOT, for what this
# machine's release does not carry: musl for an architecture Debian 12 has
# no port of (a root for qemu -L that holds musl's loader), or a compiler
# release the benchmarks compare with.
#
#   fetch_release_root.sh ROOT ARCH RELEASE [PACKAGE...]   (ARCH as Debian
#                                                           spells it)
#
# Without PACKAGE, musl:ARCH.  Never touches the machine's own apt
# configuration: the entries are the machine's Debian ones with its
# release's code name replaced by RELEASE, written under ROOT.apt with apt's
# lists and cache beside them, and apt checks what it downloads against the
# release's signed index as usual.  Needs no root.  The packages are
# unpacked beside ROOT, then renamed into place, so ROOT either is whole or
# does not exist.
set -eu

if [ $# -lt 3 ]; then
	echo "usage: $0 ROOT ARCH RELEASE [PACKAGE...]" >&2
	exit 2
fi
root=$1 arch=$2 release=$3
shift 3
[ $# -gt 0 ] || set -- "musl:$arch"
apt=$root.apt
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
if [ -z "$codename" ]; then
	echo "$0: /etc/os-release names no release (VERSION_CODENAME)" >&2
	exit 1
fi
rm -rf "$apt" "$root.new"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" \
	"$root.new"

# Only the entries for the machine's release are kept, since a third-party
# archive need not carry RELEASE.  Both of apt's formats: deb822 stanzas
# (*.sources) and one-line entries (sources.list, *.list).
for file in /etc/apt/sources.list.d/*.sources; do
	[ -f "$file" ] || continue
	awk -v old="$codename" -v new="$release" '
		BEGIN { RS = ""; ORS = "\n\n" }
		{
			keep = 0
			n = split($0, lines, "\n")
			for (i = 1; i <= n; i++) {
				if (lines[i] ~ /^Types:/)
					lines[i] = "Types: deb"
				if (lines[i] !~ /^Suites:/)
					continue
				m = split(substr(lines[i], 8), suites, " ")
				lines[i] = "Suites:"
				for (j = 1; j <= m; j++) {
					if (suites[j] == old || index(suites[j], old "-") == 1) {
						keep = 1
						suites[j] = new substr(suites[j], length(old) + 1)
					}
					lines[i] = lines[i] " " suites[j]
				}
			}
			if (!keep)
				next
			for (i = 1; i <= n; i++)
				printf "%s\n", lines[i]
			printf "\n"
		}' "$file" > "$apt/sources.list.d/${file##*/}"
done
for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$file" ] || continue
	sed -n "s/^deb[[:space:]]\(.*[[:space:]]\)$codename\([-[:space:]]\)/deb \1$release\2/p" \
		"$file" >> "$apt/sources.list.d/machine.list"
done
if ! grep -qs "$release" "$apt"/sources.list.d/*; then
	echo "$0: no Debian entry for $codename in /etc/apt/sources.list" \
	     "or /etc/apt/sources.list.d/" >&2
	exit 1
fi

# Every apt setting lives in this file, read through APT_CONFIG.  ARCH is
# this apt's only architecture, so it fetches ARCH's lists alone.  The files
# live where the caller chose, which apt's own user (_apt) may not reach: it
# downloads as the caller.
cat > "$apt/apt.conf" <<CONF
APT::Sandbox::User "$(id -un)";
Dir::Etc::SourceList "/dev/null";
Dir::Etc::SourceParts "$apt/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
Debug::NoLocking "true";
CONF
export APT_CONFIG="$apt/apt.conf"

apt-get -q update >&2
cd "$apt/cache/archives"
apt-get -q download "$@" >&2
for deb in *.deb; do
	dpkg-deb -x "$deb" "$root.new"
done
# A merged-/usr package has its loader in usr/lib; programs ask for /lib.
[ -e "$root.new/lib" ] || ln -s usr/lib "$root.new/lib"
rm -rf "$root"
mv "$root.new" "$root"
rm -rf "$apt"
