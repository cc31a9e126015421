"""How the architecture tests reach a compiler and a CPU, one row per architecture.

linker/targets.py holds the facts initgate itself needs (triples, ELF machine
numbers, relocations); this table adds only what tests need on a Debian
machine: the compiler command, the packages that provide it and its C
library, how to run a program of that architecture, and the link flags a
host program needs to run that way.  tests/install_toolchains.sh installs
exactly these packages (tests/test_arch_table.py checks that it does).

Two C libraries per architecture:
- glibc: Debian's cross gcc and its libc6-dev-*-cross.
- musl: Debian's musl-gcc on x86_64; elsewhere zig cc (the PyPI package
  ziglang, in the test extra), which builds for musl on every target, with
  the loader from Debian's musl:ARCH package, installed multiarch into the
  machine's own /lib.  Debian 12 has no riscv64 port: riscv64's loader comes
  from a later release's package, unpacked into a folder of the tests' own.

A test asks `require(arch, libc)` for a toolchain: it gets the row, or the
test skips naming what to install, and fails instead under CI=true.

verify's compiler matrix only builds libraries, and runs nothing: it asks
`require_compiler(arch, name)` for gcc (Debian's cross gcc), clang (Debian's
clang-14, with the same cross sysroots and gcc's start files) or zig (zig
cc, for musl, on every target).  gcc_m32() is the machine's own gcc building
for i386 with -m32, as a build that passes -m32 calls it.
"""

import importlib.util
import os
import shutil
import sysconfig
from dataclasses import dataclass

import pytest

from initgate.linker import targets

# The order of the README's table.
ARCHES = ("x86_64", "i386", "aarch64", "arm", "ppc64le", "riscv64", "s390x")

# Debian's names for the architectures, as in libc6-dev-<name>-cross and musl:<name>.
DEBIAN_ARCH = {"i386": "i386", "aarch64": "arm64", "arm": "armhf",
               "ppc64le": "ppc64el", "riscv64": "riscv64", "s390x": "s390x"}

# qemu-user 7.2 hangs dynamically linked threaded i386 programs, and the
# x86_64 kernel runs them itself: i386 hosts run natively, glibc's through
# the cross toolchain's loader, which a plain i386 program would not find,
# and musl's through musl:i386's, in /lib where musl programs look.
NATIVE = ("x86_64", "i386")

MUSL_PACKAGE = "musl-tools"
QEMU_PACKAGE = "qemu-user"
INSTALL_SCRIPT = "tests/install_toolchains.sh"

# The zig that builds the musl cells; pyproject.toml's test extra pins it.
ZIG_PACKAGE = "ziglang"

# musl per architecture, where zig cc builds it: zig's target, the name in
# musl's loader (/lib/ld-musl-NAME.so.1), and the Debian release whose
# musl:ARCH package provides that loader when the machine's own has none
# ("" for the machine's own, installed multiarch).
MUSL = {
    "i386": ("x86-linux-musl", "i386", ""),
    "aarch64": ("aarch64-linux-musl", "aarch64", ""),
    "arm": ("arm-linux-musleabihf", "armhf", ""),
    "ppc64le": ("powerpc64le-linux-musl", "powerpc64le", ""),
    "riscv64": ("riscv64-linux-musl", "riscv64", "trixie"),
    "s390x": ("s390x-linux-musl", "s390x", ""),
}

# zig's target for each architecture, musl's C library on all of them.
ZIG_TARGETS = dict({"x86_64": "x86_64-linux-musl"},
                   **{arch: row[0] for arch, row in MUSL.items()})

# clang builds for every architecture from Debian's clang-14; tools/install-test-deps.sh
# installs it, and lld, with the machine's other build tools.
CLANG = "clang-14"
CLANG_PACKAGE = "clang-14"

# Where tests/install_toolchains.sh unpacks a loader from another release,
# one folder per architecture (Debian's name), used as qemu's -L root.
MUSL_ROOTS = os.path.join(os.path.expanduser("~"), ".cache", "initgate-tests", "musl")


@dataclass(frozen=True)
class Toolchain:
    arch: str
    cc: tuple                 # the compiler command, as argv
    packages: tuple           # Debian packages providing cc, its libc, the emulator
    emulator: tuple           # the command prefix that runs a program; () natively
    host_ldflags: tuple       # link flags a host program needs to run that way
    files: tuple = ()         # files the host programs need: the target's loader
    install: str = ""         # how to get what is missing, for the skip message

    def command(self, program, *args):
        """The argv that runs `program` of this architecture on this machine."""
        return [*self.emulator, str(program), *map(str, args)]

    def absent(self):
        """The commands and files of this row that the machine lacks."""
        tools = [self.cc[0]] + ([self.emulator[0]] if self.emulator else [])
        return ([tool for tool in tools if shutil.which(tool) is None]
                + [path for path in self.files if not os.path.exists(path)])


def apt_install(packages):
    return ("install the Debian packages %s (%s does, as root)"
            % (" ".join(packages), INSTALL_SCRIPT))


def glibc_toolchain(arch):
    target = targets.by_arch(arch)
    triple = target.debian_triple
    if arch == "x86_64":
        packages = ("gcc", "libc6-dev")
        return Toolchain(arch, ("gcc",), packages, (), (), (), apt_install(packages))
    packages = ("gcc-" + triple, "libc6-dev-%s-cross" % DEBIAN_ARCH[arch])
    if arch in NATIVE:
        loader = "/usr/%s/lib/ld-linux.so.2" % triple
        return Toolchain(arch, (triple + "-gcc",), packages, (),
                         ("-Wl,--dynamic-linker=" + loader,
                          "-Wl,-rpath,/usr/%s/lib" % triple),
                         (loader,), apt_install(packages))
    sysroot = "/usr/" + triple
    packages += (QEMU_PACKAGE,)
    return Toolchain(arch, (triple + "-gcc",), packages,
                     ("qemu-" + target.qemu, "-L", sysroot), (), (sysroot + "/lib",),
                     apt_install(packages))


def zig():
    """The zig binary of the PyPI package ziglang, where this Python installs it."""
    spec = importlib.util.find_spec(ZIG_PACKAGE)
    folder = (os.path.dirname(spec.origin) if spec else
              os.path.join(sysconfig.get_path("platlib"), ZIG_PACKAGE))
    return os.path.join(folder, "zig")


def musl_root(arch):
    """qemu's -L root for arch's musl loader: the machine's own, or the unpacked one."""
    return os.path.join(MUSL_ROOTS, DEBIAN_ARCH[arch]) if MUSL[arch][2] else "/"


def musl_toolchain(arch):
    if arch == "x86_64":
        packages = (MUSL_PACKAGE,)
        return Toolchain(arch, ("musl-gcc",), packages, (), (),
                         ("/lib/ld-musl-x86_64.so.1",), apt_install(packages))
    zig_target, loader_name, release = MUSL[arch]
    root = musl_root(arch)
    loader = os.path.join(root, "lib", "ld-musl-%s.so.1" % loader_name)
    # The machine's own root needs no -L (qemu finds the loader in /lib).
    emulator = () if arch in NATIVE else (
        ("qemu-" + targets.by_arch(arch).qemu,) + (("-L", root) if release else ()))
    packages = () if release else ("musl:" + DEBIAN_ARCH[arch],)
    packages += () if arch in NATIVE else (QEMU_PACKAGE,)
    install = [apt_install(packages)]
    if release:
        install.append("%s unpacks Debian %s's musl:%s into %s (this machine's release "
                       "has no %s port)" % (INSTALL_SCRIPT, release, DEBIAN_ARCH[arch],
                                            root, arch))
    install.append("install the PyPI package %s (pyproject.toml's test extra, which "
                   "make test installs)" % ZIG_PACKAGE)
    # zig cc links musl programs statically unless told otherwise, and a
    # static program cannot dlopen.
    return Toolchain(arch, (zig(), "cc", "-target", zig_target), packages, emulator,
                     ("-dynamic",), (loader,), "; ".join(install))


def _builds_only(chain, cc, packages):
    """A row that compiles and links like `chain`, and runs nothing."""
    files = tuple(f for f in chain.files if f.startswith("/usr/"))
    return Toolchain(chain.arch, cc, packages, (), (), files, apt_install(packages))


def gcc_builder(arch):
    chain = glibc_toolchain(arch)
    packages = tuple(p for p in chain.packages if p != QEMU_PACKAGE)
    return _builds_only(chain, chain.cc, packages)


def clang_builder(arch):
    """clang for `arch`, with gcc's sysroot and start files for it (the cross gcc's)."""
    chain = gcc_builder(arch)
    triple = targets.by_arch(arch).debian_triple
    return _builds_only(chain, (CLANG, "--target=" + triple), (CLANG_PACKAGE,) + chain.packages)


def zig_builder(arch):
    return Toolchain(arch, (zig(), "cc", "-target", ZIG_TARGETS[arch]), (), (), (), (),
                     "install the PyPI package %s (pyproject.toml's test extra, which "
                     "make test installs)" % ZIG_PACKAGE)


BUILDERS = {"gcc": gcc_builder, "clang": clang_builder, "zig": zig_builder}

# gcc -m32 needs the 32-bit C library's headers (Debian's libc6-dev-i386)
# and the kernel's asm/ headers for i386 (linux-libc-dev:i386).  Not
# gcc-multilib, which would bring them too but removes the cross compilers.
M32_PACKAGES = ("libc6-dev-i386", "linux-libc-dev:i386")
M32_FILES = ("/usr/include/x86_64-linux-gnu/gnu/stubs-32.h", "/usr/include/i386-linux-gnu/asm")


def gcc_m32():
    """The machine's gcc with -m32: builds i386 code, runs nothing."""
    return Toolchain("i386", ("gcc", "-m32"), M32_PACKAGES, (), (), M32_FILES,
                     apt_install(M32_PACKAGES))


def require_compiler(arch, name):
    """The row of compiler `name` (a key of BUILDERS) for `arch`; else skip, or fail in CI."""
    chain = BUILDERS[name](arch)
    absent = chain.absent()
    if absent:
        missing("%s not found: %s" % (", ".join(absent), chain.install))
    return chain


def toolchain(arch, libc="glibc"):
    """The row for `arch` (one of ARCHES) and `libc` ("glibc" or "musl")."""
    return {"glibc": glibc_toolchain, "musl": musl_toolchain}[libc](arch)


def missing(message):
    """Skip the test with `message`, or fail it under CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require(arch, libc="glibc"):
    """The toolchain for `arch` if this machine has it; else skip (or fail in CI)."""
    chain = toolchain(arch, libc)
    absent = chain.absent()
    if absent:
        missing("%s not found: %s" % (", ".join(absent), chain.install))
    return chain
