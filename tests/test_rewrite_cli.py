"""`initgate rewrite` on the command line: inputs, outputs, and bad input."""

import json
import os
import shutil

import pytest

from conftest import require_tool, run, run_initgate

LIB = "int lib_init(void) { return 0; }\nint lib_a(void) { return 1; }\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_in_place_edits_only_what_changes(tmp_path):
    lib = write(tmp_path / "lib.c", LIB)
    other = write(tmp_path / "other.c", "static int quiet(void) { return 0; }\n")
    stamp = os.stat(other).st_mtime_ns
    run_initgate("rewrite", "--init", "lib_init", "--in-place", "lib.c", "other.c",
                 cwd=tmp_path)
    assert b"lib_a(void) {_cgo_wait_runtime_init_done();" in lib.read_bytes()
    assert os.stat(other).st_mtime_ns == stamp


def test_folder_input_mirrors_the_tree(tmp_path):
    write(tmp_path / "src/lib.c", LIB)
    write(tmp_path / "src/sub/more.c", "int more(void) { return 2; }\n")
    write(tmp_path / "src/notes.txt", "not C\n")
    run_initgate("rewrite", "--init", "lib_init", "-o", "out", "src", cwd=tmp_path)
    assert sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*")
                  if p.is_file()) == ["lib.c", "sub/more.c"]
    assert b'#line 1 "src/sub/more.c"' in (tmp_path / "out/sub/more.c").read_bytes()


def test_compile_commands_give_each_file_its_flags(tmp_path):
    write(tmp_path / "src/lib.c", LIB)
    write(tmp_path / "src/hidden.c", "int hidden_fn(void) { return 3; }\n")
    db = [{"directory": str(tmp_path / "src"), "file": "lib.c",
           "arguments": ["gcc", "-c", "-O2", "lib.c", "-o", "lib.o"]},
          {"directory": str(tmp_path / "src"), "file": "hidden.c",
           "command": "cc -fvisibility=hidden -c hidden.c -o hidden.o"}]
    write(tmp_path / "build/compile_commands.json", json.dumps(db))
    run_initgate("rewrite", "--init", "lib_init", "-p", "build", "-o", "out",
                 "--manifest", "m.json", cwd=tmp_path)
    manifest = json.loads((tmp_path / "m.json").read_text())
    assert [e["name"] for e in manifest["gated"]] == ["lib_a"]
    # Copied unchanged, with the #line that keeps its __FILE__.
    assert (tmp_path / "out/hidden.c").read_text() == \
        '#line 1 "hidden.c"\nint hidden_fn(void) { return 3; }\n'


def test_parallel_run_gives_the_same_bytes(tmp_path):
    for i in range(6):
        write(tmp_path / ("src/f%d.c" % i), "int f%d(void) { return %d; }\n" % (i, i))
    write(tmp_path / "src/lib.c", LIB)
    run_initgate("rewrite", "--init", "lib_init", "-o", "one", "--manifest", "one.json",
                 "src", cwd=tmp_path)
    run_initgate("rewrite", "-j", "3", "--init", "lib_init", "-o", "three",
                 "--manifest", "three.json", "src", cwd=tmp_path)
    for path in (tmp_path / "one").iterdir():
        assert path.read_bytes() == (tmp_path / "three" / path.name).read_bytes()
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "three.json").read_bytes()


def test_units_that_disagree_are_reported(tmp_path):
    write(tmp_path / "shared.h", "int shared_fn(void) { return 1; }\n")
    write(tmp_path / "a.c", '#include "shared.h"\n' + LIB)
    write(tmp_path / "b.c", '#pragma GCC visibility push(hidden)\n#include "shared.h"\n'
                            '#pragma GCC visibility pop\n')
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "a.c", "b.c",
                        cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert "shared.h:1: error: translation units disagree about 'shared_fn'" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_unit_and_its_includer_that_disagree_are_reported(tmp_path):
    # clang names the included file ./part.c, the command line part.c: one file.
    write(tmp_path / "part.c", "int part_one(void) { return 1; }\n")
    write(tmp_path / "all.c", '#pragma GCC visibility push(hidden)\n#include "part.c"\n'
                              '#pragma GCC visibility pop\n' + LIB)
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "all.c", "part.c",
                        cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert "part.c:1: error: translation units disagree about 'part_one'" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("spelling", ["static", "__attribute__((visibility(\"hidden\")))"])
@pytest.mark.parametrize("order", [("all.c", "part.c"), ("part.c", "all.c")])
@pytest.mark.parametrize("skip_bodies", [[], ["--skip-bodies"]])
def test_a_macro_that_makes_a_function_internal_in_one_unit_is_reported(
        tmp_path, spelling, order, skip_bodies):
    # Gating part_one would make every unit's copy wait, the internal one too.
    write(tmp_path / "part.c", "#ifndef API\n#define API\n#endif\n"
                               "API int part_one(void) { return 1; }\n"
                               "static int part_two(void) { return 2; }\n")
    write(tmp_path / "all.c", "#define API %s\n#include \"part.c\"\n" % spelling + LIB)
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", *skip_bodies, *order,
                        cwd=tmp_path, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "part.c:4: error: translation units disagree about 'part_one'" in proc.stderr
    assert "part_two" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_what_every_unit_keeps_internal_is_no_disagreement(tmp_path):
    write(tmp_path / "part.h", "#pragma once\nstatic inline int twice(int x) { return 2 * x; }\n")
    write(tmp_path / "a.c", '#include "part.h"\nint a_fn(void) { return twice(1); }\n')
    write(tmp_path / "all.c", '#include "part.h"\n#include "a.c"\n' + LIB)
    run_initgate("rewrite", "--init", "lib_init", "-o", "out", "all.c", "a.c", cwd=tmp_path)
    assert (tmp_path / "out/part.h").read_bytes() == \
        b'#line 1 "part.h"\n' + (tmp_path / "part.h").read_bytes()
    assert b"a_fn(void) {_cgo_wait_runtime_init_done();" in (tmp_path / "out/a.c").read_bytes()


@pytest.mark.parametrize("options", [["--skip-bodies", "--check-bodies", "gcc"],
                                     ["--check-bodies=libclang", "lib.c", "--skip-bodies"]])
def test_skipped_bodies_cannot_be_checked_too(tmp_path, options):
    write(tmp_path / "lib.c", LIB)
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", *options,
                        *([] if "lib.c" in options else ["lib.c"]), cwd=tmp_path, check=False)
    assert proc.returncode == 2
    assert "--skip-bodies leaves bodies unchecked: it cannot go with --check-bodies" \
        in proc.stderr
    assert not (tmp_path / "out").exists()
    run_initgate("rewrite", "--init", "lib_init", "-o", "out", "--skip-bodies",
                 "--check-bodies", "none", "lib.c", cwd=tmp_path)


def test_exported_definition_outside_the_root_is_refused(tmp_path):
    write(tmp_path / "include/api.h", "int api_fn(void) { return 1; }\n")
    write(tmp_path / "src/lib.c", '#include "../include/api.h"\n' + LIB)
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "src/lib.c",
                        cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert "exported function 'api_fn' is defined outside the project" in proc.stderr
    assert "--root" in proc.stderr
    run_initgate("rewrite", "--init", "lib_init", "-o", "out", "--root", ".", "src/lib.c",
                 cwd=tmp_path)
    assert b"api_fn(void) {_cgo_wait_runtime_init_done();" in \
        (tmp_path / "out/include/api.h").read_bytes()


def test_init_defined_twice(tmp_path):
    write(tmp_path / "a.c", LIB)
    write(tmp_path / "b.c", "int lib_init(void) { return 1; }\n")
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "a.c", "b.c",
                        cwd=tmp_path, check=False)
    assert proc.returncode == 1
    assert "defined in more than one file" in proc.stderr


def test_usage_mistakes_exit_2(tmp_path):
    write(tmp_path / "lib.c", LIB)
    assert run_initgate("rewrite", "-o", "out", "lib.c", cwd=tmp_path,
                        check=False).returncode == 2
    assert run_initgate("rewrite", "--init", "lib_init", "lib.c", cwd=tmp_path,
                        check=False).returncode == 2
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "missing.c",
                        cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "missing.c: no such file" in proc.stderr
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "--exports", "none.map",
                        "lib.c", cwd=tmp_path, check=False)
    assert proc.returncode == 1 and "none.map: cannot read" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_options_after_files_and_verbose_report(tmp_path):
    write(tmp_path / "lib.c", LIB)
    proc = run_initgate("rewrite", "lib.c", "--init", "lib_init", "-o", "out", "-v",
                        "--", "-DUNUSED", cwd=tmp_path)
    assert "lib.c:2: gated lib_a" in proc.stderr
    assert "lib.c:1: not gated lib_init (init function)" in proc.stderr


def test_a_header_shared_by_two_units_is_gated_once(tmp_path):
    write(tmp_path / "api.h", "int api_sum(int a, int b);\n"
                              "inline int api_sum(int a, int b) { return a + b; }\n")
    write(tmp_path / "a.c", '#include "api.h"\n' + LIB)
    write(tmp_path / "b.c", '#include "api.h"\nint b_fn(void) { return api_sum(1, 2); }\n')
    run_initgate("rewrite", "--init", "lib_init", "-o", "out", "--manifest", "m.json",
                 "a.c", "b.c", "--", "-std=c99", cwd=tmp_path)
    header = (tmp_path / "out/api.h").read_bytes()
    assert header.count(b"_cgo_wait_runtime_init_done();") == 1
    assert header.count(b"{_cgo_wait_runtime_init_done();") == 1
    names = [e["name"] for e in json.loads((tmp_path / "m.json").read_text())["gated"]]
    assert sorted(names) == ["api_sum", "b_fn", "lib_a"]


def test_output_folder_may_not_be_the_sources(tmp_path):
    lib = write(tmp_path / "lib.c", LIB)
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", ".", "lib.c", cwd=tmp_path,
                        check=False)
    assert proc.returncode == 2 and "--in-place" in proc.stderr
    assert lib.read_text() == LIB


def test_unknown_ungated_name_is_reported(tmp_path):
    write(tmp_path / "lib.c", LIB)
    proc = run_initgate("rewrite", "--init", "lib_init", "--ungated", "lib_typo", "-o", "out",
                        "lib.c", cwd=tmp_path)
    assert "--ungated lib_typo: no exported function" in proc.stderr


def preprocessed_file_name(source, cwd):
    """What __FILE__ says in `source` compiled from `cwd`."""
    gcc = require_tool("gcc", "gcc")
    text = run([gcc, "-E", "-P", source], cwd=cwd).stdout
    return text.split("where = ")[1].split(";")[0]


@pytest.mark.parametrize("file", ["../src/a.c", "ABSOLUTE"])
def test_compile_commands_keep_the_builds_file_name(tmp_path, file):
    # The build compiles ../src/a.c from build/: its __FILE__ is "../src/a.c",
    # whether the entry's "file" says that or the absolute path.
    write(tmp_path / "src/a.c", LIB + "const char *where = __FILE__;\n")
    if file == "ABSOLUTE":
        file = str(tmp_path / "src/a.c")
    db = [{"directory": str(tmp_path / "build"), "file": file,
           "command": "gcc -c ../src/a.c -o a.o"}]
    write(tmp_path / "build/compile_commands.json", json.dumps(db))
    run_initgate("rewrite", "--init", "lib_init", "-p", "build", "-o", "out", cwd=tmp_path)
    assert b'#line 1 "../src/a.c"' in (tmp_path / "out/a.c").read_bytes()
    built = preprocessed_file_name("../src/a.c", tmp_path / "build")
    assert built == '"../src/a.c"'
    assert preprocessed_file_name(str(tmp_path / "out/a.c"), tmp_path / "build") == built


def test_a_second_run_leaves_its_own_output_out(tmp_path):
    write(tmp_path / "a.c", LIB)
    write(tmp_path / "sub/b.c", "int b_fn(void) { return 2; }\n")
    run_initgate("rewrite", "--init", "lib_init", "-o", "gated", ".", cwd=tmp_path)
    first = {p: p.read_bytes() for p in (tmp_path / "gated").rglob("*.c")}
    proc = run_initgate("rewrite", "-v", "--init", "lib_init", "-o", "gated", ".",
                        cwd=tmp_path)
    assert "./gated: left out, it is the -o output folder" in proc.stderr
    assert {p: p.read_bytes() for p in (tmp_path / "gated").rglob("*.c")} == first
    assert sorted(str(p.relative_to(tmp_path / "gated")) for p in first) == ["a.c", "sub/b.c"]


def test_output_mirrors_the_root_as_the_readme_says(tmp_path):
    write(tmp_path / "src/a.c", '#include "api.h"\n' + LIB)
    write(tmp_path / "src/b.c", "int b_fn(void) { return 2; }\n")
    write(tmp_path / "include/api.h", "int api_fn(void) { return 1; }\n")
    run_initgate("rewrite", "--init", "lib_init", "-o", "build/gated", "src/b.c", "src/a.c",
                 "--root", ".", "--", "-Iinclude", cwd=tmp_path)
    assert sorted(str(p.relative_to(tmp_path / "build/gated"))
                  for p in (tmp_path / "build/gated").rglob("*") if p.is_file()) == \
        ["include/api.h", "src/a.c", "src/b.c"]
    write(tmp_path / "src/a.c", LIB)
    run_initgate("rewrite", "--init", "lib_init", "-o", "build/flat", "src/a.c", "src/b.c",
                 cwd=tmp_path)
    assert sorted(p.name for p in (tmp_path / "build/flat").rglob("*")) == ["a.c", "b.c"]


def test_skipped_macro_braces_are_named(tmp_path):
    case = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rewrite",
                        "macro_brace_skip")
    shutil.copy(os.path.join(case, "lib.c"), tmp_path / "lib.c")
    proc = run_initgate("rewrite", "--init", "lib_init", "--skip-macro-braces", "-o", "out",
                        "lib.c", cwd=tmp_path)
    warned = [line for line in proc.stderr.splitlines() if "left ungated" in line]
    assert len(warned) == 2 and all("(--skip-macro-braces)" in line for line in warned), \
        proc.stderr
