"""jansson through its own autotools build with `initgate cc`, and its whole suite.

The build goes through bin/initgate-cc, as the README tells builds to, so
its gated compiles and the library link run in the compile server
(initgate/cc_server.py) once the first has started it, two at a time
(make -j2).

libtool compiles every source twice (-fPIC for the shared library, which
the wrapper gates, and without for the static one, which it leaves alone)
and links libjansson.so with -Bsymbolic-functions, --default-symver and a
version script generated from '^json_|^jansson_'.  The init function
(tests/real/jansson_init.c, added with --init-source) builds, dumps and
parses a document through jansson's own gated API on the init thread, and
is held (tests/real/holder.py) until each test program is seen waiting at
the gate.  `make check` then runs test/run-suites, check-exports included,
which compares the exact export list.

jansson's test programs link `-static` (test/bin/Makefile.am and the suites'
Makefile.am set LDFLAGS = -static, "for speed and Valgrind"), so they would
never load the shared library: `LDFLAGS=` on make's command line, which
overrides that variable without editing a file, makes libtool link them
against libjansson.so instead.
"""

import os
import subprocess
import time

import pytest

from conftest import REPO, installed_launcher, require_tool, run, run_initgate
from real.holder import InitHolder
from real.sources import copy_tree

REAL = os.path.join(REPO, "tests", "real")
LIBRARY = "src/.libs/libjansson.so"


@pytest.fixture(scope="module")
def jansson(tmp_path_factory):
    require_tool("make", "make")
    require_tool("autoreconf", "autoconf automake libtool")
    require_tool("libtoolize", "libtool")
    build = copy_tree("jansson", tmp_path_factory.mktemp("jansson") / "jansson")

    # The exported names, as check-exports reads them from the def file.
    exports = build.parent / "exports.txt"
    with open(build / "src" / "jansson.def") as f:
        exports.write_text("".join(line.strip() + "\n" for line in f
                                   if line.strip().startswith(("json_", "jansson_"))))
    # libtool moves any -m option of CC to the link line, so not `python -m`.
    wrapper = [installed_launcher(), "--init", "jansson_test_init",
               "--init-source", os.path.join(REAL, "jansson_init.c"),
               "--init-cflag=-I%s" % (build / "src"), "--init-cflag=-I" + REAL,
               "--exports", str(exports), "--cache-dir", str(build.parent / "cache"), "--",
               "gcc"]
    env = dict(os.environ, CC=" ".join(wrapper))

    started = time.monotonic()
    run(["autoreconf", "-fi"], cwd=build, timeout=600)
    configured = time.monotonic()
    run(["./configure"], cwd=build, env=env, timeout=600)
    run(["make", "-j2"], cwd=build, env=env, timeout=1200)
    run(["make", "-j2", "check", "TESTS=", "LDFLAGS="], cwd=build, env=env, timeout=1200)
    print("\njansson: autoreconf %.1f s, configure and make (library and tests) %.1f s"
          % (configured - started, time.monotonic() - configured))
    return build, env


def test_whole_suite_passes_with_init_held(jansson):
    build, env = jansson
    started = time.monotonic()
    with InitHolder() as holder:
        proc = subprocess.run(["make", "check", "VERBOSE=1", "LDFLAGS="], cwd=build,
                              env=holder.env(env), pass_fds=holder.pass_fds,
                              capture_output=True, text=True, timeout=1200)
    log = (build / "test" / "run-suites.log").read_text()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:] + log[-3000:]
    assert "check-exports... ok" in log
    assert "5 test suites passed" in log
    assert holder.unseen == []
    assert len(holder.held) > 100
    print("\njansson make check: %.1f s, %d processes held at the gate"
          % (time.monotonic() - started, len(holder.held)))


def test_test_programs_load_the_shared_library(jansson):
    build, _ = jansson
    program = build / "test" / "bin" / ".libs" / "json_process"
    assert "libjansson.so.4" in run(["readelf", "-d", program]).stdout


def exported_functions(lib):
    out = run(["nm", "-D", "--defined-only", lib]).stdout
    return {line.split()[-1] for line in out.splitlines() if line.split()[1] in "TWi"}


def test_every_export_is_gated(jansson):
    build, _ = jansson
    report = run_initgate("verify", build / LIBRARY).stdout
    assert "result: fully gated (81 exported functions, 0 not gated" in report
    gated = {line.split()[1].rstrip(":") for line in report.splitlines()
             if line.strip().startswith("gated")}
    exported = {name.split("@")[0] for name in exported_functions(build / LIBRARY)}
    assert gated == exported and len(exported) == 81


def test_one_version_node_and_nothing_of_initgate(jansson):
    build, _ = jansson
    names = exported_functions(build / LIBRARY)
    assert all(name.endswith("@@libjansson.so.4") for name in names)
    dynamic = run(["nm", "-D", build / LIBRARY]).stdout
    assert "initgate" not in dynamic and "cgo" not in dynamic
