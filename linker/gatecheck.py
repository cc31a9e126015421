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
    taken(insn, machine, known) -> bool|None  whether a conditional branch is taken
    call_target(insn, known) -> int | None    a call's target (direct, or through a
                                              register `known` holds)
    jump_target(insn) -> int | None           a direct unconditional jump's target
    conditional_target(insn) -> int | None    a conditional branch's target
    transfers_control(insn) -> bool           any call, jump, return or trap
    writes_shared_memory(insn, known) -> bool a store other than to the stack frame
    entry_points(address, ctx) -> set         where a direct call of the function at
                                              `address` lands (Thumb bit cleared, the
                                              ppc64 local entry point; optional: itself)
    decode_address(address) -> (int, int)     where the code starts and which of the
                                              target's capstone modes decodes it
                                              (optional: the address, the first mode)

Addresses are tracked through registers because every architecture but x86_64
reaches `_initgate_state` in two or three steps (adrp+add, auipc+lw, a literal
pool plus `add pc`, the i386 GOT register, the ppc64 TOC pointer).

From the entry, the walk allows only instructions that neither transfer
control nor store outside the stack frame (prologues, argument spills) until
it meets a gate call, or a load of `_initgate_state` followed shortly by a
conditional branch.  Nothing but frame stores may come between the two, the
branch must depend on the loaded value alone (linker/machine.py runs the
instructions for every state but INITGATE_DONE), and for each such state the
side it takes must call `_initgate_wait` before doing anything else.  The
places come from the runtime's note, so a stripped library checks the same.
"""

import importlib
import struct
from dataclasses import dataclass

from initgate.errors import ToolchainError
from initgate.linker.machine import WAITING_STATES, Machine

PROLOGUE_LIMIT = 32       # instructions allowed before the gate (-O0 spills every argument)
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

    def __getattr__(self, name):
        try:
            found = getattr(self.module, name)
        except AttributeError:
            if name not in self.DEFAULTS:
                raise
            found = self.DEFAULTS[name]
        setattr(self, name, found)      # looked up once, not per instruction
        return found


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
        isa, places = self.isa, self.places
        # Branch targets inside the function are decoded the way its entry is.
        start, self.decoder = isa.decode_address(address)
        instructions = self.walk(start, PROLOGUE_LIMIT, size if size else None, self.decoder)
        if not instructions:
            return self._undecodable(start)
        known = isa.start(address)
        boundaries = {insn.address for insn in instructions}
        skipped_to = 0
        for insn in instructions:
            called = isa.call_target(insn, known)
            loads_state = isa.load_address(insn, known) == places.state
            if (called in self.gate_entries or loads_state) and skipped_to > insn.address:
                return Verdict(False, "a branch before the gate jumps past it to %#x"
                               % skipped_to)
            if called in self.gate_entries:
                return Verdict(True, "calls the gate at %#x" % insn.address)
            if loads_state:
                return self._after_load(insn, known)
            if isa.track(insn, known, self):
                continue
            # A forward branch within the prologue (x86_64's variadic register
            # save: `test %al,%al; je`) skips only code this walk goes on to
            # check, so both of its paths meet the same gate, unless it lands
            # beyond the gate (checked above).
            target = isa.conditional_target(insn)
            if target is not None and insn.address < target and target in boundaries:
                skipped_to = max(skipped_to, target)
                continue
            if isa.transfers_control(insn) or isa.writes_shared_memory(insn, known):
                return Verdict(False, "runs %s at %#x before any gate"
                               % (_spelled(insn), insn.address))
        # capstone stops at the first instruction it cannot decode (Power10's
        # prefixed loads in capstone 5, say): that is not knowing, not a verdict.
        end = instructions[-1].address + instructions[-1].size
        if len(instructions) < PROLOGUE_LIMIT and (not size or end < start + size):
            return self._undecodable(end)
        return Verdict(False, "no gate in its first %d instructions" % len(instructions))

    def _undecodable(self, address):
        return Verdict(False, "cannot check machine code for %s: capstone cannot decode the "
                       "instruction at %#x" % (self.arch, address), checked=False)

    def _after_load(self, load, known):
        """From the state's load to the branch that decides on it: nothing else happens."""
        isa = self.isa
        # Each instruction of the way, with what is known of the registers before it.
        path, after = [(load, dict(known))], dict(known)
        isa.track(load, after, self)
        for insn in self.stream(load.address + load.size, BRANCH_LIMIT, decoder=self.decoder):
            target = isa.conditional_target(insn)
            # ppc64's acquire idiom branches to the next instruction: not a decision.
            if target is not None and target != insn.address + insn.size:
                return self._decides(path, insn, target, after)
            if isa.writes_shared_memory(insn, after):
                return Verdict(False, "runs %s at %#x between loading _initgate_state and "
                               "branching on it" % (_spelled(insn), insn.address))
            if target is None and isa.transfers_control(insn):
                break
            path.append((insn, dict(after)))
            isa.track(insn, after, self)
        return Verdict(False, "loads _initgate_state at %#x but does not branch on it"
                       % load.address)

    def _decides(self, path, branch, target, known):
        """Whether the branch takes every state but INITGATE_DONE toward _initgate_wait.

        linker/machine.py runs `path` for each such state; the branch must
        depend on nothing else, and the side it then takes must wait.
        """
        isa, waits, load = self.isa, {}, path[0][0]
        for state in WAITING_STATES:
            machine = Machine(self.places.state, state)
            for insn, before in path:
                isa.evaluate(insn, machine, before)
            taken = isa.taken(branch, machine, known)
            if taken is None:
                return Verdict(False, "loads _initgate_state at %#x, but the branch at %#x "
                               "does not depend on it alone" % (load.address, branch.address))
            side = target if taken else branch.address + branch.size
            if side not in waits:
                waits[side] = self._reaches_wait(side, known)
            if not waits[side]:
                return Verdict(False, "loads _initgate_state, but with the state %d the branch "
                               "at %#x goes to %#x, which does not call _initgate_wait"
                               % (state, branch.address, side))
        return Verdict(True, "loads _initgate_state at %#x" % load.address)

    def _reaches_wait(self, address, known, jumps=2):
        """Whether the code at `address` calls _initgate_wait before doing anything else.

        Only moves, spills and address arithmetic may come first (the
        function's name, the argument, is computed here), and direct jumps,
        followed `jumps` deep: a store, a call or a second branch on the way
        would run before the gate, or could skip the wait.
        """
        isa, known = self.isa, dict(known)
        for insn in self.stream(address, WAIT_LIMIT, decoder=self.decoder):
            if isa.call_target(insn, known) in self.wait_entries \
                    or isa.jump_target(insn) in self.wait_entries:
                return True
            target = isa.jump_target(insn)
            if target is not None:
                return jumps > 0 and self._reaches_wait(target, known, jumps - 1)
            if isa.track(insn, known, self):
                continue
            if isa.transfers_control(insn) or isa.writes_shared_memory(insn, known):
                return False
        return False


def _spelled(insn):
    return ("%s %s" % (insn.mnemonic, insn.op_str)).strip()
