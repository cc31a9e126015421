"""Hostile hosts (tests/reliability/hostile_host.c) against gated libraries.

Each case ends the way the README and issue 4 say: exact lines, exact exit
status, no crash, no hang.  Known runtime bugs are strict xfails naming the
bug (tests/reliability/hostile.py, KNOWN_BUGS).
"""

import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
import fixtures  # noqa: E402
import hostile  # noqa: E402


@pytest.fixture(scope="module")
def gcc(tmp_path_factory):
    return fixtures.gcc_builder(tmp_path_factory)


def _params():
    out = []
    for name, flavour in hostile.cases():
        marks = []
        if (name, flavour) in hostile.KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True,
                                           reason=hostile.KNOWN_BUGS[(name, flavour)]))
        out.append(pytest.param(name, flavour, id="%s-%s" % (name, flavour), marks=marks))
    return out


@pytest.mark.parametrize("name,flavour", _params())
def test_hostile_host(gcc, name, flavour):
    outcome = hostile.run_case(gcc, name, flavour)
    assert outcome.held, outcome.explain()


def test_the_debug_summary_counts_callers_still_waiting_at_exit(gcc):
    # A process that exits while its callers wait at the gate: the summary
    # printed at exit must count them (it used to count only ended waits).
    lib = hostile._libs(gcc, "libc")
    host = gcc.host("hostile_host", ["hostile_host.c"])
    env = dict(os.environ, INITGATE_DEBUG="1")
    proc = subprocess.run([host, "exit", lib, "exit"], capture_output=True, text=True,
                          env=env, timeout=hostile.TIMEOUT)
    assert proc.returncode == 5, proc.stderr
    assert "4 calls waited at the gate" in proc.stderr, proc.stderr
