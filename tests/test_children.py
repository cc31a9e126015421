"""Compilers run as children (initgate/children.py): stopped with their whole
tree, whatever initgate was doing when it was interrupted."""

import os
import signal
import subprocess
import sys

import pytest

from conftest import REPO, alive, wait_for
from initgate import children

# A stand-in for a compiler driver: it starts a "cc1" that outlives it
# unless stopped too, says where that is, then waits for it.
DRIVER = """#!/bin/sh
sleep 1000 &
echo $! > "$1.tmp" && mv "$1.tmp" "$1"
wait
"""


@pytest.fixture
def driver(tmp_path):
    path = tmp_path / "driver"
    path.write_text(DRIVER)
    path.chmod(0o755)
    return str(path)


def started_grandchild(ready):
    wait_for(lambda: os.path.exists(ready), "the driver to start its child")
    with open(ready) as f:
        return int(f.read())


def test_stop_ends_the_whole_tree(driver, tmp_path):
    ready = str(tmp_path / "ready")
    child = children.Child([driver, ready], capture=(1, 2), null=(0,))
    grandchild = started_grandchild(ready)
    child.stop()
    assert child.returncode == -signal.SIGTERM
    wait_for(lambda: not alive(grandchild), "the driver's child to end")


def test_an_interrupted_wait_stops_the_tree(driver, tmp_path, monkeypatch):
    ready = str(tmp_path / "ready")
    child = children.Child([driver, ready], null=(0,))
    grandchild = started_grandchild(ready)
    real = os.waitpid

    def interrupted(pid, options):
        if options == 0:
            raise KeyboardInterrupt
        return real(pid, options)

    monkeypatch.setattr(children.os, "waitpid", interrupted)
    with pytest.raises(KeyboardInterrupt):
        child.wait()
    monkeypatch.undo()
    assert child.returncode == -signal.SIGTERM
    wait_for(lambda: not alive(grandchild), "the driver's child to end")


def test_run_gives_the_status_and_both_streams():
    code, out, err = children.run(["sh", "-c", "echo out; echo err >&2; cat; exit 3"])
    assert (code, out, err) == (3, "out\n", "err\n")   # cat read /dev/null


def test_run_all_runs_side_by_side_and_keeps_the_order(tmp_path):
    # The first waits (up to a minute) for the second's file, so the two
    # must run at once; the results come in the order given all the same.
    gate = tmp_path / "gate"
    waits = ("for i in $(seq 6000); do [ -e %s ] && break; sleep 0.01; done; "
             "[ -e %s ] && echo first" % (gate, gate))
    first = children.Child(["sh", "-c", waits], capture=(1,))
    second = children.Child(["sh", "-c", "echo second; : > %s" % gate], capture=(1,))
    assert children.run_all([first, second]) == [(0, b"first\n"), (0, b"second\n")]


def test_a_missing_program_is_an_os_error():
    with pytest.raises(FileNotFoundError):
        children.run(["initgate-no-such-compiler"])


GROUP_PROBE = """
import os, sys
from initgate import children
child = children.Child(["sleep", "60"], capture=tuple(map(int, sys.argv[1:])))
print(child.own_group, os.getpgid(child.pid) == os.getpgrp())
child.stop()
"""


@pytest.mark.parametrize("terminal, capture, own_group", [
    (None, (), True),       # no terminal: a group of its own, stopped as one
    (0, (), False),         # outside the terminal's group, a read would stop it
    (2, (), False),         # and so would a write, under `stty tostop`
    (2, (2,), True),        # a captured stderr is a pipe, not the terminal
])
def test_a_child_sharing_a_terminal_stays_in_its_group(terminal, capture, own_group):
    streams = {"stdin": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    leader = follower = None
    if terminal is not None:
        leader, follower = os.openpty()
        streams["stdin" if terminal == 0 else "stderr"] = follower
    try:
        proc = subprocess.run([sys.executable, "-c", GROUP_PROBE, *map(str, capture)],
                              stdout=subprocess.PIPE, text=True, cwd=REPO, check=True,
                              **streams)
    finally:
        for fd in (leader, follower):
            if fd is not None:
                os.close(fd)
    assert proc.stdout.split() == [str(own_group), str(not own_group)]
