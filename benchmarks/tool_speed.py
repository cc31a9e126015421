"""Section 5: do the tools keep up with the compiler?

Four measurements, each in its own script, gathered into rows here:
- rewrite_speed.py (the rewrite pass vs `gcc -fsyntax-only` on one big file)
  and patch_speed.py (patch-elf vs objcopy on a big library), both owned by
  the engineers of those tools: they run as they are, and their Markdown
  output is read back;
- rewrite_jobs.py: `initgate rewrite -j` over a tree of a few hundred files;
- zlib_build.py: a whole zlib build through `initgate-cc` and `initgate cc` vs plain gcc.

    python benchmarks/tool_speed.py [--quick | --smoke] [--workdir DIR]
"""

import re
import sys
from pathlib import Path

import pipeline
import rewrite_jobs
import zlib_build
from report import BenchError, Row, guarded, ratio, standalone

SECTION = "5 tool speed"
REWRITE_SIZES = {"full": (100000, 3), "quick": (20000, 1), "smoke": (500, 1)}
PATCH_SIZES = {"full": (40000, 3), "quick": (3000, 1), "smoke": (50, 1)}
HERE = Path(__file__).resolve().parent


def table_seconds(text, column=0):
    """{first cell: its number `column` (0: the first)} for every row of a Markdown table."""
    seconds = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not line.lstrip().startswith("|"):
            continue
        numbers = [float(cell) for cell in cells[1:] if re.fullmatch(r"\d+(\.\d+)?", cell)]
        if len(numbers) > column:
            seconds[cells[0]] = numbers[column]
    return seconds


def lookup(seconds, prefix, script):
    for name, value in seconds.items():
        if name.startswith(prefix):
            return value
    raise BenchError("%s printed no row starting %r: did its table change?" % (script, prefix))


def run_script(name, args):
    path = HERE / name
    if not path.is_file():
        raise BenchError("benchmarks/%s is not there yet" % name)
    return pipeline.run([sys.executable, path, *map(str, args)])


def rewrite_rows(level):
    lines, runs = REWRITE_SIZES[level]
    out = run_script("rewrite_speed.py", ["--lines", lines, "--runs", runs])
    found = re.search(r"File: (\d+) lines", out)
    actual = int(found.group(1)) if found else lines
    seconds = table_seconds(out)
    gcc = lookup(seconds, "`gcc -fsyntax-only`", "rewrite_speed.py")
    anchor = "gcc -fsyntax-only %.2f" % gcc
    rows = []
    ways = (("bodies skipped", "--skip-bodies"), ("bodies checked by gcc", "--check-bodies gcc"),
            ("full libclang parse", "--check-bodies libclang"))
    for mode, flag in ways:
        in_process = lookup(seconds, "initgate rewrite_file (in process), " + mode,
                            "rewrite_speed.py")
        command = lookup(seconds, "`initgate rewrite` command, " + flag, "rewrite_speed.py")
        rows += [
            Row(SECTION, "s, rewrite_file (in process, %s), %d-line file" % (mode, actual),
                "%.2f" % in_process, anchor, ratio(in_process, gcc), "<= 1.0",
                in_process <= gcc),
            Row(SECTION, "s, `initgate rewrite` command (%s), same file" % mode,
                "%.2f" % command, anchor, ratio(command, gcc), "<= 1.0", command <= gcc),
        ]
    # CPU time above; the default's two parses run side by side, so the wall
    # time a user waits is less.
    wall = table_seconds(out, column=1)
    gcc_wall = lookup(wall, "`gcc -fsyntax-only`", "rewrite_speed.py")
    command = lookup(wall, "`initgate rewrite` command, --check-bodies gcc",
                     "rewrite_speed.py")
    rows.append(Row(SECTION, "s wall, `initgate rewrite` command (bodies checked by gcc)",
                    "%.2f" % command, "gcc -fsyntax-only %.2f wall" % gcc_wall,
                    ratio(command, gcc_wall), "<= 1.0", command <= gcc_wall))
    return rows


def patch_rows(workdir, level):
    functions, runs = PATCH_SIZES[level]
    out = run_script("patch_speed.py", ["--functions", functions, "--runs", runs,
                                        "--workdir", workdir / "patch-speed"])
    found = re.search(r"library: ([\d.]+) MB", out)
    size = "%s MB" % found.group(1) if found else "%d functions" % functions
    seconds = table_seconds(out)
    objcopy = lookup(seconds, "objcopy", "patch_speed.py")
    command = lookup(seconds, "initgate patch-elf", "patch_speed.py")
    in_process = lookup(seconds, "patch_library", "patch_speed.py")
    anchor = "objcopy %.3f" % objcopy
    return [
        Row(SECTION, "s, `initgate patch-elf`, %s library" % size, "%.3f" % command, anchor,
            ratio(command, objcopy), "<= 1.0", command <= objcopy),
        Row(SECTION, "s, patch_library (in process), same library", "%.3f" % in_process,
            anchor, ratio(in_process, objcopy), "<= 1.0", in_process <= objcopy),
    ]


def measure(workdir, level):
    """Every part; with --smoke, all but the zlib build (a fetch and a minute)."""
    rows = (guarded(SECTION, "rewrite vs gcc -fsyntax-only", rewrite_rows, level)
            + guarded(SECTION, "patch-elf vs objcopy", patch_rows, workdir, level)
            + guarded(SECTION, "rewrite -j", rewrite_jobs.measure, workdir, level))
    if level != "smoke":
        rows += guarded(SECTION, "zlib through initgate-cc", zlib_build.measure, workdir,
                        level)
    return rows


if __name__ == "__main__":
    raise SystemExit(standalone(measure, __doc__.splitlines()[0]))
