"""patch-elf on bad input: one clear line, exit 1, the input byte-for-byte unchanged."""

import hashlib
import os
import struct
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "patch"))
import scenarios  # noqa: E402

from conftest import require_tool, run, run_initgate  # noqa: E402


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def fails_cleanly(path, *extra, named=None):
    """Run patch-elf on `path`; return its one error line after checking the rules.

    The line must name `named` (the input by default) as the file at fault.
    """
    before = digest(path)
    proc = run_initgate("patch-elf", path, *extra, check=False)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("initgate: error: %s: " % (named or path))
    assert "Traceback" not in proc.stderr
    assert digest(path) == before
    return lines[0]


@pytest.fixture
def lib(tmp_path):
    path, _ = scenarios.build("gnu_ld", str(tmp_path))
    return path


def test_not_elf(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just text\n")
    assert "not an ELF file" in fails_cleanly(str(path))


def test_empty_file(tmp_path):
    path = tmp_path / "empty.so"
    path.write_bytes(b"")
    assert "not an ELF file" in fails_cleanly(str(path))


def test_cut_inside_the_identification(tmp_path):
    path = tmp_path / "cut.so"
    path.write_bytes(b"\x7fELF\x02\x01\x01")
    assert "truncated or corrupt ELF" in fails_cleanly(str(path))


@pytest.mark.parametrize("keep", [20, 64, 300, 0.5])
def test_truncated(lib, keep):
    with open(lib, "rb") as f:
        data = f.read()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep
    with open(lib, "wb") as f:
        f.write(data[:cut])
    assert "truncated or corrupt ELF" in fails_cleanly(lib)


def test_program_headers_past_the_end(lib):
    with open(lib, "r+b") as f:
        f.seek(32)                                  # e_phoff in ELF64
        f.write(struct.pack("<Q", 1 << 40))
    assert "truncated or corrupt ELF" in fails_cleanly(lib)


def test_relocatable_object(tmp_path):
    obj, _ = scenarios.compile_object("lib.c", str(tmp_path))
    assert "relocatable object" in fails_cleanly(obj)


@pytest.mark.parametrize("flags", [["-no-pie"], ["-pie"]])
def test_executable(tmp_path, flags):
    exe = str(tmp_path / "prog")
    run(["gcc", *flags, "-o", exe, os.path.join(scenarios.HERE, "main.c")])
    assert "an executable, not a shared library" in fails_cleanly(exe)


def test_library_without_runtime(tmp_path):
    obj, _ = scenarios.compile_object("unrewritten.c", str(tmp_path))
    path = str(tmp_path / "libplain.so")
    run(["gcc", "-shared", "-o", path, obj])
    line = fails_cleanly(path)
    assert "the initgate runtime is not in this library" in line
    assert "initgate runtime -o initgate_rt.o" in line


def test_runtime_for_another_architecture(tmp_path):
    work = str(tmp_path)
    obj, _ = scenarios.compile_object("lib.c", work)
    path = str(tmp_path / "libwrong.so")
    run(["gcc", "-shared", "-o", path, obj, *scenarios.runtime_objects(work, e_machine=183)])
    line = fails_cleanly(path)
    assert "built for aarch64" in line and "the library is x86_64" in line


def test_cannot_write_output(lib, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    out = str(blocker / "out.so")
    line = fails_cleanly(lib, "-o", out, named=out)
    assert "cannot write" in line


def test_cannot_write_in_place(lib):
    # Root may write any read-only file, but not an immutable one; chattr
    # needs a file system with inode flags (ext4 and most others, not tmpfs).
    if os.geteuid() != 0:
        os.chmod(lib, 0o444)
        assert "cannot write" in fails_cleanly(lib)
        return
    chattr = require_tool("chattr", "e2fsprogs")
    proc = subprocess.run([chattr, "+i", lib], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail("cannot make %s immutable for this test (%s): run the tests on a file "
                    "system with inode flags, such as ext4" % (lib, proc.stderr.strip()))
    try:
        assert "cannot write" in fails_cleanly(lib)
    finally:
        subprocess.run([chattr, "-i", lib], check=True)


def test_missing_file(tmp_path):
    proc = run_initgate("patch-elf", str(tmp_path / "nope.so"), check=False)
    assert proc.returncode == 1
    assert "cannot read" in proc.stderr and "Traceback" not in proc.stderr


def set_dynamic(lib, tag, value):
    """Give the dynamic entry `tag` of the ELF64 library `lib` the value `value`."""
    from initgate.linker.elf import ElfFile

    with ElfFile(lib) as elf:
        offset = elf.dyn_entry(tag).offset
    with open(lib, "r+b") as f:
        f.seek(offset + 8)
        f.write(struct.pack("<Q", value))


def test_relr_table_of_a_partial_entry(tmp_path):
    # Found by the full fuzz run (seed 2, inputs 1107 and 7780): a struct
    # error escaped as a crash.
    from initgate.linker.elf import DT_RELRSZ

    lib, _ = scenarios.build("relr", str(tmp_path))
    set_dynamic(lib, DT_RELRSZ, 26)
    assert "DT_RELRSZ 26 is not a whole number of 8-byte entries" in fails_cleanly(lib)


def test_init_array_that_starts_between_entries(lib):
    # Found by the full fuzz run (seed 2, input 15430): DT_INIT_ARRAY moved by
    # half an entry still spans the slot, but the loader never calls it.
    from initgate.linker.elf import DT_INIT_ARRAY, ElfFile

    with ElfFile(lib) as elf:
        start = elf.dyn_value(DT_INIT_ARRAY)
    set_dynamic(lib, DT_INIT_ARRAY, start + 4)
    assert "falls between two entries of DT_INIT_ARRAY" in fails_cleanly(lib)
