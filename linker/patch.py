"""patch-elf's engine: turn a linked library with the runtime into a gated library.

Data flow: ElfFile maps the input; read_note finds the runtime's note through
PT_NOTE; `plan` works out the edits (ABI.md, "What patch-elf does"), each a
few bytes at a file offset with the bytes expected there; `patch_library`
copies the file and writes those bytes into the copy, atomically.  Nothing is
written until every check has passed, so bad input leaves the file as it was.

Every edit is in place, so the size and layout never change: debug info,
strip, PT_GNU_RELRO and section headers all stay valid by construction.

The command runs this once per process, so its imports are kept to what
the edit needs (no dataclasses): interpreter and import start-up cost more
than the edit of a large file.
"""

import os
import struct

from initgate import logs
from initgate.errors import ElfError
from initgate.fileio import atomic_output
from initgate.linker import targets
from initgate.linker.elf import (
    DF_1_NODELETE, DF_1_PIE, DT_FLAGS_1, DT_INIT_ARRAY, DT_INIT_ARRAYSZ, DT_NAMES, DT_NULL,
    DT_RELACOUNT, DT_RELCOUNT, ET_DYN, ET_EXEC, ET_REL, PF_X, PT_LOAD, ElfFile)
from initgate.linker.note import NOTE_FLAG_NO_LIBC, read_note

log = logs.logger("initgate.patch")


class Edit:
    """A few bytes to write at a file offset, with the bytes expected there."""

    def __init__(self, offset, old, new, what):
        self.offset, self.old, self.new = offset, old, new
        self.what = what          # one line for -v


class PatchReport:
    def __init__(self, path, out, arch):
        self.path, self.out, self.arch = path, out, arch
        self.edits = []
        self.warnings = []

    @property
    def changed(self):
        return bool(self.edits)


def patch_library(path, out=None):
    """Patch `path` (in place, or into `out`) and return a PatchReport.

    Raises ElfError for anything that is not a library with the runtime.
    Patching a patched library changes nothing (report.changed is False)
    and, in place, does not touch the file.
    """
    path = os.fspath(path)
    out = os.fspath(out) if out is not None else path
    with open_library(path) as elf:
        report = plan(elf)
    report.out = out

    for warning in report.warnings:
        log.warning("%s: %s", path, warning)
    if not report.changed:
        log.info("%s: already patched, nothing to change", path)
        if out != path:
            _copy_with_edits(path, out, [])
        return report
    for edit in report.edits:
        log.info("%s: %s", path, edit.what)
        log.debug("%s: write at offset %#x: %s -> %s", out, edit.offset,
                  edit.old.hex(" "), edit.new.hex(" "))
    if out == path and not os.access(path, os.W_OK):
        raise ElfError("%s: cannot write the file (permission denied); make it writable "
                       "or pass -o OUT" % path)
    _copy_with_edits(path, out, report.edits)
    return report


def open_library(path):
    """Open `path` as an ELF shared library, or raise ElfError saying what it is instead."""
    elf = ElfFile(path)
    try:
        if elf.e_type == ET_REL:
            raise ElfError("%s: a relocatable object (.o), not a shared library; link it "
                           "into a shared library with the initgate runtime first" % path)
        if elf.e_type == ET_EXEC or (
                elf.e_type == ET_DYN and elf.dyn_value(DT_FLAGS_1, 0) & DF_1_PIE):
            raise ElfError("%s: an executable, not a shared library; initgate gates shared "
                           "libraries (build with -shared)" % path)
        if elf.e_type != ET_DYN:
            raise ElfError("%s: ELF type %d is not a shared library" % (path, elf.e_type))
        if not elf.dynamic:
            elf.fail("a shared library without PT_DYNAMIC")
    except BaseException:
        elf.close()
        raise
    return elf


def target_of(elf):
    target = targets.by_e_machine(elf.e_machine)
    if target is None:
        raise ElfError("%s: architecture e_machine %d is not one initgate supports"
                       % (elf.path, elf.e_machine))
    return target


def plan(elf):
    """The edits that make `elf` a gated library, checked but not applied."""
    target = target_of(elf)
    note = read_note(elf)
    if note.e_machine != elf.e_machine:
        other = targets.by_e_machine(note.e_machine)
        raise ElfError("%s: the linked initgate runtime was built for %s (e_machine %d) but "
                       "the library is %s; rebuild it with initgate runtime --cc for %s"
                       % (elf.path, other.arch if other else "another architecture",
                          note.e_machine, target.arch, target.arch))
    _check_entry_is_code(elf, note)
    report = PatchReport(elf.path, elf.path, target.arch)
    report.edits += _retarget_slot(elf, target, note)
    report.edits += _set_islibrary(elf, note)
    nodelete, warning = _set_nodelete(elf)
    if warning and note.flags & NOTE_FLAG_NO_LIBC:
        # The libc runtime pins the library through dlopen at load; this
        # one has no dlopen to call, so nothing would stop dlclose from
        # unmapping code the init thread is still running.
        raise ElfError("%s: no dynamic entry can hold DT_FLAGS_1 NODELETE, and the no-libc "
                       "runtime cannot keep the library loaded by itself; relink it with "
                       "-Wl,-z,nodelete" % elf.path)
    report.edits += nodelete
    if warning:
        report.warnings.append(warning)
    return report


def _check_entry_is_code(elf, note):
    """Refuse a note whose rt0 lib entry is not in an executable segment.

    The note is trusted for every address patch-elf writes; a corrupt one
    would otherwise yield a "patched" library whose constructor points
    nowhere, and the loader would crash on it.  The low bit is the Thumb bit
    on ARM, so the address without it counts too.
    """
    code = [seg for seg in elf.segments_of(PT_LOAD) if seg.flags & PF_X]
    if not any(seg.holds(address) for seg in code for address in (note.rt0, note.rt0 & ~1)):
        raise ElfError("%s: the initgate note places _initgate_rt0_lib at %#x, outside the "
                       "library's code; the file is corrupt, relink it" % (elf.path, note.rt0))


def _word(elf, value):
    return struct.pack(elf.layout.word, value % (1 << elf.layout.bits))


def _retarget_slot(elf, target, note):
    """Point the reserved slot at the rt0 lib entry, the way this file relocates it."""

    # The slot must be a real .init_array entry, or the loader never calls it.
    width = elf.layout.word_size
    start = elf.dyn_value(DT_INIT_ARRAY)
    size = elf.dyn_value(DT_INIT_ARRAYSZ, 0)
    if start is None or not start <= note.slot < start + size:
        raise ElfError("%s: the runtime's reserved slot %#x is not inside DT_INIT_ARRAY; was "
                       "initgate_rt.o linked with a linker script that drops .init_array?"
                       % (elf.path, note.slot))
    if (note.slot - start) % width:
        raise ElfError("%s: the runtime's reserved slot %#x falls between two entries of "
                       "DT_INIT_ARRAY (%#x); the file is corrupt, relink it"
                       % (elf.path, note.slot, start))
    slot_offset = elf.offset_of(note.slot, width, "the reserved .init_array slot")
    slot_value = elf.word_at(slot_offset, "the reserved .init_array slot")
    name = "%s(%d)" % (target.relative_name, target.relative_reloc)
    accepted = (note.unpatched, note.rt0)
    edits = []

    # RELA and REL: the relocation names the slot; RELA carries the value in
    # its addend, REL in the slot itself.  Some linkers also write the value
    # into a RELA slot (--apply-dynamic-relocs): keep both in step.
    relocs = elf.relocs_at(note.slot)
    for reloc in relocs:
        if reloc.r_type != target.relative_reloc:
            raise ElfError("%s: the reserved slot is relocated by type %d, not %s; the runtime "
                           "must be built -fPIC with hidden symbols (initgate runtime does so)"
                           % (elf.path, reloc.r_type, name))
        if reloc.addend is not None:
            if reloc.addend not in accepted:
                raise ElfError("%s: the reserved slot's addend %#x points at neither "
                               "_initgate_unpatched nor _initgate_rt0_lib" % (elf.path,
                                                                              reloc.addend))
            if reloc.addend != note.rt0:
                addend_offset = reloc.offset + 2 * width
                edits.append(Edit(addend_offset, _word(elf, reloc.addend), _word(elf, note.rt0),
                                  "slot %#x: %s addend %#x -> %#x (_initgate_rt0_lib)"
                                  % (note.slot, name, reloc.addend, note.rt0)))
    in_relr = not relocs and elf.relr_covers(note.slot)
    if not relocs and not in_relr:
        raise ElfError("%s: no dynamic relocation for the reserved .init_array slot %#x; "
                       "link the library with -shared from -fPIC objects" % (elf.path, note.slot))
    implicit = in_relr or any(r.addend is None for r in relocs)
    if implicit or slot_value == note.unpatched:
        if slot_value not in accepted:
            raise ElfError("%s: the reserved slot holds %#x, neither _initgate_unpatched nor "
                           "_initgate_rt0_lib" % (elf.path, slot_value))
        if slot_value != note.rt0:
            how = "RELR" if in_relr else "REL" if implicit else "RELA, value in slot"
            edits.append(Edit(slot_offset, _word(elf, slot_value), _word(elf, note.rt0),
                              "slot %#x (%s): word %#x -> %#x (_initgate_rt0_lib)"
                              % (note.slot, how, slot_value, note.rt0)))
    return edits


def _set_islibrary(elf, note):
    if note.islibrary == 1:
        return []
    old = elf.bytes_at(note.islibrary_offset, 4, "islibrary")
    return [Edit(note.islibrary_offset, old, struct.pack(elf.layout.u32, 1),
                 "islibrary %#x: %d -> 1" % (note.desc_address + 8, note.islibrary))]


def _set_nodelete(elf):
    """Set DF_1_NODELETE: (edits, warning or None)."""
    fmt = elf.layout.dyn
    entry = elf.dyn_entry(DT_FLAGS_1)
    if entry is not None:
        if entry.value & DF_1_NODELETE:
            return [], None
        new = entry.value | DF_1_NODELETE
        return [Edit(entry.offset, struct.pack(fmt, entry.tag, entry.value),
                     struct.pack(fmt, entry.tag, new),
                     "DT_FLAGS_1: %#x -> %#x (NODELETE)" % (entry.value, new))], None

    # No DT_FLAGS_1 yet: the first DT_NULL becomes one, if another DT_NULL
    # follows it to end the array (GNU ld leaves spares at the end).
    entries = elf.dynamic
    live = len(elf.live_dynamic())
    if live + 1 < len(entries) and entries[live + 1].tag == DT_NULL:
        spare = entries[live]
        return [Edit(spare.offset, struct.pack(fmt, DT_NULL, spare.value),
                     struct.pack(fmt, DT_FLAGS_1, DF_1_NODELETE),
                     "dynamic entry %d: DT_NULL -> DT_FLAGS_1 %#x (NODELETE)"
                     % (spare.index, DF_1_NODELETE))], None

    # lld leaves no spare, but writes DT_RELACOUNT (DT_RELCOUNT for REL),
    # which only tells the loader how many relative relocations lead the
    # table so that it may take them on a faster path: glibc treats a
    # missing one as zero and applies them on its general path, musl and
    # bionic never read it.  Its place can hold DT_FLAGS_1 instead.
    for entry in entries[:live]:
        if entry.tag in (DT_RELACOUNT, DT_RELCOUNT):
            return [Edit(entry.offset, struct.pack(fmt, entry.tag, entry.value),
                         struct.pack(fmt, DT_FLAGS_1, DF_1_NODELETE),
                         "dynamic entry %d: DT_%s %d -> DT_FLAGS_1 %#x (NODELETE; the count "
                         "was only a hint)" % (entry.index, DT_NAMES[entry.tag], entry.value,
                                               DF_1_NODELETE))], None
    return [], ("no spare dynamic entry to add DT_FLAGS_1 NODELETE; the runtime pins the "
                "library at run time instead (relink with -Wl,-z,nodelete to set it here)")


def _copy_with_edits(path, out, edits):
    """Copy `path` to `out` atomically with `edits` written into the copy."""
    with atomic_output(out, mode=os.stat(path).st_mode & 0o7777) as dest:
        with open(path, "rb") as src:
            _copy_file(src, dest)
        for edit in edits:
            dest.seek(edit.offset)
            dest.write(edit.new)


def _copy_file(src, dest):
    """Copy in the kernel where it can (copy_file_range may even share extents)."""
    size = os.fstat(src.fileno()).st_size
    copy_range = getattr(os, "copy_file_range", None)
    try:
        if copy_range is None:
            raise OSError("no copy_file_range")
        done = 0
        while done < size:
            step = copy_range(src.fileno(), dest.fileno(), size - done, done, done)
            if step == 0:
                break
            done += step
        if done == size:
            return
    except OSError:
        pass
    src.seek(0)
    dest.seek(0)
    dest.truncate()
    while True:
        chunk = src.read(1 << 20)
        if not chunk:
            break
        dest.write(chunk)
