"""LIEF as a second, independent reader of what patch-elf wrote.

patch-elf edits in place with its own small ELF reader (linker/elf.py), not
through LIEF: LIEF 1.0 rewrites the whole file on write, which is 50 to 70
times slower than objcopy on a large library, and the layouts it can write
an added `.init_array` entry with break debug info, strip or RELRO (FACTS.md).
LIEF's parser has none of those problems, so the tests use it the way they
use the system readelf: to check, through code that shares nothing with
ours, that the loader will find the rt0 lib entry in DT_INIT_ARRAY (through
each slot's RELA relocation as LIEF lists it, or the word in the slot),
DF_1_NODELETE, and islibrary set in the runtime's note.
"""

import os
import sys

import lief
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "patch"))
import scenarios  # noqa: E402

from conftest import require_tool, run_initgate  # noqa: E402
from initgate.linker.elf import ElfFile  # noqa: E402
from initgate.linker.note import read_note  # noqa: E402


def init_array_targets(binary):
    """Where each DT_INIT_ARRAY slot points once the loader has relocated it: the
    addend of its RELA relocation, else (REL, RELR) the word in the slot."""
    entry = binary.get(lief.ELF.DynamicEntry.TAG.INIT_ARRAY)
    addends = {r.address: r.addend for r in binary.dynamic_relocations
               if r.encoding == lief.ELF.Relocation.ENCODING.RELA}
    width = 8 if binary.header.identity_class == lief.ELF.Header.CLASS.ELF64 else 4
    return [addends.get(entry.value + width * index, word)
            for index, word in enumerate(entry.array)]


def seen_by_lief(path):
    """(init_array targets, NODELETE set, islibrary word) as LIEF reads the file."""
    binary = lief.parse(path)
    array = init_array_targets(binary)
    flags = binary.get(lief.ELF.DynamicEntry.TAG.FLAGS_1)
    nodelete = flags is not None and lief.ELF.DynamicEntryFlags.FLAG.NODELETE in flags.flags
    ours = [n for n in binary.notes
            if n.name.rstrip("\0") == "initgate" and len(n.description) == 44]
    assert len(ours) == 1
    islibrary = int.from_bytes(bytes(ours[0].description[8:12]), "little")
    return list(array), nodelete, islibrary


@pytest.mark.parametrize("name", sorted(scenarios.SCENARIOS))
def test_lief_sees_the_rt0_lib_entry_nodelete_and_islibrary(name, tmp_path):
    if scenarios.tool_missing(scenarios.SCENARIOS[name]):
        require_tool(*scenarios.SCENARIOS[name].tool)
    lib, _ = scenarios.build(name, str(tmp_path))
    with ElfFile(lib) as elf:
        note = read_note(elf)

    array, _nodelete, islibrary = seen_by_lief(lib)
    assert note.unpatched in array and note.rt0 not in array and islibrary == 0

    run_initgate("patch-elf", lib)
    array, nodelete, islibrary = seen_by_lief(lib)
    assert note.rt0 in array and note.unpatched not in array
    assert array.index(note.rt0) == len(array) - 1       # the runtime is linked last
    assert islibrary == 1
    # lld with -z nocombreloc leaves no entry that can become
    # DT_FLAGS_1 (README, Known limits).
    assert nodelete or name == "lld_nocombreloc"
