"""Which function definitions a library exports, and which of those to gate.

"Exported" means what the compiler and linker will put in the dynamic symbol
table with the build's own flags.  libclang answers linkage and visibility
(attributes, `#pragma GCC visibility`, -fvisibility); the inline rules and the
functions that must never be gated are decided here, from facts that
passes/analyze.py gathers.  The result for each definition is a reason string:
empty when the definition is gated, otherwise why it is not, in the words the
manifest uses.
"""

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
NAKED = "naked: its body is assembly"
IFUNC_RESOLVER = "ifunc resolver"

UNGATED_ANNOTATION = "initgate:ungated"

# The pretty printer writes each attribute in its own `__attribute__((...))`,
# under its plain name whatever the source wrote (__constructor__,
# [[gnu::constructor]], with or without a priority: `constructor(65535)`).
_ATTRIBUTE = re.compile(r"(?:__attribute__\(\(|\[\[gnu::)([A-Za-z_][A-Za-z_0-9]*)")
_ALIAS = re.compile(r'__attribute__\(\((alias|ifunc)\("((?:[^"\\]|\\.)*)"\)\)\)')
_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def attributes(printed):
    """The names of the attributes a printed declaration carries."""
    return set(_ATTRIBUTE.findall(printed))


def lifetime_attribute(printed):
    """CONSTRUCTOR or DESTRUCTOR if a printed declaration carries one, else ""."""
    found = attributes(printed)
    if "constructor" in found:
        return CONSTRUCTOR
    return DESTRUCTOR if "destructor" in found else ""


def alias_target(printed):
    """("alias", TARGET) or ("ifunc", RESOLVER) for a printed declaration that
    makes its symbol another function's code, else None."""
    match = _ALIAS.search(printed)
    return (match.group(1), match.group(2)) if match else None


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


def ungated_reason(name, *, symbol, init_name, annotations, attributes, ungated_names,
                   export_list, brace_from_macro):
    """Why an exported function is not gated, or "" when it is gated.  `name`
    is its C name, `symbol` its name in the symbol table (they differ under
    an `asm` label); `attributes` the names of those it carries."""
    if name == init_name:
        return INIT
    if name == "main":
        return MAIN
    if "constructor" in attributes:
        return CONSTRUCTOR
    if "destructor" in attributes:
        return DESTRUCTOR
    if UNGATED_ANNOTATION in annotations:
        return MARKED
    if name in ungated_names or symbol in ungated_names:
        return COMMAND_LINE
    if export_list is not None and not export_list.exports(symbol):
        return NOT_IN_EXPORTS
    if brace_from_macro:
        return MACRO_BRACE
    if "naked" in attributes:
        return NAKED
    return ""
