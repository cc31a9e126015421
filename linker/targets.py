"""What initgate knows about each target architecture, as one table.

Every per-architecture fact the Python side needs lives in a row here: how a
compiler's target triple names the architecture, the ELF machine number and
relative relocation the patcher looks for, and how tests reach a toolchain
and an emulator.  Code looks facts up; it never branches on an architecture.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    arch: str                 # runtime_c/arch/<arch>.S and .h
    triple_cpus: tuple        # first field of `cc -dumpmachine`
    e_machine: int            # ELF e_machine
    elf_class: int            # 32 or 64
    big_endian: bool
    relative_reloc: int       # the R_*_RELATIVE type number
    debian_triple: str        # gcc-<triple>, /usr/<triple>, libc6-dev-<arch>-cross
    qemu: str                 # qemu-<name>
    # verify's machine-code check: capstone's (CS_ARCH_*, CS_MODE_*) names and
    # the matcher module linker/gate_<isa>.py; empty where not written yet.
    capstone: tuple = ()
    gate_isa: str = ""


TARGETS = (
    Target("x86_64", ("x86_64",), 62, 64, False, 8, "x86_64-linux-gnu", "x86_64",
           ("CS_ARCH_X86", "CS_MODE_64"), "x86"),
    Target("i386", ("i386", "i486", "i586", "i686"), 3, 32, False, 8,
           "i686-linux-gnu", "i386"),
    Target("aarch64", ("aarch64",), 183, 64, False, 1027, "aarch64-linux-gnu", "aarch64"),
    Target("arm", ("arm", "armv7l", "armv7a"), 40, 32, False, 23,
           "arm-linux-gnueabihf", "arm"),
    Target("ppc64le", ("powerpc64le", "ppc64le"), 21, 64, False, 22,
           "powerpc64le-linux-gnu", "ppc64le"),
    Target("riscv64", ("riscv64",), 243, 64, False, 3, "riscv64-linux-gnu", "riscv64"),
    Target("s390x", ("s390x",), 22, 64, True, 12, "s390x-linux-gnu", "s390x"),
)


def by_arch(arch):
    for target in TARGETS:
        if target.arch == arch:
            return target
    return None


def by_triple(triple):
    """The target for a `cc -dumpmachine` answer such as `aarch64-linux-gnu`."""
    cpu = triple.strip().split("-", 1)[0]
    for target in TARGETS:
        if cpu in target.triple_cpus:
            return target
    return None


def by_e_machine(e_machine):
    for target in TARGETS:
        if target.e_machine == e_machine:
            return target
    return None
