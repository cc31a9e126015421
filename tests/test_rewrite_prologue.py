"""What rewrite puts before the original text: gate.h and the `#line`.

A rewritten file must compile wherever the original did, under the strictest
warnings (-Wall -Wextra -pedantic -Werror -Wunused-macros, C89 to GNU C11, gcc
and clang): gate.h lands in the main file, where -Wunused-macros reports every
macro the file never uses.  The sources are the golden case unused_macros: a
file with gates, and the init function's file, which has none.

A CRLF file's added lines end in CRLF too, and rewriting it again changes
nothing.
"""

import os
import shutil

import pytest

from conftest import require_tool, run, run_initgate
from initgate.passes import render
from test_rewrite_golden import CASES

CASE = os.path.join(CASES, "unused_macros")
SOURCES = ("init.c", "api.c")
STRICT = ["-pedantic", "-Wall", "-Wextra", "-Werror", "-Wunused-macros"]


def clang():
    return next((c for c in ("clang", "clang-14", "clang-15", "clang-16")
                 if shutil.which(c)), None) or require_tool("clang", "clang-14")


@pytest.fixture(scope="module", params=["lf", "crlf"])
def rewritten(request, tmp_path_factory):
    """The case's sources with that line ending, and their rewrite."""
    work = tmp_path_factory.mktemp(request.param)
    for name in SOURCES:
        with open(os.path.join(CASE, name), "rb") as source:
            text = source.read()
        if request.param == "crlf":
            text = text.replace(b"\n", b"\r\n")
        (work / name).write_bytes(text)
    run_initgate("rewrite", "--init", "lib_init", *SOURCES, "-o", "out", "--", "-std=c89",
                 cwd=work)
    return work


@pytest.mark.parametrize("std", ["c89", "c99", "gnu11"])
@pytest.mark.parametrize("compiler", ["gcc", "clang"])
def test_rewritten_files_compile_with_every_warning(rewritten, compiler, std):
    cc = require_tool("gcc", "gcc") if compiler == "gcc" else clang()
    for name in SOURCES:
        flags = ["-std=" + std] + STRICT + ["-c", "-o", os.devnull]
        run([cc] + flags + [name], cwd=rewritten)     # the original does
        run([cc] + flags + [os.path.join("out", name)], cwd=rewritten)


def test_gate_h_only_where_a_gate_is(rewritten):
    api = (rewritten / "out" / "api.c").read_bytes()
    init = (rewritten / "out" / "init.c").read_bytes()
    assert render.is_rewritten(api)
    assert not render.is_rewritten(init)
    assert init.startswith(b'#line 1 "init.c"'), "the init file lost its #line"


def test_added_lines_end_as_the_file_does(rewritten):
    crlf = (rewritten / "init.c").read_bytes().count(b"\r\n") > 0
    for name in SOURCES:
        text = (rewritten / "out" / name).read_bytes()
        lines = text.split(b"\n")[:-1]
        ending = [line.endswith(b"\r") for line in lines]
        assert ending == [crlf] * len(lines), "%s: lines %s end otherwise" % (
            name, [i + 1 for i, e in enumerate(ending) if e != crlf])


def test_a_rewritten_file_is_left_as_it_is(rewritten):
    """What a second rewrite renders: the gated braces again, and the trampoline."""
    for name in SOURCES:
        text = (rewritten / "out" / name).read_bytes()
        braces = [i for i in range(len(text)) if text.startswith(b"{" + render.GATE_CALL, i)]
        init = ("lib_init", False) if name == "init.c" else None
        assert render.render(text, name, braces, init) == text, name


def test_a_rewritten_file_keeps_its_one_prologue(rewritten):
    """A function added to a rewritten file is gated; its prologue stays as it is."""
    text = (rewritten / "out" / "api.c").read_bytes()
    newline = b"\r\n" if b"\r\n" in text else b"\n"
    text += b"int lib_more(void) { return 1; }" + newline
    again = render.render(text, "api.c", [text.rindex(b"{")])
    assert again == text.replace(b"{ return 1; }", b"{" + render.GATE_CALL + b" return 1; }")
