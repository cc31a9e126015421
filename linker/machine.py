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

# The values of _initgate_state before init is done (runtime_c/gate.h).
WAITING_STATES = (0, 1, 3)
STATE_SIZE = 4          # an int
# The widest value the machine keeps in one memory entry (a vector register).
ENTRY_LIMIT = 16


class Unknowable(ArithmeticError):
    """An operation whose result depends on where the stack is."""


class StackAddress:
    """The stack pointer at the function's entry plus `offset` bytes.

    Where the stack lies changes from call to call; how far apart two
    addresses in it are does not.  So the machine computes with these only
    where the answer is the same wherever the stack is: adding a constant,
    the distance between two of them, comparing two of them as unsigned
    numbers (the stack never wraps around the end of the address space),
    and masking to the pointer's width.  Anything else raises Unknowable,
    and the instruction's result is unknown.
    """

    __slots__ = ("offset", "bits")

    def __init__(self, offset, bits):
        # Wrapped as the machine's arithmetic wraps: adding 2**64 - 16 is subtracting 16.
        self.offset = signed(offset, bits)
        self.bits = bits

    def __repr__(self):
        return "sp%+#x" % self.offset

    def _offset_of(self, other):
        if isinstance(other, StackAddress):
            return other.offset
        raise Unknowable(other)

    def __add__(self, other):
        if isinstance(other, int):
            return StackAddress(self.offset + other, self.bits)
        raise Unknowable(other)

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, StackAddress):
            return signed(self.offset - other.offset, self.bits)
        return self + -other

    def __and__(self, other):
        if isinstance(other, int) and other & mask(self.bits) == mask(self.bits):
            return self
        raise Unknowable(other)

    __rand__ = __and__

    def __eq__(self, other):
        if isinstance(other, (int, StackAddress)):
            return self.offset == self._offset_of(other)
        return False

    def __ne__(self, other):
        return not self == other

    def __lt__(self, other):
        return self.offset < self._offset_of(other)

    def __le__(self, other):
        return self.offset <= self._offset_of(other)

    def __gt__(self, other):
        return self.offset > self._offset_of(other)

    def __ge__(self, other):
        return self.offset >= self._offset_of(other)

    def __hash__(self):
        return hash(("stack", self.offset))

    def _unknowable(self, *other):
        raise Unknowable(self)

    __rsub__ = __or__ = __ror__ = __xor__ = __rxor__ = __lshift__ = __rshift__ = _unknowable
    __mul__ = __rmul__ = __floordiv__ = __mod__ = __neg__ = __invert__ = __abs__ = _unknowable
    __bool__ = __index__ = __int__ = bit_length = _unknowable


def same(a, b):
    """Whether two values the machine holds are the same, without asking a
    StackAddress whether it equals a number."""
    if type(a) is not type(b):
        return False
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


def mask(bits):
    return (1 << bits) - 1


def signed(value, bits):
    value &= mask(bits)
    return value - (1 << bits) if value >> (bits - 1) else value


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

    Of two stack addresses only Z and C are known: N and V depend on where
    the stack is, which a condition that reads them then does not know.
    """
    result = (a - b) & mask(bits)
    return _flags(n=lambda: result >> (bits - 1), z=lambda: result == 0,
                  c=lambda: a & mask(bits) >= b & mask(bits),
                  v=lambda: signed(a, bits) - signed(b, bits) != signed(result, bits))


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

    Memory is the stack alone, by distance from the entry's stack pointer:
    a load from anywhere else but the state is unknown.
    """

    def __init__(self, state_address, state=None):
        self.state_address = state_address
        self.state = state
        self.values = {}      # register or flag name -> int, StackAddress or a flags dict
        self.memory = {}      # (offset from the entry's stack pointer, size) -> value

    def copy(self, state=None):
        other = Machine(self.state_address, state)
        other.values, other.memory = dict(self.values), dict(self.memory)
        return other

    def join(self, other):
        """Keep only what this machine and `other` agree on: where two ways meet."""
        self.values = {k: v for k, v in self.values.items() if same(v, other.values.get(k))}
        self.memory = {k: v for k, v in self.memory.items() if same(v, other.memory.get(k))}

    def get(self, name):
        return self.values.get(name)

    def put(self, name, value):
        """Set a register or flag; None forgets it."""
        if value is None:
            self.values.pop(name, None)
        else:
            self.values[name] = value

    def read(self, address, size):
        """A load of `size` bytes from `address`: the state, the stack, or unknown."""
        if isinstance(address, StackAddress):
            return self.memory.get((address.offset, size))
        if address is not None and address == self.state_address and self.state is not None:
            return self.state if size == STATE_SIZE else None
        return None

    def write(self, address, size, value):
        """A store of `size` bytes to `address`, forgetting what it overwrites.

        gatecheck.py refuses a store to anywhere but the stack; one that
        reaches this with an address the machine does not know could have
        written any of it.
        """
        if not isinstance(address, StackAddress):
            self.memory.clear()
            return
        start = address.offset
        for key in [(offset, width) for offset in range(start - ENTRY_LIMIT + 1, start + size)
                    for width in (1, 2, 4, 8, 16) if (offset, width) in self.memory]:
            if key[0] + key[1] > start:
                del self.memory[key]
        if value is not None and size <= ENTRY_LIMIT:
            self.memory[(start, size)] = value

    def forget_memory(self):
        self.memory.clear()
