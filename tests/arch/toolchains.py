"""How the architecture tests reach a compiler and a CPU, one row per architecture.

linker/targets.py holds the facts initgate itself needs (triples, ELF machine
numbers, relocations); this table adds only what tests need on a Debian
machine: the compiler command, the packages that provide it and its C
library, how to run a program of that architecture, and the link flags a
host program needs to run that way.  tests/install_toolchains.sh installs
exactly these packages (tests/test_arch_table.py checks that it does).

A test asks `require(arch)` for a toolchain: it gets the row, or the test
skips naming the packages to install, and fails instead under CI=true.
"""

import os
import shutil
from dataclasses import dataclass

import pytest

from initgate.linker import targets

# The order of the README's table.
ARCHES = ("x86_64", "i386", "aarch64", "arm", "ppc64le", "riscv64", "s390x")

# Debian's names for the architectures, as in libc6-dev-<name>-cross.
DEBIAN_ARCH = {"i386": "i386", "aarch64": "arm64", "arm": "armhf",
               "ppc64le": "ppc64el", "riscv64": "riscv64", "s390x": "s390x"}

# qemu-user 7.2 hangs dynamically linked threaded i386 programs, and the
# x86_64 kernel runs them itself: i386 hosts run natively, through the
# cross toolchain's loader, which a plain i386 program would not find.
NATIVE = ("x86_64", "i386")

MUSL_PACKAGE = "musl-tools"
QEMU_PACKAGE = "qemu-user"


@dataclass(frozen=True)
class Toolchain:
    arch: str
    cc: str                   # the compiler command
    packages: tuple           # Debian packages providing cc, its libc, the emulator
    sysroot: str              # the target's libraries, for qemu -L ('' natively)
    emulator: tuple           # the command prefix that runs a program; () natively
    host_ldflags: tuple       # link flags a host program needs to run that way

    def command(self, program, *args):
        """The argv that runs `program` of this architecture on this machine."""
        return [*self.emulator, str(program), *map(str, args)]


def toolchain(arch):
    """The row for `arch`, one of ARCHES."""
    target = targets.by_arch(arch)
    triple = target.debian_triple
    if arch == "x86_64":
        return Toolchain(arch, "gcc", ("gcc", "libc6-dev"), "", (), ())
    if arch in NATIVE:
        loader = "/usr/%s/lib/ld-linux.so.2" % triple
        return Toolchain(arch, triple + "-gcc",
                         ("gcc-" + triple, "libc6-dev-%s-cross" % DEBIAN_ARCH[arch]),
                         "", (),
                         ("-Wl,--dynamic-linker=" + loader,
                          "-Wl,-rpath,/usr/%s/lib" % triple))
    sysroot = "/usr/" + triple
    return Toolchain(arch, triple + "-gcc",
                     ("gcc-" + triple, "libc6-dev-%s-cross" % DEBIAN_ARCH[arch],
                      QEMU_PACKAGE),
                     sysroot, ("qemu-" + target.qemu, "-L", sysroot), ())


def missing(message):
    """Skip the test with `message`, or fail it under CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require(arch):
    """The toolchain for `arch` if this machine has it; else skip (or fail in CI)."""
    chain = toolchain(arch)
    tools = [chain.cc] + ([chain.emulator[0]] if chain.emulator else [])
    absent = [tool for tool in tools if shutil.which(tool) is None]
    if chain.sysroot and not os.path.isdir(os.path.join(chain.sysroot, "lib")):
        absent.append(chain.sysroot + "/lib")
    if absent:
        missing("%s not found: install the Debian packages %s "
                "(tests/install_toolchains.sh does, as root)"
                % (", ".join(absent), " ".join(chain.packages)))
    return chain


def require_musl():
    """The musl-gcc wrapper, or skip (fail in CI) naming musl-tools."""
    path = shutil.which("musl-gcc")
    if path is None:
        missing("musl-gcc not found: install the Debian package %s" % MUSL_PACKAGE)
    return path
