"""The gate in s390x (z/Architecture) machine code, as gcc and clang emit gate.h.

z/Architecture reads PC-relative data in one instruction: `lrl %r1,
_initgate_state` (a plain load is already an acquire on this strongly
ordered machine), or `larl %r1, _initgate_state; l %r1, 0(%r1)`.  Then `chi
%r1, 2; jne cold` toward `brasl %r14, _initgate_wait`; clang compares and
branches in one, `cijlh %r0, 2, cold`, or compares the word in memory,
`chsi 0(%r1), 2`.  gcc -O0 computes a boolean first (`xilf; lpr; lcr; srl`).
capstone gives the PC-relative operands of larl, lrl, brasl and the jumps as
absolute addresses, and a branch's condition as its mnemonic's suffix (`jlh`,
`cijlh`) or, for brc and the compare-and-branch forms, as a mask operand.
The file is big-endian; gatecheck.py sets capstone's mode for it.

Probes are loads, not stores: gcc `lay %r14, -N(%r15); 1: lay %r15,
-4096(%r15); cg %r0, 4088(%r15); clgr %r15, %r14; jh 1b`, clang and zig the
same with aghi and `clgrjh` (linker/prologue.py runs them).  stmg saves
registers in the caller's register save area, above the stack pointer.
"""

import re

from initgate.linker.machine import (
    Unknowable, attempt, forget, mask, merge_low, no_effect, order, signed)

MASK = (1 << 64) - 1
STACK_POINTER = "15"
RELATIVE_LOADS = ("lrl", "lgrl", "lgfrl", "llgfrl", "lhrl", "lghrl", "llhrl", "llghrl")
RELATIVE_COMPARES = ("crl", "cgrl", "cgfrl", "chrl", "cghrl", "clrl", "clgrl", "clgfrl",
                     "clhrl", "clghrl")
MEMORY_COMPARES = ("c", "cy", "cg", "cgf", "ch", "chy", "cgh", "chsi", "cghsi", "chhsi",
                   "cl", "cly", "clg", "clgf", "clfhsi", "clghsi", "clhhsi")
NOT_DESTINATIONS = ("st", "c", "t", "b", "j", "mvc", "mvi", "ex", "svc")
STORES = ("st", "mvc", "mvi", "mvhi", "mvghi", "mvhhi", "xc", "oc", "nc", "oi", "ni", "xi",
          "asi", "agsi", "cs", "csg")
BRANCH_ON_CONDITION = ("brc", "brcl", "bcr", "bc")
# Compare and branch relative (cij, clgrj...), compare and branch to a
# register's address (crb...), compare and trap (cit, clgt...).
COMPARE_AND_JUMP = re.compile(r"c(l?)(g?)([ri])j([a-z]*)$")
COMPARE_AND_BRANCH = re.compile(r"cl?g?[ri]b")
COMPARE_AND_TRAP = re.compile(r"cl?g?(r|i|fi)?t")
# The condition masks of the extended mnemonics: bit 8 takes the branch on
# condition code 0 (equal, zero), 4 on 1 (low), 2 on 2 (high), 1 on 3.
SUFFIX_MASKS = {"o": 1, "h": 2, "p": 2, "nle": 3, "l": 4, "m": 4, "nhe": 5, "lh": 6,
                "ne": 7, "nz": 7, "e": 8, "z": 8, "nlh": 9, "he": 10, "nl": 11, "nm": 11,
                "le": 12, "nh": 13, "np": 13, "no": 14, "": 15}


def _reg(insn, op):
    return insn.reg_name(op.reg) if op.type == 1 else None    # SYSZ_OP_REG


def _imm(op):
    return op.imm if op.type == 2 else None                     # SYSZ_OP_IMM


def _written(insn):
    ops, m = insn.operands, insn.mnemonic
    regs = [_reg(insn, op) for op in ops]
    if m.startswith("lm") and len(regs) > 1 and regs[0] and regs[1]:
        first, last = int(regs[0]), int(regs[1])
        return {str(r % 16) for r in range(first, last + (16 if last < first else 0) + 1)}
    if regs and regs[0] and not m.startswith(NOT_DESTINATIONS):
        return {regs[0]}
    return set()


def track(insn, known, ctx):
    ops, m = insn.operands, insn.mnemonic
    regs = [_reg(insn, op) for op in ops]
    value = None
    if m == "larl":
        value = _imm(ops[1])
    elif m in ("la", "lay") and ops[1].type == 3 and not ops[1].mem.index:
        base = insn.reg_name(ops[1].mem.base)
        if base in known:
            value = known[base] + ops[1].mem.disp
    elif m in ("lgr", "lr") and regs[1] in known:
        value = known[regs[1]]
    forget(known, _written(insn))
    if value is not None:
        known[regs[0]] = value & MASK
    return False


def load_address(insn, known):
    m, ops = insn.mnemonic, insn.operands
    if m in RELATIVE_LOADS or m in RELATIVE_COMPARES:
        return _imm(ops[1])
    if m in MEMORY_COMPARES:
        op = next((op for op in ops if op.type == 3), None)
    elif m.startswith("l") and m not in ("la", "lay", "larl") and not m.startswith("lm") \
            and len(ops) == 2:
        op = ops[1]
    else:
        return None
    if op is None or op.type != 3 or op.mem.index:
        return None
    base = known.get(insn.reg_name(op.mem.base))
    return None if base is None else (base + op.mem.disp) & MASK


def _condition_mask(insn):
    """The mask of a conditional branch: 15 always, 0 never; None if not one."""
    m, ops = insn.mnemonic, insn.operands
    if m in BRANCH_ON_CONDITION:
        return _imm(ops[0]) if ops else None
    found = COMPARE_AND_JUMP.match(m)
    if found:
        return _imm(ops[2]) if len(ops) == 4 else SUFFIX_MASKS.get(found.group(4))
    if m.startswith("jg") and len(m) > 2:
        return SUFFIX_MASKS.get(m[2:])
    if m.startswith("j") and m not in ("j", "jg"):
        return SUFFIX_MASKS.get(m[1:])
    return None


def call_target(insn, known):
    if insn.mnemonic in ("brasl", "bras") and len(insn.operands) == 2:
        return _imm(insn.operands[1])
    return None


def jump_target(insn):
    if insn.mnemonic in ("j", "jg"):
        return _imm(insn.operands[0])
    if insn.mnemonic in ("brc", "brcl") and _condition_mask(insn) == 15:
        return _imm(insn.operands[1])
    return None


def conditional_target(insn):
    m = insn.mnemonic
    if m in ("brct", "brctg"):                 # branch on count: on the register alone
        return _imm(insn.operands[1])
    if m in ("bcr", "bc") or m in ("j", "jg"):
        return None
    if _condition_mask(insn) in (None, 15) or not insn.operands:
        return None
    if m in ("brc", "brcl") and _condition_mask(insn) == 0:
        return None
    return _imm(insn.operands[-1])


def transfers_control(insn):
    m = insn.mnemonic
    if m in ("bcr", "bc") and _condition_mask(insn) == 0:     # nopr: branch never
        return False
    return m.startswith(("b", "j", "svc", "ex")) or bool(
        COMPARE_AND_JUMP.match(m) or COMPARE_AND_BRANCH.match(m) or COMPARE_AND_TRAP.match(m))


# Memory.  A store's bytes, by mnemonic; a storage-to-storage instruction's
# first operand says its length, and store multiple moves each register from
# its first operand to its second.
RELATIVE_STORES = ("strl", "stgrl", "sthrl")
# Moves whose operands are pairs of registers: address and length.
REGISTER_MOVES = ("mvcl", "mvst", "cuse", "cu1", "cu2", "cu4", "tre", "tro", "trt")
ADDRESS_ONLY = ("la", "lay", "lae", "laey", "larl", "pfd", "pfdrl")
STORE_BYTES = {"st": 4, "sty": 4, "stg": 8, "stc": 1, "stcy": 1, "sth": 2, "sthy": 2,
               "std": 8, "stdy": 8, "ste": 4, "stey": 4, "mvhi": 4, "mvghi": 8, "mvhhi": 2,
               "mvi": 1, "mviy": 1, "oi": 1, "oiy": 1, "ni": 1, "niy": 1, "xi": 1, "xiy": 1,
               "asi": 4, "agsi": 8, "cs": 4, "csy": 4, "csg": 8}
MULTIPLE_BYTES = {"stm": 4, "stmy": 4, "stmg": 8, "lm": 4, "lmy": 4, "lmg": 8}
# Stores that read what they change.
READS_TOO = ("oi", "ni", "xi", "asi", "agsi", "cs", "csg", "xc", "oc", "nc")


def enter(machine, stack_pointer):
    machine.put(STACK_POINTER, (stack_pointer, 64))


def stack_pointer(machine):
    held = machine.get(STACK_POINTER)
    return held and held[0]


def _address(insn, op, machine):
    """Where a memory operand points, from the machine: base + index + displacement."""
    parts = [insn.reg_name(reg) for reg in (op.mem.base, op.mem.index) if reg]
    values = [_get(machine, name, 64) for name in parts]
    if None in values:
        return None
    try:
        return sum(values, op.mem.disp)
    except Unknowable:
        return None


def _registers(insn):
    """The registers a store or load multiple moves: from its first to its second."""
    names = [_reg(insn, op) for op in insn.operands[:2]]
    if len(names) < 2 or not all(name and name.isdigit() for name in names):
        return []
    first, last = (int(name) for name in names)
    return [str(r % 16) for r in range(first, last + (16 if last < first else 0) + 1)]


def _bytes(insn, mems):
    """How many bytes an instruction with memory operands `mems` moves; None for a
    store the tables do not know (a load of an unknown size counts as 8)."""
    m = insn.mnemonic
    if m in MULTIPLE_BYTES:
        return MULTIPLE_BYTES[m] * len(_registers(insn)) or None
    if mems[0].mem.length:                    # storage to storage: the first says
        return mems[0].mem.length
    return STORE_BYTES.get(m, None if m.startswith(STORES) else 8)


def accesses(insn, machine, known):
    m, ops = insn.mnemonic, insn.operands
    if m in RELATIVE_LOADS or m in RELATIVE_COMPARES or m in RELATIVE_STORES:
        return [(_imm(ops[1]), 8, m in RELATIVE_STORES)]
    if m.startswith(REGISTER_MOVES):
        return [(None, 0, True)]
    mems = [op for op in ops if op.type == 3]
    if not mems or m in ADDRESS_ONLY or m.startswith(("b", "j", "ex")):
        return []
    writes, size = m.startswith(STORES), _bytes(insn, mems)
    found = []
    for i, op in enumerate(mems):
        address = None if size is None else load_address(insn, known) if not writes else None
        if address is None and size is not None:
            address = _address(insn, op, machine)
        if writes and i == 0:
            found.append((address, size or 0, True))
        if not writes or i > 0 or m.startswith(READS_TOO):
            found.append((address, size or 0, False))
    return found


# The machine (linker/machine.py).  A register's value is held with how many
# of its low bits are known: a 32-bit instruction leaves the high half as it was.
LOADS = {"l": (4, None), "ly": (4, None), "lrl": (4, None), "lg": (8, 64), "lgrl": (8, 64),
         "lgf": (4, "signed"), "lgfrl": (4, "signed"), "llgf": (4, 64), "llgfrl": (4, 64),
         "lt": (4, None), "ltg": (8, 64)}
STORES_FOLLOWED = {"st": 4, "sty": 4, "stg": 8}
# Register to register: the source's bits read, the extension, the bits written.
MOVES = {"lr": (32, None, 32), "lgr": (64, None, 64), "lgfr": (32, "signed", 64),
         "llgfr": (32, None, 64), "llgcr": (8, None, 64), "llcr": (8, None, 32),
         "ltr": (32, None, 32), "ltgr": (64, None, 64), "ltgfr": (32, "signed", 64),
         "lhi": (16, "signed", 32), "lghi": (16, "signed", 64), "lgfi": (32, "signed", 64),
         "llilf": (32, None, 64), "iilf": (32, None, 32)}


def _get(machine, name, bits):
    held = machine.get(name)
    return None if held is None or held[1] < bits else held[0] & mask(bits)


def _set(machine, name, value, bits):
    if value is None:
        machine.put(name, None)
    elif bits == 64:
        machine.put(name, (value & MASK, 64))
    else:
        machine.put(name, merge_low(machine.get(name), value, bits))


def _memory_address(insn, op, machine, known):
    address = load_address(insn, known)
    return _address(insn, op, machine) if address is None else address


def _operand(insn, op, machine, known, bits):
    if op.type == 2:
        return op.imm & mask(bits)
    if op.type == 1:
        return _get(machine, _reg(insn, op), bits)
    if op.type == 3:
        return machine.read(_memory_address(insn, op, machine, known), bits // 8)
    return None


def _sign_cc(value, bits):
    """Condition code of a signed result: 0 zero, 1 negative, 2 positive."""
    value = signed(value, bits)
    return 0 if value == 0 else 1 if value < 0 else 2


def _compare_cc(a, b, bits, unsigned):
    """0 equal, 1 low, 2 high; None when that depends on where the stack is."""
    found = order(a, b, bits, unsigned)
    return None if found is None else {0: 0, -1: 1, 1: 2}[found]


def _load(insn, machine, known):
    size, extend = LOADS[insn.mnemonic]
    dest, src = insn.operands[:2]
    if src.type == 3:
        value = machine.read(_memory_address(insn, src, machine, known), size)
    else:
        value = machine.read(load_address(insn, known), size)
    if value is not None and extend == "signed":
        value = signed(value, 32)
    _set(machine, _reg(insn, dest), value, extend and 64 or 8 * size)
    if insn.mnemonic.startswith("lt"):
        machine.put("cc", None if value is None else _sign_cc(value, 8 * size))


def _store(insn, machine, known):
    src, dest = insn.operands[:2]
    size = STORES_FOLLOWED[insn.mnemonic]
    machine.write(_address(insn, dest, machine), size, _get(machine, _reg(insn, src), 8 * size))


def _store_multiple(insn, machine, known):
    size = MULTIPLE_BYTES[insn.mnemonic]
    if len(insn.operands) != 3 or insn.operands[2].type != 3:
        unmodeled(insn, machine, known)
        return
    address = _address(insn, insn.operands[2], machine)
    for i, name in enumerate(_registers(insn)):
        at = None if address is None else address + i * size
        machine.write(at, size, _get(machine, name, 8 * size))


def _address_of(insn, machine, known):
    """la, lay: the address itself, computed as for a load."""
    dest, src = insn.operands[:2]
    _set(machine, _reg(insn, dest), _address(insn, src, machine), 64)


def _immediate(shift):
    """llilh and the like: a 16-bit immediate in place, the other bits zero."""
    def run(insn, machine, known):
        dest, value = insn.operands[:2]
        _set(machine, _reg(insn, dest), (value.imm & 0xFFFF) << shift, 64)
    return run


def _count_down(bits):
    """brct, brctg: the register one less (taken() says whether it branches)."""
    def run(insn, machine, known):
        name = _reg(insn, insn.operands[0])
        value = _get(machine, name, bits)
        _set(machine, name, None if value is None else value - 1, bits)
    return run


def _move(insn, machine, known):
    read, extend, written = MOVES[insn.mnemonic]
    dest, src = insn.operands[:2]
    value = _operand(insn, src, machine, known, read)
    if value is not None and extend == "signed":
        value = signed(value, read)
    _set(machine, _reg(insn, dest), value, written)
    if insn.mnemonic.startswith("lt"):
        machine.put("cc", None if value is None else _sign_cc(value, written))


def _compare(bits, unsigned):
    def run(insn, machine, known):
        a, b = (_operand(insn, op, machine, known, bits) for op in insn.operands[:2])
        machine.put("cc", None if None in (a, b) else _compare_cc(a, b, bits, unsigned))
    return run


def _arithmetic(operation, bits, cc):
    """op r1, [r3,] operand: r1 = operation(source, operand), and the condition code."""
    def run(insn, machine, known):
        ops = insn.operands
        sources = ops[1:] if len(ops) == 3 else ops
        a, b = (_operand(insn, op, machine, known, bits) for op in sources[:2])
        result = None if None in (a, b) else operation(a, b) & mask(bits)
        _set(machine, _reg(insn, ops[0]), result, bits)
        machine.put("cc", None if result is None else attempt(cc, result, bits))
    return run


def _logical_cc(result, bits):
    return int(result != 0)


def _arithmetic_cc(result, bits):
    return _sign_cc(result, bits)


def _unknown_cc(result, bits):
    """A logical subtraction's condition code tells borrow, which is not modeled."""
    return None


def _unary(operation, bits):
    """lpr, lcr: r1 = operation(r2) and its sign as the condition code (3 on overflow)."""
    def run(insn, machine, known):
        dest, src = insn.operands[:2]
        value = _operand(insn, src, machine, known, bits)
        result = None if value is None else operation(signed(value, bits))
        overflow = result is not None and result != signed(result, bits)
        _set(machine, _reg(insn, dest), result, bits)
        machine.put("cc", None if result is None else 3 if overflow else _sign_cc(result, bits))
    return run


def _shift(operation):
    def run(insn, machine, known):
        dest, amount = insn.operands[:2]
        value = _get(machine, _reg(insn, dest), 32)
        n = _imm(amount)
        _set(machine, _reg(insn, dest), None if None in (value, n) else operation(value, n), 32)
    return run


SEMANTICS = {
    "chi": _compare(32, False), "cfi": _compare(32, False), "cr": _compare(32, False),
    "cghi": _compare(64, False), "cgfi": _compare(64, False), "cgr": _compare(64, False),
    "clfi": _compare(32, True), "clr": _compare(32, True), "clgr": _compare(64, True),
    "c": _compare(32, False), "cy": _compare(32, False), "chsi": _compare(32, False),
    "cl": _compare(32, True), "cly": _compare(32, True), "clfhsi": _compare(32, True),
    "crl": _compare(32, False), "clrl": _compare(32, True),
    "xilf": _arithmetic(lambda a, b: a ^ b, 32, _logical_cc),
    "nilf": _arithmetic(lambda a, b: a & b, 32, _logical_cc),
    "oilf": _arithmetic(lambda a, b: a | b, 32, _logical_cc),
    "xr": _arithmetic(lambda a, b: a ^ b, 32, _logical_cc),
    "nr": _arithmetic(lambda a, b: a & b, 32, _logical_cc),
    "or": _arithmetic(lambda a, b: a | b, 32, _logical_cc),
    "ahi": _arithmetic(lambda a, b: a + signed(b, 32), 32, _arithmetic_cc),
    "ahik": _arithmetic(lambda a, b: a + signed(b, 32), 32, _arithmetic_cc),
    "aghi": _arithmetic(lambda a, b: a + b, 64, _arithmetic_cc),
    "aghik": _arithmetic(lambda a, b: a + b, 64, _arithmetic_cc),
    "agfi": _arithmetic(lambda a, b: a + signed(b, 32), 64, _arithmetic_cc),
    "agr": _arithmetic(lambda a, b: a + b, 64, _arithmetic_cc),
    "sgr": _arithmetic(lambda a, b: a - b, 64, _arithmetic_cc),
    "slgfi": _arithmetic(lambda a, b: a - b, 64, _unknown_cc),
    "cg": _compare(64, False), "clg": _compare(64, True), "clgfi": _compare(64, True),
    "slgr": _arithmetic(lambda a, b: a - b, 64, _unknown_cc),
    "nill": _arithmetic(lambda a, b: a & (b | ~0xFFFF), 64, _logical_cc),
    "la": _address_of, "lay": _address_of,
    "llill": _immediate(0), "llilh": _immediate(16), "llihl": _immediate(32),
    "llihh": _immediate(48),
    "brct": _count_down(32), "brctg": _count_down(64),
    "ar": _arithmetic(lambda a, b: a + b, 32, _arithmetic_cc),
    "sr": _arithmetic(lambda a, b: a - b, 32, _arithmetic_cc),
    "lpr": _unary(abs, 32), "lpgr": _unary(abs, 64),
    "lcr": _unary(lambda v: -v, 32), "lcgr": _unary(lambda v: -v, 64),
    "srl": _shift(lambda v, n: v >> n), "sll": _shift(lambda v, n: v << n),
    "nopr": no_effect, "nop": no_effect, "bcr": no_effect,
}


def unmodeled(insn, machine, known):
    """Forget the registers insn writes, the condition code, the memory it stores to."""
    machine.forget_effects(accesses(insn, machine, known), _written(insn))
    machine.put("cc", None)


def evaluate(insn, machine, known):
    m = insn.mnemonic
    if m in LOADS:
        _load(insn, machine, known)
    elif m in STORES_FOLLOWED and insn.operands[1].type == 3:
        _store(insn, machine, known)
    elif m in ("stm", "stmy", "stmg"):
        _store_multiple(insn, machine, known)
    elif m in MOVES:
        _move(insn, machine, known)
    elif m == "bcr" and _condition_mask(insn) != 0:
        unmodeled(insn, machine, known)
    else:
        SEMANTICS.get(m, unmodeled)(insn, machine, known)


def taken(insn, machine, known):
    if insn.mnemonic in ("brct", "brctg"):
        bits = 64 if insn.mnemonic == "brctg" else 32
        value = _get(machine, _reg(insn, insn.operands[0]), bits)
        return None if value is None else (value - 1) & mask(bits) != 0
    branch_mask = _condition_mask(insn)
    found = COMPARE_AND_JUMP.match(insn.mnemonic)
    if found:
        unsigned, bits = found.group(1) == "l", 64 if found.group(2) else 32
        a, b = (_operand(insn, op, machine, known, bits) for op in insn.operands[:2])
        cc = None if None in (a, b) else _compare_cc(a, b, bits, unsigned)
    else:
        cc = machine.get("cc")
    if cc is None or branch_mask is None:
        return None
    return bool(branch_mask & (8 >> cc))
