"""bin/initgate-cc, the shell front end of `initgate cc`.

It may run the compiler itself only for a call that initgate cc would pass
through unchanged: never one that initgate cc gates, links a library for,
or links a program of gated objects for.  Every other call, and every
command line it does not read plainly, goes to the `initgate` beside it.

Most tests run a copy of the script next to a stand-in `initgate` that only
says it was called, with a stand-in compiler that only says it ran: which
of the two answered is the launcher's decision, compared with the one
initgate/cc_fast.py's plan makes for the same command line.
"""

import os
import random
import re
import shutil
import subprocess
import sys

import pytest

from conftest import REPO, installed_launcher, require_tool, wait_for
from initgate import cc_args, cc_fast

SCRIPT = os.path.join(REPO, "bin", "initgate-cc")


@pytest.fixture
def stand_ins(tmp_path, monkeypatch):
    """(launcher, folder): a copy of the script beside a stand-in initgate, and a
    stand-in compiler `fakecc`; objects a.o and lib.a hold the gate's mark."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    launcher = bin_dir / "initgate-cc"
    shutil.copy(SCRIPT, launcher)
    for name, says in (("initgate", "initgate"), ("fakecc", "compiler")):
        path = bin_dir / name
        path.write_text("#!/bin/sh\necho %s\n" % says)
        path.chmod(0o755)
    work = tmp_path / "work"
    work.mkdir()
    for name in ("a.o", "lib.a"):
        (work / name).write_bytes(b"\0" + cc_fast.GATED_MARK + b"\0")
    (work / "plain.o").write_bytes(b"\0no gates here\0")
    monkeypatch.chdir(work)
    # An empty cache: no compile server's client for a deferred call to find.
    monkeypatch.setenv("INITGATE_CACHE_DIR", str(tmp_path / "cache"))
    return launcher, bin_dir


def decides(launcher, bin_dir, words, options=("--init", "x")):
    """"compiler" if the launcher ran the compiler itself, "initgate" if it deferred."""
    argv = [str(launcher), *options, "--", str(bin_dir / "fakecc"), *words]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def job(words, gate_non_pic=False):
    return cc_fast.plan(["fakecc", *words], gate_non_pic)[3]


# (compiler arguments, what the launcher must do): the calls a build makes
# most, and the ones that must reach initgate cc.
CASES = [
    ("-O2 -c a.c -o a.o", "compiler"),
    ("-O2 -c -MT a.o -MD -MP -MF .deps/a.Tpo a.c -o a.o", "compiler"),   # automake
    ("-E a.c", "compiler"),
    ("-M a.c", "compiler"),
    ("--version", "compiler"),
    ("-dumpmachine", "compiler"),
    ("-o prog a.c", "compiler"),
    ("-o prog plain.o", "initgate"),           # objects: initgate cc looks inside
    ("-o prog a.o", "initgate"),
    ("-o prog lib.a -lm", "initgate"),
    ("-fPIC -c a.c -o a.o", "initgate"),
    ("-fpic -c a.c", "initgate"),
    ("-shared -o liba.so a.o", "initgate"),
    ("-shared -o liba.so a.c", "initgate"),
    ("-Xlinker -E a.o -o prog", "initgate"),   # -E is the linker's, not a stop
    ("-x c -E -", "compiler"),
    ("@args.rsp", "initgate"),
    ("-o a.o -o prog a.c", "initgate"),        # the first -o's value is an input
    ("-oprog a.c", "compiler"),
    ("-c a.c -fno-pic", "compiler"),
]


@pytest.mark.parametrize("words, expected", CASES)
def test_common_calls(stand_ins, words, expected):
    launcher, bin_dir = stand_ins
    assert decides(launcher, bin_dir, words.split()) == expected
    if expected == "compiler":
        assert job(words.split()) == "pass"


@pytest.mark.parametrize("options", [
    ["--init", "x", "--gate-non-pic"],         # every C compile is gated
    ["--init", "x", "-v"],
    ["--init", "-x"],
    ["--ini", "x"],
    ["--init="],
    ["--init", "x", "--root"],
    [],                                        # no --init: initgate cc says so
])
def test_options_it_does_not_read_are_deferred(stand_ins, options):
    launcher, bin_dir = stand_ins
    assert decides(launcher, bin_dir, ["-c", "a.c"], options=options) == "initgate"


@pytest.mark.parametrize("options", [
    ["--init=x"],
    ["--init", "x", "--init-source", "i.c", "--init-cflag=-Iinc", "--ungated", "f",
     "--exports=v.map", "--root", ".", "--manifest", "m.json", "--cache-dir", "c",
     "--skip-macro-braces"],
])
def test_plain_options_are_read(stand_ins, options):
    launcher, bin_dir = stand_ins
    assert decides(launcher, bin_dir, ["-c", "a.c"], options=options) == "compiler"


def test_launchers_before_the_compiler(stand_ins):
    launcher, bin_dir = stand_ins
    fake = str(bin_dir / "fakecc")
    for prefix in (["ccache"], ["ccache", "distcc"]):
        argv = [str(launcher), "--init", "x", "--", *prefix, fake, "-fPIC", "-c", "a.c"]
        # ccache itself may be missing: then initgate cc reports it, so defer.
        out = subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        assert out == "initgate"
    argv = [str(launcher), "--init", "x", "--", "--", fake, "-c", "a.c"]
    assert subprocess.run(argv, capture_output=True, text=True).stdout.strip() == "initgate"


def test_a_missing_compiler_is_deferred(stand_ins):
    launcher, _bin_dir = stand_ins
    argv = [str(launcher), "--init", "x", "--", "no-such-compiler-here", "-c", "a.c"]
    assert subprocess.run(argv, capture_output=True, text=True).stdout.strip() == "initgate"


WORDS = ["-c", "-S", "-E", "-M", "-fsyntax-only", "-fPIC", "-fpic", "-fno-pic", "-shared",
         "-r", "-o", "out.o", "prog", "-oprog", "-o", "a.o", "a.c", "b.c", "a.o", "plain.o",
         "lib.a", "-MT", "-MF", "-Xlinker", "-E", "-x", "c", "-", "-O2", "-MD", "-lm",
         "--version", "-Wl,-shared", "-nostdlib", "@args.rsp", "-include", "a.h"]


def test_never_passes_what_initgate_cc_would_not(stand_ins):
    """Random command lines from the words that matter: whenever the launcher runs
    the compiler itself, initgate cc's own plan passes the call through too."""
    launcher, bin_dir = stand_ins
    generator = random.Random(20261204)
    passed = 0
    for _ in range(150):
        words = [generator.choice(WORDS) for _ in range(generator.randint(1, 7))]
        if decides(launcher, bin_dir, words) == "compiler":
            passed += 1
            assert job(words) == "pass", words
    assert passed > 20          # the sample is not all deferred


def test_value_options_are_initgate_ccs():
    """The script's list of options with a separate value is cc_args.py's."""
    with open(SCRIPT) as f:
        text = f.read()
    block = re.search(r"# SEPARATE_VALUE begin\n(.*?)\)\n\s*# SEPARATE_VALUE end", text,
                      re.S).group(1)
    options = set(block.replace("\\\n", "").replace("\t", "").split("|"))
    assert options == set(cc_args.SEPARATE_VALUE)


def test_installed_launcher_passes_the_compilers_own_result(tmp_path):
    require_tool("gcc", "gcc")
    bad = tmp_path / "bad.c"
    bad.write_text("int f(void) { return missing; }\n")
    direct = subprocess.run(["gcc", "-c", str(bad), "-o", str(tmp_path / "d.o")],
                            capture_output=True, text=True)
    launcher = installed_launcher()
    through = subprocess.run([launcher, "--init", "x", "--", "gcc", "-c", str(bad), "-o",
                              str(tmp_path / "t.o")], capture_output=True, text=True)
    assert direct.returncode == through.returncode == 1
    assert through.stderr == direct.stderr


def test_installed_launcher_gates_through_initgate_cc(tmp_path):
    require_tool("gcc", "gcc")
    source = tmp_path / "lib.c"
    source.write_text("int lib_answer(void) { return 42; }\n")
    obj = tmp_path / "lib.o"
    launcher = installed_launcher()
    subprocess.run([launcher, "--init", "lib_init", "--cache-dir", str(tmp_path / "cache"),
                    "--", "gcc", "-fPIC", "-c", str(source), "-o", str(obj)], check=True)
    assert cc_fast.GATED_MARK in obj.read_bytes()
    plain = tmp_path / "plain.o"
    subprocess.run([launcher, "--init", "lib_init", "--", "gcc", "-c", str(source), "-o",
                    str(plain)], check=True)
    assert cc_fast.GATED_MARK not in plain.read_bytes()


def test_installed_launcher_reports_a_missing_compiler_like_initgate_cc(tmp_path):
    argv = ["--init", "x", "--", "no-such-compiler-here", "-c", "a.c"]
    through = subprocess.run([installed_launcher(), *argv], capture_output=True, text=True)
    python = subprocess.run([sys.executable, "-m", "initgate", "cc", *argv],
                            capture_output=True, text=True)
    assert through.returncode == python.returncode != 0
    assert through.stderr == python.stderr
    assert "no-such-compiler-here" in through.stderr


HELD_COMPILER = """#!/bin/sh
# gcc, except that the runtime's compiles make $GO.held and wait for the
# file $GO (a minute at most, so that a failed test leaves nothing behind).
case "$*" in
*runtime_c*)
	: > "$GO.held"
	n=0
	while [ ! -e "$GO" ] && [ "$n" -lt 6000 ]; do sleep 0.01; n=$((n + 1)); done ;;
esac
exec gcc "$@"
"""


def test_a_first_call_starts_the_runtime_build_without_waiting_for_it(tmp_path):
    """A call it passes through into an empty cache also starts building the
    runtime in the background (initgate/cc_prebuild.py), once per cache, and
    leaves no descriptor of the caller's open in it."""
    require_tool("gcc", "gcc")
    compiler, go, cache = tmp_path / "heldcc", tmp_path / "go", tmp_path / "cache"
    compiler.write_text(HELD_COMPILER)
    compiler.chmod(0o755)
    argv = [installed_launcher(), "--init", "x", "--cache-dir", str(cache), "--",
            str(compiler), "-v"]
    env = dict(os.environ, GO=str(go))

    # Pipes, as configure's $(...) would give: the call returns while the
    # runtime's compiles are held.
    first = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0 and "gcc version" in first.stderr, first.stderr
    runtime = cache / "runtime"
    wait_for(lambda: list(runtime.glob("started-*")), "the runtime's build to start")
    assert not list(runtime.glob("*.o"))

    go.write_text("")
    wait_for(lambda: list(runtime.glob("*.o")), "the runtime to be built")
    built = sorted(p.name for p in runtime.iterdir())
    second = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0
    assert sorted(p.name for p in runtime.iterdir()) == built


def test_a_gated_compile_builds_the_runtime_beside_it(tmp_path):
    """A gated compile starts the runtime's build in the background and
    returns without waiting for it; the builder keeps none of the call's
    descriptors but the lock (initgate/cc_prebuild.py)."""
    require_tool("gcc", "gcc")
    compiler, go, cache = tmp_path / "heldcc", tmp_path / "go", tmp_path / "cache"
    compiler.write_text(HELD_COMPILER)
    compiler.chmod(0o755)
    (tmp_path / "lib.c").write_text("int lib_init(void) { return 0; }\n"
                                    "int lib_f(void) { return 1; }\n")
    env = dict(os.environ, GO=str(go), INITGATE_SERVER="0")
    readable, writable = os.pipe()
    try:
        compiled = subprocess.run(
            [sys.executable, "-m", "initgate", "cc", "--init", "lib_init", "--cache-dir",
             str(cache), "--", str(compiler), "-fPIC", "-c", "lib.c", "-o", "lib.o"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
            pass_fds=(writable,))
        os.close(writable)
        assert compiled.returncode == 0, compiled.stderr
        assert (tmp_path / "lib.o").exists()
        wait_for(lambda: os.path.exists(str(go) + ".held"), "the runtime's build to start")
        # The builder is held in its compiler: had it kept the pipe, no end of file.
        os.set_blocking(readable, False)
        assert os.read(readable, 1) == b""
    finally:
        os.close(readable)
        go.write_text("")
    wait_for(lambda: list((cache / "runtime").glob("*.o")), "the runtime to be built")
