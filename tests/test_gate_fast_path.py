"""The gate's fast path in machine code (x86_64, gcc -O2).

Once init is done a gated call runs at most four instructions more than the
same function without a gate (issue 8; the benchmarks time it): one acquire
load, a compare and a branch, which take no lock, store nothing to memory
and call nothing, so callers on many threads share the state word's cache
line without ever writing it, and at most one register move where the load
needs a register the function's arguments hold.  That holds for functions
whose arguments are still needed after the gate, because gate.h enters the
slow path from assembly that preserves every register (runtime_c/arch/
x86_64-gate.S): the compiler has nothing to save, and so no frame to set
up, on the hot path.

tests/runtime/fast_path.c is built twice into a shared library, as written
and through the pipeline (rewrite, cc, the runtime linked last), and
objdump reads both.  Each function's hot path is walked from its entry to
its return: straight on at each conditional branch, whose other side must
enter the slow path within a few instructions, and along unconditional
jumps.
"""

import os
import re
import subprocess

import pytest

from conftest import require_tool, run, run_initgate
from initgate.linker.runtime_build import build_runtime

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime")
RUNTIME_C = os.path.join(HERE, "..", "..", "runtime_c")
SOURCE = os.path.join(HERE, "fast_path.c")
FUNCTIONS = ("fast_path_add", "fast_path_index", "fast_path_scale", "fast_path_many")
MAX_EXTRA = 4
SLOW_PATH_REACH = 8
SLOW_PATH_ENTRIES = ("<_initgate_wait_preserving>", "<_initgate_wait>")
CFLAGS = ["-O2", "-fPIC", "-Wall", "-Wextra", "-Werror"]

INSN = re.compile(r"^\s*([0-9a-f]+):\t(.*?)\s*(#.*)?$")
SYMBOL = re.compile(r"^([0-9a-f]+) <(.+)>:$")
TARGET = re.compile(r"^([0-9a-f]+) <(.+)>$")
PREFIXES = ("lock", "rep", "repz", "repnz", "repe", "repne", "bnd", "notrack",
            "data16", "cs", "ds", "es", "fs", "gs", "ss")
# Instructions that only read their last (AT&T: destination) operand.
READ_ONLY = ("cmp", "test", "bt", "comis", "ucomis", "nop", "prefetch")
# Instructions that write memory whatever their operands say.
STORES = ("push", "call", "stos", "movs", "enter")


class Listing:
    """objdump -d of one file: instructions by address, in order, their
    comments (what a rip-relative operand points at), and symbols."""

    def __init__(self, text):
        self.symbols, self.order, self.text, self.comment = {}, [], {}, {}
        for line in text.splitlines():
            symbol = SYMBOL.match(line)
            insn = INSN.match(line)
            if symbol:
                self.symbols[symbol.group(2)] = int(symbol.group(1), 16)
            elif insn and insn.group(2):
                address = int(insn.group(1), 16)
                self.order.append(address)
                self.text[address] = insn.group(2)
                self.comment[address] = insn.group(3) or ""
        self.next = dict(zip(self.order, self.order[1:]))


def split(text):
    """(prefixes and mnemonic, operands) of one instruction's text."""
    words = text.split(None, 1)
    head = [words.pop(0)] if words else []
    while head[-1] in PREFIXES and words:
        more = words[0].split(None, 1)
        head.append(more[0])
        words = more[1:]
    return head, words[0] if words else ""


def hot_path(listing, function):
    """The instructions from entry to return when every gate is open, each
    with its comment."""
    path, address = [], listing.symbols[function]
    while len(path) < 64:
        text = listing.text[address]
        path.append((text, listing.comment[address]))
        head, operands = split(text)
        mnemonic = head[-1]
        if mnemonic.startswith("ret"):
            return path
        target = TARGET.match(operands)
        if mnemonic == "jmp" and target:
            address = int(target.group(1), 16)
            continue
        if mnemonic.startswith("j"):
            assert target and enters_slow_path(listing, int(target.group(1), 16)), (
                "%s: a branch whose other side does not enter the slow path" % text)
        address = listing.next[address]
    raise AssertionError("no return within 64 instructions: %s" % path)


def enters_slow_path(listing, address):
    """Whether the code at `address` calls the gate's slow path within
    SLOW_PATH_REACH instructions, along unconditional jumps."""
    for _ in range(SLOW_PATH_REACH):
        head, operands = split(listing.text[address])
        if head[-1].startswith("call"):
            return operands.endswith(SLOW_PATH_ENTRIES)
        target = TARGET.match(operands)
        if head[-1] == "jmp" and target:
            address = int(target.group(1), 16)
        elif head[-1].startswith(("j", "ret")):
            return False
        else:
            address = listing.next[address]
    return False


def touches_the_stack(text):
    head, operands = split(text)
    return head[-1].startswith(("push", "pop", "enter", "leave")) or operands.endswith("%rsp")


def stores_to_memory(text):
    head, operands = split(text)
    mnemonic = head[-1]
    if mnemonic.startswith(STORES):
        return True
    last = re.split(r",(?![^(]*\))", operands)[-1]
    return ("(" in last or ":" in last) and not mnemonic.startswith(READ_ONLY)


def disassemble(lib):
    objdump = require_tool("objdump", "binutils")
    return Listing(run([objdump, "-d", "--no-show-raw-insn", lib]).stdout)


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    gcc = require_tool("gcc", "gcc")
    machine = subprocess.run([gcc, "-dumpmachine"], capture_output=True,
                             text=True).stdout
    if not machine.startswith("x86_64"):
        pytest.skip("the fast path is counted on x86_64; gcc targets %s" % machine)
    work = tmp_path_factory.mktemp("fast-path")

    plain = work / "libplain.so"
    run([gcc, *CFLAGS, "-shared", "-o", plain, SOURCE])

    run_initgate("rewrite", "--init", "fast_path_init", "-o", work / "src", SOURCE,
                 "--", "-I", RUNTIME_C)
    obj = work / "fast_path.o"
    run([gcc, *CFLAGS, "-I", RUNTIME_C, "-c", work / "src" / "fast_path.c", "-o", obj])
    gated = work / "libgated.so"
    run([gcc, "-shared", "-o", gated, obj, build_runtime(gcc, work / "rt.o"),
         "-lpthread"])
    plain, gated = disassemble(plain), disassemble(gated)
    return {f: (hot_path(plain, f), hot_path(gated, f)) for f in FUNCTIONS}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_gate_adds_at_most_four_instructions_whatever_the_function(paths, function):
    plain, gated = paths[function]
    assert len(gated) - len(plain) <= MAX_EXTRA, (plain, gated)
    # None of them saves a register or makes a frame.
    assert len([t for t, _ in gated if touches_the_stack(t)]) == len(
        [t for t, _ in plain if touches_the_stack(t)]), gated
    # The gate is really there: the gated path reads the state word.
    assert any("<_initgate_state>" in comment for _, comment in gated), gated


@pytest.mark.parametrize("function", FUNCTIONS)
def test_fast_path_takes_no_lock_stores_nothing_and_calls_nothing(paths, function):
    gated = [text for text, _ in paths[function][1]]
    assert [t for t in gated if "lock" in split(t)[0] or split(t)[0][-1] == "xchg"] == []
    assert [t for t in gated if stores_to_memory(t)] == []
    assert [t for t in gated if split(t)[0][-1].startswith("call")] == []
