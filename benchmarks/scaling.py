"""Section 2: does the gate scale with threads calling at once?

The four builds of section 1 (plain, gated, mutex + condition variable,
pthread_once), called by 1, 2 and 4 threads at once, each thread making the
same number of calls; medians of runs in which the builds take turns.  Once
init is done the gate only reads shared memory, so the gated build should
keep pace with the plain one; the mutex build writes the same cache line on
every call from every thread.  Besides gated against ungated at each thread
count, it reports how each build's throughput grows with threads, which is
the part a shared write would spoil.

Two throughputs per run:
- calls per second of each calling thread's CPU time, summed over the
  threads: what the calls cost while they run, cache-line traffic between
  cores included, but not the time this shared machine gives to other
  processes.  The 5% target is judged on it.
- calls per second of wall-clock time: what a host gets here and now.  It
  also counts time threads spend asleep on a contended mutex, and every
  other process's load, so it is the noisier of the two.

    python benchmarks/scaling.py [--quick | --smoke] [--workdir DIR]
"""

import gate_cost
import pipeline
from report import Row, median, ratio, standalone

SECTION = "2 scaling"
THREADS = (1, 2, 4)
# (calls per thread, processes per build)
SIZES = {"full": (5000000, 15), "quick": (2000000, 5), "smoke": (10000, 1)}


def throughput(host, folders, threads, level):
    """{variant: (median wall calls/s, median CPU-time calls/s)} with `threads` callers."""
    calls, outer = SIZES[level]
    samples = {variant: ([], []) for variant in folders}
    for _ in range(outer):
        for variant, folder in folders.items():
            out = pipeline.run([host, "threads", threads, calls, 1],
                               env=gate_cost.environment(folder))
            wall, cpu = (float(n) for n in out.split())
            samples[variant][0].append(wall)
            samples[variant][1].append(cpu)
    return {variant: (median(wall), median(cpu)) for variant, (wall, cpu) in samples.items()}


def measure(workdir, level):
    folders, host = gate_cost.build_all(pipeline.Builder(workdir))
    rows = []
    single = None
    for threads in THREADS:
        rates = throughput(host, folders, threads, level)
        single = single or rates
        plural = "s" * (threads > 1)
        base = rates["plain"][1]
        for variant, label in gate_cost.VARIANTS:
            figure = "M calls/s (CPU time), %d thread%s, %s" % (threads, plural, label)
            value = "%.0f" % (rates[variant][1] / 1e6)
            if variant == "plain":
                rows.append(Row(SECTION, figure, value))
                continue
            target, met = "", None
            if variant == "gated":
                target, met = ">= 0.95", rates[variant][1] >= 0.95 * base
            rows.append(Row(SECTION, figure, value, "ungated %.0f" % (base / 1e6),
                            ratio(rates[variant][1], base), target, met))
        wall = " / ".join("%.0f" % (rates[variant][0] / 1e6) for variant, _ in
                          gate_cost.VARIANTS)
        rows.append(Row(SECTION, "M calls/s (wall clock), %d thread%s: ungated / gated / "
                        "mutex / once" % (threads, plural), wall))
        if threads > 1:
            rows.append(speedup_row(single, rates, threads))
    return rows


def speedup_row(single, rates, threads):
    """How the gated build's throughput grows from 1 to `threads` callers, against
    how the ungated one's grows: what shared writes on the fast path would spoil.

    Shown without a target: the one-thread runs it divides by differ by more
    than the gate costs.  The gated build's is 9 to 12% faster than the
    ungated one's in every run on the machine the README's table comes from
    (4 more instructions per call, section 1, so code placement rather than
    the gate), which makes this ratio read about 0.9 with no shared write at
    all.  The 5% target is judged on the throughput rows at each thread
    count, as issue 8 words it.
    """
    gated = rates["gated"][1] / single["gated"][1]
    plain = rates["plain"][1] / single["plain"][1]
    return Row(SECTION, "speedup from 1 to %d threads (CPU time), gated" % threads,
               "%.2f" % gated, "ungated %.2f" % plain, ratio(gated, plain))


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
