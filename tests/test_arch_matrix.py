"""The architecture matrix: the whole pipeline for every architecture and flavour.

One test per cell, named ARCH-FLAVOUR (test_matrix[aarch64-nolibc]), so the
README's table can cite each one.  A cell runs what a user runs:

    initgate rewrite matrix_lib.c            (once: the output is the same text
                                              for every target)
    CC -c the rewritten source and the hold helper
    initgate runtime --cc CC [--no-libc]     (the runtime for CC's target)
    CC -shared ... runtime.o                 (the runtime linked last, ABI.md)
    initgate patch-elf libmatrix.so

then runs tests/arch/matrix_host.c, built for the same target (a glibc
program even for the no-libc library; a musl one for musl), under qemu-user
or natively (x86_64, and i386 through its C library's loader).  The host
holds init on a futex word it releases itself, so every step is
deterministic: see the host's header for how it knows each caller is asleep
at the gate.

Flavours: glibc (the pthreads runtime, Debian's cross gcc), nolibc (the
clone0 runtime in a -nostdlib -ffreestanding library) and musl (the
pthreads runtime again, built by musl-gcc on x86_64 and zig cc elsewhere:
tests/arch/toolchains.py), where the loader passes .init_array functions
no arguments, so init must learn main's from /proc.

A no-libc library depends on no C library, so any host may load it: the
last test loads one into a musl host on every architecture, where the
runtime must see that the loader passed nothing.
"""

import os
import re
import shlex
import subprocess

import pytest

from arch.toolchains import ARCHES, require, require_compiler
from conftest import REPO, run, run_initgate
from initgate.linker.describe import describe

HERE = os.path.join(REPO, "tests", "arch")
RUNTIME_DIR = os.path.join(REPO, "runtime_c")
THREADS = 4
CFLAGS = ["-O2", "-Wall", "-Wextra", "-Werror"]

CELLS = [(arch, flavour) for arch in ARCHES for flavour in ("glibc", "nolibc", "musl")]


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory):
    """matrix_lib.c, rewritten once for every cell."""
    out = tmp_path_factory.mktemp("rewritten")
    run_initgate("rewrite", "--init", "matrix_init", "-o", out,
                 os.path.join(HERE, "matrix_lib.c"), "--", "-I", RUNTIME_DIR)
    return out / "matrix_lib.c"


def build_library(tmp_path, cc, arch, flavour, source, ldflags=(), patch=True):
    """The gated, patched libmatrix.so for one cell; `cc` is the compiler's argv."""
    objects = [tmp_path / "matrix_lib.o", tmp_path / "hold.o"]
    runtime = tmp_path / "initgate_rt.o"
    lib = tmp_path / "libmatrix.so"
    if flavour == "nolibc":
        freestanding = ["-ffreestanding", "-nostdinc", "-fno-builtin"]
        run([*cc, *CFLAGS, *freestanding, "-fPIC", "-I", RUNTIME_DIR, "-c", source,
             "-o", objects[0]])
        run([*cc, *CFLAGS, *freestanding, "-fPIC", "-include",
             os.path.join(RUNTIME_DIR, "arch", arch + ".h"),
             "-c", os.path.join(HERE, "hold_nolibc.c"), "-o", objects[1]])
        run_initgate("runtime", "--cc", shlex.join(cc), "--no-libc", "-o", runtime)
        # libgcc supplies what the compiler may call for arithmetic or atomics
        # on some targets; it needs no C library.
        run([*cc, "-shared", "-nostdlib", *ldflags, "-o", lib, *objects, runtime, "-lgcc"])
    else:
        run([*cc, *CFLAGS, "-fPIC", "-I", RUNTIME_DIR, "-c", source, "-o", objects[0]])
        run([*cc, *CFLAGS, "-fPIC", "-c", os.path.join(HERE, "hold_libc.c"),
             "-o", objects[1]])
        run_initgate("runtime", "--cc", shlex.join(cc), "-o", runtime)
        run([*cc, "-shared", *ldflags, "-o", lib, *objects, runtime, "-lpthread"])
    if patch:
        run_initgate("patch-elf", lib)
    return lib


def build_host(tmp_path, cc, ldflags):
    host = tmp_path / "matrix_host"
    run([*cc, *CFLAGS, "-o", host, os.path.join(HERE, "matrix_host.c"), "-rdynamic",
         "-ldl", "-lpthread", *ldflags])
    return host


def expected_lines(arguments):
    return [
        "dlopen returned while init is held",
        "%d callers asleep at the gate" % THREADS,
        "init runs on its own thread",
        "%d callers saw the initialized state" % THREADS,
        arguments,
    ]


@pytest.mark.parametrize("arch,flavour", CELLS, ids=["-".join(c) for c in CELLS])
def test_matrix(arch, flavour, rewritten, tmp_path):
    chain = require(arch, "musl" if flavour == "musl" else "glibc")
    lib = build_library(tmp_path, chain.cc, arch, flavour, rewritten)
    host = build_host(tmp_path, chain.cc, chain.host_ldflags)

    proc = run(chain.command(host, lib, THREADS), timeout=300)
    # The host passes LIBRARY and THREADS: argc is 3.
    assert proc.stdout.splitlines() == expected_lines("init saw main's 3 arguments")


# lld 14 links every architecture initgate supports but s390x.
LLD_ARCHES = [arch for arch in ARCHES if arch != "s390x"]


@pytest.mark.parametrize("arch", LLD_ARCHES)
def test_glibc_library_linked_by_lld(arch, rewritten, tmp_path):
    """lld leaves no spare dynamic entry: patch-elf turns DT_RELACOUNT (DT_RELCOUNT on
    REL architectures) into DT_FLAGS_1, and glibc's loader, which then has no count
    of relative relocations, must still apply them all."""
    glibc = require(arch)
    clang = require_compiler(arch, "clang")
    lib = build_library(tmp_path, clang.cc, arch, "glibc", rewritten, ("-fuse-ld=lld",))
    text = describe(str(lib))
    assert "nodelete: yes" in text and not re.search(r"\bRELA?COUNT\b", text)
    host = build_host(tmp_path, glibc.cc, glibc.host_ldflags)

    proc = run(glibc.command(host, lib, THREADS), timeout=300)
    assert proc.stdout.splitlines() == expected_lines("init saw main's 3 arguments")


def test_nolibc_library_without_room_for_nodelete_is_refused(rewritten, tmp_path):
    """lld -z nocombreloc leaves no entry that can become DT_FLAGS_1, and the no-libc
    runtime cannot pin the library at run time: patch-elf must refuse, not warn."""
    clang = require_compiler("x86_64", "clang")
    lib = build_library(tmp_path, clang.cc, "x86_64", "nolibc", rewritten,
                        ("-fuse-ld=lld", "-Wl,-z,nocombreloc"), patch=False)
    before = lib.read_bytes()
    proc = run_initgate("patch-elf", lib, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [
        "initgate: error: %s: no dynamic entry can hold DT_FLAGS_1 NODELETE, and the no-libc "
        "runtime cannot keep the library loaded by itself; relink it with -Wl,-z,nodelete"
        % lib]
    assert lib.read_bytes() == before

    relinked = build_library(tmp_path, clang.cc, "x86_64", "nolibc", rewritten,
                             ("-fuse-ld=lld", "-Wl,-z,nocombreloc", "-Wl,-z,nodelete"))
    assert "nodelete: yes" in describe(str(relinked))


@pytest.mark.parametrize("arch", ARCHES)
def test_nolibc_library_in_a_musl_host(arch, rewritten, tmp_path):
    glibc = require(arch)
    musl = require(arch, "musl")
    lib = build_library(tmp_path, glibc.cc, arch, "nolibc", rewritten)
    host = build_host(tmp_path, musl.cc, musl.host_ldflags)

    proc = subprocess.run(musl.command(host, lib, THREADS), capture_output=True,
                          text=True, timeout=300)
    # initgate.h: where the loader passes nothing, the no-libc flavour has no
    # arguments to give (argc 0, argv null).
    assert (proc.returncode, proc.stdout.splitlines()) == (
        0, expected_lines("init saw no arguments")), proc.stderr
