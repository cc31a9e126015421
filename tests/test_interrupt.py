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

NAMES = ["rewrite", "rewrite --in-place", "runtime", "patch-elf -o", "patch-elf in place",
         "cc compile", "cc link", "verify"]


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


def test_ctrl_c_inside_the_libclang_walk_is_not_swallowed(tmp_path, monkeypatch):
    # Deterministic form of what the interrupted runs hit at random: the
    # interrupt arrives while libclang calls back into Python, as it does
    # where facts are gathered through ctypes (passes/facts.py).
    from initgate.passes import facts, rewrite
    from initgate.passes import libclang as lc

    monkeypatch.setattr(facts, "_loaded", [None])

    source = tmp_path / "lib.c"
    source.write_text("int lib_init(void) { return 0; }\n" +
                      "".join("int f%d(void) { return %d; }\n" % (i, i) for i in range(20)))
    real = lc.getCursorKind
    calls = [0]

    def interrupted(cursor):
        calls[0] += 1
        if calls[0] == 10:
            raise KeyboardInterrupt
        return real(cursor)

    monkeypatch.setattr(lc, "getCursorKind", interrupted)
    with pytest.raises(KeyboardInterrupt):
        result = rewrite.rewrite_file(str(source), [], "lib_init")
        # Not interrupted: then nothing may be missing either.
        assert len(result.gated) == 20, [d.name for d in result.gated]


def test_an_interrupt_as_the_temporary_file_is_made_leaves_nothing(tmp_path, monkeypatch):
    # Deterministic form of a leftover the interrupted patch-elf runs hit
    # about once in a hundred: the signal lands just as the file is created.
    from initgate import fileio

    real = os.open

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fileio.write_atomic(str(tmp_path / "out.so"), b"data")
    assert os.listdir(tmp_path) == []
