"""zlib through its own configure and Makefile with `initgate cc`, twice.

Once as it is, once with -DZ_PREFIX (every exported name renamed by a
macro) and through bin/initgate-cc instead of `initgate cc`.  The init
function (tests/real/zlib_init.c, added with --init-source) round-trips two
megabytes through zlib's own gated API on the init thread, and is held
(tests/real/holder.py) until each of zlib's test programs is seen waiting
at the gate.  Then: zlib's `make test`, a
minigzip round trip of a few megabytes through the shared library, and
`initgate verify` on the library.  Each build prints its time.
"""

import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import REPO, installed_launcher, require_tool, run, run_initgate
from real.holder import InitHolder
from real.sources import copy_tree

ZLIB = "zlib=1:1.2.13.dfsg-1"
REAL = os.path.join(REPO, "tests", "real")
LIBRARY = "libz.so.1.2.13"

def compiler():
    """gcc, through ccache when it is installed (test_rebuild_hits_ccache needs it)."""
    return ["ccache", "gcc"] if shutil.which("ccache") else ["gcc"]


def wrapper(build, exports, extra_cflags):
    """`initgate cc`, or for the Z_PREFIX build its shell front end initgate-cc
    (which runs the calls it passes through itself), as a build would name it."""
    front = [installed_launcher()] if extra_cflags else [sys.executable, "-m", "initgate", "cc"]
    return [*front, "--init", "zlib_test_init",
            "--init-source", os.path.join(REAL, "zlib_init.c"),
            "--init-cflag=-I" + str(build), "--init-cflag=-I" + REAL,
            *["--init-cflag=" + flag for flag in extra_cflags],
            "--exports", str(exports), "--cache-dir", str(build.parent / "cache"), "--",
            *compiler()]


def build_zlib(tmp_path_factory, name, cflags):
    require_tool("make", "make")
    build = copy_tree(ZLIB, tmp_path_factory.mktemp(name) / "zlib")
    env = dict(os.environ, CC=" ".join(wrapper(build, build / "zlib.map", cflags)),
               CFLAGS=" ".join(["-O2", "-g"] + cflags), CCACHE_DIR=str(build.parent / "ccache"))
    started = time.monotonic()
    run(["./configure"], cwd=build, env=env, timeout=600)
    run(["make", "-j2"], cwd=build, env=env, timeout=1200)
    print("\nzlib %s: configure and make took %.1f s" % (name, time.monotonic() - started))
    return build, env


@pytest.fixture(scope="module", params=[[], ["-DZ_PREFIX"]], ids=["plain", "Z_PREFIX"])
def zlib(request, tmp_path_factory):
    name = "zprefix" if request.param else "plain"
    build, env = build_zlib(tmp_path_factory, name, request.param)
    return build, env, bool(request.param)


def test_make_test_passes_with_init_held(zlib):
    build, env, _ = zlib
    started = time.monotonic()
    with InitHolder() as holder:
        proc = subprocess.run(["make", "test"], cwd=build, env=holder.env(env),
                              pass_fds=holder.pass_fds, capture_output=True, text=True,
                              timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("*** zlib shared test OK ***") == 1
    assert proc.stdout.count("*** zlib test OK ***") == 1
    # examplesh and minigzipsh (twice) load the gated library; each waited.
    assert len(holder.held) >= 3 and holder.unseen == []
    print("\nzlib make test: %.1f s, %d processes held at the gate"
          % (time.monotonic() - started, len(holder.held)))


def test_minigzip_round_trip_of_megabytes(zlib, tmp_path):
    build, env, _ = zlib
    data = b"".join(b"%08d the quick brown fox %d\n" % (n, n * n % 977)
                    for n in range(120000))
    original = tmp_path / "data"
    original.write_bytes(data)
    env = dict(env, LD_LIBRARY_PATH=str(build))
    with InitHolder() as holder:
        with open(original, "rb") as source:
            packed = subprocess.run([build / "minigzipsh"], stdin=source, env=holder.env(env),
                                    pass_fds=holder.pass_fds, capture_output=True,
                                    timeout=120)
        assert packed.returncode == 0 and len(packed.stdout) < len(data) // 3
        unpacked = subprocess.run([build / "minigzipsh", "-d"], input=packed.stdout,
                                  env=holder.env(env), pass_fds=holder.pass_fds,
                                  capture_output=True, timeout=120)
    assert unpacked.returncode == 0
    assert unpacked.stdout == data
    assert len(data) > 3 << 20
    assert len(holder.held) == 2


def exports_of(lib):
    out = run(["nm", "-D", "--defined-only", lib]).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines()
            if line.split()[1] in "TWi"}


def test_every_export_is_gated(zlib):
    build, _, prefixed = zlib
    lib = build / LIBRARY
    report = run_initgate("verify", lib).stdout
    assert "result: fully gated (88 exported functions, 0 not gated" in report
    gated = {line.split()[1].rstrip(":") for line in report.splitlines()
             if line.strip().startswith("gated")}
    exported = exports_of(lib)
    assert gated == exported and len(exported) == 88
    assert not any("initgate" in name or "cgo" in name for name in exported)
    if prefixed:
        assert all(name.startswith("z_") for name in exported)


def test_version_nodes_are_zlibs(zlib):
    build, _, _ = zlib
    versions = run(["readelf", "-V", "--wide", build / LIBRARY]).stdout
    nodes = {word for word in versions.split() if word.startswith("ZLIB_")}
    with open(build / "zlib.map") as f:
        declared = {line.split()[0] for line in f if line.startswith("ZLIB_")}
    assert nodes == declared


@pytest.mark.parametrize("zlib", [[]], indirect=True, ids=["plain"])
def test_rebuild_hits_ccache(zlib):
    build, env, _ = zlib
    ccache = require_tool("ccache", "ccache")
    run(["make", "clean"], cwd=build, env=env)
    run([ccache, "--zero-stats"], env=env)
    started = time.monotonic()
    run(["make", "-j2"], cwd=build, env=env, timeout=1200)
    print("\nzlib rebuild through ccache: %.1f s" % (time.monotonic() - started))
    stats = dict(line.split("\t") for line in run([ccache, "--print-stats"], env=env)
                 .stdout.splitlines() if "\t" in line)
    assert int(stats["cache_miss"]) == 0
    assert int(stats["direct_cache_hit"]) + int(stats["preprocessed_cache_hit"]) >= 30
    assert "gated    deflate:" in run_initgate("verify", build / LIBRARY, check=False).stdout
