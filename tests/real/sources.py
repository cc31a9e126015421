"""Debian source packages of real libraries, unpacked once and reused.

fetch_sources.sh does the apt work under a folder of the tests' own
($INITGATE_REAL_SOURCES, default ~/.cache/initgate-tests/sources); this
module calls it and copies a package's tree into a test's build folder, so
every build starts from the pristine sources.
"""

import glob
import os
import shutil
import subprocess

import pytest

from conftest import require_tool

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "fetch_sources.sh")


def sources_dir():
    return os.environ.get("INITGATE_REAL_SOURCES") or os.path.join(
        os.path.expanduser("~"), ".cache", "initgate-tests", "sources")


def unpacked(package):
    """The unpacked tree of `package` (NAME or NAME=VERSION), fetched if needed."""
    require_tool("apt-get", "apt")
    require_tool("dpkg-source", "dpkg-dev")
    name = package.split("=", 1)[0]
    dest = sources_dir()
    found = glob.glob(os.path.join(dest, name + "-*", ""))
    if not found:
        proc = subprocess.run(["sh", SCRIPT, dest, package], capture_output=True, text=True,
                              timeout=600)
        found = glob.glob(os.path.join(dest, name + "-*", ""))
        if proc.returncode != 0 or not found:
            message = "apt-get source %s failed: %s" % (package, proc.stderr.strip()[-500:])
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
    return found[0].rstrip(os.sep)


def copy_tree(package, target):
    """A fresh copy of `package`'s sources at `target`; returns `target`."""
    shutil.copytree(unpacked(package), target, symlinks=True)
    return target
