"""`initgate patch-elf LIB.so [-o OUT]`: the command line of linker/patch.py."""

from initgate import logs
from initgate.linker.patch import patch_library

log = logs.logger("initgate")


def add_arguments(parser):
    parser.add_argument("library", metavar="LIB.so",
                        help="a shared library linked with the initgate runtime")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="write the patched library here (default: patch LIB.so in place)")


class _Arguments:
    def __init__(self, library, output):
        self.library = library
        self.output = output


def quick(words):
    """What to run for the plainest spellings of `initgate
    patch-elf WORDS` (LIB, LIB -o OUT, LIB --output OUT, in either order),
    read without argparse; None for anything else, which initgate/cli.py then
    parses in full.  A build runs patch-elf once per library, where start-up
    is much of the cost."""
    library = output = None
    i = 0
    while i < len(words):
        word = words[i]
        if (word in ("-o", "--output") and output is None and i + 1 < len(words)
                and not words[i + 1].startswith("-")):
            output = words[i + 1]
            i += 2
        elif library is None and not word.startswith("-"):
            library = word
            i += 1
        else:
            return None
    if library is None:
        return None
    arguments = _Arguments(library, output)
    return lambda: run(arguments)


def run(args):
    report = patch_library(args.library, args.output)
    if not report.changed:
        print("%s: already patched, nothing changed" % args.library)
    else:
        log.info("%s: patched (%d edits) into %s", args.library, len(report.edits), report.out)
    return 0
