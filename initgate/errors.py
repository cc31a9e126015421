"""The one exception hierarchy of initgate.

Modules raise these; only initgate.cli turns them into messages and exit codes.
A message is one line that says what is wrong and, where it can, what to do.
"""


class InitgateError(Exception):
    """Something failed: the CLI prints `initgate: error: MESSAGE` and exits 1."""

    exit_code = 1


class UsageError(InitgateError):
    """The command line itself is wrong: exit 2, like argparse."""

    exit_code = 2


class SourceError(InitgateError):
    """A C source could not be rewritten.

    Most messages are diagnostics in the compiler's own form,
    `file:line:col: error: ...`, which the CLI prints as they are, so that
    editors and build logs read them like the compiler's.  `more` holds the
    further diagnostics of the same run, printed after the first.
    """

    def __init__(self, message, more=()):
        super().__init__(message)
        self.more = list(more)

    def lines(self):
        return [str(self)] + self.more


class ElfError(InitgateError):
    """An ELF file is not what the command needs; the message names the file."""


class ToolchainError(InitgateError):
    """A compiler or other external tool failed or is missing."""
