"""Which target `initgate runtime` builds for: what the whole compiler command
predefines, options included.

`CC -dumpmachine` names the compiler's default target whatever -m32, -mx32
or -mbig-endian say; the runtime must follow the options, as the user's own
objects do, and refuse with one line what initgate does not support.
"""

import os
import re
import shlex

import pytest

from arch.toolchains import ARCHES, BUILDERS, CLANG, gcc_m32, missing, require_compiler
from conftest import require_tool, run, run_initgate
from initgate import cc_cache
from initgate.linker import targets
from initgate.linker.elf import ElfFile
from initgate.linker.runtime_build import predefined_macros
from initgate.runtime_c import SOURCE_DIR

EM_386 = 3
EM_X86_64 = 62
SUPPORTED = "supported: x86_64, i386, aarch64, arm, ppc64le, riscv64, s390x"


def macros_of(cc):
    return predefined_macros(list(cc))


@pytest.mark.parametrize("name", sorted(BUILDERS))
@pytest.mark.parametrize("arch", ARCHES)
def test_every_supported_compiler_matches_its_own_row_only(arch, name):
    macros = macros_of(require_compiler(arch, name).cc)
    matching = [t.arch for t in targets.TARGETS
                if all(macro in macros and (value is None or macros[macro] == value)
                       for macro, value in t.conditions())]
    assert matching == [arch], "%s %s: rows %s match its predefined macros" % (
        name, arch, matching)
    assert targets.by_predefined(macros) is targets.by_arch(arch)


@pytest.mark.parametrize("cc, arch", [
    (("gcc", "-m32"), "i386"),
    (("gcc", "-m64"), "x86_64"),
    ((CLANG, "-m32"), "i386"),
    ((CLANG, "--target=x86_64-linux-gnu", "-m32"), "i386"),
])
def test_target_options_choose_the_row(cc, arch):
    require_tool(cc[0], "gcc" if cc[0] == "gcc" else CLANG)
    assert targets.by_predefined(macros_of(cc)).arch == arch


def refusal(cc, tmp_path):
    """`initgate runtime --cc CC`'s one line of error, the object not written."""
    out = tmp_path / "rt.o"
    proc = run_initgate("runtime", "--cc", shlex.join(cc), "-o", out, check=False)
    assert proc.returncode == 1, proc.stderr
    assert len(proc.stderr.splitlines()) == 1, proc.stderr
    assert not out.exists()
    return proc.stderr


# (the architecture whose cross gcc to use, None for clang; the words added
# to that compiler's command; what the error says the command builds for)
UNSUPPORTED = [
    ("x86_64", ("-mx32",), "__x86_64__, 32-bit pointers, little-endian"),
    ("aarch64", ("-mbig-endian",), "__aarch64__, 64-bit pointers, big-endian"),
    ("aarch64", ("-mabi=ilp32",), "__aarch64__, 32-bit pointers, little-endian"),
    ("arm", ("-mfloat-abi=softfp",), "__arm__, 32-bit pointers, little-endian, "
                                     "no __ARM_PCS_VFP"),
    (None, ("--target=aarch64_be-linux-gnu",), "__aarch64__, 64-bit pointers, big-endian"),
    (None, ("--target=powerpc64-linux-gnu",), "__powerpc64__, 64-bit pointers, "
                                              "big-endian, _CALL_ELF 1"),
    (None, ("--target=riscv32-linux-gnu",), "__riscv, 32-bit pointers, little-endian"),
    (None, ("--target=mips-linux-gnu",),
     "an unknown CPU (none of __x86_64__, __i386__, __aarch64__, __arm__, __powerpc64__, "
     "__riscv, __s390x__), 32-bit pointers, big-endian"),
]


@pytest.mark.parametrize("arch, extra, described", UNSUPPORTED,
                         ids=[" ".join(case[1]) for case in UNSUPPORTED])
def test_an_unsupported_target_is_one_line_naming_it(arch, extra, described, tmp_path):
    cc = (require_compiler(arch, "gcc").cc if arch else
          (require_tool(CLANG, CLANG),)) + extra
    assert refusal(cc, tmp_path) == (
        "initgate: error: %s builds for a target initgate does not support: %s; %s\n"
        % (shlex.join(cc), described, SUPPORTED))


def machines(obj):
    """(the ELF header's e_machine, the one in the runtime's note) of an object."""
    with ElfFile(str(obj)) as elf:
        header, big_endian = elf.e_machine, elf.big_endian
    notes = run(["readelf", "-nW", obj]).stdout
    data = re.search(r"^\s*initgate\s.*description data: ([0-9a-f ]+)$", notes, re.M)
    assert data, "no initgate note in %s:\n%s" % (obj, notes)
    word = bytes.fromhex(data.group(1))[4:8]
    return header, int.from_bytes(word, "big" if big_endian else "little")


def built_for_i386(log, obj, no_libc):
    assert machines(obj) == (EM_386, EM_386)
    commands = [line for line in log.splitlines() if " -c " in line]
    assert commands and all("-DINITGATE_E_MACHINE=3 " in c for c in commands), log
    assembled = sorted(c.split()[-3].rsplit("/", 1)[-1] for c in commands if ".S -o " in c)
    assert assembled == (["i386.S"] if no_libc else [])


def test_gcc_m32_builds_an_i386_no_libc_runtime(tmp_path):
    # No C library headers needed: this one builds on any x86_64 gcc.
    require_tool("gcc", "gcc")
    out = tmp_path / "rt.o"
    log = run_initgate("-vv", "runtime", "--cc", "gcc -m32", "--no-libc", "-o", out).stderr
    built_for_i386(log, out, no_libc=True)


def test_gcc_m32_builds_an_i386_runtime_or_names_the_missing_c_library(tmp_path):
    require_tool("gcc", "gcc")
    out = tmp_path / "rt.o"
    proc = run_initgate("-vv", "runtime", "--cc", "gcc -m32", "-o", out, check=False)
    if proc.returncode == 0:
        built_for_i386(proc.stderr, out, no_libc=False)
        return
    error = proc.stderr.splitlines()[-1]
    assert re.fullmatch(r"initgate: error: gcc -m32 builds for i386, but has no C library "
                        r"headers for it \(\S+\.h, which \S+ includes, is missing\): .*",
                        error), proc.stderr
    assert not out.exists()
    chain = gcc_m32()
    absent = chain.absent()
    assert absent, "gcc -m32 has %s, and still no headers:\n%s" % (
        " ".join(chain.packages), proc.stderr)
    missing("gcc -m32 has no 32-bit C library here (%s): %s"
            % (", ".join(absent), chain.install))


@pytest.mark.parametrize("family", ["gcc", "clang"])
def test_a_compiler_without_the_targets_c_library_says_so(family, tmp_path):
    # A sysroot with nothing in it (gcc), or no system headers at all
    # (clang), stands in for a machine without the 32-bit C library.
    empty = tmp_path / "empty"
    empty.mkdir()
    cc = (("gcc", "-m32", "--sysroot=%s" % empty) if family == "gcc" else
          (CLANG, "--target=i686-linux-gnu", "-nostdinc"))
    require_tool(cc[0], cc[0])
    error = refusal(cc, tmp_path)
    match = re.fullmatch(r"initgate: error: (.*) builds for i386, but has no C library "
                         r"headers for it \((\S+\.h), which (\S+) includes, is missing\): "
                         r"install the C library's development files for i386, or build "
                         r"with a compiler that has them\n", error)
    assert match, error
    assert match.group(1) == shlex.join(cc)
    # The runtime's own files include the C library's headers.
    assert match.group(3).startswith(os.path.join(SOURCE_DIR, "")), error


def test_the_wrappers_cache_keeps_a_runtime_for_each_target(tmp_path):
    # `initgate cc` builds the runtime with the compile's target options
    # (cc_args.target_flags): gcc and gcc -m32 get one object each.
    require_tool("gcc", "gcc")
    cache = str(tmp_path / "cache")
    native = cc_cache.runtime_object(cache, ["gcc"], no_libc=True)
    m32 = cc_cache.runtime_object(cache, ["gcc", "-m32"], no_libc=True)
    assert native != m32
    assert machines(native) == (EM_X86_64, EM_X86_64)
    assert machines(m32) == (EM_386, EM_386)
