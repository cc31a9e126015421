"""Hostile hosts (hostile_host.c) against gated libraries, each case with
the exact lines the runtime's promises (README, issue 4) imply.

A case is (name, flavour, argv, env, expected stdout lines, expected exit,
expected stderr).  `run_case` builds what the case needs through a Builder
and returns an Outcome; a hang is a failure (each run is bounded).
"""

import os
import shutil
import subprocess
import tempfile
import time

import build
from outcome import Outcome

TIMEOUT = 30
NO_THREAD = ("initgate: {lib}: cannot start the init thread (Resource temporarily "
             "unavailable); init will run on the first call\n")


def _libs(builder, flavour):
    return builder.bare() if flavour == "no-libc" else builder.held()


CASES = {
    # name: (flavours, expected lines, exit code)
    "ctor-dlopen": (("libc", "no-libc"), ["constructor's call waited and saw 42",
                                          "main then saw 42"], 0),
    "ctor-linked": (("libc",), ["constructor's call waited and saw 42",
                                "main then saw 42"], 0),
    "plugin-ctor": (("libc",), ["plugin constructor saw 42",
                                "constructor's call waited and saw 42",
                                "main then saw 42"], 0),
    "dlopen-threads": (("libc",), ["16 of 16 openers saw init complete",
                                   "init ran 1 time(s), 0 violations"], 0),
    "dlclose": (("libc", "no-libc"), ["dlclose during init returned 0", "still loaded: yes",
                                      "waiting caller saw 42, a later call 42"], 0),
    "fork-storm": (("libc",), ["8 forks waiting for init",
                               "8 of 8 children and grandchildren saw 42"], 0),
    "signals": (("libc", "no-libc"), ["signals handled: thousands",
                                      "handled on the init thread: 0",
                                      "8 of 8 callers saw 42"], 0),
    "nproc": (("libc", "no-libc"), ["pthread_create refused: Resource temporarily "
                                    "unavailable", "after dlopen: state 0",
                                    "first call saw 42",
                                    "init ran on the caller's thread: yes"], 0),
    "exit": (("libc", "no-libc"), ["leaving with init held and 4 callers waiting"], 5),
    "_exit": (("libc", "no-libc"), ["leaving with init held and 4 callers waiting"], 6),
    "return": (("libc", "no-libc"), ["leaving with init held and 4 callers waiting"], 7),
}

# Known runtime bugs, reported to their owner; tests mark them xfail(strict).
KNOWN_BUGS = {}


def cases():
    return [(name, flavour) for name, (flavours, _, _) in CASES.items()
            for flavour in flavours]


def _world_readable_copy(files):
    """RLIMIT_NPROC case: uid 65534 must be able to read the host and library."""
    folder = tempfile.mkdtemp(prefix="initgate-nproc-")
    os.chmod(folder, 0o755)
    out = []
    for f in files:
        dest = os.path.join(folder, os.path.basename(f))
        shutil.copy(f, dest)
        os.chmod(dest, 0o755)
        out.append(dest)
    return folder, out


def run_case(builder, name, flavour, env_extra=None):
    lines, code = CASES[name][1], CASES[name][2]
    outcome = Outcome("hostile host: %s (%s)" % (name, flavour))
    start = time.monotonic()
    lib = _libs(builder, flavour)
    host = builder.host("hostile_host", ["hostile_host.c"])
    env = dict(os.environ)
    env.pop("INITGATE_DEBUG", None)
    env.update(env_extra or {})
    argv, fds, cleanup = [host], (), None
    expected_err = ""

    if name in ("ctor-dlopen", "plugin-ctor"):
        env.update(HOSTILE_CTOR="dlopen" if name == "ctor-dlopen" else "plugin",
                   HOSTILE_LIB=lib)
        if name == "plugin-ctor":
            plugin = builder.path("libplugin.so")
            build.run(builder.cc + ["-shared", "-fPIC", "-O2", "-o", plugin,
                                    os.path.join(build.HERE, "plugin.c"), "-ldl"])
            env["HOSTILE_PLUGIN"] = plugin
        argv.append("ctor")
    elif name == "ctor-linked":
        folder = os.path.dirname(lib)
        argv = [builder.host("hostile_linked", ["hostile_host.c"], cflags=["-DHOSTILE_LINKED"],
                             libs=["-L" + folder, "-l:" + os.path.basename(lib),
                                   "-Wl,-rpath," + folder, "-lpthread", "-ldl"]), "ctor"]
        read_end, write_end = os.pipe()
        fds = (read_end, write_end)
        env.update(HOSTILE_CTOR="linked", HELD_FD=str(read_end),
                   HOSTILE_RELEASE_FD=str(write_end))
    elif name == "dlopen-threads":
        argv += ["dlopen_threads", builder.stress(), "16"]
        env["STRESS_INIT_US"] = "20000"
    elif name == "nproc":
        cleanup, (host, lib) = _world_readable_copy([host, lib])
        argv = [host, "nproc", lib]
        expected_err = NO_THREAD.format(lib=os.path.basename(lib))
    elif name in ("exit", "_exit", "return"):
        argv += ["exit", lib, name]
    else:
        argv += [name.replace("-", "_"), lib, "8"]

    # A known deadlock need not cost the full bound on every CI run.
    timeout = 8 if (name, flavour) in KNOWN_BUGS else TIMEOUT
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env,
                              timeout=timeout, pass_fds=fds)
        got = (proc.stdout.splitlines(), proc.returncode, proc.stderr)
        if got != (lines, code, expected_err):
            outcome.fail("expected exit %d, %r, stderr %r; got exit %d, %r, stderr %r"
                         % (code, lines, expected_err, got[1], got[0], got[2][-400:]))
    except subprocess.TimeoutExpired as err:
        outcome.fail("hung: no exit within %d s; stderr %r" % (
            timeout, (err.stderr or b"")[-300:]))
    finally:
        for fd in fds:
            os.close(fd)
        if cleanup:
            shutil.rmtree(cleanup, ignore_errors=True)
    outcome.tried = "1 run"
    if (name, flavour) in KNOWN_BUGS:
        outcome.notes = "known bug: " + KNOWN_BUGS[(name, flavour)][:90] + "..."
    outcome.seconds = time.monotonic() - start
    return outcome
