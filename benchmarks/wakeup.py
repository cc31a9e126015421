"""Section 4: how soon a caller waiting at the gate runs once init is done.

The library (c/wake.c) takes a timestamp as the last thing its init does;
the host (c/wake_host.c) dlopens it and calls at once, so the call waits at
the gate, and takes a timestamp when the call returns.  The difference is
the wake-up latency: the runtime opening the gate, the kernel waking the
waiter, the waiter leaving the slow path.  Each run is a fresh process (init
runs once per process).  The anchor is the same handoff written by hand (a
condition variable broadcast after a timestamp, also in a fresh process
each time): what waking a thread costs on this machine at all.

    python benchmarks/wakeup.py [--quick | --smoke] [--workdir DIR]
"""

import pipeline
from report import BenchError, Row, percentile, ratio, standalone

SECTION = "4 wake-up"
RUNS = {"full": 300, "quick": 40, "smoke": 4}


def latencies(lines):
    """Wake-up latencies in us, from runs where the caller really waited."""
    waited = []
    for line in lines:
        after, before = (int(n) for n in line.split())
        if before > 0:
            waited.append(after / 1e3)
    return waited


def measure(workdir, level):
    builder = pipeline.Builder(workdir)
    lib = builder.gated_library("wake", "wake.c", "wake_init", "wake")
    host = builder.host("wake_host.c")
    runs = RUNS[level]

    gate_lines = [pipeline.run([host, "gate", lib]).strip() for _ in range(runs)]
    floor_lines = [pipeline.run([host, "floor", 1]).strip() for _ in range(runs)]
    gate, floor = latencies(gate_lines), latencies(floor_lines)
    if len(gate) < runs // 2 or len(floor) < runs // 2:
        raise BenchError("fewer than half the wake-up runs had the caller waiting "
                         "(gate %d, floor %d of %d)" % (len(gate), len(floor), runs))

    rows = []
    for name, fraction in (("median", 0.5), ("p99", 0.99)):
        ours, anchor = percentile(gate, fraction), percentile(floor, fraction)
        rows.append(Row(SECTION, "us from init's end to the waiter's return, %s "
                        "(%d runs)" % (name, len(gate)), "%.1f" % ours,
                        "condvar handoff %.1f" % anchor, ratio(ours, anchor)))
    return rows


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
