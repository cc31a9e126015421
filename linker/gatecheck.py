"""Does a function pass the gate before anything else?  Judged from machine code.

The check is generic; the instruction set comes in as a matcher module,
linker/gate_<isa>.py, named by the target's row in linker/targets.py together
with capstone's names for the architecture and modes.  A matcher offers:

    start(entry) -> dict                      what is known of the registers at entry
                                              (optional: nothing)
    track(insn, known, ctx) -> bool           update `known` (register -> address it
                                              holds); True when insn is a call that only
                                              computes an address (i386's get_pc_thunk)
                                              or saves registers in the frame (ppc64's
                                              _savegpr0_N)
    load_address(insn, known) -> int | None   the address a load reads
    evaluate(insn, machine, known)            what insn computes (linker/machine.py)
    unmodeled(insn, machine, known)           forget all that insn writes
    taken(insn, machine, known) -> bool|None  whether a conditional branch is taken
    accesses(insn, machine, known) -> list    (address, bytes, writes) of each memory
                                              access; the address None where not known
    call_target(insn, known) -> int | None    a call's target (direct, or through a
                                              register `known` holds)
    jump_target(insn) -> int | None           a direct unconditional jump's target
    conditional_target(insn) -> int | None    a conditional branch's target
    transfers_control(insn) -> bool           any call, jump, return or trap
    enter(machine, stack_pointer)             put the stack pointer in the machine
                                              (optional: as the plain value, named
                                              by STACK_POINTER)
    stack_pointer(machine)                    what the machine holds of it (optional)
    entry_points(address, ctx) -> set         where a direct call of the function at
                                              `address` lands (Thumb bit cleared, the
                                              ppc64 local entry point; optional: itself)
    decode_address(address) -> (int, int)     where the code starts and which of the
                                              target's capstone modes decodes it
                                              (optional: the address, the first mode)

Addresses are tracked through registers because every architecture but x86_64
reaches `_initgate_state` in two or three steps (adrp+add, auipc+lw, a literal
pool plus `add pc`, the i386 GOT register, the ppc64 TOC pointer).

From the entry, linker/prologue.py runs the code on the machine until it
meets a gate call, or a load of `_initgate_state` followed shortly by a
conditional branch; until then the code may only work on its own stack
frame (prologues, argument spills, stack probes).  Nothing but frame stores
may come between the load and the branch, the branch must depend on the
loaded value alone (linker/machine.py runs the instructions for every state
but INITGATE_DONE), and for each such state the side it takes must call
`_initgate_wait` before doing anything else.  The places come from the
runtime's note, so a stripped library checks the same.
"""

import importlib
import struct
from dataclasses import dataclass

from initgate.errors import ToolchainError
from initgate.linker import prologue
from initgate.linker.machine import WAITING_STATES, Unknowable

BRANCH_LIMIT = 24         # from the state load to its branch (zig -O0 on ppc64 needs 15)
WAIT_LIMIT = 16           # from a side of that branch to the wait call


@dataclass
class Places:
    state: int
    wait: int
    gate: int


@dataclass
class Verdict:
    gated: bool
    reason: str
    checked: bool = True      # False: the machine code could not be read at all


class _Matcher:
    """A gate_<isa> module, with the defaults for what it leaves out."""

    DEFAULTS = {
        "start": lambda entry: {},
        "decode_address": lambda address: (address, 0),
        "entry_points": lambda address, ctx: {address},
    }

    def __init__(self, module):
        self.module = module
        sp = getattr(module, "STACK_POINTER", None)
        self.enter = getattr(module, "enter", lambda machine, value: machine.put(sp, value))
        self.stack_pointer = getattr(module, "stack_pointer", lambda machine: machine.get(sp))

    def __getattr__(self, name):
        try:
            found = getattr(self.module, name)
        except AttributeError:
            if name not in self.DEFAULTS:
                raise
            found = self.DEFAULTS[name]
        setattr(self, name, found)      # looked up once, not per instruction
        return found

    def run(self, insn, machine, known):
        """evaluate(), where a result that depends on where the stack is stays unknown."""
        try:
            self.evaluate(insn, machine, known)
        except Unknowable:
            self.unmodeled(insn, machine, known)

    def decide(self, insn, machine, known):
        """taken(), or None when that depends on where the stack is."""
        try:
            return self.taken(insn, machine, known)
        except Unknowable:
            return None


def _disassembler(capstone, arch, modes, big_endian):
    mode = 0
    for name in modes:
        mode |= getattr(capstone, name)
    if big_endian:
        mode |= capstone.CS_MODE_BIG_ENDIAN
    cs = capstone.Cs(getattr(capstone, arch), mode)
    cs.detail = True
    return cs


class GateChecker:
    def __init__(self, elf, target, places):
        if not target.capstone or not target.gate_isa:
            raise ToolchainError("%s: cannot check machine code for %s" % (elf.path, target.arch))
        try:
            capstone = importlib.import_module("capstone")
        except ImportError:
            raise ToolchainError("verify needs the Python package capstone: "
                                 "pip install capstone") from None
        arch, modes = target.capstone[0], target.capstone[1:]
        # Each entry of `modes` is one decoder: several names joined by "|"
        # combine, and a second entry is an alternative (ARM's A32 beside Thumb).
        self.decoders = [_disassembler(capstone, arch, m.split("|"), elf.big_endian)
                         for m in modes]
        self.isa = _Matcher(importlib.import_module("initgate.linker.gate_" + target.gate_isa))
        self.elf = elf
        self.arch = target.arch
        self.bits = target.elf_class
        self.places = places
        self.gate_entries = self.isa.entry_points(places.gate, self)
        self.wait_entries = self.isa.entry_points(places.wait, self)

    # What a matcher may ask of the file.
    def code(self, address, size):
        """Up to `size` bytes at `address`, clipped to its loadable segment."""
        for seg in self.elf.segments_of(1):
            if seg.holds(address):
                size = min(size, seg.vaddr + seg.filesz - address)
                start = seg.offset + address - seg.vaddr
                return bytes(self.elf.data[start:start + size])
        return b""

    def u32(self, address):
        data = self.code(address, 4)
        return struct.unpack(self.elf.layout.u32, data)[0] if len(data) == 4 else None

    def walk(self, address, limit, size=None, decoder=0):
        return list(self.stream(address, limit, size, decoder))

    def stream(self, address, limit, size=None, decoder=0):
        """The instructions from `address`, decoded as they are asked for."""
        cs = self.decoders[min(decoder, len(self.decoders) - 1)]
        return cs.disasm(self.code(address, size or limit * 16), address, limit)

    # The check itself.
    def check(self, address, size):
        isa = self.isa
        # Branch targets inside the function are decoded the way its entry is.
        start, self.decoder = isa.decode_address(address)
        try:
            gate = prologue.walk(self, start, size, isa.start(address), self.bits)
        except prologue.Undecodable as err:
            return self._undecodable(err.address)
        except prologue.Refusal as refusal:
            if refusal.insn is None:
                return Verdict(False, refusal.why)
            return Verdict(False, "runs %s at %#x before any gate%s" % (
                _spelled(refusal.insn), refusal.insn.address,
                ": " + refusal.why if refusal.why else ""))
        if gate.calls:
            return Verdict(True, "calls the gate at %#x" % gate.insn.address)
        return self._after_load(gate)

    def _undecodable(self, address):
        return Verdict(False, "cannot check machine code for %s: capstone cannot decode the "
                       "instruction at %#x" % (self.arch, address), checked=False)

    def _after_load(self, gate):
        """From the state's load to the branch that decides on it: nothing else happens."""
        isa, load, known = self.isa, gate.insn, gate.known
        # Each instruction of the way, with what is known of the registers before it.
        path, after = [(load, dict(known))], dict(known)
        isa.track(load, after, self)
        # Where the stores of the way go does not depend on the state: run them
        # with the state unknown, and so with any address computed from it.
        machine = gate.machine.copy()
        isa.run(load, machine, known)
        for insn in self.stream(load.address + load.size, BRANCH_LIMIT, decoder=self.decoder):
            target = isa.conditional_target(insn)
            # ppc64's acquire idiom branches to the next instruction: not a decision.
            if target is not None and target != insn.address + insn.size:
                return self._decides(gate, path, insn, target, after)
            if self._stores_outside(gate, insn, machine, after):
                return Verdict(False, "runs %s at %#x between loading _initgate_state and "
                               "branching on it" % (_spelled(insn), insn.address))
            if target is None and isa.transfers_control(insn):
                break
            path.append((insn, dict(after)))
            isa.run(insn, machine, after)
            isa.track(insn, after, self)
        return Verdict(False, "loads _initgate_state at %#x but does not branch on it"
                       % load.address)

    def _stores_outside(self, gate, insn, machine, known):
        """Whether insn may store anywhere but the function's frame."""
        sp = self.isa.stack_pointer(machine)
        return any(writes and not gate.holds(address, size, sp)
                   for address, size, writes in self.isa.accesses(insn, machine, known))

    def _decides(self, gate, path, branch, target, known):
        """Whether the branch takes every state but INITGATE_DONE toward _initgate_wait.

        linker/machine.py runs `path` for each such state, from what the
        code before the gate computed; the branch must depend on nothing
        else, and the side it then takes must wait.
        """
        isa, load = self.isa, path[0][0]
        for state in WAITING_STATES:
            machine = gate.machine.copy(state)
            for insn, before in path:
                isa.run(insn, machine, before)
            taken = isa.decide(branch, machine, known)
            if taken is None:
                return Verdict(False, "loads _initgate_state at %#x, but the branch at %#x "
                               "does not depend on it alone" % (load.address, branch.address))
            side = target if taken else branch.address + branch.size
            if not self._reaches_wait(side, gate, dict(known), machine):
                return Verdict(False, "loads _initgate_state, but with the state %d the branch "
                               "at %#x goes to %#x, which does not call _initgate_wait"
                               % (state, branch.address, side))
        return Verdict(True, "loads _initgate_state at %#x" % load.address)

    def _reaches_wait(self, address, gate, known, machine, jumps=2):
        """Whether the code at `address` calls _initgate_wait before doing anything else.

        Only moves, stores into the frame and address arithmetic may come
        first (the function's name, the argument, is computed here), and
        direct jumps, followed `jumps` deep: a store elsewhere, a call or a
        second branch on the way would run before the gate, or could skip
        the wait.
        """
        isa = self.isa
        for insn in self.stream(address, WAIT_LIMIT, decoder=self.decoder):
            if isa.call_target(insn, known) in self.wait_entries \
                    or isa.jump_target(insn) in self.wait_entries:
                return True
            target = isa.jump_target(insn)
            if target is not None:
                return jumps > 0 and self._reaches_wait(target, gate, known, machine, jumps - 1)
            if isa.track(insn, known, self):
                continue
            if isa.transfers_control(insn) or self._stores_outside(gate, insn, machine, known):
                return False
            isa.run(insn, machine, known)
        return False


def _spelled(insn):
    return ("%s %s" % (insn.mnemonic, insn.op_str)).strip()
