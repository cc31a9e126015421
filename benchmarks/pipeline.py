"""Builds the benchmarks' libraries and hosts, gated through the real pipeline or plain.

A gated library takes the path every user's library takes:

    SOURCE --initgate rewrite--> gated SOURCE --cc -fPIC--> OBJ
    OBJ + initgate runtime object --cc -shared--> LIB --initgate patch-elf--> gated LIB

A plain library is the same source compiled and linked with the same flags
and nothing else, so the two differ by exactly what initgate adds.  Every
command runs through `run`, which turns a failure into one BenchError line.
"""

import os
import shlex
import subprocess
import sys
from pathlib import Path

from report import BenchError

C_DIR = Path(__file__).resolve().parent / "c"
CC = os.environ.get("CC", "gcc")
CFLAGS = ["-O2", "-g", "-Wall", "-Wextra"]


def run(command, **kwargs):
    """Runs `command`; returns its standard output, or raises BenchError."""
    try:
        proc = subprocess.run([str(part) for part in command], capture_output=True,
                              text=True, **kwargs)
    except OSError as error:
        raise BenchError("%s: %s" % (command[0], error.strerror)) from None
    if proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise BenchError("`%s` failed (exit %d): %s" % (
            shlex.join(str(part) for part in command), proc.returncode,
            detail[-1] if detail else "no message"))
    return proc.stdout


def initgate(*args):
    return run([sys.executable, "-m", "initgate", *args])


class Builder:
    """Builds into one folder; the runtime object is built once and shared."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self._runtime = None

    def runtime(self):
        if self._runtime is None:
            self._runtime = self.workdir / "initgate_rt.o"
            initgate("runtime", "--cc", CC, "-o", self._runtime)
        return self._runtime

    def gated_library(self, name, source, init, variant="gated", defines=()):
        """lib{name}.so under {variant}/, through rewrite, cc, link and patch-elf."""
        folder = self.workdir / variant
        folder.mkdir(parents=True, exist_ok=True)
        flags = CFLAGS + ["-D" + d for d in defines]
        initgate("rewrite", "--init", init, "-o", folder / "src", C_DIR / source, "--",
                 *flags)
        gated_source = folder / "src" / source
        obj = folder / (name + ".o")
        run([CC, *flags, "-fPIC", "-c", gated_source, "-o", obj])
        lib = folder / ("lib%s.so" % name)
        # The runtime goes last on the link line (runtime_c/ABI.md, "The slot's order").
        run([CC, "-shared", "-Wl,-soname,lib%s.so" % name, "-o", lib, obj,
             self.runtime(), "-lpthread"])
        initgate("patch-elf", lib)
        return lib

    def plain_library(self, name, sources, variant, defines=()):
        """lib{name}.so under {variant}/, compiled as it is."""
        folder = self.workdir / variant
        folder.mkdir(parents=True, exist_ok=True)
        lib = folder / ("lib%s.so" % name)
        run([CC, *CFLAGS, *("-D" + d for d in defines), "-fPIC", "-shared",
             "-Wl,-soname,lib%s.so" % name, "-o", lib,
             *(C_DIR / s for s in sources), "-lpthread"])
        return lib

    def host(self, source, libs=(), link_dir=None):
        """A host program; linked against `libs` found in `link_dir` if given."""
        out = self.workdir / Path(source).stem
        link = ["-L%s" % link_dir] if link_dir else []
        run([CC, *CFLAGS, "-o", out, C_DIR / source, *link,
             *("-l" + lib for lib in libs), "-lpthread", "-ldl"])
        return out
