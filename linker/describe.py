"""A stable text description of what patch-elf touches, for tests and verify.

`describe(path)` names things instead of printing addresses wherever it can:
the dynamic tags in order, the init array as symbol names, how the reserved
slot is relocated and where that points, islibrary and the DT_FLAGS_1 bits.
Names come from .symtab when the file has one, else the dynamic symbols, and
the note always names the runtime's own places, so a stripped file still reads.
"""

from initgate.linker.elf import (
    DF_1_NODELETE, DT_FLAGS, DT_FLAGS_1, DT_INIT_ARRAY, DT_INIT_ARRAYSZ, DT_NAMES,
    SHN_UNDEF, STT_FUNC, STT_GNU_IFUNC, ElfFile)
from initgate.linker.note import read_note
from initgate.linker import targets

DF_1_NAMES = {0x1: "NOW", 0x8: "NODELETE", 0x08000000: "PIE"}
DF_NAMES = {0x2: "SYMBOLIC", 0x4: "TEXTREL", 0x8: "BIND_NOW", 0x10: "STATIC_TLS"}


def symbolizer(elf, note=None):
    """A function from address to name: runtime places first, then symbols."""
    names = {}
    for sym in elf.dynamic_symbols() + elf.section_symbols():
        if sym.shndx != SHN_UNDEF and sym.kind in (STT_FUNC, STT_GNU_IFUNC) and sym.name:
            names.setdefault(sym.value, sym.name)
    if note is not None:
        names.update({note.rt0: "_initgate_rt0_lib", note.unpatched: "_initgate_unpatched",
                      note.gate: "_cgo_wait_runtime_init_done", note.wait: "_initgate_wait"})
    return lambda address: names.get(address, "?%#x" % address)


def init_array(elf):
    """(address of each entry, its value as the loader will see it)."""
    start = elf.dyn_value(DT_INIT_ARRAY)
    if start is None:
        return []
    width = elf.layout.word_size
    entries = []
    for address in range(start, start + elf.dyn_value(DT_INIT_ARRAYSZ, 0), width):
        value = elf.word_at(elf.offset_of(address, width, "DT_INIT_ARRAY"), "init_array")
        for reloc in elf.relocs_at(address):
            if reloc.addend is not None:
                value = reloc.addend
        entries.append((address, value))
    return entries


def flag_names(value, table):
    names = [name for bit, name in sorted(table.items()) if value & bit]
    rest = value & ~sum(bit for bit in table if value & bit)
    if rest:
        names.append("%#x" % rest)
    return " ".join(names) or "0"


def describe(path):
    with ElfFile(path) as elf:
        note = read_note(elf)
        name_of = symbolizer(elf, note)
        target = targets.by_e_machine(elf.e_machine)
        lines = ["machine: %s, ELF%d %s-endian" % (
            target.arch if target else elf.e_machine, elf.layout.bits,
            "big" if elf.big_endian else "little")]
        names = {**DT_NAMES, **dict(target.proc_tags if target else ())}
        lines.append("dynamic: " + " ".join(
            names.get(e.tag, "%#x" % e.tag) for e in elf.live_dynamic()))
        lines.append("DT_FLAGS: " + flag_names(elf.dyn_value(DT_FLAGS, 0), DF_NAMES))
        lines.append("DT_FLAGS_1: " + flag_names(elf.dyn_value(DT_FLAGS_1, 0), DF_1_NAMES))
        lines.append("init_array:")
        lines += ["  %s%s" % (name_of(value), "  <- reserved slot" if address == note.slot
                              else "") for address, value in init_array(elf)]
        relocs = elf.relocs_at(note.slot)
        for reloc in relocs:
            what = "addend " + name_of(reloc.addend) if reloc.addend is not None else "in slot"
            kind = target.relative_name if target and reloc.r_type == target.relative_reloc \
                else "type %d" % reloc.r_type
            lines.append("slot relocation: %s %s, %s" % (reloc.table, kind, what))
        if not relocs and elf.relr_covers(note.slot):
            lines.append("slot relocation: RELR")
        slot_word = elf.word_at(elf.offset_of(note.slot, elf.layout.word_size))
        lines.append("slot word: " + (name_of(slot_word) if slot_word else "0"))
        lines.append("islibrary: %d" % note.islibrary)
        lines.append("nodelete: %s" % ("yes" if elf.dyn_value(DT_FLAGS_1, 0) & DF_1_NODELETE
                                       else "no"))
        return "\n".join(lines) + "\n"
