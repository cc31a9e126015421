"""Addresses in the stack, known by their distance from the entry's stack pointer.

Where the stack lies changes from call to call; how far apart two addresses
in it are does not.  linker/machine.py computes with a StackAddress only
where the answer is the same wherever the stack is: adding a constant, the
distance between two of them, comparing two of them as unsigned numbers
(the stack never wraps around the end of the address space), and masking
to the pointer's width.  Anything else raises Unknowable, and the result of
the instruction is unknown.

Rounding an address down to a multiple of a power of two (`and $-64,%rsp`,
for variables aligned more than the ABI aligns the stack) moves it by an
amount that depends on where the stack is.  The rounded address becomes
the base of the addresses computed from it: those on one base are known
relative to each other, and by how far at most they can be from the
entry's stack pointer (bounds()), which is enough to tell whether a store
stays in the frame.
"""


class Unknowable(ArithmeticError):
    """An operation whose result depends on where the stack is."""


def mask(bits):
    return (1 << bits) - 1


def signed(value, bits):
    value &= mask(bits)
    return value - (1 << bits) if value >> (bits - 1) else value


class StackAddress:
    """`offset` bytes past `base`, which is None for the stack pointer at the
    entry, or (base, offset, alignment): that address rounded down to a
    multiple of `alignment`."""

    __slots__ = ("offset", "bits", "base")

    def __init__(self, offset, bits, base=None):
        # Wrapped as the machine's arithmetic wraps: adding 2**64 - 16 is subtracting 16.
        self.offset = signed(offset, bits)
        self.bits = bits
        self.base = base

    def __repr__(self):
        return "%s%+#x" % ("sp" if self.base is None else "aligned(%r)" % (self.base,),
                           self.offset)

    def bounds(self):
        """The least and the most this address can be past the entry's stack pointer."""
        low = high = self.offset
        base = self.base
        while base is not None:
            base, offset, alignment = base
            low, high = low + offset - (alignment - 1), high + offset
        return low, high

    def _alignment(self):
        """The power of two that the base is a multiple of, where known."""
        return 1 if self.base is None else self.base[2]

    def _offset_on_my_base(self, other):
        if isinstance(other, StackAddress) and other.base == self.base:
            return other.offset
        raise Unknowable(other)

    def _difference(self, other):
        """The least and the most that self - other can be."""
        if not isinstance(other, StackAddress):
            raise Unknowable(other)
        if other.base == self.base:
            return (self.offset - other.offset,) * 2
        low, high = self.bounds()
        other_low, other_high = other.bounds()
        return low - other_high, high - other_low

    def _decided(self, other, holds):
        """holds(self - other), when that is the same for every difference the two
        can have: at both ends of the range and at its point nearest 0, for
        comparisons of the difference with 0."""
        low, high = self._difference(other)
        answers = {holds(low), holds(high), holds(min(max(0, low), high))}
        if len(answers) == 1:
            return answers.pop()
        raise Unknowable(other)

    def __add__(self, other):
        if isinstance(other, int):
            return StackAddress(self.offset + other, self.bits, self.base)
        raise Unknowable(other)

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, StackAddress):
            return signed(self.offset - self._offset_on_my_base(other), self.bits)
        return self + -other

    def __and__(self, other):
        if not isinstance(other, int):
            raise Unknowable(other)
        kept = other & mask(self.bits)
        cleared = ~kept & mask(self.bits)
        if not cleared:
            return self
        if cleared & (cleared + 1) == 0:                  # rounds down to cleared + 1
            if cleared + 1 <= self._alignment():
                return StackAddress(self.offset & ~cleared, self.bits, self.base)
            return StackAddress(0, self.bits, (self.base, self.offset, cleared + 1))
        if kept & (kept + 1) == 0 and kept < self._alignment():   # the low bits alone
            return self.offset & kept
        raise Unknowable(other)

    __rand__ = __and__

    def __eq__(self, other):
        if isinstance(other, (int, StackAddress)):
            return self._decided(other, lambda d: d == 0)
        return False

    def __ne__(self, other):
        return not self == other

    def __lt__(self, other):
        return self._decided(other, lambda d: d < 0)

    def __le__(self, other):
        return self._decided(other, lambda d: d <= 0)

    def __gt__(self, other):
        return self._decided(other, lambda d: d > 0)

    def __ge__(self, other):
        return self._decided(other, lambda d: d >= 0)

    def __hash__(self):
        return hash((self.base, self.offset))

    def _unknowable(self, *other):
        raise Unknowable(self)

    __rsub__ = __or__ = __ror__ = __xor__ = __rxor__ = __lshift__ = __rshift__ = _unknowable
    __mul__ = __rmul__ = __floordiv__ = __mod__ = __neg__ = __invert__ = __abs__ = _unknowable
    __bool__ = __index__ = __int__ = bit_length = _unknowable
