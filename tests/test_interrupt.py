"""SIGINT and SIGTERM at several points of every command
(tests/reliability/interrupt.py): inputs as they were, outputs absent or
complete, no temporary files."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
import fixtures  # noqa: E402
import interrupt  # noqa: E402
import suite  # noqa: E402

NAMES = ["rewrite", "runtime", "patch-elf -o", "patch-elf in place", "verify"]


@pytest.fixture(scope="module")
def commands(tmp_path_factory):
    builder = fixtures.gcc_builder(tmp_path_factory)
    return builder, {c.name: c for c in interrupt.commands(builder)}


@pytest.mark.parametrize("name", NAMES)
def test_interrupted_command_leaves_files_as_they_were(commands, name):
    builder, by_name = commands
    outcome = interrupt.run_command(builder, by_name[name], suite.QUICK["interrupt_fractions"])
    print(outcome.tried, "|", outcome.notes)
    assert outcome.held, outcome.explain()
