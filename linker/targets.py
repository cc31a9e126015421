"""What initgate knows about each target architecture, as one table.

Every per-architecture fact the Python side needs lives in a row here: the
macros a compiler predefines when it builds for the architecture, the ELF
machine number and relative relocation the patcher looks for, and how tests
reach a toolchain and an emulator.  Code looks facts up; it never branches
on an architecture.
"""


class Target:
    """One architecture's facts; a plain class, since `dataclasses` costs patch-elf's
    start-up more than the whole edit does."""

    __slots__ = ("arch", "predefined", "e_machine", "elf_class", "big_endian",
                 "relative_reloc", "debian_triple", "qemu", "relative_name", "capstone",
                 "gate_isa", "proc_tags", "no_libc_cflags")

    def __init__(self, arch, predefined, e_machine, elf_class, big_endian, relative_reloc,
                 debian_triple, qemu, relative_name, capstone=(), gate_isa="", proc_tags=(),
                 no_libc_cflags=()):
        self.arch = arch                      # runtime_c/arch/<arch>.S and .h
        # The macros that `CC -E -dM` defines for this target, besides the
        # pointer size and byte order that elf_class and big_endian give:
        # "NAME" for any value, "NAME=VALUE" for that one.  The CPU's own
        # macro comes first; the others are the ABI the runtime was made for.
        self.predefined = predefined
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

    def conditions(self):
        """(macro, value) pairs a compiler building for this target predefines;
        value None: any value."""
        return [(POINTER_SIZE, str(self.elf_class // 8)),
                (BYTE_ORDER, BYTE_ORDERS[self.big_endian])] + self.abi_conditions()

    def abi_conditions(self):
        """The pairs of `predefined`: the CPU's macro, then the ABI's."""
        return [(name, value or None) for name, _, value in
                (spec.partition("=") for spec in self.predefined)]


POINTER_SIZE = "__SIZEOF_POINTER__"
BYTE_ORDER = "__BYTE_ORDER__"
BYTE_ORDERS = {False: "__ORDER_LITTLE_ENDIAN__", True: "__ORDER_BIG_ENDIAN__"}


TARGETS = (
    Target("x86_64", ("__x86_64__",), 62, 64, False, 8, "x86_64-linux-gnu", "x86_64",
           "R_X86_64_RELATIVE", ("CS_ARCH_X86", "CS_MODE_64"), "x86"),
    Target("i386", ("__i386__",), 3, 32, False, 8,
           "i686-linux-gnu", "i386", "R_386_RELATIVE", ("CS_ARCH_X86", "CS_MODE_32"), "x86"),
    Target("aarch64", ("__aarch64__",), 183, 64, False, 1027, "aarch64-linux-gnu", "aarch64",
           "R_AARCH64_RELATIVE", ("CS_ARCH_ARM64", "CS_MODE_ARM"), "aarch64",
           ((0x70000001, "AARCH64_BTI_PLT"), (0x70000003, "AARCH64_PAC_PLT"),
            (0x70000005, "AARCH64_VARIANT_PCS")),
           # gcc's default calls libgcc's atomics, whose constructor asks glibc's
           # __getauxval which CPU this is: a no-libc library would need glibc.
           ("-mno-outline-atomics",)),
    # EABI, whose system call numbers arch/arm.h has, and hard float, which the
    # tests build and run (the README's table).
    Target("arm", ("__arm__", "__ARM_EABI__", "__ARM_PCS_VFP"), 40, 32, False, 23,
           "arm-linux-gnueabihf", "arm", "R_ARM_RELATIVE",
           ("CS_ARCH_ARM", "CS_MODE_THUMB", "CS_MODE_ARM"), "arm"),
    # ELFv2, which the clone glue (arch/ppc64le.S) and verify's gate matcher expect.
    Target("ppc64le", ("__powerpc64__", "_CALL_ELF=2"), 21, 64, False, 22,
           "powerpc64le-linux-gnu", "ppc64le", "R_PPC64_RELATIVE",
           ("CS_ARCH_PPC", "CS_MODE_64"), "ppc64",
           ((0x70000000, "PPC64_GLINK"), (0x70000003, "PPC64_OPT"))),
    Target("riscv64", ("__riscv",), 243, 64, False, 3, "riscv64-linux-gnu", "riscv64",
           "R_RISCV_RELATIVE", ("CS_ARCH_RISCV", "CS_MODE_RISCV64|CS_MODE_RISCVC"), "riscv",
           ((0x70000001, "RISCV_VARIANT_CC"),)),
    Target("s390x", ("__s390x__",), 22, 64, True, 12, "s390x-linux-gnu", "s390x",
           "R_390_RELATIVE", ("CS_ARCH_SYSZ", "CS_MODE_BIG_ENDIAN"), "s390x"),
)


def by_arch(arch):
    for target in TARGETS:
        if target.arch == arch:
            return target
    return None


def by_predefined(macros):
    """The target of a compiler whose predefined macros are `macros` (name to
    value, as `CC -E -dM -x c /dev/null` prints them), or None."""
    for target in TARGETS:
        if all(_holds(macros, name, value) for name, value in target.conditions()):
            return target
    return None


def describe_predefined(macros):
    """What `macros` say a compiler builds for, in the terms of the rows'
    conditions: for naming a target that no row matches."""
    cpus = list(dict.fromkeys(t.predefined[0] for t in TARGETS))
    cpu = next((name for name in cpus if name in macros), None)
    parts = [cpu or "an unknown CPU (none of %s)" % ", ".join(cpus)]
    size = macros.get(POINTER_SIZE, "")
    parts.append("%d-bit pointers" % (int(size) * 8) if size.isdigit()
                 else "no " + POINTER_SIZE)
    orders = {value: big for big, value in BYTE_ORDERS.items()}
    big = orders.get(macros.get(BYTE_ORDER))
    parts.append("no " + BYTE_ORDER if big is None else "big-endian" if big
                 else "little-endian")
    for target in TARGETS:
        if target.predefined[0] != cpu:
            continue
        for name, value in target.abi_conditions()[1:]:
            if name not in macros:
                parts.append("no " + name)
            elif not _holds(macros, name, value):
                parts.append("%s %s" % (name, macros[name]))
    return ", ".join(dict.fromkeys(parts))


def _holds(macros, name, value):
    return name in macros and (value is None or macros[name] == value)


def by_e_machine(e_machine):
    for target in TARGETS:
        if target.e_machine == e_machine:
            return target
    return None
