#!/bin/sh
# Creates the virtual environment VENV and installs initgate into it, editable,
# with EXTRAS (e.g. "test").  On a fresh Debian, python3 may lack the venv
# module: as root, install it from Debian's packages; otherwise say what to do.
#
# The editable install is setuptools' compat mode: a plain path in a .pth
# file, where the default mode installs an import hook whose start-up costs
# each compiler call of a build through `initgate cc` 15 ms (see
# initgate/__init__.py for how the package then finds passes/ and the rest).
# setuptools calls compat mode transitional; once it is gone, the default
# mode is used instead, with a line saying so.
set -eu
venv=$1
extras=${2:-}
python=${PYTHON:-python3}

if ! "$python" -m venv --help >/dev/null 2>&1 || ! "$python" -c 'import ensurepip' 2>/dev/null
then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
	else
		echo "tools/venv.sh: $python cannot create a virtual environment;" \
		     "install python3-venv (apt-get install python3-venv)" >&2
		exit 1
	fi
fi

[ -x "$venv/bin/pip" ] || "$python" -m venv "$venv"
spec=.
[ -z "$extras" ] || spec=".[$extras]"
install() {
	"$venv/bin/pip" install --quiet --disable-pip-version-check "$@"
}
if ! install --config-settings editable_mode=compat -e "$spec"; then
	echo "tools/venv.sh: the compat editable install failed; trying setuptools'" \
	     "default mode, whose import hook slows every initgate start-up by 15 ms" >&2
	install -e "$spec"
fi
