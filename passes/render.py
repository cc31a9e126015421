"""The bytes of a rewritten file, from its original bytes and the edits.

runtime_c/ABI.md ("What rewrite produces") fixes the format: a byte-order mark
if the original had one, gate.h verbatim if the file gets a gate, `#line 1
"PATH"`, the original text with the gate call after each chosen `{`, and, in
the file that defines the init function, the `_initgate_user_init` trampoline
and the init note after its last line.  The lines added end as the file's
first line does, so that a CRLF file stays all CRLF.  A file that -o copies
unchanged gets the `#line` alone.

Rewriting is idempotent: a file that already starts with the prologue keeps
it, a brace already followed by the call gets no second one, and a file that
already ends with the trampoline gets no second one.
"""

import functools
import os

from initgate.runtime_c import SOURCE_DIR

BOM = b"\xef\xbb\xbf"
INIT_NOTE_TYPE = 2          # as linker/note.py reads them (ABI.md)
IFUNC_NOTE_TYPE = 3
GATE_CALL = b"_cgo_wait_runtime_init_done();"
TRAMPOLINE_NAME = b"_initgate_user_init"


@functools.lru_cache(maxsize=1)
def gate_header():
    with open(os.path.join(SOURCE_DIR, "gate.h"), "rb") as header:
        return header.read()


def c_string(path):
    """`path` as the body of a C string literal, byte for byte."""
    out = []
    for byte in path.encode("utf-8", "surrogateescape"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 0x20 <= byte < 0x7f:
            out.append(char)
        else:
            # Octal escapes always stop after three digits, so the next
            # character can never be swallowed into the escape.
            out.append("\\%03o" % byte)
    return "".join(out)


def newline_of(data):
    """The line ending of the file's first line, which every line rewrite adds takes."""
    end = data.find(b"\n")
    return b"\r\n" if end > 0 and data[end - 1:end] == b"\r" else b"\n"


def line_directive(display_path, newline=b"\n"):
    return b'#line 1 "' + c_string(display_path).encode("ascii") + b'"' + newline


def prologue(display_path, newline=b"\n"):
    return gate_header().replace(b"\n", newline) + line_directive(display_path, newline)


def mirrored(original, display_path):
    """A file copied unchanged into rewrite's -o tree, with a `#line` that keeps
    __FILE__ what the original said there (as a rewritten file's does): a
    header compiled from the copy would otherwise name the copy.  A file
    that already starts with this line, or with the prologue, is left as it
    is, so a second rewrite of the tree changes nothing."""
    bom = BOM if original.startswith(BOM) else b""
    head = line_directive(display_path, newline_of(original))
    if original.startswith(head, len(bom)) or is_rewritten(original):
        return original
    return bom + head + original[len(bom):]


def is_rewritten(data):
    """True if `data` already starts with a rewrite prologue, with either line ending."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    for newline in (b"\n", b"\r\n"):
        header = gate_header().replace(b"\n", newline)
        if data.startswith(header) and data[len(header):].startswith(b'#line 1 "'):
            return True
    return False


def trampoline(init_name, returns_void, newline):
    """The lines after the init file's last one: what lets the runtime call the init
    function, and the init note (ABI.md), which names it for `initgate verify`.

    The call goes through a static alias, which binds inside the library: by
    its exported name it would go through the PLT, and a library loaded
    earlier with RTLD_GLOBAL (or the program) that exports the same name,
    another plugin's `plugin_init` say, would have its init run instead.
    `init_name` is the definition's name as the parse saw it, after macro
    expansion: the symbol's name.
    """
    kind = "void" if returns_void else "int"
    body = "{ _initgate_init(); return 0; }" if returns_void \
        else "{ return _initgate_init(); }"
    lines = ['static %s _initgate_init(void) __attribute__((alias("%s")));'
             % (kind, init_name),
             '__attribute__((visibility("hidden"))) int _initgate_user_init(void);',
             '__attribute__((visibility("hidden"))) int _initgate_user_init(void) ' + body]
    lines += _note_lines(INIT_NOTE_TYPE, [init_name])
    return newline.join(line.encode("utf-8") for line in lines) + newline


def ifunc_note(symbol, bodies, newline):
    """The note (ABI.md, "The ifunc note") that names the functions the ifunc
    `symbol` may run, for `initgate verify`: the symbol itself is the
    resolver's address, and only the source said what the resolver returns."""
    lines = _note_lines(IFUNC_NOTE_TYPE, [symbol] + list(bodies))
    return newline.join(line.encode("utf-8") for line in lines) + newline


def _note_lines(n_type, names):
    """A file-scope asm statement that puts an allocated `.note.initgate` note
    of type `n_type` in the object, its descriptor the names, each with its
    NUL, one a line.  `%note`, not `@note`: `@` starts a comment in ARM
    assembly."""
    lines = ['__asm__(".pushsection .note.initgate,\\"a\\",%note\\n.balign 4\\n"',
             '\t".long 9, 1f - 0f, %d\\n.asciz \\"initgate\\"\\n.balign 4\\n"' % n_type]
    lines += ['\t"%s.asciz \\"%s\\"\\n' % ("0: " if i == 0 else "", name)
              + ('"' if i < len(names) - 1 else '1: .balign 4\\n.popsection\\n");')
              for i, name in enumerate(names)]
    return lines


def render(original, display_path, braces, init=None, ifuncs=()):
    """The rewritten bytes.

    `braces` are byte offsets of `{` in `original` as clang reported them
    (a byte-order mark counts); `init` is (name, returns_void) for the file
    that defines the init function, else None; `ifuncs` are (symbol, the
    functions it may run) for the gated ifuncs the file declares.  A file
    with nothing to do comes back unchanged.
    """
    braces = sorted(b for b in set(braces) if not original.startswith(GATE_CALL, b + 1))
    for offset in braces:
        if original[offset:offset + 1] != b"{":
            raise ValueError("offset %d of %s is not an opening brace" % (offset, display_path))
    wants_trampoline = init is not None and TRAMPOLINE_NAME + b"(void) {" not in original
    newline = newline_of(original)
    notes = [ifunc_note(symbol, bodies, newline) for symbol, bodies in ifuncs]
    notes = [note for note in notes if note not in original]
    if not braces and not wants_trampoline and not notes:
        return original

    pieces, start = [], 0
    for offset in braces:
        pieces += [original[start:offset + 1], GATE_CALL]
        start = offset + 1
    pieces.append(original[start:])
    text = b"".join(pieces)

    if wants_trampoline or notes:
        if text and not text.endswith(b"\n"):
            text += newline
    if wants_trampoline:
        text += trampoline(init[0], init[1], newline)
    text += b"".join(notes)

    if is_rewritten(original):
        return text
    # With no gate, gate.h's macros would be macros the file never uses,
    # which -Wunused-macros reports: such a file gets only the #line.
    head = prologue(display_path, newline) if braces else line_directive(display_path, newline)
    bom = BOM if text.startswith(BOM) else b""
    return bom + head + text[len(bom):]
