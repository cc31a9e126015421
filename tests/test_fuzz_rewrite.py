"""`initgate rewrite` on broken, unusual and hostile C inputs
(tests/reliability/rewrite_corpus.py): a clear error or a correct rewrite."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
import fixtures  # noqa: E402
import rewrite_corpus  # noqa: E402


@pytest.fixture(scope="module")
def gcc(tmp_path_factory):
    fixtures.require("nm", "binutils")
    return fixtures.gcc_builder(tmp_path_factory)


def _params():
    out = []
    for name in rewrite_corpus.CASES:
        marks = []
        if name in rewrite_corpus.KNOWN_BUGS:
            marks.append(pytest.mark.xfail(strict=True, reason=rewrite_corpus.KNOWN_BUGS[name]))
        out.append(pytest.param(name, id=name.replace(" ", "-"), marks=marks))
    return out


@pytest.mark.parametrize("name", _params())
def test_rewrite_hostile_input(gcc, name):
    outcome = rewrite_corpus.run_case(gcc, name)
    assert outcome.held, outcome.explain()
