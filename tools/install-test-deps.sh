#!/bin/sh
# Installs the Debian packages the test suite uses, as root; elsewhere it
# only reports what is missing (the tests then skip those cases, or fail
# under CI=true).  Quick when everything is there already.
set -eu
packages="elfutils binutils binutils-gold lld make cmake ccache meson ninja-build
	autoconf automake libtool dpkg-dev valgrind gdb e2fsprogs clang-14 libclang-rt-14-dev"

missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends $missing >/dev/null
	else
		echo "tools/install-test-deps.sh: missing Debian packages:$missing" >&2
	fi
fi

# Cross compilers, qemu-user and musl for the architecture matrix.
exec sh tests/install_toolchains.sh
