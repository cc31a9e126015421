"""What every benchmark section shares: its rows, the one Markdown table, the machine.

A section measures, then hands back a list of Row; `table` turns the rows of
any number of sections, after the rows that describe the machine, into one
Markdown table.  `standalone` is the `main` of a section run on its own.
"""

import argparse
import dataclasses
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class BenchError(Exception):
    """A benchmark could not run: its message is one line saying what and why."""


@dataclasses.dataclass
class Row:
    section: str
    figure: str
    value: str
    anchor: str = ""
    ratio: str = ""
    target: str = ""
    met: object = None      # True, False, or None when there is no target
    failed: bool = False    # the measurement could not run; value says why


def guarded(section, what, measure, *args):
    """measure(*args), or one row saying why `what` could not be measured."""
    try:
        return measure(*args)
    except BenchError as error:
        return [Row(section, "NOT MEASURED: %s" % what, str(error), failed=True)]


COLUMNS = ("section", "figure", "value", "anchor", "ratio", "target", "met")


def median(samples):
    return statistics.median(samples)


def percentile(samples, fraction):
    """The sample below which `fraction` of them lie (nearest rank)."""
    ordered = sorted(samples)
    rank = max(0, min(len(ordered) - 1, int(round(fraction * len(ordered))) - 1))
    return ordered[rank]


def ratio(value, anchor):
    return "%.2f" % (value / anchor) if anchor else ""


def _first_line(command):
    try:
        proc = subprocess.run(command, capture_output=True, text=True)
    except OSError:
        return "not found"
    out = (proc.stdout or proc.stderr).strip().splitlines()
    return out[0] if out else "unknown"


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _commit():
    git = ["git", "-C", str(REPO)]
    head = _first_line(git + ["rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(git + ["status", "--porcelain"], capture_output=True,
                           text=True).stdout.strip()
    return head + (" plus uncommitted changes" if dirty else "")


def machine_rows():
    """What the figures depend on: the processor, the tools and their versions."""
    cc = os.environ.get("CC", "gcc")
    rows = [
        ("CPU", "%s, %d cores (%s)" % (_cpu_model(), os.cpu_count() or 0,
                                       platform.machine())),
        ("kernel", platform.release()),
        ("C library", os.confstr("CS_GNU_LIBC_VERSION") or "unknown"),
        ("compiler", "%s: %s" % (cc, _first_line([cc, "--version"]))),
        ("valgrind", _first_line(["valgrind", "--version"])),
        ("Python", platform.python_version()),
        ("initgate", _commit()),
        ("load average at the start (1, 5, 15 min)", "%.1f, %.1f, %.1f" % os.getloadavg()),
    ]
    return [Row("machine", name, value) for name, value in rows]


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def table(rows):
    """One Markdown table of `rows`, in order."""
    lines = ["| " + " | ".join(COLUMNS) + " |",
             "|" + "|".join(["---", "---", "---:", "---", "---:", "---", "---"]) + "|"]
    for row in rows:
        met = {True: "yes", False: "**no**", None: ""}[row.met]
        cells = (row.section, row.figure, row.value, row.anchor, row.ratio, row.target,
                 met)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


LEVELS = ("full", "quick", "smoke")


def add_common_arguments(parser):
    """--quick, --smoke (both set args.level) and --workdir."""
    sizes = parser.add_mutually_exclusive_group()
    sizes.add_argument("--quick", dest="level", action="store_const", const="quick",
                       default="full", help="fewer repetitions and smaller inputs: a rough "
                       "run in a fraction of the time")
    sizes.add_argument("--smoke", dest="level", action="store_const", const="smoke",
                       help="the smallest sizes that still run every step: for tests, "
                       "the figures mean nothing")
    parser.add_argument("--workdir", help="build here and keep the files "
                        "(default: a temporary folder, removed at the end)")


class Workdir:
    """The folder the benchmarks build in: kept if the user named it."""

    def __init__(self, path):
        self.keep = path is not None
        self.path = Path(path or tempfile.mkdtemp(prefix="initgate-bench-"))
        self.path.mkdir(parents=True, exist_ok=True)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


def standalone(measure, description):
    """The `main` of one section: measure it and print its table."""
    parser = argparse.ArgumentParser(description=description)
    add_common_arguments(parser)
    args = parser.parse_args()
    with Workdir(args.workdir) as workdir:
        rows = guarded("", "this section", measure, workdir, args.level)
    print(table(machine_rows() + rows))
    return 1 if any(row.failed for row in rows) else 0
