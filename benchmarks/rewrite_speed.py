"""How much `initgate rewrite` costs compared with the compiler's own syntax check.

Generates a C file of at least 50,000 lines (exported, static, hidden and
inline functions, with bodies of a realistic size, after the usual libc
headers), then measures CPU time (user + system: the machine may be shared),
median of several round-robin runs on the same file and flags:

- rewrite_file, in process (what a compiler wrapper pays per file);
- the same libclang parse with no walk at all (the floor of any libclang pass);
- `initgate rewrite` as a command (adds Python start-up and writing);
- `clang -fsyntax-only` (Debian's clang, or any clang on PATH) if there is one;
- `gcc -fsyntax-only`.

Prints a Markdown table and the two ratios issue 3 asks for.

    .venv/bin/python benchmarks/rewrite_speed.py [--lines N] [--runs N]
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from clang import cindex

from initgate.passes import libclang, toolchain
from initgate.passes.rewrite import rewrite_file

FLAGS = ["-std=gnu11", "-O2", "-fPIC", "-D_GNU_SOURCE"]

HEADER = """#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stdatomic.h>
#include <pthread.h>

struct item { int key; double value; struct item *next; };
static struct item *table[1024];

int bench_init(void) { return 0; }
"""

# One group: four functions in 40 lines (static, exported, hidden, inline),
# about one definition per ten lines, denser than most libraries.  The parse
# costs per line, the walk per definition: a denser file makes the pass look
# worse, not better.
GROUP = """
static int bench_helper_{i}(int x)
{{
	int acc = 0;
	for (int k = 0; k < x; k++) {{
		acc += k * {i};
		if (acc > 1000)
			acc %= 997;
	}}
	return acc;
}}

int bench_api_{i}(int x, const char *s)
{{
	size_t n = s ? strlen(s) : 0;
	struct item *it = table[(x + {i}) & 1023];
	int hops = 0;

	while (it && it->key != x) {{
		it = it->next;
		hops++;
	}}
	if (!it)
		return -1;
	if (hops > 8)
		fprintf(stderr, "bench_api_{i}: %d hops for %d\\n", hops, x);
	return (int)(it->value * (double)n) + bench_helper_{i}(hops);
}}

__attribute__((visibility("hidden"))) int bench_hidden_{i}(int x)
{{
	struct item *it = malloc(sizeof *it);
	if (!it)
		return -1;
	it->key = x;
	free(it);
	return bench_helper_{i}(x);
}}
static inline uint32_t bench_inline_{i}(uint32_t v) {{ return (v << 3) ^ (v >> 5) ^ {i}u; }}
"""


def generate(path, lines):
    groups = lines // GROUP.count("\n") + 1
    with open(path, "w") as out:
        out.write(HEADER)
        for i in range(groups):
            out.write(GROUP.format(i=i))
    with open(path) as source:
        return sum(1 for _ in source)


def run_child(command):
    """CPU seconds (user + system) a command took."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_process(action):
    """CPU seconds an in-process action took (all threads)."""
    before = time.process_time()
    action()
    return time.process_time() - before


def measure(candidates, runs):
    """Median CPU seconds of each candidate, measured round-robin.

    The machine is shared: CPU time rather than wall time, and one run of
    every candidate per round, so that load that comes and goes lands on
    all of them alike.
    """
    for _name, measure_once in candidates:
        measure_once()      # warm the page cache and libclang's own start-up
    samples = {name: [] for name, _ in candidates}
    for _ in range(runs):
        for name, measure_once in candidates:
            samples[name].append(measure_once())
    return [(name, statistics.median(samples[name])) for name, _ in candidates]


def find_clang():
    for name in ["clang"] + ["clang-%d" % v for v in range(20, 13, -1)]:
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=60000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="initgate-bench-")
    source = os.path.join(folder, "big.c")
    lines = generate(source, args.lines)
    index = cindex.Index.create()
    parse_args = toolchain.parse_flags(FLAGS)

    command = [sys.executable, "-m", "initgate", "rewrite", "--init", "bench_init",
               "-o", os.path.join(folder, "out"), source, "--"] + FLAGS
    candidates = [
        ("initgate rewrite_file (in process)",
         lambda: in_process(lambda: rewrite_file(source, FLAGS, "bench_init"))),
        ("libclang parse only, same flags",
         lambda: in_process(lambda: index.parse(
             source, args=parse_args,
             options=libclang.PARSE_IGNORE_NON_ERRORS_FROM_INCLUDED_FILES))),
        ("`initgate rewrite` command", lambda: run_child(command)),
    ]
    clang = find_clang()
    if clang:
        candidates.append(("`%s -fsyntax-only`" % os.path.basename(clang), lambda: run_child(
            [clang, "-fsyntax-only", "-w"] + FLAGS + [source])))
    gcc = shutil.which("gcc")
    if gcc:
        candidates.append(("`gcc -fsyntax-only`", lambda: run_child(
            [gcc, "-fsyntax-only", "-w"] + FLAGS + [source])))
    rows = measure(candidates, args.runs)
    times = dict(rows)
    rewrite = rows[0][1]
    parse = rows[1][1]
    clang_time = times.get("`%s -fsyntax-only`" % os.path.basename(clang)) if clang else None
    gcc_time = times.get("`gcc -fsyntax-only`")

    print("File: %d lines, flags: %s; median of %d runs\n" % (lines, " ".join(FLAGS),
                                                             args.runs))
    print("| what | CPU seconds | rewrite_file / this |")
    print("|---|---:|---:|")
    for name, seconds in rows:
        print("| %s | %.3f | %.2f |" % (name, seconds, rewrite / seconds))
    print()
    print("walk and render cost over the bare parse: %.1f%%" % (100 * (rewrite / parse - 1)))
    if clang_time:
        print("ratio to clang -fsyntax-only: %.2f (target 1.05)" % (rewrite / clang_time))
    else:
        print("no clang binary on PATH (install Debian's clang to measure the clang "
              "ratio); the libclang parse-only row is the same front end")
    if gcc_time:
        print("ratio to gcc -fsyntax-only: %.2f (target 1.5)" % (rewrite / gcc_time))
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
