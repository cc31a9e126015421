"""Attributes written on a declaration that comes after the function's definition.

    int f(void) { return 1; }
    int f(void) __attribute__((visibility("hidden")));

gcc applies such an attribute to the function: `f` is hidden, and a
`constructor` or `destructor` makes it one.  clang, and so libclang, drops
it with a warning ("attribute declaration must precede definition"), the
only trace of it in the parse.  The pass follows gcc, since a gate in a
function gcc made a constructor would wait, during dlopen, for an init
thread that starts only after the constructors: this module reads those
warnings (the parse enables just that group; passes/toolchain.py) and says,
for each definition, which of the attributes that matter to gating came
late.
"""

import re

from initgate import logs
from initgate.passes import libclang as lc

log = logs.logger("initgate.rewrite")

_WARNING = "attribute declaration must precede definition"
_DEFINITION_NOTE = "previous definition is here"
_MACRO_NOTE = "expanded from macro"

# The attribute's name as written where the warning points (or, through a
# macro, where the macro spells it), and a visibility's argument.
_ATTRIBUTE = re.compile(rb'(?:__)?(constructor|destructor|visibility)(?:__)?'
                        rb'\s*(?:\(\s*"([a-z]+)")?')


def find(tu, contents):
    """{(file name, offset of the definition's name): {attribute: argument}}
    for the attributes that came after their definition: "constructor",
    "destructor" (argument "") and "visibility" (its argument).  `contents`
    reads a file's bytes by name."""
    found = {}
    for diagnostic in tu.diagnostics:
        if diagnostic.severity != 2 or diagnostic.spelling != _WARNING:
            continue
        where, definition = diagnostic.location, None
        for note in diagnostic.children:
            if note.spelling.startswith(_MACRO_NOTE):
                where = note.location
            elif note.spelling == _DEFINITION_NOTE:
                definition = note.location
        if definition is None or definition.file is None or where.file is None:
            continue
        match = _ATTRIBUTE.match(contents(where.file.name), where.offset)
        if match is None:
            continue        # an attribute that does not change what is gated
        key = (definition.file.name, definition.offset)
        argument = (match.group(2) or b"").decode("ascii")
        name = match.group(1).decode("ascii")
        found.setdefault(key, {})[name] = argument
        file, line, _column = lc.presumed(diagnostic.location)
        log.warning("%s:%d: warning: attribute '%s' comes after the definition it applies "
                    "to, which gcc honours and clang ignores; initgate follows gcc: move it "
                    "to a declaration before the definition", file, line, name)
    return found
