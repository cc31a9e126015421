"""Check function bodies with the build's own compiler.

`initgate rewrite` promises that a file that does not compile is reported,
with the compiler's diagnostic, before anything is written.  Gating needs
declarations only, which libclang reads several times faster with function
bodies skipped (passes/analyze.py); what that parse cannot see is an error
inside a body.  Finding those is the compiler's job, and the build's
compiler is the one whose verdict the build will meet: it runs here as
`CC -fsyntax-only -w` on the same file and flags, beside the skipped parse,
and its error lines are reported as it printed them.

On a large file gcc's syntax check costs a half to three quarters of
libclang's full parse (the more the machine is loaded, the less: libclang
is the bigger program), and it runs on a second core while libclang reads
the declarations.
On a small one it costs more: its own start-up and a second reading of the
headers outweigh the bodies libclang would have parsed (measured on zlib's
sources, 0.54 s of CPU against 0.23 s for the full parse; the two break
even near 10,000 lines of bodies).  So by default only a file of LARGE_FILE
bytes or more is checked this way, and a smaller one gets the full parse;
--check-bodies CC asks for the compiler on every file.  A clang checks
bodies at the full parse's price, so for clang, as when no compiler is
found, the rewrite parses the bodies with libclang instead; so does a
compiler that refuses the command line itself (flags written for another
compiler or target), which leaves the verdict to libclang as before.

The compiler sees the build's flags minus whatever would write a file
(outputs, dependency files, dumps) or raise a warning to an error: only
errors stop a rewrite, as with libclang, which parses with -w too.

The compiler is the slower of the two, so the command starts it as soon
as it has read its command line, before it imports libclang.  That is why
this module imports only os: re, shlex, shutil and subprocess would cost
that start 10 to 20 ms, and the whole command about as much.
"""

import atexit
import os

from initgate import logs
from initgate.cc_args import SEPARATE_VALUE
from initgate.interrupts import signal  # without the enum classes: see there
from initgate.errors import SourceError

log = logs.logger("initgate.rewrite")

LIBCLANG = "libclang"        # --check-bodies libclang: the full libclang parse

# The size from which the default hands bodies to the build's compiler: about
# 10,000 lines, where its cost meets the full parse's (the module docstring).
LARGE_FILE = 200 * 1024

# Options that say what the code means, kept for the check; every other
# option (outputs, -M*, warnings, debug info, linker options) is left out.
_KEPT = ("-I", "-D", "-U", "-std=", "-x", "-isystem", "-iquote", "-idirafter", "-include",
         "-imacros", "-isysroot", "-iprefix", "-iwithprefix", "-imultilib", "--sysroot",
         "-nostdinc", "-ansi", "-m", "-O", "-f", "-pthread", "-undef", "-trigraphs", "-B",
         "-specs", "-Wp,", "-Xpreprocessor", "--param", "-pedantic", "--target=", "-target")

# -f options that write files even with -fsyntax-only, or change how
# diagnostics look.
_DROPPED_F = ("-fdump-", "-fsyntax-only", "-fdiagnostics-", "-fmessage-length", "-fcallgraph-info",
              "-fstack-usage", "-fsave-optimization-record", "-fopt-info")

_SEPARATE_KEPT = {"-I", "-D", "-U", "-x", "-include", "-imacros", "-isystem", "-iquote",
                  "-idirafter", "-isysroot", "-iprefix", "-iwithprefix", "-iwithprefixbefore",
                  "-imultilib", "--sysroot", "-B", "-Xpreprocessor", "--param", "-target"}

_ERROR_LINE = r"^(?:[^:\n]+):[0-9]+:(?:[0-9]+:)? (?:fatal )?error: "


def check_flags(flags):
    """The build's flags as the body check passes them, before its own."""
    kept = []
    i = 0
    while i < len(flags):
        flag = flags[i]
        if flag in SEPARATE_VALUE:
            value = flags[i + 1:i + 2]
            if flag in _SEPARATE_KEPT and not _writes(flag, value[0] if value else ""):
                kept += [flag] + value
            i += 2
            continue
        if flag.startswith(_KEPT) and not flag.startswith(_DROPPED_F) \
                and flag != "-pedantic-errors" and not _writes(flag, flag):
            kept.append(flag)
        i += 1
    return kept


def _writes(flag, value):
    # -Wp,-MD,FILE and -Xpreprocessor -MD write a dependency file.
    if flag.startswith("-Wp,"):
        return any(part.startswith("-M") for part in value.split(",")[1:])
    return flag == "-Xpreprocessor" and value.startswith("-M")


# Checks started before the pass was imported (start_early), by what
# start() is asked for: the choice, the unit's compiler, the file and flags.
_early = {}


def start(choice, unit_compiler, path, build_flags):
    """A Check of the bodies of `path` (running from now on), or None when
    libclang's full parse is to check them.  `choice` and `unit_compiler`
    are as compiler_for takes them.  A check start_early began for the same
    request is handed over instead of running the compiler again."""
    early = _early.pop((choice, unit_compiler, path, tuple(build_flags)), None)
    if early is not None:
        return early
    compiler = compiler_for(choice, unit_compiler, path)
    if compiler is None:
        return None
    try:
        check = Check(compiler, path, build_flags)
    except OSError as err:
        log.info("%s cannot run (%s): libclang checks function bodies", compiler[0],
                 err.strerror)
        return None
    # Read once the compiler has started: a pragma is rare, the time is not.
    try:
        pragma = has_visibility_pragma(path)
    except OSError:
        pragma = True           # the parse reports it
    if pragma:
        check.cancel()
        return None
    return check


def has_visibility_pragma(path):
    """Whether the file may hold a `#pragma GCC visibility` (OSError if it
    cannot be read).  One inside a body changes what is exported, and only
    the full parse's walk sees it: such a file is neither checked by a
    compiler nor parsed twice (passes/analyze.py).  A line with "pragma"
    (or "_Pragma"), then "GCC" and "visibility", counts: it errs towards
    yes, and does without re (the module docstring)."""
    with open(path, "rb") as source:
        text = source.read()
    at = text.find(b"ragma")
    while at >= 0:
        end = text.find(b"\n", at)
        line = text[at:end if end >= 0 else len(text)]
        gcc = line.find(b"GCC")
        if gcc >= 0 and line.find(b"visibility", gcc) >= 0:
            return True
        at = text.find(b"ragma", at + 1)
    return False


def start_early(choice, unit_compiler, path, build_flags):
    """Start the check of one unit now, for start() to hand over later.

    The command calls this before it imports libclang and the pass, which
    take most of its start-up: the compiler, usually the slower of the two,
    then runs while they load rather than after.  Whatever ends the process
    first (a usage error, say) also stops a check nobody took.
    """
    key = (choice, unit_compiler, path, tuple(build_flags))
    if key in _early:
        return
    check = start(choice, unit_compiler, path, build_flags)
    if check is not None:
        if not _early:
            atexit.register(cancel_early)
        _early[key] = check


def cancel_early():
    """Stop every early check no unit took (the run failed before it)."""
    while _early:
        _early.popitem()[1].cancel()


def compiler_for(choice, unit_compiler, path):
    """The command that checks the bodies of `path`, or None for libclang's
    full parse.

    `choice` is --check-bodies: a compiler command, "libclang", or None for
    the default: the build's compiler (the unit's from compile_commands.json,
    else $CC, else cc) for a file of LARGE_FILE bytes or more, else libclang.
    """
    if choice == LIBCLANG:
        return None
    if choice:
        words = _split(choice)
    elif not _large(path):
        return None
    elif unit_compiler:
        words = (unit_compiler,)
    else:
        words = _split(os.environ.get("CC") or "cc")
    return _usable(words)


def _split(command):
    # A command without quotes or escapes splits on white space, as the shell
    # would split it; shlex (and the re it imports) only for the others.
    if not any(char in command for char in "\"'\\"):
        return tuple(command.split())
    import shlex

    return tuple(shlex.split(command))


def _large(path):
    try:
        return os.path.getsize(path) >= LARGE_FILE
    except OSError:
        return False            # the parse reports a missing file


_usable_memo = {}


def _usable(words):
    if words not in _usable_memo:
        _usable_memo[words] = _find_usable(words)
    return _usable_memo[words]


def _find_usable(words):
    if not words:
        return None
    found = _which(words[0])
    if not found:
        log.info("%s not found: libclang checks function bodies", words[0])
        return None
    resolved = [os.path.realpath(_which(w) or w) for w in words]
    if any("clang" in os.path.basename(path) for path in resolved):
        log.debug("%s is a clang: libclang checks function bodies itself", " ".join(words))
        return None
    return (found,) + words[1:]


def _which(name):
    """What shutil.which(name) finds: a path with a slash as it is, else the
    first executable file of that name on $PATH (os.defpath if unset)."""
    if os.sep in name:
        return name if _executable(name) else None
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        candidate = os.path.join(folder or os.curdir, name)
        if _executable(candidate):
            return candidate
    return None


def _executable(path):
    return os.access(path, os.X_OK) and not os.path.isdir(path)


class Check:
    """One `CC -fsyntax-only` run over one file, started now, read by result().

    Started with posix_spawn rather than subprocess (see the module
    docstring): the compiler reads nothing and writes only diagnostics,
    which come back through one pipe.  It runs in a process group of its
    own, so that cancel() stops the compiler proper (gcc's cc1) with the
    driver, rather than waiting for it to finish a check nobody needs.
    """

    def __init__(self, compiler, path, flags):
        self.command = list(compiler) + check_flags(flags) + ["-fsyntax-only", "-w",
                                                            "-fpermissive", path]
        self.path = path
        log.debug("body check: %s", " ".join(self.command))
        readable, writable = os.pipe()
        try:
            self.pid = os.posix_spawn(self.command[0], self.command, os.environ, file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                (os.POSIX_SPAWN_DUP2, writable, 2)], setpgroup=0)
        except BaseException:
            os.close(readable)
            raise
        finally:
            os.close(writable)
        self.stderr = readable
        self.returncode = None

    def result(self):
        """True when the compiler accepts the file; False when it refused the
        command line itself (the caller parses bodies with libclang then).
        Errors in the source raise SourceError with the compiler's lines."""
        text = self._wait().decode("utf-8", "replace")
        if self.returncode == 0:
            return True
        errors = [line for line in text.splitlines() if _is_error_line(line)]
        if self.returncode > 0 and errors:
            raise SourceError(errors[0] + "; nothing written for " + self.path,
                              more=errors[1:])
        first = text.strip().splitlines()[:1] or ["exit status %d" % self.returncode]
        log.info("%s could not check %s (%s): libclang checks its function bodies",
                 self.command[0], self.path, first[0])
        return False

    def cancel(self):
        """Stop the check if it still runs (the answer is no longer needed)."""
        if self.returncode is None:
            self._kill()
            self._wait(read=False)

    def _kill(self):
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass                # every process of the group has ended

    def _wait(self, read=True):
        """Everything the compiler wrote to stderr (if `read`), once it has
        ended; its exit status is then in returncode (-N if signal N ended it)."""
        chunks = []
        try:
            while read:
                chunk = os.read(self.stderr, 65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except BaseException:
            # Ctrl-C: the compiler, in a group of its own, did not get it.
            self._kill()
            raise
        finally:
            os.close(self.stderr)
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return b"".join(chunks)


def _is_error_line(line):
    import re

    return re.match(_ERROR_LINE, line) is not None
