"""Runs the benchmark suite and prints one Markdown table of every figure.

    python benchmarks/run.py [--quick | --smoke] [--only SECTION,...] [--workdir DIR]

Sections (each also runs alone as `python benchmarks/NAME.py`):

    1 gate     gate_cost.py       the gate's cost per call after init
    2 scaling  scaling.py         1, 2 and 4 threads calling at once
    3 dlopen   dlopen_latency.py  dlopen of a library whose init takes 2 s
    4 wakeup   wakeup.py          init's end to a waiting caller's return
    5 tools    tool_speed.py      rewrite, rewrite -j, patch-elf, zlib via both wrappers

The table starts with the machine and tool versions, then one row per
figure: its value, the anchor it is compared with, the ratio, the target
from issue 8 and whether it is met.  Progress goes to stderr.  The exit
status is 1 if any section could not be measured (its row says why).
"""

import argparse
import os
import shlex
import sys
import time

import dlopen_latency
import gate_cost
import scaling
import tool_speed
import wakeup
from report import Row, Workdir, add_common_arguments, guarded, machine_rows, table

SECTIONS = (
    ("1", "gate", gate_cost),
    ("2", "scaling", scaling),
    ("3", "dlopen", dlopen_latency),
    ("4", "wakeup", wakeup),
    ("5", "tools", tool_speed),
)


def chosen(only):
    """The SECTIONS that `--only` names (all of them without it)."""
    if not only:
        return list(SECTIONS)
    wanted = {word.strip() for word in only.split(",") if word.strip()}
    known = {number for number, _, _ in SECTIONS} | {name for _, name, _ in SECTIONS}
    unknown = sorted(wanted - known)
    if unknown:
        raise SystemExit("run.py: no section %s; choose from %s" % (
            ", ".join(unknown), ", ".join("%s (%s)" % (n, name) for n, name, _ in SECTIONS)))
    return [s for s in SECTIONS if s[0] in wanted or s[1] in wanted]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--only", metavar="SECTION,...",
                        help="run only these sections, by number or name (e.g. 1,3 or gate)")
    args = parser.parse_args()
    sections = chosen(args.only)

    rows = machine_rows()
    rows.append(Row("machine", "command", shlex.join(["python", "benchmarks/run.py",
                                                      *sys.argv[1:]])))
    rows.append(Row("machine", "date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    with Workdir(args.workdir) as workdir:
        for number, name, module in sections:
            print("run.py: section %s (%s)..." % (number, name), file=sys.stderr, flush=True)
            start = time.perf_counter()
            folder = workdir / ("%s-%s" % (number, name))
            folder.mkdir(exist_ok=True)
            rows += guarded(module.SECTION, "section %s" % number, module.measure, folder,
                            args.level)
            print("run.py: section %s took %.0f s" % (number, time.perf_counter() - start),
                  file=sys.stderr, flush=True)
    rows.append(Row("machine", "load average at the end (1, 5, 15 min)",
                    "%.1f, %.1f, %.1f" % os.getloadavg()))
    print(table(rows))
    return 1 if any(row.failed for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
