"""The gate in 64-bit PowerPC (ELFv2) machine code, as gcc emits gate.h.

Data is reached through the TOC pointer r2, which a function that needs it
computes at its global entry point from r12 (the entry's own address, by the
ABI): `addis r2, r12, hi; addi r2, r2, lo`.  The state is then read
`addis r9, r2, off@ha; lwz r9, off@l(r9)`, which the linker often relaxes to
`nop; lwz r9, off(r2)`; the acquire follows as `cmpw r9, r9; bne- .+4;
isync` (a branch to the next instruction, which the checker skips), then
`cmplwi r9, 2; bne` toward `bl _initgate_wait`.  A local call lands 8 bytes
into a callee that sets up r2, at its local entry point.

Not recognised: Power10's prefixed pc-relative loads (`plwz`, -mcpu=power10),
which capstone 5 does not decode; such a function is reported as not gated.
"""

MASK = (1 << 64) - 1
FRAME_REGISTERS = ("r1", "r31")
NOT_DESTINATIONS = ("st", "cmp", "b", "tw", "td", "mt", "dcb", "icb", "sync", "isync",
                    "lwsync", "eieio", "nop")
TRAPS = ("tw", "td", "sc", "trap", "attn")


def _imm(op):
    return op.imm if op.type == 2 else None       # PPC_OP_IMM


def _reg(insn, op):
    return insn.reg_name(op.reg) if op.type == 1 else None   # PPC_OP_REG


def start(entry):
    return {"r12": entry}


def entry_points(address, ctx):
    first = ctx.walk(address, 1)
    if first and first[0].mnemonic == "addis" and \
            [_reg(first[0], op) for op in first[0].operands[:2]] == ["r2", "r12"]:
        return {address, address + 8}
    return {address}


def track(insn, known, ctx):
    ops, m = insn.operands, insn.mnemonic
    regs = [_reg(insn, op) for op in ops]
    value = None
    if m in ("addis", "addi") and len(ops) == 3 and regs[1] in known \
            and _imm(ops[2]) is not None:
        value = known[regs[1]] + (ops[2].imm << 16 if m == "addis" else ops[2].imm)
    elif m == "lis" and len(ops) == 2:
        value = ops[1].imm << 16
    elif m == "li" and len(ops) == 2:
        value = ops[1].imm
    elif m == "mr" and regs[1] in known:
        value = known[regs[1]]
    if regs and regs[0] and not m.startswith(NOT_DESTINATIONS):
        known.pop(regs[0], None)
        if m.endswith("u") and len(ops) > 1 and ops[1].type == 3:     # load with update
            known.pop(insn.reg_name(ops[1].mem.base), None)
    if value is not None:
        known[regs[0]] = value & MASK
    return False


def load_address(insn, known):
    m = insn.mnemonic
    if not m.startswith("l") or m in ("li", "lis") or len(insn.operands) != 2:
        return None
    op = insn.operands[1]
    if op.type != 3:                                  # PPC_OP_MEM
        return None
    base = known.get(insn.reg_name(op.mem.base))
    return None if base is None else (base + op.mem.disp) & MASK


def _strip(mnemonic):
    return mnemonic.rstrip("+-")


def call_target(insn):
    return _imm(insn.operands[0]) if _strip(insn.mnemonic) == "bl" and insn.operands else None


def jump_target(insn):
    return _imm(insn.operands[0]) if _strip(insn.mnemonic) == "b" and insn.operands else None


def conditional_target(insn):
    m = _strip(insn.mnemonic)
    if m.startswith("b") and m not in ("b", "bl", "ba", "bla") \
            and not m.endswith(("lr", "ctr", "lrl", "ctrl", "a", "la")) and insn.operands:
        return _imm(insn.operands[-1])
    return None


def transfers_control(insn):
    m = insn.mnemonic
    return m.startswith("b") or m.startswith(TRAPS) or m in ("rfid", "rfi")


def writes_shared_memory(insn):
    m = insn.mnemonic
    if not m.startswith("st"):
        return False
    for op in insn.operands:
        if op.type == 3 and insn.reg_name(op.mem.base) not in FRAME_REGISTERS:
            return True
    return not any(op.type == 3 for op in insn.operands)     # indexed stores: base unknown
