"""Ctrl-C and SIGTERM at several points of every command's run.

Each command runs once uninterrupted on inputs made slow enough (a source
of a thousand functions on long lines, and the library built from it) to
give the reference outputs and its duration T; then it runs again, fresh
copies each time, with SIGINT or SIGTERM sent at fractions of T.  After
each interrupted run:

- it ended within a bound (no hang) with 130, or killed by the signal when
  it came before the command could install its handler (a SIGINT then
  shows Python's KeyboardInterrupt traceback: counted in the notes, since
  the interpreter, not initgate, is running at that point);
- every input is byte-for-byte as it was, or (patch-elf and rewrite in
  place, whose input is their output) exactly the reference output;
- every output is absent or exactly the reference: never half written;
- no `.initgate-*` temporary file is left beside them and nothing is left
  in the private TMPDIR the command ran with.
"""

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time

import build
from outcome import Outcome

EXIT_BOUND = 60

# What ctypes prints when it swallows an exception raised in a callback.
CALLBACK_SIGN = "Exception ignored on calling ctypes callback"



def _source(functions):
    funcs = b"\n".join(b"int f%d(int x) { return x * %d + 1; }" % (i, i)
                       for i in range(functions))
    return b"int lib_init(void) { return 0; }\n" + funcs + b"\n"


def _digest(path, folder):
    """The file's digest with its folder's name taken out: rewrite's outputs
    name their source (#line, the manifest), and each run has its own folder."""
    with open(path, "rb") as f:
        data = f.read().replace(folder.encode(), b"<DIR>")
    return hashlib.sha256(data).hexdigest()


def _tree(folder):
    out = {}
    for base, _, files in os.walk(folder):
        for f in files:
            path = os.path.join(base, f)
            out[os.path.relpath(path, folder)] = _digest(path, folder)
    return out


class Command:
    """One command line over a folder of inputs, with the outputs it writes."""

    def __init__(self, name, make_inputs, argv, outputs, in_place=()):
        self.name = name
        self.make_inputs = make_inputs      # fn(folder)
        self.argv = argv                    # fn(folder) -> list
        self.outputs = outputs              # relative paths
        self.in_place = in_place            # inputs that are also outputs


def commands(builder):
    work = builder.path("interrupt-inputs")
    os.makedirs(work, exist_ok=True)
    # rewrite is fast per function and the compiler slow: the rewrite gets
    # a large source, the library a smaller one built without optimization.
    src = os.path.join(work, "big.c")
    with open(src, "wb") as f:
        f.write(_source(20000))
    lib_src = os.path.join(work, "lib.c")
    with open(lib_src, "wb") as f:
        f.write(_source(1500))
    unpatched = builder.library("int_big", lib_src, "lib_init", patch=False,
                                cflags=["-O0", "-g0"])
    patched = builder.library("int_big_patched", lib_src, "lib_init", cflags=["-O0", "-g0"])

    def copy(files):
        def make(folder):
            for path in files:
                shutil.copy(path, os.path.join(folder, os.path.basename(path)))
        return make

    return [
        Command("rewrite", copy([src]),
                lambda d: ["rewrite", "--init", "lib_init", "-o", os.path.join(d, "out"),
                           "--manifest", os.path.join(d, "m.json"),
                           os.path.join(d, "big.c")],
                ["out/big.c", "m.json"]),
        Command("rewrite --in-place", copy([src]),
                lambda d: ["rewrite", "--init", "lib_init", "--in-place",
                           os.path.join(d, "big.c")],
                [], in_place=["big.c"]),
        Command("runtime", lambda d: None,
                lambda d: ["runtime", "--cc", "cc", "-o", os.path.join(d, "rt.o")],
                ["rt.o"]),
        Command("patch-elf -o", copy([unpatched]),
                lambda d: ["patch-elf", os.path.join(d, "int_big.so"), "-o",
                           os.path.join(d, "out.so")], ["out.so"]),
        Command("patch-elf in place", copy([unpatched]),
                lambda d: ["patch-elf", os.path.join(d, "int_big.so")],
                [], in_place=["int_big.so"]),
        Command("cc compile", copy([lib_src]),
                lambda d: ["cc", "--init", "lib_init", "--cache-dir", os.path.join(d, "cache"),
                           "--", "cc", "-O2", "-fPIC", "-c", os.path.join(d, "lib.c"), "-o",
                           os.path.join(d, "lib.o")],
                ["lib.o"]),
        Command("cc link", copy([lib_src]),
                lambda d: ["cc", "--init", "lib_init", "--cache-dir", os.path.join(d, "cache"),
                           "--", "cc", "-O0", "-fPIC", "-shared", os.path.join(d, "lib.c"),
                           "-o", os.path.join(d, "lib.so")],
                ["lib.so"]),
        Command("verify", copy([patched]),
                lambda d: ["verify", os.path.join(d, "int_big_patched.so")], []),
    ]


def _run(cmd, folder, tmpdir, sig=None, delay=None):
    os.makedirs(tmpdir, exist_ok=True)
    env = dict(os.environ, TMPDIR=tmpdir)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "initgate", *cmd.argv(folder)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=build.REPO)
    if sig is not None:
        time.sleep(delay)
        proc.send_signal(sig)
    try:
        out, err = proc.communicate(timeout=EXIT_BOUND)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, "", time.monotonic() - start
    return proc.returncode, err.decode(errors="replace"), time.monotonic() - start


def _fresh(cmd, root, tag):
    folder = os.path.join(root, tag)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    cmd.make_inputs(folder)
    return folder


def run_command(builder, cmd, fractions):
    outcome = Outcome("interrupt: " + cmd.name)
    start = time.monotonic()
    root = builder.path("interrupt-" + cmd.name.replace(" ", "_"))
    shutil.rmtree(root, ignore_errors=True)
    ref_dir = _fresh(cmd, root, "reference")
    code, err, took = _run(cmd, ref_dir, os.path.join(root, "tmp-ref"))
    if code not in (0, 1):
        outcome.fail("the uninterrupted run failed (%s): %s" % (code, err[-300:]))
        return outcome
    reference = _tree(ref_dir)
    tracebacks = completed = 0
    runs = 0

    for sig in (signal.SIGINT, signal.SIGTERM):
        for fraction in fractions:
            runs += 1
            tag = "%s-%.2f" % (sig.name, fraction)
            folder = _fresh(cmd, root, tag)
            before = _tree(folder)
            tmpdir = os.path.join(root, "tmp-" + tag)
            code, err, _ = _run(cmd, folder, tmpdir, sig, took * fraction)
            where = "%s at %.0f%% of %.2f s" % (sig.name, fraction * 100, took)
            if code is None:
                outcome.fail("%s: no exit within %d s" % (where, EXIT_BOUND))
                continue
            # Python prints a KeyboardInterrupt traceback (exit 1) when the
            # signal lands before initgate.cli installs its handlers.
            if CALLBACK_SIGN in err:
                outcome.fail("%s: the interrupt was swallowed in a libclang callback" % where)
                continue
            early = "Traceback" in err and "KeyboardInterrupt" in err
            tracebacks += early
            if code in (0, 1) and not early:
                completed += 1
            elif code not in (130, -sig) and not early:
                outcome.fail("%s: exit %d: %s" % (where, code, err[-200:]))
            after = _tree(folder)
            for rel, digest in before.items():
                if after.get(rel) != digest and not (
                        rel in cmd.in_place and after.get(rel) == reference.get(rel)):
                    outcome.fail("%s: input %s changed" % (where, rel))
            for rel in cmd.outputs:
                if rel in after and after[rel] != reference.get(rel):
                    outcome.fail("%s: exit %s, output %s is neither absent nor the same as "
                                 "the uninterrupted run's" % (where, code, rel))
            stray = [rel for rel in after if os.path.basename(rel).startswith(".initgate-")]
            stray += ["TMPDIR/" + f for f in os.listdir(tmpdir)]
            if stray:
                outcome.fail("%s: temporary files left: %s" % (where, stray[:3]))
    outcome.tried = "%d interrupted runs (SIGINT, SIGTERM at %s of %.1f s)" % (
        runs, "/".join("%d%%" % (f * 100) for f in fractions), took)
    outcome.notes = ("%d finished before the signal; %d interrupted Python's start-up "
                     "(KeyboardInterrupt traceback)" % (completed, tracebacks))
    outcome.seconds = time.monotonic() - start
    if outcome.held:
        shutil.rmtree(root, ignore_errors=True)
    return outcome
