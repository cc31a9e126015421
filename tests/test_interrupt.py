"""SIGINT and SIGTERM at several points of every command
(tests/reliability/interrupt.py): inputs as they were, outputs absent or
complete, no temporary files.  Then, each made to happen on purpose, the
places where Python would lose an interrupt, or end with another status
than 130 (initgate/interrupts.py, initgate/cli.py)."""

import os
import sys

import pytest

from conftest import REPO

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


@pytest.fixture
def installed(monkeypatch):
    """initgate/interrupts.py's install, undone after the test."""
    import signal

    from initgate import interrupts

    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    before = signal.getsignal(signal.SIGTERM)
    interrupts.install()
    yield interrupts
    signal.signal(signal.SIGTERM, before)


def spin(seconds=0.0):
    """Python work, during which a pending signal's handler runs."""
    import time

    deadline = time.monotonic() + seconds
    for _ in range(10000):
        pass
    while time.monotonic() < deadline:
        pass


def test_an_interrupt_python_drops_is_raised_again(installed):
    # Where Python cannot pass an exception on (a __del__, a weakref or
    # ctypes callback), it prints it and goes on: the run would not stop.
    class Dropping:
        def __del__(self):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Dropping()
        spin(30)


def test_a_held_signal_interrupts_once_the_step_is_done(installed):
    import signal

    done = []
    with pytest.raises(KeyboardInterrupt):
        with installed.held():
            signal.raise_signal(signal.SIGTERM)
            spin()
            done.append("step")
    assert done == ["step"]


def test_held_outside_the_main_thread_just_runs(installed):
    import threading

    done = []

    def step():
        with installed.held():
            done.append("step")

    thread = threading.Thread(target=step)
    thread.start()
    thread.join()
    assert done == ["step"]


def test_a_scratch_folder_goes_even_when_interrupted(tmp_path, monkeypatch):
    from initgate import fileio

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with pytest.raises(KeyboardInterrupt):
        with fileio.scratch_folder("initgate-test-") as scratch:
            (tmp_path / scratch / "half").write_bytes(b"x")
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []


# `python -m`: CPython's exit turns a status into SIGINT if the last string
# it evaluated (exec, eval: a dataclass or namedtuple being made) ended in
# KeyboardInterrupt, even one caught since.
EXEC_INTERRUPTED = """
from initgate import cli

def action():
    exec("raise KeyboardInterrupt")

cli.main = lambda argv: cli._outcome(action, None, 0)
cli.program()
"""


def test_an_interrupt_inside_an_exec_still_exits_130(tmp_path):
    import subprocess

    (tmp_path / "exec_interrupted.py").write_text(EXEC_INTERRUPTED)
    proc = subprocess.run([sys.executable, "-m", "exec_interrupted"], cwd=tmp_path,
                          capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=REPO))
    assert (proc.returncode, proc.stderr) == (130, "initgate: interrupted\n")


def test_an_interrupt_python_wraps_is_still_an_interrupt(capsys):
    # An import interrupted while a class is set up raises RuntimeError
    # ("Error calling __set_name__") with the KeyboardInterrupt as its cause.
    from initgate import cli

    def action():
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as interrupt:
            raise RuntimeError("Error calling __set_name__") from interrupt

    assert cli._outcome(action, None, 0) == 130
    assert capsys.readouterr().err == "initgate: interrupted\n"


def test_other_errors_are_not_taken_for_interrupts():
    from initgate import cli

    def action():
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        cli._outcome(action, None, 0)
