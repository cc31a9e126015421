"""The gate in 32-bit ARM machine code (Thumb-2 and A32), as gcc emits gate.h.

armhf has no PC-relative data load, and -fPIC gcc does without the GOT for a
hidden symbol: it loads the distance to `_initgate_state` from a literal pool
after the function, `ldr r3, [pc, #N]`, adds the PC, `add r3, pc`, and reads
`ldr r3, [r3]` (then `dmb ish` for the acquire), compares with 2 and branches
`bne` toward `bl _initgate_wait`.  `movw`/`movt` pairs (-mcpu with MOVW)
are followed too.  The PC reads 4 bytes ahead in Thumb, 8 in A32: a function
whose address has bit 0 set is Thumb (the note's offsets and the symbol
table keep that bit), one without is decoded as A32.
"""

from capstone import CS_GRP_CALL, CS_GRP_INT, CS_GRP_JUMP, CS_GRP_RET
from capstone.arm import (
    ARM_CC_AL, ARM_CC_INVALID, ARM_INS_B, ARM_INS_BL, ARM_INS_BLX, ARM_INS_CBNZ, ARM_INS_CBZ,
    ARM_OP_IMM, ARM_OP_MEM, ARM_OP_REG)

FRAME_REGISTERS = ("sp", "r7", "r11", "fp")
MASK = (1 << 32) - 1
TRAPS = ("udf", "svc", "bkpt")
STORES = ("str", "stm", "push", "stl", "vst", "vpush")


def start(entry):
    return {"pc+": 4 if entry & 1 else 8}


def decode_address(address):
    """Thumb code at an odd address, decoded by the first mode; A32 by the second."""
    return address & ~1, 0 if address & 1 else 1


def entry_points(address, ctx):
    return {address & ~1}


def _name(insn, reg):
    return {"r13": "sp", "r14": "lr", "r15": "pc", "sb": "r9", "sl": "r10", "ip": "r12"}.get(
        insn.reg_name(reg), insn.reg_name(reg))


def _pc(insn, known):
    return insn.address + known.get("pc+", 4)


def _literal(insn, op, known, ctx):
    """The word an `ldr rd, [pc, #off]` loads from the literal pool."""
    disp = -op.mem.disp if op.subtracted else op.mem.disp
    return ctx.u32(((_pc(insn, known) & ~3) + disp) & MASK)


def track(insn, known, ctx):
    ops = insn.operands
    regs = [_name(insn, op.reg) if op.type == ARM_OP_REG else None for op in ops]
    m = insn.mnemonic.split(".")[0]
    value = None
    if m == "ldr" and len(ops) == 2 and ops[1].type == ARM_OP_MEM \
            and _name(insn, ops[1].mem.base) == "pc" and not ops[1].mem.index:
        value = _literal(insn, ops[1], known, ctx)
    elif m == "add" and len(ops) == 2 and regs[1] == "pc" and regs[0] in known:
        value = known[regs[0]] + _pc(insn, known)
    elif m == "add" and len(ops) == 3 and "pc" in regs[1:] and all(regs[1:]):
        other = regs[2] if regs[1] == "pc" else regs[1]
        if other in known:
            value = known[other] + _pc(insn, known)
    elif m == "add" and len(ops) == 3 and regs[1] in known and ops[2].type == ARM_OP_IMM:
        value = known[regs[1]] + ops[2].imm
    elif m == "movw" and ops[1].type == ARM_OP_IMM:
        value = ops[1].imm
    elif m == "movt" and regs[0] in known and ops[1].type == ARM_OP_IMM:
        value = (known[regs[0]] & 0xFFFF) | ops[1].imm << 16
    _, written = insn.regs_access()
    for reg in written:
        known.pop(_name(insn, reg), None)
    if value is not None:
        known[regs[0]] = value & MASK
    return False


def load_address(insn, known):
    m = insn.mnemonic.split(".")[0]
    if not (m.startswith("ldr") or m.startswith("lda")) or len(insn.operands) != 2:
        return None
    op = insn.operands[1]
    if op.type != ARM_OP_MEM or op.mem.index:
        return None
    base = known.get(_name(insn, op.mem.base))
    if base is None:
        return None
    return (base + (-op.mem.disp if op.subtracted else op.mem.disp)) & MASK


def _target(insn):
    if insn.operands and insn.operands[-1].type == ARM_OP_IMM:
        return insn.operands[-1].imm
    return None


def _always(insn):
    return insn.cc in (ARM_CC_AL, ARM_CC_INVALID)


def call_target(insn):
    if insn.id in (ARM_INS_BL, ARM_INS_BLX) and _always(insn):
        return _target(insn)
    return None


def jump_target(insn):
    return _target(insn) if insn.id == ARM_INS_B and _always(insn) else None


def conditional_target(insn):
    if insn.id in (ARM_INS_CBZ, ARM_INS_CBNZ) or (insn.id == ARM_INS_B and not _always(insn)):
        return _target(insn)
    return None


def transfers_control(insn):
    if any(insn.group(g) for g in (CS_GRP_CALL, CS_GRP_JUMP, CS_GRP_RET, CS_GRP_INT)):
        return True
    _, written = insn.regs_access()
    return insn.mnemonic.split(".")[0] in TRAPS or any(
        _name(insn, reg) == "pc" for reg in written)


def writes_shared_memory(insn):
    m = insn.mnemonic.split(".")[0]
    if not m.startswith(STORES):
        return False
    if m.startswith(("push", "vpush")):
        return False
    for op in insn.operands:
        if op.type == ARM_OP_MEM and _name(insn, op.mem.base) not in FRAME_REGISTERS:
            return True
    # stm/stmdb name their base as the first, register operand.
    return m.startswith("stm") and _name(insn, insn.operands[0].reg) not in FRAME_REGISTERS
