"""What a function does before its gate, run on the machine from its entry.

Before the gate a function may only prepare its own stack frame: save
registers and arguments there, and, for a frame larger than a page, probe it
as -fstack-clash-protection does, moving the stack pointer down a page at a
time and touching each page (in a loop, or unrolled for a few pages), or
touching them below the stack pointer before moving it (gcc on arm).  Such
code reads no program state and calls nothing, so running it before init is
done is harmless; anything else before the gate is not.

The walk runs the code from the entry on linker/machine.py's machine, with
the stack pointer a StackAddress: each value it computes is a constant, an
address in the stack at a known distance from where the stack pointer was
at the entry, or unknown.  A branch is then decided by the code alone, the
same way on every call, or it is not:

- decided: the walk follows it, back into a loop as often as the loop
  runs, up to STEP_LIMIT instructions in all;
- not decided and forward (x86_64's variadic `test %al,%al; je`): the walk
  runs the fall-through side, and where the branch lands keeps only what
  both sides agree on; landing past the gate would skip it;
- not decided and backward: a loop whose end depends on something else
  than the stack pointer and constants: not gated.

Every store, and every load in a loop after its first round, must stay in
the function's frame: from a page below the lowest point the stack pointer
reaches before the gate (gcc's probes on arm touch a little below it) to a
page above where it was at the entry.  Above the entry's stack pointer lie
the function's own stack arguments and the save areas its ABI gives it in
its caller's frame (ppc64's link register and parameter save area, s390x's
register save area), but the code does not say how far they go: a store
there that reaches into the caller's own variables passes unnoticed.
Loads outside loops read what they like (the stack protector's guard, the
GOT): a value so read is unknown to the machine, so it decides no branch
and addresses no store.  The only calls are those track() vouches for
(i386's pc thunk, ppc64's _savegpr0_N).
"""

from dataclasses import dataclass, field

from initgate.linker.machine import Machine, StackAddress

# Distinct instructions before the gate: clang -O0 on ppc64 needs 51 to save a
# variadic function's register arguments beyond a 64 KB frame, three each.
PROLOGUE_LIMIT = 64
# Instructions run: enough to probe an 8 MiB frame a page at a time, 7 per page.
STEP_LIMIT = 16384
PAGE = 4096           # how far beyond the frame's ends a store may reach


@dataclass
class Gate:
    """Where the walk met the gate, and what it knew there."""
    insn: object
    calls: bool               # a call of the gate function, else a load of the state
    known: dict
    machine: Machine
    lowest: int               # the stack pointer's lowest before the gate, from the entry's

    def holds(self, address, size, stack_pointer=None):
        """Whether `size` bytes at `address` lie in the function's frame: up to a page
        below the lowest the stack pointer went (or is now), a page above the entry's."""
        if not isinstance(address, StackAddress):
            return False
        lowest = self.lowest
        if isinstance(stack_pointer, StackAddress):
            lowest = min(lowest, stack_pointer.bounds()[0])
        low, high = address.bounds()
        return lowest - PAGE <= low and high + size <= PAGE


@dataclass
class _Touch:
    insn: object
    address: StackAddress
    size: int


@dataclass
class _Walk:
    known: dict
    machine: Machine
    lowest: int = 0                                  # the stack pointer's, from the entry's
    touches: list = field(default_factory=list)      # stores, and loads in loops
    loops: list = field(default_factory=list)        # (first, last) address of each loop
    joins: dict = field(default_factory=dict)        # address -> (known, machine) arriving


class Undecodable(Exception):
    """Capstone cannot decode the instruction at `address`: not knowing, not a verdict."""

    def __init__(self, address):
        super().__init__(address)
        self.address = address


class Refusal(Exception):
    """The code before the gate does something not provably harmless."""

    def __init__(self, insn, why=""):
        super().__init__(insn, why)
        self.insn, self.why = insn, why


def walk(ctx, start, size, known, bits):
    """The Gate; raises Refusal, or Undecodable."""
    isa, places = ctx.isa, ctx.places
    machine = Machine(places.state)
    isa.enter(machine, StackAddress(0, bits))
    state = _Walk(known, machine)
    code = _Code(ctx, start, size)
    address, steps = start, 0
    while True:
        insn = code.at(address)
        steps += 1
        if steps > STEP_LIMIT:
            raise Refusal(insn, "still running after %d instructions" % STEP_LIMIT)
        if address in state.joins:
            _join(state, *state.joins.pop(address))
        called = isa.call_target(insn, state.known)
        loads_state = isa.load_address(insn, state.known) == places.state
        if called in ctx.gate_entries or loads_state:
            gate = Gate(insn, called in ctx.gate_entries, state.known, state.machine,
                        state.lowest)
            _check_gate(gate, state)
            return gate
        address = _step(ctx, insn, state)


def _step(ctx, insn, state):
    """Run one instruction; the address of the next one to run."""
    isa, following = ctx.isa, insn.address + insn.size
    if isa.track(insn, state.known, ctx):
        isa.run(insn, state.machine, state.known)
        return following
    jump = isa.jump_target(insn)
    target = isa.conditional_target(insn)
    if jump is None and target is None and isa.transfers_control(insn):
        raise Refusal(insn)
    _touch(isa, insn, state)
    taken = isa.decide(insn, state.machine, state.known) if target is not None else None
    isa.run(insn, state.machine, state.known)
    _note_stack_pointer(isa, state)
    if jump is not None:
        return jump
    if target is None:
        return following
    if taken is None:
        if target <= insn.address:
            raise Refusal(insn, "a loop whose end does not depend on the stack pointer and "
                          "constants alone")
        _arrive(state, target)
        return following
    if not taken:
        return following
    if target <= insn.address and (target, insn.address) not in state.loops:
        state.loops.append((target, insn.address))
    return target


def _touch(isa, insn, state):
    """Record what insn stores to, and in a loop what it loads from: the stack only."""
    in_loop = any(first <= insn.address <= last for first, last in state.loops)
    for address, size, writes in isa.accesses(insn, state.machine, state.known):
        if not writes and not in_loop:
            continue
        if not isinstance(address, StackAddress):
            raise Refusal(insn, "" if writes else "in a loop, it reads other than the stack")
        state.touches.append(_Touch(insn, address, size))


def _note_stack_pointer(isa, state):
    sp = isa.stack_pointer(state.machine)
    if isinstance(sp, StackAddress):
        state.lowest = min(state.lowest, sp.bounds()[0])


def _arrive(state, address):
    """The side of an undecided branch that lands at `address` brings what it knows."""
    here = (dict(state.known), state.machine.copy())
    if address in state.joins:
        _join_into(here, *state.joins[address])
    state.joins[address] = here


def _join(state, known, machine):
    _join_into((state.known, state.machine), known, machine)


def _join_into(into, known, machine):
    mine, my_machine = into
    for name in [n for n in mine if mine[n] != known.get(n)]:
        del mine[name]
    my_machine.join(machine)


def _check_gate(gate, state):
    """At the gate: no undecided branch landed where the walk did not go, and
    every touch stayed in the frame."""
    for address in state.joins:
        why = "jumps past it to %#x" if address > gate.insn.address else \
            "lands at %#x, where the walk did not go"
        raise Refusal(None, "a branch before the gate " + why % address)
    for touch in state.touches:
        if not gate.holds(touch.address, touch.size):
            low, high = touch.address.bounds()
            offset = low if low < 0 else high + touch.size
            raise Refusal(touch.insn, "it may reach %d bytes %s the stack pointer at the "
                          "entry, outside the function's stack frame"
                          % (abs(offset), "below" if offset < 0 else "above"))


class _Code:
    """The function's instructions, decoded once each, as the walk reaches them."""

    def __init__(self, ctx, start, size):
        self.ctx, self.start, self.end = ctx, start, start + size if size else None
        self.decoded = {}

    def at(self, address):
        if address in self.decoded:
            return self.decoded[address]
        if len(self.decoded) >= PROLOGUE_LIMIT:
            raise Refusal(None, "no gate in its first %d instructions" % PROLOGUE_LIMIT)
        if address < self.start or (self.end is not None and address >= self.end):
            raise Refusal(None, "its code before the gate leaves the function at %#x" % address)
        found = self.ctx.walk(address, 1, decoder=self.ctx.decoder)
        if not found:
            raise Undecodable(address)
        self.decoded[address] = found[0]
        return found[0]
