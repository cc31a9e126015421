"""How the patch-elf and verify tests build their input libraries.

Each scenario is a way real builds link a library (GNU ld, gold, lld, RELR,
version scripts, ...).  `build` compiles tests/patch/lib.c and the runtime,
links them the scenario's way and returns the library with the exact commands
used, which the golden dumps record beside what patch-elf did to it.

`build_for_arch` does the same with a cross compiler and the real runtime
for that architecture (`initgate runtime --cc`), for tests/test_patch_arch.py.

The runtime object comes from `initgate runtime` once that subcommand exists;
until then from runtime_c/note.c plus stand_in_runtime.c, which define the
same hidden symbols (patch-elf reads only the note, the slot and relocations).
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

from initgate.linker import targets

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CFLAGS = ["-O2", "-g", "-fPIC"]


@dataclass(frozen=True)
class Scenario:
    cflags: tuple = ()
    ldflags: tuple = ()
    tool: tuple = ()          # (program, Debian package) the scenario needs
    strip_first: bool = False


SCENARIOS = {
    "gnu_ld": Scenario(),
    "relro_now": Scenario(ldflags=("-Wl,-z,relro,-z,now",)),
    "gc_sections": Scenario(cflags=("-ffunction-sections", "-fdata-sections"),
                            ldflags=("-Wl,--gc-sections",)),
    "version_script": Scenario(ldflags=("-Wl,--version-script=%s" % os.path.join(HERE,
                                                                              "lib.map"),)),
    "visibility_hidden": Scenario(cflags=("-fvisibility=hidden",)),
    "gold": Scenario(ldflags=("-fuse-ld=gold",), tool=("ld.gold", "binutils-gold")),
    "lld": Scenario(ldflags=("-fuse-ld=lld",), tool=("ld.lld", "lld")),
    # No spare dynamic entry and, relocations not sorted, no DT_RELACOUNT:
    # a layout where patch-elf cannot set NODELETE itself.
    "lld_nocombreloc": Scenario(ldflags=("-fuse-ld=lld", "-Wl,-z,nocombreloc"),
                                tool=("ld.lld", "lld")),
    "relr": Scenario(ldflags=("-Wl,-z,pack-relative-relocs",)),
    "stripped_input": Scenario(strip_first=True),
}


def has_real_runtime():
    return importlib.util.find_spec("initgate.linker.runtime_build") is not None


def run(cmd, cwd):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError("%s failed:\n%s%s" % (" ".join(cmd), proc.stdout, proc.stderr))
    return proc


_CACHE = []


def runtime_objects(workdir, e_machine=62):
    """The runtime's object files for the host compiler, built once per test run."""
    if not _CACHE:
        _CACHE.append(tempfile.mkdtemp(prefix="initgate-test-rt-"))
    workdir = _CACHE[0]
    if has_real_runtime() and e_machine == 62:
        rt = os.path.join(workdir, "initgate_rt.o")
        if not os.path.exists(rt):
            run([sys.executable, "-m", "initgate", "runtime", "-o", rt], workdir)
        return [rt]
    note = os.path.join(workdir, "note_%d.o" % e_machine)
    stand_in = os.path.join(workdir, "stand_in_runtime.o")
    if not os.path.exists(note):
        run(["gcc", "-O2", "-fPIC", "-fvisibility=hidden",
             "-DINITGATE_E_MACHINE=%d" % e_machine, "-DINITGATE_NOTE_FLAGS=0",
             "-c", os.path.join(REPO, "runtime_c", "note.c"), "-o", note], workdir)
    if not os.path.exists(stand_in):
        run(["gcc", "-O2", "-fPIC", "-c", os.path.join(HERE, "stand_in_runtime.c"),
             "-o", stand_in], workdir)
    return [stand_in, note]


def compile_object(source, workdir, cflags=(), name=None):
    obj = os.path.join(workdir, name or os.path.basename(source).replace(".c", ".o"))
    cmd = ["gcc", *CFLAGS, *cflags, "-c", os.path.join(HERE, source), "-o", obj]
    run(cmd, workdir)
    return obj, cmd


def build(name, workdir, extra_sources=()):
    """Link scenario `name` in `workdir`: (library path, the commands as text)."""
    scenario = SCENARIOS[name]
    os.makedirs(workdir, exist_ok=True)
    objects, commands = [], []
    for source in ("lib.c",) + tuple(extra_sources):
        obj, cmd = compile_object(source, workdir, scenario.cflags)
        objects.append(obj)
        commands.append(cmd)
    lib = os.path.join(workdir, "lib%s.so" % name)
    # The runtime goes last, so the library's own constructors run first (ABI.md).
    link = ["gcc", "-shared", *scenario.ldflags, "-o", lib, *objects,
            *runtime_objects(workdir)]
    run(link, workdir)
    commands.append(link)
    if scenario.strip_first:
        strip = ["strip", "--strip-all", lib]
        run(strip, workdir)
        commands.append(strip)
    text = "\n".join(" ".join(_shown(arg, workdir) for arg in cmd) for cmd in commands)
    return lib, text


def cross_cc(arch):
    """The compiler the architecture tests use: the Debian cross gcc, or gcc."""
    target = targets.by_arch(arch)
    return "gcc" if arch == "x86_64" else target.debian_triple + "-gcc"


def build_for_arch(arch, workdir, sources, cflags=CFLAGS, name="lib", ldflags=()):
    """Link `sources` with the real runtime for `arch`: (library, commands as text).

    The runtime object is built once per workdir, with `initgate runtime --cc`.
    """
    cc = cross_cc(arch)
    os.makedirs(workdir, exist_ok=True)
    rt = os.path.join(workdir, "initgate_rt.o")
    commands = [["initgate", "runtime", "--cc", cc, "-o", rt]]
    if not os.path.exists(rt):
        run([sys.executable, "-m", "initgate", "runtime", "--cc", cc, "-o", rt], workdir)
    objects = []
    for source in sources:
        obj = os.path.join(workdir, "%s-%s" % (name, os.path.basename(source)[:-2] + ".o"))
        cmd = [cc, *cflags, "-c", os.path.join(HERE, source), "-o", obj]
        run(cmd, workdir)
        objects.append(obj)
        commands.append(cmd)
    lib = os.path.join(workdir, "%s.so" % name)
    link = [cc, "-shared", *ldflags, "-o", lib, *objects, rt]
    run(link, workdir)
    commands.append(link)
    text = "\n".join(" ".join(_shown(arg, workdir) for arg in cmd) for cmd in commands)
    return lib, text


def _shown(arg, workdir):
    """An argument as the golden file shows it: no temporary or checkout paths."""
    for folder in [workdir] + _CACHE:
        arg = arg.replace(folder + os.sep, "")
    return arg.replace(HERE + os.sep, "tests/patch/")


def tool_missing(scenario):
    if scenario.tool and not shutil.which(scenario.tool[0]):
        return "%s not found: install the Debian package %s" % scenario.tool
    return None
