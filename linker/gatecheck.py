"""Does a function pass the gate before anything else?  Judged from machine code.

The check is generic; the instruction set comes in as a matcher module,
linker/gate_<isa>.py, named by the target's row in linker/targets.py together
with capstone's names for the architecture and mode.  A matcher offers:

    is_gate_call(insn, places) -> bool       a call of the gate function
    state_load(insn, places) -> bool          a load of _initgate_state
    is_wait_call(insn, places) -> bool        a call of _initgate_wait
    conditional_target(insn) -> int | None    a conditional branch's target
    unconditional_target(insn) -> int | None  a direct jump's target
    transfers_control(insn) -> bool           any call, jump, return or trap
    writes_shared_memory(insn) -> bool        a store other than to the stack frame

From the entry, the walk allows only instructions that neither transfer
control nor store outside the stack frame (prologues, argument spills) until
it meets a gate call, or a load of `_initgate_state` followed shortly by a
conditional branch one of whose sides reaches a call of `_initgate_wait`.
The places come from the runtime's note, so a stripped library checks the same.
"""

import importlib
from dataclasses import dataclass

from initgate.errors import ToolchainError

PROLOGUE_LIMIT = 32       # instructions allowed before the gate (-O0 spills every argument)
BRANCH_LIMIT = 8          # from the state load to its conditional branch
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


class GateChecker:
    def __init__(self, elf, target, places):
        if not target.capstone or not target.gate_isa:
            raise ToolchainError("%s: verify cannot read %s machine code yet; only the "
                                 "library's flags were checked" % (elf.path, target.arch))
        try:
            capstone = importlib.import_module("capstone")
        except ImportError:
            raise ToolchainError("verify needs the Python package capstone: "
                                 "pip install capstone") from None
        arch, mode = (getattr(capstone, name) for name in target.capstone)
        if elf.big_endian:
            mode |= capstone.CS_MODE_BIG_ENDIAN
        self.cs = capstone.Cs(arch, mode)
        self.cs.detail = True
        self.isa = importlib.import_module("initgate.linker.gate_" + target.gate_isa)
        self.elf = elf
        self.places = places

    def code(self, address, size):
        """Up to `size` bytes of code at `address`, clipped to its segment."""
        for seg in self.elf.segments_of(1):
            if seg.holds(address):
                size = min(size, seg.vaddr + seg.filesz - address)
                start = seg.offset + address - seg.vaddr
                return bytes(self.elf.data[start:start + size])
        return b""

    def walk(self, address, limit, size=None):
        return list(self.cs.disasm(self.code(address, size or limit * 16), address, limit))

    def check(self, address, size):
        isa, places = self.isa, self.places
        instructions = self.walk(address, PROLOGUE_LIMIT, size if size else None)
        if not instructions:
            return Verdict(False, "no decodable code at %#x" % address)
        for i, insn in enumerate(instructions):
            if isa.is_gate_call(insn, places):
                return Verdict(True, "calls the gate at %#x" % insn.address)
            if isa.state_load(insn, places):
                return self._after_load(instructions[i + 1:i + 1 + BRANCH_LIMIT], insn)
            if isa.transfers_control(insn) or isa.writes_shared_memory(insn):
                return Verdict(False, "runs %s %s at %#x before any gate"
                               % (insn.mnemonic, insn.op_str, insn.address))
        return Verdict(False, "no gate in its first %d instructions" % len(instructions))

    def _after_load(self, following, load):
        isa = self.isa
        for insn in following:
            target = isa.conditional_target(insn)
            if target is not None:
                for side in (target, insn.address + insn.size):
                    if self._reaches_wait(side):
                        return Verdict(True, "loads _initgate_state at %#x" % load.address)
                return Verdict(False, "loads _initgate_state but neither side of the branch "
                               "at %#x calls _initgate_wait" % insn.address)
            if isa.transfers_control(insn):
                break
        return Verdict(False, "loads _initgate_state at %#x but does not branch on it"
                       % load.address)

    def _reaches_wait(self, address, jumps=2):
        for insn in self.walk(address, WAIT_LIMIT):
            if self.isa.is_wait_call(insn, self.places):
                return True
            target = self.isa.unconditional_target(insn)
            if target is not None:
                return jumps > 0 and self._reaches_wait(target, jumps - 1)
            if self.isa.transfers_control(insn) and self.isa.conditional_target(insn) is None:
                return False
        return False
