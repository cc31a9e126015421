"""`--exports FILE`: which symbols a linker version script, or a list of names, exports.

A version script is a list of version nodes, `[NAME] { global: ...; local:
...; } [PARENT];`, whose entries are names or glob patterns, and may be
grouped in `extern "LANG" { ... };` blocks (a quoted name there is taken
literally).  GNU ld settles a symbol that several entries match in this
order, and so does ExportList.exports:

1. nodes in file order; in each, its global entries, then its local ones;
   an exact name ends the search (an exact local one also cancels the
   global globs that matched before it);
2. otherwise a glob other than `*` that matched: a global one first;
3. otherwise a bare `*`: a global one first;
4. a symbol that nothing matches keeps its default visibility (exported).

A symbol of a C library is not mangled, so the entries of an `extern
"C++"` block are matched against the plain name, as ld does when a name
does not demangle.  A file with no `{` is a plain list: it exports exactly
the names it holds, one or more a line, `#` starting a comment.
"""

import fnmatch
import re

from initgate.errors import InitgateError

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{};:]|[^\s{};:"]+')
_GLOB = re.compile(r"[*?\[]")


class _Node:
    """One version node's entries: (pattern, literal) pairs in file order."""

    def __init__(self):
        self.globals, self.locals = [], []


class ExportList:
    def __init__(self, text, path="exports"):
        self.path = path
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        self.is_script = "{" in text
        self.names = set()
        self.nodes = []
        if self.is_script:
            self._parse(_TOKEN.findall(text))
        else:
            self.names = set(text.split())

    def _parse(self, tokens):
        depth, node, scope, i = 0, None, None, 0
        while i < len(tokens):
            token = tokens[i]
            if token == "{":
                if depth == 0:
                    node, scope = _Node(), "global"
                    self.nodes.append(node)
                depth += 1
            elif token == "}":
                depth -= 1
                if depth < 0:
                    raise self._error("a '}' closes nothing")
            elif depth == 0 or token in (";", ":"):
                pass                    # a version's name, its parent, or `;`
            elif token in ("global", "local") and tokens[i + 1:i + 2] == [":"]:
                scope = token
                i += 1
            elif token == "extern" and tokens[i + 1:i + 2] and tokens[i + 1][0] == '"':
                i += 1                  # the language: every entry is matched as plain C
            elif token[0] == '"':
                self._add(node, scope, token[1:-1], True)
            else:
                self._add(node, scope, token, not _GLOB.search(token))
            i += 1
        if depth != 0:
            raise self._error("a '{' is never closed")

    def _error(self, what):
        return InitgateError("%s: not a version script: %s; give --exports a GNU ld "
                             "version script or a list of names" % (self.path, what))

    @staticmethod
    def _add(node, scope, pattern, literal):
        (node.globals if scope == "global" else node.locals).append((pattern, literal))

    def exports(self, name):
        """Whether the linker puts `name` in the dynamic symbol table."""
        if not self.is_script:
            return name in self.names
        glob_global = glob_local = star_global = star_local = False
        for node in self.nodes:
            exact, glob, star = _match(node.globals, name)
            if exact:
                return True
            glob_global, star_global = glob_global or glob, star_global or star
            exact, glob, star = _match(node.locals, name)
            if exact:
                return False
            glob_local, star_local = glob_local or glob, star_local or star
        if glob_global:
            return True
        if glob_local:
            return False
        return star_global or not star_local


def _match(entries, name):
    """(exact, glob, star): whether `name` is one of the entries' exact names,
    matches one of their globs other than `*`, or meets a bare `*`."""
    glob = star = False
    for pattern, literal in entries:
        if literal:
            if pattern == name:
                return True, glob, star
        elif fnmatch.fnmatchcase(name, pattern):
            if pattern == "*":
                star = True
            else:
                glob = True
    return False, glob, star
