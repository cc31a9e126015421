"""`initgate cc` command lines read without argparse, and the calls that only
run the compiler.

A build runs the wrapper once per compiler call, and most calls (configure
probes, objects without -fPIC, executables, `--version`) are passed through
untouched.  For those, Python's start-up is most of the cost, and building
the argparse parser and configuring logging would be a third more: so
initgate/cli.py asks `quick` first.  A call that is passed through runs the
compiler here, logging nothing; one that gates or links a library goes to
initgate/cc.py's `run` with the same arguments argparse would have made.

Only the plainest spelling of the wrapper's options is read here: each
option written out in full, as `--opt VALUE` or `--opt=VALUE`, then `--`,
then the compiler command.  Anything else (-v, --help, an abbreviated
option, a value that starts with a dash, no --init) returns None and is left
to argparse, so every message and exit status stays exactly the full path's.
"""

import os

from initgate.cc_args import classify, split_compiler
from initgate.errors import UsageError

# The options of initgate/cc.py's add_arguments: those with a value (the
# repeatable ones listed apart), and flags.
_WITH_VALUE = frozenset(["--init", "--init-source", "--init-cflag", "--ungated", "--exports",
                         "--root", "--manifest", "--cache-dir"])
_REPEATABLE = frozenset(["--init-cflag", "--ungated"])
_FLAGS = frozenset(["--skip-macro-braces", "--gate-non-pic"])


class Arguments:
    """What argparse makes of a plainly spelled `initgate cc` command line."""

    def __init__(self):
        for option in _WITH_VALUE:
            setattr(self, _dest(option), [] if option in _REPEATABLE else None)
        for option in _FLAGS:
            setattr(self, _dest(option), False)
        self.command = []
        self.verbose = self.sub_verbose = 0
        self.launched = None


def _dest(option):
    return option[2:].replace("-", "_")


def parse(argv):
    """Arguments for `initgate cc ARGV`, or None unless it is plainly spelled."""
    args, i = Arguments(), 0
    while i < len(argv) and argv[i] != "--":
        word = argv[i]
        name, equals, value = word.partition("=")
        if name in _WITH_VALUE and equals:
            i += 1
        elif word in _WITH_VALUE and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            name, value = word, argv[i + 1]
            i += 2
        elif word in _FLAGS:
            setattr(args, _dest(word), True)
            i += 1
            continue
        else:
            return None
        if name in _REPEATABLE:
            getattr(args, _dest(name)).append(value)
        else:
            setattr(args, _dest(name), value)
    # argparse drops the `--` that ends the options; initgate/cc.py a second one.
    args.command = argv[i + 1:]
    if i == len(argv) or not args.init or not args.command or args.command == ["--"]:
        return None
    return args


# Set by bin/initgate-cc for a call it hands to `initgate cc`, so that such a
# call starts the compile server (initgate/cc_server.py); never passed on.
LAUNCHED_VAR = "INITGATE_LAUNCHED"


# Set by bin/initgate-cc for the background copy of a build's first call into
# a cache: that process only builds the runtime (initgate/cc.py's run).
EARLY_RUNTIME_VAR = "INITGATE_EARLY_RUNTIME"


def quick(argv):
    """What to run for `initgate cc ARGV`, or None to leave the command line to
    argparse."""
    args = parse(argv)
    if args is None:
        return None
    args.launched = os.environ.pop(LAUNCHED_VAR, None)
    command = pass_through(args)
    if command is not None and EARLY_RUNTIME_VAR not in os.environ:
        return lambda: run_compiler(command)

    def gate():
        from initgate import cc

        return cc.run(args)
    return gate


def pass_through(args):
    """The compiler command to run unchanged, if the call `args` asks for no more
    than that; else None, with the plan kept in `args` for initgate/cc.py."""
    words = args.command[1:] if args.command[:1] == ["--"] else args.command
    args.plan = plan(words, args.gate_non_pic)
    cc_argv, cc_args, _command, job = args.plan
    return cc_argv + cc_args if job == "pass" else None


def plan(words, gate_non_pic):
    """(compiler, its arguments, their Command, the job) for the compiler command
    `words`.  The job is "compile" (C that is gated), "library" (a shared
    library: the runtime goes in, the output is patched), "program" (a program
    of gated objects: the runtime goes in) or "pass" (run as it is)."""
    cc_argv, cc_args = split_compiler(words)
    command = classify(cc_args)
    if links_library(command):
        job = "library"
    elif compiles_pic(command, gate_non_pic):
        job = "compile"
    elif links_gated_program(command):
        job = "program"
    else:
        job = "pass"
    return cc_argv, cc_args, command, job


def links_library(command):
    """The command links a shared library: the runtime goes in, the output is patched."""
    return command.mode == "link" and command.shared and not command.relocatable


# In every object that holds a gate: the reference to the gate's slow path.
GATED_MARK = b"_initgate_wait"


def links_gated_program(command):
    """The command links a program (not a library) from objects or archives that
    hold gates: their references to the runtime need the runtime.

    Only inputs named as files are read; a static library found through -l
    is not (README, "Known limits").  mmap and find rather than parsing ELF:
    the mark is in the string table of any object that passes a gate.
    """
    if command.mode != "link" or command.shared or command.relocatable:
        return False
    for word in command.words:
        if word.endswith((".o", ".a")) and word != command.output and _holds_mark(word):
            return True
    return False


def _holds_mark(path):
    import mmap

    try:
        with open(path, "rb") as f:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
                return data.find(GATED_MARK) >= 0
    except (OSError, ValueError):       # not there (the compiler will say), or empty
        return False


def compiles_pic(command, gate_non_pic):
    """The command compiles C that may end up in a shared library: it is gated."""
    return command.mode in ("compile", "assemble") and bool(
        command.sources or command.stdin_c) and (command.pic or gate_non_pic)


def exit_status(code):
    """A child's exit code as a shell reports it: 128 + N when signal N ended it.

    (os._exit of a negative number would give make 256 - N instead.)
    """
    return 128 - code if code < 0 else code


def run_compiler(argv):
    """The compiler's exit status (exit_status: 128 + N if signal N killed it);
    its output goes straight to the terminal.

    The compiler inherits what a compiler run without the wrapper would: the
    environment, the standard streams, and any descriptor the build tool
    passed down (make's jobserver).  Interrupted, the wrapper stops the
    compiler's whole tree (initgate/children.py) before it ends.
    """
    from initgate.children import Child

    try:
        child = Child(argv)
    except FileNotFoundError:
        raise UsageError("%s: compiler not found" % argv[0]) from None
    except PermissionError:
        raise UsageError("%s: cannot run this compiler (permission denied)" % argv[0]) from None
    return exit_status(child.wait())
