"""The quick paths of initgate/cli.py: `initgate cc` calls that only run the
compiler, and plain `initgate patch-elf` and `initgate rewrite` calls, skip
argparse, and configure logging only if they log a warning.  They must behave exactly as the full
path does, and hand every command line they do not recognise to it."""

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "patch"))
import scenarios  # noqa: E402

from conftest import require_tool, run_initgate  # noqa: E402
from initgate import cc_fast  # noqa: E402
from initgate import cli  # noqa: E402
from initgate.linker import patch_cli  # noqa: E402
from initgate.passes import rewrite_cli, rewrite_quick  # noqa: E402


@pytest.mark.parametrize("argv, command", [
    (["--init", "x", "--", "gcc", "--version"], ["gcc", "--version"]),
    (["--init=x", "--", "gcc", "-c", "a.c"], ["gcc", "-c", "a.c"]),
    (["--init", "x", "--root", "src", "--gate-non-pic", "--", "gcc", "-o", "app", "a.o"],
     ["gcc", "-o", "app", "a.o"]),
    (["--init", "x", "--init-cflag=-Iinc", "--", "--", "cc", "-E", "a.c"], ["cc", "-E", "a.c"]),
    (["--init", "x", "--", "ccache", "gcc", "-c", "a.c"], ["ccache", "gcc", "-c", "a.c"]),
])
def test_passed_through(argv, command):
    assert cc_fast.pass_through(cc_fast.parse(argv)) == command


@pytest.mark.parametrize("argv", [
    ["--init", "x", "--", "gcc", "-fPIC", "-c", "a.c"],           # gated
    ["--init", "x", "--gate-non-pic", "--", "gcc", "-c", "a.c"],  # gated
    ["--init", "x", "--", "gcc", "-shared", "-o", "l.so", "a.o"],  # links a library
])
def test_gated_or_linked(argv):
    assert cc_fast.parse(argv) is not None
    assert cc_fast.pass_through(cc_fast.parse(argv)) is None


def test_plain_arguments_are_argparses():
    args = cc_fast.parse(["--init", "x", "--ungated", "a", "--ungated=b", "--init-cflag=-Ii",
                          "--skip-macro-braces", "--cache-dir", "c", "--", "--", "gcc"])
    assert (args.init, args.ungated, args.init_cflag, args.skip_macro_braces, args.cache_dir,
            args.gate_non_pic, args.root, args.command) == (
        "x", ["a", "b"], ["-Ii"], True, "c", False, None, ["--", "gcc"])


@pytest.mark.parametrize("argv", [
    ["--init", "x", "-v", "--", "gcc", "--version"],              # -v: argparse's
    ["--ini", "x", "--", "gcc", "--version"],                     # abbreviation: argparse's
    ["--init", "-x", "--", "gcc", "--version"],                   # argparse refuses it
    ["--", "gcc", "--version"],                                   # no --init: usage error
    ["--init=", "--", "gcc", "--version"],
    ["--init", "x", "gcc", "--version"],                          # no --
    ["--init", "x", "--"],
    ["--help"],
])
def test_left_to_the_full_path(argv):
    assert cc_fast.parse(argv) is None


def test_passed_through_call_is_the_compilers_own():
    gcc = require_tool("gcc", "gcc")
    wrapped = run_initgate("cc", "--init", "x", "--", gcc, "--version")
    plain = subprocess.run([gcc, "--version"], capture_output=True, text=True)
    assert (wrapped.returncode, wrapped.stdout, wrapped.stderr) == (0, plain.stdout,
                                                                    plain.stderr)
    failing = run_initgate("cc", "--init", "x", "--", gcc, "-c", "/nonexistent.c", check=False)
    assert failing.returncode == 1 and "nonexistent.c" in failing.stderr


def test_missing_compiler_is_the_same_message_both_ways():
    quick = run_initgate("cc", "--init", "x", "--", "no-such-cc", "-c", "a.c", check=False)
    # -v is left to argparse; the call logs nothing at that level.
    assert cc_fast.parse(["--init", "x", "-v", "--", "no-such-cc", "-c", "a.c"]) is None
    full = run_initgate("cc", "--init", "x", "-v", "--", "no-such-cc", "-c", "a.c",
                        check=False)
    assert quick.returncode == full.returncode == 2
    assert quick.stderr == full.stderr == "initgate: error: no-such-cc: compiler not found\n"


@pytest.mark.parametrize("words, library, output", [
    (["lib.so"], "lib.so", None),
    (["lib.so", "-o", "out.so"], "lib.so", "out.so"),
    (["--output", "out.so", "lib.so"], "lib.so", "out.so"),
])
def test_patch_elf_quick_arguments(words, library, output, monkeypatch):
    seen = []
    monkeypatch.setattr(patch_cli, "run", lambda args: seen.append((args.library, args.output)))
    patch_cli.quick(words)()
    assert seen == [(library, output)]


@pytest.mark.parametrize("words", [
    [], ["-v", "lib.so"], ["lib.so", "-o"], ["lib.so", "-o", "-x"], ["-oout.so", "lib.so"],
    ["a.so", "b.so"], ["lib.so", "-o", "a", "-o", "b"], ["--help"], ["-"],
])
def test_patch_elf_left_to_argparse(words):
    assert patch_cli.quick(words) is None


def test_patch_elf_quick_and_full_paths_agree(tmp_path):
    lib, _ = scenarios.build("gnu_ld", str(tmp_path))
    quick = run_initgate("patch-elf", lib, "-o", tmp_path / "quick.so")
    full = run_initgate("patch-elf", "--output=%s" % (tmp_path / "full.so"), lib)
    assert (quick.stdout, quick.stderr) == (full.stdout, full.stderr)
    assert (tmp_path / "quick.so").read_bytes() == (tmp_path / "full.so").read_bytes()

    again = run_initgate("patch-elf", tmp_path / "quick.so")
    assert again.stdout == "%s: already patched, nothing changed\n" % (tmp_path / "quick.so")
    missing = run_initgate("patch-elf", tmp_path / "absent.so", check=False)
    assert missing.returncode == 1
    assert missing.stderr.startswith("initgate: error: %s: " % (tmp_path / "absent.so"))


def test_gated_compile_quick_and_full_paths_agree(tmp_path):
    gcc = require_tool("gcc", "gcc")
    (tmp_path / "api.c").write_text("int api_init(void) { return 0; }\n"
                                    "int api(int x) { return x + 1; }\n")
    outputs = []
    for cache in ("--cache-dir", "--cache"):     # an abbreviation: argparse reads it
        obj = tmp_path / ("api%d.o" % len(outputs))
        proc = run_initgate("cc", "--init", "api_init", cache, tmp_path / "cache", "--", gcc,
                            "-fPIC", "-c", "api.c", "-o", obj, cwd=tmp_path)
        outputs.append((proc.stdout, proc.stderr, obj.read_bytes()))
    assert outputs[0] == outputs[1]
    assert b"_initgate_wait" in outputs[0][2]


REWRITE_READ = ("init", "output", "in_place", "root", "ungated", "exports", "manifest",
                "build_dir", "jobs", "check_bodies", "skip_bodies", "skip_macro_braces",
                "sources", "flags")


def argparse_reads(words):
    args = cli.build_parser(["rewrite"] + words).parse_args(["rewrite"] + words)
    return rewrite_cli._reparse(args)


@pytest.mark.parametrize("words", [
    ["--init", "f", "-o", "out", "lib.c"],
    ["--init=f", "lib.c", "--in-place", "--", "-O2", "-DX", "--", "-o", "x"],
    ["lib.c", "--init", "f", "--output=out", "--check-bodies", "cc -m32", "-j", "2"],
    ["--init", "f", "--ungated", "a", "-o", "out", "a.c", "src", "--ungated=b",
     "--ungated", "c", "--skip-macro-braces", "--root", ".", "--manifest", "m.json"],
    ["-p", "build", "--init", "f", "--in-place", "--exports=list.txt", "--skip-bodies"],
    ["--init=", "-o", "out", "lib.c", "--check-bodies=none"],
    ["--init", "f", "-o", "out", "lib.c", "--"],
    ["lib.c"],
])
def test_rewrite_reads_what_argparse_reads(words):
    quick, full = rewrite_quick.read(words), argparse_reads(words)
    assert quick is not None
    assert [getattr(quick, name) for name in REWRITE_READ] == \
        [getattr(full, name) for name in REWRITE_READ]


@pytest.mark.parametrize("words", [
    ["--init", "f", "-v", "lib.c"],                    # -v: argparse's
    ["--init", "f", "lib.c", "-vv"],
    ["--ini", "f", "-o", "out", "lib.c"],              # an abbreviation
    ["--init", "f", "-oout", "lib.c"],                 # a value glued to -o
    ["--init", "f", "-j2", "lib.c"],
    ["--init", "-f", "-o", "out", "lib.c"],            # argparse refuses it
    ["--init", "f", "-j", "two", "lib.c"],
    ["--init", "f", "-o", "out", "--in-place", "lib.c"],
    ["--init", "f", "-o", "out", "lib.c", "-o", "other"],
    ["--init", "f", "-j", "3", "lib.c", "-j", "1"],    # which wins is argparse's to say
    ["--init", "f", "--in-place=yes", "lib.c"],
    ["--init", "f", "-o", "out"],                      # no source: argparse's message
    ["--init", "f", "-o", "out", "--", "lib.c"],
    ["--init", "f", "-o"],
    ["-", "--init", "f", "-o", "out"],
    ["--help"],
    [],
])
def test_rewrite_left_to_argparse(words):
    assert rewrite_quick.read(words) is None
    assert rewrite_quick.quick(words) is None


def test_rewrite_quick_and_full_paths_agree(tmp_path):
    (tmp_path / "lib.c").write_text("int lib_init(void) { return 0; }\n"
                                    "int lib_api(void) { return 1; }\n")
    outputs = []
    for init in ("--init", "--ini"):     # an abbreviation: argparse reads it
        out = tmp_path / ("out%d" % len(outputs))
        proc = run_initgate("rewrite", init, "lib_init", "-o", out, "lib.c", "--manifest",
                            out / "m.json", cwd=tmp_path)
        outputs.append((proc.stdout, proc.stderr, (out / "lib.c").read_bytes(),
                        (out / "m.json").read_bytes()))
    assert outputs[0] == outputs[1]
    assert b"lib_api(void) {_cgo_wait_runtime_init_done();" in outputs[0][2]
    for line in (["lib.c", "-o", "out"], ["--init", "lib_init", "--in-place"]):
        quick = run_initgate("rewrite", *line, cwd=tmp_path, check=False)
        assert quick.returncode == 2, quick.stderr
    assert (tmp_path / "lib.c").read_text().count("_cgo_wait") == 0
