"""Golden-file cases for `initgate rewrite`, one folder per scenario.

tests/rewrite/SCENARIO/ holds the sources, `args` (the command line after
`initgate rewrite`, without -o and --manifest), and what the run must give:
either `expected/` (the output tree plus `manifest.json`) or `expected_error`
(exit status 1, this stderr, nothing written).  The expected files leave out
the copy of runtime_c/gate.h that every file with a gate starts with: the test
checks that prologue once, byte for byte, and adds it back to compile them.
Optional: `build` lists the
output .c files to link (default: every .c named in `args`), `build_flags`
replaces the flags after `--` for that link.

For every case the test also checks that:
- the inputs are left byte for byte as they were;
- rewriting the output again gives the same bytes (idempotence);
- the functions gated, plus those deliberately left ungated, are exactly the
  functions `nm -D --defined-only` finds in a shared library gcc builds from
  the expected output (with the flags of `args`, and the runtime from
  `initgate runtime`): nothing exported is missed, nothing internal is gated.

Errors inside function bodies are libclang's, as `initgate rewrite`
reports them for a small file, unless `args` says `--check-bodies cc`;
every rewritten case is also run that way, and must give the same files.

`@RUNTIME_C@` in `args` stands for the folder of the bundled runtime sources,
so a case can include the real `initgate.h`.

Regenerate the expected files deliberately, and review the diff by hand:
    INITGATE_REGEN=1 .venv/bin/pytest tests/test_rewrite_golden.py
"""

import json
import os
import shlex
import shutil

import pytest

from conftest import require_tool, run, run_initgate
from initgate.runtime_c import SOURCE_DIR

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "rewrite")
SCENARIOS = sorted(d for d in os.listdir(CASES) if os.path.isdir(os.path.join(CASES, d)))
REWRITTEN = [s for s in SCENARIOS if not os.path.exists(os.path.join(CASES, s, "expected_error"))]
REGENERATE = os.environ.get("INITGATE_REGEN") == "1"
with open(os.path.join(SOURCE_DIR, "gate.h"), "rb") as _header:
    PROLOGUE = _header.read()
BOM = b"\xef\xbb\xbf"
GATE_CALL = b"_cgo_wait_runtime_init_done();"
# `--check-bodies cc` runs the machine's cc, whose messages depend on the
# locale.
CHECK_ENV = {k: v for k, v in os.environ.items() if k not in ("CC", "LANG", "LC_MESSAGES")}
CHECK_ENV["LC_ALL"] = "C.UTF-8"


def split_bom(data):
    bom = BOM if data.startswith(BOM) else b""
    return bom, data[len(bom):]


def without_prologue(data):
    """A produced file as the golden folder keeps it: gate.h's text left out.
    A CRLF file's copy has CRLF line endings, as its `#line` has."""
    bom, body = split_bom(data)
    for newline in (b"\n", b"\r\n"):
        prologue = PROLOGUE.replace(b"\n", newline)
        if body.startswith(prologue):
            rest = body[len(prologue):]
            assert rest.startswith(b'#line 1 "'), "no #line after the prologue"
            ending = b"\r\n" if rest[:rest.index(b"\n")].endswith(b"\r") else b"\n"
            assert ending == newline, "the prologue and its #line end lines differently"
            assert GATE_CALL in rest, "gate.h in a file with no gate"
            return bom + rest
    assert GATE_CALL not in body, "a file with a gate does not start with gate.h"
    return data


def with_prologue(data):
    """A golden file as rewrite wrote it: gate.h's text put back before `#line 1`
    in a file with a gate (one without gets only the #line)."""
    bom, body = split_bom(data)
    if not body.startswith(b'#line 1 "') or GATE_CALL not in body:
        return data
    newline = b"\r\n" if body[:body.index(b"\n")].endswith(b"\r") else b"\n"
    return bom + PROLOGUE.replace(b"\n", newline) + body



def read_args(case):
    with open(os.path.join(case, "args"), encoding="utf-8") as source:
        words = shlex.split(source.read().replace("@RUNTIME_C@", str(SOURCE_DIR)))
    if "--" in words:
        split = words.index("--")
        return words[:split], words[split + 1:]
    return words, []


def snapshot(folder):
    files = {}
    for parent, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(parent, name)
            with open(path, "rb") as source:
                files[os.path.relpath(path, folder)] = source.read()
    return files


def source_copy(tmp_path, scenario):
    work = tmp_path / "case"
    shutil.copytree(os.path.join(CASES, scenario), work,
                    ignore=shutil.ignore_patterns("expected", "expected_error"))
    return work


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_golden(tmp_path, scenario):
    case = os.path.join(CASES, scenario)
    work = source_copy(tmp_path, scenario)
    before = snapshot(work)
    options, flags = read_args(case)
    proc = run_initgate("rewrite", *options, "-o", "out", "--manifest", "manifest.json",
                        "--", *flags, cwd=work, check=False, env=CHECK_ENV)
    for name, data in before.items():
        assert (work / name).read_bytes() == data, "input %s was modified" % name

    expected_error = os.path.join(case, "expected_error")
    if os.path.exists(expected_error) or (REGENERATE and proc.returncode == 1
                                          and not os.path.isdir(os.path.join(case, "expected"))):
        if REGENERATE:
            with open(expected_error, "w", encoding="utf-8") as out:
                out.write(proc.stderr)
        assert proc.returncode == 1, proc.stderr
        with open(expected_error, encoding="utf-8") as source:
            assert proc.stderr == source.read()
        assert not (work / "out").exists()
        assert not (work / "manifest.json").exists()
        return

    assert proc.returncode == 0, proc.stderr
    expected = os.path.join(case, "expected")
    produced = {name: without_prologue(data) for name, data in snapshot(work / "out").items()}
    produced["manifest.json"] = (work / "manifest.json").read_bytes()
    if REGENERATE:
        shutil.rmtree(expected, ignore_errors=True)
        for name, data in produced.items():
            os.makedirs(os.path.dirname(os.path.join(expected, name)), exist_ok=True)
            with open(os.path.join(expected, name), "wb") as out:
                out.write(data)
    assert produced == snapshot(expected)


@pytest.mark.parametrize("scenario", REWRITTEN)
def test_the_compiler_checking_bodies_changes_nothing(tmp_path, scenario):
    """`--check-bodies cc` reads declarations with bodies skipped (the default
    for large files): every case must come out byte for byte the same."""
    case = os.path.join(CASES, scenario)
    work = source_copy(tmp_path, scenario)
    options, flags = read_args(case)
    run_initgate("rewrite", "--check-bodies", "cc", *options, "-o", "out", "--manifest",
                 "manifest.json", "--", *flags, cwd=work, env=CHECK_ENV)
    produced = {name: without_prologue(data) for name, data in snapshot(work / "out").items()}
    produced["manifest.json"] = (work / "manifest.json").read_bytes()
    assert produced == snapshot(os.path.join(case, "expected"))


@pytest.mark.parametrize("scenario", REWRITTEN)
def test_idempotent(tmp_path, scenario):
    case = os.path.join(CASES, scenario)
    work = source_copy(tmp_path, scenario)
    options, flags = read_args(case)
    run_initgate("rewrite", *options, "-o", "once", "--manifest", "once.json", "--", *flags,
                 cwd=work)

    # The rewritten tree, rewritten again in place, must not change at all.
    shutil.rmtree(work / "again", ignore_errors=True)
    shutil.copytree(work / "once", work / "again")
    for name in os.listdir(work):
        if name not in ("once", "again", "once.json") and not (work / "again" / name).exists():
            src = work / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, work / "again" / name)
    before = snapshot(work / "once")
    run_initgate("rewrite", *options, "--in-place", "--manifest", "../twice.json", "--",
                 *flags, cwd=work / "again")
    for name, data in before.items():
        assert (work / "again" / name).read_bytes() == data, name
    once = json.loads((work / "once.json").read_text())
    twice = json.loads((work / "twice.json").read_text())
    assert once == twice


def exported_functions(library):
    nm = require_tool("nm", "binutils")
    out = run([nm, "-D", "--defined-only", library]).stdout
    # A version script adds @VERSION or @@VERSION to each name.
    return {line.split()[2].split("@")[0] for line in out.splitlines()
            if len(line.split()) == 3 and line.split()[1] in "TWi"}


@pytest.fixture(scope="session")
def runtime_object(tmp_path_factory):
    """The real runtime, built by `initgate runtime` for the host's gcc."""
    require_tool("gcc", "gcc")
    out = tmp_path_factory.mktemp("runtime") / "initgate-runtime.o"
    run_initgate("runtime", "-o", out)
    return out


@pytest.mark.parametrize("scenario", REWRITTEN)
def test_gated_set_is_the_export_table(tmp_path, scenario, runtime_object):
    case = os.path.join(CASES, scenario)
    expected = os.path.join(case, "expected")
    gcc = require_tool("gcc", "gcc")
    options, flags = read_args(case)
    if os.path.exists(os.path.join(case, "build_flags")):
        with open(os.path.join(case, "build_flags"), encoding="utf-8") as source:
            flags = shlex.split(source.read())
    if os.path.exists(os.path.join(case, "build")):
        with open(os.path.join(case, "build"), encoding="utf-8") as source:
            sources = source.read().split()
    else:
        sources = [w for w in options if w.endswith(".c")]

    # Link the expected output itself, with the real runtime last as ABI.md
    # asks: what the golden file promises is what the linker exports.
    built = tmp_path / "expected"
    for name, data in snapshot(expected).items():
        os.makedirs(os.path.dirname(built / name), exist_ok=True)
        (built / name).write_bytes(with_prologue(data))
    expected = str(built)
    link = [gcc, "-shared", "-fPIC", "-o", tmp_path / "lib.so"]
    link += [os.path.join(expected, s) for s in sources] + flags + [runtime_object, "-pthread"]
    if "--exports" in options:
        export_file = os.path.join(case, options[options.index("--exports") + 1])
        link.append("-Wl,--version-script=" + version_script(export_file, tmp_path))
    run(link, cwd=expected)

    with open(os.path.join(expected, "manifest.json"), encoding="utf-8") as source:
        document = json.load(source)
    gated = {entry["name"] for entry in document["gated"]}
    ungated_exported = {entry["name"] for entry in document["ungated"]
                        if entry["reason"] != "not in --exports"}
    table = exported_functions(tmp_path / "lib.so")
    assert gated <= table, "gated but not exported: %s" % sorted(gated - table)
    assert gated | ungated_exported == table


def version_script(export_file, tmp_path):
    with open(export_file, encoding="utf-8") as source:
        text = source.read()
    if "{" in text:
        return export_file
    names = [line.strip() for line in text.splitlines()
             if line.strip() and not line.startswith("#")]
    script = tmp_path / "exports.map"
    script.write_text("{ global: %s; local: *; };\n" % "; ".join(names))
    return str(script)
