"""Find a function definition's opening brace in the source text.

A parse that skips function bodies (passes/analyze.py) keeps no trace of the
body, brace included.  What it does keep is where the declarator ends (after
any K&R parameter declarations); in the file's text, the body's `{` is the
first token after that point.  Between the two, C allows only whitespace,
comments, line splices, the `;` that ends a K&R declaration, and GNU
attributes or asm labels.

Anything else there (an identifier that may be a macro supplying the brace or
an attribute, a preprocessor line that may choose between two braces, a
digraph, a trigraph, a splice inside a comment) is not decided here: the
answer is None and the caller asks the full parse instead, so that an
answer from this module is only ever one the full parse would give too.

The same look at the text tells a definition from a declaration: after a
declaration's declarator comes `;` or `,`, after a definition's its `{` (or
K&R parameter declarations, which the caller sees in the tree).

A declarator spelled out in the file ends in `)`.  One that ends in a name
ends in a macro, which may itself open the body (`#define PARAMS (void) {`
then `int f PARAMS { ... } }`): the `{` found after it would be an inner
block's, so ends_in_name sends such a definition to the full parse, which
refuses it as "brace from macro".  A declarator whose last token comes
from a macro or a macro's argument is never read from the text at all
(passes/analyze.py), which covers the macros that declare whole functions.
"""

import re

# Whitespace, comments, line splices and `;`, as many as there are.  A
# comment with a line splice in it is left out on purpose: it stops the
# match, and the caller falls back to the full parse.
_TRIVIA = re.compile(rb"""(?:
      [ \t\n\v\f\r;]+
    | \\\r?\n
    | /\*(?:[^*\\]|\*(?!/)|\\(?!\r?\n))*\*/
    | //(?:\\\r?\n|[^\n])*
    )*""", re.X)

# Keywords followed by a parenthesized argument that may sit between a
# declarator and its body: GNU attributes and asm labels.
_PARENTHESIZED = re.compile(rb"(?:__attribute__|__attribute|__asm__|__asm|asm)(?![A-Za-z0-9_$])")

# Whitespace, comments and line splices, without the `;` that _TRIVIA allows.
_SPACE = re.compile(rb"""(?:
      [ \t\n\v\f\r]+
    | \\\r?\n
    | /\*(?:[^*\\]|\*(?!/)|\\(?!\r?\n))*\*/
    | //(?:\\\r?\n|[^\n])*
    )*""", re.X)

_IDENTIFIER = re.compile(rb"[A-Za-z_$][A-Za-z0-9_$]*")
_NAME_CHAR = re.compile(rb"[A-Za-z0-9_$\x80-\xff]")

# after_declarator's answer for a declaration that is not a definition.
DECLARATION = -1

# The characters that matter while skipping a parenthesized argument.
_PAREN_STOP = re.compile(rb"""[()"'#{};]""")

# What a parenthesized argument may hold that could hide a parenthesis.
_QUOTED = re.compile(rb""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""", re.S)


def ends_in_name(data, end):
    """Whether the declarator whose text ends at `end` ends in a name (a macro)."""
    return end > 0 and _NAME_CHAR.match(data, end - 1) is not None


def find_brace(data, start):
    """Offset of the `{` that opens the body whose declarator ends at `start`,
    or None when the text in between is anything this module does not decide."""
    position = _TRIVIA.match(data, start).end()
    while True:
        char = data[position:position + 1]
        if char == b"{":
            return position
        keyword = _PARENTHESIZED.match(data, position)
        if keyword is None:
            return None
        position = _skip_parenthesized(data, _TRIVIA.match(data, keyword.end()).end())
        if position is None:
            return None
        position = _TRIVIA.match(data, position).end()


def _skip_parenthesized(data, position):
    """The offset after the balanced parentheses that start at `position`."""
    if data[position:position + 1] != b"(":
        return None
    depth = 0
    while True:
        found = _PAREN_STOP.search(data, position)
        if found is None:
            return None
        position = found.start()
        char = found.group()
        if char in (b'"', b"'"):
            quoted = _QUOTED.match(data, position)
            if quoted is None:
                return None
            position = quoted.end()
            continue
        if char == b"(":
            depth += 1
        elif char == b")":
            depth -= 1
            if depth == 0:
                return position + 1
        else:
            return None                 # `#`, `{`, `}` or `;`: not an argument list
        position += 1


def after_declarator(data, start):
    """What follows a function declarator that ends at `start`: the offset of
    the body's `{`, DECLARATION for `;` or `,`, or None when the text does not
    say (K&R parameter declarations, macros, preprocessor lines, a declarator
    that itself ends in a macro)."""
    if ends_in_name(data, start):
        return None
    position = _SPACE.match(data, start).end()
    while True:
        char = data[position:position + 1]
        if char == b"{":
            return position
        if char in (b";", b","):
            return DECLARATION
        keyword = _PARENTHESIZED.match(data, position)
        if keyword is None:
            return None
        position = _skip_parenthesized(data, _SPACE.match(data, keyword.end()).end())
        if position is None:
            return None
        position = _SPACE.match(data, position).end()


def after_invocation(data, start):
    """DECLARATION if the macro invocation at `start` (a name and perhaps its
    parenthesized arguments) is followed by `;` or `,`, else None."""
    name = _IDENTIFIER.match(data, start)
    if name is None:
        return None
    position = _SPACE.match(data, name.end()).end()
    if data[position:position + 1] == b"(":
        position = _skip_parenthesized(data, position)
        if position is None:
            return None
        position = _SPACE.match(data, position).end()
    return DECLARATION if data[position:position + 1] in (b";", b",") else None
