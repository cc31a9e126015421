"""The compile server (initgate/cc_server.py) under load, with callers killed.

Gated compiles go through the installed initgate-cc, four at a time, while
about a fifth of the callers are sent SIGTERM, SIGINT or SIGKILL after a
short random delay.  Afterwards:

- every call that was not killed exited 0 with the very object the same
  compile gives without the server (INITGATE_SERVER=0);
- no compiler of a killed call is still running;
- the one server that started is still the one serving.
"""

import os
import random
import signal
import subprocess
import sys
import time

from initgate import cc_server
from outcome import Outcome

SOURCES = 8
PARALLEL = 4
SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGKILL)


def _launcher():
    return os.path.join(os.path.dirname(sys.executable), "initgate-cc")


def _argv(i, out):
    return [_launcher(), "--init", "x_init", "--", "gcc", "-O2", "-fPIC", "-c",
            "f%d.c" % i, "-o", out]


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _compilers_of(work):
    """Compilers still running on this run's sources."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            if os.readlink("/proc/%s/cwd" % pid) == work and pid != str(os.getpid()):
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    words = f.read().split(b"\0")
                if any(w.endswith((b"cc1", b"as", b"gcc")) for w in words[:1]):
                    found.append(pid)
        except OSError:
            continue
    return found


def run(builder, calls, seed):
    outcome = Outcome("compile server (initgate-cc, callers killed at random)")
    rng = random.Random(seed)
    work = os.path.realpath(builder.path("server"))
    cache = os.path.join(work, "cache")
    os.makedirs(work, exist_ok=True)
    env = dict(os.environ, INITGATE_CACHE_DIR=cache)
    env.pop("INITGATE_SERVER", None)
    start = time.monotonic()

    expected = {}
    for i in range(SOURCES):
        with open(os.path.join(work, "f%d.c" % i), "w") as f:
            f.write("#include <stdio.h>\nint f%d(void) { return printf(\"%%d\", %d); }\n"
                    % (i, i))
        subprocess.run(_argv(i, "ref%d.o" % i), cwd=work, check=True,
                       env=dict(env, INITGATE_SERVER="0"))
        with open(os.path.join(work, "ref%d.o" % i), "rb") as f:
            expected[i] = f.read()

    subprocess.run(_argv(0, "first.o"), cwd=work, env=env, check=True)
    socket_path = os.path.join(cache, "cc-server-1.sock")
    if not _wait_for(lambda: os.path.exists(socket_path)):
        outcome.fail("no server started after the first gated compile")
        return outcome
    server = cc_server.running_pid(cache)
    if server is None:
        outcome.fail("the server's socket is there, but no server runs")
        return outcome

    running, served, killed = [], 0, 0
    try:
        for n in range(calls):
            i = n % SOURCES
            out = "o%d.o" % n
            proc = subprocess.Popen(_argv(i, out), cwd=work, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            running.append((proc, i, out, rng.random() < 0.2))
            while len(running) >= PARALLEL or (n == calls - 1 and running):
                proc, i, out, kill = running.pop(0)
                if kill:
                    time.sleep(rng.random() * 0.05)
                    proc.send_signal(rng.choice(SIGNALS))
                    proc.communicate(timeout=60)
                    killed += 1
                    continue
                _, stderr = proc.communicate(timeout=120)
                served += 1
                try:
                    with open(os.path.join(work, out), "rb") as f:
                        same = f.read() == expected[i]
                except OSError:
                    same = False
                if proc.returncode != 0 or not same:
                    outcome.fail("%s (f%d.c): status %d, %s; %s" % (
                        out, i, proc.returncode, "same object" if same else "other object",
                        stderr.decode(errors="replace").strip()[-200:]))

        if not _wait_for(lambda: not _compilers_of(work), 30):
            outcome.fail("compilers of killed calls still running: %s"
                         % ", ".join(_compilers_of(work)))
        if cc_server.running_pid(cache) != server:
            outcome.fail("the server %d did not survive the run" % server)
    finally:
        try:
            os.kill(server, signal.SIGTERM)
        except OSError:
            pass

    outcome.tried = "%d calls, %d at a time: %d completed, %d killed" % (
        calls, PARALLEL, served, killed)
    outcome.seconds = time.monotonic() - start
    return outcome
