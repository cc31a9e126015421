"""Ctrl-C and SIGTERM: how a command stops, and the few steps it finishes first.

Both signals raise KeyboardInterrupt (initgate/cli.py), which unwinds the
command: outputs are written whole or not at all (initgate/fileio.py) and
the compilers it runs are stopped (initgate/children.py).  Two things
would otherwise go wrong.

Python drops an exception raised where nothing can catch it: in a
__del__, a weakref callback, or a ctypes callback such as those of
libclang's walk.  A signal whose handler runs there would be lost, and
the command would run to its end as if never interrupted.  `install` has
such an interrupt raised again, at the next point that can take it.

A few steps must not stop half way: renaming a command's outputs into
place, walking libclang's tree (whose callbacks would drop the
interrupt), removing a scratch folder.  `held()` keeps a signal that
arrives meanwhile until the step is done.
"""

import sys
from contextlib import contextmanager

# The C module that `signal` wraps: the same functions and numbers, without
# the enum classes `signal` builds when imported, which (with the enum
# module) would cost a compiler call passed through `initgate cc` 4 ms, a
# quarter of its time.
try:
    import _signal as signal
except ImportError:             # an interpreter without it
    import signal

NUMBERS = (signal.SIGINT, signal.SIGTERM)


def install():
    """Make both signals interrupt the command, and none of them be lost."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    dropped_by_python = sys.unraisablehook

    def raise_again(unraisable):
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            import _thread

            # Not from here: the handler would run before this hook returns,
            # and be dropped again.  From a thread, it runs at the main
            # thread's next check; if that too is a place that drops it, this
            # hook runs again.
            _thread.start_new_thread(_interrupt_main_soon, ())
        else:
            dropped_by_python(unraisable)

    sys.unraisablehook = raise_again


def _interrupt_main_soon():
    import _thread
    import time

    time.sleep(0.001)           # fewer tries: the main thread is leaving the hook
    _thread.interrupt_main()


@contextmanager
def held():
    """Run the body to its end; a signal that arrives meanwhile interrupts
    the command once the body is done.

    The handlers are swapped rather than the signals blocked: the kernel
    gives a signal blocked here to another thread (a parse running beside
    this one), and Python then runs the handler here all the same.  Outside
    the main thread, where handlers cannot be set, the body just runs.
    """
    caught = []

    def keep(number, _frame):
        caught.append(number)

    try:
        before = [signal.signal(number, keep) for number in NUMBERS]
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        for number, handler in zip(NUMBERS, before):
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        if caught:
            signal.raise_signal(caught[0])
