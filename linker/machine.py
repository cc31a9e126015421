"""What the matchers of linker/gate_<isa>.py share: a tiny machine.

gatecheck.py must know what the code before the gate does, and that the
branch after the state's load decides on that value alone, not on a mix of
it with anything else (`if (state != DONE && x)` waits only sometimes).  So
it runs the code on concrete values: from the function's entry to the gate
(linker/prologue.py), then from the load to the branch once for every value
the state has before init is done (ABI.md: 0, 1 and 3).  A matcher's
`evaluate(insn, machine, known)` computes what insn writes from what the
machine holds, and forgets (`put(name, None)`) whatever it writes and does
not model; `taken(branch, machine, known)` says whether the branch is
taken, or None when something unknown decides it.

At the entry the machine holds only the stack pointer, as a StackAddress;
every other register, flag and memory word is unknown until the code
computes it.  A register that holds a StackAddress points into the
function's own frame (`mov %rsp,%rbp`, `addi s0, sp, 48`, but not rbp at
-O2, where it is an ordinary register); memory is the stack alone.
"""

from initgate.linker.stack import StackAddress, Unknowable, mask, signed

# The values of _initgate_state before init is done (runtime_c/gate.h).
WAITING_STATES = (0, 1, 3)
STATE_SIZE = 4          # an int
# The widest value the machine keeps in one memory entry (a vector register).
ENTRY_LIMIT = 16


def same(a, b):
    """Whether two values the machine holds are the same, without asking a
    StackAddress whether it equals a number."""
    if type(a) is not type(b):
        return False
    if isinstance(a, StackAddress):
        return (a.base, a.offset, a.bits) == (b.base, b.offset, b.bits)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def forget(known, written):
    """Update `known` (register -> the address it holds) after an instruction
    wrote the registers `written`."""
    for name in written:
        known.pop(name, None)


def no_effect(insn, machine, known):
    """The semantics of an instruction that changes nothing the gate reads
    (nop, barriers, ARM's `it`): matchers list it by name in SEMANTICS."""
    return None


def _flags(**computations):
    """The flags whose computation does not depend on where the stack is."""
    flags = {}
    for name, compute in computations.items():
        try:
            flags[name] = int(compute())
        except Unknowable:
            pass
    return flags


def subtract_flags(a, b, bits):
    """N, Z, C and V of a - b in `bits` bits; C is 1 when nothing was borrowed (ARM's).

    Of two stack addresses Z, C and N are known, and on a 64-bit machine V
    too: user addresses lie below 2**63 on every 64-bit Linux, so the
    subtraction never overflows.  A 32-bit stack may straddle 2**31.
    """
    if isinstance(a, StackAddress) and isinstance(b, StackAddress):
        # How two addresses in one stack compare is known where they are not
        # (linker/stack.py); they are never 2**(bits - 1) apart.
        return _flags(n=lambda: a < b, z=lambda: a == b, c=lambda: a >= b,
                      **({"v": lambda: 0} if bits == 64 else {}))
    result = (a - b) & mask(bits)
    return _flags(n=lambda: result >> (bits - 1), z=lambda: result == 0,
                  c=lambda: a & mask(bits) >= b & mask(bits),
                  v=lambda: signed(a, bits) - signed(b, bits) != signed(result, bits))


def order(a, b, bits, unsigned):
    """-1, 0 or 1 as a is below, equal to or above b, compared as `bits`-bit numbers,
    unsigned or signed; None when that depends on where the stack is.  Two stack
    addresses compare signed as unsigned only on a 64-bit machine (subtract_flags)."""
    try:
        if isinstance(a, StackAddress) and isinstance(b, StackAddress):
            if a.bits != bits or not unsigned and bits != 64:
                return None
        elif unsigned:
            a, b = a & mask(bits), b & mask(bits)
        else:
            a, b = signed(a, bits), signed(b, bits)
        return -1 if a < b else 0 if a == b else 1
    except Unknowable:
        return None


def result_flags(result, bits):
    """N and Z of a logical result; C and V stay unknown (and N and Z of a stack address)."""
    result &= mask(bits)
    return _flags(n=lambda: result >> (bits - 1), z=lambda: result == 0)


def merge_low(held, value, bits):
    """(value, bits known) of a register whose low `bits` were written with `value`,
    from what it `held` before: the bits above kept, where they were known."""
    if held is not None:
        merged = attempt(lambda: (held[0] & ~mask(bits)) | (value & mask(bits)))
        if merged is not None:
            return merged, held[1]
    return value & mask(bits), bits


def attempt(compute, *args):
    """compute(*args), or None when that depends on where the stack is: the flags
    of an instruction whose result is a stack address."""
    try:
        return compute(*args)
    except Unknowable:
        return None


# The condition codes of ARM and AArch64, over the flags above.
NZCV_CONDITIONS = {
    "eq": lambda f: f["z"],
    "ne": lambda f: not f["z"],
    "hs": lambda f: f["c"],
    "lo": lambda f: not f["c"],
    "mi": lambda f: f["n"],
    "pl": lambda f: not f["n"],
    "vs": lambda f: f["v"],
    "vc": lambda f: not f["v"],
    "hi": lambda f: f["c"] and not f["z"],
    "ls": lambda f: not f["c"] or f["z"],
    "ge": lambda f: f["n"] == f["v"],
    "lt": lambda f: f["n"] != f["v"],
    "gt": lambda f: not f["z"] and f["n"] == f["v"],
    "le": lambda f: f["z"] or f["n"] != f["v"],
    "al": lambda f: True,
}


# Capstone numbers the condition codes of ARM and AArch64 alike.
CONDITION_CODES = {1: "eq", 2: "ne", 3: "hs", 4: "lo", 5: "mi", 6: "pl", 7: "vs", 8: "vc",
                   9: "hi", 10: "ls", 11: "ge", 12: "lt", 13: "gt", 14: "le", 15: "al"}


def condition(name, flags):
    """Whether condition `name` holds on `flags`; None when a flag it reads is unknown."""
    if flags is None or name not in NZCV_CONDITIONS:
        return None
    try:
        return bool(NZCV_CONDITIONS[name](flags))
    except KeyError:
        return None


class Machine:
    """The values the code computes, for one value of the state (None: not loaded yet).

    Memory is the stack alone, by base and offset (linker/stack.py): a load
    from anywhere else but the state is unknown.
    """

    def __init__(self, state_address, state=None):
        self.state_address = state_address
        self.state = state
        self.values = {}      # register or flag name -> int, StackAddress or a flags dict
        self.memory = {}      # a StackAddress's base -> {(offset, size): value}

    def copy(self, state=None):
        other = Machine(self.state_address, state)
        other.values = dict(self.values)
        other.memory = {base: dict(words) for base, words in self.memory.items()}
        return other

    def join(self, other):
        """Keep only what this machine and `other` agree on: where two ways meet."""
        self.values = {k: v for k, v in self.values.items() if same(v, other.values.get(k))}
        for base, words in self.memory.items():
            theirs = other.memory.get(base, {})
            self.memory[base] = {k: v for k, v in words.items() if same(v, theirs.get(k))}

    def get(self, name):
        return self.values.get(name)

    def put(self, name, value):
        """Set a register or flag; None forgets it.  An operand that is not a
        register (odd code) has no name, and nothing is set."""
        if name is None:
            return
        if value is None:
            self.values.pop(name, None)
        else:
            self.values[name] = value

    def read(self, address, size):
        """A load of `size` bytes from `address`: the state, the stack, or unknown."""
        if isinstance(address, StackAddress):
            return self.memory.get(address.base, {}).get((address.offset, size))
        if address is not None and address == self.state_address and self.state is not None:
            return self.state if size == STATE_SIZE else None
        return None

    def write(self, address, size, value):
        """A store of `size` bytes to `address`, forgetting what it overwrites, or may.

        gatecheck.py refuses a store to anywhere but the stack; one that
        reaches this with an address the machine does not know could have
        written any of it.
        """
        if not isinstance(address, StackAddress):
            self.memory.clear()
            return
        words = self.memory.setdefault(address.base, {})
        start = address.offset
        for key in [(offset, width) for offset in range(start - ENTRY_LIMIT + 1, start + size)
                    for width in (1, 2, 4, 8, 16) if (offset, width) in words]:
            if key[0] + key[1] > start:
                del words[key]
        # How words on another base lie against this one is known only within bounds.
        low, high = address.bounds()
        for base, others in self.memory.items():
            if base != address.base:
                for offset, width in [key for key in others if _may_overlap(
                        StackAddress(key[0], address.bits, base), key[1], low, high + size)]:
                    del others[(offset, width)]
        if value is not None and size <= ENTRY_LIMIT:
            words[(start, size)] = value

    def forget_memory(self):
        self.memory.clear()

    def forget_effects(self, accesses, registers):
        """What an instruction the machine does not model leaves behind: the
        memory it stores to, and the registers it writes, unknown.

        `accesses` as a matcher's accesses() gives them, (address, size,
        writes) for each.
        """
        for address, size, writes in accesses:
            if writes:
                self.write(address, size, None)
        for name in registers:
            self.put(name, None)


def _may_overlap(address, size, low, high):
    """Whether `size` bytes at `address` may reach into [low, high) past the entry's
    stack pointer."""
    first, last = address.bounds()
    return first < high and low < last + size
