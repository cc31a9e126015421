"""How fast is patch-elf on a large library, next to objcopy of the same file?

Generates a library of N exported functions (default 40000) with debug info
and a table of pointers to all of them (one relative relocation each), links
it with the initgate runtime, then times, as separate processes:

    objcopy LIB OUT                    (a plain copy through BFD)
    initgate patch-elf LIB -o OUT      (from the unpatched file each time)

and prints a Markdown table of the medians and their ratio, with the bare
interpreter's start-up (`python -c pass`) for scale.  The commands run with
bytecode caching on, after one warm-up run, as an installed initgate does
(an environment with PYTHONDONTWRITEBYTECODE=1 would otherwise recompile
every module on every run, which is not what a user's install does), and
through the installed `initgate` script when there is one, as a user runs it.

    python benchmarks/patch_speed.py [--functions N] [--runs R] [--workdir DIR]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import initgate.runtime_c as runtime_c


def generate(path, count):
    with open(path, "w") as f:
        f.write('#include "gate.h"\n')
        for i in range(count):
            f.write("int f%d(int x) { _cgo_wait_runtime_init_done();\n"
                    "\treturn x * %d + %d;\n}\n" % (i, i % 7 + 2, i))
        f.write("int (*const table[])(int) = {\n")
        f.write("".join("\tf%d,\n" % i for i in range(count)))
        f.write("};\nint bench_init(void) { return 0; }\n"
                "__attribute__((visibility(\"hidden\"))) int _initgate_user_init(void);\n"
                "__attribute__((visibility(\"hidden\"))) int _initgate_user_init(void) "
                "{ return bench_init(); }\n")


def build(workdir, count):
    lib = os.path.join(workdir, "libbig.so")
    if os.path.exists(lib):
        return lib
    source = os.path.join(workdir, "big.c")
    generate(source, count)
    rt = os.path.join(workdir, "initgate_rt.o")
    subprocess.run([sys.executable, "-m", "initgate", "runtime", "-o", rt], check=True)
    subprocess.run(["gcc", "-O1", "-g", "-fPIC", "-I", runtime_c.SOURCE_DIR, "-shared",
                    "-o", lib, source, rt], check=True)
    return lib


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def initgate_command():
    """The `initgate` command as a user runs it: the installed script beside this
    interpreter (`python -m` would add runpy's start-up), else `python -m initgate`."""
    script = os.path.join(os.path.dirname(sys.executable), "initgate")
    if os.access(script, os.X_OK):
        return [script]
    return [sys.executable, "-m", "initgate"]


def median_seconds(cmd, runs):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)     # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process_seconds(lib, out, runs):
    """The Python API the compiler wrapper calls: no interpreter start-up."""
    from initgate.linker.patch import patch_library
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        patch_library(lib, out)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=40000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workdir", help="keep the generated library here between runs")
    args = parser.parse_args()
    workdir = args.workdir or tempfile.mkdtemp(prefix="initgate-bench-")
    os.makedirs(workdir, exist_ok=True)
    lib = build(workdir, args.functions)
    out = os.path.join(workdir, "out.so")

    objcopy = median_seconds(["objcopy", lib, out], args.runs)
    patch = median_seconds(initgate_command() + ["patch-elf", lib, "-o", out],
                           args.runs)
    api = in_process_seconds(lib, out, args.runs)
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    relocs = subprocess.run(["readelf", "-rW", lib], capture_output=True, text=True).stdout
    print("library: %.1f MB, %d functions, %d relocation lines\n" % (
        os.path.getsize(lib) / 1e6, args.functions, relocs.count("\n")))
    print("| command | median of %d runs (s) |" % args.runs)
    print("|---|---|")
    print("| objcopy LIB OUT | %.3f |" % objcopy)
    print("| initgate patch-elf LIB -o OUT | %.3f |" % patch)
    print("| patch_library(LIB, OUT), in process | %.3f |" % api)
    print("| python -c pass (interpreter start-up) | %.3f |" % bare)
    print("| ratio patch-elf / objcopy | %.2f |" % (patch / objcopy))
    print("| ratio patch_library / objcopy | %.2f |" % (api / objcopy))


if __name__ == "__main__":
    main()
