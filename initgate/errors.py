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
    """A C source could not be rewritten; the message starts with file:line:col."""


class ElfError(InitgateError):
    """An ELF file is not what the command needs; the message names the file."""


class ToolchainError(InitgateError):
    """A compiler or other external tool failed or is missing."""
