"""The gate in x86 machine code, x86_64 and i386, as gcc and clang emit gate.h.

x86_64 reads the state RIP-relative: `mov _initgate_state(%rip),%eax; cmp
$2,%eax; jne cold` (or `cmpl $2,_initgate_state(%rip)`).  i386 has no
PC-relative data access, so -fPIC code first loads the GOT's address into a
register, `call __x86.get_pc_thunk.bx; add $_GLOBAL_OFFSET_TABLE_,%ebx`, and
reads the state at a fixed offset from it: `mov _initgate_state@GOTOFF(%ebx),
%eax`.  The call of `_initgate_wait` sits on the cold side of the branch;
assembly and hand-written callers `call _cgo_wait_runtime_init_done` instead.
Memory operands are read through capstone's details.
"""

from capstone import CS_AC_WRITE, CS_GRP_CALL, CS_GRP_INT, CS_GRP_JUMP, CS_GRP_RET
from capstone.x86 import X86_OP_IMM, X86_OP_MEM, X86_OP_REG, X86_REG_RIP

FRAME_REGISTERS = ("rsp", "rbp", "esp", "ebp")
MASK = (1 << 64) - 1


def _direct_target(insn):
    if insn.operands and insn.operands[0].type == X86_OP_IMM:
        return insn.operands[0].imm
    return None


def _base_address(insn, mem, known):
    if mem.index:
        return None
    if mem.base == X86_REG_RIP:
        return insn.address + insn.size + mem.disp
    base = known.get(insn.reg_name(mem.base)) if mem.base else None
    return None if base is None else (base + mem.disp) & MASK


def _pc_thunk_register(target, ctx):
    """The register that `call target` loads with its return address, if a thunk."""
    code = ctx.walk(target, 2)
    if len(code) == 2 and code[0].mnemonic == "mov" and code[1].mnemonic == "ret":
        dest, src = code[0].operands
        if dest.type == X86_OP_REG and src.type == X86_OP_MEM and src.mem.disp == 0 \
                and code[0].reg_name(src.mem.base) == "esp" and not src.mem.index:
            return code[0].reg_name(dest.reg)
    return None


def track(insn, known, ctx):
    ops = insn.operands
    if insn.group(CS_GRP_CALL):
        target = _direct_target(insn)
        register = _pc_thunk_register(target, ctx) if target is not None else None
        if register:
            known[register] = insn.address + insn.size
            return True
        return False
    dest = insn.reg_name(ops[0].reg) if ops and ops[0].type == X86_OP_REG else None
    value = None
    if insn.mnemonic == "add" and dest in known and ops[1].type == X86_OP_IMM:
        value = (known[dest] + ops[1].imm) & MASK
    elif insn.mnemonic == "lea" and dest:
        value = _base_address(insn, ops[1].mem, known)
    _, written = insn.regs_access()
    for reg in written:
        known.pop(insn.reg_name(reg), None)
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


def call_target(insn):
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


def writes_shared_memory(insn):
    for op in insn.operands:
        if op.type == X86_OP_MEM and op.access & CS_AC_WRITE \
                and insn.reg_name(op.mem.base) not in FRAME_REGISTERS:
            return True
    return False
