"""Which function definitions a library exports, and which of those to gate.

"Exported" means what the compiler and linker will put in the dynamic symbol
table with the build's own flags.  libclang answers linkage and visibility
(attributes, `#pragma GCC visibility`, -fvisibility); the inline rules and the
functions that must never be gated are decided here, from facts that
passes/analyze.py gathers.  The result for each definition is a reason string:
empty when the definition is gated, otherwise why it is not, in the words the
manifest uses.
"""

import fnmatch
import re

# Reasons an exported function is not gated, as the manifest spells them.
INIT = "init function"
MAIN = "main"
CONSTRUCTOR = "constructor"
DESTRUCTOR = "destructor"
MARKED = "marked INITGATE_UNGATED"
COMMAND_LINE = "--ungated"
NOT_IN_EXPORTS = "not in --exports"
MACRO_BRACE = "brace from macro"

UNGATED_ANNOTATION = "initgate:ungated"

# The pretty printer spells every constructor/destructor attribute the same
# way, whatever the source wrote (__constructor__, [[gnu::constructor]], with
# or without a priority): `constructor(65535)`.
_LIFETIME_ATTRIBUTE = re.compile(r"(?:__attribute__\(\(|\[\[gnu::)(constructor|destructor)\(")
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def lifetime_attribute(printed):
    """CONSTRUCTOR or DESTRUCTOR if a printed declaration carries one, else ""."""
    match = _LIFETIME_ATTRIBUTE.search(printed)
    if not match:
        return ""
    return CONSTRUCTOR if match.group(1) == "constructor" else DESTRUCTOR


def specifiers(printed, name):
    """The words written before the name in one printed declaration."""
    head = printed.split(name + "(", 1)[0]
    head = re.sub(r"__attribute__\(\(.*?\)\)\)*|\[\[.*?\]\]", " ", head)
    return set(_WORD.findall(head))


def inline_emits_symbol(printed_redeclarations, name, gnu89):
    """Whether an inline function's definition emits an external symbol.

    The rules are the compiler's, applied to every file-scope declaration of
    the function in the translation unit, each as printed by clang:
    GNU89 (`-std=gnu89`, `-fgnu89-inline`, or the `gnu_inline` attribute):
    the symbol is emitted if some declaration says `inline` without `extern`.
    C99 and later (C99 6.7.4p7): the definition is only an inline definition,
    with no symbol, unless some declaration says `extern` or lacks `inline`.
    """
    gnu89 = gnu89 or any("gnu_inline" in text for text in printed_redeclarations)
    for text in printed_redeclarations:
        words = specifiers(text, name)
        inline = bool(words & {"inline", "__inline", "__inline__"})
        extern = "extern" in words
        if gnu89 and inline and not extern:
            return True
        if not gnu89 and (extern or not inline):
            return True
    return False


class ExportList:
    """The names a linker version script (or a plain list of names) exports.

    A version script's `global:` patterns export, `local:` patterns hide; an
    exact name outranks a wildcard, as in GNU ld.  A name no pattern matches
    keeps its default visibility.  A plain list exports exactly its names.
    """

    def __init__(self, text, path="exports"):
        self.path = path
        text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
        text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
        self.is_script = "{" in text
        self.global_exact, self.global_globs = set(), []
        self.local_exact, self.local_globs = set(), []
        if self.is_script:
            self._parse_script(text)
        else:
            self.global_exact = set(text.split())

    def _parse_script(self, text):
        scope = "global"
        # extern "C++" { ... } blocks name C++ symbols; a C library has none.
        text = re.sub(r'extern\s+"[^"]*"\s*\{[^}]*\}\s*;?', " ", text)
        for node in re.findall(r"\{(.*?)\}", text, flags=re.S):
            for token in re.findall(r"[^\s;]+:|[^\s;:]+", node):
                if token in ("global:", "local:"):
                    scope = token[:-1]
                    continue
                exact = not any(ch in token for ch in "*?[")
                if scope == "global":
                    (self.global_exact.add(token) if exact
                     else self.global_globs.append(token))
                else:
                    (self.local_exact.add(token) if exact
                     else self.local_globs.append(token))
            scope = "global"

    def exports(self, name):
        if not self.is_script:
            return name in self.global_exact
        if name in self.global_exact:
            return True
        if name in self.local_exact:
            return False
        if any(fnmatch.fnmatchcase(name, glob) for glob in self.global_globs):
            return True
        return not any(fnmatch.fnmatchcase(name, glob) for glob in self.local_globs)


def ungated_reason(name, *, init_name, annotations, lifetime, ungated_names, export_list,
                   brace_from_macro):
    """Why an exported function is not gated, or "" when it is gated."""
    if name == init_name:
        return INIT
    if name == "main":
        return MAIN
    if lifetime:
        return lifetime
    if UNGATED_ANNOTATION in annotations:
        return MARKED
    if name in ungated_names:
        return COMMAND_LINE
    if export_list is not None and not export_list.exports(name):
        return NOT_IN_EXPORTS
    if brace_from_macro:
        return MACRO_BRACE
    return ""
