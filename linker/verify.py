"""`initgate verify LIB.so [--manifest FILE]`: is this library fully gated?

From the file alone: the runtime's note gives the reserved slot and the
places of the gate (linker/note.py); the slot must be a DT_INIT_ARRAY entry
pointing at the rt0 lib entry, islibrary must be 1, and every function in the
dynamic symbol table must pass the gate first, judged from its machine code
(linker/gatecheck.py), except the init function, which rewrite's init note
names.  The manifest of `initgate rewrite --manifest` names the functions left
ungated on purpose (and the init function again), which are then reported as
such rather than as failures.  Hazards are warnings.

`verify_library` returns a VerifyReport; `run` prints it and exits 0 only
when nothing failed.
"""

import json
from dataclasses import dataclass, field

from initgate.errors import InitgateError
from initgate.linker.describe import init_array
from initgate.linker.elf import (
    DF_1_NODELETE, DF_STATIC_TLS, DT_FLAGS, DT_FLAGS_1, SHN_UNDEF, STT_FUNC, STT_GNU_IFUNC,
    STT_OBJECT, STT_TLS)
from initgate.linker.gatecheck import GateChecker, Places
from initgate.linker.note import read_ifunc_notes, read_init_names, read_note
from initgate.linker.patch import open_library, target_of

# Exports with these names are called by the C library or the loader itself,
# possibly before init is done or on the init thread's behalf: gating them
# can hang the process, and not gating them runs library code uninitialized.
LIBC_NAMES = frozenset("""
    malloc free calloc realloc reallocarray memalign posix_memalign aligned_alloc valloc
    pvalloc malloc_usable_size open open64 openat openat64 close read write pread pwrite
    execve execv execvp execvpe fexecve fork vfork clone exit _exit _Exit abort atexit
    __cxa_atexit __cxa_finalize dlopen dlclose dlsym dladdr dl_iterate_phdr signal
    sigaction raise kill getenv setenv unsetenv putenv mmap munmap mprotect brk sbrk
    pthread_create pthread_join pthread_once pthread_mutex_lock pthread_mutex_unlock
    pthread_key_create pthread_getspecific pthread_setspecific __tls_get_addr
    memcpy memmove memset memcmp strlen strcmp strcpy strdup printf fprintf puts
    fopen fclose fflush fwrite fread stat fstat lstat
    """.split())


@dataclass
class Finding:
    kind: str        # ok, gated, FAIL, ungated, init, data, warn
    subject: str
    detail: str = ""


@dataclass
class VerifyReport:
    path: str
    arch: str
    findings: list = field(default_factory=list)

    def add(self, kind, subject, detail=""):
        self.findings.append(Finding(kind, subject, detail))

    @property
    def failures(self):
        return [f for f in self.findings if f.kind == "FAIL"]

    @property
    def passed(self):
        return not self.failures

    def text(self):
        lines = ["%s: %s" % (self.path, self.arch)]
        lines += ["  %-8s %s%s" % (f.kind, f.subject, ": " + f.detail if f.detail else "")
                  for f in self.findings]
        functions = [f for f in self.findings if f.kind in ("gated", "FAIL", "ungated", "init")
                     and not f.subject.startswith("library")]
        failed = [f for f in self.failures if not f.subject.startswith("library")]
        lines.append("result: %s (%d exported functions, %d not gated, %d other failures)" % (
            "fully gated" if self.passed else "NOT fully gated", len(functions), len(failed),
            len(self.failures) - len(failed)))
        return "\n".join(lines) + "\n"


class Manifest:
    """What verify reads of rewrite's manifest: the init function; the
    functions left ungated on purpose ({name: reason}); and for each ifunc,
    the functions rewrite gated because its resolver may return them."""

    def __init__(self, init=None, deliberate=None, ifunc_bodies=None):
        self.init = init
        self.deliberate = deliberate or {}
        self.ifunc_bodies = ifunc_bodies or {}


def load_manifest(path):
    """The Manifest in the file `path`."""
    try:
        with open(path) as f:
            data = json.load(f)
        if data.get("version") != 1:
            raise ValueError("version %r, expected 1" % data.get("version"))
        ungated = {}
        for entry in data.get("ungated", []):
            where = "%s:%s" % (entry.get("file", "?"), entry.get("line", "?"))
            ungated[entry["name"]] = "%s (%s)" % (entry.get("reason", "no reason given"), where)
        bodies = {}
        for entry in data.get("gated", []):
            if entry.get("body"):
                bodies.setdefault(entry["name"], []).append(entry["body"])
        return Manifest(data.get("init"), ungated, bodies)
    except OSError as err:
        raise InitgateError("%s: cannot read the manifest: %s" % (path, err.strerror)) from None
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise InitgateError("%s: not an initgate rewrite manifest: %s; write it with "
                            "initgate rewrite --manifest" % (path, err)) from None


def verify_library(path, manifest=None):
    manifest = load_manifest(manifest) if manifest else Manifest()
    with open_library(path) as elf:
        target = target_of(elf)
        note = read_note(elf)
        init_names = set(read_init_names(elf)) | ({manifest.init} if manifest.init else set())
        report = VerifyReport(path, target.arch)
        _check_entry(elf, note, report)
        _check_flags(elf, note, report)
        checker = GateChecker(elf, target, Places(note.state, note.wait, note.gate))
        for symbol, bodies in read_ifunc_notes(elf).items():
            known = manifest.ifunc_bodies.setdefault(symbol, [])
            known += [name for name in bodies if name not in known]
        _check_exports(elf, checker, init_names, manifest, report)
    return report


def _check_entry(elf, note, report):
    """The slot must be an init_array entry that now points at the rt0 lib entry."""
    entries = init_array(elf)
    addresses = [address for address, _ in entries]
    if note.slot not in addresses:
        report.add("FAIL", "library init_array entry", "the reserved slot %#x is not in "
                   "DT_INIT_ARRAY, so the init thread never starts at load" % note.slot)
        return
    value = dict(entries)[note.slot]
    if value != note.rt0:
        report.add("FAIL", "library init_array entry", "the slot does not point at the rt0 "
                   "lib entry: run initgate patch-elf %s" % elf.path)
        return
    index = addresses.index(note.slot)
    report.add("ok", "library init_array entry", "_initgate_rt0_lib, entry %d of %d"
               % (index + 1, len(addresses)))
    if index != len(addresses) - 1:
        later = len(addresses) - 1 - index
        report.add("warn", "library init_array order", "%d constructor%s after the init "
                   "thread starts; link initgate_rt.o last"
                   % (later, " runs" if later == 1 else "s run"))


def _check_flags(elf, note, report):
    if note.islibrary == 1:
        report.add("ok", "library islibrary", "1")
    else:
        report.add("FAIL", "library islibrary", "%d: run initgate patch-elf %s"
                   % (note.islibrary, elf.path))
    if elf.dyn_value(DT_FLAGS_1, 0) & DF_1_NODELETE:
        report.add("ok", "library NODELETE", "DT_FLAGS_1 has DF_1_NODELETE")
    else:
        report.add("warn", "library NODELETE", "not set in the file (the runtime pins the "
                   "library at run time); link with -Wl,-z,nodelete to set it")
    if elf.dyn_value(DT_FLAGS, 0) & DF_STATIC_TLS:
        report.add("warn", "library DF_STATIC_TLS", "initial-exec TLS: musl and Android "
                   "refuse to dlopen it; build with -ftls-model=global-dynamic")


def _check_exports(elf, checker, init_names, manifest, report):
    deliberate = manifest.deliberate
    symbols = sorted((s for s in elf.dynamic_symbols() if s.shndx != SHN_UNDEF and s.name),
                     key=lambda s: (s.value, s.name))
    # An exported function at an ifunc's address is its resolver.
    resolves = {s.value: s.name for s in symbols if s.kind == STT_GNU_IFUNC}
    for sym in symbols:
        if sym.kind in (STT_OBJECT, STT_TLS):
            report.add("data", sym.name, "exported data cannot be gated")
            continue
        if sym.kind == STT_GNU_IFUNC:
            _check_ifunc(elf, checker, sym, manifest, report)
            continue
        if sym.kind != STT_FUNC:
            continue
        if sym.name in LIBC_NAMES:
            report.add("warn", sym.name, "shadows a C library or loader name: the C library "
                       "may call it before init is done")
        if sym.name in init_names:
            report.add("init", sym.name, "the init function, not gated by design")
            continue
        if sym.value in resolves:
            report.add("ungated", sym.name, "the resolver of ifunc %s, which the loader runs "
                       "before init: never gated" % resolves[sym.value])
            continue
        verdict = checker.check(sym.value, sym.size)
        if verdict.gated:
            report.add("gated", sym.name, verdict.reason)
        elif sym.name in deliberate:
            report.add("ungated", sym.name, "deliberately: " + deliberate[sym.name])
        else:
            report.add("FAIL", sym.name, ("not gated: " if verdict.checked else "")
                       + verdict.reason)


def _check_ifunc(elf, checker, sym, manifest, report):
    """An ifunc's symbol is its resolver, which runs inside the loader and is
    never gated; what callers run is what it returns.  Which functions those
    are, only rewrite could tell (from the resolver's source): its ifunc note
    in the file, and its manifest, name them, and their code is checked here
    through .symtab."""
    if sym.name in manifest.deliberate:
        report.add("ungated", sym.name, "deliberately: " + manifest.deliberate[sym.name])
        return
    bodies = manifest.ifunc_bodies.get(sym.name)
    if not bodies:
        report.add("FAIL", sym.name, "an ifunc that no initgate rewrite saw: its resolver "
                   "runs inside the loader, and nothing says which functions it returns")
        return
    table = elf.section_symbols()
    if not table:
        report.add("FAIL", sym.name, "an ifunc, in a stripped library: the functions it may "
                   "return (%s) are found through .symtab; check the library before it is "
                   "stripped" % ", ".join(bodies))
        return
    local = {}
    for candidate in table:
        if candidate.kind == STT_FUNC and candidate.shndx != SHN_UNDEF:
            local.setdefault(candidate.name, candidate)
    # A function the compiler left out (the resolver can never return it)
    # has nothing to check; one that is there must pass the gate.
    present = [name for name in bodies if name in local]
    if not present:
        report.add("FAIL", sym.name, "an ifunc whose results (%s) are none of them in "
                   ".symtab" % ", ".join(bodies))
        return
    for name in present:
        body = local[name]
        verdict = checker.check(body.value, body.size)
        if not verdict.gated:
            report.add("FAIL", sym.name, "an ifunc that may return '%s', which is not gated: %s"
                       % (name, verdict.reason))
            return
    report.add("gated", sym.name, "an ifunc whose every result passes the gate (%s)"
               % ", ".join(present))


def add_arguments(parser):
    parser.add_argument("library", metavar="LIB.so", help="the library to check")
    parser.add_argument("--manifest", metavar="FILE",
                        help="the JSON manifest from initgate rewrite --manifest")


def run(args):
    report = verify_library(args.library, args.manifest)
    print(report.text(), end="")
    return 0 if report.passed else 1
