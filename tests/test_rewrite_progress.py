"""The progress bar of `initgate rewrite`: drawn on a terminal when there are
eight files or more, one frame per file done, whatever the order the worker
processes finish in; never into a pipe or a file, where it would be noise."""

import os
import pty
import re
import select
import subprocess
import sys

import pytest

WIDTH = 30
FRAME = re.compile(rb"\r\[([#.]{%d})\] (\d+)/(\d+) [^\r\n\x1b]*\x1b\[K" % WIDTH)


def sources(folder, count):
    names = []
    for i in range(count):
        name = "f%d.c" % i
        init = "int lib_init(void) { return 0; }\n" if i == 0 else ""
        (folder / name).write_text(init + "int f%d(void) { return %d; }\n" % (i, i))
        names.append(name)
    return names


def rewrite(folder, names, **streams):
    return subprocess.Popen([sys.executable, "-m", "initgate", "rewrite", "-j", "2",
                             "--init", "lib_init", *names, "-o", "out"],
                            cwd=folder, stdin=subprocess.DEVNULL, **streams)


def read_terminal(master):
    """Everything written to the terminal until every process has closed it."""
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            pytest.fail("rewrite wrote nothing to the terminal for 120 s")
        try:
            chunk = os.read(master, 4096)
        except OSError:         # EIO: the last process holding the terminal closed it
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def on_terminal(folder, names):
    """(exit status, what stdout and stderr wrote) with both on a terminal."""
    master, slave = pty.openpty()
    try:
        proc = rewrite(folder, names, stdout=slave, stderr=slave)
        os.close(slave)
        slave = None
        output = read_terminal(master)
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    return proc.wait(), output


def test_bar_on_a_terminal(tmp_path):
    status, output = on_terminal(tmp_path, sources(tmp_path, 8))
    assert status == 0, output.decode(errors="replace")
    frames = FRAME.findall(output)
    assert [(int(done), int(total)) for _bar, done, total in frames] == \
        [(n, 8) for n in range(1, 9)], "frames drawn: %r" % output
    assert [bar.count(b"#") for bar, _done, _total in frames] == \
        [WIDTH * n // 8 for n in range(1, 9)]
    # The last frame ends its line (the terminal turns "\n" into "\r\n").
    assert output.endswith(b"\x1b[K\r\n"), "the bar's line is not ended: %r" % output[-40:]


def test_no_bar_for_a_few_files(tmp_path):
    status, output = on_terminal(tmp_path, sources(tmp_path, 7))
    assert status == 0, output.decode(errors="replace")
    assert output == b""


def test_no_bar_into_pipes(tmp_path):
    proc = rewrite(tmp_path, sources(tmp_path, 8), stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    stdout, stderr = proc.communicate()
    assert proc.returncode == 0, stderr.decode(errors="replace")
    assert (stdout, stderr) == (b"", b"")


def test_no_bar_when_only_stdout_is_a_terminal(tmp_path):
    master, slave = pty.openpty()
    try:
        proc = rewrite(tmp_path, sources(tmp_path, 8), stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        slave = None
        terminal = read_terminal(master)
        stderr = proc.stderr.read()
        proc.stderr.close()
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    assert proc.wait() == 0, stderr.decode(errors="replace")
    assert (terminal, stderr) == (b"", b"")
