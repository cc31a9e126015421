"""A small ELF reader: just what patch-elf and verify need, from program headers.

The file is mapped, never parsed as a whole: the ELF header gives the class
and byte order, the program headers give the loadable segments (to turn an
address into a file offset), PT_DYNAMIC gives the dynamic tags, and those
lead to the relocation tables and the dynamic symbol table.  Section headers
are read only for names (`.symtab`), and only when present, so a stripped or
sstripped file reads the same.

Every read is bounds-checked: a truncated or corrupt file raises ElfError with
the file name and what was wrong, never IndexError or struct.error.
"""

import mmap
import struct

from initgate.errors import ElfError

ET_REL, ET_EXEC, ET_DYN = 1, 2, 3
PT_LOAD, PT_DYNAMIC, PT_NOTE, PT_GNU_RELRO = 1, 2, 4, 0x6474E552
PF_X = 1

DT_NULL, DT_NEEDED, DT_HASH, DT_STRTAB, DT_SYMTAB = 0, 1, 4, 5, 6
DT_RELA, DT_RELASZ, DT_RELAENT, DT_STRSZ, DT_SYMENT = 7, 8, 9, 10, 11
DT_REL, DT_RELSZ, DT_RELENT = 17, 18, 19
DT_INIT_ARRAY, DT_INIT_ARRAYSZ, DT_FLAGS = 25, 27, 30
DT_RELRSZ, DT_RELR, DT_RELRENT = 35, 36, 37
DT_GNU_HASH, DT_FLAGS_1 = 0x6FFFFEF5, 0x6FFFFFFB
DT_RELACOUNT, DT_RELCOUNT = 0x6FFFFFF9, 0x6FFFFFFA
DF_STATIC_TLS = 0x10
DF_1_NODELETE, DF_1_PIE = 0x8, 0x08000000

STT_OBJECT, STT_FUNC, STT_TLS, STT_GNU_IFUNC = 1, 2, 6, 10
SHN_UNDEF = 0

# Names for the tags that dumps and messages show; others print as hex.
DT_NAMES = {
    0: "NULL", 1: "NEEDED", 2: "PLTRELSZ", 3: "PLTGOT", 4: "HASH", 5: "STRTAB",
    6: "SYMTAB", 7: "RELA", 8: "RELASZ", 9: "RELAENT", 10: "STRSZ", 11: "SYMENT",
    12: "INIT", 13: "FINI", 14: "SONAME", 15: "RPATH", 16: "SYMBOLIC", 17: "REL",
    18: "RELSZ", 19: "RELENT", 20: "PLTREL", 21: "DEBUG", 22: "TEXTREL",
    23: "JMPREL", 24: "BIND_NOW", 25: "INIT_ARRAY", 26: "FINI_ARRAY",
    27: "INIT_ARRAYSZ", 28: "FINI_ARRAYSZ", 29: "RUNPATH", 30: "FLAGS",
    32: "PREINIT_ARRAY", 33: "PREINIT_ARRAYSZ", 35: "RELRSZ", 36: "RELR",
    37: "RELRENT", 0x6FFFFEF5: "GNU_HASH", 0x6FFFFFF0: "VERSYM",
    0x6FFFFFF9: "RELACOUNT", 0x6FFFFFFA: "RELCOUNT", 0x6FFFFFFB: "FLAGS_1",
    0x6FFFFFFC: "VERDEF", 0x6FFFFFFD: "VERDEFNUM", 0x6FFFFFFE: "VERNEED",
    0x6FFFFFFF: "VERNEEDNUM",
}


class Layout:
    """The struct formats of one ELF class and byte order."""

    def __init__(self, elf_class, big_endian):
        order = ">" if big_endian else "<"
        self.bits = 64 if elf_class == 2 else 32
        self.word_size = self.bits // 8
        self.word = order + ("Q" if self.bits == 64 else "I")
        self.sword = order + ("q" if self.bits == 64 else "i")
        self.u32 = order + "I"
        self.s32 = order + "i"
        if self.bits == 64:
            self.ehdr = order + "HHIQQQIHHHHHH"
            self.phdr = order + "IIQQQQQQ"       # type flags offset vaddr paddr filesz memsz align
            self.shdr = order + "IIQQQQIIQQ"
            self.dyn = order + "qQ"
            self.rela = order + "QQq"
            self.rel = order + "QQ"
            self.sym = order + "IBBHQQ"         # name info other shndx value size
        else:
            self.ehdr = order + "HHIIIIIHHHHHH"
            self.phdr = order + "IIIIIIII"       # type offset vaddr paddr filesz memsz flags align
            self.shdr = order + "IIIIIIIIII"
            self.dyn = order + "iI"
            self.rela = order + "IIi"
            self.rel = order + "II"
            self.sym = order + "IIIBBH"         # name value size info other shndx

    def reloc_type(self, info):
        return info & 0xFFFFFFFF if self.bits == 64 else info & 0xFF

    def reloc_sym(self, info):
        return info >> 32 if self.bits == 64 else info >> 8


class Segment:
    def __init__(self, p_type, offset, vaddr, filesz, memsz, flags, align):
        self.p_type, self.offset, self.vaddr = p_type, offset, vaddr
        self.filesz, self.memsz, self.flags, self.align = filesz, memsz, flags, align

    def holds(self, address, size=1):
        return self.vaddr <= address and address + size <= self.vaddr + self.filesz


class DynamicEntry:
    def __init__(self, index, offset, tag, value):
        self.index, self.offset, self.tag, self.value = index, offset, tag, value


class Reloc:
    """One dynamic relocation; `offset` is where the entry itself sits in the file."""

    def __init__(self, table, offset, r_offset, r_type, r_sym, addend):
        self.table, self.offset = table, offset
        self.r_offset, self.r_type, self.r_sym, self.addend = r_offset, r_type, r_sym, addend


class Symbol:
    def __init__(self, name, value, size, kind, bind, shndx):
        self.name, self.value, self.size = name, value, size
        self.kind, self.bind, self.shndx = kind, bind, shndx


class ElfFile:
    """A read-only view of one ELF file.  Use as a context manager."""

    def __init__(self, path):
        self.path = str(path)
        try:
            with open(self.path, "rb") as f:
                size = f.seek(0, 2)
                self.data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        except OSError as err:
            raise ElfError("%s: cannot read: %s" % (self.path, err.strerror)) from None
        self.size = len(self.data)
        self._read_header()
        self._read_segments()
        self._dynamic = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if isinstance(self.data, mmap.mmap):
            self.data.close()

    def fail(self, what):
        raise ElfError("%s: truncated or corrupt ELF: %s; link the library again"
                       % (self.path, what))

    def unpack(self, fmt, offset, what):
        size = struct.calcsize(fmt)
        if offset < 0 or offset + size > self.size:
            self.fail("%s at offset %#x is past the end of the file" % (what, offset))
        return struct.unpack_from(fmt, self.data, offset)

    def bytes_at(self, offset, size, what):
        if offset < 0 or size < 0 or offset + size > self.size:
            self.fail("%s at offset %#x is past the end of the file" % (what, offset))
        return bytes(self.data[offset:offset + size])

    # The ELF header: class, byte order, type, machine, program headers.
    def _read_header(self):
        if bytes(self.data[:4]) != b"\x7fELF":
            raise ElfError("%s: not an ELF file; give the shared library the linker wrote "
                           "(a .so built with -shared)" % self.path)
        if self.size < 16:
            self.fail("the file ends %d bytes into the ELF identification" % self.size)
        elf_class, data_order = self.data[4], self.data[5]
        if elf_class not in (1, 2) or data_order not in (1, 2):
            self.fail("unknown class %d or byte order %d" % (elf_class, data_order))
        self.layout = Layout(elf_class, data_order == 2)
        self.big_endian = data_order == 2
        fields = self.unpack(self.layout.ehdr, 16, "ELF header")
        (self.e_type, self.e_machine, _, self.e_entry, self.e_phoff, self.e_shoff, _,
         _, self.e_phentsize, self.e_phnum, self.e_shentsize, self.e_shnum,
         self.e_shstrndx) = fields

    def _read_segments(self):
        layout = self.layout
        if self.e_phnum and self.e_phentsize < struct.calcsize(layout.phdr):
            self.fail("program header entry size %d is too small" % self.e_phentsize)
        self.segments = []
        for i in range(self.e_phnum):
            fields = self.unpack(layout.phdr, self.e_phoff + i * self.e_phentsize,
                                 "program header %d" % i)
            if layout.bits == 64:
                p_type, flags, offset, vaddr, _, filesz, memsz, align = fields
            else:
                p_type, offset, vaddr, _, filesz, memsz, flags, align = fields
            if p_type in (PT_LOAD, PT_DYNAMIC, PT_NOTE) and offset + filesz > self.size:
                self.fail("segment %d (type %#x) extends past the end of the file"
                          % (i, p_type))
            self.segments.append(Segment(p_type, offset, vaddr, filesz, memsz, flags, align))

    def segments_of(self, p_type):
        return [s for s in self.segments if s.p_type == p_type]

    # Addresses: the loader's view, through PT_LOAD.
    def offset_of(self, address, size=1, what="address"):
        for seg in self.segments_of(PT_LOAD):
            if seg.holds(address, size):
                return seg.offset + (address - seg.vaddr)
        self.fail("%s %#x is not in the file's loadable segments" % (what, address))

    def word_at(self, offset, what="word"):
        return self.unpack(self.layout.word, offset, what)[0]

    # The dynamic section, including the spare DT_NULL entries after the end.
    @property
    def dynamic(self):
        if self._dynamic is None:
            self._dynamic = self._read_dynamic()
        return self._dynamic

    def _read_dynamic(self):
        segs = self.segments_of(PT_DYNAMIC)
        if not segs:
            return []
        seg = segs[0]
        entsize = struct.calcsize(self.layout.dyn)
        entries = []
        for index in range(seg.filesz // entsize):
            offset = seg.offset + index * entsize
            tag, value = self.unpack(self.layout.dyn, offset, "dynamic entry")
            entries.append(DynamicEntry(index, offset, tag, value))
        return entries

    def live_dynamic(self):
        """The entries up to, not including, the first DT_NULL."""
        live = []
        for entry in self.dynamic:
            if entry.tag == DT_NULL:
                break
            live.append(entry)
        return live

    def dyn_value(self, tag, default=None):
        for entry in self.live_dynamic():
            if entry.tag == tag:
                return entry.value
        return default

    def dyn_entry(self, tag):
        for entry in self.live_dynamic():
            if entry.tag == tag:
                return entry
        return None

    # Relocations: RELA and REL tables (not the PLT's), and RELR.
    def relocs_at(self, address):
        """Every RELA/REL relocation whose r_offset is `address`."""
        found = []
        for table, tag, size_tag, fmt in (("RELA", DT_RELA, DT_RELASZ, self.layout.rela),
                                          ("REL", DT_REL, DT_RELSZ, self.layout.rel)):
            start = self.dyn_value(tag)
            if start is None:
                continue
            entsize = struct.calcsize(fmt)
            base = self.offset_of(start, 1, "DT_%s" % table)
            total = self.dyn_value(size_tag, 0)
            if base + total > self.size:
                self.fail("DT_%s table extends past the end of the file" % table)
            # Search the bytes of r_offset in C rather than unpack every entry:
            # a large library has hundreds of thousands of relocations.
            needle = struct.pack(self.layout.word, address)
            at = base
            while True:
                at = self.data.find(needle, at, base + total)
                if at < 0:
                    break
                if (at - base) % entsize == 0:
                    fields = struct.unpack_from(fmt, self.data, at)
                    addend = fields[2] if len(fields) == 3 else None
                    found.append(Reloc(table, at, fields[0],
                                       self.layout.reloc_type(fields[1]),
                                       self.layout.reloc_sym(fields[1]), addend))
                at += 1
        return found

    def relr_covers(self, address):
        """Whether the packed relative relocations (DT_RELR) relocate `address`."""
        start = self.dyn_value(DT_RELR)
        if start is None:
            return False
        total = self.dyn_value(DT_RELRSZ, 0)
        base = self.offset_of(start, 1, "DT_RELR")
        width = self.layout.word_size
        if base + total > self.size:
            self.fail("DT_RELR table extends past the end of the file")
        if total % width:
            self.fail("DT_RELRSZ %d is not a whole number of %d-byte entries" % (total, width))
        where = 0
        for (entry,) in struct.iter_unpack(self.layout.word, self.data[base:base + total]):
            if entry & 1 == 0:
                if entry == address:
                    return True
                where = entry + width
                continue
            bits = entry >> 1
            for i in range(self.layout.bits - 1):
                if bits >> i & 1 and where + i * width == address:
                    return True
            where += (self.layout.bits - 1) * width
        return False

    # Symbols: the dynamic symbol table, and .symtab when section headers exist.
    def dynamic_symbols(self):
        symtab = self.dyn_value(DT_SYMTAB)
        strtab = self.dyn_value(DT_STRTAB)
        if symtab is None or strtab is None:
            return []
        count = self._dynsym_count()
        return self._symbols(self.offset_of(symtab, 1, "DT_SYMTAB"), count,
                             self.offset_of(strtab, 1, "DT_STRTAB"),
                             self.dyn_value(DT_STRSZ, 0))

    def _dynsym_count(self):
        hash_addr = self.dyn_value(DT_HASH)
        if hash_addr is not None:
            return self._hash_count(self.offset_of(hash_addr, 8, "DT_HASH"))
        gnu = self.dyn_value(DT_GNU_HASH)
        if gnu is None:
            self.fail("no DT_HASH or DT_GNU_HASH to size the dynamic symbol table")
        return self._gnu_hash_count(self.offset_of(gnu, 16, "DT_GNU_HASH"))

    def _hash_count(self, base):
        """nchain, the second entry of DT_HASH: the number of dynamic symbols.

        Entries are 4 bytes by the ELF spec, 8 in the s390x ABI, yet some
        linkers (zig's) write 4 there too, so the table says which: read as
        4-byte entries, an 8-byte table shows a zero half of nbucket or nchain,
        and neither is ever 0 (a table has a bucket; symbol 0 always exists).
        """
        nbucket, nchain = self.unpack(self.layout.u32[0] + "2I", base, "DT_HASH")
        if self.layout.bits == 64 and 0 in (nbucket, nchain):
            return self.unpack(self.layout.u32[0] + "Q", base + 8, "DT_HASH")[0]
        return nchain

    def _gnu_hash_count(self, base):
        # The highest symbol index in any chain, found by walking to each chain's end.
        u32 = self.layout.u32
        nbuckets, symoffset, bloom_size, _ = self.unpack(u32[0] + "4I", base, "DT_GNU_HASH")
        buckets = base + 16 + bloom_size * self.layout.word_size
        chains = buckets + nbuckets * 4
        top = 0
        for i in range(nbuckets):
            top = max(top, self.unpack(u32, buckets + 4 * i, "GNU hash bucket")[0])
        if top < symoffset:
            return symoffset
        while not self.unpack(u32, chains + 4 * (top - symoffset), "GNU hash chain")[0] & 1:
            top += 1
        return top + 1

    def _symbols(self, offset, count, stroff, strsize):
        fmt = self.layout.sym
        entsize = struct.calcsize(fmt)
        symbols = []
        for i in range(count):
            fields = self.unpack(fmt, offset + i * entsize, "symbol %d" % i)
            if self.layout.bits == 64:
                name, info, _, shndx, value, size = fields
            else:
                name, value, size, info, _, shndx = fields
            symbols.append(Symbol(self._string(stroff, strsize, name), value, size,
                                  info & 0xF, info >> 4, shndx))
        return symbols

    def _string(self, stroff, strsize, index):
        if index >= strsize and strsize:
            self.fail("symbol name %d is outside the string table" % index)
        end = self.data.find(b"\0", stroff + index)
        if end < 0:
            self.fail("unterminated symbol name")
        return bytes(self.data[stroff + index:end]).decode("utf-8", "replace")

    def section_symbols(self):
        """Symbols of .symtab (and .dynsym) from section headers; [] when stripped."""
        if not self.e_shoff or not self.e_shnum:
            return []
        fmt = self.layout.shdr
        if self.e_shentsize < struct.calcsize(fmt):
            return []
        sections = [self.unpack(fmt, self.e_shoff + i * self.e_shentsize, "section header")
                    for i in range(self.e_shnum)]
        symbols = []
        for sh in sections:
            sh_type, sh_offset, sh_size, sh_link, sh_entsize = (
                sh[1], sh[4], sh[5], sh[6], sh[9])
            if sh_type != 2 or not sh_entsize or sh_link >= len(sections):   # SHT_SYMTAB
                continue
            strsh = sections[sh_link]
            symbols += self._symbols(sh_offset, sh_size // sh_entsize, strsh[4], strsh[5])
        return symbols
