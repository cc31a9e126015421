"""Compilers and linkers run as children that end when initgate is interrupted.

A compiler is a tree of processes: the driver (gcc, clang), then cc1, as,
collect2 and ld under it.  On Ctrl-C or SIGTERM, stopping the driver alone
is not enough.  The driver deletes its temporary files and dies, while
cc1 runs on: it may recreate a `/tmp/cc*.s` the driver has just deleted,
and it outlives initgate.  So each child runs in a process group of its
own, and is stopped as a group: SIGTERM, on which every program of the
tree removes what it was writing; SIGKILL only if the driver has not
ended after a grace period.

One exception: a child that shares a terminal with initgate (its input,
or an output not captured) stays in initgate's group.  Outside the
terminal's foreground group, its first read would stop it, and so would
its first write under `stty tostop`.  And a Ctrl-C at that terminal
reaches the whole foreground group, the child's tree included.

posix_spawn rather than subprocess: initgate/cc_fast.py runs a compiler
for every call it passes through, and subprocess's imports (threading,
selectors) would cost each call a fifth of its time.
"""

import os

from initgate.interrupts import signal  # without the enum classes: see there

GRACE = 10.0


class Child:
    """One program started now.  The descriptors in `capture` (1, 2) are
    pipes read by run_all, those in `null` are opened on /dev/null, and the
    others are initgate's own; so are the descriptors in `keep`, which the
    program inherits.  Its group is its own if `own_group`, else
    initgate's; by default its own unless it shares a terminal."""

    def __init__(self, argv, capture=(), null=(), keep=(), own_group=None, search=True):
        self.argv = argv
        actions, ours, theirs = [], [], []
        for fd in null:
            flags = os.O_RDONLY if fd == 0 else os.O_WRONLY
            actions.append((os.POSIX_SPAWN_OPEN, fd, os.devnull, flags, 0))
        for fd in capture:
            readable, writable = os.pipe()
            ours.append(readable)
            theirs.append(writable)
            actions.append((os.POSIX_SPAWN_DUP2, writable, fd))
        if own_group is None:
            shared = [fd for fd in (0, 1, 2) if fd not in capture and fd not in null]
            own_group = not any(_is_terminal(fd) for fd in shared)
        self.own_group = own_group
        spawn = os.posix_spawnp if search else os.posix_spawn
        kwargs = {"setpgroup": 0} if self.own_group else {}
        try:
            for fd in keep:
                os.set_inheritable(fd, True)
            self.pid = spawn(argv[0], argv, os.environ, file_actions=actions, **kwargs)
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in theirs:
                os.close(fd)
            for fd in keep:
                os.set_inheritable(fd, False)
        self.pipes = ours
        self.returncode = None

    def wait(self):
        """The exit code (-N if signal N ended it).  Interrupted, the child
        is stopped first."""
        try:
            _pid, status = os.waitpid(self.pid, 0)
        except BaseException:
            self.stop()
            raise
        self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def communicate(self):
        """(exit code, then the bytes of each descriptor in `capture`)."""
        return run_all([self])[0]

    def stop(self, grace=GRACE):
        """End the child and its tree, and reap it, whatever it was doing."""
        if self.returncode is not None:
            return
        target = -self.pid if self.own_group else self.pid
        status = None
        try:
            os.kill(target, signal.SIGTERM)
            status = _status_within(self.pid, grace)
        finally:
            # Also on a second interrupt while waiting.  Never once reaped:
            # the number may already be another process's.
            if status is None:
                try:
                    os.kill(target, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                status = os.waitpid(self.pid, 0)[1]
            self.returncode = os.waitstatus_to_exitcode(status)
            for fd in self.pipes:
                os.close(fd)
            self.pipes = []


def run(argv, search=True):
    """(exit code, stdout, stderr as text) of `argv`, which reads nothing."""
    code, out, err = Child(argv, capture=(1, 2), null=(0,), search=search).communicate()
    return code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


def run_all(children):
    """[(exit code, then the bytes of each captured descriptor)] of `children`,
    running side by side.  Interrupted, every one still running is stopped."""
    import select

    try:
        output = {}
        poller = select.poll()
        for child in children:
            for fd in child.pipes:
                output[fd] = []
                poller.register(fd, select.POLLIN)
        open_pipes = len(output)
        while open_pipes:
            for fd, _event in poller.poll():
                chunk = os.read(fd, 65536)
                if chunk:
                    output[fd].append(chunk)
                else:
                    poller.unregister(fd)
                    open_pipes -= 1
        results = []
        for child in children:
            captured = [b"".join(output[fd]) for fd in child.pipes]
            results.append((child.wait(), *captured))
            for fd in child.pipes:
                os.close(fd)
            child.pipes = []
        return results
    except BaseException:
        for child in children:
            child.stop()
        raise


def _status_within(pid, seconds):
    """The wait status of `pid` if it ends within `seconds`, else None."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return status
        time.sleep(0.005)
    return None


def _is_terminal(fd):
    try:
        return os.isatty(fd)
    except OSError:
        return False
