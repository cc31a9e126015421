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

# What a parenthesized argument may hold that could hide a parenthesis.
_QUOTED = re.compile(rb""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""", re.S)


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
    while position < len(data):
        char = data[position:position + 1]
        if char in b"\"'":
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
        elif char in (b"#", b"{", b"}", b";"):
            return None
        position += 1
    return None
