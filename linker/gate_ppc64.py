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
"""

from initgate.linker.machine import forget, mask, no_effect, signed, stack_frame

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
                or _frame_slot(insn, ops[1], known) is None:
            return False
    return False


def track(insn, known, ctx):
    ops, m = insn.operands, insn.mnemonic
    regs = [_reg(insn, op) for op in ops]
    target = call_target(insn, known)
    if target is not None and _saves_registers(target, known, ctx):
        return True
    value, frame_copy = None, None
    frame = stack_frame(known, STACK_POINTER)
    if m in ("mr", "addi") and regs[1] in frame and (m == "mr" or _imm(ops[2]) is not None):
        frame_copy = regs[0]
    elif m in ("addis", "addi") and len(ops) == 3 and regs[1] in known \
            and _imm(ops[2]) is not None:
        value = known[regs[1]] + (ops[2].imm << 16 if m == "addis" else ops[2].imm)
    elif m == "lis" and len(ops) == 2:
        value = ops[1].imm << 16
    elif m == "li" and len(ops) == 2:
        value = ops[1].imm
    elif m == "mr" and regs[1] in known:
        value = known[regs[1]]
    forget(known, _written(insn), STACK_POINTER, frame_copy)
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


def _frame_slot(insn, op, known):
    base = insn.reg_name(op.mem.base)
    return (base, op.mem.disp) if base in stack_frame(known, STACK_POINTER) else None


def writes_shared_memory(insn, known):
    m = insn.mnemonic
    if not m.startswith("st"):
        return False
    for op in insn.operands:
        if op.type == 3 and _frame_slot(insn, op, known) is None:
            return True
    return not any(op.type == 3 for op in insn.operands)     # indexed stores: base unknown


# The machine (linker/machine.py).
LOADS = {"lwz": (4, False), "lwa": (4, True), "ld": (8, False), "lbz": (1, False),
         "lhz": (2, False), "lha": (2, True)}
STORES = {"stw": 4, "std": 8, "stb": 1, "sth": 2}
CR_BITS = ("lt", "gt", "eq")
# A branch's condition: the bit of its CR field it tests, and the value that takes it.
BRANCHES = {"beq": ("eq", 1), "bne": ("eq", 0), "blt": ("lt", 1), "bge": ("lt", 0),
            "bgt": ("gt", 1), "ble": ("gt", 0)}


def _value(insn, op, machine):
    if op.type == 2:
        return op.imm & MASK
    return machine.get(_reg(insn, op)) if op.type == 1 else None


def _put(insn, op, value, machine):
    machine.put(_reg(insn, op), None if value is None else value & MASK)


def _load(insn, machine, known):
    size, extend = LOADS[insn.mnemonic]
    dest, src = insn.operands
    value = machine.read(load_address(insn, known), _frame_slot(insn, src, known), size)
    _put(insn, dest, signed(value, 8 * size) if extend and value is not None else value,
         machine)


def _store(insn, machine, known):
    src, dest = insn.operands
    machine.write(_frame_slot(insn, dest, known), STORES[insn.mnemonic],
                  _value(insn, src, machine))


def _set_field(machine, field, a, b, bits, unsigned):
    """cmp's result in CR field `field`: a compared with b, in `bits` bits."""
    for name in CR_BITS:
        machine.put(field + name, None)
    if None in (a, b):
        return
    if unsigned:
        a, b = a & mask(bits), b & mask(bits)
    else:
        a, b = signed(a, bits), signed(b, bits)
    for name, holds in zip(CR_BITS, (a < b, a > b, a == b)):
        machine.put(field + name, int(holds))


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
    "nop": no_effect, "isync": no_effect, "sync": no_effect, "lwsync": no_effect,
}
SEMANTICS.update(dict.fromkeys(
    ("cmpw", "cmplw", "cmpd", "cmpld", "cmpwi", "cmplwi", "cmpdi", "cmpldi"), _compare))


def _unmodeled(insn, machine, known):
    """Forget what insn writes: registers, the condition register, the frame's slots."""
    m = insn.mnemonic
    for name in _written(insn):
        machine.put(name, None)
    if m.startswith(("cmp", "cr", "mtcr", "mtocrf")) or m.endswith("."):
        for name in [n for n in machine.values if n.startswith("cr")]:
            machine.put(name, None)
    if m.startswith("st"):
        machine.slots.clear()


def evaluate(insn, machine, known):
    m = insn.mnemonic
    if m in LOADS and insn.operands[1].type == 3:
        _load(insn, machine, known)
    elif m in STORES:
        _store(insn, machine, known)
    else:
        SEMANTICS.get(m, _unmodeled)(insn, machine, known)


def taken(insn, machine, known):
    m = _strip(insn.mnemonic)
    if m not in BRANCHES:
        return None
    bit, when = BRANCHES[m]
    field = _reg(insn, insn.operands[0]) if len(insn.operands) == 2 else "cr0"
    value = machine.get(field + bit)
    return None if value is None else value == when
