"""A rewritten header's `#line 1` names it as the build's compiler did, so that
__FILE__ in it says what it said before the rewrite: gcc's names, not the
`./name.h` or the absolute folders of clang's parse."""

import json

import pytest

from conftest import require_tool, run, run_initgate

LIB = "int lib_init(void) { return 0; }\n"

HEADERS = {
    "src/beside.h": "",
    "src/sub/nested.h": '#include "deeper.h"\n#include "../up.h"\n',
    "src/sub/deeper.h": "",
    "src/up.h": "",
    "src/dot.h": "",
    "src/angled.h": "",
    "inc/searched.h": "",
    "src/pre.h": "",
}

SOURCE = ('#include "beside.h"\n#include "sub/nested.h"\n#include "./dot.h"\n'
          "#include <angled.h>\n#include \"searched.h\"\n" + LIB)


def write_project(root):
    for path, text in HEADERS.items():
        function = path.replace("/", "_").replace(".", "_")
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text + "const char *%s(void) { return __FILE__; }\n" % function)
    (root / "src/a.c").write_text(SOURCE)


def file_names(source, flags, cwd):
    """Every __FILE__ that gcc's preprocessor writes for `source`, in order."""
    gcc = require_tool("gcc", "gcc")
    text = run([gcc, "-E", "-P", *flags, source], cwd=cwd).stdout
    return [line.split("return ")[1].split(";")[0] for line in text.splitlines()
            if "return \"" in line]


def test_a_plain_run_names_headers_as_gcc_does(tmp_path):
    project = tmp_path / "project"
    write_project(project)
    flags = ["-I../inc", "-I.", "-include", "pre.h"]
    run_initgate("rewrite", "--init", "lib_init", "--root", "..", "-o", str(tmp_path / "out"),
                 "a.c", "--", *flags, cwd=project / "src")

    before = file_names("a.c", flags, project / "src")
    assert before == ['"./pre.h"', '"beside.h"', '"sub/deeper.h"', '"sub/../up.h"',
                      '"sub/nested.h"', '"./dot.h"', '"./angled.h"', '"../inc/searched.h"']
    assert file_names("a.c", flags, tmp_path / "out/src") == before
    assert (tmp_path / "out/src/beside.h").read_bytes().count(b'#line 1 "beside.h"') == 1


@pytest.mark.parametrize("directory", ["absolute", "relative"])
def test_a_compile_database_names_headers_as_its_build_did(tmp_path, directory):
    project = tmp_path / "project"
    write_project(project)
    (project / "build").mkdir()
    flags = ["-I../inc", "-I../src", "-include", "../src/pre.h"]
    entry = {"directory": str(project / "build") if directory == "absolute" else ".",
             "file": "../src/a.c", "arguments": ["gcc", *flags, "-c", "../src/a.c"]}
    (project / "build/compile_commands.json").write_text(json.dumps([entry]))
    run_initgate("rewrite", "--init", "lib_init", "-p", "build", "--root", ".",
                 "-o", str(tmp_path / "out"), cwd=project)

    before = file_names("../src/a.c", flags, project / "build")
    assert before[:2] == ['"./../src/pre.h"', '"../src/beside.h"']
    assert before[-1] == '"../inc/searched.h"'
    (tmp_path / "out/build").mkdir()
    assert file_names("../src/a.c", flags, tmp_path / "out/build") == before
