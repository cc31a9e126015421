"""What initgate knows about each target architecture, as one table.

Every per-architecture fact the Python side needs lives in a row here: how a
compiler's target triple names the architecture, the ELF machine number and
relative relocation the patcher looks for, and how tests reach a toolchain
and an emulator.  Code looks facts up; it never branches on an architecture.
"""


class Target:
    """One architecture's facts; a plain class, since `dataclasses` costs patch-elf's
    start-up more than the whole edit does."""

    __slots__ = ("arch", "triple_cpus", "e_machine", "elf_class", "big_endian",
                 "relative_reloc", "debian_triple", "qemu", "relative_name", "capstone",
                 "gate_isa", "proc_tags", "no_libc_cflags")

    def __init__(self, arch, triple_cpus, e_machine, elf_class, big_endian, relative_reloc,
                 debian_triple, qemu, relative_name, capstone=(), gate_isa="", proc_tags=(),
                 no_libc_cflags=()):
        self.arch = arch                      # runtime_c/arch/<arch>.S and .h
        self.triple_cpus = triple_cpus        # first field of `cc -dumpmachine`
        self.e_machine = e_machine            # ELF e_machine
        self.elf_class = elf_class            # 32 or 64
        self.big_endian = big_endian
        self.relative_reloc = relative_reloc  # the R_*_RELATIVE type number
        self.debian_triple = debian_triple    # gcc-<triple>, /usr/<triple>, libc6-dev-*-cross
        self.qemu = qemu                      # qemu-<name>
        self.relative_name = relative_name    # the spec's name for relative_reloc
        # verify's machine-code check: capstone's CS_ARCH_* name, then one
        # decoder per entry (CS_MODE_* names joined by "|"; ARM's second is
        # A32), and the matcher module linker/gate_<isa>.py.  Empty: verify
        # says it cannot check.
        self.capstone = capstone
        self.gate_isa = gate_isa
        # Names of the processor-specific dynamic tags (DT_LOPROC..DT_HIPROC), for dumps.
        self.proc_tags = proc_tags
        # What the no-libc runtime adds to its compiler flags on this architecture.
        self.no_libc_cflags = no_libc_cflags

    def __setattr__(self, name, value):
        if hasattr(self, name):
            raise AttributeError("Target rows are constants")
        object.__setattr__(self, name, value)

    def __repr__(self):
        return "Target(%r)" % self.arch


TARGETS = (
    Target("x86_64", ("x86_64",), 62, 64, False, 8, "x86_64-linux-gnu", "x86_64",
           "R_X86_64_RELATIVE", ("CS_ARCH_X86", "CS_MODE_64"), "x86"),
    # zig cc (LLVM) calls 32-bit x86 "x86" in its triples.
    Target("i386", ("i386", "i486", "i586", "i686", "x86"), 3, 32, False, 8,
           "i686-linux-gnu", "i386", "R_386_RELATIVE", ("CS_ARCH_X86", "CS_MODE_32"), "x86"),
    Target("aarch64", ("aarch64",), 183, 64, False, 1027, "aarch64-linux-gnu", "aarch64",
           "R_AARCH64_RELATIVE", ("CS_ARCH_ARM64", "CS_MODE_ARM"), "aarch64",
           ((0x70000001, "AARCH64_BTI_PLT"), (0x70000003, "AARCH64_PAC_PLT"),
            (0x70000005, "AARCH64_VARIANT_PCS")),
           # gcc's default calls libgcc's atomics, whose constructor asks glibc's
           # __getauxval which CPU this is: a no-libc library would need glibc.
           ("-mno-outline-atomics",)),
    Target("arm", ("arm", "armv7l", "armv7a"), 40, 32, False, 23,
           "arm-linux-gnueabihf", "arm", "R_ARM_RELATIVE",
           ("CS_ARCH_ARM", "CS_MODE_THUMB", "CS_MODE_ARM"), "arm"),
    Target("ppc64le", ("powerpc64le", "ppc64le"), 21, 64, False, 22,
           "powerpc64le-linux-gnu", "ppc64le", "R_PPC64_RELATIVE",
           ("CS_ARCH_PPC", "CS_MODE_64"), "ppc64",
           ((0x70000000, "PPC64_GLINK"), (0x70000003, "PPC64_OPT"))),
    Target("riscv64", ("riscv64",), 243, 64, False, 3, "riscv64-linux-gnu", "riscv64",
           "R_RISCV_RELATIVE", ("CS_ARCH_RISCV", "CS_MODE_RISCV64|CS_MODE_RISCVC"), "riscv",
           ((0x70000001, "RISCV_VARIANT_CC"),)),
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
