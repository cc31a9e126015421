"""patch-elf and verify on thousands of mutated and truncated real libraries.

Data flow: `corpus` builds real gated libraries (libc and no-libc, patched
and not, RELR, stripped, BIND_NOW, SysV hash) and finds their hot regions
(ELF and program headers, the dynamic section, the note, relocations,
init_array, dynamic symbols) with the project's own ELF reader.  `mutants`
derives inputs from random.Random(seed): truncations, bit flips, words set
to edge values, copied and zeroed blocks, mostly aimed at the hot regions.
`fuzz` runs each input in process through verify_library and patch_library
under a time bound, then checks the rules:

- only InitgateError may escape (anything else is a crash of the tool);
- no input runs longer than the bound;
- the input file is unchanged, unless patch-elf succeeded in place;
- a failed patch writes no output and leaves no temporary file;
- a patch that claims success gives a file that verify can read (when
  it could read the input), whose slot and islibrary are patched, and
  that loads and answers 42 whenever the mutated input itself loaded and
  answered 42 and its code was left intact, unless the intact library,
  patched and then mutated the same way, fails too (checked in child
  processes by loadcheck.c, on a bounded sample).

`cli_sample` runs a few inputs through the real commands: exit codes 0/1,
and a failure is one line `initgate: error: ...`.  A failing input is kept
and named with its seed and index so it replays.
"""

import hashlib
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import build
from outcome import Outcome

from initgate.errors import InitgateError
from initgate.linker.elf import (DT_INIT_ARRAY, DT_RELA, DT_RELASZ, DT_SYMTAB, PT_DYNAMIC,
                                 PT_LOAD, PT_NOTE, ElfFile)
from initgate.linker.note import read_note
from initgate.linker.patch import patch_library
from initgate.linker.verify import verify_library

BOUND_SECONDS = 10



def rt0_outside_code(path):
    """True when the note's rt0 is not inside an executable loadable segment:
    patch-elf once "patched" such files into libraries that crash the loader
    (found by this fuzz run, seed 2 input 133; now refused)."""
    try:
        with ElfFile(path) as elf:
            rt0 = read_note(elf).rt0
            return not any(s.flags & 1 and s.holds(rt0) for s in elf.segments_of(PT_LOAD))
    except InitgateError:
        return False
EDGE_WORDS = [0, 1, 2, 3, 0x7F, 0x80, 0xFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
              0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0x1000, 0x10000]


class Timeout(Exception):
    pass


def code_ranges(path):
    """File ranges of the executable segments: a mutant that changed them
    may crash in code only the patched library runs (the init thread's
    start), which says nothing about patch-elf."""
    with ElfFile(path) as elf:
        return [(seg.offset, seg.offset + seg.filesz)
                for seg in elf.segments_of(PT_LOAD) if seg.flags & 1]


def touches_code(original, data, ranges):
    return any(original[start:end] != data[start:end] for start, end in ranges)


def corpus(builder):
    """[(name, path, hot regions [(start, end)])] of real gated libraries."""
    variants = [
        ("held-unpatched", dict(name="fz_held_u", patch=False)),
        ("held-patched", dict(name="fz_held_p")),
        ("held-relr", dict(name="fz_held_relr", patch=False,
                           ldflags=["-Wl,-z,pack-relative-relocs"])),
        ("held-now-sysv", dict(name="fz_held_now", patch=False,
                               ldflags=["-Wl,-z,now", "-Wl,--hash-style=sysv"])),
    ]
    out = []
    for label, kwargs in variants:
        out.append((label, builder.held(**kwargs)))
    out.append(("bare-unpatched", builder.bare(name="fz_bare_u", patch=False)))
    out.append(("bare-patched", builder.bare(name="fz_bare_p")))
    stripped = builder.path("fz_held_stripped.so")
    shutil.copy(builder.held(name="fz_held_u", patch=False), stripped)
    build.run([build.require("strip", "binutils"), "--strip-all", stripped])
    out.append(("held-stripped", stripped))
    return [(label, path, hot_regions(path)) for label, path in out]


def hot_regions(path):
    with ElfFile(path) as elf:
        regions = [(0, 64), (elf.e_phoff, elf.e_phoff + elf.e_phnum * elf.e_phentsize)]
        for seg in elf.segments_of(PT_DYNAMIC) + elf.segments_of(PT_NOTE):
            regions.append((seg.offset, seg.offset + seg.filesz))
        for tag, length in ((DT_INIT_ARRAY, 32), (DT_RELA, None), (DT_SYMTAB, 512)):
            address = elf.dyn_value(tag)
            if address is None:
                continue
            size = length or elf.dyn_value(DT_RELASZ, 256)
            start = elf.offset_of(address)
            regions.append((start, start + size))
    return regions


def mutate(data, regions, rng):
    """One mutant of `data` and a short description of what was done."""
    data = bytearray(data)
    op = rng.choice(["truncate", "flip", "word", "word", "flip", "block", "append"])
    start, end = 0, len(data)
    if rng.random() < 0.8:
        start, end = rng.choice(regions)
        end = min(end, len(data))
        if start >= end:
            start, end = 0, len(data)
    if not data:
        op = "append"

    if op == "truncate":
        cut = rng.choice([rng.randrange(0, 80), rng.randrange(start, end),
                          rng.randrange(0, len(data))]) % (len(data) + 1)
        return bytes(data[:cut]), "truncate at %d" % cut
    if op == "flip":
        flips = []
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(start, end)
            bit = rng.randrange(8)
            data[at] ^= 1 << bit
            flips.append("%d.%d" % (at, bit))
        return bytes(data), "flip bits " + ",".join(flips)
    if op == "word":
        width = rng.choice([2, 4, 8])
        at = rng.randrange(start, max(start + 1, end - width + 1)) & ~(width - 1)
        old = int.from_bytes(data[at:at + width], "little")
        value = rng.choice(EDGE_WORDS + [len(data), old + 1, old - 1, old * 2,
                                         rng.getrandbits(64)]) % (1 << (8 * width))
        data[at:at + width] = value.to_bytes(width, "little")
        return bytes(data), "word%d at %d = %#x" % (width * 8, at, value)
    if op == "block":
        length = rng.randint(1, 256)
        at = rng.randrange(start, end)
        source = rng.randrange(0, len(data))
        fill = data[source:source + length] if rng.random() < 0.5 else bytes(length)
        data[at:at + len(fill)] = fill
        return bytes(data[:len(data)]), "block %d bytes at %d" % (len(fill), at)
    extra = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
    return bytes(data) + extra, "append %d bytes" % len(extra)


def mutants(seed, count, sources):
    """Yield (index, label, description, bytes) for `count` inputs."""
    originals = [(label, open(path, "rb").read(), regions) for label, path, regions in sources]
    for index in range(count):
        rng = random.Random("%d/%d" % (seed, index))
        label, data, regions = rng.choice(originals)
        description = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            data, what = mutate(data, regions, rng)
            description.append(what)
        yield index, label, "; ".join(description), data


def _digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _bounded(fn, *args):
    def expire(signum, frame):
        raise Timeout()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, BOUND_SECONDS)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _attempt(fn, *args):
    """("ok", result) | ("error", message) | ("crash", text) | ("hang", None)."""
    try:
        return "ok", _bounded(fn, *args)
    except InitgateError as err:
        return "error", str(err)
    except Timeout:
        return "hang", None
    except Exception as err:  # noqa: BLE001: any other exception is the finding
        return "crash", "%s: %s" % (type(err).__name__, err)


def fuzz(builder, seed=1, count=1000, load_sample=40):
    outcome = Outcome("fuzz patch-elf + verify (in process)")
    start = time.monotonic()
    # patch-elf's warnings (no spare dynamic entry) are expected here.
    logging.getLogger("initgate").addHandler(logging.NullHandler())
    sources = corpus(builder)
    originals = {label: (open(path, "rb").read(), code_ranges(path))
                 for label, path, _ in sources}
    scratch = builder.path("fuzz-%d" % seed)
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    keep = builder.path("fuzz-failures")
    counts = {"patched": 0, "refused": 0, "verified": 0}
    to_load = []

    for index, label, what, data in mutants(seed, count, sources):
        name = "in-%d.so" % index
        path = os.path.join(scratch, name)
        out = os.path.join(scratch, "out-%d.so" % index)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o755)
        before = _digest(path)
        problems = []
        where = "seed %d input %d (%s: %s)" % (seed, index, label, what)

        kind, result = _attempt(verify_library, path)
        if kind in ("crash", "hang"):
            problems.append("verify %s: %s" % (kind, result))
        input_readable = kind == "ok"
        counts["verified"] += input_readable
        if _digest(path) != before:
            problems.append("verify changed its input")

        in_place = index % 3 == 0
        kind, result = _attempt(patch_library, path, None if in_place else out)
        if kind in ("crash", "hang"):
            problems.append("patch-elf %s: %s" % (kind, result))
        elif kind == "error":
            counts["refused"] += 1
            if _digest(path) != before:
                problems.append("a refused patch changed the input")
            if os.path.exists(out):
                problems.append("a refused patch wrote an output")
        else:
            counts["patched"] += 1
            target = path if in_place else out
            if not in_place and _digest(path) != before:
                problems.append("patch-elf -o changed its input")
            if rt0_outside_code(target):
                problems.append("patched a file whose note puts rt0 outside the code")
            else:
                problems += _check_patched(target, input_readable)
            original, ranges = originals[label]
            if len(to_load) < load_sample and "held" in label \
                    and not touches_code(original, data, ranges):
                original = os.path.join(scratch, "orig-%d.so" % index)
                with open(original, "wb") as f:
                    f.write(data)
                to_load.append((where, original, target,
                                *_mutated_reference(scratch, index, label, originals, data)))
        leftovers = [f for f in os.listdir(scratch) if f.startswith(".initgate-")]
        if leftovers:
            problems.append("temporary files left: %s" % leftovers)

        if problems:
            os.makedirs(keep, exist_ok=True)
            shutil.copy(os.path.join(scratch, name) if not in_place else path,
                        os.path.join(keep, "seed%d-%d.so" % (seed, index)))
            for p in problems:
                outcome.fail("%s: %s" % (where, p))
        elif not any(t[2] == (path if in_place else out) for t in to_load):
            for f in (path, out):
                if os.path.exists(f):
                    os.unlink(f)

    loaded = _load_pairs(builder, to_load, outcome)
    outcome.tried = "%d mutated inputs (seed %d) from %d libraries" % (count, seed,
                                                                        len(sources))
    outcome.notes = ("verify read %d; patch-elf refused %d, patched %d; %d patched outputs "
                     "loaded and called" % (counts["verified"], counts["refused"],
                                            counts["patched"], loaded))
    outcome.seconds = time.monotonic() - start
    if outcome.held:
        shutil.rmtree(scratch, ignore_errors=True)
    return outcome


def _check_patched(path, input_readable):
    """patch-elf reads less of a file than verify (not the symbols): verify may
    refuse a patched output only when it refused the input too."""
    kind, report = _attempt(verify_library, path)
    if kind in ("crash", "hang"):
        return ["verify %s on a patched output: %s" % (kind, report)]
    if kind == "error":
        if not input_readable:
            return []
        return ["patch-elf claimed success, but verify cannot read the output: %s" % report]
    broken = [f for f in report.failures if f.subject.startswith("library")]
    return ["patched output fails %s: %s" % (f.subject, f.detail) for f in broken]


def _mutated_reference(scratch, index, label, originals, data):
    """The intact library patched, then cut, lengthened and given changed bytes
    as the mutant was: what patching the mutant must behave like, or None
    where the mutation touches a byte the patch writes (the two orders then
    differ for a good reason).

    A mutant may break what only a patched library runs: its init thread's
    start (an import of pthread_create's path zeroed in .dynsym, say), which
    an unpatched library never reaches, since it runs init on the first call.
    Such a mutant loads unpatched and crashes patched, by no fault of the
    patch; its reference crashes the same way.  Returns (reference, the intact
    library patched), and the latter must load and answer, or every reference
    would hide a patch that breaks every library.
    """
    original = originals[label][0]
    pristine = os.path.join(scratch, "pristine-%s.so" % label)
    if not os.path.exists(pristine):
        source = os.path.join(scratch, "pristine-%s-in.so" % label)
        with open(source, "wb") as f:
            f.write(original)
        patch_library(source, pristine)
    with open(pristine, "rb") as f:
        patched = f.read()
    if len(patched) != len(original):
        return None, pristine
    # Cut or lengthened as the mutant was, then given its changed bytes.
    reference = bytearray(patched[:len(data)] + data[len(original):])
    for offset, (before, after) in enumerate(zip(original, data)):
        if before != after:
            if patched[offset] != before:
                return None, pristine
            reference[offset] = after
    path = os.path.join(scratch, "reference-%d.so" % index)
    with open(path, "wb") as f:
        f.write(bytes(reference))
    os.chmod(path, 0o755)
    return path, pristine


def _load_pairs(builder, pairs, outcome):
    """Outputs must load and answer whenever their mutated input did, unless the
    intact library patched and then mutated the same way fails too."""
    if not pairs:
        return 0
    checker = builder.host("loadcheck", ["loadcheck.c"], libs=["-ldl"])
    pristine = sorted(set(pair[4] for pair in pairs))
    paths = pristine + [p for _, original, patched, reference, _ in pairs
                        for p in (original, patched, reference) if p]
    env = dict(os.environ)
    env.pop("INITGATE_DEBUG", None)
    proc = subprocess.run([checker, "lib_value", "42", *paths], capture_output=True,
                          text=True, errors="replace", timeout=30 + 12 * len(paths), env=env)
    status = {}
    for line in proc.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word == "ok":
            status[rest] = "ok"
        else:
            status[rest.split(" ", 1)[-1]] = line
    for path in pristine:
        if status.get(path) != "ok":
            outcome.fail("%s: the intact library, patched, does not load and answer 42: %s"
                         % (path, status.get(path, "no result")))
    loaded = 0
    for where, original, patched, reference, _ in pairs:
        if status.get(original) != "ok":
            continue
        loaded += 1
        if status.get(patched) != "ok" and (reference is None
                                            or status.get(reference) == "ok"):
            outcome.fail("%s: the input loads and answers 42, its patched output does "
                         "not: %s" % (where, status.get(patched, "no result")))
    return loaded


def cli_sample(builder, seed=1, count=20):
    """The real commands on a few mutants: exit codes and one-line errors."""
    outcome = Outcome("fuzz patch-elf + verify (commands)")
    start = time.monotonic()
    scratch = builder.path("fuzz-cli-%d" % seed)
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    for index, label, what, data in mutants(seed + 7919, count, corpus(builder)):
        path = os.path.join(scratch, "in-%d.so" % index)
        with open(path, "wb") as f:
            f.write(data)
        before = _digest(path)
        where = "seed %d input %d (%s: %s)" % (seed + 7919, index, label, what)
        for args in (("verify", path), ("patch-elf", path, "-o", path + ".out")):
            proc = subprocess.run([sys.executable, "-m", "initgate", *args],
                                  capture_output=True, text=True, errors="replace",
                                  timeout=60,
                                  cwd=build.REPO)
            errors = proc.stderr.strip().splitlines()
            if "Traceback" in proc.stderr or proc.returncode not in (0, 1):
                outcome.fail("%s: %s exit %d: %s" % (where, args[0], proc.returncode,
                                                    proc.stderr[-300:]))
            elif proc.returncode == 1 and errors and (
                    len(errors) != 1 or not errors[0].startswith("initgate: error: ")):
                outcome.fail("%s: %s: not one error line: %r" % (where, args[0], errors))
            elif args[0] == "patch-elf" and proc.returncode == 1 and not errors:
                outcome.fail("%s: patch-elf failed without a message" % where)
        if _digest(path) != before:
            outcome.fail("%s: an input changed" % where)
    outcome.tried = "%d mutated inputs x 2 commands" % count
    outcome.seconds = time.monotonic() - start
    if outcome.held:
        shutil.rmtree(scratch, ignore_errors=True)
    return outcome
