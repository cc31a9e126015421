"""The `initgate` command: one entry point that maps outcomes to exit codes.

Each subcommand lives in the module that does its work; that module offers
`add_arguments(parser)` and `run(args) -> int`.  Modules only log, under the
logger named "initgate"; this is the one place that configures logging.

Exit codes: 0 success, 1 failure (`initgate: error: ...`), 2 usage mistakes,
130 on Ctrl-C or SIGTERM.  A traceback is shown only with -vv.

Start-up is part of every compiler call a build makes through `initgate cc`,
so argparse and logging are imported only once a call needs them, and a cc
call that merely runs the compiler (initgate/cc_fast.py) needs neither.
For the same reason `program`, the command's own entry, ends such a call
without the interpreter's clean-up.
"""

import os
import sys

from initgate import __version__, interrupts, logs
from initgate.errors import InitgateError, SourceError

# name -> (module, one-line help).  Modules are imported only when their
# subcommand is chosen, so `initgate rewrite` never pays for importing LIEF.
SUBCOMMANDS = {
    "rewrite": ("initgate.passes.rewrite_cli",
                "insert the gate at the top of every exported function"),
    "runtime": ("initgate.linker.runtime_build",
                "compile the bundled runtime into one object for a compiler's target"),
    "patch-elf": ("initgate.linker.patch_cli",
                  "make a linked library start its init thread at load time"),
    "verify": ("initgate.linker.verify",
               "check from the file alone that a library is fully gated"),
    "cc": ("initgate.cc",
           "run a compiler, gating what it compiles and patching what it links"),
}


# Subcommands whose start-up counts read their plainest command lines
# themselves (a build runs cc and patch-elf once per file; rewrite starts a
# compiler beside libclang): quick(WORDS) in the module returns what to run,
# or None to have argparse parse them.  Such a call is quiet, so logging is
# configured only if it logs a warning (initgate/logs.py), which most never do.
QUICK = {
    "cc": "initgate.cc_fast",
    "patch-elf": "initgate.linker.patch_cli",
    "rewrite": "initgate.passes.rewrite_quick",
}


def build_parser(argv):
    import argparse
    import importlib

    parser = argparse.ArgumentParser(
        prog="initgate",
        description="Initialize a C shared library at load time, on its own thread.")
    parser.add_argument("--version", action="version", version="initgate " + __version__)
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="say what was done (-vv: every command and edit, tracebacks)")
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    subs.required = True

    # Only the chosen subcommand's module is imported; the others get a bare
    # parser so that `initgate --help` still lists them.
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = subs.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("-v", "--verbose", action="count", default=0,
                         help=argparse.SUPPRESS, dest="sub_verbose")
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(sub)
            sub.set_defaults(run=module.run)
    return parser


_handler = []          # the one configure_logging installs


def configure_logging(verbosity):
    import logging

    log = logging.getLogger("initgate")
    level = logging.WARNING
    if verbosity == 1:
        level = logging.INFO
    elif verbosity >= 2:
        level = logging.DEBUG
    # One handler, however often this runs (rewrite's -v after its files
    # runs it again), writing to the stderr of now.
    if not _handler:
        _handler.append(logging.StreamHandler(sys.stderr))
        _handler[0].setFormatter(logging.Formatter("initgate: %(message)s"))
        log.addHandler(_handler[0])
    else:
        _handler[0].setStream(sys.stderr)
    log.setLevel(level)
    log.propagate = False
    return log


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] in QUICK:
        # __import__ rather than importlib, whose import costs the call more.
        action = __import__(QUICK[argv[0]], fromlist=["quick"]).quick(argv[1:])
        if action is not None:
            logs.before_first_message(lambda: configure_logging(0))
            interrupts.install()
            return _outcome(action, None, 0)

    parser = build_parser(argv)
    args = parser.parse_args(argv)
    verbosity = args.verbose + getattr(args, "sub_verbose", 0)
    log = None
    if verbosity:
        log = configure_logging(verbosity)
    else:
        # Quiet: logging is imported only if a warning comes (initgate/logs.py).
        logs.before_first_message(lambda: configure_logging(0))

    # SIGTERM takes the same path as Ctrl-C, so atomic writes clean up.
    interrupts.install()
    return _outcome(lambda: args.run(args), log, verbosity)


def _outcome(action, log, verbosity):
    """The exit status of running `action`, with every failure told in one line."""
    try:
        return action() or 0
    except InitgateError as err:
        if verbosity >= 2:
            log.exception("traceback of the error below")
        for line in err.lines() if isinstance(err, SourceError) else [str(err)]:
            if not is_diagnostic(line):
                line = "initgate: error: " + line
            print(line, file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("initgate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as err:
        # Python wraps an interrupt in some places: an import interrupted
        # while it sets up a class raises RuntimeError "Error calling
        # __set_name__", whose cause is the KeyboardInterrupt.
        if not _caused_by_interrupt(err):
            raise
        print("initgate: interrupted", file=sys.stderr)
        return 130


def _caused_by_interrupt(err):
    seen = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, KeyboardInterrupt):
            return True
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return False


def is_diagnostic(line):
    """Whether `line` is already a compiler-style `file:line[:col]: error: ...`.

    Plain string work rather than a regular expression: importing `re` would
    cost every compiler call start-up time for the rare call that fails.
    """
    for severity in (": error: ", ": fatal error: "):
        where = line.split(severity, 1)[0]
        if where != line:
            parts = where.rsplit(":", 2)
            numbers = parts[1:] if len(parts) == 3 and parts[2].isdigit() else parts[-1:]
            return len(parts) > 1 and all(n.isdigit() for n in numbers)
    return False


def program():
    """Run this process's command line and end the process with its status.

    Every subcommand ends with os._exit once the standard streams are
    flushed.  The interpreter's clean-up (freeing every module, a large
    file's syntax tree, then libclang's static destructors) would cost a
    compiler call through `initgate cc` 4 to 12 ms and a rewrite of a large
    file a tenth of its time, and nothing needs it: every file written is
    complete, every child process and thread has been waited for, and the
    one exit handler that may be registered, logging's, flushes streams that
    each message flushes anyway.  The exception is an interrupted run, whose
    `rewrite -j` workers may still be ending: the interpreter's exit waits
    for them.
    """
    argv = sys.argv[1:]
    status = main(argv)
    if status == 130:
        # Under `python -m`, CPython ends with SIGINT, whatever the status,
        # when the last exec() or eval() of a string ended in KeyboardInterrupt,
        # even one handled since: a dataclass or namedtuple being made when
        # the interrupt came.  Evaluating a string that completes clears that.
        exec("None")
        sys.exit(status)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        status = status or 120      # what the interpreter exits with then
    os._exit(status)


if __name__ == "__main__":
    program()
