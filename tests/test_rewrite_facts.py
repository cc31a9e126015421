"""passes/facts.c gathers the same facts as the ctypes path it replaces.

The pass decides from those facts alone (passes/analyze.py), so equal
records mean equal rewrites.  For every golden case's sources, parsed both
ways (with and without function bodies), the C helper's records must equal
python_facts' one for one; and a rewrite run where the helper cannot be
built (no compiler on PATH, an empty cache) must give the same bytes as one
that uses it.
"""

import os
import subprocess
import sys

import pytest

from test_rewrite_golden import CASES, SCENARIOS, read_args
from initgate.cc_args import expand_response_files
from initgate.errors import SourceError
from initgate.passes import analyze, facts


def sources(scenario):
    case = os.path.join(CASES, scenario)
    options, flags = read_args(case)
    files = [os.path.join(case, word) for word in options if word.endswith(".c")]
    return [path for path in files if os.path.isfile(path)], flags


def test_the_helper_is_built_and_used():
    # Without it every rewrite would quietly take the slow path.
    assert facts._helper() is not None


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_helper_and_ctypes_gather_the_same_records(scenario, monkeypatch):
    paths, flags = sources(scenario)
    # As `initgate rewrite` reads the flags: @files expanded, from the case's folder.
    monkeypatch.chdir(os.path.join(CASES, scenario))
    flags, _expanded = expand_response_files(flags)
    compared = 0
    for path in paths:
        for full in (True, False):
            try:
                tu = analyze.parse(path, flags, skip_bodies=not full)
            except SourceError:
                continue            # an expected_error case: nothing to walk
            table = facts.gather(tu, full)
            expected = facts.python_facts(tu, full)
            assert [table[i] for i in range(len(table))] == expected
            assert table.flags == [f.flags for f in expected]
            assert [table.name(i) for i in range(len(table))] == [f.name for f in expected]
            compared += len(expected)
    if paths and not os.path.exists(os.path.join(CASES, scenario, "expected_error")):
        assert compared > 0


def test_a_damaged_helper_is_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("INITGATE_CACHE_DIR", str(tmp_path))
    path = facts._built()
    with open(path, "wb") as damaged:
        damaged.write(b"not a shared object")
    helper = facts._load()
    assert helper is not None and open(path, "rb").read(4) == b"\x7fELF"


def rewrite(case, out, env):
    options, flags = read_args(case)
    return subprocess.run([sys.executable, "-m", "initgate", "rewrite", "-vv", *options,
                           "-o", str(out), "--", *flags], cwd=case, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize("scenario", ["basic", "declarators", "c_includes_c"])
def test_without_a_compiler_the_rewrite_is_the_same(scenario, tmp_path):
    case = os.path.join(CASES, scenario)
    fast = rewrite(case, tmp_path / "fast", dict(os.environ))
    bare = dict(os.environ, PATH=str(tmp_path / "no-tools"),
                INITGATE_CACHE_DIR=str(tmp_path / "empty-cache"))
    slow = rewrite(case, tmp_path / "slow", bare)
    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    assert "gathering function facts through ctypes: no C compiler" in slow.stderr
    assert "through ctypes" not in fast.stderr
    for parent, _dirs, names in os.walk(tmp_path / "fast"):
        for name in names:
            path = os.path.join(parent, name)
            twin = os.path.join(tmp_path / "slow", os.path.relpath(path, tmp_path / "fast"))
            with open(path, "rb") as a, open(twin, "rb") as b:
                assert a.read() == b.read(), path
