"""The gate in AArch64 machine code, as gcc and clang emit gate.h (see gatecheck.py).

-fPIC code reaches the hidden `_initgate_state` PC-relative in two steps,
`adrp x0, page; add x0, x0, #lo` (capstone shows adrp's page as an absolute
address), then reads it with the acquire load `ldar w0, [x0]` (`ldapr` with
RCpc, or `ldr w0, [x0, #lo]` for a relaxed read), compares with 2 and
branches `b.ne` toward `bl _initgate_wait`.  lld and zig's linker relax
`adrp; add` to `nop; adr x0, _initgate_state` where the state is within 1 MB.
At -O0 the value goes through the frame, and clang branches with `tbz` on a
`cset`, gcc with `b.eq` on a `cset; and; cmp`.  `bl _cgo_wait_runtime_init_done`
is the gate called from assembly.  Registers are tracked by their 64-bit
name, so writing w0 forgets what x0 held.
"""

from capstone import CS_GRP_CALL, CS_GRP_INT, CS_GRP_JUMP, CS_GRP_RET
from capstone.arm64 import ARM64_OP_IMM, ARM64_OP_MEM, ARM64_OP_REG

from initgate.linker.machine import (
    CONDITION_CODES, condition, forget, mask, no_effect, result_flags, signed,
    stack_frame, subtract_flags)

STACK_POINTER = "sp"
MASK = (1 << 64) - 1
ATOMIC_WRITES = ("ldadd", "ldclr", "ldeor", "ldset", "ldsmax", "ldsmin", "ldumax",
                 "ldumin", "swp", "cas")
TRAPS = ("svc", "hvc", "smc", "brk", "hlt", "udf")
ZERO = ("xzr", "wzr")
# Loads and stores the machine follows, by mnemonic: bytes moved, or 0 for
# the width of the register, and whether a load sign-extends.
LOADS = {"ldr": (0, False), "ldur": (0, False), "ldar": (0, False), "ldapr": (0, False),
         "ldapur": (0, False), "ldrb": (1, False), "ldurb": (1, False), "ldarb": (1, False),
         "ldrh": (2, False), "ldurh": (2, False), "ldarh": (2, False),
         "ldrsw": (4, True), "ldursw": (4, True)}
STORES = {"str": 0, "stur": 0, "stlr": 0, "strb": 1, "sturb": 1, "strh": 2, "sturh": 2}


def _name(insn, reg):
    name = insn.reg_name(reg) or ""
    if name.startswith("w") and name[1:].isdigit():
        return "x" + name[1:]
    return {"wsp": "sp", "fp": "x29", "lr": "x30"}.get(name, name)


def _imm(op):
    return op.imm if op.type == ARM64_OP_IMM else None


def track(insn, known, ctx):
    ops = insn.operands
    regs = [_name(insn, op.reg) if op.type == ARM64_OP_REG else None for op in ops]
    value, frame_copy = None, None
    if insn.mnemonic in ("adrp", "adr") and len(ops) == 2:
        value = _imm(ops[1])
    elif insn.mnemonic in ("add", "sub", "mov") and regs[0] and len(ops) in (2, 3) \
            and regs[1] in stack_frame(known, STACK_POINTER) \
            and (len(ops) == 2 or ops[2].type == ARM64_OP_IMM):
        frame_copy = regs[0]
    elif insn.mnemonic == "add" and len(ops) == 3 and regs[1] in known \
            and ops[2].type == ARM64_OP_IMM:
        value = (known[regs[1]] + ops[2].imm) & MASK
    _, written = insn.regs_access()
    forget(known, {_name(insn, reg) for reg in written}, STACK_POINTER, frame_copy)
    if value is not None:
        known[regs[0]] = value
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


def call_target(insn, known):
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


def _frame_slot(insn, op, known):
    """(base, displacement) of a memory operand in the frame, or None."""
    base = _name(insn, op.mem.base)
    if op.mem.index or base not in stack_frame(known, STACK_POINTER):
        return None
    return base, op.mem.disp


def writes_shared_memory(insn, known):
    m = insn.mnemonic
    if not (m.startswith("st") or m.startswith(ATOMIC_WRITES)):
        return False
    return any(op.type == ARM64_OP_MEM and _frame_slot(insn, op, known) is None
               for op in insn.operands)


# The machine (linker/machine.py).
def _bits(insn, op):
    return 32 if insn.reg_name(op.reg).startswith("w") else 64


def _value(insn, op, machine):
    """A register or immediate operand's value, or None (shifted, extended, unknown)."""
    if op.shift.type or op.ext:
        return None
    if op.type == ARM64_OP_IMM:
        return op.imm
    if op.type != ARM64_OP_REG:
        return None
    name = insn.reg_name(op.reg)
    if name in ZERO:
        return 0
    held = machine.get(_name(insn, op.reg))
    return None if held is None else held & mask(_bits(insn, op))


def _put(insn, op, value, machine):
    if insn.reg_name(op.reg) not in ZERO:
        machine.put(_name(insn, op.reg), None if value is None else value & mask(_bits(insn, op)))


def _load(insn, machine, known):
    size, extend = LOADS[insn.mnemonic]
    dest, src = insn.operands[:2]
    size = size or _bits(insn, dest) // 8
    value = machine.read(load_address(insn, known), _frame_slot(insn, src, known), size)
    if value is not None and extend:
        value = signed(value, 8 * size)
    _put(insn, dest, value, machine)


def _store(insn, machine, known):
    src, dest = insn.operands[:2]
    size = STORES[insn.mnemonic] or _bits(insn, src) // 8
    machine.write(_frame_slot(insn, dest, known), size, _value(insn, src, machine))


def _arithmetic(operation, flags=None, store=True):
    """An instruction `op rd, rn, operand` (or `cmp rn, operand` when not `store`)."""
    def run(insn, machine, known):
        ops = insn.operands
        first = ops[1] if store else ops[0]
        a, b = _value(insn, first, machine), _value(insn, ops[-1], machine)
        bits = _bits(insn, first)
        result = None if None in (a, b) else operation(a, b)
        if flags:
            machine.put("nzcv", None if result is None else flags(a, b, result, bits))
        if store:
            _put(insn, ops[0], result, machine)
    return run


def _subtraction_flags(a, b, result, bits):
    return subtract_flags(a, b, bits)


def _logic_flags(a, b, result, bits):
    return dict(result_flags(result, bits), c=0, v=0)


def _move(insn, machine, known):
    _put(insn, insn.operands[0], _value(insn, insn.operands[1], machine), machine)


def _cset(insn, machine, known):
    holds = condition(CONDITION_CODES.get(insn.cc), machine.get("nzcv"))
    _put(insn, insn.operands[0], None if holds is None else int(holds), machine)


SEMANTICS = {
    "mov": _move,
    "cmp": _arithmetic(lambda a, b: a - b, _subtraction_flags, store=False),
    "subs": _arithmetic(lambda a, b: a - b, _subtraction_flags),
    "sub": _arithmetic(lambda a, b: a - b),
    "add": _arithmetic(lambda a, b: a + b),
    "tst": _arithmetic(lambda a, b: a & b, _logic_flags, store=False),
    "ands": _arithmetic(lambda a, b: a & b, _logic_flags),
    "and": _arithmetic(lambda a, b: a & b),
    "orr": _arithmetic(lambda a, b: a | b),
    "eor": _arithmetic(lambda a, b: a ^ b),
    "cset": _cset,
    "nop": no_effect, "dmb": no_effect, "dsb": no_effect, "isb": no_effect,
}


def _unmodeled(insn, machine, known):
    """Forget what insn writes: registers, the flags, and the frame's slots if memory."""
    _, written = insn.regs_access()
    for reg in written:
        machine.put("nzcv" if insn.reg_name(reg) == "nzcv" else _name(insn, reg), None)
    if insn.mnemonic.startswith("st"):
        machine.slots.clear()


def evaluate(insn, machine, known):
    if insn.mnemonic in LOADS and not insn.writeback:
        _load(insn, machine, known)
    elif insn.mnemonic in STORES and not insn.writeback:
        _store(insn, machine, known)
    else:
        SEMANTICS.get(insn.mnemonic, _unmodeled)(insn, machine, known)


def taken(insn, machine, known):
    m, ops = insn.mnemonic, insn.operands
    if m.startswith("b."):
        return condition(CONDITION_CODES.get(insn.cc), machine.get("nzcv"))
    value = _value(insn, ops[0], machine)
    if value is None:
        return None
    if m in ("cbz", "cbnz"):
        return (value == 0) == (m == "cbz")
    bit = value >> ops[1].imm & 1
    return (bit == 0) == (m == "tbz")
