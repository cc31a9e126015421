"""verify reads the gate as the compilers users build with emit it.

One cell per compiler, linker, architecture and optimization level
(test_gated[clang-lld-aarch64-O2]), each verifying three libraries built
through the real pipeline:

    libgated.so    tests/verify/shapes.c, rewritten (a leaf, a caller of
                   another export, eleven arguments, void, variadic, a
                   structure returned in memory): "fully gated"
    libungated.so  the same plus tests/verify/ungated.c, whose exports each
                   fail to pass the gate first in one way (a store or a call
                   before it, a branch that does not decide on the state
                   alone, a wait that can be skipped): every one named
    libframes.so   tests/verify/frames.c, rewritten (frames of 5 KB, 64 KB
                   and 1 MB, one aligned to 64 bytes), and
                   tests/verify/ungated_frames.c (such frames and no gate, a
                   call or a store before it), both built with
                   -fstack-clash-protection, so that each frame is probed
                   before anything else: the first gated, the others named
                   (test_stack_clash)

Not every compiler implements -fstack-clash-protection on every
architecture: where the flag leaves the code as it is, NOT_PROBED says so,
test_stack_clash checks that it still does, and the frames are built, and
verified, without it.

Compilers (tests/arch/toolchains.py): each architecture's Debian gcc, with
GNU ld; clang 14 with Debian's cross sysroots, linked by GNU ld and by lld
(except on s390x, which lld 14 does not target); zig cc for musl, linked by
zig's own lld.  lld relaxes what GNU ld leaves (`adrp; add` becomes `nop;
adr` on aarch64, calls stay `auipc; jalr` on riscv64), so both are cells.

The runtime and the objects are built once per compiler and architecture,
in parallel, and shared by the links; patch-elf and verify run in process.
"""

import concurrent.futures
import os

import pytest

from arch.toolchains import ARCHES, require_compiler
from conftest import REPO, require_tool, run, run_initgate
from initgate.linker.patch import patch_library
from initgate.linker.runtime_build import build_runtime
from initgate.linker.verify import verify_library

HERE = os.path.join(REPO, "tests", "verify")
RUNTIME_DIR = os.path.join(REPO, "runtime_c")
OPT_LEVELS = ("-O0", "-O1", "-O2", "-O3", "-Os")
CFLAGS = ("-fPIC", "-Wall", "-Werror")

# Each compiler's linkers: the flags that pick one, and the tool (with its
# Debian package) it needs beyond the compiler; zig brings its own lld.
LINKERS = {
    "gcc": {"bfd": ((), None)},
    "clang": {"bfd": ((), None), "lld": (("-fuse-ld=lld",), ("ld.lld", "lld"))},
    "zig": {"lld": ((), None)},
}
# lld 14, Debian 12's, has no s390x target (lld 18 added it).
UNBUILDABLE = {("clang", "lld", "s390x")}

STACK_CLASH = "-fstack-clash-protection"
# Where the compiler builds the same code with the flag as without: clang 14
# warns that the flag is unused there, and so does zig's clang on arm; Debian
# 12's gcc 12 takes it on riscv64 and probes nothing.
NOT_PROBED = {("gcc", "riscv64"), ("clang", "aarch64"), ("clang", "arm"),
              ("clang", "riscv64"), ("zig", "arm")}

GATED = ("shapes_leaf", "shapes_caller", "shapes_many", "shapes_void", "shapes_variadic",
         "shapes_struct")
UNGATED = ("ungated_store_first", "ungated_store_global", "ungated_store_kept",
           "ungated_call_first", "ungated_call_extern_first", "ungated_peek",
           "ungated_no_wait", "ungated_store_between", "ungated_wait_sometimes",
           "ungated_inverted", "ungated_wrong_value", "ungated_store_before_wait",
           "ungated_call_before_wait")

FRAMES = ("frames_5k", "frames_64k", "frames_1m", "frames_aligned", "frames_variadic")
# clang and zig round ppc64's stack pointer down in a way verify does not
# follow (README, Known limits): frames_aligned is a false alarm there.
ALIGNMENT_NOT_FOLLOWED = {("clang", "ppc64le"), ("zig", "ppc64le")}
UNGATED_FRAMES = ("ungated_frame_no_gate", "ungated_frame_call", "ungated_frame_store")

CELLS = [(compiler, linker, arch, level)
         for compiler, linkers in LINKERS.items() for arch in ARCHES for linker in linkers
         for level in OPT_LEVELS if (compiler, linker, arch) not in UNBUILDABLE]
IDS = ["%s-%s-%s%s" % cell for cell in CELLS]


class Build:
    """One compiler and architecture: the runtime, then every level's objects and links."""

    def __init__(self, compiler, arch, cc, rewritten, workdir):
        self.workdir = workdir
        runtime = os.path.join(workdir, "initgate_rt.o")
        build_runtime(cc, runtime)
        self.probes = self.flag_changes_code(cc, rewritten["frames"])
        clash = (STACK_CLASH,) if self.probes else ()
        objects = {}
        compiles, links = [], []
        sources = (("shapes", rewritten["shapes"], ()),
                   ("ungated", os.path.join(HERE, "ungated.c"), ()),
                   ("frames", rewritten["frames"], clash),
                   ("ungated_frames", os.path.join(HERE, "ungated_frames.c"), clash))
        for level in OPT_LEVELS:
            for name, source, flags in sources:
                obj = self.path(level, name + ".o")
                objects[level, name] = obj
                compiles.append([*cc, level, *CFLAGS, *flags, "-I", RUNTIME_DIR, "-c", source,
                                 "-o", obj])
        libraries = (("gated", ("shapes",)), ("ungated", ("shapes", "ungated")),
                     ("frames", ("frames", "ungated_frames")))
        for linker, (flags, _) in LINKERS[compiler].items():
            if (compiler, linker, arch) in UNBUILDABLE:
                continue
            for level in OPT_LEVELS:
                for lib, parts in libraries:
                    out = self.library(linker, level, lib)
                    links.append([*cc, "-shared", *flags, "-o", out,
                                  *(objects[level, part] for part in parts), runtime,
                                  "-lpthread"])
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
            list(pool.map(run, compiles))
            list(pool.map(run, links))
        for cmd in links:
            patch_library(cmd[cmd.index("-o") + 1])

    def flag_changes_code(self, cc, source):
        """Whether the compiler emits other code for `source` with STACK_CLASH.

        Without -Werror: clang only warns where it does not implement it.
        """
        texts = []
        for name, flags in (("plain", ()), ("probed", (STACK_CLASH,))):
            out = os.path.join(self.workdir, "frames-%s.s" % name)
            run([*cc, "-O2", "-fPIC", *flags, "-I", RUNTIME_DIR, "-S", source, "-o", out])
            with open(out) as f:
                texts.append(f.read())
        return texts[0] != texts[1]

    def path(self, level, name):
        return os.path.join(self.workdir, level[1:] + "-" + name)

    def library(self, linker, level, name):
        return self.path(level, "%s-lib%s.so" % (linker, name))


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory):
    """shapes.c and frames.c, rewritten once for every cell."""
    out = tmp_path_factory.mktemp("rewritten")
    for name in ("shapes", "frames"):
        run_initgate("rewrite", "--init", name + "_init", "-o", out,
                     os.path.join(HERE, name + ".c"))
    return {name: str(out / (name + ".c")) for name in ("shapes", "frames")}


@pytest.fixture(scope="module")
def builds(rewritten, tmp_path_factory):
    """The Build of a compiler and architecture, made the first time a cell asks."""
    made = {}

    def get(compiler, linker, arch):
        chain = require_compiler(arch, compiler)
        tool = LINKERS[compiler][linker][1]
        if tool:
            require_tool(*tool)
        key = compiler, arch
        if key not in made:
            try:
                made[key] = Build(compiler, arch, chain.cc, rewritten,
                                  str(tmp_path_factory.mktemp("%s-%s" % key)))
            except Exception as err:    # every cell of this build reports it
                made[key] = err
        if isinstance(made[key], Exception):
            raise made[key]
        return made[key]
    return get


def verdicts(report):
    return {f.subject: f.kind for f in report.findings if not f.subject.startswith("library")}


@pytest.mark.parametrize("compiler,linker,arch,level", CELLS, ids=IDS)
def test_gated(builds, compiler, linker, arch, level):
    lib = builds(compiler, linker, arch).library(linker, level, "gated")
    report = verify_library(lib)
    text = report.text()
    assert "result: fully gated" in text, text
    assert verdicts(report) == dict({name: "gated" for name in GATED}, shapes_init="init"), text


@pytest.mark.parametrize("compiler,linker,arch,level", CELLS, ids=IDS)
def test_ungated(builds, compiler, linker, arch, level):
    lib = builds(compiler, linker, arch).library(linker, level, "ungated")
    report = verify_library(lib)
    text = report.text()
    found = verdicts(report)
    assert {name for name, kind in found.items() if kind == "FAIL"} == set(UNGATED), text
    assert [found[name] for name in GATED] == ["gated"] * len(GATED), text
    assert "result: NOT fully gated (%d exported functions, %d not gated" % (
        len(GATED) + 1 + len(UNGATED), len(UNGATED)) in text, text


@pytest.mark.parametrize("compiler,linker,arch,level", CELLS, ids=IDS)
def test_stack_clash(builds, compiler, linker, arch, level):
    build = builds(compiler, linker, arch)
    # A cell whose frames are not probed says so here, and only here.
    assert build.probes == ((compiler, arch) not in NOT_PROBED), (
        "%s on %s %s %s: update NOT_PROBED" % (compiler, arch, "now implements" if build.probes
                                             else "no longer implements", STACK_CLASH))
    report = verify_library(build.library(linker, level, "frames"))
    text = report.text()
    expected = dict({name: "gated" for name in FRAMES}, frames_init="init",
                    ungated_frame_word="data", **{name: "FAIL" for name in UNGATED_FRAMES})
    if (compiler, arch) in ALIGNMENT_NOT_FOLLOWED:
        expected["frames_aligned"] = "FAIL"
    assert verdicts(report) == expected, text
    # Each ungated one fails for what it does, not on the probes before it.
    assert not [f for f in report.failures if f.subject in UNGATED_FRAMES
                and "loop" in f.detail], text
