"""Section 5, part: does `initgate rewrite -j` scale with the machine's cores?

Generates a tree of a few hundred small C files (each with libc includes,
exported and static functions; one defines the init function), then times
`initgate rewrite -j 1` and `-j CORES` over the whole tree, medians of runs
that take turns; then the same with --skip-bodies (declarations only, as
`initgate cc` parses), where the Python walk is a larger share of the work.

    python benchmarks/rewrite_jobs.py [--quick | --smoke] [--workdir DIR]
"""

import os
import sys
import time

import pipeline
from report import Row, median, standalone

SECTION = "5 tool speed"
# (files, runs of each -j)
SIZES = {"full": (300, 2), "quick": (60, 1), "smoke": (6, 1)}

FILE = """#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry_{n} {{ const char *name; int weight; }};
static struct entry_{n} entries_{n}[] = {{ {{ "a", 1 }}, {{ "b", 2 }}, {{ "c", 3 }} }};
{init}
static int weight_{n}(const char *name)
{{
	size_t i;

	for (i = 0; i < sizeof entries_{n} / sizeof entries_{n}[0]; i++)
		if (!strcmp(entries_{n}[i].name, name))
			return entries_{n}[i].weight;
	return -1;
}}
"""

FUNCTION = """
int tree_{n}_{k}(const char *name, int scale)
{{
	char buf[64];

	snprintf(buf, sizeof buf, "%s-%d", name, scale);
	return weight_{n}(buf) * scale + {k};
}}
"""


def generate(folder, files):
    """`files` sources under folder/src, in ten subfolders; returns the folder."""
    source = folder / "src"
    for n in range(files):
        sub = source / ("part%d" % (n % 10))
        sub.mkdir(parents=True, exist_ok=True)
        init = "int tree_init(void) { return 0; }\n" if n == 0 else ""
        text = FILE.format(n=n, init=init) + "".join(
            FUNCTION.format(n=n, k=k) for k in range(8))
        (sub / ("file%d.c" % n)).write_text(text)
    return source


def rewrite_seconds(source, out, jobs, *options):
    start = time.perf_counter()
    pipeline.run([sys.executable, "-m", "initgate", "rewrite", "--init", "tree_init",
                  "-j", jobs, *options, "-o", out, source, "--", "-O2"])
    return time.perf_counter() - start


def measure(workdir, level):
    files, runs = SIZES[level]
    cores = os.cpu_count() or 1
    source = generate(workdir / "tree", files)
    rows = []
    for options, label in (((), ""), (("--skip-bodies",), " --skip-bodies")):
        samples = {1: [], cores: []}
        for run in range(runs):
            for jobs in samples:
                samples[jobs].append(rewrite_seconds(source, workdir / "tree-out", jobs,
                                                     *options))
        one, many = median(samples[1]), median(samples[cores])
        rows += [
            Row(SECTION, "s, `initgate rewrite -j 1%s`, %d files" % (label, files),
                "%.2f" % one),
            Row(SECTION, "s, `initgate rewrite -j %d%s`, %d files" % (cores, label, files),
                "%.2f" % many, "-j 1 %.2f" % one, "%.2f" % (many / one),
                "%.2f (1/cores)" % (1 / cores)),
        ]
    return rows


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
