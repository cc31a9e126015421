"""`initgate runtime`: the bundled C runtime, compiled for a compiler's target.

Data flows in one direction:

    CC -E -dM (its predefined macros) -> targets.by_predefined
      -> the flavour's source list -> CC -c each unit (a few C sources,
         or one assembly source, in a scratch folder) -> CC -r -nostdlib
      -> OUT.o

The flavour is pthreads (the generic files plus `libc_*.c`) or, with
`--no-libc`, raw system calls (the generic files, `nolibc_*.c` and the
target's `arch/ARCH.S`), built freestanding with the flags of the
compiler's family (gcc or clang, zig cc among them) and of the target
(targets.py).  Both take the target's `arch/ARCH-gate.S` where it has one
(x86_64's way into the gate's slow path).  Every file is built -fPIC with
hidden visibility, without a stack protector (the no-libc init thread has
no TLS to hold a canary) and with a non-executable stack note, so linking
the one object into a library exports nothing and asks for nothing.  The
target comes from the macros the whole command predefines, not from
`CC -dumpmachine`, which names the compiler's default target whatever
-m32, -mx32 or -mbig-endian say; the same macros tell gcc from clang.  The
build-time settings (stack size, watchdog, failure handler) become -D
options read by runtime_c/internal.h.
"""

import os
import re
import shlex
from pathlib import Path

from initgate import children, logs
from initgate.errors import InitgateError, ToolchainError, UsageError
from initgate.fileio import scratch_folder, write_atomic
from initgate.linker import targets
from initgate.linker.note import NOTE_FLAG_NO_LIBC
from initgate.runtime_c import SOURCE_DIR

log = logs.logger("initgate.runtime")

DEFAULT_STACK_SIZE = 8 << 20
DEFAULT_WATCHDOG_MS = 10000

FLAVOUR_PREFIXES = ("libc_", "nolibc_")

COMMON_CFLAGS = [
    "-c", "-O2", "-std=gnu99", "-fPIC", "-fvisibility=hidden",
    "-fno-stack-protector", "-Wa,--noexecstack", "-Wall", "-Wextra",
]

# Nothing from a C library may leak in, including calls the compiler would
# emit for loops it recognizes as memset or memcpy.  gcc needs a flag of its
# own for those; clang has none (zig cc refuses gcc's), and -fno-builtin
# already keeps its loops as loops.  One row per compiler family.
NO_LIBC_CFLAGS = {
    "gcc": ["-ffreestanding", "-nostdinc", "-fno-builtin",
            "-fno-tree-loop-distribute-patterns"],
    "clang": ["-ffreestanding", "-nostdinc", "-fno-builtin"],
}


def include_dir():
    """The folder holding initgate.h, for `-I`."""
    return Path(SOURCE_DIR)


def sources(arch, no_libc):
    """The runtime's files for one flavour, generic ones first."""
    source_dir = Path(SOURCE_DIR)
    generic = sorted(p for p in source_dir.glob("*.c")
                     if not p.name.startswith(FLAVOUR_PREFIXES))
    flavour = sorted(source_dir.glob(("nolibc_" if no_libc else "libc_") + "*.c"))
    files = generic + flavour
    # The gate's own way into the slow path, where gate.h enters it from
    # assembly (x86_64): both flavours.
    gate_entry = source_dir / "arch" / (arch + "-gate.S")
    if gate_entry.is_file():
        files.append(gate_entry)
    if no_libc:
        glue = source_dir / "arch" / (arch + ".S")
        if not glue.is_file():
            raise InitgateError("%s: no system call glue for %s yet; build the libc "
                                "runtime (without --no-libc) instead" % (glue, arch))
        files.append(glue)
    return files


# Starting the compiler (the driver, cc1 and its headers, as) costs more
# than these small files take to compile, so the C files go through it as a
# few translation units, one per core up to MAX_UNITS, each a file that
# includes its share: about half the CPU time of one run per file, and half
# the wall time on two cores.  The sources are written to allow it:
# internal.h is the only header they share, no two of them define the same
# static name or macro, wait.c's one #undef is of a macro no other file uses,
# and _GNU_SOURCE, which the libc files ask for, comes first for all.
MAX_UNITS = 4


def _units(files, scratch, count):
    """The files to compile: `count` C files that each include a share of the
    C sources, then each assembly source as it is."""
    c_files = [f for f in files if f.suffix == ".c"]
    units = []
    for index in range(min(count, len(c_files))):
        share = c_files[index::count]
        unit = os.path.join(scratch, "unit%d.c" % index)
        with open(unit, "w") as f:
            f.write("#define _GNU_SOURCE\n")
            f.writelines('#include "%s"\n' % source.name for source in share)
        log.debug("%s: %s", unit, " ".join(source.name for source in share))
        units.append(unit)
    return units + [str(f) for f in files if f.suffix != ".c"]


def _run(cmd, explain=None):
    """The command's output; on failure, ToolchainError with `explain`'s one
    line for its output where it has one, else the first lines of it."""
    return _run_all([cmd], explain)[0]


def _run_all(commands, explain=None):
    """The output of each command, all run side by side (see _run).
    Interrupted, or one of them not found, those started are stopped."""
    started = []
    try:
        for cmd in commands:
            log.debug("%s", shlex.join(cmd))
            started.append(_start(cmd))
    except BaseException:
        for child in started:
            child.stop()
        raise
    outputs = []
    for cmd, (code, out, err) in zip(commands, children.run_all(started)):
        out, err = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
        if code != 0:
            _fail(cmd, code, out, err, explain)
        outputs.append(out)
    return outputs


def _start(cmd):
    try:
        return children.Child(cmd, capture=(1, 2), null=(0,))
    except FileNotFoundError:
        raise ToolchainError("%s: compiler not found; install gcc (Debian package gcc) "
                             "or pass --cc" % cmd[0]) from None
    except PermissionError:
        raise ToolchainError("%s: cannot run this compiler" % cmd[0]) from None


def _fail(cmd, code, out, err, explain):
    reason = explain and explain(err)
    if reason:
        raise ToolchainError(reason)
    detail = (err.strip() or out.strip()).splitlines()
    how = "killed by signal %d" % -code if code < 0 else "exit %d" % code
    raise ToolchainError("%s failed (%s): %s" % (
        shlex.join(cmd), how, " | ".join(detail[:6]) or "no output"))


MACRO_LINE = re.compile(r"^#define (\w+)(?:\([^)]*\))? ?(.*)$", re.M)


def predefined_macros(cc_argv):
    """The macros the compiler command predefines, name to value: one run that
    tells both its target and its family."""
    text = _run(cc_argv + ["-E", "-dM", "-x", "c", os.devnull])
    return dict(MACRO_LINE.findall(text))


def target_of(cc_argv, macros):
    """The targets.py row for the compiler command whose macros are `macros`."""
    target = targets.by_predefined(macros)
    if target is None:
        raise InitgateError("%s builds for a target initgate does not support: %s; "
                            "supported: %s" % (shlex.join(cc_argv),
                                               targets.describe_predefined(macros),
                                               ", ".join(t.arch for t in targets.TARGETS)))
    return target


def compiler_family(macros):
    """"clang" or "gcc": which flags the compiler takes."""
    return "clang" if "__clang__" in macros else "gcc"


# How gcc and clang say an #include found nothing.
MISSING_HEADER = re.compile(r"^(?P<includer>[^\n]*?):\d+:\d+: fatal error: "
                            r"(?:'(?P<quoted>[^'\n]+)' file not found"
                            r"|(?P<plain>[^\n]+?): No such file or directory)$", re.M)


def _missing_c_library(cc_argv, target):
    """An `explain` for _run: a libc runtime's compile that finds no header is
    one whose compiler has no C library for the target (gcc -m32 without the
    32-bit one), which the compiler's own error does not say."""
    def explain(output):
        found = MISSING_HEADER.search(output)
        if not found:
            return None
        return ("%s builds for %s, but has no C library headers for it (%s, which %s "
                "includes, is missing): install the C library's development files for "
                "%s, or build with a compiler that has them" % (
                    shlex.join(cc_argv), target.arch,
                    found.group("quoted") or found.group("plain"),
                    found.group("includer"), target.arch))
    return explain


def defines(target, no_libc, stack_size, watchdog_ms, failure_handler):
    flags = [
        "-DINITGATE_E_MACHINE=%d" % target.e_machine,
        "-DINITGATE_NOTE_FLAGS=%d" % (NOTE_FLAG_NO_LIBC if no_libc else 0),
        "-DINITGATE_STACK_SIZE=%dUL" % stack_size,
        "-DINITGATE_WATCHDOG_MS=%d" % watchdog_ms,
    ]
    if failure_handler:
        flags.append("-DINITGATE_FAILURE_HANDLER=%s" % failure_handler)
    if no_libc:
        flags.append('-DINITGATE_ARCH_HEADER="arch/%s.h"' % target.arch)
    return flags


def build_runtime(cc, out, no_libc=False, stack_size=DEFAULT_STACK_SIZE,
                  watchdog_ms=DEFAULT_WATCHDOG_MS, failure_handler=None):
    """Compile the runtime for `cc`'s target into the object `out`; return its Path.

    `cc` is a command (a string, split like a shell would, or a list), so
    "gcc -m32" and "zig cc -target x86_64-linux-musl" work.  watchdog_ms 0
    turns the watchdog off; failure_handler names a function of the library,
    `void NAME(const char *library, const char *function, int status)`.
    """
    cc_argv = shlex.split(cc) if isinstance(cc, str) else list(cc)
    if not cc_argv:
        raise UsageError("--cc: empty compiler command")
    if stack_size < 65536:
        raise UsageError("--stack-size: %d bytes is too small for a thread; give at "
                         "least 64K" % stack_size)
    if watchdog_ms < 0:
        raise UsageError("--watchdog: must be 0 (off) or a positive number of seconds")
    if failure_handler and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", failure_handler):
        raise UsageError("--failure-handler: %r is not a C function name" % failure_handler)

    macros = predefined_macros(cc_argv)
    target = target_of(cc_argv, macros)
    files = sources(target.arch, no_libc)
    flags = COMMON_CFLAGS + ["-I", str(SOURCE_DIR)]
    flags += defines(target, no_libc, stack_size, watchdog_ms, failure_handler)
    if no_libc:
        flags += NO_LIBC_CFLAGS[compiler_family(macros)] + list(target.no_libc_cflags)
    explain = None if no_libc else _missing_c_library(cc_argv, target)

    with scratch_folder("initgate-runtime-") as scratch:
        units = _units(files, scratch, min(os.cpu_count() or 1, MAX_UNITS))
        objects = [os.path.join(scratch, "%02d-%s.o" % (i, Path(u).stem))
                   for i, u in enumerate(units)]
        _run_all([cc_argv + flags + [u, "-o", o] for u, o in zip(units, objects)], explain)

        # The partial link needs no sanitizer: clang would pull its whole
        # runtime into the object (the library's own link brings it in).
        combined = os.path.join(scratch, "runtime.o")
        linker = [a for a in cc_argv if not a.startswith("-fsanitize")]
        _run(linker + ["-r", "-nostdlib", "-o", combined] + objects)
        with open(combined, "rb") as f:
            write_atomic(out, f.read())

    log.info("built %s: the %s runtime for %s (%s)", out,
             "no-libc" if no_libc else "pthreads", target.arch, shlex.join(cc_argv))
    return Path(out)


def _size(text):
    match = re.fullmatch(r"\s*(\d+)\s*([KkMmGg]?)(i?B)?\s*", text)
    if not match:
        raise ValueError(text)
    scale = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2).lower()]
    return int(match.group(1)) * scale


def _seconds(text):
    value = float(text)
    if value != value or value < 0 or value > 86400 * 365:
        raise ValueError(text)
    return value


_size.__name__ = "size (bytes, or with K, M or G)"
_seconds.__name__ = "number of seconds"


def add_arguments(parser):
    parser.add_argument("-o", "--output", metavar="OUT.o",
                        help="the object to write (link it last into the library)")
    parser.add_argument("--cc", default="cc", metavar="CC",
                        help="the compiler whose target to build for (default: cc)")
    parser.add_argument("--no-libc", action="store_true",
                        help="the runtime for -nostdlib libraries: raw clone, futex, write")
    parser.add_argument("--stack-size", type=_size, default=DEFAULT_STACK_SIZE,
                        metavar="SIZE", help="the init thread's stack (default: 8M)")
    parser.add_argument("--watchdog", type=_seconds, default=DEFAULT_WATCHDOG_MS / 1000,
                        metavar="SECONDS",
                        help="warn when a call has waited this long (default: 10; 0: never)")
    parser.add_argument("--failure-handler", metavar="NAME",
                        help="call `void NAME(const char *library, const char *function, "
                             "int status)` instead of aborting when init failed")
    parser.add_argument("--print-include-dir", action="store_true",
                        help="print the folder holding initgate.h and exit")


def run(args):
    if args.print_include_dir:
        print(include_dir())
        return 0
    if not args.output:
        raise UsageError("runtime: give the object to write with -o OUT.o")
    build_runtime(args.cc, args.output, no_libc=args.no_libc, stack_size=args.stack_size,
                  watchdog_ms=int(round(args.watchdog * 1000)),
                  failure_handler=args.failure_handler)
    return 0
