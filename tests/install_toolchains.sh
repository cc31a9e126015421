#!/bin/sh
# Installs, from Debian's packages, what the architecture matrix needs: the
# cross compilers with their C libraries, qemu-user and musl-tools.
#
# Idempotent: when every package is already installed it only checks and
# exits.  Never installs gcc-multilib: it conflicts with the cross compilers
# (installing one removes the other).  Without root it cannot install; it then
# names what is missing and exits 0, so the tests skip those cells, except
# under CI=true, where a missing toolchain is a failure (exit 1).
#
# The package names must match TOOLCHAINS in tests/arch/matrix.py
# (tests/test_arch_table.py checks that they do).
set -eu

PACKAGES="
gcc-i686-linux-gnu libc6-dev-i386-cross
gcc-aarch64-linux-gnu libc6-dev-arm64-cross
gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
gcc-s390x-linux-gnu libc6-dev-s390x-cross
qemu-user
musl-tools
"

missing=""
for pkg in $PACKAGES; do
	status=$(dpkg-query -W -f '${db:Status-Status}' "$pkg" 2>/dev/null || true)
	if [ "$status" != "installed" ]; then
		missing="$missing $pkg"
	fi
done

if [ -z "$missing" ]; then
	exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "install_toolchains: cannot install (needs root on Debian):" \
	     "apt-get install$missing" >&2
	if [ "${CI:-}" = true ]; then
		exit 1
	fi
	exit 0
fi

# A fresh machine may have no package lists, or stale ones: update once,
# and only when something is actually missing.
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -qq --no-install-recommends $missing
