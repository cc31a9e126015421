#!/usr/bin/env python3
"""Run the whole reliability suite and print what was tried and what held.

    python tests/reliability/run.py [--quick] [--seed N] [--only SECTION ...]
                                    [--work DIR] [--keep]

Sections: stress, tsan, hostile, fuzz, rewrite, interrupt, server (tests/reliability/
suite.py).  --quick is the bounded size CI runs through pytest; the default
is the full size, for people.  Output is a Markdown table, one row per
check; the exit status is 0 only when every check held.  Everything is
seeded (--seed, default 1): a failing row names the seed and input that
replay it.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import build  # noqa: E402
import suite  # noqa: E402
from outcome import Outcome, table  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the bounded size CI runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", nargs="+", choices=sorted(suite.SECTIONS),
                        help="run only these sections")
    parser.add_argument("--work", help="build here (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)

    profile = suite.QUICK if args.quick else suite.FULL
    work = args.work or tempfile.mkdtemp(prefix="initgate-reliability-")
    start = time.monotonic()
    outcomes = []
    builder = None
    try:
        builder = build.Builder(os.path.join(work, "gcc"))
        for name in args.only or list(suite.SECTIONS):
            print("running %s ..." % name, file=sys.stderr, flush=True)
            section_start = time.monotonic()
            try:
                target = suite.tsan_builder(work) if name == "tsan" else builder
                outcomes += suite.SECTIONS[name](target, profile, args.seed)
            except build.Missing as err:
                skipped = Outcome(name, "not run")
                skipped.fail("skipped: %s" % err)
                skipped.seconds = time.monotonic() - section_start
                outcomes.append(skipped)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)

    total = time.monotonic() - start
    print("## initgate reliability (%s, seed %d)\n" % ("quick" if args.quick else "full",
                                                      args.seed))
    print(table(outcomes))
    held = sum(o.held for o in outcomes)
    print("\n%d of %d checks held; %.0f s in total." % (held, len(outcomes), total))
    failed = [o for o in outcomes if not o.held]
    for o in failed:
        print("\n" + o.explain())
    if args.keep or args.work:
        print("\nwork folder: %s" % work)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
