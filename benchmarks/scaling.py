"""Section 2: does the gate scale with threads calling at once?

The four builds of section 1 (plain, gated, mutex + condition variable,
pthread_once), called by 1, 2 and 4 threads at once, each thread making the
same number of calls.  The figure is the total calls per second, the median
of runs in which the builds take turns.  Once init is done the gate only
reads shared memory, so the gated build should keep pace with the plain one;
the mutex build writes the same cache line on every call from every thread.

    python benchmarks/scaling.py [--quick] [--workdir DIR]
"""

import gate_cost
import pipeline
from report import Row, median, ratio, standalone

SECTION = "2 scaling"
THREADS = (1, 2, 4)


def throughput(host, folders, threads, quick):
    """{variant: median calls per second} with `threads` callers."""
    calls, inner, outer = (2000000, 2, 3) if quick else (10000000, 3, 5)
    samples = {variant: [] for variant in folders}
    for _ in range(outer):
        for variant, folder in folders.items():
            out = pipeline.run([host, "threads", threads, calls, inner],
                               env=gate_cost.environment(folder))
            samples[variant] += [float(line) for line in out.split()]
    return {variant: median(values) for variant, values in samples.items()}


def measure(workdir, quick):
    folders, host = gate_cost.build_all(pipeline.Builder(workdir))
    rows = []
    for threads in THREADS:
        rates = throughput(host, folders, threads, quick)
        base = rates["plain"]
        for variant, label in gate_cost.VARIANTS:
            figure = "M calls/s, %d thread%s, %s" % (threads, "s" * (threads > 1), label)
            value = "%.1f" % (rates[variant] / 1e6)
            if variant == "plain":
                rows.append(Row(SECTION, figure, value))
                continue
            target, met = "", None
            if variant == "gated":
                target, met = ">= 0.95", rates[variant] >= 0.95 * base
            rows.append(Row(SECTION, figure, value, "ungated %.1f" % (base / 1e6),
                            ratio(rates[variant], base), target, met))
    return rows


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
