"""examples/primes as `make demo` runs it: the whole pipeline, verify, and its hosts.

The build goes to a temporary folder (the example's BUILD variable), so the
checkout is left as it was.  Times move with the machine, so the test checks
only that each host printed its figures and the right count; that dlopen
returns before init ends is proven with init held, in test_end_to_end.py.
"""

import os
import re
import shlex
import sys

from conftest import REPO, require_tool, run

EXAMPLE = os.path.join(REPO, "examples", "primes")
COUNT = "primes below 400,000,000: 21336326"


def test_demo_builds_verifies_and_runs_its_hosts(tmp_path):
    require_tool("make", "make")
    initgate = "%s -m initgate" % shlex.quote(sys.executable)
    before = sorted(os.listdir(EXAMPLE))
    proc = run(["make", "-C", EXAMPLE, "run", "BUILD=%s" % tmp_path,
                "INITGATE=%s" % initgate, "PYTHON=%s" % shlex.quote(sys.executable)],
               timeout=600)
    out = proc.stdout

    assert "result: fully gated" in out
    assert out.count(COUNT) == 3
    assert len(re.findall(r"^dlopen took\s+[0-9.]+ ms$", out, re.M)) == 3
    assert len(re.findall(r"^first call waited\s+[0-9.]+ ms$", out, re.M)) == 3
    assert len(re.findall(r"^later calls cost\s+[0-9.]+ ns each", out, re.M)) == 3
    assert sorted(os.listdir(EXAMPLE)) == before
