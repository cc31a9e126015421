"""The gate in s390x (z/Architecture) machine code, as gcc emits gate.h.

z/Architecture reads PC-relative data in one instruction: `lrl %r1,
_initgate_state` (a plain load is already an acquire on this strongly
ordered machine), or `larl %r1, _initgate_state; l %r1, 0(%r1)`.  Then `chi
%r1, 2; jne cold` toward `brasl %r14, _initgate_wait`.  capstone gives the
PC-relative operands of larl, lrl, brasl and the jumps as absolute
addresses.  The file is big-endian; gatecheck.py sets capstone's mode for it.
"""

MASK = (1 << 64) - 1
FRAME_REGISTERS = ("15", "11", "r15", "r11", "%r15", "%r11")
RELATIVE_LOADS = ("lrl", "lgrl", "lgfrl", "llgfrl", "lhrl", "lghrl", "llhrl", "llghrl")
NOT_DESTINATIONS = ("st", "c", "t", "b", "j", "mvc", "mvi", "ex", "svc")
STORES = ("st", "mvc", "mvi", "mvhi", "mvghi", "mvhhi", "xc", "oc", "nc", "oi", "ni", "xi",
          "asi", "agsi", "cs", "csg")
BRANCH_ON_CONDITION = ("brc", "brcl", "bcr", "bc")


def _reg(insn, op):
    return insn.reg_name(op.reg) if op.type == 1 else None    # SYSZ_OP_REG


def _imm(op):
    return op.imm if op.type == 2 else None                     # SYSZ_OP_IMM


def track(insn, known, ctx):
    ops, m = insn.operands, insn.mnemonic
    regs = [_reg(insn, op) for op in ops]
    value = None
    if m == "larl":
        value = _imm(ops[1])
    elif m in ("la", "lay") and ops[1].type == 3 and not ops[1].mem.index:
        base = known.get(insn.reg_name(ops[1].mem.base))
        value = None if base is None else base + ops[1].mem.disp
    elif m in ("lgr", "lr") and regs[1] in known:
        value = known[regs[1]]
    if m.startswith("lm"):              # load multiple: forget everything
        known.clear()
    elif regs and regs[0] and not m.startswith(NOT_DESTINATIONS):
        known.pop(regs[0], None)
    if value is not None:
        known[regs[0]] = value & MASK
    return False


def load_address(insn, known):
    m, ops = insn.mnemonic, insn.operands
    if m in RELATIVE_LOADS:
        return _imm(ops[1])
    if not m.startswith("l") or m in ("la", "lay", "larl") or m.startswith("lm") or len(ops) != 2:
        return None
    op = ops[1]
    if op.type != 3 or op.mem.index:
        return None
    base = known.get(insn.reg_name(op.mem.base))
    return None if base is None else (base + op.mem.disp) & MASK


def _mask(insn):
    """The condition mask of a branch-on-condition (15 always, 0 never)."""
    if insn.mnemonic in BRANCH_ON_CONDITION and insn.operands:
        return _imm(insn.operands[0])
    return None


def call_target(insn):
    if insn.mnemonic in ("brasl", "bras") and len(insn.operands) == 2:
        return _imm(insn.operands[1])
    return None


def jump_target(insn):
    if insn.mnemonic in ("j", "jg"):
        return _imm(insn.operands[0])
    if _mask(insn) == 15 and insn.mnemonic in ("brc", "brcl"):
        return _imm(insn.operands[1])
    return None


def conditional_target(insn):
    m = insn.mnemonic
    if m.startswith("j") and m not in ("j", "jg") and insn.operands:
        return _imm(insn.operands[-1])
    if m in ("brc", "brcl") and _mask(insn) not in (0, 15):
        return _imm(insn.operands[1])
    return None


def transfers_control(insn):
    m = insn.mnemonic
    if m in ("bcr", "bc") and _mask(insn) == 0:     # nopr: branch never
        return False
    return m.startswith(("b", "j", "svc", "ex"))


def writes_shared_memory(insn):
    if not insn.mnemonic.startswith(STORES):
        return False
    for op in insn.operands:
        if op.type == 3 and insn.reg_name(op.mem.base) not in FRAME_REGISTERS:
            return True
    return False
