"""Building what the runtime tests load, through the real pipeline.

A test library is one of two flavours of the same API: held.c with the C
library and the pthreads runtime, or bare.c with no C library and the
no-libc runtime.  Either is rewritten by `initgate rewrite`, compiled with
the system compiler, linked with the runtime from `build_runtime` (last, as
ABI.md asks) and patched by `initgate patch-elf`.  The host (host.c and
host_thread.c) and the preloaded helpers are plain C programs.  A Build
makes each thing once, in one folder, whatever the number of tests asking.
"""

import os
import subprocess
from dataclasses import dataclass

import pytest

from conftest import require_tool, run, run_initgate
from initgate.linker.runtime_build import build_runtime

HERE = os.path.dirname(os.path.abspath(__file__))
RUNTIME_C = os.path.join(HERE, "..", "..", "runtime_c")
WARNINGS = ["-Wall", "-Wextra", "-Werror"]
TIMEOUT = 60


@dataclass(frozen=True)
class Flavour:
    source: str               # under tests/runtime/
    init: str                 # the init function named to rewrite
    stem: str                 # libraries are STEM[SUFFIX].so
    cflags: tuple
    ldflags: tuple            # before the objects
    libs: tuple               # after the runtime
    no_libc: bool


FLAVOURS = {
    "libc": Flavour("held.c", "held_init", "libheld", (), (), ("-lpthread", "-ldl"), False),
    "nolibc": Flavour("bare.c", "bare_init", "libbare",
                      ("-ffreestanding", "-nostdlib", "-fno-stack-protector"),
                      ("-nostdlib",), (), True),
}


class Build:
    """Everything a test module builds, in the folder `work`, each thing once."""

    def __init__(self, work):
        self.work = work
        self._made = {}

    def _once(self, key, make):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def runtime(self, no_libc, **options):
        """The runtime object for these build options."""
        key = ("runtime", no_libc, tuple(sorted(options.items())))
        out = self.work / ("rt-%d.o" % len(self._made))
        return self._once(key, lambda: build_runtime("cc", out, no_libc=no_libc, **options))

    def library(self, flavour, suffix="", cflags=(), patch=True, **options):
        """The flavour's test library, gated, linked and (unless told) patched."""
        kind = FLAVOURS[flavour]
        name = kind.stem + suffix

        def make():
            flags = ["-O2", "-g", *WARNINGS, "-fPIC", "-I", RUNTIME_C, *kind.cflags,
                     *cflags]
            rewritten = self.work / (name + "-src")
            # --root: the shared queries.h is the library's own header.
            run_initgate("rewrite", "--init", kind.init, "--root", HERE, "-o", rewritten,
                         os.path.join(HERE, kind.source), "--", *flags)
            obj = self.work / (name + ".o")
            run(["cc", *flags, "-c", rewritten / kind.source, "-o", obj])

            lib = self.work / (name + ".so")
            run(["cc", "-shared", *kind.ldflags, "-o", lib, obj,
                 self.runtime(kind.no_libc, **options), *kind.libs])
            if patch:
                run_initgate("patch-elf", lib)
            return lib
        return self._once(("library", name), make)

    def host(self):
        """The host program (see host.c)."""
        def make():
            exe = self.work / "host"
            run(["cc", "-O2", *WARNINGS, "-o", exe, os.path.join(HERE, "host.c"),
                 os.path.join(HERE, "host_thread.c"), "-lpthread", "-ldl"])
            return exe
        return self._once(("host",), make)

    def preload(self, name):
        """tests/runtime/NAME.c as a library for LD_PRELOAD."""
        def make():
            lib = self.work / (name + ".so")
            run(["cc", "-O2", *WARNINGS, "-fPIC", "-shared", "-o", lib,
                 os.path.join(HERE, name + ".c"), "-ldl"])
            return lib
        return self._once(("preload", name), make)


def host_run(host, *args, env=None, check=True, preexec_fn=None):
    """Run the host with `env` added to ours (INITGATE_DEBUG only if given);
    `preexec_fn` runs in the child before it does, as for subprocess."""
    full_env = dict(os.environ)
    full_env.pop("INITGATE_DEBUG", None)
    full_env.update(env or {})
    proc = subprocess.run([str(host), *map(str, args)], capture_output=True, text=True,
                          env=full_env, timeout=TIMEOUT, preexec_fn=preexec_fn)
    if check and proc.returncode != 0:
        raise AssertionError("host %s failed (%d):\n%s%s"
                             % (" ".join(map(str, args)), proc.returncode, proc.stdout,
                                proc.stderr))
    return proc


# The fixtures of the runtime test modules, which import them by name.
@pytest.fixture(scope="module")
def build(tmp_path_factory):
    require_tool("cc", "gcc")
    return Build(tmp_path_factory.mktemp("runtime"))


@pytest.fixture(scope="module")
def host(build):
    return build.host()
