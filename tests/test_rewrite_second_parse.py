"""libclang's full parse on a thread of its own, beside the skipped-body walk
(passes/analyze.py, _FullParse): what `rewrite` does for a large file whose
bodies libclang checks.  It must give what the full parse alone gives: the
same bytes and records, and for a file with errors the same error lines.

These tests make every file count as large, or none, and compare the two on
the golden cases, the reliability corpus and the shapes that tempt the
brace finder (tests/test_rewrite_skip_bodies.py has all three), errors
included.  Only a run of one unit parses twice: many units already fill the
cores.
"""

import os
import subprocess
import sys

import pytest

import test_rewrite_skip_bodies as cases
from initgate.errors import SourceError
from initgate.passes import analyze, body_check
from initgate.passes.rewrite import make_options, rewrite_file

INIT = b"int lib_init(void) { return 0; }\n"


def alone_and_beside(units, monkeypatch, **settings):
    """What the full parse alone gives, what it gives beside the walk, and how
    many second parses the latter started."""
    options = make_options(check_bodies=body_check.LIBCLANG, **settings)
    monkeypatch.setattr(body_check, "LARGE_FILE", 1 << 62)
    alone = cases.outcome(units, options)

    started = []
    start = analyze._FullParse.__init__

    def counted(self, *args):
        started.append(args)
        start(self, *args)

    monkeypatch.setattr(body_check, "LARGE_FILE", 0)
    monkeypatch.setattr(analyze._FullParse, "__init__", counted)
    beside = cases.outcome(units, options)
    return alone, beside, len(started)


def parsed_twice(units):
    """Whether the run should have parsed its one unit twice."""
    if len(units) != 1 or not os.path.isfile(units[0][0]):
        return False
    return not body_check.has_visibility_pragma(units[0][0])


@pytest.mark.parametrize("scenario", sorted(
    d for d in os.listdir(cases.GOLDEN) if os.path.isdir(os.path.join(cases.GOLDEN, d))))
def test_golden_cases_agree(scenario, monkeypatch):
    case, units, settings = cases.golden_units(scenario)
    monkeypatch.chdir(case)
    alone, beside, started = alone_and_beside(units, monkeypatch, **settings)
    assert beside == alone
    assert started == parsed_twice(units)


@pytest.mark.parametrize("name", sorted(cases.rewrite_corpus.CASES))
def test_reliability_corpus_agrees(name, tmp_path, monkeypatch):
    units = cases.corpus_units(name, tmp_path, monkeypatch)
    alone, beside, started = alone_and_beside(units, monkeypatch, init_name="lib_init",
                                              root=str(tmp_path))
    assert beside == alone
    assert started == parsed_twice(units)


@pytest.mark.parametrize("name", sorted(cases.TEMPTING))
def test_tempting_shapes_agree(name, tmp_path, monkeypatch):
    (tmp_path / "lib.c").write_bytes(INIT + cases.TEMPTING[name])
    (tmp_path / "brace.h").write_bytes(b"{\n")
    monkeypatch.chdir(tmp_path)
    for macro_braces in (True, False):
        alone, beside, started = alone_and_beside(
            [("lib.c", ["-std=gnu89"])], monkeypatch, init_name="lib_init",
            root=str(tmp_path), continue_on_macro_brace=macro_braces)
        assert beside == alone
        assert started == 1


# Errors in bodies and outside them: the skipped-body parse sees only the
# second, the full parse both, the first first.
ERRORS = INIT + b"int api(void) { return undeclared; }\nunknown_type x;\n"


def test_the_errors_are_the_full_parses(tmp_path, monkeypatch):
    (tmp_path / "lib.c").write_bytes(ERRORS)
    monkeypatch.setattr(body_check, "LARGE_FILE", 0)
    with pytest.raises(SourceError) as raised:
        rewrite_file(str(tmp_path / "lib.c"), [], "lib_init")
    assert raised.value.lines()[0].startswith(
        "%s:2:24: error: use of undeclared identifier 'undeclared'" % (tmp_path / "lib.c"))
    assert any(":3:1: error: unknown type name 'unknown_type'" in line
               for line in raised.value.lines())


def test_a_large_file_is_parsed_twice_from_the_command_line(tmp_path):
    # A comment makes the file large and leaves every line where it was.
    (tmp_path / "lib.c").write_bytes(INIT + b"int api(void) { return 1; }\n/*"
                                     + b" " * body_check.LARGE_FILE + b"*/\n")
    proc = subprocess.run([sys.executable, "-m", "initgate", "rewrite", "--init", "lib_init",
                           "-o", "out", "--check-bodies", "libclang", "-v", "lib.c"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "lib.c: function bodies checked by libclang's full parse" in proc.stderr
    assert b"api(void) {_cgo_wait_runtime_init_done();" in (tmp_path / "out/lib.c").read_bytes()

    (tmp_path / "lib.c").write_bytes(ERRORS + b"/*" + b" " * body_check.LARGE_FILE + b"*/\n")
    proc = subprocess.run([sys.executable, "-m", "initgate", "rewrite", "--init", "lib_init",
                           "-o", "out2", "--check-bodies", "libclang", "lib.c"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.startswith("lib.c:2:24: error: use of undeclared identifier"), \
        proc.stderr
    assert not (tmp_path / "out2").exists()


@pytest.mark.parametrize("text, pays", [
    (b"int f(void) { return 0; }\n", False),                                   # small
    (b"/*" + b" " * body_check.LARGE_FILE + b"*/\n", True),
    (b"#pragma GCC visibility push(hidden)\n/*" + b" " * body_check.LARGE_FILE + b"*/\n",
     False),
])
def test_which_files_are_parsed_twice(tmp_path, text, pays):
    (tmp_path / "f.c").write_bytes(text)
    assert analyze._FullParse.pays(str(tmp_path / "f.c")) is pays
    assert analyze._FullParse.pays(str(tmp_path / "missing.c")) is False
