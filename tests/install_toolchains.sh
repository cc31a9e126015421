#!/bin/sh
# Installs, from Debian's packages, what the architecture matrix needs: the
# cross compilers with their C libraries, qemu-user, musl-tools, and musl's
# loader for every other architecture (musl:ARCH, multiarch: the script adds
# each foreign architecture to dpkg first).  zig, which builds the musl
# programs, comes from PyPI with the venv (pyproject.toml's test extra).
#
# Idempotent: when every package is already installed it only checks and
# exits.  Never installs gcc-multilib: it conflicts with the cross compilers
# (installing one removes the other); gcc -m32 gets the two packages of
# headers it needs instead, which conflict with nothing.  Without root it
# cannot install; it then names what is missing and exits 0, so the tests
# skip those cells, except under CI=true, where a missing toolchain is a
# failure (exit 1).
#
# Debian 12 has no riscv64 port, so no musl:riscv64: FETCHED names the
# release whose package provides that loader instead, and
# tools/fetch_release_root.sh unpacks it into a folder of the tests' own
# (no root needed).
#
# The package names must match tests/arch/toolchains.py (tests/test_arch_table.py
# checks that they do).
set -eu

PACKAGES="
gcc-i686-linux-gnu libc6-dev-i386-cross
gcc-aarch64-linux-gnu libc6-dev-arm64-cross
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
gcc-s390x-linux-gnu libc6-dev-s390x-cross
libc6-dev-i386 linux-libc-dev:i386
qemu-user
musl-tools
musl:i386 musl:arm64 musl:armhf musl:ppc64el musl:s390x
"

# ARCH:RELEASE, and where the tests look for each root (toolchains.py's MUSL_ROOTS).
FETCHED="riscv64:trixie"
MUSL_ROOTS="$HOME/.cache/initgate-tests/musl"

failed=0

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "installed" ]; then
		missing="$missing $pkg"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "install_toolchains: cannot install (needs root on Debian):" \
		     "apt-get install$missing" >&2
		failed=1
	else
		# A package named NAME:ARCH needs ARCH known to dpkg before apt's
		# lists are fetched.
		for pkg in $missing; do
			case $pkg in *:*)
				arch=${pkg#*:}
				dpkg --print-foreign-architectures | grep -qx "$arch" ||
					dpkg --add-architecture "$arch"
			esac
		done
		# A fresh machine may have no package lists, or stale ones: update
		# once, and only when something is actually missing.
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		# shellcheck disable=SC2086 # the list is meant to split into words
		apt-get install -y -qq --no-install-recommends $missing
	fi
fi

for entry in $FETCHED; do
	arch=${entry%%:*} release=${entry#*:}
	if ls "$MUSL_ROOTS/$arch"/lib/ld-musl-*.so.1 >/dev/null 2>&1; then
		continue
	fi
	if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
		echo "install_toolchains: cannot fetch musl:$arch from Debian $release" \
		     "(needs apt-get and dpkg-deb)" >&2
		failed=1
	elif ! sh "$(dirname "$0")/../tools/fetch_release_root.sh" "$MUSL_ROOTS/$arch" "$arch" \
			"$release"; then
		echo "install_toolchains: could not fetch musl:$arch from Debian $release" >&2
		failed=1
	fi
done

if [ "$failed" = 1 ] && [ "${CI:-}" = true ]; then
	exit 1
fi
exit 0
