"""The loggers modules log through: "initgate" and its children, made lazily.

`logger(name)` stands in for logging.getLogger(name), and the logging module
is imported only once a message could go somewhere.  Importing it costs a
gated compile of `initgate cc` 9 ms (traceback, threading, string and more
come with it), and a quiet run logs nothing below a warning.

Until something has imported logging (initgate/cli.py at -v, a program that
uses initgate as a library, pytest), no handler exists that a debug or info
message could reach, so such a message is dropped without it; the logging
module would drop it too.  A warning or an error always goes through logging:
to the handler the CLI installs just in time (`before_first_message`), or to
logging's last resort when initgate is used as a library.
"""

import sys

_setup = []         # the CLI's, run once, before the first message reaches logging


def before_first_message(setup):
    """Have `setup()` configure logging when it is first needed, not before."""
    _setup[:] = [setup]


def logger(name):
    return Logger(name)


class Logger:
    """The part of logging.Logger that initgate uses, for the logger `name`."""

    __slots__ = ("name", "_real")

    def __init__(self, name):
        self.name = name
        self._real = None

    def _logger(self):
        if self._real is None:
            while _setup:
                _setup.pop()()
            import logging

            self._real = logging.getLogger(self.name)
        return self._real

    def debugging(self):
        """Whether a debug message would be shown: worth working out first."""
        return "logging" in sys.modules and self._logger().isEnabledFor(10)   # DEBUG

    def debug(self, message, *args):
        if "logging" in sys.modules:
            self._logger().debug(message, *args)

    def info(self, message, *args):
        if "logging" in sys.modules:
            self._logger().info(message, *args)

    def warning(self, message, *args):
        self._logger().warning(message, *args)

    def error(self, message, *args):
        self._logger().error(message, *args)
