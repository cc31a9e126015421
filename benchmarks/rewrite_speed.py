"""How much `initgate rewrite` costs compared with the compiler's own syntax check.

Generates a C file of at least 50,000 lines (exported, static, hidden and
inline functions, with bodies of a realistic size, after the usual libc
headers), then measures CPU time (user + system of the process and the
compilers it runs: the machine may be shared) and wall time, median of
several round-robin runs on the same file and flags:

- rewrite_file, in process, three ways:
  - bodies skipped (skip_bodies=True: what `initgate cc` pays per file, and
    `initgate rewrite --skip-bodies`);
  - bodies checked by gcc (`--check-bodies gcc`, and `initgate rewrite`'s
    default for a file this large when the build's compiler is gcc):
    libclang reads the declarations with bodies skipped while `gcc
    -fsyntax-only` checks the file beside it (passes/body_check.py);
  - the full libclang parse (`--check-bodies libclang`, and the default
    for a small file), which for a file this large runs on a second thread
    beside the skipped-body walk (passes/analyze.py, _FullParse): its CPU
    time is the two parses';
- the same libclang parse with no walk at all, both ways (the floor);
- `initgate rewrite` as a command, the same three ways (adds Python
  start-up and writing; run as a user runs it, through the installed script
  with bytecode cached);
- `clang -fsyntax-only` for every clang on PATH (Debian's clang-N), and
  with --clang18 DIR for Debian 13's clang 18 (benchmarks/clang18.py): the
  ratio that matters is to the clang of libclang's own version, 18, or to
  the versions either side of it (the front end's speed changes from
  release to release, and Debian 12 has clang 14, 16 and 19 but no 18);
- `gcc -fsyntax-only`.

Prints a Markdown table (CPU seconds first: benchmarks/tool_speed.py reads
that column) and the two ratios issue 3 asks for, for each way.

    .venv/bin/python benchmarks/rewrite_speed.py [--lines N] [--runs N] [--clang18 DIR]
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

import clang18
from initgate.passes import libclang, toolchain
from initgate.passes.rewrite import rewrite_file
from report import BenchError

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


def cpu_seconds():
    """User + system time of this process and of every child it has waited for."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def timed(action):
    """(CPU seconds, wall seconds) that action() took, its compilers included."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    action()
    return cpu_seconds() - cpu, time.perf_counter() - wall


def run_child(command, env=None):
    return timed(lambda: subprocess.run(command, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, check=True, env=env))


def measure(candidates, runs):
    """Median (CPU, wall) seconds of each candidate, measured round-robin.

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
    return [(name, statistics.median(c for c, _ in samples[name]),
             statistics.median(w for _, w in samples[name])) for name, _ in candidates]


def find_clangs():
    """Every clang on PATH, once each: [(name, major version)], newest first."""
    found, seen = [], set()
    for name in ["clang"] + ["clang-%d" % v for v in range(30, 9, -1)]:
        path = shutil.which(name)
        if not path or os.path.realpath(path) in seen:
            continue
        seen.add(os.path.realpath(path))
        out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        words = out.split()
        version = words[words.index("version") + 1] if "version" in words else "?"
        found.append((name, version))
    return found


def libclang_version():
    from importlib import metadata

    try:
        return metadata.version("libclang")
    except metadata.PackageNotFoundError:
        return "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=60000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clang18", metavar="DIR",
                        help="also measure clang 18, fetched into DIR if it is not there "
                             "(benchmarks/clang18.py)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="initgate-bench-")
    source = os.path.join(folder, "big.c")
    lines = generate(source, args.lines)
    index = cindex.Index.create()
    parse_args = toolchain.parse_flags(FLAGS)

    # As a user runs it: the installed script (`python -m` adds runpy's
    # start-up), with bytecode cached as an install does (an environment with
    # PYTHONDONTWRITEBYTECODE=1 would recompile every module on every run).
    script = os.path.join(os.path.dirname(sys.executable), "initgate")
    initgate = [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "initgate"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "pycache")
    command = initgate + ["rewrite", "--init", "bench_init", "-o", os.path.join(folder, "out"),
                          source, "--"] + FLAGS
    ways = [("bodies skipped", "--skip-bodies", dict(skip_bodies=True)),
            ("bodies checked by gcc", "--check-bodies gcc", dict(check_bodies="gcc")),
            ("full libclang parse", "--check-bodies libclang", dict(check_bodies="libclang"))]
    candidates = []
    for label, _option, settings in ways:
        candidates.append(("initgate rewrite_file (in process), " + label,
                           lambda s=settings: timed(
                               lambda: rewrite_file(source, FLAGS, "bench_init", **s))))
    for label, skip in (("bodies skipped", libclang.PARSE_SKIP_FUNCTION_BODIES), ("full", 0)):
        candidates.append(("libclang parse only, " + label, lambda skip=skip: timed(
            lambda: index.parse(source, args=parse_args, options=skip
                                | libclang.PARSE_IGNORE_NON_ERRORS_FROM_INCLUDED_FILES))))
    for _label, option, _settings in ways:
        candidates.append(("`initgate rewrite` command, " + option,
                           lambda w=option.split(): run_child(command[:len(initgate) + 1] + w
                                                              + command[len(initgate) + 1:],
                                                              env)))
    clangs = find_clangs()
    runners = {name: ([name], None) for name, _version in clangs}
    if args.clang18:
        try:
            runners["clang-18"] = clang18.ensure(args.clang18)
            clangs.append(("clang-18", "18.1.8, Debian 13's, on its own C library"))
        except BenchError as err:
            print("rewrite_speed.py: no clang 18: %s" % err, file=sys.stderr)
    for name, _version in clangs:
        clang_command, clang_env = runners[name]
        candidates.append(("`%s -fsyntax-only`" % name, lambda c=clang_command, e=clang_env:
                           run_child(c + ["-fsyntax-only", "-w"] + FLAGS + [source], e)))
    gcc = shutil.which("gcc")
    if gcc:
        candidates.append(("`gcc -fsyntax-only`", lambda: run_child(
            [gcc, "-fsyntax-only", "-w"] + FLAGS + [source])))
    rows = measure(candidates, args.runs)
    cpu = {name: seconds for name, seconds, _ in rows}
    wall = {name: seconds for name, _, seconds in rows}
    skipped = rows[0][1]
    gcc_name = "`gcc -fsyntax-only`"

    print("File: %d lines, flags: %s; median of %d runs\n" % (lines, " ".join(FLAGS),
                                                             args.runs))
    print("| what | CPU seconds | wall seconds | rewrite_file, bodies skipped / this (CPU) |")
    print("|---|---:|---:|---:|")
    for name, seconds, elapsed in rows:
        print("| %s | %.3f | %.3f | %.2f |" % (name, seconds, elapsed, skipped / seconds))
    print()
    print("walk and render cost over the bare parse: %.1f%% (bodies skipped), %.1f%% (full)"
          % (100 * (skipped / cpu["libclang parse only, bodies skipped"] - 1),
             100 * (cpu["initgate rewrite_file (in process), full libclang parse"]
                    / cpu["libclang parse only, full"] - 1)))
    print("libclang is %s" % libclang_version())
    for label, _option, _settings in ways:
        name = "initgate rewrite_file (in process), " + label
        for clang, version in clangs:
            other = "`%s -fsyntax-only`" % clang
            print("ratio to %s -fsyntax-only (clang %s), %s: %.2f CPU, %.2f wall "
                  "(target 1.05)" % (clang, version, label, cpu[name] / cpu[other],
                                     wall[name] / wall[other]))
        if gcc_name in cpu:
            print("ratio to gcc -fsyntax-only, %s: %.2f CPU, %.2f wall (target 1.5; "
                  "issue 8: 1.0)" % (label, cpu[name] / cpu[gcc_name],
                                     wall[name] / wall[gcc_name]))
    # The same as a user runs it: Python's start-up and the writing included.
    for _label, option, _settings in ways:
        name = "`initgate rewrite` command, " + option
        anchors = ["`%s -fsyntax-only`" % clang for clang, _version in clangs]
        anchors += [gcc_name] if gcc_name in cpu else []
        print("the command, %s: %s" % (option, ", ".join(
            "%.2f CPU and %.2f wall of %s" % (cpu[name] / cpu[other], wall[name] / wall[other],
                                              other.strip("`").split()[0])
            for other in anchors)))
    if not clangs:
        print("no clang binary on PATH (install Debian's clang-16 and clang-19 to measure "
              "the clang ratio); the libclang parse-only rows are the same front end")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
