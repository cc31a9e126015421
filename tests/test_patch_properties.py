"""What patch-elf promises besides the edit itself, each proven on a real link.

The size and layout never change; the entry stays inside PT_GNU_RELRO; debug
info still maps the same addresses to the same lines; strip after patching
keeps a gated library that loads; readelf and eu-elflint warn about nothing
new; a second run changes nothing; -o keeps the input and the mode.
"""

import hashlib
import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "patch"))
import scenarios  # noqa: E402

from conftest import require_tool, run, run_initgate  # noqa: E402
from initgate.linker.describe import describe  # noqa: E402
from initgate.linker.elf import PT_GNU_RELRO, ElfFile  # noqa: E402
from initgate.linker.note import read_note  # noqa: E402
from initgate.linker.patch import patch_library  # noqa: E402


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.fixture
def lib(tmp_path):
    path, _ = scenarios.build("relro_now", str(tmp_path))
    return path


def patched_copy(lib):
    out = lib.replace(".so", ".patched.so")
    run_initgate("patch-elf", lib, "-o", out)
    return out


def test_size_and_layout_do_not_change(lib):
    out = patched_copy(lib)
    assert os.path.getsize(out) == os.path.getsize(lib)
    assert subprocess.run(["readelf", "-lSW", lib], capture_output=True, text=True).stdout \
        .replace(lib, "X") == subprocess.run(["readelf", "-lSW", out], capture_output=True,
                                             text=True).stdout.replace(out, "X")


def test_slot_stays_inside_relro(lib):
    out = patched_copy(lib)
    with ElfFile(out) as elf:
        note = read_note(elf)
        relro = elf.segments_of(PT_GNU_RELRO)
        assert relro, "the scenario links with -z relro"
        assert any(s.vaddr <= note.slot and note.slot + 8 <= s.vaddr + s.memsz for s in relro)


def exported_addresses(path):
    out = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True,
                         text=True, check=True).stdout
    return sorted(a for a, kind, _ in (line.split() for line in out.splitlines())
                  if kind == "T")


def test_addr2line_gives_the_same_lines(lib):
    require_tool("addr2line", "binutils")
    out = patched_copy(lib)
    addresses = exported_addresses(lib)
    assert addresses
    lines = [run(["addr2line", "-e", path, *addresses]).stdout for path in (lib, out)]
    assert lines[0] == lines[1]
    assert "lib.c:" in lines[0]


def test_gdb_gives_the_same_lines(lib):
    # gdb reads the DWARF line table through its own reader, a second witness
    # beside addr2line that patching moved no code and no debug info.
    require_tool("gdb", "gdb")
    out = patched_copy(lib)
    names = ("add", "lib_init")
    command = ["gdb", "-batch", "-nx"] + ["-ex=info line %s" % n for n in names]
    lines = [run([*command, path]).stdout for path in (lib, out)]
    assert lines[0] == lines[1]
    # lib_init may show twice: rewrite's local alias of it sits at the same place.
    for name in names:
        assert re.search(r'^Line \d+ of ".*lib\.c" starts at address 0x[0-9a-f]+ <%s>'
                         % name, lines[0], re.M), lines[0]


def loads_and_is_patched(path):
    """Load with the system loader, call an export, and reread the patched state."""
    script = ("import ctypes,sys; l=ctypes.CDLL(sys.argv[1]); "
              "print(l.add(2, 3))")
    proc = subprocess.run([sys.executable, "-c", script, path], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "6"
    text = describe(path)
    assert "_initgate_rt0_lib  <- reserved slot" in text
    assert "islibrary: 1" in text


@pytest.mark.parametrize("name", sorted(scenarios.SCENARIOS))
def test_every_linker_scenario_loads_gated(name, tmp_path):
    """What the golden dumps describe also loads and runs: GNU ld, gold, lld, RELR,
    --gc-sections, version scripts, an input stripped before patching."""
    if scenarios.tool_missing(scenarios.SCENARIOS[name]):
        require_tool(*scenarios.SCENARIOS[name].tool)
    lib, _ = scenarios.build(name, str(tmp_path))
    loads_and_is_patched(patched_copy(lib))


@pytest.mark.parametrize("strip", [
    ("strip", "--strip-all"), ("eu-strip",), ("objcopy", "--strip-debug")])
def test_strip_after_patching_keeps_a_gated_library(lib, strip):
    require_tool(strip[0], "elfutils" if strip[0].startswith("eu-") else "binutils")
    out = patched_copy(lib)
    if strip[0] == "objcopy":
        run([*strip, out, out])
    else:
        run([*strip, out])
    loads_and_is_patched(out)


def warnings_of(cmd, path):
    proc = subprocess.run([*cmd, path], capture_output=True, text=True)
    text = (proc.stdout if cmd[0] == "eu-elflint" else proc.stderr).replace(path, "FILE")
    return set(line for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("name", [
    "gnu_ld", "relro_now", "relr", "lld", "lld_nocombreloc", "gold"])
def test_no_new_warnings_from_readelf_or_elflint(name, tmp_path):
    require_tool("eu-elflint", "elfutils")
    if scenarios.tool_missing(scenarios.SCENARIOS[name]):
        require_tool(*scenarios.SCENARIOS[name].tool)
    lib, _ = scenarios.build(name, str(tmp_path))
    out = patched_copy(lib)
    for cmd in (["readelf", "-a", "-W"], ["eu-elflint", "--gnu-ld"]):
        assert warnings_of(cmd, out) <= warnings_of(cmd, lib), cmd


def test_patching_twice_changes_nothing(lib):
    run_initgate("patch-elf", lib)
    first = digest(lib)
    mtime = os.stat(lib).st_mtime_ns
    proc = run_initgate("patch-elf", lib)
    assert "already patched" in proc.stdout
    assert digest(lib) == first
    assert os.stat(lib).st_mtime_ns == mtime
    assert not patch_library(lib).changed


def test_output_keeps_input_and_mode(lib):
    os.chmod(lib, 0o750)
    before = digest(lib)
    out = patched_copy(lib)
    assert digest(lib) == before
    assert os.stat(out).st_mode & 0o7777 == 0o750
    assert digest(out) != before


def test_in_place_keeps_mode(lib):
    os.chmod(lib, 0o705)
    run_initgate("patch-elf", lib)
    assert os.stat(lib).st_mode & 0o7777 == 0o705
    assert "islibrary: 1" in describe(lib)


def test_in_place_through_a_symlink_patches_its_target(lib):
    target = lib + ".1.0"
    os.rename(lib, target)
    os.symlink(os.path.basename(target), lib)
    run_initgate("patch-elf", lib)
    assert os.path.islink(lib) and os.readlink(lib) == os.path.basename(target)
    assert "islibrary: 1" in describe(target)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_in_place_as_root_keeps_owner_and_group(lib):
    os.chown(lib, 65534, 65534)
    run_initgate("patch-elf", lib)
    assert (os.stat(lib).st_uid, os.stat(lib).st_gid) == (65534, 65534)
    assert "islibrary: 1" in describe(lib)


def test_verbose_lists_each_edit(lib):
    proc = run_initgate("patch-elf", "-v", lib)
    assert re.search(r"slot 0x[0-9a-f]+: R_X86_64_RELATIVE\(8\) addend", proc.stderr)
    assert "islibrary" in proc.stderr and "NODELETE" in proc.stderr
    assert "write at offset" not in proc.stderr


def test_very_verbose_shows_every_byte(lib):
    proc = run_initgate("patch-elf", "-vv", lib)
    assert re.search(r"write at offset 0x[0-9a-f]+: 00 00 00 00 -> 01 00 00 00", proc.stderr)


def readelf(*args):
    return subprocess.run(["readelf", *args], capture_output=True, text=True, check=True).stdout


def test_lld_relacount_becomes_flags_1(tmp_path):
    if scenarios.tool_missing(scenarios.SCENARIOS["lld"]):
        require_tool(*scenarios.SCENARIOS["lld"].tool)
    lib, _ = scenarios.build("lld", str(tmp_path))
    assert "(RELACOUNT)" in readelf("-d", lib) and "(FLAGS_1)" not in readelf("-d", lib)
    proc = run_initgate("patch-elf", "-v", lib)
    assert "DT_RELACOUNT" in proc.stderr and "-> DT_FLAGS_1 0x8 (NODELETE" in proc.stderr
    assert "warning" not in proc.stderr
    assert "nodelete: yes" in describe(lib)
    assert "(RELACOUNT)" not in readelf("-d", lib)


def test_no_spare_dynamic_entry_warns_once(tmp_path):
    if scenarios.tool_missing(scenarios.SCENARIOS["lld_nocombreloc"]):
        require_tool(*scenarios.SCENARIOS["lld_nocombreloc"].tool)
    lib, _ = scenarios.build("lld_nocombreloc", str(tmp_path))
    proc = run_initgate("patch-elf", lib)
    warnings = [line for line in proc.stderr.splitlines() if "DT_FLAGS_1" in line]
    assert len(warnings) == 1 and "no spare dynamic entry" in warnings[0]
    assert "islibrary: 1" in describe(lib)
