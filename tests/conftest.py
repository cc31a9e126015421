"""Shared test helpers: run the initgate command, and require external tools.

A tool that is missing skips the tests that need it, with the Debian package
to install, except under CI=true, where a missing tool is a failure: CI must
never pass by skipping.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True, scope="session")
def stop_compile_servers(tmp_path_factory):
    """At the end, stop every compile server (initgate/cc_server.py) that a test
    started in a cache under this session's temporary folder, rather than
    leaving them to exit when idle."""
    yield
    base = str(tmp_path_factory.getbasetemp())
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                words = f.read().split(b"\0")
        except OSError:
            continue
        if b"initgate.cc_server" in words and any(
                w.decode(errors="replace").startswith(base) for w in words):
            try:
                os.kill(int(pid), signal.SIGTERM)
            except OSError:
                pass


def run_initgate(*args, cwd=None, check=True, env=None):
    """Run `initgate ARGS` with this interpreter; return the CompletedProcess."""
    proc = subprocess.run([sys.executable, "-m", "initgate", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True, env=env)
    if check and proc.returncode != 0:
        raise AssertionError("initgate %s failed (%d):\n%s%s"
                             % (" ".join(map(str, args)), proc.returncode,
                                proc.stdout, proc.stderr))
    return proc


def installed_launcher():
    """The path of bin/initgate-cc as pip installed it beside this interpreter."""
    path = os.path.join(os.path.dirname(sys.executable), "initgate-cc")
    if not os.access(path, os.X_OK):
        pytest.fail("%s is not installed: run make test (pip install -e .)" % path)
    return path


def wait_for(condition, what, timeout=60.0):
    """Poll `condition` until it holds; fail naming `what` after `timeout` s.
    For results of work in the background, never to order two events."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("timed out waiting for " + what)
        time.sleep(0.02)


def alive(pid):
    """Whether process `pid` runs (a zombie waiting to be reaped does not)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def require_tool(name, package):
    """The path of tool `name`, or skip (fail under CI=true) naming `package`."""
    path = shutil.which(name)
    if path:
        return path
    message = "%s not found: install the Debian package %s" % (name, package)
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def run(cmd, **kwargs):
    """Run a build or host command; fail the test with its output if it fails."""
    proc = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s"
                             % (" ".join(map(str, cmd)), proc.returncode,
                                proc.stdout, proc.stderr))
    return proc
