"""The gate in 64-bit PowerPC (ELFv2) machine code, as gcc and clang emit gate.h.

Data is reached through the TOC pointer r2, which a function that needs it
computes at its global entry point from r12 (the entry's own address, by the
ABI): `addis r2, r12, hi; addi r2, r2, lo`.  The state is then read
`addis r9, r2, off@ha; lwz r9, off@l(r9)`, which the linker often relaxes to
`nop; lwz r9, off(r2)`; the acquire follows as `cmpw r9, r9; bne- .+4;
isync` (a branch to the next instruction, which the checker skips), then
`cmplwi r9, 2; bne` toward `bl _initgate_wait`.  A local call lands 8 bytes
into a callee that sets up r2, at its local entry point.  gcc -Os saves
registers before the gate by calling _savegpr0_N, which only stores into the
frame: that call counts as a store there.  At -O0 the
comparison becomes a boolean before its branch: gcc's `xori; cntlzw; srwi`,
clang's `xori; cmplwi; isel`, zig's `cmpwi; crmove; crnot; isel`; the machine
(linker/machine.py) holds the condition register as its single bits, cr7eq
and the like, which is how capstone names them in `isel` and `crmove`.

Not recognised: Power10's prefixed pc-relative loads (`plwz`, -mcpu=power10),
which capstone 5 does not decode; such a function is reported as not gated.

A probe stores the back chain a page down: gcc `addis r12, r1, -N; 1: stdu
r0, -4096(r1); cmpd r1, r12; bne 1b`, clang `li r12, N; mtctr r12; 1: stdu
r0, -4096(r1); bdnz 1b` (linker/prologue.py runs both).  Offsets beyond 32 KB
are reached through the indexed forms (`stdux r1, r1, r0`, `stdx r29, r1,
r5`), with constants built by lis and ori.
"""

from initgate.linker.machine import (
    Unknowable, forget, mask, no_effect, order, signed)

MASK = (1 << 64) - 1
STACK_POINTER = "r1"
SAVE_ROUTINE_LIMIT = 21     # _savegpr0_14: 18 registers, r0, blr
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


def _written(insn):
    """The registers insn writes: its first operand, and the base of an update form."""
    ops, m = insn.operands, insn.mnemonic
    regs = [_reg(insn, op) for op in ops]
    written = set()
    if regs and regs[0] and not m.startswith(NOT_DESTINATIONS):
        written.add(regs[0])
    if m.rstrip("x").endswith("u") and any(op.type == 3 for op in ops):
        written.update(insn.reg_name(op.mem.base) for op in ops if op.type == 3)
    if m.startswith(("l", "st")) and m.endswith("ux") and len(regs) == 3:
        written.add(regs[1])
    return written


def _saves_registers(target, known, ctx):
    """Whether the code at `target` only stores registers into the caller's frame.

    gcc -Os saves callee-saved registers by calling the ABI's _savegpr0_N
    routines, which the linker adds: `std rN, -8*(32-N)(r1)` up to r31, then
    `std r0, 16(r1); blr`.
    """
    for insn in ctx.walk(target, SAVE_ROUTINE_LIMIT):
        if insn.mnemonic == "blr":
            return True
        ops = insn.operands
        if insn.mnemonic != "std" or len(ops) != 2 or ops[1].type != 3 \
                or insn.reg_name(ops[1].mem.base) != STACK_POINTER:
            return False
    return False


def track(insn, known, ctx):
    ops, m = insn.operands, insn.mnemonic
    regs = [_reg(insn, op) for op in ops]
    target = call_target(insn, known)
    if target is not None and _saves_registers(target, known, ctx):
        return True
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
    forget(known, _written(insn))
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


def call_target(insn, known):
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


# The machine (linker/machine.py).
CR_BITS = ("lt", "gt", "eq")
# A branch's condition: the bit of its CR field it tests, and the value that takes it.
BRANCHES = {"beq": ("eq", 1), "bne": ("eq", 0), "blt": ("lt", 1), "bge": ("lt", 0),
            "bgt": ("gt", 1), "ble": ("gt", 0)}
# Bytes a load or store moves, by the letter after its l or st (lf, stf: s or d).
TRANSFER_BYTES = {"b": 1, "h": 2, "w": 4, "d": 8, "q": 16}
FLOAT_BYTES = {"s": 4, "d": 8}
NOT_TRANSFERS = ("li", "lis", "lwsync")


def _value(insn, op, machine):
    if op.type == 2:
        return op.imm & MASK
    return machine.get(_reg(insn, op)) if op.type == 1 else None


def _put(insn, op, value, machine):
    machine.put(_reg(insn, op), None if value is None else value & MASK)


def _stem(mnemonic):
    """What follows a load's l or a store's st, or None for neither."""
    if mnemonic.startswith("st"):
        return mnemonic[2:]
    if mnemonic.startswith("l") and mnemonic not in NOT_TRANSFERS:
        return mnemonic[1:]
    return None


def _transfer_form(insn):
    """(bytes each, registers) of a load or store: `stdux`, `lfd`, `stmw` (each
    register from its first to r31); bytes None if the mnemonic does not say."""
    m, stem = insn.mnemonic, _stem(insn.mnemonic)
    if m in ("stmw", "lmw"):
        first = _first_register(insn)
        return (4, 32 - first) if first is not None else (None, 0)
    if stem.startswith("f"):
        return FLOAT_BYTES.get(stem[1:2]), 1
    return TRANSFER_BYTES.get(stem[:1]), 1


def _first_register(insn):
    """The number of the general register a load or store names first, or None."""
    name = _reg(insn, insn.operands[0]) if insn.operands else None
    return int(name[1:]) if name and name[0] == "r" and name[1:].isdigit() else None


def _modeled(insn):
    """Whether the machine follows this load or store: general registers, plain
    byte order, no reservation (lwarx, stwcx.), no quadword pair."""
    stem = _stem(insn.mnemonic)
    if _first_register(insn) is None or len(insn.operands) < 2:
        return False
    return insn.mnemonic in ("stmw", "lmw") or stem[:1] in "bhwd" and "br" not in stem \
        and not stem.endswith(("arx", "."))


def _address(insn, machine):
    """Where a load or store reaches: rA + displacement, or rA + rB indexed (rA r0: 0)."""
    ops = insn.operands
    mem = next((op for op in ops if op.type == 3), None)
    try:
        if mem is not None:
            base = insn.reg_name(mem.mem.base) if mem.mem.base else None
            held = 0 if base in (None, "r0") else machine.get(base)
            return None if held is None else held + mem.mem.disp
        regs = [_reg(insn, op) for op in ops]
        if len(regs) == 3 and None not in regs:
            base = 0 if regs[1] == "r0" else machine.get(regs[1])
            index = machine.get(regs[2])
            return None if None in (base, index) else base + index
    except Unknowable:
        pass
    return None


def _transfer_address(insn, machine, known):
    address = load_address(insn, known)
    return _address(insn, machine) if address is None else address


def accesses(insn, machine, known):
    stem = _stem(insn.mnemonic)
    if insn.mnemonic.startswith("dcbz"):              # zeroes a cache block
        return [(None, 0, True)]
    if stem is None:
        return []
    size, count = _transfer_form(insn)
    address = _transfer_address(insn, machine, known) if size else None
    return [(address, (size or 0) * count, insn.mnemonic.startswith("st"))]


def _transfer(insn, machine, known):
    """A load or store of one register, or of several (stmw), and an update form's base."""
    m, stem = insn.mnemonic, _stem(insn.mnemonic)
    size, count = _transfer_form(insn)
    address = _transfer_address(insn, machine, known)
    first = _first_register(insn)
    for i in range(count):
        name, at = "r%d" % (first + i), None if address is None else address + i * size
        if m.startswith("st"):
            machine.write(at, size, machine.get(name))
            continue
        value = machine.read(at, size)
        if value is not None and stem[1:2] == "a":          # lha, lwa: sign-extended
            value = signed(value, 8 * size) & MASK
        machine.put(name, value)
    if stem.rstrip("x").endswith("u"):
        ops = insn.operands
        base = insn.reg_name(ops[1].mem.base) if ops[1].type == 3 else _reg(insn, ops[1])
        machine.put(base, None if address is None else address & MASK)


def _set_field(machine, field, a, b, bits, unsigned):
    """cmp's result in CR field `field`: a compared with b, in `bits` bits."""
    found = None if None in (a, b) else order(a, b, bits, unsigned)
    for name, when in zip(CR_BITS, (-1, 1, 0)):
        machine.put(field + name, None if found is None else int(found == when))


def _compare(insn, machine, known):
    m, ops = insn.mnemonic, list(insn.operands)
    field = "cr0"
    if len(ops) == 3:
        field = _reg(insn, ops.pop(0))
    bits = 32 if "w" in m else 64
    _set_field(machine, field, _value(insn, ops[0], machine), _value(insn, ops[1], machine),
               bits, m.startswith("cmpl"))


def _operation(function, record=False):
    """rD = function(inputs...) over the register and immediate operands after rD."""
    def run(insn, machine, known):
        dest, *sources = insn.operands
        inputs = [_value(insn, op, machine) for op in sources]
        result = None if None in inputs else function(*inputs) & MASK
        _put(insn, dest, result, machine)
        if record:
            _set_field(machine, "cr0", result, 0 if result is not None else None, 64, False)
    return run


def _count_leading_zeros(bits):
    return lambda v: bits - (v & mask(bits)).bit_length()


def _cr_bits(function):
    """crmove, crnot, cror...: bt = function(ba, bb...)."""
    def run(insn, machine, known):
        dest, *sources = [_reg(insn, op) for op in insn.operands]
        inputs = [machine.get(name) for name in sources]
        machine.put(dest, None if None in inputs else int(function(*inputs)) & 1)
    return run


def _isel(insn, machine, known):
    dest, a, b, bit = insn.operands
    chosen = machine.get(_reg(insn, bit))
    if chosen is None:
        value = None
    elif chosen:
        value = 0 if _reg(insn, a) == "r0" else _value(insn, a, machine)
    else:
        value = _value(insn, b, machine)
    _put(insn, dest, value, machine)


def _move_to_count(insn, machine, known):
    machine.put("ctr", _value(insn, insn.operands[0], machine))


def _count_down(insn, machine, known):
    """bdnz: the count register one less (taken() says whether it branches)."""
    count = machine.get("ctr")
    machine.put("ctr", None if count is None else (count - 1) & MASK)


def _call(insn, machine, known):
    """A call the walk vouched for, of _savegpr0_N: it stores into the frame."""
    machine.forget_memory()


SEMANTICS = {
    "li": _operation(lambda v: v),
    "lis": _operation(lambda v: v << 16),
    "mr": _operation(lambda v: v),
    "addi": _operation(lambda a, b: a + b),
    "addis": _operation(lambda a, b: a + (b << 16)),
    "add": _operation(lambda a, b: a + b),
    "subf": _operation(lambda a, b: b - a),
    "xori": _operation(lambda a, b: a ^ (b & 0xFFFF)),
    "xor": _operation(lambda a, b: a ^ b),
    "or": _operation(lambda a, b: a | b),
    "and": _operation(lambda a, b: a & b),
    "andi.": _operation(lambda a, b: a & (b & 0xFFFF), record=True),
    "cntlzw": _operation(_count_leading_zeros(32)),
    "cntlzd": _operation(_count_leading_zeros(64)),
    "srwi": _operation(lambda v, n: (v & mask(32)) >> n),
    "slwi": _operation(lambda v, n: (v << n) & mask(32)),
    "clrlwi": _operation(lambda v, n: v & (mask(32) >> n)),
    "clrldi": _operation(lambda v, n: v & (MASK >> n)),
    "extsw": _operation(lambda v: signed(v, 32)),
    "extsh": _operation(lambda v: signed(v, 16)),
    "extsb": _operation(lambda v: signed(v, 8)),
    "crmove": _cr_bits(lambda a: a),
    "crnot": _cr_bits(lambda a: not a),
    "cror": _cr_bits(lambda a, b: a or b),
    "crand": _cr_bits(lambda a, b: a and b),
    "crxor": _cr_bits(lambda a, b: a != b),
    "crnor": _cr_bits(lambda a, b: not (a or b)),
    "isel": _isel,
    "ori": _operation(lambda a, b: a | (b & 0xFFFF)),
    "oris": _operation(lambda a, b: a | (b & 0xFFFF) << 16),
    "mtctr": _move_to_count,
    "bdnz": _count_down,
    "bl": _call,
    "nop": no_effect, "isync": no_effect, "sync": no_effect, "lwsync": no_effect,
}
SEMANTICS.update(dict.fromkeys(
    ("cmpw", "cmplw", "cmpd", "cmpld", "cmpwi", "cmplwi", "cmpdi", "cmpldi"), _compare))


def unmodeled(insn, machine, known):
    """Forget what insn writes: registers, the condition register, the memory it stores to."""
    m = insn.mnemonic
    machine.forget_effects(accesses(insn, machine, known), _written(insn))
    if m.startswith(("cmp", "cr", "mtcr", "mtocrf")) or m.endswith("."):
        for name in [n for n in machine.values if n.startswith("cr")]:
            machine.put(name, None)
    if m.startswith(("mtctr", "bd")):
        machine.put("ctr", None)


def evaluate(insn, machine, known):
    m = insn.mnemonic
    if _stem(m) is not None and _modeled(insn):
        _transfer(insn, machine, known)
    else:
        SEMANTICS.get(_strip(m), unmodeled)(insn, machine, known)


def taken(insn, machine, known):
    m = _strip(insn.mnemonic)
    if m == "bdnz" and not insn.operands[:-1]:
        count = machine.get("ctr")
        return None if count is None else (count - 1) & MASK != 0
    if m not in BRANCHES:
        return None
    bit, when = BRANCHES[m]
    field = _reg(insn, insn.operands[0]) if len(insn.operands) == 2 else "cr0"
    value = machine.get(field + bit)
    return None if value is None else value == when
