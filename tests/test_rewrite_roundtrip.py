"""Round trip: the rewritten source parses to the original tree plus the gates.

For every golden scenario that rewrites, each unit is parsed with libclang as
it was and as rewritten (which includes the rewritten copies of the project's
headers and included `.c` files), and every cursor in a file the rewrite wrote
is flattened to (kind, spelling, presumed file, presumed line).  For each such
file the rewritten rows, minus gate.h's declarations, the inserted gates and the
trampoline, must equal the original's exactly; each gate must be the first
thing in the body of a function the manifest says is gated, and every gated
function must have one.
"""

import json
import os

import pytest
from clang import cindex

from conftest import run_initgate
from initgate.cc_args import expand_response_files
from initgate.passes import libclang, render, toolchain
from test_rewrite_golden import CASES, REWRITTEN, read_args, snapshot, source_copy

GATE_VARIABLE = "_initgate_passed"
# The trampoline: the init function's local alias and the runtime's entry to it.
TRAMPOLINE = ("_initgate_init", "_initgate_user_init")


def parse(path, flags, cwd):
    # As `initgate rewrite` reads them: @files expanded, from the case's folder.
    flags, _expanded = expand_response_files(flags, str(cwd))
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


def flatten(tu, cwd, root, written):
    """({file: [(kind, spelling, presumed file, presumed line)]} for each file of
    `written` the unit, parsed in `cwd`, reads, and [(function, first)] for each
    gate, `first` saying whether it opens the function's body.

    `written` maps the files rewrite wrote, relative to `root`, to whether it
    changed them: one copied as it is has no `#line`, so its presumed name is
    the copy's and is left out.  The name is normalized: a file is named once
    for every unit, which may have spelled it `./part.c` where another said
    `part.c`."""
    files, gates = {}, []
    prologue_lines = {}

    def where(cursor):
        """The file a cursor is written in, relative to `root`, if one of `written`."""
        if cursor.location.file is None:
            return None
        name = os.path.join(cwd, cursor.location.file.name)
        path = os.path.relpath(os.path.realpath(name), root)
        return path if path in written else None

    def in_prologue(cursor, path):
        # The real line, not the presumed one: gate.h is above `#line 1`.
        if path not in prologue_lines:
            with open(os.path.join(root, path), "rb") as source:
                data = source.read()
            prologue_lines[path] = (render.gate_header().count(b"\n")
                                    if render.is_rewritten(data) else 0)
        return cursor.location.line <= prologue_lines[path]

    def row(cursor):
        file, line, _column = libclang.presumed(cursor.location)
        own = where(cursor)
        file = None if own is not None and not written[own] else os.path.normpath(file)
        return (cursor.kind.name, cursor.spelling, file, line)

    def walk(cursor, function, path, body):
        for index, child in enumerate(cursor.get_children()):
            if is_gate(child):
                gates.append((function, cursor == body and index == 0))
                continue
            files[path].append(row(child))
            walk(child, function, path, body)

    for top in tu.cursor.get_children():
        path = where(top)
        if path is None or in_prologue(top, path) or top.spelling in TRAMPOLINE \
                or is_init_note(top):
            continue
        files.setdefault(path, []).append(row(top))
        body = next((c for c in top.get_children()
                     if c.kind == cindex.CursorKind.COMPOUND_STMT), None)
        walk(top, top.spelling, path, body)
    return files, gates


@pytest.mark.parametrize("scenario", REWRITTEN)
def test_round_trip(tmp_path, scenario):
    case = os.path.join(CASES, scenario)
    work = source_copy(tmp_path, scenario)
    options, flags = read_args(case)
    run_initgate("rewrite", *options, "-o", "out", "--manifest", "m.json", "--", *flags,
                 cwd=work)
    # The function whose body holds the gate: "body" (a symbol) for an alias
    # or an ifunc, "function" where the symbol has another name (an asm label).
    gated = json.loads((work / "m.json").read_text())["gated"]
    c_name = {e["name"]: e.get("function", e["name"]) for e in gated}
    gated_names = {c_name.get(e["body"], e["body"]) if "body" in e
                   else e.get("function", e["name"]) for e in gated}
    originals = snapshot(work)
    written = {path: data != originals[path] for path, data in snapshot(work / "out").items()}

    seen = set()
    for source in [w for w in options if w.endswith(".c")]:
        original = parse(source, flags, work)
        rewritten = parse(os.path.join("out", source), flags, work)
        assert not [d for d in rewritten.diagnostics if d.severity >= 3]

        before, none = flatten(original, work, os.path.realpath(work), written)
        after, gates = flatten(rewritten, work, os.path.realpath(work / "out"), written)
        assert none == []
        assert before and sorted(after) == sorted(before), \
            "the rewritten %s reads other files: %s" % (source, sorted(after))
        for path in before:
            assert after[path] == before[path], "%s, as %s reads it, changed" % (path, source)
        for function, first in gates:
            assert function in gated_names, "%s is not gated, yet has a gate" % function
            assert first, "the gate of %s is not the first thing in its body" % function
        seen |= {function for function, _first in gates}
    assert seen == gated_names, "gated, yet no gate found: %s" % sorted(gated_names - seen)
