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

Before the gate gcc probes a frame of 64 KB or more (it assumes a 64 KB
guard), `sub x12, sp, #N; 1: sub sp, sp, #16, lsl #12; str xzr, [sp,
#1024]; cmp sp, x12; b.ne 1b`, and zig a page at a time with `str xzr,
[sp]`; clang 14 does not probe.  Shifted immediates, movz and movk, pairs
and writeback are followed (linker/prologue.py).
"""

from capstone import CS_GRP_CALL, CS_GRP_INT, CS_GRP_JUMP, CS_GRP_RET
from capstone.arm64 import ARM64_OP_IMM, ARM64_OP_MEM, ARM64_OP_REG

from initgate.linker.machine import (
    CONDITION_CODES, Unknowable, attempt, condition, forget, mask, no_effect, result_flags, signed,
    subtract_flags)

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


def _written(insn):
    """The registers insn writes, by our names.  Capstone counts the first operand
    of cmp, cmn and tst (subs, adds and ands into xzr) among them: they write
    only the flags."""
    _, written = insn.regs_access()
    names = {"nzcv" if insn.reg_name(reg) == "nzcv" else _name(insn, reg) for reg in written}
    return {"nzcv"} if insn.mnemonic in ("cmp", "cmn", "tst") else names


def track(insn, known, ctx):
    ops = insn.operands
    regs = [_name(insn, op.reg) if op.type == ARM64_OP_REG else None for op in ops]
    value = None
    if insn.mnemonic in ("adrp", "adr") and len(ops) == 2:
        value = _imm(ops[1])
    elif insn.mnemonic == "add" and len(ops) == 3 and regs[1] in known \
            and ops[2].type == ARM64_OP_IMM:
        value = (known[regs[1]] + ops[2].imm) & MASK
    forget(known, _written(insn))
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


# The machine (linker/machine.py).
# Bytes a register moves to or from memory, by the first letter of its name.
REGISTER_BYTES = {"w": 4, "x": 8, "b": 1, "h": 2, "s": 4, "d": 8, "q": 16, "v": 16}
PAIRS = {"ldp": False, "ldnp": False, "ldpsw": True, "stp": False, "stnp": False}
# Exclusive stores name the register that receives their status first.
STATUS_FIRST = ("stxr", "stlxr", "stxp", "stlxp")
SHIFTS = {1: lambda v, n: v << n, 3: lambda v, n: v >> n}     # ARM64_SFT_LSL, _LSR


def _bits(insn, op):
    return 32 if insn.reg_name(op.reg).startswith("w") else 64


def _register_bytes(insn, op):
    """None for SVE's z and p registers, whose width the code does not say."""
    name = insn.reg_name(op.reg)
    if name in ("sp", "fp", "lr", "xzr"):
        return 8
    return 4 if name in ("wsp", "wzr") else REGISTER_BYTES.get(name[0])


def _value(insn, op, machine):
    """A register or immediate operand's value, shifted left or right, or None
    (extended, another shift, unknown)."""
    if op.ext or (op.shift.type and op.shift.type not in SHIFTS):
        return None
    if op.type == ARM64_OP_IMM:
        value = op.imm
    elif op.type != ARM64_OP_REG:
        return None
    elif insn.reg_name(op.reg) in ZERO:
        value = 0
    else:
        held = machine.get(_name(insn, op.reg))
        if held is None:
            return None
        value = held & mask(_bits(insn, op))
    return SHIFTS[op.shift.type](value, op.shift.value) if op.shift.type else value


def _put(insn, op, value, machine):
    if insn.reg_name(op.reg) not in ZERO:
        machine.put(_name(insn, op.reg), None if value is None else value & mask(_bits(insn, op)))


def _memory_operand(insn):
    return next((op for op in insn.operands if op.type == ARM64_OP_MEM), None)


def _address(insn, op, machine):
    """Where a memory operand points, from the machine: base, plain index, offset."""
    base = machine.get(_name(insn, op.mem.base))
    index = 0
    if op.mem.index:
        index = None if op.ext or op.shift.type else machine.get(_name(insn, op.mem.index))
    if base is None or index is None:
        return None
    try:
        return (base + index + op.mem.disp) & MASK
    except Unknowable:
        return None


def _transfer_size(insn):
    """Bytes one register of a load or store moves: its mnemonic's b, h or sw, else
    the register's width."""
    m = insn.mnemonic
    if m.endswith("sw"):
        return 4
    if m.endswith("b"):
        return 1
    if m.endswith("h"):
        return 2
    return None


def _data_registers(insn):
    """The registers a load or store moves, in order, without an exclusive's status."""
    regs = []
    for op in insn.operands:
        if op.type == ARM64_OP_MEM:
            break
        if op.type == ARM64_OP_REG:
            regs.append(op)
    return regs[1:] if insn.mnemonic.startswith(STATUS_FIRST) else regs


def accesses(insn, machine, known):
    m = insn.mnemonic
    if m == "dc" and insn.op_str.startswith("zva"):       # zeroes a cache line
        return [(None, 0, True)]
    writes = m.startswith("st") or m.startswith(ATOMIC_WRITES)
    reads = m.startswith(("ld", "swp", "cas"))
    if not (reads or writes):
        return []
    op = _memory_operand(insn)
    if op is None:
        return [(load_address(insn, known), 8, False)] if reads else [(None, 0, True)]
    sizes = [_transfer_size(insn) or _register_bytes(insn, r) for r in _data_registers(insn)]
    address = _address(insn, op, machine) if sizes and None not in sizes else None
    size = sum(s for s in sizes if s)
    return [(address, size, w) for w, does in ((False, reads), (True, writes)) if does]


def _transfer(insn, machine, known):
    """A load or store of one register or a pair, with its base's writeback."""
    ops, m = insn.operands, insn.mnemonic
    op = _memory_operand(insn)
    regs = _data_registers(insn)
    if not regs or None in (_register_bytes(insn, reg) for reg in regs) \
            or (op is None and insn.writeback):
        unmodeled(insn, machine, known)
        return
    address = load_address(insn, known)
    if address is None and op is not None:
        address = _address(insn, op, machine)
    if m in PAIRS:
        size, extend = _transfer_size(insn) or _register_bytes(insn, regs[0]), PAIRS[m]
    elif m in LOADS:
        size, extend = LOADS[m]
        size = size or _register_bytes(insn, regs[0])
    else:
        size, extend = STORES[m] or _register_bytes(insn, regs[0]), False
    for i, reg in enumerate(regs):
        at = None if address is None else address + i * size
        if m.startswith("st"):
            machine.write(at, size, _value(insn, reg, machine))
        else:
            value = machine.read(at, size)
            _put(insn, reg, signed(value, 8 * size) if extend and value is not None
                 else value, machine)
    if insn.writeback:
        post = ops[-1].type == ARM64_OP_IMM
        base = machine.get(_name(insn, op.mem.base))
        step = ops[-1].imm if post else op.mem.disp
        machine.put(_name(insn, op.mem.base), None if base is None else (base + step) & MASK)


def _arithmetic(operation, flags=None, store=True):
    """An instruction `op rd, rn, operand` (or `cmp rn, operand` when not `store`)."""
    def run(insn, machine, known):
        ops = insn.operands
        first = ops[1] if store else ops[0]
        a, b = _value(insn, first, machine), _value(insn, ops[-1], machine)
        bits = _bits(insn, first)
        # Two stack addresses compare even where their difference is no one number.
        result = None if None in (a, b) else attempt(operation, a, b)
        if flags:
            machine.put("nzcv", None if None in (a, b) else flags(a, b, result, bits))
        if store:
            _put(insn, ops[0], result, machine)
    return run


def _subtraction_flags(a, b, result, bits):
    return subtract_flags(a, b, bits)


def _logic_flags(a, b, result, bits):
    return None if result is None else dict(result_flags(result, bits), c=0, v=0)


def _move(insn, machine, known):
    _put(insn, insn.operands[0], _value(insn, insn.operands[1], machine), machine)


def _move_inverted(insn, machine, known):
    value = _value(insn, insn.operands[1], machine)
    _put(insn, insn.operands[0], None if value is None else ~value, machine)


def _move_keep(insn, machine, known):
    """movk: sixteen bits of the register replaced, the rest kept."""
    dest, part = insn.operands[:2]
    held = _value(insn, dest, machine)
    shift = part.shift.value
    value = None if held is None else (held & ~(0xFFFF << shift)) | (part.imm << shift)
    _put(insn, dest, value, machine)


def _cset(insn, machine, known):
    holds = condition(CONDITION_CODES.get(insn.cc), machine.get("nzcv"))
    _put(insn, insn.operands[0], None if holds is None else int(holds), machine)


SEMANTICS = {
    "mov": _move,
    "movz": _move,
    "movn": _move_inverted,
    "movk": _move_keep,
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


def unmodeled(insn, machine, known):
    """Forget what insn writes: registers, the flags, and the memory it stores to."""
    machine.forget_effects(accesses(insn, machine, known), _written(insn))


def evaluate(insn, machine, known):
    m = insn.mnemonic
    if m in LOADS or m in STORES or m in PAIRS:
        _transfer(insn, machine, known)
    else:
        SEMANTICS.get(m, unmodeled)(insn, machine, known)


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
