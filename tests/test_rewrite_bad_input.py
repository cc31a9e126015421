"""`initgate rewrite` given bad input or an output it cannot write: one line
naming the file and what to do, no traceback, and every file as it was."""

import json
import os

import pytest

from conftest import run_initgate

LIB = "int lib_init(void) { return 0; }\nint lib_a(void) { return 1; }\n"


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    path.write_bytes(data)
    return path


def snapshot(folder):
    """Every file and folder under `folder`, with the bytes of each file."""
    found = {}
    for parent, folders, files in os.walk(folder):
        for name in folders:
            found[os.path.relpath(os.path.join(parent, name), folder)] = "folder"
        for name in files:
            path = os.path.join(parent, name)
            if not os.path.isfile(path):
                found[os.path.relpath(path, folder)] = "not a regular file"
                continue
            with open(path, "rb") as source:
                found[os.path.relpath(path, folder)] = source.read()
    return found


def fails(tmp_path, *args, status=1):
    """Run `initgate rewrite ARGS` in tmp_path, which must fail with `status`, one
    error line and no change to any file; return that line."""
    before = snapshot(tmp_path)
    proc = run_initgate("rewrite", "--init", "lib_init", *args, cwd=tmp_path, check=False)
    assert proc.returncode == status, "exit %d, not %d:\n%s" % (proc.returncode, status,
                                                               proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("initgate: error: "), proc.stderr
    assert snapshot(tmp_path) == before, "a failed run changed files"
    return lines[0]


def database(tmp_path, document):
    write(tmp_path / "lib.c", LIB)
    write(tmp_path / "build/compile_commands.json",
          document if isinstance(document, str) else json.dumps(document))


@pytest.mark.parametrize("document, says", [
    ({"not": "a list"}, "not a list of compile commands"),
    (["lib.c"], "entry 1 is not an object"),
    ([{"directory": ".", "command": "cc -c lib.c"}], "entry 1 has no \"file\""),
    ([{"directory": ".", "file": 3, "command": "cc -c lib.c"}], "entry 1 has no \"file\""),
    ([{"directory": 5, "file": "lib.c", "command": "cc -c lib.c"}],
     "entry 1: \"directory\" is not a string"),
    ([{"directory": ".", "file": "lib.c", "arguments": "cc -c lib.c"}],
     "entry 1: \"arguments\" is not a list of strings"),
    ([{"directory": ".", "file": "lib.c", "arguments": ["cc", 1]}],
     "entry 1: \"arguments\" is not a list of strings"),
    ([{"directory": ".", "file": "lib.c", "command": ["cc"]}],
     "entry 1: \"command\" is not a string"),
    ([{"directory": ".", "file": "lib.c", "command": "cc -c 'lib.c"}],
     "entry 1: \"command\" cannot be split into words: No closing quotation"),
])
def test_a_malformed_compile_commands_json(tmp_path, document, says):
    database(tmp_path, document)
    line = fails(tmp_path, "-p", "build", "-o", "out")
    assert "build/compile_commands.json" in line
    assert says in line
    assert "regenerate" in line


def test_a_build_folder_without_compile_commands_json(tmp_path):
    write(tmp_path / "lib.c", LIB)
    (tmp_path / "build").mkdir()
    line = fails(tmp_path, "-p", "build", "-o", "out")
    assert "build/compile_commands.json: cannot read" in line


def test_an_export_list_that_is_not_utf8(tmp_path):
    write(tmp_path / "lib.c", LIB)
    write(tmp_path / "bin.map", b"\xff\xfe bad")
    line = fails(tmp_path, "--exports", "bin.map", "-o", "out", "lib.c")
    assert "bin.map: not UTF-8 text" in line


def test_an_output_folder_that_is_a_file(tmp_path):
    write(tmp_path / "lib.c", LIB)
    write(tmp_path / "afile", "")
    line = fails(tmp_path, "-o", "afile", "lib.c", status=2)
    assert "-o afile: a file, not a folder" in line


def test_an_output_folder_under_a_file(tmp_path):
    write(tmp_path / "lib.c", LIB)
    write(tmp_path / "afile", "")
    line = fails(tmp_path, "-o", "afile/out", "lib.c")
    assert "afile/out: cannot make the folder" in line


def test_a_manifest_that_is_a_folder(tmp_path):
    write(tmp_path / "lib.c", LIB)
    (tmp_path / "mdir").mkdir()
    line = fails(tmp_path, "--manifest", "mdir", "-o", "out", "lib.c", status=2)
    assert "--manifest mdir: a folder, not a file" in line


def test_a_manifest_that_would_replace_a_source(tmp_path):
    write(tmp_path / "lib.c", LIB)
    line = fails(tmp_path, "--manifest", "lib.c", "--in-place", "lib.c", status=2)
    assert "--manifest lib.c would overwrite lib.c" in line


def test_a_root_that_is_a_file(tmp_path):
    write(tmp_path / "lib.c", LIB)
    line = fails(tmp_path, "--root", "lib.c", "-o", "out", "lib.c", status=2)
    assert "--root lib.c: not a folder" in line


def test_an_input_that_is_neither_file_nor_folder(tmp_path):
    write(tmp_path / "lib.c", LIB)
    os.mkfifo(tmp_path / "pipe.c")
    line = fails(tmp_path, "-o", "out", "lib.c", "pipe.c", status=2)
    assert "pipe.c: not a regular file or a folder" in line


def test_a_manifest_that_cannot_be_written_leaves_the_sources(tmp_path):
    write(tmp_path / "lib.c", LIB)
    line = fails(tmp_path, "--in-place", "--manifest", "nowhere/m.json", "lib.c")
    assert "nowhere/m.json: cannot write here" in line


def test_a_manifest_that_cannot_be_written_leaves_no_output(tmp_path):
    write(tmp_path / "src/lib.c", LIB)
    fails(tmp_path, "-o", "out/gated", "--manifest", "nowhere/m.json", "src/lib.c")


def test_one_output_that_cannot_be_written_leaves_the_others_unwritten(tmp_path):
    write(tmp_path / "src/a.c", LIB)
    write(tmp_path / "src/sub/b.c", "int b_fn(void) { return 2; }\n")
    (tmp_path / "out/sub/b.c").mkdir(parents=True)
    line = fails(tmp_path, "-o", "out", "--manifest", "m.json", "src")
    assert "out/sub/b.c: a folder, not a file" in line
