"""The gate in RISC-V (RV64GC) machine code, as gcc emits gate.h.

The hidden `_initgate_state` is reached PC-relative: `auipc a4, hi` then
either `lw a4, lo(a4)` or, at -O0, `addi a5, a5, lo; lw a5, 0(a5)`; the
acquire is a `fence r,rw`, then `li a5, 2; bne a4, a5, cold` toward `jal
_initgate_wait`.  capstone gives auipc's raw 20-bit immediate and branch and
jump offsets relative to the instruction, and writes compressed loads and
stores (`c.lw`, `c.sdsp`) as register, offset, base instead of a memory
operand; both forms are read here.
"""

MASK = (1 << 64) - 1
FRAME_REGISTERS = ("sp", "s0", "fp")
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
    if regs and regs[0] and not m.startswith(STORES) and m not in BRANCHES:
        known.pop(regs[0], None)
    if value is not None:
        known[regs[0]] = value & MASK
    return False


def load_address(insn, known):
    m = insn.mnemonic
    if not (m.startswith(("l", "c.l", "fl", "c.fl")) and m not in ("li", "lui", "c.li", "c.lui")):
        return None
    base, offset = _memory(insn)
    return None if known.get(base) is None else (known[base] + offset) & MASK


def _relative(insn):
    if insn.operands and insn.operands[-1].type == 2:
        return (insn.address + insn.operands[-1].imm) & MASK
    return None


def call_target(insn):
    # `jal rd, off` with rd other than ra is shown with its register: not a call.
    if insn.mnemonic in CALLS and len(insn.operands) == 1:
        return _relative(insn)
    return None


def jump_target(insn):
    return _relative(insn) if insn.mnemonic in JUMPS else None


def conditional_target(insn):
    return _relative(insn) if insn.mnemonic in BRANCHES else None


def transfers_control(insn):
    m = insn.mnemonic
    return m in BRANCHES or m in JUMPS or m in CALLS or m in TRAPS or m in (
        "jalr", "c.jalr", "jr", "c.jr", "ret")


def writes_shared_memory(insn):
    if not insn.mnemonic.startswith(STORES):
        return False
    base, _ = _memory(insn)
    return base not in FRAME_REGISTERS
