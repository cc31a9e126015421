"""`initgate rewrite` checks the function bodies of a large file with the
build's compiler (passes/body_check.py): which compiler runs, with which
flags, what its verdict does, and when libclang's full parse checks the
bodies instead."""

import json
import os
import shutil
import signal
import stat
import subprocess
import sys

import pytest

from conftest import run_initgate
from initgate.passes import body_check

INIT = b"int lib_init(void) { return 0; }\n"
# A comment at the end makes a file large enough for the default to hand
# its bodies to the compiler, and leaves every line where it was.
LARGE = b"/*" + b" " * body_check.LARGE_FILE + b"*/\n"
GOOD = INIT + b"int lib_api(int x) { return x + 1; }\n" + LARGE
BROKEN = INIT + b"int lib_api(int x) { return x + }\n" + LARGE
SMALL_BROKEN = INIT + b"int lib_api(int x) { return x + }\n"

# GNU C nested functions: gcc compiles them, clang refuses them.
NESTED = INIT + b"""int lib_api(int x)
{
	int twice(int y) { return 2 * y; }
	return twice(x);
}
"""


def fake_compiler(folder, name, status=0, stderr=""):
    """A compiler that records its arguments in NAME.args and answers as told."""
    path = folder / name
    log = folder / (name + ".args")
    said = folder / (name + ".stderr")
    said.write_text(stderr)
    path.write_text("#!/bin/sh\nprintf '%%s\\n' \"$@\" > '%s'\ncat '%s' >&2\nexit %d\n"
                    % (log, said, status))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path, log


def environment(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("CC", "LANG", "LC_MESSAGES")}
    env["LC_ALL"] = "C.UTF-8"
    env.update(extra)
    return env


def rewrite(tmp_path, source, *options, flags=(), env=None):
    (tmp_path / "lib.c").write_bytes(source)
    return run_initgate("rewrite", "--init", "lib_init", "-o", "out", *options, "lib.c",
                        "--", *flags, cwd=tmp_path, check=False, env=env or environment())


def test_body_error_is_the_compilers(tmp_path):
    proc = rewrite(tmp_path, BROKEN)
    assert proc.returncode == 1
    assert proc.stderr.startswith("lib.c:2:")
    assert "error: expected expression before '}' token" in proc.stderr.replace("\u2018", "'") \
        .replace("\u2019", "'")
    assert proc.stderr.rstrip().endswith("nothing written for lib.c")
    assert not (tmp_path / "out").exists()
    assert (tmp_path / "lib.c").read_bytes() == BROKEN


def test_libclang_checks_bodies_when_asked(tmp_path):
    proc = rewrite(tmp_path, BROKEN, "--check-bodies", "libclang")
    assert proc.returncode == 1
    assert "lib.c:2:33: error: expected expression" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_none_leaves_bodies_to_the_build(tmp_path):
    assert rewrite(tmp_path, BROKEN, "--check-bodies", "none").returncode == 0
    assert b"_cgo_wait_runtime_init_done" in (tmp_path / "out" / "lib.c").read_bytes()


def test_a_small_file_gets_the_full_parse(tmp_path):
    compiler, log = fake_compiler(tmp_path, "mycc", status=1, stderr="lib.c:1:1: error: ran\n")
    proc = rewrite(tmp_path, SMALL_BROKEN, env=environment(CC=str(compiler)))
    assert proc.returncode == 1
    assert proc.stderr == ("lib.c:2:33: error: expected expression; nothing written for "
                           "lib.c\n")
    assert not log.exists()
    forced = rewrite(tmp_path, SMALL_BROKEN, "--check-bodies", str(compiler))
    assert forced.returncode == 1
    assert forced.stderr == "lib.c:1:1: error: ran; nothing written for lib.c\n"


def test_code_gcc_compiles_and_clang_refuses(tmp_path):
    proc = rewrite(tmp_path, NESTED, "--check-bodies", "gcc")
    assert proc.returncode == 0, proc.stderr
    refused = rewrite(tmp_path, NESTED, "--check-bodies", "libclang")
    assert refused.returncode == 1
    assert "function definition is not allowed here" in refused.stderr


def test_cc_from_the_environment_and_its_flags(tmp_path):
    compiler, log = fake_compiler(tmp_path, "mycc")
    flags = ["-DWIDE=1", "-I", "include", "-O2", "-std=gnu99", "-fPIC", "-march=x86-64",
             "-include", "config.h", "-c", "-o", "lib.o", "-MD", "-MF", "lib.d", "-Wall",
             "-Werror", "-Wp,-MD,lib.pd", "-fdump-tree-all", "-pedantic-errors", "-g",
             "-save-temps", "-fdiagnostics-color=always", "-Wl,-z,now", "-lm"]
    (tmp_path / "include").mkdir()
    (tmp_path / "config.h").write_bytes(b"")
    proc = rewrite(tmp_path, GOOD, "-v", flags=flags, env=environment(CC=str(compiler)))
    assert proc.returncode == 0, proc.stderr
    assert "lib.c: function bodies checked by %s\n" % compiler in proc.stderr
    assert log.read_text().split("\n")[:-1] == [
        "-DWIDE=1", "-I", "include", "-O2", "-std=gnu99", "-fPIC", "-march=x86-64",
        "-include", "config.h", "-fsyntax-only", "-w", "-fpermissive", "lib.c"]


def test_the_compile_databases_compiler(tmp_path):
    compiler, log = fake_compiler(tmp_path, "dbcc", status=1,
                                  stderr="lib.c:2:9: error: the database's compiler says no\n")
    (tmp_path / "lib.c").write_bytes(GOOD)
    (tmp_path / "compile_commands.json").write_text(json.dumps([{
        "directory": str(tmp_path), "file": "lib.c",
        "arguments": ["./dbcc", "-DX=1", "-c", "lib.c", "-o", "lib.o"]}]))
    other, other_log = fake_compiler(tmp_path, "envcc")
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "-p", str(tmp_path),
                        cwd=tmp_path, check=False, env=environment(CC=str(other)))
    assert proc.returncode == 1
    assert proc.stderr == ("lib.c:2:9: error: the database's compiler says no; "
                           "nothing written for %s\n" % (tmp_path / "lib.c"))
    assert log.read_text().split("\n")[:-1] == ["-DX=1", "-fsyntax-only", "-w", "-fpermissive",
                                                str(tmp_path / "lib.c")]
    assert not other_log.exists()
    assert not (tmp_path / "out").exists()


def test_check_bodies_names_the_compiler(tmp_path):
    compiler, log = fake_compiler(tmp_path, "namedcc", status=1,
                                  stderr="In function 'lib_api':\nlib.c:2:1: error: no\n"
                                         "lib.c:3:1: error: and no\n")
    proc = rewrite(tmp_path, GOOD, "--check-bodies", str(compiler),
                   env=environment(CC="/nonexistent/cc"))
    assert proc.returncode == 1
    assert proc.stderr == ("lib.c:2:1: error: no; nothing written for lib.c\n"
                           "lib.c:3:1: error: and no\n")
    assert log.exists()


def test_a_compiler_that_refuses_the_command_line_leaves_it_to_libclang(tmp_path):
    compiler, log = fake_compiler(tmp_path, "pickycc", status=1,
                                  stderr="pickycc: error: unrecognized option '-DX'\n")
    env = environment(CC=str(compiler))
    assert rewrite(tmp_path, GOOD, flags=["-DX"], env=env).returncode == 0
    assert log.exists()
    proc = rewrite(tmp_path, BROKEN, "-v", flags=["-DX"], env=env)
    assert proc.returncode == 1
    assert "could not check lib.c (pickycc: error: unrecognized option '-DX')" in proc.stderr
    assert "lib.c:2:33: error: expected expression" in proc.stderr


@pytest.mark.parametrize("name", ["clang", "clang-19", "x86_64-linux-gnu-clang"])
def test_a_clang_is_not_run(tmp_path, name):
    compiler, log = fake_compiler(tmp_path, name, status=1, stderr="lib.c:1:1: error: ran\n")
    proc = rewrite(tmp_path, BROKEN, env=environment(CC=str(compiler)))
    assert proc.returncode == 1
    assert "lib.c:2:33: error: expected expression" in proc.stderr
    assert not log.exists()


def test_a_missing_compiler_leaves_it_to_libclang(tmp_path):
    proc = rewrite(tmp_path, BROKEN, "-v", env=environment(CC="no-such-cc-here"))
    assert proc.returncode == 1
    assert "no-such-cc-here not found: libclang checks function bodies" in proc.stderr
    assert "lib.c:2:33: error: expected expression" in proc.stderr


def test_a_compiler_that_cannot_run_leaves_it_to_libclang(tmp_path):
    broken = tmp_path / "brokencc"
    broken.write_bytes(b"\x7fELF not really")
    broken.chmod(0o755)
    proc = rewrite(tmp_path, BROKEN, "-v", env=environment(CC=str(broken)))
    assert proc.returncode == 1
    assert "brokencc cannot run (Exec format error): libclang checks" in proc.stderr
    assert "lib.c:2:33: error: expected expression" in proc.stderr


def test_a_visibility_pragma_takes_the_full_parse(tmp_path):
    # The command may start the compiler before it has read the file, and
    # then stops it: what is checked is whose verdict counts.  This one
    # would pass the broken body; libclang's full parse must not.
    compiler, _log = fake_compiler(tmp_path, "mycc", status=0)
    source = b"#pragma GCC visibility push(default)\n" + BROKEN + b"#pragma GCC visibility pop\n"
    assert len(source) >= body_check.LARGE_FILE
    proc = rewrite(tmp_path, source, env=environment(CC=str(compiler)))
    assert proc.returncode == 1
    assert "lib.c:3:33: error: expected expression" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_flags_that_write_files_are_dropped():
    assert body_check.check_flags([
        "-Xpreprocessor", "-MD", "-Xpreprocessor", "-DY", "-aux-info", "info.txt",
        "-fstack-usage", "-fopt-info-all=opt.txt", "--param", "max-inline-insns=1",
        "-x", "c", "other.c", "-", "-isystem", "sys", "-Wp,-DZ", "-Wp,-DZ,-MMD,z.d"]) == [
        "-Xpreprocessor", "-DY", "--param", "max-inline-insns=1", "-x", "c",
        "-isystem", "sys", "-Wp,-DZ"]


def test_parallel_jobs_check_every_file(tmp_path):
    (tmp_path / "a.c").write_bytes(GOOD)
    (tmp_path / "b.c").write_bytes(b"int lib_b(int x) { return x + }\n" + LARGE)
    (tmp_path / "c.c").write_bytes(b"int lib_c(void) { return 3; }\n" + LARGE)
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "-j", "3", "--check-bodies",
                        "gcc", "a.c", "b.c", "c.c", cwd=tmp_path, check=False, env=environment())
    assert proc.returncode == 1
    assert proc.stderr.startswith("b.c:1:31: error: expected expression before")
    assert not (tmp_path / "out").exists()
    (tmp_path / "b.c").write_bytes(b"int lib_b(int x) { return x; }\n" + LARGE)
    proc = run_initgate("rewrite", "--init", "lib_init", "-o", "out", "-j", "3", "--check-bodies",
                        "gcc", "a.c", "b.c", "c.c", cwd=tmp_path, check=False, env=environment())
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["a.c", "b.c", "c.c"]


def test_the_command_starts_the_check_before_it_loads_libclang(tmp_path):
    # In a fresh interpreter: the test's own has libclang loaded already.
    (tmp_path / "lib.c").write_bytes(GOOD)
    script = """
import sys
from initgate.passes import body_check, rewrite_cli
from initgate.cli import build_parser

started = body_check.start_early
def start_early(*args):
    print("libclang loaded:", "initgate.passes.libclang" in sys.modules)
    started(*args)
body_check.start_early = start_early
args = build_parser(sys.argv[1:]).parse_args(sys.argv[1:])
print("exit:", args.run(args))
"""
    proc = subprocess.run([sys.executable, "-c", script, "rewrite", "--init", "lib_init", "-o",
                           "out", "--check-bodies", "gcc", "lib.c"], cwd=tmp_path,
                          capture_output=True, text=True, env=environment())
    assert proc.stdout == "libclang loaded: False\nexit: 0\n", proc.stderr
    assert (tmp_path / "out" / "lib.c").exists()


def test_a_plain_command_line_starts_the_check_without_argparse(tmp_path):
    (tmp_path / "lib.c").write_bytes(GOOD)
    script = """
import sys
from initgate import cli
from initgate.passes import body_check

started = body_check.start_early
def start_early(*args):
    print("argparse:", "argparse" in sys.modules, "libclang:",
          "initgate.passes.libclang" in sys.modules)
    started(*args)
body_check.start_early = start_early
print("exit:", cli.main(sys.argv[1:]), "argparse:", "argparse" in sys.modules)
"""
    line = ["rewrite", "--init", "lib_init", "--check-bodies=gcc", "lib.c", "-o", "out",
            "--", "-DX=1"]
    proc = subprocess.run([sys.executable, "-c", script] + line, cwd=tmp_path,
                          capture_output=True, text=True, env=environment())
    assert proc.stdout == ("argparse: False libclang: False\n"
                           "exit: 0 argparse: False\n"), proc.stderr
    assert b"_cgo_wait_runtime_init_done" in (tmp_path / "out" / "lib.c").read_bytes()


def test_an_early_check_goes_only_to_the_same_request(tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    counting = tmp_path / "countcc"
    counting.write_text("#!/bin/sh\necho \"$0\" >> '%s'\n" % runs)
    counting.chmod(0o755)
    (tmp_path / "lib.c").write_bytes(GOOD)
    monkeypatch.chdir(tmp_path)
    body_check.start_early(str(counting), None, "lib.c", ["-DX"])
    try:
        for choice, flags in ((str(counting), ["-DY"]), ("gcc", ["-DX"])):
            check = body_check.start(choice, None, "lib.c", flags)
            assert check.result() is True
            assert check.command[0] == shutil.which(choice)
        assert body_check.start(str(counting), None, "lib.c", ["-DX"]).result() is True
        assert runs.read_text().count("countcc") == 2          # the early one, and -DY's
        assert body_check.start(str(counting), None, "lib.c", ["-DX"]).result() is True
    finally:
        body_check.cancel_early()
    assert runs.read_text().count("countcc") == 3


@pytest.mark.parametrize("text, pragma", [
    (b"int f(void) __attribute__((visibility(\"hidden\")));\n" * 50, False),
    (b"#pragma once\nint visibility;\n", False),
    (b"void f(void) {\n#  pragma   GCC visibility push(default)\n}\n", True),
    (b"_Pragma(\"GCC visibility push(hidden)\")\n", True),
    (b"#pragma GCC visibility pop", True),
])
def test_which_files_hold_a_visibility_pragma(tmp_path, text, pragma):
    (tmp_path / "f.c").write_bytes(text)
    assert body_check.has_visibility_pragma(str(tmp_path / "f.c")) is pragma


def test_the_early_check_is_the_only_one(tmp_path):
    runs = tmp_path / "runs"
    counting = tmp_path / "countcc"
    counting.write_text("#!/bin/sh\necho run >> '%s'\n" % runs)
    counting.chmod(0o755)
    proc = rewrite(tmp_path, GOOD, "--check-bodies", str(counting))
    assert proc.returncode == 0, proc.stderr
    assert runs.read_text() == "run\n"


@pytest.mark.parametrize("before, after, status, message", [
    (["--exports", "missing.txt"], [], 1, "missing.txt: cannot read the export list"),
    # Usage errors: argparse's, then rewrite_cli's own, of options that
    # follow the files.
    (["--in-place"], [], 2, "argument --in-place: not allowed with argument -o"),
    ([], ["--in-place"], 2, "rewrite takes -o OUTDIR or --in-place, not both"),
])
def test_a_run_that_fails_first_leaves_no_compiler_running(tmp_path, before, after, status,
                                                           message):
    # Like gcc, whose driver runs cc1: the driver's child is stopped too.
    marker = "600.%d" % os.getpid()
    slow = tmp_path / "slowcc"
    slow.write_text("#!/bin/sh\nsleep %s\n" % marker)
    slow.chmod(0o755)
    (tmp_path / "lib.c").write_bytes(GOOD)
    line = ["rewrite", "--init", "lib_init", "-o", "out", "--check-bodies", str(slow),
            *before, "lib.c", *after]
    try:
        # A compiler left running would hold the pipe open: the timeout
        # makes that a failure rather than a ten-minute wait.
        proc = subprocess.run([sys.executable, "-m", "initgate"] + line, cwd=tmp_path,
                              capture_output=True, text=True, env=environment(), timeout=60)
        assert proc.returncode == status
        assert message in proc.stderr
        assert (tmp_path / "lib.c").read_bytes() == GOOD
        assert not (tmp_path / "out").exists()
        assert not _running(marker, str(slow))
    finally:
        for pid in _running(marker, str(slow)):
            os.kill(int(pid), signal.SIGKILL)


def _running(*words):
    return [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline_holds(pid, words)]


def _cmdline_holds(pid, words):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            line = f.read().decode("utf-8", "replace")
    except OSError:
        return False
    return any(word in line for word in words)
