"""The gate in x86 machine code, x86_64 and i386, as gcc and clang emit gate.h.

x86_64 reads the state RIP-relative: `mov _initgate_state(%rip),%eax; cmp
$2,%eax; jne cold` (or `cmpl $2,_initgate_state(%rip)`).  i386 has no
PC-relative data access, so -fPIC code first loads the GOT's address into a
register, `call __x86.get_pc_thunk.bx; add $_GLOBAL_OFFSET_TABLE_,%ebx`, and
reads the state at a fixed offset from it: `mov _initgate_state@GOTOFF(%ebx),
%eax`.  clang calls the next instruction instead of a thunk and pops the
address it pushed: `call 1f; 1: pop %ebx; add $_GLOBAL_OFFSET_TABLE_+(1b-.),
%ebx`.  At -O0 the value goes through the frame and a `setne`/`movzx`/`test`
before its `je`.  The call of the slow path sits on the cold side of the
branch: on i386 `call _initgate_wait`, on x86_64 gate.h's assembly, `lea
-128(%rsp),%rsp; push NAME; call _initgate_wait_preserving` (the note names
whichever the runtime's gates call); assembly and hand-written callers `call
_cgo_wait_runtime_init_done` instead.  Memory operands are read through
capstone's details; registers are known by their widest name (%eax, %ax and
%al are all rax).

Before the gate, -fstack-clash-protection probes a frame larger than a page:
gcc `lea -N(%rsp),%r11; 1: sub $0x1000,%rsp; orq $0,(%rsp); cmp %r11,%rsp;
jne 1b`, clang the same with `movq $0,(%rsp)` and the limit from mov and sub
(linker/prologue.py runs it).  push, pop, lea, add and sub compute stack
addresses; accesses() gives where each memory operand, push and pop reaches,
from its base, index and scale.
"""

from capstone import (
    CS_AC_READ, CS_AC_WRITE, CS_GRP_CALL, CS_GRP_INT, CS_GRP_JUMP, CS_GRP_RET, x86_const)
from capstone.x86 import X86_OP_IMM, X86_OP_MEM, X86_OP_REG, X86_REG_RIP

from initgate.linker.machine import (
    StackAddress, Unknowable, condition, forget, mask, merge_low, no_effect, result_flags,
    signed, subtract_flags)

STACK_POINTER = "rsp"
REPEATS = {0xF2, 0xF3}    # the rep and repne prefixes
# Stores whose operand size capstone gives as the bytes they write (it gives
# 8 for fxsave's 512, and xsave's depend on the CPU).
SIZED_STORES = ("mov", "vmov", "push", "pop", "or", "and", "xor", "add", "sub", "adc", "sbb",
                "inc", "dec", "neg", "not", "set", "xchg", "cmpxchg", "xadd", "stos", "shl",
                "shr", "sar", "rol", "ror", "bts", "btr", "btc", "fst", "fist", "fbstp")
PUSHED = "pushed"     # a key of `known` that names no register
MASK = (1 << 64) - 1


def _registers():
    """Capstone's register names -> (widest name, bits); bits 0 for %ah and the like."""
    table = {}
    for n in "abcd":
        table.update({"r%sx" % n: ("r%sx" % n, 64), "e%sx" % n: ("r%sx" % n, 32),
                      "%sx" % n: ("r%sx" % n, 16), "%sl" % n: ("r%sx" % n, 8),
                      "%sh" % n: ("r%sx" % n, 0)})
    for n in ("si", "di", "bp", "sp"):
        table.update({"r" + n: ("r" + n, 64), "e" + n: ("r" + n, 32), n: ("r" + n, 16),
                      n + "l": ("r" + n, 8)})
    for i in range(8, 16):
        r = "r%d" % i
        table.update({r: (r, 64), r + "d": (r, 32), r + "w": (r, 16), r + "b": (r, 8)})
    return table


REGISTERS = _registers()
# Capstone's register numbers -> widest names, looked up for every operand.
KEYS = {getattr(x86_const, n): REGISTERS.get(n[8:].lower(), (n[8:].lower(), 64))[0]
        for n in dir(x86_const) if n.startswith("X86_REG_") and n != "X86_REG_ENDING"}

# jcc and setcc suffixes as ARM's condition names (linker/machine.py keeps
# C set when a subtraction borrowed nothing, so x86's CF is its inverse).
CONDITIONS = {
    "e": "eq", "z": "eq", "ne": "ne", "nz": "ne", "b": "lo", "c": "lo", "nae": "lo",
    "ae": "hs", "nb": "hs", "nc": "hs", "a": "hi", "nbe": "hi", "be": "ls", "na": "ls",
    "l": "lt", "nge": "lt", "ge": "ge", "nl": "ge", "g": "gt", "nle": "gt", "le": "le",
    "ng": "le", "s": "mi", "ns": "pl", "o": "vs", "no": "vc",
}


def _key(insn, reg):
    """The widest name of a register, as `known` and the machine hold it."""
    return KEYS.get(reg) if reg else None


def _direct_target(insn):
    if insn.operands and insn.operands[0].type == X86_OP_IMM:
        return insn.operands[0].imm
    return None


def _base_address(insn, mem, known):
    if mem.index:
        return None
    if mem.base == X86_REG_RIP:
        return insn.address + insn.size + mem.disp
    base = known.get(_key(insn, mem.base)) if mem.base else None
    return None if base is None else (base + mem.disp) & MASK


def _pc_thunk_register(target, ctx):
    """The register that `call target` loads with its return address, if a thunk."""
    code = ctx.walk(target, 2)
    if len(code) == 2 and code[0].mnemonic == "mov" and code[1].mnemonic == "ret":
        dest, src = code[0].operands
        if dest.type == X86_OP_REG and src.type == X86_OP_MEM and src.mem.disp == 0 \
                and code[0].reg_name(src.mem.base) == "esp" and not src.mem.index:
            return _key(code[0], dest.reg)
    return None


def _call_is_address_arithmetic(insn, known, ctx):
    """Record what a call of the next instruction or of a pc thunk leaves in a register."""
    target = _direct_target(insn)
    if target is None:
        return False
    if target == insn.address + insn.size:
        known[PUSHED] = target
        return True
    register = _pc_thunk_register(target, ctx)
    if register:
        forget(known, {register})
        known[register] = insn.address + insn.size
        return True
    return False


def track(insn, known, ctx):
    ops = insn.operands
    # The return address a call of the next instruction pushed, if this is it.
    pushed = known.pop(PUSHED, None)
    if insn.group(CS_GRP_CALL):
        return _call_is_address_arithmetic(insn, known, ctx)
    dest = _key(insn, ops[0].reg) if ops and ops[0].type == X86_OP_REG else None
    value = None
    if insn.mnemonic == "pop" and dest and pushed == insn.address:
        value = pushed
    elif insn.mnemonic == "add" and dest in known and ops[1].type == X86_OP_IMM:
        value = (known[dest] + ops[1].imm) & MASK
    elif insn.mnemonic == "lea" and dest:
        value = _base_address(insn, ops[1].mem, known)
    _, written = insn.regs_access()
    forget(known, {_key(insn, reg) for reg in written})
    if value is not None:
        known[dest] = value
    return False


def load_address(insn, known):
    if insn.mnemonic == "lea":
        return None
    for op in insn.operands:
        if op.type == X86_OP_MEM and not op.access & CS_AC_WRITE:
            address = _base_address(insn, op.mem, known)
            if address is not None:
                return address
    return None


def call_target(insn, known):
    return _direct_target(insn) if insn.group(CS_GRP_CALL) else None


def jump_target(insn):
    return _direct_target(insn) if insn.mnemonic == "jmp" else None


def conditional_target(insn):
    if insn.group(CS_GRP_JUMP) and insn.mnemonic != "jmp":
        return _direct_target(insn)
    return None


def transfers_control(insn):
    return any(insn.group(g) for g in (CS_GRP_CALL, CS_GRP_JUMP, CS_GRP_RET, CS_GRP_INT)) \
        or insn.mnemonic in ("ud2", "hlt", "syscall")


# The machine (linker/machine.py).  A register's value is held with how many
# of its low bits are known, since `sete %al` leaves the rest of rax as it was.
def enter(machine, stack_pointer):
    machine.put(STACK_POINTER, (stack_pointer, 64))


def stack_pointer(machine):
    held = machine.get(STACK_POINTER)
    return held and held[0]


def _register(insn, reg, machine):
    name, bits = REGISTERS.get(insn.reg_name(reg), (None, 0))
    held = machine.get(name)
    if not bits or held is None or held[1] < bits:
        return None
    return held[0] & mask(bits)


def _address(insn, mem, machine, known):
    """Where a memory operand points: the state through `known`, the stack through
    the machine (base, index and scale), or None."""
    address = _base_address(insn, mem, known)
    if address is not None or mem.segment:
        return address
    if mem.base == X86_REG_RIP:
        return None
    try:
        base = _register(insn, mem.base, machine) if mem.base else 0
        index = _register(insn, mem.index, machine) if mem.index else 0
        if base is None or index is None:
            return None
        return base + (index if mem.scale == 1 else index * mem.scale) + mem.disp
    except Unknowable:
        return None


def accesses(insn, machine, known):
    """(address, size, writes) of each memory access: the operands' and the stack's."""
    m = insn.mnemonic
    if m == "lea" or m.startswith("nop"):
        return []
    found = []
    # A repeated string instruction moves rcx times its operand: how far
    # it reaches, like that of a store not in SIZED_STORES, is not known.
    sized = m.startswith(SIZED_STORES) and not REPEATS & set(insn.prefix)
    for op in insn.operands:
        if op.type == X86_OP_MEM:
            address = _address(insn, op.mem, machine, known)
            # An access capstone does not describe may be either.
            if op.access & CS_AC_READ or not op.access:
                found.append((address, op.size, False))
            if op.access & CS_AC_WRITE or not op.access:
                found.append((address if sized else None, op.size, True))
    sp = stack_pointer(machine)
    if m.startswith(("push", "call")):
        width = _pushed(insn, sp)
        found.append((None if width is None else sp - width, width or 0, True))
    elif m.startswith(("pop", "ret")):
        width = _pushed(insn, sp)
        found.append((None if width is None else sp, width or 0, False))
    elif m in ("enter", "leave"):             # frames of nesting levels; a load through rbp
        found.append((None, 0, m == "enter"))
    return found


def _pushed(insn, sp):
    """How many bytes push, pop, call or ret move the stack pointer by; None unknown."""
    if not isinstance(sp, StackAddress):
        return None
    if insn.operands and not insn.group(CS_GRP_CALL) and not insn.group(CS_GRP_RET):
        return insn.operands[0].size
    return sp.bits // 8


def _read(insn, op, machine, known):
    if op.type == X86_OP_IMM:
        return op.imm & mask(8 * op.size)
    if op.type == X86_OP_MEM:
        return machine.read(_address(insn, op.mem, machine, known), op.size)
    return _register(insn, op.reg, machine)


def _write(insn, op, value, machine, known):
    if op.type == X86_OP_MEM:
        machine.write(_address(insn, op.mem, machine, known), op.size, value)
        return
    name, bits = REGISTERS.get(insn.reg_name(op.reg), (None, 0))
    if value is None or not bits:
        machine.put(name, None)
    elif bits >= 32:                  # a 32-bit write clears the upper half
        machine.put(name, (value & mask(bits), 64))
    else:
        machine.put(name, merge_low(machine.get(name), value, bits))


def _both(insn, machine, known):
    a, b = insn.operands[:2]
    return _read(insn, a, machine, known), _read(insn, b, machine, known), 8 * a.size


def _compare(insn, machine, known):
    a, b, bits = _both(insn, machine, known)
    machine.put("flags", None if None in (a, b) else subtract_flags(a, b, bits))


def _same_register(insn):
    a, b = insn.operands[:2]
    return a.type == b.type == X86_OP_REG and a.reg == b.reg


def _logic(operation, store=True, zeroes=False):
    """and, or, xor, test; `zeroes`: the operation of a register with itself gives 0."""
    def run(insn, machine, known):
        a, b, bits = _both(insn, machine, known)
        if zeroes and _same_register(insn):
            a = b = 0
        result = None if None in (a, b) else operation(a, b)
        flags = None if result is None else dict(result_flags(result, bits), c=1, v=0)
        machine.put("flags", flags)
        if store:
            _write(insn, insn.operands[0], result, machine, known)
    return run


def _move(extend):
    def run(insn, machine, known):
        dest, src = insn.operands[:2]
        value = _read(insn, src, machine, known)
        if value is not None:
            value = extend(value, 8 * src.size)
        _write(insn, dest, value, machine, known)
    return run


def _subtract(insn, machine, known):
    a, b, bits = _both(insn, machine, known)
    _compare(insn, machine, known)
    _write(insn, insn.operands[0], None if None in (a, b) else a - b, machine, known)


def _add(insn, machine, known):
    a, b, bits = _both(insn, machine, known)
    result = None if None in (a, b) else a + b
    machine.put("flags", None if result is None else result_flags(result, bits))
    _write(insn, insn.operands[0], result, machine, known)


def _lea(insn, machine, known):
    dest, src = insn.operands[:2]
    _write(insn, dest, _address(insn, src.mem, machine, known), machine, known)


def _push(insn, machine, known):
    """push, and a call the walk vouched for, of the next instruction: the return
    address it pushes is what the next instruction pops."""
    sp = stack_pointer(machine)
    width = _pushed(insn, sp)
    if width is None:
        raise Unknowable(sp)
    if insn.group(CS_GRP_CALL):
        value = insn.address + insn.size
    else:
        value = _read(insn, insn.operands[0], machine, known)
    machine.write(sp - width, width, value)
    machine.put(STACK_POINTER, (sp - width, 64))


def _pop(insn, machine, known):
    sp = stack_pointer(machine)
    width = _pushed(insn, sp)
    if width is None:
        raise Unknowable(sp)
    value = machine.read(sp, width)
    machine.put(STACK_POINTER, (sp + width, 64))
    _write(insn, insn.operands[0], value, machine, known)


def _call(insn, machine, known):
    """A call the walk vouched for: of the next instruction, or of a pc thunk, which
    returns with the stack pointer where it was, having set the one register that
    track() now knows holds the return address."""
    returns_to = insn.address + insn.size
    if _direct_target(insn) == returns_to:
        _push(insn, machine, known)
        return
    for name in [name for name, value in known.items() if value == returns_to]:
        machine.put(name, None)


def _set(insn, machine, known):
    holds = condition(CONDITIONS.get(insn.mnemonic[3:]), machine.get("flags"))
    _write(insn, insn.operands[0], None if holds is None else int(holds), machine, known)


def _widen_rax(insn, machine, known):
    """cdqe, cwde: sign-extend the lower half of rax into its whole."""
    bits = {"cdqe": 32, "cwde": 16}[insn.mnemonic]
    held = machine.get("rax")
    value = None if held is None or held[1] < bits else signed(held[0], bits)
    machine.put("rax", None if value is None else (value & mask(64), 64))


SEMANTICS = {
    "mov": _move(lambda v, bits: v),
    "movzx": _move(lambda v, bits: v),
    "movsx": _move(signed),
    "movsxd": _move(signed),
    "cmp": _compare,
    "test": _logic(lambda a, b: a & b, store=False),
    "and": _logic(lambda a, b: a & b),
    "or": _logic(lambda a, b: a | b),
    "xor": _logic(lambda a, b: a ^ b, zeroes=True),
    "sub": _subtract,
    "add": _add,
    "lea": _lea,
    "push": _push,
    "pop": _pop,
    "call": _call,
    "cdqe": _widen_rax,
    "cwde": _widen_rax,
    "nop": no_effect,
    "endbr64": no_effect,
    "endbr32": no_effect,
}


def unmodeled(insn, machine, known):
    """Forget what insn writes: registers, the flags, and the memory it stores to."""
    _, written = insn.regs_access()
    names = {_key(insn, reg) for reg in written}
    machine.forget_effects(accesses(insn, machine, known), names)
    if names & {"rflags", "eflags"}:
        machine.put("flags", None)


def evaluate(insn, machine, known):
    if insn.mnemonic.startswith("set") and insn.mnemonic[3:] in CONDITIONS:
        _set(insn, machine, known)
    else:
        SEMANTICS.get(insn.mnemonic, unmodeled)(insn, machine, known)


def taken(insn, machine, known):
    return condition(CONDITIONS.get(insn.mnemonic[1:]), machine.get("flags"))
