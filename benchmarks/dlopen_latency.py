"""Section 3: how long dlopen takes when the library's init takes 2 seconds.

The same library (c/slow.c, whose init sleeps INIT_MS) built four ways:
gated with a 2 s init, plain with the same init in a constructor, plain with
an empty init in a constructor (the anchor: what loading costs at all), and
gated with an empty init (what initgate itself adds to dlopen).  Each
dlopen is timed inside a fresh process (c/dlopen_host.c); the builds take
turns.  One more gated run makes the first call too, to show that it does
wait for the 2 s init, so the fast dlopen is not a skipped init.

    python benchmarks/dlopen_latency.py [--quick] [--workdir DIR]
"""

import re

import pipeline
from report import BenchError, Row, median, ratio, standalone

SECTION = "3 dlopen"
INIT_MS = 2000


def build_all(builder):
    slow = ["INIT_MS=%d" % INIT_MS]
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
    return libs, builder.host("dlopen_host.c")


def timed(host, lib, call=False):
    """{"dlopen": ns, maybe "call": ns} from one fresh process."""
    out = pipeline.run([host, lib] + (["call"] if call else []))
    found = dict(re.findall(r"^(dlopen|call) (\d+)$", out, re.M))
    if "dlopen" not in found or (call and "call" not in found):
        raise BenchError("dlopen_host printed no timing for %s: %r" % (lib, out))
    return {key: int(value) for key, value in found.items()}


def measure(workdir, quick):
    libs, host = build_all(pipeline.Builder(workdir))
    fast = ("empty", "gated", "gated-empty")
    runs, slow_runs = (9, 1) if quick else (41, 3)

    for variant in fast:        # warm the page cache
        timed(host, libs[variant])
    samples = {variant: [] for variant in fast}
    for _ in range(runs):
        for variant in fast:
            samples[variant].append(timed(host, libs[variant])["dlopen"])
    us = {variant: median(values) / 1e3 for variant, values in samples.items()}
    ctor_ms = median([timed(host, libs["ctor"])["dlopen"] for _ in range(slow_runs)]) / 1e6
    first = timed(host, libs["gated"], call=True)

    base = us["empty"]
    anchor = "empty init %.0f us" % base
    return [
        Row(SECTION, "dlopen us, plain library, empty init in a constructor", "%.0f" % base),
        Row(SECTION, "dlopen us, gated, 2 s init", "%.0f" % us["gated"], anchor,
            ratio(us["gated"], base), "<= 1.5", us["gated"] <= 1.5 * base),
        Row(SECTION, "dlopen us, gated, empty init", "%.0f" % us["gated-empty"], anchor,
            ratio(us["gated-empty"], base)),
        Row(SECTION, "dlopen ms, same 2 s init in a constructor", "%.0f" % ctor_ms,
            "empty init %.3f ms" % (base / 1e3), ratio(ctor_ms * 1e3, base)),
        Row(SECTION, "ms from dlopen to the first call's return, gated",
            "%.0f" % (first["call"] / 1e6), "init %d ms" % INIT_MS,
            ratio(first["call"] / 1e6, INIT_MS)),
    ]


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
