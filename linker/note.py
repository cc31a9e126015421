"""The runtime's `.note.initgate`, found through PT_NOTE program headers.

runtime_c/note.c lays it out (ABI.md, "The note"): eleven 4-byte words in
the file's byte order (ten before the second copy of rt0), most of them
PC-relative offsets.  This module finds the one note named "initgate" and
turns those offsets into absolute addresses and file offsets, so the
patcher and verify never need section headers or symbols.
"""

from initgate.errors import ElfError
from initgate.linker.elf import PT_NOTE

NOTE_NAME = b"initgate\0"
NOTE_TYPE = 1
INIT_NOTE_TYPE = 2          # rewrite's note naming the init function
IFUNC_NOTE_TYPE = 3         # rewrite's note naming what an ifunc may run
NOTE_VERSION = 1
DESC_WORDS = 10             # the fewest: notes from before the second copy of rt0
NOTE_FLAG_NO_LIBC = 1       # the flags word: the runtime is the no-libc flavour

NO_RUNTIME_HINT = ("link the initgate runtime into it: initgate runtime -o initgate_rt.o, "
                   "then add initgate_rt.o to the link")


class RuntimeNote:
    """The note's words, its offsets turned into absolute addresses.

    A plain class (not a dataclass): `import dataclasses` alone costs
    patch-elf's start-up more than reading the note does.
    """

    def __init__(self, desc_address, desc_offset, version, e_machine, islibrary,
                 islibrary_offset, slot, rt0, unpatched, flags, state, wait, gate):
        self.desc_address = desc_address          # address of the descriptor's first word
        self.desc_offset = desc_offset            # its file offset
        self.version = version
        self.e_machine = e_machine
        self.islibrary = islibrary
        self.islibrary_offset = islibrary_offset  # file offset of the islibrary word
        self.slot = slot                          # address of the reserved .init_array slot
        self.rt0 = rt0                            # address of _initgate_rt0_lib
        self.unpatched = unpatched                # address of _initgate_unpatched
        self.flags = flags
        self.state = state                        # address of _initgate_state
        self.wait = wait                          # address of _initgate_wait
        self.gate = gate                          # address of _cgo_wait_runtime_init_done


def find_notes(elf):
    """Every (name, type, desc_offset, desc_address, descsz) in the PT_NOTE segments."""
    found = []
    u32 = elf.layout.u32
    for seg in elf.segments_of(PT_NOTE):
        # Notes are 4-aligned in 4-aligned segments and 8-aligned in 8-aligned ones.
        align = 8 if seg.align == 8 else 4
        at, end = seg.offset, seg.offset + seg.filesz
        while at + 12 <= end:
            namesz, descsz, n_type = elf.unpack(u32[0] + "3I", at, "note header")
            name_at = at + 12
            desc_at = name_at + _round(namesz, align)
            next_at = desc_at + _round(descsz, align)
            if next_at > end:
                elf.fail("note at offset %#x runs past its PT_NOTE segment" % at)
            name = elf.bytes_at(name_at, namesz, "note name")
            found.append((name, n_type, desc_at, seg.vaddr + (desc_at - seg.offset), descsz))
            at = next_at
    return found


def read_note(elf):
    """The initgate note of `elf`, or ElfError telling the user to link the runtime."""
    ours = [n for n in find_notes(elf) if n[0] == NOTE_NAME and n[1] == NOTE_TYPE]
    if not ours:
        raise ElfError("%s: the initgate runtime is not in this library; %s"
                       % (elf.path, NO_RUNTIME_HINT))
    if len(ours) > 1:
        raise ElfError("%s: the initgate runtime is linked in %d times; link exactly one "
                       "initgate_rt.o" % (elf.path, len(ours)))
    _, _, desc_at, desc_address, descsz = ours[0]
    if descsz < 4 * DESC_WORDS:
        elf.fail("the initgate note has %d bytes, expected %d" % (descsz, 4 * DESC_WORDS))
    count = DESC_WORDS + (descsz >= 4 * (DESC_WORDS + 1))
    words = elf.unpack(elf.layout.u32[0] + "%dI" % count, desc_at, "initgate note")
    if words[0] != NOTE_VERSION:
        raise ElfError("%s: initgate note version %d is not supported (this initgate reads "
                       "version %d); rebuild with this initgate's runtime"
                       % (elf.path, words[0], NOTE_VERSION))

    def relative(index):
        value = words[index]
        signed = value - (1 << 32) if value & 0x80000000 else value
        return (desc_address + 4 * index + signed) % (1 << elf.layout.bits)

    if count > DESC_WORDS and relative(10) != relative(4):
        raise ElfError("%s: the initgate note gives _initgate_rt0_lib two addresses, %#x and "
                       "%#x; the file is corrupt, relink it"
                       % (elf.path, relative(4), relative(10)))
    return RuntimeNote(
        desc_address=desc_address, desc_offset=desc_at, version=words[0],
        e_machine=words[1], islibrary=words[2], islibrary_offset=desc_at + 8,
        slot=relative(3), rt0=relative(4), unpatched=relative(5), flags=words[6],
        state=relative(7), wait=relative(8), gate=relative(9))


def read_init_names(elf):
    """The init functions that rewrite's init notes name (ABI.md, "The init note")."""
    names = []
    for name, n_type, desc_at, _address, descsz in find_notes(elf):
        if name == NOTE_NAME and n_type == INIT_NOTE_TYPE:
            desc = elf.bytes_at(desc_at, descsz, "init note")
            names.append(desc.split(b"\0", 1)[0].decode("utf-8", "surrogateescape"))
    return names


def read_ifunc_notes(elf):
    """{ifunc symbol: the functions it may run} from rewrite's ifunc notes
    (ABI.md, "The ifunc note")."""
    found = {}
    for name, n_type, desc_at, _address, descsz in find_notes(elf):
        if name == NOTE_NAME and n_type == IFUNC_NOTE_TYPE:
            desc = elf.bytes_at(desc_at, descsz, "ifunc note").rstrip(b"\0")
            names = [part.decode("utf-8", "surrogateescape") for part in desc.split(b"\0")]
            if len(names) > 1:
                found.setdefault(names[0], []).extend(names[1:])
    return found


def _round(value, align):
    return (value + align - 1) // align * align
