"""patch-elf and verify on every architecture, with the real runtime for each.

For each architecture one module-scoped build (so each compiler runs once
per session): `initgate runtime --cc TRIPLE-gcc`, then two libraries,

    libgated.so      lib.c, probe.c, gate_call.c at -O2 (every export gated,
                     by the inlined gate or by a call of the gate function)
    libforgotten.so  lib.c and probe.c at -O0, plus unrewritten.c (one export
                     compiled from source that never went through rewrite)

and the tiny tests/patch/load_host.c for the same target.  The tests then:

    golden      patch-elf's edits as tests/patch/golden/arch_ARCH.txt, with
                readelf (binutils reads every architecture) as a witness, and
                eu-elflint --gnu-ld warning about nothing new
    loads       the patched library, dlopened under qemu-user (i386 and x86_64
                natively), has init started before any call, and the same
                library unpatched has not
    verify      passes the gated library, with -O2 and -O0 code; fails the one
                with the unrewritten object and names its function
"""

import json
import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "patch"))
import scenarios  # noqa: E402
from test_patch_golden import witness_readelf  # noqa: E402

from arch.toolchains import ARCHES, require  # noqa: E402
from conftest import REPO, require_tool, run, run_initgate  # noqa: E402
from initgate.linker import targets  # noqa: E402
from initgate.linker.describe import describe  # noqa: E402
from initgate.linker.elf import DT_GNU_HASH, DT_HASH, ElfFile  # noqa: E402

GOLDEN = os.path.join(scenarios.HERE, "golden")
GATED = ("lib.c", "probe.c", "gate_call.c")
FORGOTTEN = ("lib.c", "probe.c", "unrewritten.c")
O0 = ("-O0", "-fPIC")


class Built:
    """What one architecture's build left: libraries, their patched copies, the host."""

    def __init__(self, arch, chain, workdir):
        self.arch, self.chain, self.workdir = arch, chain, workdir
        self.target = targets.by_arch(arch)
        self.gated, self.commands = scenarios.build_for_arch(
            arch, workdir, GATED, name="libgated")
        self.forgotten, _ = scenarios.build_for_arch(
            arch, workdir, FORGOTTEN, cflags=O0, name="libforgotten")
        self.gated_patched = self.patched_copy(self.gated)
        self.forgotten_patched = self.patched_copy(self.forgotten)
        self.host = os.path.join(workdir, "load_host")
        run([*chain.cc, "-O2", os.path.join(scenarios.HERE, "load_host.c"), "-o", self.host,
             *chain.host_ldflags, "-ldl"])

    def patched_copy(self, lib):
        out = lib.replace(".so", ".patched.so")
        run_initgate("patch-elf", lib, "-o", out)
        return out

    def run_host(self, lib):
        proc = run(self.chain.command(self.host, lib), timeout=120)
        return [int(n) for n in proc.stdout.split()]


@pytest.fixture(scope="module", params=ARCHES)
def built(request, tmp_path_factory):
    chain = require(request.param)
    return Built(request.param, chain, str(tmp_path_factory.mktemp(request.param)))


def test_golden(built):
    require_tool("readelf", "binutils")
    text = "# built by\n%s\ninitgate patch-elf libgated.so -o libgated.patched.so\n\n" \
           "# before patch-elf\n%s\n# after patch-elf\n%s" % (
               built.commands.replace(REPO + os.sep, ""), describe(built.gated),
               describe(built.gated_patched))
    path = os.path.join(GOLDEN, "arch_%s.txt" % built.arch)
    if os.environ.get("INITGATE_UPDATE_GOLDEN") == "1":
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        assert text == f.read()
    witness_readelf(built.gated_patched, describe(built.gated_patched), stripped=False,
                    target=built.target)


def test_no_new_elflint_warnings(built):
    require_tool("eu-elflint", "elfutils")
    before = elflint(built.gated)
    assert elflint(built.gated_patched) <= before


def elflint(path):
    proc = subprocess.run(["eu-elflint", "--gnu-ld", path], capture_output=True, text=True)
    return set(line.replace(path, "FILE") for line in proc.stdout.splitlines() if line.strip())


def test_init_starts_at_load(built):
    """State after dlopen, before any call: running or done once patched, 0 before."""
    at_load, total, after = built.run_host(built.gated_patched)
    assert at_load in (1, 2) and total == 6 and after == 2
    at_load, total, after = built.run_host(built.gated)
    assert at_load == 0 and total == 6 and after == 2


def manifest(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({
        "version": 1, "init": "lib_init",
        "ungated": [{"name": "lib_state", "file": "probe.c", "line": 8,
                     "reason": "a query that must not wait"}]}))
    return str(path)


def verdicts(proc):
    return {line.split()[1].rstrip(":"): line.split()[0] for line in proc.stdout.splitlines()
            if line.startswith("  ")}


def test_verify_passes_gated_code(built, tmp_path):
    proc = run_initgate("verify", built.gated_patched, "--manifest", manifest(tmp_path),
                        check=False)
    assert proc.returncode == 0, proc.stdout
    found = verdicts(proc)
    assert [found[name] for name in ("add", "add_twice", "name", "by_hand")] == ["gated"] * 4
    assert "calls the gate" in [line for line in proc.stdout.splitlines() if "by_hand" in line][0]


def test_verify_names_the_unrewritten_function(built, tmp_path):
    """At -O0 the gated exports still pass; the one never rewritten fails, by name."""
    proc = run_initgate("verify", built.forgotten_patched, "--manifest", manifest(tmp_path),
                        check=False)
    assert proc.returncode == 1, proc.stdout
    found = verdicts(proc)
    assert [found[name] for name in ("add", "add_twice", "name")] == ["gated"] * 3
    assert found["forgotten"] == "FAIL"
    assert "1 not gated" in proc.stdout


def test_dynamic_symbols_through_a_sysv_hash_table(built):
    """DT_HASH alone sizes the symbol table: its entries are 8 bytes on s390x, 4 elsewhere."""
    require_tool("readelf", "binutils")
    lib, _ = scenarios.build_for_arch(built.arch, built.workdir, ("lib.c",), name="libsysv",
                                      ldflags=("-Wl,--hash-style=sysv",))
    with ElfFile(lib) as elf:
        assert elf.dyn_value(DT_GNU_HASH) is None and elf.dyn_value(DT_HASH) is not None
        symbols = elf.dynamic_symbols()
    listed = run(["readelf", "--wide", "--dyn-syms", lib]).stdout
    count = re.search(r"Symbol table '.dynsym' contains (\d+) entries", listed).group(1)
    assert len(symbols) == int(count)
    assert {"add", "add_twice", "name", "lib_init"} <= {s.name for s in symbols}


def test_verify_says_when_it_cannot_decode(tmp_path):
    """Power10's prefixed pc-relative loads are beyond capstone 5: say so, never pass."""
    require("ppc64le")
    lib, _ = scenarios.build_for_arch("ppc64le", str(tmp_path), ("lib.c",),
                                      cflags=("-O2", "-fPIC", "-mcpu=power10"))
    run_initgate("patch-elf", lib)
    proc = run_initgate("verify", lib, "--manifest", manifest(tmp_path), check=False)
    assert proc.returncode == 1
    line = [line for line in proc.stdout.splitlines() if line.split()[1] == "add:"][0]
    assert "FAIL     add: cannot check machine code for ppc64le: capstone cannot decode" in line


def test_an_isa_without_a_matcher_is_refused(tmp_path):
    """A target row without a matcher makes verify refuse in one line, not pass."""
    from initgate.errors import ToolchainError
    from initgate.linker.gatecheck import GateChecker, Places

    class NoMatcher:
        arch, capstone, gate_isa = "newarch", (), ""

    class File:
        path = "lib.so"

    with pytest.raises(ToolchainError, match="^lib.so: cannot check machine code for "
                                             "newarch$"):
        GateChecker(File(), NoMatcher(), Places(0, 0, 0))
