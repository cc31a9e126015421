"""`initgate runtime`: the object it builds and the errors it gives.

The behaviour of the runtime is tested in test_runtime.py; here, the shape
of what a user links: one relocatable object whose every symbol is hidden,
with no executable-stack request, the slow path kept cold, and the public
header usable in the strictest builds.
"""

import os
import re
import shlex
import shutil
import stat

import pytest

from arch.toolchains import require
from conftest import require_tool, run, run_initgate

RUNTIME_C = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "runtime_c")


@pytest.fixture(scope="module", params=[False, True], ids=["libc", "no-libc"])
def built(request, tmp_path_factory):
    require_tool("cc", "gcc")
    out = tmp_path_factory.mktemp("rt") / "rt.o"
    args = ["-vv", "runtime", "-o", out] + (["--no-libc"] if request.param else [])
    proc = run_initgate(*args)
    return out, proc.stderr, request.param


def symbols(obj):
    readelf = require_tool("readelf", "binutils")
    rows = []
    for line in run([readelf, "-sW", obj]).stdout.splitlines():
        fields = line.split()
        if len(fields) == 8 and fields[0][:-1].isdigit() and fields[6] != "UND":
            rows.append(fields)
    return rows


def test_every_defined_global_symbol_is_hidden(built):
    obj, _, _ = built
    exposed = [f[7] for f in symbols(obj) if f[4] != "LOCAL" and f[5] != "HIDDEN"]
    assert exposed == []
    names = {f[7] for f in symbols(obj)}
    assert {"_initgate_rt0_lib", "_initgate_wait", "_initgate_state",
            "_cgo_wait_runtime_init_done", "x_cgo_notify_runtime_init_done",
            "_initgate_islibrary", "initgate_state"} <= names


def test_slow_path_is_cold_and_stack_is_not_executable(built):
    obj, _, _ = built
    objdump = require_tool("objdump", "binutils")
    table = run([objdump, "-t", obj]).stdout
    assert re.search(r"\.text\.unlikely\s+\S+\s+\.hidden _initgate_wait$", table, re.M)
    sections = run(["readelf", "-SW", obj]).stdout
    stack = [line for line in sections.splitlines() if ".note.GNU-stack" in line]
    assert stack and "X" not in stack[0].split("PROGBITS")[1]


def test_every_compiler_command_is_logged_with_the_note_fields(built):
    _, log, no_libc = built
    lines = log.splitlines()
    commands = [line for line in lines if " -c " in line]
    assert all("-DINITGATE_E_MACHINE=62" in c for c in commands)
    assert all("-DINITGATE_NOTE_FLAGS=%d" % no_libc in c for c in commands)
    assert all("-fno-stack-protector" in c and "-fPIC" in c for c in commands)
    assert any(" -r -nostdlib " in line for line in lines)
    # The C files go through the compiler a few at a time (runtime_build's
    # units), each named in the log, and the assembly files one by one.
    flavour = ("nolibc_", "libc_") if no_libc else ("libc_", "nolibc_")
    wanted = sorted(n for n in os.listdir(RUNTIME_C) if n.endswith(".c")
                    and (n.startswith(flavour[0]) or not n.startswith(flavour[1])))
    included = sorted(name for line in lines for found in re.findall(r"/unit\d+\.c: (.*)$", line)
                      for name in found.split())
    assert included == wanted
    units = [c for c in commands if re.search(r"/unit\d+\.c -o ", c)]
    assert 1 <= len(units) <= 4
    assembled = sorted(os.path.basename(c.split()[-3]) for c in commands if ".S -o " in c)
    assert assembled == (["x86_64-gate.S", "x86_64.S"] if no_libc else ["x86_64-gate.S"])


def test_build_options_reach_the_compiler(tmp_path):
    proc = run_initgate("-vv", "runtime", "-o", tmp_path / "rt.o", "--stack-size", "256K",
                        "--watchdog", "0.5", "--failure-handler", "on_failure")
    assert "-DINITGATE_STACK_SIZE=262144UL" in proc.stderr
    assert "-DINITGATE_WATCHDOG_MS=500" in proc.stderr
    assert "-DINITGATE_FAILURE_HANDLER=on_failure" in proc.stderr


def test_public_headers_compile_freestanding_in_c89(tmp_path):
    source = tmp_path / "user.c"
    source.write_text('#include "gate.h"\n#include "initgate.h"\n'
                      "INITGATE_UNGATED int probe(void);\n"
                      "INITGATE_UNGATED int probe(void) { return initgate_state(0); }\n"
                      "int api(void) { _cgo_wait_runtime_init_done(); return 1; }\n")
    run(["cc", "-std=c89", "-pedantic", "-Wall", "-Wextra", "-Werror", "-ffreestanding",
         "-nostdinc", "-fsyntax-only", "-I", RUNTIME_C, source])


def test_print_include_dir_names_the_folder_of_initgate_h():
    folder = run_initgate("runtime", "--print-include-dir").stdout.strip()
    assert os.path.isfile(os.path.join(folder, "initgate.h"))


def test_unknown_target_is_one_clear_error(tmp_path):
    # A compiler that answers `-E -dM` as one for MIPS does; real compilers
    # for other unsupported targets are in test_runtime_target.py.
    fake = tmp_path / "mips-cc"
    fake.write_text("#!/bin/sh\nprintf '#define __mips__ 1\\n#define __SIZEOF_POINTER__ 4\\n"
                    "#define __BYTE_ORDER__ __ORDER_BIG_ENDIAN__\\n'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    proc = run_initgate("runtime", "--cc", fake, "-o", tmp_path / "rt.o", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("initgate: error: %s builds for a target initgate does "
                                  "not support: an unknown CPU (none of __x86_64__" % fake)
    assert proc.stderr.endswith("), 32-bit pointers, big-endian; supported: x86_64, i386, "
                                "aarch64, arm, ppc64le, riscv64, s390x\n")
    assert len(proc.stderr.splitlines()) == 1
    assert not (tmp_path / "rt.o").exists()


def test_missing_compiler_and_missing_output_are_clear_errors(tmp_path):
    proc = run_initgate("runtime", "--cc", "no-such-cc", "-o", tmp_path / "rt.o",
                        check=False)
    assert proc.returncode == 1
    assert proc.stderr == ("initgate: error: no-such-cc: compiler not found; install gcc "
                           "(Debian package gcc) or pass --cc\n")
    proc = run_initgate("runtime", check=False)
    assert proc.returncode == 2 and "-o OUT.o" in proc.stderr
    proc = run_initgate("runtime", "-o", tmp_path / "rt.o", "--stack-size", "lots",
                        check=False)
    assert proc.returncode == 2 and "--stack-size" in proc.stderr


def clang():
    return next((c for c in ("clang", "clang-14", "clang-15", "clang-16")
                 if shutil.which(c)), None) or require_tool("clang", "clang-14")


def test_a_sanitizer_compiler_gives_an_object_without_its_runtime(tmp_path):
    # The partial link must not pull the sanitizer's runtime into the object:
    # a library linked with it would define TSan's symbols a second time.
    out = tmp_path / "rt.o"
    run_initgate("runtime", "--cc", "%s -fsanitize=thread" % clang(), "-o", out)
    defined = run(["nm", "--defined-only", out]).stdout
    assert "__tsan_init" not in defined
    assert "__tsan_read4" in run(["nm", "--undefined-only", out]).stdout


@pytest.mark.parametrize("family", ["gcc", "clang"])
def test_no_libc_flags_follow_the_compiler_family(family, tmp_path):
    # gcc needs -fno-tree-loop-distribute-patterns to keep memset calls out;
    # clang (and zig cc) refuse that flag, and need none.
    cc = require_tool("cc", "gcc") if family == "gcc" else clang()
    out = tmp_path / "rt.o"
    log = run_initgate("-vv", "runtime", "--cc", cc, "--no-libc", "-o", out).stderr
    commands = [line for line in log.splitlines() if " -c " in line]
    assert commands and all("-ffreestanding" in c for c in commands)
    flagged = [c for c in commands if "-fno-tree-loop-distribute-patterns" in c]
    assert len(flagged) == (len(commands) if family == "gcc" else 0)
    undefined = run(["nm", "--undefined-only", out]).stdout.split()
    assert not {"memset", "memcpy"} & set(undefined)


def test_no_libc_runtime_inlines_its_atomics_on_aarch64(tmp_path):
    # Outline atomics would bring libgcc's helpers, whose constructor calls
    # glibc's __getauxval: no musl host could load the library.
    out = tmp_path / "rt.o"
    run_initgate("runtime", "--cc", shlex.join(require("aarch64").cc), "--no-libc",
                 "-o", out)
    symbols = run(["readelf", "-sW", out]).stdout
    assert "_initgate_rt0_lib" in symbols and "__aarch64_" not in symbols
