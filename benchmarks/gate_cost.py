"""Section 1: what the gate costs a call once init is done.

One tiny exported function (c/noop.c) is built four ways, each as libnoop.so
in its own folder: plain, gated through the real pipeline, and the two gates
users write by hand (c/noop_mutex.c, c/noop_once.c).  One host (c/loop_host.c),
linked against the plain build and pointed at each build in turn through
LD_LIBRARY_PATH, calls it in a tight loop through the PLT.

Two figures per build:
- instructions per call, from callgrind counting only the host's loop
  (--toggle-collect), as (count with N calls - count with none) / N: exact
  and immune to the machine's noise;
- nanoseconds per call, the median of many timed loops, timed in the
  calling thread's CPU time (the machine is shared: time it gives to other
  processes is not the gate's), the builds taking turns so that whatever
  noise is left hits them all alike.

    python benchmarks/gate_cost.py [--quick | --smoke] [--workdir DIR]
"""

import os
import re
import subprocess

import pipeline
from report import BenchError, Row, median, ratio, standalone

SECTION = "1 gate cost"
VARIANTS = (
    ("plain", "ungated"),
    ("gated", "gated (initgate)"),
    ("mutex", "mutex + condvar (reference commit)"),
    ("once", "pthread_once per call"),
)
# (calls, timed loops per process, processes per build) for the ns figures.
SIZES = {"full": (5000000, 2, 15), "quick": (2000000, 2, 4), "smoke": (10000, 1, 1)}
CALLGRIND_CALLS = {"full": 200000, "quick": 200000, "smoke": 1000}


def build_all(builder):
    """{variant: folder holding its libnoop.so}, and the host linked to the plain one."""
    libs = {
        "plain": builder.plain_library("noop", ["noop.c"], "plain"),
        "gated": builder.gated_library("noop", "noop.c", "bench_init"),
        "mutex": builder.plain_library("noop", ["noop_mutex.c"], "mutex"),
        "once": builder.plain_library("noop", ["noop_once.c"], "once"),
    }
    folders = {variant: lib.parent for variant, lib in libs.items()}
    host = builder.host("loop_host.c", libs=["noop"], link_dir=folders["plain"])
    return folders, host


def environment(folder):
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = str(folder)
    return env


def callgrind_count(host, folder, calls):
    """Instructions callgrind counted inside the host's loop for `calls` calls."""
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--toggle-collect=run_loop",
                           "--callgrind-out-file=/dev/null", str(host), "count",
                           str(calls)], env=environment(folder), capture_output=True,
                          text=True)
    found = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
    if proc.returncode != 0 or not found:
        raise BenchError("callgrind on %s failed: %s" % (
            folder, (proc.stderr.strip().splitlines() or ["no output"])[-1]))
    return int(found.group(1))


def instructions_per_call(host, folder, calls):
    return (callgrind_count(host, folder, calls) - callgrind_count(host, folder, 0)) / calls


def ns_per_call(host, folders, level):
    """{variant: median ns per call}, the builds taking turns."""
    calls, inner, outer = SIZES[level]
    samples = {variant: [] for variant in folders}
    for _ in range(outer):
        for variant, folder in folders.items():
            out = pipeline.run([host, "time", calls, inner], env=environment(folder))
            samples[variant] += [float(line) for line in out.split()]
    return {variant: median(values) for variant, values in samples.items()}


def measure(workdir, level):
    builder = pipeline.Builder(workdir)
    folders, host = build_all(builder)
    counts = {variant: instructions_per_call(host, folder, CALLGRIND_CALLS[level])
              for variant, folder in folders.items()}
    times = ns_per_call(host, folders, level)

    rows = []
    base_count, base_ns = counts["plain"], times["plain"]
    for variant, label in VARIANTS:
        anchor = "" if variant == "plain" else "ungated %.2f" % base_count
        rows.append(Row(SECTION, "instructions per call, %s" % label,
                        "%.2f" % counts[variant], anchor,
                        "" if variant == "plain" else ratio(counts[variant], base_count)))
    extra = counts["gated"] - base_count
    rows.append(Row(SECTION, "extra instructions per call, gated", "%.2f" % extra,
                    "ungated", "", "<= 4", extra <= 4))
    for variant, label in VARIANTS:
        anchor = "" if variant == "plain" else "ungated %.2f" % base_ns
        rows.append(Row(SECTION, "ns per call (CPU time), %s" % label, "%.2f" % times[variant],
                        anchor, "" if variant == "plain" else ratio(times[variant], base_ns)))
    extra_ns = times["gated"] - base_ns
    rows.append(Row(SECTION, "extra ns per call, gated", "%.2f" % extra_ns, "ungated", "",
                    "< 1 ns", extra_ns < 1))
    return rows


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
