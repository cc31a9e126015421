"""The gate in x86 machine code, as gcc and clang emit gate.h (see gatecheck.py).

The inlined gate is `mov _initgate_state(%rip),%eax; cmp $2,%eax; jne cold`
(or `cmpl $2,_initgate_state(%rip)`), with the call of `_initgate_wait` on the
cold side; assembly and hand-written callers `call _cgo_wait_runtime_init_done`.
Memory operands are read through capstone's details: a RIP-relative operand's
address is the next instruction's address plus the displacement.
"""

from capstone import CS_AC_WRITE, CS_GRP_CALL, CS_GRP_INT, CS_GRP_JUMP, CS_GRP_RET
from capstone.x86 import (
    X86_OP_IMM, X86_OP_MEM, X86_REG_EBP, X86_REG_ESP, X86_REG_RBP, X86_REG_RIP, X86_REG_RSP)

FRAME_REGISTERS = (X86_REG_RSP, X86_REG_RBP, X86_REG_ESP, X86_REG_EBP)


def _direct_target(insn):
    if insn.operands and insn.operands[0].type == X86_OP_IMM:
        return insn.operands[0].imm
    return None


def _memory_addresses(insn):
    for op in insn.operands:
        if op.type == X86_OP_MEM and op.mem.base == X86_REG_RIP and op.mem.index == 0:
            yield insn.address + insn.size + op.mem.disp


def is_gate_call(insn, places):
    return insn.group(CS_GRP_CALL) and _direct_target(insn) == places.gate


def is_wait_call(insn, places):
    if not (insn.group(CS_GRP_CALL) or insn.group(CS_GRP_JUMP)):
        return False
    return _direct_target(insn) == places.wait


def state_load(insn, places):
    return places.state in _memory_addresses(insn)


def conditional_target(insn):
    if insn.group(CS_GRP_JUMP) and insn.mnemonic != "jmp":
        return _direct_target(insn)
    return None


def unconditional_target(insn):
    return _direct_target(insn) if insn.mnemonic == "jmp" else None


def transfers_control(insn):
    return any(insn.group(g) for g in (CS_GRP_CALL, CS_GRP_JUMP, CS_GRP_RET, CS_GRP_INT)) \
        or insn.mnemonic in ("ud2", "hlt", "syscall")


def writes_shared_memory(insn):
    for op in insn.operands:
        if op.type == X86_OP_MEM and op.access & CS_AC_WRITE \
                and op.mem.base not in FRAME_REGISTERS:
            return True
    return False
