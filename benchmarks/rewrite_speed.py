"""How much `initgate rewrite` costs compared with the compiler's own syntax check.

Generates a C file of at least 50,000 lines (exported, static, hidden and
inline functions, with bodies of a realistic size, after the usual libc
headers), then times, median of several runs on the same file and flags:

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
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from clang import cindex

from initgate.passes import toolchain
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

# Eleven lines per group, four functions: exported, static, hidden, inline.
GROUP = """
int bench_api_{i}(int x, const char *s)
{{
	size_t n = s ? strlen(s) : 0;
	struct item *it = table[(x + {i}) & 1023];
	while (it && it->key != x)
		it = it->next;
	return it ? (int)(it->value * n) : -1;
}}
static int bench_helper_{i}(int x) {{ return x * {i} + bench_api_{i}(x, "k"); }}
__attribute__((visibility("hidden"))) int bench_hidden_{i}(int x) {{ return bench_helper_{i}(x); }}
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


def median_time(action, runs):
    action()    # warm the page cache and libclang's own start-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


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
    quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    rows = []
    rewrite = median_time(lambda: rewrite_file(source, FLAGS, "bench_init"), args.runs)
    rows.append(("initgate rewrite_file (in process)", rewrite))
    parse = median_time(lambda: index.parse(source, args=parse_args), args.runs)
    rows.append(("libclang parse only, same flags", parse))
    command = [sys.executable, "-m", "initgate", "rewrite", "--init", "bench_init",
               "-o", os.path.join(folder, "out"), source, "--"] + FLAGS
    rows.append(("`initgate rewrite` command",
                 median_time(lambda: subprocess.run(command, **quiet), args.runs)))
    clang = find_clang()
    clang_time = None
    if clang:
        clang_time = median_time(lambda: subprocess.run(
            [clang, "-fsyntax-only", "-w"] + FLAGS + [source], **quiet), args.runs)
        rows.append(("`%s -fsyntax-only`" % os.path.basename(clang), clang_time))
    gcc = shutil.which("gcc")
    gcc_time = None
    if gcc:
        gcc_time = median_time(lambda: subprocess.run(
            [gcc, "-fsyntax-only", "-w"] + FLAGS + [source], **quiet), args.runs)
        rows.append(("`gcc -fsyntax-only`", gcc_time))

    print("File: %d lines, flags: %s; median of %d runs\n" % (lines, " ".join(FLAGS),
                                                             args.runs))
    print("| what | seconds | rewrite_file / this |")
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
