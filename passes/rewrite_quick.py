"""`initgate rewrite` on its plainest command lines, read without argparse.

argparse takes 8 to 10 ms to import and to build the command's parsers,
about a sixth of a small file's whole rewrite, and it delays the compiler
that checks a large file's bodies (passes/body_check.py), which the command
starts before it loads libclang.  So initgate/cli.py first hands the words
to quick() here.  It reads lines made only of the options rewrite_cli.py
defines, spelled out in full, each but --ungated at most once, sources, and
compiler flags after `--`, into what argparse would have made of them
(tests/test_cli_quick.py compares the two), and returns the run.  Anything
else (-v, --help, an abbreviation, a value glued to a short option, a value
that starts with `-`, -o with --in-place) is None: argparse then reads the
words, and says what is wrong with them.
"""

# Options that take the next word (or, spelled long, `=VALUE`) as their
# value, and the attribute argparse stores it in.
_WITH_VALUE = {"--init": "init", "-o": "output", "--output": "output", "--root": "root",
               "--ungated": "ungated", "--exports": "exports", "--manifest": "manifest",
               "-p": "build_dir", "-j": "jobs", "--check-bodies": "check_bodies"}
_FLAGS = {"--in-place": "in_place", "--skip-bodies": "skip_bodies",
          "--skip-macro-braces": "skip_macro_braces"}


class Arguments:
    """What argparse and rewrite_cli._reparse make of a command line."""

    def __init__(self):
        self.init = self.output = self.root = self.exports = self.manifest = None
        self.build_dir = self.check_bodies = None
        self.in_place = self.skip_bodies = self.skip_macro_braces = False
        self.ungated = []
        self.jobs = 1
        self.sources = []
        self.flags = []


def quick(words):
    """The run of `initgate rewrite WORDS`, or None to have argparse read them."""
    args = read(words)
    if args is None:
        return None
    from initgate.passes import rewrite_cli

    return lambda: rewrite_cli.run_read(args)


def read(words):
    """The Arguments of a plain command line, or None."""
    args = Arguments()
    if "--" in words:
        split = words.index("--")
        words, args.flags = words[:split], words[split + 1:]

    seen = set()
    i = 0
    while i < len(words):
        word = words[i]
        name, equals, value = word.partition("=")
        if word in _FLAGS:
            attribute = _FLAGS[word]
            value = True
            i += 1
        elif equals and name.startswith("--") and name in _WITH_VALUE:
            attribute = _WITH_VALUE[name]
            i += 1
        elif word in _WITH_VALUE and i + 1 < len(words) and not words[i + 1].startswith("-"):
            attribute, value = _WITH_VALUE[word], words[i + 1]
            i += 2
        elif not word.startswith("-"):
            args.sources.append(word)
            i += 1
            continue
        else:
            return None

        if attribute == "ungated":
            args.ungated.append(value)
            continue
        # argparse would keep the last; rewrite_cli's second reading of
        # options after the files would not always (an explicit default).
        if attribute in seen:
            return None
        seen.add(attribute)
        if attribute == "jobs":
            try:
                value = int(value)
            except ValueError:
                return None
        setattr(args, attribute, value)

    if (not args.sources and args.build_dir is None) or (args.output is not None
                                                         and args.in_place):
        return None
    return args
