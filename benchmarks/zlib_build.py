"""Section 5, part: a whole zlib build through `initgate cc` vs plain gcc -O2.

zlib's source comes from Debian's source package (pinned to the version
Debian still serves, see /work/shared/FACTS.md), fetched once with a
scratch apt configuration (the machine's own is left alone) into
$XDG_CACHE_HOME/initgate-bench, or taken from $INITGATE_BENCH_ZLIB if set.
Each build is `./configure && make` in a fresh copy, timed whole: once with
CC=gcc, once with CC="initgate cc ... -- gcc" and an empty cache for the
wrapper (a cold build, as in CI; the rewrite pass's C helper, built once
per machine into the user's cache by passes/facts.py, is not in that
cache).  The wrapped build then runs zlib's own `make test`, whose
shared-library half loads the gated libz.so.

The wrapper runs once per compiler call, so its start-up counts: it runs as
the installed `initgate` script, as a build would, and builds run with
bytecode caching on (into the work folder), as an installed initgate does;
an environment with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile
every module of initgate on every compiler call.

    python benchmarks/zlib_build.py [--quick | --smoke] [--workdir DIR]
"""

import os
import shutil
import sys
import time
from pathlib import Path

import pipeline
from report import BenchError, Row, median, ratio, standalone

SECTION = "5 tool speed"
PACKAGE = "zlib=1:1.2.13.dfsg-1"
DEB_SRC = "deb-src http://deb.debian.org/debian bookworm main\n"
INIT_SOURCE = "int zbench_init(void);\nint zbench_init(void) { return 0; }\n"


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "initgate-bench"


def fetch():
    """The folder of zlib's configure script, fetched the first time."""
    given = os.environ.get("INITGATE_BENCH_ZLIB")
    if given:
        if not (Path(given) / "configure").is_file():
            raise BenchError("%s: INITGATE_BENCH_ZLIB has no zlib configure script" % given)
        return Path(given)
    cache = cache_dir()
    found = sorted(cache.glob("zlib-*/configure"))
    if found:
        return found[-1].parent
    if not shutil.which("apt-get") or not shutil.which("dpkg-source"):
        raise BenchError("cannot fetch zlib's source: needs apt-get and dpkg-source "
                         "(Debian package dpkg-dev), or set INITGATE_BENCH_ZLIB")
    apt = cache / "apt"
    for sub in ("lists/partial", "cache/archives/partial"):
        (apt / sub).mkdir(parents=True, exist_ok=True)
    (apt / "sources.list").write_text(DEB_SRC)
    options = ["-q", "-o", "Dir::Etc::sourcelist=%s" % (apt / "sources.list"),
               "-o", "Dir::Etc::sourceparts=-", "-o", "Dir::State::Lists=%s" % (apt / "lists"),
               "-o", "Dir::Cache=%s" % (apt / "cache"), "-o", "APT::Get::List-Cleanup=0"]
    pipeline.run(["apt-get", *options, "update"])
    pipeline.run(["apt-get", *options, "source", PACKAGE], cwd=cache)
    found = sorted(cache.glob("zlib-*/configure"))
    if not found:
        raise BenchError("apt-get source %s left no zlib folder in %s" % (PACKAGE, cache))
    return found[-1].parent


def initgate_command():
    """The `initgate` command as a build runs it: the installed script beside
    this interpreter (`python -m` would add runpy's start-up to every compiler
    call), else `python -m initgate`."""
    script = os.path.join(os.path.dirname(sys.executable), "initgate")
    if os.access(script, os.X_OK):
        return script
    return "%s -m initgate" % sys.executable


def build_seconds(source, folder, cc, test=False):
    """Seconds for configure and make in a fresh copy of `source` at `folder`."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder, symlinks=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(CC=cc, CFLAGS="-O2", PYTHONPYCACHEPREFIX=str(folder.parent / "pycache"))
    start = time.perf_counter()
    pipeline.run(["sh", "./configure"], cwd=folder, env=env)
    pipeline.run(["make"], cwd=folder, env=env)
    seconds = time.perf_counter() - start
    if test:
        pipeline.run(["make", "test"], cwd=folder, env=env)
    return seconds


def measure(workdir, level):
    source = fetch()
    init = workdir / "zbench_init.c"
    init.write_text(INIT_SOURCE)
    runs = 2 if level == "full" else 1
    plain, wrapped = [], []
    for run in range(runs):
        cache = workdir / ("zlib-cc-cache-%d" % run)
        wrapper = "%s cc --init zbench_init --init-source %s --cache-dir %s -- gcc" % (
            initgate_command(), init, cache)
        plain.append(build_seconds(source, workdir / "zlib-plain", "gcc"))
        wrapped.append(build_seconds(source, workdir / "zlib-gated", wrapper, test=True))
    gated_lib = workdir / "zlib-gated" / "libz.so"
    notes = pipeline.run(["readelf", "-n", gated_lib])
    if "initgate" not in notes:
        raise BenchError("%s: the wrapped build left no initgate runtime in libz.so" %
                         gated_lib)
    base, ours = median(plain), median(wrapped)
    return [
        Row(SECTION, "s, zlib %s configure + make, gcc -O2" % source.name, "%.1f" % base),
        Row(SECTION, "s, the same through `initgate cc` (cold cache; `make test` passes)",
            "%.1f" % ours, "gcc -O2 %.1f" % base, ratio(ours, base), "<= 1.3",
            ours <= 1.3 * base),
    ]


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
