"""The gate in 32-bit ARM machine code (Thumb-2 and A32), as gcc and clang emit gate.h.

armhf has no PC-relative data load, and -fPIC gcc does without the GOT for a
hidden symbol: it loads the distance to `_initgate_state` from a literal pool
after the function, `ldr r3, [pc, #N]`, adds the PC, `add r3, pc`, and reads
`ldr r3, [r3]` (then `dmb ish` for the acquire), compares with 2 and branches
`bne` toward `bl _initgate_wait`.  `movw`/`movt` pairs (-mcpu with MOVW)
are followed too.  The PC reads 4 bytes ahead in Thumb, 8 in A32: a function
whose address has bit 0 set is Thumb (the note's offsets and the symbol
table keep that bit), one without is decoded as A32 (clang's default for
armhf).  A variadic function saves its register arguments through a copy of
the stack pointer, `add ip, sp, #12; stm ip, {r1, r2, r3}`.  gcc -O0 turns the
comparison into a boolean with `ite ne; movne; moveq` before branching on it;
instructions such as `cmpne` run only when their condition holds, which the
machine decides from the flags it holds, or does not know.

gcc probes below the stack pointer before moving it, `sub ip, sp, #4096;
str r0, [ip]`, for a larger frame in a loop on ip (`cmp ip, lr; bne`), then
`sub sp, sp, #N`; clang and zig do not probe on arm.  push, stm and their
writeback, and `bfc sp` (which aligns it), are followed (linker/prologue.py).
"""

from capstone import CS_GRP_CALL, CS_GRP_INT, CS_GRP_JUMP, CS_GRP_RET
from capstone.arm import (
    ARM_CC_AL, ARM_CC_INVALID, ARM_INS_B, ARM_INS_BL, ARM_INS_BLX, ARM_INS_CBNZ, ARM_INS_CBZ,
    ARM_OP_IMM, ARM_OP_MEM, ARM_OP_REG)

from initgate.linker.machine import (
    CONDITION_CODES, Unknowable, attempt, condition, forget, no_effect, result_flags,
    subtract_flags)

STACK_POINTER = "sp"
MASK = (1 << 32) - 1
TRAPS = ("udf", "svc", "bkpt")
STORES = ("str", "stm", "push", "stl", "vst", "vpush", "stc", "srs")


def start(entry):
    return {"pc+": 4 if entry & 1 else 8}


def decode_address(address):
    """Thumb code at an odd address, decoded by the first mode; A32 by the second."""
    return address & ~1, 0 if address & 1 else 1


def entry_points(address, ctx):
    return {address & ~1}


def _name(insn, reg):
    return {"r13": "sp", "r14": "lr", "r15": "pc", "sb": "r9", "sl": "r10", "ip": "r12",
            "fp": "r11"}.get(insn.reg_name(reg), insn.reg_name(reg))


def _disp(op):
    return -op.mem.disp if op.subtracted else op.mem.disp


def _pc(insn, known):
    return insn.address + known.get("pc+", 4)


def _literal(insn, op, known, ctx):
    """The word an `ldr rd, [pc, #off]` loads from the literal pool."""
    return ctx.u32(((_pc(insn, known) & ~3) + _disp(op)) & MASK)


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
    forget(known, {_name(insn, reg) for reg in written})
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
    return (base + _disp(op)) & MASK


def _target(insn):
    if insn.operands and insn.operands[-1].type == ARM_OP_IMM:
        return insn.operands[-1].imm
    return None


def _always(insn):
    return insn.cc in (ARM_CC_AL, ARM_CC_INVALID)


def call_target(insn, known):
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


# The machine (linker/machine.py), by capstone's instruction name, which
# leaves out the condition and the `s` of flag-setting forms.


def _value(insn, op, machine):
    if op.shift.type:
        return None
    if op.type == ARM_OP_IMM:
        return op.imm & MASK
    if op.type == ARM_OP_REG:
        return machine.get(_name(insn, op.reg))
    return None


def _put(insn, op, value, machine):
    machine.put(_name(insn, op.reg), None if value is None else value & MASK)


# Loads and stores of single registers, by instruction name: the bytes each
# register moves.  The exclusive stores name their status register first.
TRANSFERS = {"ldr": 4, "ldrb": 1, "ldrh": 2, "ldrsb": 1, "ldrsh": 2, "ldrd": 4, "lda": 4,
             "ldab": 1, "ldah": 2, "ldrex": 4, "ldrexb": 1, "ldrexh": 2, "ldrexd": 4,
             "str": 4, "strb": 1, "strh": 2, "strd": 4, "stl": 4, "stlb": 1, "stlh": 2,
             "strex": 4, "strexb": 1, "strexh": 2, "strexd": 4, "vldr": 0, "vstr": 0}
STATUS_FIRST = ("strex", "strexb", "strexh", "strexd")
# Loads and stores of register lists: where they start from the base, and the
# base when it is not the first operand.
MULTIPLE = {"push": ("db", "sp"), "vpush": ("db", "sp"), "pop": ("ia", "sp"),
            "vpop": ("ia", "sp"), "stm": ("ia", None), "stmdb": ("db", None),
            "stmib": ("ib", None), "stmda": ("da", None), "ldm": ("ia", None),
            "ldmdb": ("db", None), "ldmib": ("ib", None), "ldmda": ("da", None),
            "vstmia": ("ia", None), "vstmdb": ("db", None), "vldmia": ("ia", None),
            "vldmdb": ("db", None)}
# Where the first register of a list goes, from the base, for n bytes in all.
STARTS = {"ia": lambda n: 0, "ib": lambda n: 4, "db": lambda n: -n, "da": lambda n: 4 - n}


def _register_bytes(insn, op):
    return {"d": 8, "q": 16, "s": 4}.get(insn.reg_name(op.reg)[0], 4)


def _address(insn, op, machine, known):
    """Where a memory operand points: a literal through the pc, else from the machine."""
    base = _name(insn, op.mem.base)
    if base == "pc":
        return ((_pc(insn, known) & ~3) + _disp(op)) & MASK
    value = machine.get(base)
    index = 0
    if op.mem.index:
        index = None if op.shift.type else machine.get(_name(insn, op.mem.index))
        if index is not None and op.subtracted:
            index = -index
    if value is None or index is None:
        return None
    try:
        return (value + index + (0 if op.mem.index else _disp(op))) & MASK
    except Unknowable:
        return None


def _single(insn):
    """(memory operand, registers moved, bytes each) of a single load or store."""
    name = insn.insn_name()
    mem = next((op for op in insn.operands if op.type == ARM_OP_MEM), None)
    regs = [op for op in insn.operands if op.type == ARM_OP_REG]
    regs = regs[1:] if name in STATUS_FIRST else regs
    if not regs:
        return mem, regs, None
    return mem, regs, TRANSFERS[name] or _register_bytes(insn, regs[0])


def _multiple(insn, machine):
    """(base register, first address, registers, bytes each) of a register list."""
    mode, base = MULTIPLE[insn.insn_name()]
    regs = [op for op in insn.operands if op.type == ARM_OP_REG]
    if base is None and regs:
        base, regs = _name(insn, regs[0].reg), regs[1:]
    size = _register_bytes(insn, regs[0]) if regs else 4
    value = machine.get(base)
    start = None if value is None else value + STARTS[mode](size * len(regs))
    return base, start, regs, size


def accesses(insn, machine, known):
    name, m = insn.insn_name(), insn.mnemonic.split(".")[0]
    writes = m.startswith(STORES)
    if name in TRANSFERS:
        mem, regs, size = _single(insn)
        address = None if mem is None or size is None else _address(insn, mem, machine, known)
        return [(address, (size or 0) * len(regs), writes)]
    if name in MULTIPLE:
        _, start, regs, size = _multiple(insn, machine)
        return [(start, size * len(regs), writes)]
    return [(None, 0, True)] if writes else []


def _transfer(insn, machine, known):
    """A load or store of one register or two, with its base's writeback."""
    mem, regs, size = _single(insn)
    if mem is None or size is None:
        unmodeled(insn, machine, known)
        return
    address = load_address(insn, known)
    if address is None:
        address = _address(insn, mem, machine, known)
    _move_registers(insn, machine, regs, address, size,
                    insn.insn_name().startswith(("st", "vst")))
    if insn.writeback:
        base = _name(insn, mem.mem.base)
        step = insn.operands[-1]
        if not insn.post_index:
            after = address
        elif step.type == ARM_OP_IMM and machine.get(base) is not None:
            after = machine.get(base) + (-step.imm if step.subtracted else step.imm)
        else:
            after = None
        machine.put(base, None if after is None else after & MASK)


def _move_registers(insn, machine, regs, start, size, stores):
    """Each of `regs` stored to, or loaded from, `size` bytes on from the last."""
    for i, reg in enumerate(regs):
        at = None if start is None else start + i * size
        if stores:
            machine.write(at, size, _value(insn, reg, machine))
        else:
            _put(insn, reg, machine.read(at, size), machine)


def _transfer_multiple(insn, machine, known):
    base, start, regs, size = _multiple(insn, machine)
    _move_registers(insn, machine, regs, start, size,
                    insn.insn_name().startswith(("push", "vpush", "st", "vst")))
    if insn.writeback or base == "sp" and MULTIPLE[insn.insn_name()][1]:
        held, total = machine.get(base), size * len(regs)
        step = -total if MULTIPLE[insn.insn_name()][0] in ("db", "da") else total
        machine.put(base, None if held is None else (held + step) & MASK)


def _operands(insn, machine, store):
    """The two inputs of `op rd, rn, operand`, `op rd, operand` (Thumb) or `cmp rn, operand`."""
    ops = insn.operands
    first = ops[1] if store and len(ops) == 3 else ops[0]
    return _value(insn, first, machine), _value(insn, ops[-1], machine)


def _arithmetic(operation, subtraction=False, store=True):
    def run(insn, machine, known):
        a, b = _operands(insn, machine, store)
        # Two stack addresses compare even where their difference is no one number.
        result = None if None in (a, b) else attempt(lambda: operation(a, b) & MASK)
        if insn.update_flags or not store:
            flags = None
            if subtraction and None not in (a, b):
                flags = subtract_flags(a, b, 32)
            elif result is not None:
                flags = result_flags(result, 32)
            machine.put("flags", flags)
        if store:
            _put(insn, insn.operands[0], result, machine)
    return run


def _unary(operation):
    def run(insn, machine, known):
        value = _value(insn, insn.operands[-1], machine)
        result = None if value is None else operation(value) & MASK
        if insn.update_flags:
            machine.put("flags", None if result is None else result_flags(result, 32))
        _put(insn, insn.operands[0], result, machine)
    return run


def _move_top(insn, machine, known):
    """movt: the top sixteen bits replaced, the bottom kept."""
    dest, part = insn.operands[:2]
    held = machine.get(_name(insn, dest.reg))
    _put(insn, dest, None if held is None else (held & 0xFFFF) | part.imm << 16, machine)


def _clear_bits(insn, machine, known):
    """bfc rd, #lsb, #width: those bits cleared (of sp: rounded down, to align it)."""
    dest, lsb, width = insn.operands[:3]
    held = machine.get(_name(insn, dest.reg))
    cleared = ~(((1 << width.imm) - 1) << lsb.imm)
    _put(insn, dest, None if held is None else held & cleared, machine)


SEMANTICS = {
    "mov": _unary(lambda v: v),
    "bfc": _clear_bits,
    "movw": _unary(lambda v: v),
    "movt": _move_top,
    "mvn": _unary(lambda v: ~v),
    "uxtb": _unary(lambda v: v & 0xFF),
    "uxth": _unary(lambda v: v & 0xFFFF),
    "cmp": _arithmetic(lambda a, b: a - b, subtraction=True, store=False),
    "tst": _arithmetic(lambda a, b: a & b, store=False),
    "sub": _arithmetic(lambda a, b: a - b, subtraction=True),
    "rsb": _arithmetic(lambda a, b: b - a),
    "add": _arithmetic(lambda a, b: a + b),
    "and": _arithmetic(lambda a, b: a & b),
    "orr": _arithmetic(lambda a, b: a | b),
    "eor": _arithmetic(lambda a, b: a ^ b),
    "bic": _arithmetic(lambda a, b: a & ~b),
    "dmb": no_effect, "dsb": no_effect, "isb": no_effect, "nop": no_effect, "it": no_effect,
}


def unmodeled(insn, machine, known):
    """Forget what insn writes: registers, the flags, and the memory it stores to."""
    _, written = insn.regs_access()
    names = [_name(insn, reg) for reg in written]
    machine.forget_effects(accesses(insn, machine, known), [
        "flags" if name in ("cpsr", "apsr", "apsr_nzcv") else name for name in names])


def _run(insn, machine, known):
    name = insn.insn_name()
    if name in TRANSFERS:
        _transfer(insn, machine, known)
    elif name in MULTIPLE:
        _transfer_multiple(insn, machine, known)
    else:
        SEMANTICS.get(name, unmodeled)(insn, machine, known)


def evaluate(insn, machine, known):
    # Inside an IT block, or in A32, an instruction runs only if its condition holds.
    holds = True
    if not _always(insn) and insn.insn_name() != "it":
        holds = condition(CONDITION_CODES.get(insn.cc), machine.get("flags"))
    if holds:
        _run(insn, machine, known)
    elif holds is None:
        unmodeled(insn, machine, known)


def taken(insn, machine, known):
    if insn.id in (ARM_INS_CBZ, ARM_INS_CBNZ):
        value = _value(insn, insn.operands[0], machine)
        return None if value is None else (value == 0) == (insn.id == ARM_INS_CBZ)
    return condition(CONDITION_CODES.get(insn.cc), machine.get("flags"))
