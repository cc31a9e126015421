"""`initgate patch-elf LIB.so [-o OUT]`: the command line of linker/patch.py."""

import logging

from initgate.linker.patch import patch_library

log = logging.getLogger("initgate")


def add_arguments(parser):
    parser.add_argument("library", metavar="LIB.so",
                        help="a shared library linked with the initgate runtime")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="write the patched library here (default: patch LIB.so in place)")


def run(args):
    report = patch_library(args.library, args.output)
    if not report.changed:
        print("%s: already patched, nothing changed" % args.library)
    else:
        log.info("%s: patched (%d edits) into %s", args.library, len(report.edits), report.out)
    return 0
