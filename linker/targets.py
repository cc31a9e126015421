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
    relative_name: str        # the spec's name for relative_reloc, for messages
    # verify's machine-code check: capstone's CS_ARCH_* name, then one decoder
    # per entry (CS_MODE_* names joined by "|"; ARM's second is A32), and the
    # matcher module linker/gate_<isa>.py.  Empty: verify says it cannot check.
    capstone: tuple = ()
    gate_isa: str = ""


TARGETS = (
    Target("x86_64", ("x86_64",), 62, 64, False, 8, "x86_64-linux-gnu", "x86_64",
           "R_X86_64_RELATIVE", ("CS_ARCH_X86", "CS_MODE_64"), "x86"),
    Target("i386", ("i386", "i486", "i586", "i686"), 3, 32, False, 8,
           "i686-linux-gnu", "i386", "R_386_RELATIVE", ("CS_ARCH_X86", "CS_MODE_32"), "x86"),
    Target("aarch64", ("aarch64",), 183, 64, False, 1027, "aarch64-linux-gnu", "aarch64",
           "R_AARCH64_RELATIVE", ("CS_ARCH_ARM64", "CS_MODE_ARM"), "aarch64"),
    Target("arm", ("arm", "armv7l", "armv7a"), 40, 32, False, 23,
           "arm-linux-gnueabihf", "arm", "R_ARM_RELATIVE",
           ("CS_ARCH_ARM", "CS_MODE_THUMB", "CS_MODE_ARM"), "arm"),
    Target("ppc64le", ("powerpc64le", "ppc64le"), 21, 64, False, 22,
           "powerpc64le-linux-gnu", "ppc64le", "R_PPC64_RELATIVE",
           ("CS_ARCH_PPC", "CS_MODE_64"), "ppc64"),
    Target("riscv64", ("riscv64",), 243, 64, False, 3, "riscv64-linux-gnu", "riscv64",
           "R_RISCV_RELATIVE", ("CS_ARCH_RISCV", "CS_MODE_RISCV64|CS_MODE_RISCVC"), "riscv"),
    Target("s390x", ("s390x",), 22, 64, True, 12, "s390x-linux-gnu", "s390x",
           "R_390_RELATIVE", ("CS_ARCH_SYSZ", "CS_MODE_BIG_ENDIAN"), "s390x"),
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
