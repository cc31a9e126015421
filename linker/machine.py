"""What the matchers of linker/gate_<isa>.py share: the stack frame, and a tiny machine.

The stack frame.  A store through the stack pointer, or through a register
the function itself set from it (`mov %rsp,%rbp`, `addi s0, sp, 48`, `add
ip, sp, #12`), writes the function's own frame: allowed before the gate.  A
frame pointer that was not set so is an ordinary register at -O2 (rbp, s0,
r11 hold pointers there), so it counts only once the function sets it.
`known[FRAME]` holds those registers; at entry only the stack pointer.

The machine.  The gate decides with a branch on the value it loaded, and
gatecheck.py must know that it is that value, not a mix of it with anything
else (`if (state != DONE && x)` waits only sometimes), that decides.  So it
runs the instructions from the load to the branch once for every value the
state has before init is done (ABI.md: 0, 1 and 3), on concrete values: a
matcher's `evaluate(insn, machine, known)` computes what insn writes from
what the machine holds, and forgets (`put(name, None)`) whatever it writes
and does not model; `taken(branch, machine, known)` says whether the branch
is taken, or None when something unknown decides it.  A register, flag or
stack slot the machine does not hold is unknown: every register at the load
but what the code computes after it.
"""

FRAME = "frame"         # a key of `known` that names no register

# The values of _initgate_state before init is done (runtime_c/gate.h).
WAITING_STATES = (0, 1, 3)
STATE_SIZE = 4          # an int


def stack_frame(known, stack_pointer):
    """The registers that point into the function's own stack frame."""
    return known.get(FRAME, (stack_pointer,))


def forget(known, written, stack_pointer, frame_copy=None):
    """Update `known` after an instruction wrote the registers `written`.

    `frame_copy` names the register it set to an address in the frame, if any.
    """
    frame = set(stack_frame(known, stack_pointer)) - set(written)
    for name in written:
        known.pop(name, None)
    if frame_copy:
        frame.add(frame_copy)
    known[FRAME] = tuple(sorted(frame | {stack_pointer}))


def no_effect(insn, machine, known):
    """The semantics of an instruction that changes nothing the gate reads
    (nop, barriers, ARM's `it`): matchers list it by name in SEMANTICS."""
    return None


def mask(bits):
    return (1 << bits) - 1


def signed(value, bits):
    value &= mask(bits)
    return value - (1 << bits) if value >> (bits - 1) else value


def subtract_flags(a, b, bits):
    """N, Z, C and V of a - b in `bits` bits; C is 1 when nothing was borrowed (ARM's)."""
    result = (a - b) & mask(bits)
    return {"n": result >> (bits - 1), "z": int(result == 0),
            "c": int(a & mask(bits) >= b & mask(bits)),
            "v": int(signed(a, bits) - signed(b, bits) != signed(result, bits))}


def result_flags(result, bits):
    """N and Z of a logical result; C and V stay unknown."""
    result &= mask(bits)
    return {"n": result >> (bits - 1), "z": int(result == 0)}


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
    """The values the code after the state's load computes, for one value of the state."""

    def __init__(self, state_address, state):
        self.state_address = state_address
        self.state = state
        self.values = {}      # register or flag name -> int (or a flags dict)
        self.slots = {}       # (frame register, displacement, size) -> int

    def get(self, name):
        return self.values.get(name)

    def put(self, name, value):
        """Set a register or flag; None forgets it.  A slot based on it moves with it."""
        if value is None:
            self.values.pop(name, None)
        else:
            self.values[name] = value
        self.slots = {key: kept for key, kept in self.slots.items() if key[0] != name}

    def read(self, address, slot, size):
        """A load of `size` bytes: the state, a frame slot written earlier, or unknown.

        `address` is where it reads, when the matcher knows; `slot` is (base
        register, displacement) when the base points into the frame.
        """
        if address == self.state_address:
            return self.state if size == STATE_SIZE else None
        if slot is None:
            return None
        return self.slots.get((slot[0], slot[1], size))

    def write(self, slot, size, value):
        """A store of `size` bytes into the frame (gatecheck refuses any other store).

        Slots reached through another register may overlap this one: forget them.
        """
        base, disp = slot
        self.slots = {key: kept for key, kept in self.slots.items()
                      if key[0] == base and (key[1] + key[2] <= disp or disp + size <= key[1])}
        if value is not None:
            self.slots[(base, disp, size)] = value
