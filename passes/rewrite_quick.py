"""Start a large file's body check before `initgate rewrite` parses its
command line.

argparse, and the modules the pass needs, take a good part of the
command's start-up; the compiler that checks a large file's bodies
(passes/body_check.py) is usually the slowest step of all, and can run
while they load.  So initgate/cli.py first hands the words to quick()
here, which reads the plainest command lines (options rewrite_cli.py
defines, one source file, flags after `--`) and starts that check.  It
never runs the command: it always returns None, and argparse then parses
the words in full.  rewrite_cli.py asks for the same check and is handed
the one running; a check nobody takes is stopped when the process ends.

Anything it does not know (-v, -p, an abbreviated option, a folder, two
sources) starts nothing, and the check is started later, as usual.
"""

import os

from initgate.passes import body_check

# Options that take the next word (or `=VALUE`) as their value.
_WITH_VALUE = ("--init", "-o", "--output", "--root", "--ungated", "--exports", "--manifest",
               "-j", "--check-bodies")
_FLAGS = ("--in-place", "--skip-macro-braces")


def quick(words):
    """Start the body check of the one source `words` name; always None."""
    plan = _read(words)
    if plan is not None:
        choice, source, flags = plan
        body_check.start_early(choice, None, source, flags)
    return None


def _read(words):
    """(--check-bodies, the source, compiler flags), or None if the words
    are not a plain command line with one source file whose bodies are
    checked."""
    flags = []
    if "--" in words:
        split = words.index("--")
        words, flags = words[:split], words[split + 1:]

    choice = None
    sources = []
    i = 0
    while i < len(words):
        word = words[i]
        name, equals, value = word.partition("=")
        if word in _FLAGS:
            i += 1
            continue
        if equals and name.startswith("--") and name in _WITH_VALUE:
            i += 1
        elif word in _WITH_VALUE and i + 1 < len(words) and not words[i + 1].startswith("-"):
            name, value = word, words[i + 1]
            i += 2
        elif not word.startswith("-"):
            sources.append(word)
            i += 1
            continue
        else:
            return None
        if name == "--check-bodies":
            choice = value

    if len(sources) != 1 or not os.path.isfile(sources[0]) or choice == "none":
        return None
    return choice, sources[0], flags
