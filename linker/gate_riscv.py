"""The gate in RISC-V (RV64GC) machine code, as gcc and clang emit gate.h.

The hidden `_initgate_state` is reached PC-relative: `auipc a4, hi` then
either `lw a4, lo(a4)` or, at -O0, `addi a5, a5, lo; lw a5, 0(a5)`; the
acquire is a `fence r,rw`, then `li a5, 2; bne a4, a5, cold` toward `jal
_initgate_wait`.  clang writes `auipc a0, hi; addi a0, a0, lo; lw a0, 0(a0)` at
every level, and lld leaves its calls unrelaxed, `auipc ra, hi; jalr ra,
lo(ra)`.  capstone gives auipc's raw 20-bit immediate and branch and
jump offsets relative to the instruction, and writes compressed loads and
stores (`c.lw`, `c.sdsp`) as register, offset, base instead of a memory
operand; both forms are read here.  A compressed two-operand instruction
(`c.addw a0, a1`) reads its destination too.

zig probes a large frame `lui a2, N; sub t1, sp, a2; lui t2, 1; 1: sub sp,
sp, t2; sd zero, 0(sp); bne sp, t1, 1b` (linker/prologue.py runs it); gcc
12 and clang 14 do not probe.  A frame beyond 2 KB is reached through lui,
add and sub with the stack or frame pointer.
"""

from initgate.linker.machine import forget, no_effect, signed

MASK = (1 << 64) - 1
STACK_POINTER = "sp"
STORES = ("sb", "sh", "sw", "sd", "c.sw", "c.sd", "c.swsp", "c.sdsp", "fs", "c.fs", "amo",
          "sc.")
BRANCHES = ("beq", "bne", "blt", "bge", "bltu", "bgeu", "beqz", "bnez", "blez", "bgez",
            "bltz", "bgtz", "bgt", "ble", "bgtu", "bleu", "c.beqz", "c.bnez")
JUMPS = ("j", "c.j")
CALLS = ("jal", "c.jal", "call")
TRAPS = ("ecall", "ebreak", "c.ebreak", "unimp", "c.unimp", "mret", "sret", "wfi")


def _reg(insn, op):
    return insn.reg_name(op.reg) if op.type == 1 else None    # RISCV_OP_REG


def _memory(insn):
    """(base register name, offset) of a load or store, in either form."""
    ops = insn.operands
    for op in ops:
        if op.type == 3:                                       # RISCV_OP_MEM
            return insn.reg_name(op.mem.base), op.mem.disp
    if len(ops) == 3 and ops[1].type == 2 and ops[2].type == 1:
        return insn.reg_name(ops[2].reg), ops[1].imm
    return None, None


def _written(insn):
    regs = [_reg(insn, op) for op in insn.operands]
    m = insn.mnemonic
    if regs and regs[0] and not m.startswith(STORES) and m not in BRANCHES:
        return {regs[0]}
    return set()


def track(insn, known, ctx):
    ops, m = insn.operands, insn.mnemonic
    regs = [_reg(insn, op) for op in ops]
    value = None
    if m == "auipc":
        hi = ops[1].imm & 0xFFFFF
        value = insn.address + ((hi - (1 << 20) if hi & 0x80000 else hi) << 12)
    elif m in ("addi", "c.addi") and regs[-2] in known and ops[-1].type == 2:
        value = known[regs[-2]] + ops[-1].imm
    elif m in ("mv", "c.mv") and regs[1] in known:
        value = known[regs[1]]
    forget(known, _written(insn))
    if value is not None:
        known[regs[0]] = value & MASK
    return False


def _is_load(mnemonic):
    return mnemonic.startswith(("l", "c.l", "fl", "c.fl")) \
        and mnemonic not in ("li", "lui", "c.li", "c.lui")


def load_address(insn, known):
    if not _is_load(insn.mnemonic):
        return None
    base, offset = _memory(insn)
    return None if known.get(base) is None else (known[base] + offset) & MASK


def _relative(insn):
    if insn.operands and insn.operands[-1].type == 2:
        return (insn.address + insn.operands[-1].imm) & MASK
    return None


def call_target(insn, known):
    # `jal rd, off` with rd other than ra is shown with its register: not a call.
    if insn.mnemonic in CALLS and len(insn.operands) == 1:
        return _relative(insn)
    # The unrelaxed `call`: `auipc ra, hi; jalr ra, lo(ra)`.
    ops = insn.operands
    if insn.mnemonic == "jalr" and len(ops) == 3 and _reg(insn, ops[0]) == "ra" \
            and known.get(_reg(insn, ops[1])) is not None and ops[2].type == 2:
        return (known[_reg(insn, ops[1])] + ops[2].imm) & MASK
    return None


def jump_target(insn):
    return _relative(insn) if insn.mnemonic in JUMPS else None


def conditional_target(insn):
    return _relative(insn) if insn.mnemonic in BRANCHES else None


def transfers_control(insn):
    m = insn.mnemonic
    return m in BRANCHES or m in JUMPS or m in CALLS or m in TRAPS or m in (
        "jalr", "c.jalr", "jr", "c.jr", "ret")


# The machine (linker/machine.py).
LOADS = {"lw": (4, True), "lwu": (4, False), "ld": (8, False), "lb": (1, True),
         "lbu": (1, False), "lh": (2, True), "lhu": (2, False), "c.lw": (4, True),
         "c.ld": (8, False), "c.lwsp": (4, True), "c.ldsp": (8, False)}
STORES_FOLLOWED = {"sw": 4, "sd": 8, "sb": 1, "sh": 2, "c.sw": 4, "c.sd": 8, "c.swsp": 4,
                   "c.sdsp": 8}


def _s(v):
    return signed(v, 64)


def _u(v):
    return v & MASK


# Each branch's condition over its two registers (one, against zero).
CONDITIONS = {
    "beq": lambda a, b: a == b, "bne": lambda a, b: a != b,
    "blt": lambda a, b: _s(a) < _s(b), "bge": lambda a, b: _s(a) >= _s(b),
    "bgt": lambda a, b: _s(a) > _s(b), "ble": lambda a, b: _s(a) <= _s(b),
    "bltu": lambda a, b: _u(a) < _u(b), "bgeu": lambda a, b: _u(a) >= _u(b),
    "bgtu": lambda a, b: _u(a) > _u(b), "bleu": lambda a, b: _u(a) <= _u(b),
    "beqz": lambda a: a == 0, "bnez": lambda a: a != 0, "c.beqz": lambda a: a == 0,
    "c.bnez": lambda a: a != 0, "blez": lambda a: _s(a) <= 0, "bgez": lambda a: _s(a) >= 0,
    "bltz": lambda a: _s(a) < 0, "bgtz": lambda a: _s(a) > 0,
}


def _value(insn, op, machine):
    if op.type == 2:
        return op.imm & MASK
    if op.type != 1:
        return None
    name = _reg(insn, op)
    return 0 if name == "zero" else machine.get(name)


def _put(insn, op, value, machine):
    if _reg(insn, op) != "zero":
        machine.put(_reg(insn, op), None if value is None else value & MASK)


def _address(insn, machine, known):
    """Where a load or store reaches: the state through `known`, else the machine's."""
    address = load_address(insn, known)
    base, offset = _memory(insn)
    if address is None and base is not None:
        held = 0 if base == "zero" else machine.get(base)
        address = None if held is None else held + offset
    return address


def _size(mnemonic):
    """Bytes a load, store or atomic moves, by its mnemonic: `amoadd.w`, `c.ldsp`, `fsd`."""
    if mnemonic.startswith(("amo", "lr.", "sc.")):
        return {"w": 4, "d": 8}.get(mnemonic.split(".")[1][:1])
    name = mnemonic[2:] if mnemonic.startswith("c.") else mnemonic
    name = name[1:] if name.startswith("f") else name
    return {"b": 1, "h": 2, "w": 4, "d": 8, "q": 16}.get(name[1:2])


def accesses(insn, machine, known):
    m = insn.mnemonic
    writes = m.startswith(STORES)
    reads = _is_load(m) or m.startswith("amo")
    if not (reads or writes):
        return []
    size = _size(m)
    address = _address(insn, machine, known) if size else None
    return [(address, size or 0, w) for w, does in ((False, reads), (True, writes)) if does]


def _load(insn, machine, known):
    size, extend = LOADS[insn.mnemonic]
    value = machine.read(_address(insn, machine, known), size)
    if value is not None and extend:
        value = signed(value, 8 * size)
    _put(insn, insn.operands[0], value, machine)


def _store(insn, machine, known):
    machine.write(_address(insn, machine, known), STORES_FOLLOWED[insn.mnemonic],
                  _value(insn, insn.operands[0], machine))


def _operation(function, word=False, reads_dest=False):
    """rd = function(sources...); `word` sign-extends the low 32 bits (addw, c.addiw)."""
    def run(insn, machine, known):
        dest, *sources = insn.operands
        inputs = [_value(insn, op, machine) for op in ([dest] if reads_dest else []) + sources]
        result = None if None in inputs else function(*inputs)
        if result is not None and word:
            result = signed(result, 32)
        _put(insn, dest, result, machine)
    return run


SEMANTICS = {
    "li": _operation(lambda v: v), "c.li": _operation(lambda v: v),
    "lui": _operation(lambda v: signed(v << 12, 32)),
    "c.lui": _operation(lambda v: signed(v << 12, 32)),
    "c.addi16sp": _operation(lambda a, b: a + b, False, True),
    "c.addi4spn": _operation(lambda a, b: a + b),
    "mv": _operation(lambda v: v), "c.mv": _operation(lambda v: v),
    "addi": _operation(lambda a, b: a + b), "c.addi": _operation(lambda a, b: a + b, False, True),
    "addiw": _operation(lambda a, b: a + b, True),
    "c.addiw": _operation(lambda a, b: a + b, True, True),
    "sext.w": _operation(lambda v: v, True),
    "add": _operation(lambda a, b: a + b), "c.add": _operation(lambda a, b: a + b, False, True),
    "addw": _operation(lambda a, b: a + b, True),
    "c.addw": _operation(lambda a, b: a + b, True, True),
    "sub": _operation(lambda a, b: a - b), "c.sub": _operation(lambda a, b: a - b, False, True),
    "subw": _operation(lambda a, b: a - b, True),
    "c.subw": _operation(lambda a, b: a - b, True, True),
    "xori": _operation(lambda a, b: a ^ b), "xor": _operation(lambda a, b: a ^ b),
    "c.xor": _operation(lambda a, b: a ^ b, False, True),
    "ori": _operation(lambda a, b: a | b), "or": _operation(lambda a, b: a | b),
    "c.or": _operation(lambda a, b: a | b, False, True),
    "andi": _operation(lambda a, b: a & b), "and": _operation(lambda a, b: a & b),
    "c.andi": _operation(lambda a, b: a & b, False, True),
    "c.and": _operation(lambda a, b: a & b, False, True),
    "seqz": _operation(lambda v: int(v & MASK == 0)),
    "snez": _operation(lambda v: int(v & MASK != 0)),
    "sltiu": _operation(lambda a, b: int(_u(a) < _u(b))),
    "sltu": _operation(lambda a, b: int(_u(a) < _u(b))),
    "slti": _operation(lambda a, b: int(_s(a) < _s(b))),
    "slt": _operation(lambda a, b: int(_s(a) < _s(b))),
    "fence": no_effect, "nop": no_effect, "c.nop": no_effect,
}


def unmodeled(insn, machine, known):
    """Forget what insn writes: its register, and the memory it stores to."""
    machine.forget_effects(accesses(insn, machine, known), _written(insn))


def evaluate(insn, machine, known):
    m = insn.mnemonic
    if m in LOADS:
        _load(insn, machine, known)
    elif m in STORES_FOLLOWED:
        _store(insn, machine, known)
    else:
        SEMANTICS.get(m, unmodeled)(insn, machine, known)


def taken(insn, machine, known):
    test = CONDITIONS.get(insn.mnemonic)
    inputs = [_value(insn, op, machine) for op in insn.operands[:-1]]
    if test is None or None in inputs:
        return None
    return bool(test(*inputs))
