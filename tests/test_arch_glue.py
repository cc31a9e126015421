"""Each architecture's system call glue (runtime_c/arch/ARCH.S and ARCH.h), alone.

Three witnesses, cheapest first:
- the numbers in ARCH.h against the target's own <asm/unistd.h>, read through
  the cross compiler's preprocessor;
- the assembled object, read by readelf: both routines global and hidden,
  and a .note.GNU-stack section, so a library never asks for an executable
  stack;
- tests/arch/glue_harness.c, built for the target and run under qemu-user
  (i386 and x86_64 natively): threads from _initgate_clone0 on mmapped
  stacks do work and wake the parent through a futex; see its header for
  every check.
"""

import re
import subprocess

import pytest

from arch.toolchains import ARCHES, require
from conftest import REPO, run

ARCH_DIR = "%s/runtime_c/arch" % REPO
HARNESS = "%s/tests/arch/glue_harness.c" % REPO

# ABI.md, "Per-architecture glue": the names every ARCH.h defines.
SYSCALLS = ("write", "munmap", "mprotect", "futex", "clone", "exit", "exit_group",
            "gettid", "getpid", "tgkill", "rt_sigprocmask")
# Used by the runtime when an ARCH.h defines them.
OPTIONAL = ("INITGATE_SYS_prctl", "INITGATE_SYS_clock_gettime")


def defines(cc, source, *flags):
    """{macro: value} as the target's preprocessor sees them after `source`."""
    proc = subprocess.run([*cc, "-E", "-dM", *flags, "-"], input=source,
                          capture_output=True, text=True, check=True)
    found = {}
    for line in proc.stdout.splitlines():
        match = re.match(r"#define (\w+) (.*)", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def numbers(cc, macros, headers):
    """{macro: integer value} after including `headers`, evaluated by cc."""
    source = "".join("#include %s\n" % h for h in headers)
    # Numbered lines: the macro's own name would expand too.
    source += "".join("initgate_value %d = %s;\n" % (i, m) for i, m in enumerate(macros))
    proc = subprocess.run([*cc, "-E", "-P", "-"], input=source, capture_output=True,
                          text=True, check=True)
    values = {}
    for index, expr in re.findall(r"initgate_value (\d+) = (.*);", proc.stdout):
        macro = macros[int(index)]
        # ARM spells its numbers (__NR_SYSCALL_BASE + N), with a base of 0.
        if not re.fullmatch(r"[0-9+() ]+", expr):
            raise AssertionError("%s is not a sum of numbers: %s" % (macro, expr))
        values[macro] = sum(int(term) for term in re.findall(r"\d+", expr))
    return values


@pytest.mark.parametrize("arch", ARCHES)
def test_syscall_numbers_match_the_kernel_headers(arch):
    chain = require(arch)
    header = '"%s/%s.h"' % (ARCH_DIR, arch)
    ours = defines(chain.cc, "#include %s\n" % header)
    kernel = defines(chain.cc, "#include <asm/unistd.h>\n")

    # mmap2 where it exists: six registers, the offset in 4096-byte units.
    pairs = [("INITGATE_SYS_" + name, "__NR_" + name) for name in SYSCALLS]
    if "__NR_mmap2" in kernel:
        pairs.append(("INITGATE_SYS_mmap", "__NR_mmap2"))
        assert ours.get("INITGATE_MMAP_PGOFF") == "1", "mmap2 needs INITGATE_MMAP_PGOFF 1"
    else:
        pairs.append(("INITGATE_SYS_mmap", "__NR_mmap"))
        assert "INITGATE_MMAP_PGOFF" not in ours
    # Optional ones: right when defined.
    pairs += [(ours_name, "__NR_" + ours_name[len("INITGATE_SYS_"):])
              for ours_name in OPTIONAL if ours_name in ours]

    for name, _ in pairs:
        assert name in ours, "%s.h lacks %s" % (arch, name)
    values = numbers(chain.cc, [n for pair in pairs for n in pair],
                     [header, "<asm/unistd.h>"])
    for name, kernel_name in pairs:
        assert values[name] == values[kernel_name], "%s: %s" % (arch, name)


@pytest.mark.parametrize("arch", ARCHES)
def test_glue_object_is_hidden_with_a_non_executable_stack(arch, tmp_path):
    chain = require(arch)
    obj = tmp_path / (arch + ".o")
    run([*chain.cc, "-c", "-fPIC", "%s/%s.S" % (ARCH_DIR, arch), "-o", obj])

    symbols = run(["readelf", "-sW", obj]).stdout
    for name in ("_initgate_syscall", "_initgate_clone0"):
        rows = [line.split() for line in symbols.splitlines()
                if line.split()[-1:] == [name]]
        assert len(rows) == 1, "%s: %s defined %d times" % (arch, name, len(rows))
        assert rows[0][3:6] == ["FUNC", "GLOBAL", "HIDDEN"], rows[0]
    sections = run(["readelf", "-SW", obj]).stdout
    assert ".note.GNU-stack" in sections
    flags = re.search(r"\.note\.GNU-stack\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\w*)",
                      sections)
    assert flags and "X" not in flags.group(1), "%s: the stack note is executable" % arch


@pytest.mark.parametrize("arch", ARCHES)
def test_glue_runs_threads_and_system_calls(arch, tmp_path):
    chain = require(arch)
    harness = tmp_path / "glue_harness"
    run([*chain.cc, "-O2", "-Wall", "-Wextra", "-Werror", "-fno-stack-protector",
         "-include", "%s/%s.h" % (ARCH_DIR, arch), HARNESS,
         "%s/%s.S" % (ARCH_DIR, arch), "-o", harness, *chain.host_ldflags])

    proc = subprocess.run(chain.command(harness), capture_output=True, text=True,
                          timeout=120)
    assert (proc.returncode, proc.stdout) == (7, "glue ok\n"), proc.stderr
