"""Round trip: the rewritten source parses to the original tree plus the gates.

For every golden scenario that rewrites, both the original and the rewritten
file are parsed with libclang and flattened to (kind, spelling, line) for
every cursor in the file; the rewritten tree, minus the prologue (before its
`#line`), the inserted gate declarations and the trampoline, must equal the
original exactly, and each gate must be the first thing in a gated function.
"""

import json
import os

import pytest
from clang import cindex

from conftest import run_initgate
from initgate.passes import libclang, toolchain
from test_rewrite_golden import CASES, REWRITTEN, read_args, source_copy

GATE_VARIABLE = "_initgate_passed"
# The trampoline: the init function's local alias and the runtime's entry to it.
TRAMPOLINE = ("_initgate_init", "_initgate_user_init")


def parse(path, flags, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        tu = cindex.Index.create().parse(path, args=toolchain.parse_flags(flags))
    finally:
        os.chdir(old)
    return tu


def is_init_note(cursor):
    """The file-scope __asm__ after the trampoline that holds the init note (ABI.md)."""
    return cursor.kind.name in ("UNEXPOSED_DECL", "FILE_SCOPE_ASM") and any(
        ".note.initgate" in token.spelling for token in cursor.get_tokens())


def is_gate(cursor):
    if cursor.kind != cindex.CursorKind.DECL_STMT:
        return False
    return any(c.spelling == GATE_VARIABLE for c in cursor.get_children())


def flatten(tu, name, presumed):
    """[(kind, spelling, line)] of everything in `name`, and the gated functions."""
    rows, gated = [], []
    file_of = lambda cursor: presumed(cursor.location)[0]
    line_of = lambda cursor: presumed(cursor.location)[1]

    def walk(cursor, function):
        for child in cursor.get_children():
            if is_gate(child):
                gated.append((function, line_of(child)))
                continue
            rows.append((child.kind.name, child.spelling, line_of(child)))
            walk(child, function)

    for top in tu.cursor.get_children():
        if file_of(top) != name or top.spelling in TRAMPOLINE or is_init_note(top):
            continue
        rows.append((top.kind.name, top.spelling, line_of(top)))
        walk(top, top.spelling)
    return rows, gated


@pytest.mark.parametrize("scenario", REWRITTEN)
def test_round_trip(tmp_path, scenario):
    case = os.path.join(CASES, scenario)
    work = source_copy(tmp_path, scenario)
    options, flags = read_args(case)
    run_initgate("rewrite", *options, "-o", "out", "--manifest", "m.json", "--", *flags,
                 cwd=work)
    gated_names = {e["name"] for e in json.loads((work / "m.json").read_text())["gated"]}

    sources = [w for w in options if w.endswith(".c")]
    seen = set()
    for source in sources:
        original = parse(source, flags, work)
        rewritten = parse(os.path.join("out", source), flags, work)
        assert not [d for d in rewritten.diagnostics if d.severity >= 3]

        # The original names its file as given; after `#line 1 "NAME"` the
        # rewritten file names itself the same way, but only presumed
        # locations say so: compare line numbers of the presumed location.
        before, none = flatten(original, source, libclang.presumed)
        after, gates = flatten(rewritten, source, libclang.presumed)
        assert none == []
        assert before and before == after
        for function, line in gates:
            assert function in gated_names
        seen |= {function for function, _line in gates}
    headers = {e["file"] for e in json.loads((work / "m.json").read_text())["gated"]}
    if all(h in sources for h in headers):
        assert seen == gated_names
