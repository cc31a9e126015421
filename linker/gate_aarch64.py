"""The gate in AArch64 machine code, as gcc and clang emit gate.h (see gatecheck.py).

-fPIC code reaches the hidden `_initgate_state` PC-relative in two steps,
`adrp x0, page; add x0, x0, #lo` (capstone shows adrp's page as an absolute
address), then reads it with the acquire load `ldar w0, [x0]` (`ldapr` with
RCpc, or `ldr w0, [x0, #lo]` for a relaxed read), compares with 2 and
branches `b.ne` toward `bl _initgate_wait`.  `bl _cgo_wait_runtime_init_done`
is the gate called from assembly.  Registers are tracked by their 64-bit
name, so writing w0 forgets what x0 held.
"""

from capstone import CS_GRP_CALL, CS_GRP_INT, CS_GRP_JUMP, CS_GRP_RET
from capstone.arm64 import ARM64_OP_IMM, ARM64_OP_MEM, ARM64_OP_REG

FRAME_REGISTERS = ("sp", "x29")
MASK = (1 << 64) - 1
ATOMIC_WRITES = ("ldadd", "ldclr", "ldeor", "ldset", "ldsmax", "ldsmin", "ldumax",
                 "ldumin", "swp", "cas")
TRAPS = ("svc", "hvc", "smc", "brk", "hlt", "udf")


def _name(insn, reg):
    name = insn.reg_name(reg) or ""
    if name.startswith("w") and name[1:].isdigit():
        return "x" + name[1:]
    return {"wsp": "sp", "fp": "x29", "lr": "x30"}.get(name, name)


def _imm(op):
    return op.imm if op.type == ARM64_OP_IMM else None


def track(insn, known, ctx):
    ops = insn.operands
    value = None
    if insn.mnemonic == "adrp" and len(ops) == 2:
        value = _imm(ops[1])
    elif insn.mnemonic == "add" and len(ops) == 3 and ops[1].type == ARM64_OP_REG \
            and ops[2].type == ARM64_OP_IMM and _name(insn, ops[1].reg) in known:
        value = (known[_name(insn, ops[1].reg)] + ops[2].imm) & MASK
    _, written = insn.regs_access()
    for reg in written:
        known.pop(_name(insn, reg), None)
    if value is not None:
        known[_name(insn, ops[0].reg)] = value
    return False


def _is_load(insn):
    return insn.mnemonic.startswith("ld") and not insn.mnemonic.startswith(ATOMIC_WRITES)


def load_address(insn, known):
    if not _is_load(insn):
        return None
    for op in insn.operands[1:]:
        if op.type == ARM64_OP_MEM and not op.mem.index:
            base = known.get(_name(insn, op.mem.base))
            if base is not None:
                return (base + op.mem.disp) & MASK
        if insn.mnemonic == "ldr" and op.type == ARM64_OP_IMM:     # a literal load
            return op.imm
    return None


def call_target(insn):
    if insn.mnemonic == "bl" and insn.operands:
        return _imm(insn.operands[0])
    return None


def jump_target(insn):
    if insn.mnemonic == "b" and insn.operands:
        return _imm(insn.operands[0])
    return None


def conditional_target(insn):
    m = insn.mnemonic
    if (m.startswith("b.") or m in ("cbz", "cbnz", "tbz", "tbnz")) and insn.operands:
        return _imm(insn.operands[-1])
    return None


def transfers_control(insn):
    return any(insn.group(g) for g in (CS_GRP_CALL, CS_GRP_JUMP, CS_GRP_RET, CS_GRP_INT)) \
        or insn.mnemonic in TRAPS or insn.mnemonic in ("br", "blr", "ret", "b", "bl")


def writes_shared_memory(insn):
    m = insn.mnemonic
    if not (m.startswith("st") or m.startswith(ATOMIC_WRITES)):
        return False
    for op in insn.operands:
        if op.type == ARM64_OP_MEM and _name(insn, op.mem.base) not in FRAME_REGISTERS:
            return True
    return False
