"""Section 5, part: a whole zlib build through `initgate cc` vs plain gcc -O2.

zlib's source comes from Debian's source package (pinned to the version
Debian still serves, see /work/shared/FACTS.md), fetched once with a
scratch apt configuration (the machine's own is left alone) into
$XDG_CACHE_HOME/initgate-bench, or taken from $INITGATE_BENCH_ZLIB if set.
Each build is `./configure && make` in a fresh copy, timed whole: with
CC=gcc; with CC="initgate-cc ... -- gcc", the shell front end the README
gives builds, which runs the calls it passes through itself and hands the
rest to the compile server (initgate/cc_server.py) that its first gated
compile starts, within the timing; and with
CC="initgate cc ... -- gcc", which starts Python for every call.  The
wrappers start from an empty cache (a cold build, as in CI; the rewrite
pass's C helper, built once per machine into the user's cache by
passes/facts.py, is not in that cache).  Each wrapped build then runs
zlib's own `make test`, whose shared-library half loads the gated libz.so.

The wrapper runs once per compiler call, so its start-up counts: it runs as
the installed scripts, as a build would, and builds run with bytecode
caching on (into the work folder), as an installed initgate does; an
environment with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile every
module of initgate on every compiler call.

    python benchmarks/zlib_build.py [--quick | --smoke] [--workdir DIR]
"""

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pipeline
from initgate import cc_server
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


def wrapper_command(front_end):
    """"initgate-cc" or "initgate cc" as a build runs it: the installed script
    beside this interpreter (`python -m` would add runpy's start-up to every
    compiler call)."""
    name, _, sub = front_end.partition(" ")
    script = os.path.join(os.path.dirname(sys.executable), name)
    if not os.access(script, os.X_OK):
        raise BenchError("%s is not installed beside %s: run make bench" % (name, sys.executable))
    return (script + " " + sub).strip()


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


def stop_server(cache):
    """End the compile server the build through initgate-cc started in `cache`
    (its first gated compile does, inside the timing), so that the next build
    starts cold too and no idle server stays behind."""
    pid = cc_server.running_pid(cache)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + 30
    while os.path.exists("/proc/%d/cmdline" % pid) and time.monotonic() < deadline:
        time.sleep(0.05)


def measure(workdir, level):
    source = fetch()
    init = workdir / "zbench_init.c"
    init.write_text(INIT_SOURCE)
    runs = 3 if level == "full" else 1
    times = {"gcc": [], "initgate-cc": [], "initgate cc": []}
    for run in range(runs):
        # Round robin, so that load that comes and goes lands on all three.
        for front_end, seconds in times.items():
            if front_end == "gcc":
                seconds.append(build_seconds(source, workdir / "zlib-plain", "gcc"))
                continue
            cache = workdir / ("zlib-cc-cache-%d-%s" % (run, front_end.replace(" ", "-")))
            wrapper = "%s --init zbench_init --init-source %s --cache-dir %s -- gcc" % (
                wrapper_command(front_end), init, cache)
            folder = workdir / "zlib-gated"
            seconds.append(build_seconds(source, folder, wrapper, test=True))
            stop_server(cache)
            notes = pipeline.run(["readelf", "-n", folder / "libz.so"])
            if "initgate" not in notes:
                raise BenchError("%s: the build through %s left no initgate runtime in "
                                 "libz.so" % (folder, front_end))
    base = median(times["gcc"])
    launcher, python = median(times["initgate-cc"]), median(times["initgate cc"])
    return [
        Row(SECTION, "s, zlib %s configure + make, gcc -O2" % source.name, "%.1f" % base),
        Row(SECTION, "s, the same through `initgate-cc` (cold cache; `make test` passes)",
            "%.1f" % launcher, "gcc -O2 %.1f" % base, ratio(launcher, base), "<= 1.3",
            launcher <= 1.3 * base),
        Row(SECTION, "s, the same through `initgate cc` (Python starts for every call)",
            "%.1f" % python, "gcc -O2 %.1f" % base, ratio(python, base)),
    ]


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
