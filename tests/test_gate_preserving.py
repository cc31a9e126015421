"""The x86_64 way into the gate's slow path keeps every register.

gate.h enters the slow path from inline assembly that tells the compiler
nothing but the flags changes, so runtime_c/arch/x86_64-gate.S must give
back every general register, the stack pointer, and the SSE, AVX or AVX-512
state (whichever this CPU has), whatever init does meanwhile, and with the
stack at either alignment a function may leave it; and a backtrace taken
inside must go on through the gated function to its caller.

tests/runtime/preserving.c is rewritten with its init function, compiled,
and linked as a program with the runtime, so its first gated call runs init
right there, inside the slow path (see that file).
"""

import re
import subprocess

import pytest

from conftest import REPO, require_tool, run, run_initgate
from initgate.linker.runtime_build import build_runtime

SOURCE = "%s/tests/runtime/preserving.c" % REPO
RUNTIME_C = "%s/runtime_c" % REPO


def cpu_level():
    """0, 1 or 2: what /proc/cpuinfo says this CPU has of SSE, AVX, AVX-512."""
    with open("/proc/cpuinfo") as f:
        flags = set(re.search(r"^flags\s*:(.*)$", f.read(), re.M).group(1).split())
    return 2 if "avx512f" in flags else 1 if "avx" in flags else 0


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    gcc = require_tool("gcc", "gcc")
    machine = subprocess.run([gcc, "-dumpmachine"], capture_output=True, text=True).stdout
    if not machine.startswith("x86_64"):
        pytest.skip("the preserving entry is x86_64's; gcc targets %s" % machine)
    work = tmp_path_factory.mktemp("preserving")
    run_initgate("rewrite", "--init", "preserving_init", "-o", work / "src", SOURCE,
                 "--", "-I", RUNTIME_C)
    obj = work / "preserving.o"
    run([gcc, "-O2", "-g", "-Wall", "-Werror", "-I", RUNTIME_C, "-c",
         work / "src" / "preserving.c", "-o", obj])
    exe = work / "preserving"
    run([gcc, "-rdynamic", "-o", exe, obj, build_runtime(gcc, work / "rt.o"), "-lpthread"])
    return exe


@pytest.mark.parametrize("misalign", ["0", "1"])
def test_every_register_comes_back_from_the_slow_path(program, misalign):
    proc = subprocess.run([program, "regs", misalign], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "preserved %d\n" % cpu_level()


def test_a_backtrace_from_inside_goes_on_through_the_gated_function(program):
    proc = subprocess.run([program, "trace"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "traced\n"
