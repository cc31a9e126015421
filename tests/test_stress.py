"""The runtime under load, and under ThreadSanitizer (tests/reliability/stress.py).

Bounded (suite.QUICK) for CI; `tests/reliability/run.py` runs the full size.
"""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
import fixtures  # noqa: E402
import suite  # noqa: E402

SEED = int(os.environ.get("INITGATE_RELIABILITY_SEED", "1"))


@pytest.fixture(scope="module")
def gcc(tmp_path_factory):
    return fixtures.gcc_builder(tmp_path_factory)


@pytest.fixture(scope="module")
def tsan(tmp_path_factory):
    return fixtures.tsan_builder(tmp_path_factory)


def _assert_held(outcome):
    print(outcome.tried, "|", outcome.notes)
    assert outcome.held, outcome.explain()


def test_every_call_sees_a_complete_init_under_load(gcc):
    rounds, control = suite.stress_section(gcc, suite.QUICK, SEED)
    _assert_held(rounds)
    _assert_held(control)


def test_thread_sanitizer_finds_no_race_in_the_runtime(tsan):
    rounds, control = suite.tsan_section(tsan, suite.QUICK, SEED)
    _assert_held(rounds)
    # The same build with the gate removed must be reported: TSan is watching.
    _assert_held(control)
