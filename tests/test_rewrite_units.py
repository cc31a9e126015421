"""Unit tests of the rewrite pass's parts: export lists, inline rules, flags,
the rendering of a file, and the Python API the compiler wrapper calls."""

import os
import subprocess

import pytest

from conftest import require_tool, run, run_initgate
from initgate.errors import InitgateError, SourceError
from initgate.passes import exported, render, toolchain, version_script
from initgate.passes.rewrite import rewrite_file

SCRIPT = """
/* comment */
V1 { global: api_*; exact; local: *; };
V2 { global: later; local: api_internal; } V1;
"""


def test_version_script():
    exports = version_script.ExportList(SCRIPT)
    assert exports.exports("api_open")
    assert exports.exports("exact")
    assert exports.exports("later")
    assert not exports.exports("api_internal")      # an exact local beats a glob
    assert not exports.exports("helper")


def test_version_script_without_local_keeps_the_rest():
    exports = version_script.ExportList("{ global: a; };")
    assert exports.exports("a") and exports.exports("b")


@pytest.mark.parametrize("script, exported_names", [
    # A glob other than `*` outranks `*`, whichever side each is on.
    ("{ global: *; local: api_*; };", {"other"}),
    ("{ global: api_*; local: *; };", {"api_open", "api_internal"}),
    # A global glob outranks a local one.
    ("{ global: api_*; local: api_o*; };", {"api_open", "api_internal", "other"}),
    # An extern "C" block, quoted or not, holds names like any other.
    ('V { global: extern "C" { api_open; "other"; }; local: *; };', {"api_open", "other"}),
    # An exact local name in an earlier node wins over a later exact global.
    ("A { global: a*; local: api_open; }; B { global: other; } A;",
     {"api_internal", "other"}),
])
def test_version_script_precedence(script, exported_names):
    exports = version_script.ExportList(script)
    names = {"api_open", "api_internal", "other"}
    assert {n for n in names if exports.exports(n)} == exported_names


def test_broken_version_script_is_one_clear_error():
    with pytest.raises(InitgateError, match=r"^lib\.map: not a version script: .*'\{'"):
        version_script.ExportList("V1 { global: a; ", "lib.map")


def test_name_list():
    exports = version_script.ExportList("one\n# not a name\ntwo\n")
    assert exports.exports("one") and exports.exports("two")
    assert not exports.exports("three") and not exports.exports("#")


@pytest.mark.parametrize("declarations, gnu89, emits", [
    (["inline int f(void)"], False, False),
    (["extern inline int f(void)"], False, True),
    (["int f(void)", "inline int f(void)"], False, True),
    (["inline int f(void)"], True, True),
    (["extern inline int f(void)"], True, False),
    (["inline int f(void) __attribute__((gnu_inline))"], False, True),
    (["static inline int f(void)"], False, False),
])
def test_inline_rules(declarations, gnu89, emits):
    assert exported.inline_emits_symbol(declarations, "f", gnu89) == emits


def test_lifetime_attribute_spellings():
    assert exported.lifetime_attribute("__attribute__((constructor(65535))) void f(void)")
    assert exported.lifetime_attribute("void f(void) [[gnu::destructor(65535)]]") == "destructor"
    assert exported.lifetime_attribute("void constructor_like(void)") == ""


def test_gcc_only_flags_are_dropped():
    flags = toolchain.parse_flags(["-O2", "-g", "-Wall", "-Werror", "-fno-tree-vrp",
                                   "-fvisibility=hidden", "-DX=1", "-I", "inc", "-c",
                                   "-o", "x.o", "-MD", "-MF", "x.d", "x.c", "-std=gnu89",
                                   "-Wl,-z,now", "-include", "config.h"])
    assert flags[:2] == ["-resource-dir", toolchain.resource_dir()]
    body = flags[2:len(flags) - len(toolchain.TOLERANCE)]
    assert body == ["-fvisibility=hidden", "-DX=1", "-I", "inc", "-std=gnu89",
                    "-include", "config.h"]
    assert "-Wno-error=implicit-function-declaration" in flags


def test_gnu89_inline_follows_the_flags():
    assert toolchain.uses_gnu89_inline(["-std=gnu89"])
    assert toolchain.uses_gnu89_inline(["-std=c99", "-fgnu89-inline"])
    assert not toolchain.uses_gnu89_inline(["-std=gnu89", "-fno-gnu89-inline"])
    assert not toolchain.uses_gnu89_inline(["-std=gnu89", "-std=c11"])
    assert not toolchain.uses_gnu89_inline([])


def test_render_keeps_bom_first_and_lines():
    original = b"\xef\xbb\xbfint f(void) { return 1; }\n"
    text = render.render(original, "f.c", [original.index(b"{")])
    assert text.startswith(b"\xef\xbb\xbf" + render.gate_header())
    assert text.endswith(b'#line 1 "f.c"\nint f(void) {_cgo_wait_runtime_init_done(); '
                         b"return 1; }\n")
    assert render.render(text, "f.c", [text.index(b"int f(void) {") + 12]) == text


def test_render_refuses_an_offset_that_is_not_a_brace():
    with pytest.raises(ValueError):
        render.render(b"int f(void) { }", "f.c", [0])


def test_unchanged_file_is_copied():
    assert render.render(b"static int x;\n", "x.c", []) == b"static int x;\n"


def test_trampoline_without_final_newline_and_void_init():
    text = render.render(b"void start(void) { }", "s.c", [], init=("start", True))
    assert text.endswith(b"void start(void) { }\n"
                         b'static void _initgate_init(void) __attribute__((alias("start")));\n'
                         b'__attribute__((visibility("hidden"))) int _initgate_user_init(void);\n'
                         b'__attribute__((visibility("hidden"))) int _initgate_user_init(void) '
                         b"{ _initgate_init(); return 0; }\n"
                         + render.trampoline("start", True, b"\n").split(b"\n", 3)[3])
    assert b'"0: .asciz \\"start\\"' in text


def test_line_directive_path_is_escaped(tmp_path):
    """__FILE__ in the rewritten file is exactly the original path, whatever it holds."""
    gcc = require_tool("gcc", "gcc")
    name = 'we"ird\\name \xe9\t.c'
    source = tmp_path / name
    source.write_bytes(b'#include <stdio.h>\nint lib_init(void) { return 0; }\n'
                       b'int main(void) { puts(__FILE__); return __LINE__; }\n')
    result = rewrite_file(str(source), [], "lib_init")
    out = tmp_path / "out.c"
    out.write_bytes(result.text(str(source)))
    run([gcc, "-o", tmp_path / "prog", out])
    proc = subprocess.run([tmp_path / "prog"], capture_output=True)
    assert proc.stdout.decode("utf-8").rstrip("\n") == str(source)
    assert proc.returncode == 3


def test_api_writes_nothing(tmp_path):
    source = tmp_path / "api.c"
    source.write_text("int api_init(void) { return 0; }\nint api_get(void) { return 1; }\n")
    before = sorted(os.listdir(tmp_path))
    result = rewrite_file(str(source), ["-O2"], "api_init")
    assert sorted(os.listdir(tmp_path)) == before
    assert [d.name for d in result.gated] == ["api_get"]
    assert [(d.name, d.reason) for d in result.ungated] == [("api_init", "init function")]
    assert result.init_file == str(source)
    assert b"int api_get(void) {_cgo_wait_runtime_init_done();" in result.text(str(source))


def test_api_without_the_init_function(tmp_path):
    source = tmp_path / "other.c"
    source.write_text("int other(void) { return 1; }\n")
    result = rewrite_file(str(source), [], "lib_init")
    assert result.init_file is None
    assert b"_initgate_user_init" not in result.text(str(source))


def test_api_parse_error_names_the_place(tmp_path):
    source = tmp_path / "bad.c"
    source.write_text("int f(void) { return 1 }\n")
    with pytest.raises(SourceError, match=r"bad\.c:1:23: error: expected ';'"):
        rewrite_file(str(source), [], "f")


def test_init_signature_is_checked(tmp_path):
    source = tmp_path / "init.c"
    source.write_text("int lib_init(int argc) { return argc; }\n")
    with pytest.raises(SourceError, match="must be declared 'int lib_init"):
        rewrite_file(str(source), [], "lib_init")


def test_static_init_gets_a_trampoline(tmp_path):
    source = tmp_path / "init.c"
    source.write_text("static int lib_init(void) { return 0; }\n")
    result = rewrite_file(str(source), [], "lib_init")
    assert result.init_file == str(source)
    text = result.text(str(source))
    assert b'static int _initgate_init(void) __attribute__((alias("lib_init")));\n' in text
    assert b"_initgate_user_init(void) { return _initgate_init(); }\n" in text


def test_diagnostics_honour_line_directives(tmp_path):
    source = tmp_path / "gen.c"
    source.write_text('#line 40 "grammar.y"\nint f(void) { return 1 }\n')
    with pytest.raises(SourceError, match=r"^grammar\.y:40:"):
        rewrite_file(str(source), [], "f")


def test_options_clang_does_not_know_are_dropped(tmp_path, caplog):
    source = tmp_path / "m.c"
    source.write_text("int lib_init(void) { return 0; }\nint m(void) { return 1; }\n")
    with caplog.at_level("DEBUG", logger="initgate"):
        result = rewrite_file(str(source), ["-mgcc-only-option", "-O2"], "lib_init")
    assert [d.name for d in result.gated] == ["m"]
    assert "dropping options clang does not know: -mgcc-only-option" in caplog.text


def test_code_clang_rejects_by_default_still_parses(tmp_path):
    source = tmp_path / "old.c"
    source.write_text("int lib_init(void) { return 0; }\n"
                      "old_style(x) { return undeclared(x); }\n"
                      "int *conv(void) { return 1; }\n")
    result = rewrite_file(str(source), ["-std=c11"], "lib_init")
    assert [d.name for d in result.gated] == ["old_style", "conv"]


def test_target_options_of_another_architecture(tmp_path, caplog):
    source = tmp_path / "arm.c"
    source.write_text("int lib_init(void) { return 0; }\nint arm(void) { return 1; }\n")
    with caplog.at_level("WARNING", logger="initgate"):
        result = rewrite_file(str(source), ["-march=armv8-a", "-O2"], "lib_init")
    assert [d.name for d in result.gated] == ["arm"]
    assert "clang refused -march=armv8-a" in caplog.text


def test_missing_file(tmp_path):
    with pytest.raises(SourceError, match="absent.c: no such file"):
        rewrite_file(str(tmp_path / "absent.c"), [], "lib_init")


def test_attributes_after_the_definition_are_named(tmp_path):
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rewrite",
                          "late_attributes", "lib.c")
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", tmp_path / "out", source)
    warned = [line.split(": warning: ")[0].rsplit(":", 1)[1] + " "
              + line.split("attribute '")[1].split("'")[0]
              for line in proc.stderr.splitlines() if ": warning: attribute '" in line]
    assert warned == ["6 visibility", "9 constructor", "12 destructor", "16 visibility",
                      "20 visibility"], proc.stderr


@pytest.mark.parametrize("skip", [False, True], ids=["full", "skipped-bodies"])
def test_very_verbose_names_what_is_not_exported(tmp_path, skip):
    (tmp_path / "lib.c").write_text(
        "int lib_init(void) { return 0; }\n"
        "static int helper(void);\n"
        "static int helper(void) { return 1; }\n"
        "__attribute__((visibility(\"hidden\"))) int hid(void) { return helper(); }\n"
        "int api(void) { return hid(); }\n")
    options = ["--skip-bodies"] if skip else []
    said = {}
    for level in ("-v", "-vv"):
        said[level] = run_initgate(level, "rewrite", "--init", "lib_init", *options, "-o",
                                   "out", "lib.c", cwd=tmp_path).stderr
    assert "lib.c:5: gated api" in said["-v"]
    assert "not exported" not in said["-v"]
    explained = [line for line in said["-vv"].splitlines() if "not exported" in line]
    assert explained == ["initgate: lib.c:3: helper is not exported (static)",
                         "initgate: lib.c:4: hid is not exported (hidden)"], said["-vv"]
