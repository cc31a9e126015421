"""Section 3: how long dlopen takes when the library's init takes 2 seconds.

The same library (c/slow.c, whose init sleeps INIT_MS) built four ways:
gated with a 2 s init, plain with the same init in a constructor, plain with
an empty init in a constructor (what loading costs at all), and gated with
an empty init.  Issue 8's target, "the gated library within 1.5x of the same
library with an empty init", compares the first and the last: the length of
init must not reach dlopen.  Against the plain build the ratio shows what
initgate adds to dlopen at all, one thread start, and carries no target.  Each
dlopen is timed inside a fresh process (c/dlopen_host.c); the builds take
turns.  Between them, c/thread_start.c times the first pthread_create of a
fresh process, made as the runtime makes its init thread: the floor of what
a gated dlopen must add, since it starts that thread before it returns.
One more gated run makes the first call too, to show that it does wait for
the 2 s init, so the fast dlopen is not a skipped init.

    python benchmarks/dlopen_latency.py [--quick | --smoke] [--workdir DIR]
"""

import re

import pipeline
from report import BenchError, Row, median, ratio, standalone

SECTION = "3 dlopen"
# (init milliseconds, dlopens per fast build, dlopens of the constructor build)
SIZES = {"full": (2000, 41, 3), "quick": (2000, 9, 1), "smoke": (100, 2, 1)}


def build_all(builder, init_ms):
    slow = ["INIT_MS=%d" % init_ms]
    empty = ["INIT_MS=0"]
    libs = {
        "empty": builder.plain_library("slow", ["slow.c"], "slow-empty",
                                       empty + ["IN_CONSTRUCTOR"]),
        "gated": builder.gated_library("slow", "slow.c", "slow_init", "slow-gated", slow),
        "gated-empty": builder.gated_library("slow", "slow.c", "slow_init",
                                             "slow-gated-empty", empty),
        "ctor": builder.plain_library("slow", ["slow.c"], "slow-ctor",
                                      slow + ["IN_CONSTRUCTOR"]),
    }
    return libs, builder.host("dlopen_host.c"), builder.host("thread_start.c")


def timed(host, lib, call=False):
    """{"dlopen": ns, maybe "call": ns} from one fresh process."""
    out = pipeline.run([host, lib] + (["call"] if call else []))
    found = dict(re.findall(r"^(dlopen|call) (\d+)$", out, re.M))
    if "dlopen" not in found or (call and "call" not in found):
        raise BenchError("dlopen_host printed no timing for %s: %r" % (lib, out))
    return {key: int(value) for key, value in found.items()}


def thread_start_ns(program):
    out = pipeline.run([program])
    found = re.search(r"^start (\d+)$", out, re.M)
    if not found:
        raise BenchError("thread_start printed no timing: %r" % out)
    return int(found.group(1))


def measure(workdir, level):
    init_ms, runs, slow_runs = SIZES[level]
    libs, host, thread_start = build_all(pipeline.Builder(workdir), init_ms)
    fast = ("empty", "gated", "gated-empty")

    for variant in fast:        # warm the page cache
        timed(host, libs[variant])
    samples = {variant: [] for variant in fast + ("thread",)}
    for _ in range(runs):
        for variant in fast:
            samples[variant].append(timed(host, libs[variant])["dlopen"])
        samples["thread"].append(thread_start_ns(thread_start))
    us = {variant: median(values) / 1e3 for variant, values in samples.items()}
    ctor_ms = median([timed(host, libs["ctor"])["dlopen"] for _ in range(slow_runs)]) / 1e6
    first_ms = timed(host, libs["gated"], call=True)["call"] / 1e6

    plain, gated_empty, gated = us["empty"], us["gated-empty"], us["gated"]
    thread, added = us["thread"], gated - plain
    init = "%.1f s init" % (init_ms / 1e3)
    return [
        Row(SECTION, "dlopen us, plain library, empty init in a constructor", "%.0f" % plain),
        Row(SECTION, "dlopen us, gated library, empty init", "%.0f" % gated_empty,
            "plain, empty init %.0f" % plain, ratio(gated_empty, plain)),
        Row(SECTION, "dlopen us, gated library, %s" % init, "%.0f" % gated,
            "gated, empty init %.0f" % gated_empty, ratio(gated, gated_empty), "<= 1.5",
            gated <= 1.5 * gated_empty),
        Row(SECTION, "dlopen us, gated library, %s (against plain)" % init, "%.0f" % gated,
            "plain, empty init %.0f" % plain, ratio(gated, plain)),
        Row(SECTION, "us, the first pthread_create of a fresh process (how the runtime "
            "makes its init thread)", "%.0f" % thread),
        Row(SECTION, "us a gated dlopen adds to the plain one", "%.0f" % added,
            "first pthread_create %.0f" % thread, ratio(added, thread)),
        Row(SECTION, "dlopen ms, plain library, the same %s in a constructor" % init,
            "%.0f" % ctor_ms, "plain, empty init %.3f" % (plain / 1e3),
            ratio(ctor_ms * 1e3, plain)),
        Row(SECTION, "ms from dlopen to the first call's return, gated, %s" % init,
            "%.0f" % first_ms, "init %d" % init_ms, ratio(first_ms, init_ms)),
    ]


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
