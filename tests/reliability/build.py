"""Building what the reliability suite runs: gated libraries and C hosts.

Every library goes through the real pipeline a user runs: `initgate rewrite`
(through the command, as a build would call it), the compiler, the runtime
from `build_runtime`, then `initgate patch-elf`.  Objects are cached per
Builder, keyed by their options, so a suite builds each variant once.

This module needs no pytest: tests/reliability/run.py uses it directly, and
the pytest files use it through a fixture.  A missing tool raises Missing,
which the callers turn into a skip (or a failure under CI=true).
"""

import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
REPO = os.path.dirname(TESTS)
RUNTIME_C = os.path.join(REPO, "runtime_c")
HELD_C = os.path.join(TESTS, "runtime", "held.c")
BARE_C = os.path.join(TESTS, "runtime", "bare.c")

if REPO not in sys.path:
    sys.path.insert(0, REPO)


class Missing(Exception):
    """A tool the suite needs is not installed; the message names the package."""


class BuildFailed(Exception):
    pass


def require(tool, package):
    path = shutil.which(tool)
    if not path:
        raise Missing("%s not found: install the Debian package %s" % (tool, package))
    return path


def run(cmd, **kwargs):
    cmd = [str(c) for c in cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise BuildFailed("%s failed (%d):\n%s%s" % (shlex.join(cmd), proc.returncode,
                                                    proc.stdout, proc.stderr))
    return proc


def initgate(*args, check=True, **kwargs):
    proc = subprocess.run([sys.executable, "-m", "initgate", *map(str, args)],
                          capture_output=True, text=True, cwd=REPO, **kwargs)
    if check and proc.returncode != 0:
        raise BuildFailed("initgate %s failed (%d):\n%s%s" % (
            " ".join(map(str, args)), proc.returncode, proc.stdout, proc.stderr))
    return proc


class Builder:
    """Builds into `work`, with the compiler command `cc` (e.g. "clang -fsanitize=thread")."""

    def __init__(self, work, cc="cc", host_cc=None):
        self.work = str(work)
        self.cc = shlex.split(cc)
        self.host_cc = shlex.split(host_cc) if host_cc else self.cc
        self.tag = "-".join(a.lstrip("-").replace("=", "_") for a in self.cc)
        self._runtimes = {}
        self._cache = {}
        os.makedirs(self.work, exist_ok=True)
        require(self.cc[0], "gcc" if self.cc[0] in ("cc", "gcc") else "clang")

    def path(self, name):
        return os.path.join(self.work, name)

    def runtime(self, **options):
        from initgate.linker.runtime_build import build_runtime

        key = tuple(sorted(options.items()))
        if key not in self._runtimes:
            out = self.path("rt-%s-%d.o" % (self.tag, len(self._runtimes)))
            build_runtime(self.cc, out, **options)
            self._runtimes[key] = out
        return self._runtimes[key]

    def library(self, name, source, init, cflags=(), ldflags=(), patch=True,
                no_libc=False, rewrite_args=(), **options):
        """A gated library from one plain C source; returns its path."""
        key = (name,)
        if key in self._cache:
            return self._cache[key]
        flags = ["-O2", "-g", "-Wall", "-Wextra", "-fPIC", "-I", RUNTIME_C, *cflags]
        if no_libc:
            flags += ["-ffreestanding", "-nostdlib", "-fno-stack-protector"]
        src_dir = self.path(name + "-src")
        # --root: headers beside the source (tests/runtime/queries.h) are its own.
        initgate("rewrite", "--init", init, "--root", os.path.dirname(source), *rewrite_args,
                 "-o", src_dir, source, "--", *flags)
        rewritten = os.path.join(src_dir, os.path.basename(source))
        obj = self.path(name + ".o")
        run(self.cc + flags + ["-c", rewritten, "-o", obj])
        lib = self.path(name + ".so")
        libs = [] if no_libc else ["-lpthread", "-ldl"]
        run(self.cc + ["-shared", *(["-nostdlib"] if no_libc else []), *ldflags, "-o", lib,
                       obj, self.runtime(no_libc=no_libc, **options), *libs])
        if patch:
            initgate("patch-elf", lib)
        self._cache[key] = lib
        return lib

    def held(self, name="libheld", **kwargs):
        """tests/runtime/held.c: init held on a pipe (see that file)."""
        return self.library(name, HELD_C, "held_init", **kwargs)

    def bare(self, name="libbare", **kwargs):
        """tests/runtime/bare.c: the same, with no C library."""
        return self.library(name, BARE_C, "bare_init", no_libc=True, **kwargs)

    def stress(self, name="libstress", **kwargs):
        return self.library(name, os.path.join(HERE, "stress_lib.c"), "stress_init",
                            **kwargs)

    def host(self, name, sources, cflags=(), libs=("-lpthread", "-ldl")):
        """A C host program from tests/reliability/ sources."""
        key = ("host", name)
        if key in self._cache:
            return self._cache[key]
        exe = self.path(name)
        srcs = [s if os.path.isabs(s) else os.path.join(HERE, s) for s in sources]
        run(self.host_cc + ["-O2", "-g", "-Wall", "-Wextra", "-Werror", *cflags, "-o", exe,
                       *srcs, *libs])
        self._cache[key] = exe
        return exe
