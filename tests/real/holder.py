"""Hold a real library's init until its own test program is seen waiting at the gate.

The init functions of the real-library tests (hold.h) write "PID TID" to a
report pipe and then read one byte from a hold pipe.  InitHolder owns both
pipes: for each report, it watches /proc until a thread of that process
other than the init thread is asleep in the futex system call (the gate's
wait: the program's main is running and has called the library while init
is still running), and only then writes the byte that lets init finish.

A process that never calls the library (a tool that merely links it) is
released after `patience` seconds and counted in `unseen`, so the suite
cannot hang on it; tests assert on `held` and `unseen`.
"""

import os
import threading
import time

# The futex system call, whose number the test needs to recognize the gate.
FUTEX = {"x86_64": 202, "aarch64": 98, "riscv64": 98, "i686": 240, "s390x": 238,
         "ppc64le": 221, "armv7l": 240}


class InitHolder:
    def __init__(self, patience=20.0):
        self.patience = patience
        self.report_r, self.report_w = os.pipe()
        self.hold_r, self.hold_w = os.pipe()
        self.held = []       # (pid, seconds init was held)
        self.unseen = []     # pids released without a waiter seen
        self.futex = FUTEX[os.uname().machine]
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def env(self, base=None):
        env = dict(os.environ if base is None else base)
        env["INITGATE_HOLD_FDS"] = "%d %d" % (self.report_w, self.hold_r)
        return env

    @property
    def pass_fds(self):
        return (self.report_w, self.hold_r)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        # Once the test's own copies are closed, the reader sees end of file
        # as soon as the last process of the suite is gone.
        os.close(self.report_w)
        os.close(self.hold_r)
        self._thread.join(timeout=self.patience + 5)
        os.close(self.report_r)
        os.close(self.hold_w)

    def _serve(self):
        with os.fdopen(os.dup(self.report_r), "r") as reports:
            for line in reports:
                pid, tid = (int(x) for x in line.split())
                started = time.monotonic()
                if self._wait_for_caller(pid, tid):
                    self.held.append((pid, time.monotonic() - started))
                else:
                    self.unseen.append(pid)
                try:
                    os.write(self.hold_w, b"x")
                except BrokenPipeError:
                    return

    def _wait_for_caller(self, pid, init_tid):
        deadline = time.monotonic() + self.patience
        while time.monotonic() < deadline:
            try:
                tasks = [int(t) for t in os.listdir("/proc/%d/task" % pid)]
            except FileNotFoundError:
                return False
            for tid in tasks:
                if tid != init_tid and self._in_futex(pid, tid):
                    return True
            # Watching another process's state has no event to wait on; the
            # poll only decides how soon init is released, never the outcome.
            time.sleep(0.0005)
        return False

    def _in_futex(self, pid, tid):
        try:
            with open("/proc/%d/task/%d/syscall" % (pid, tid)) as f:
                fields = f.read().split()
        except OSError:
            return False
        return bool(fields) and fields[0] == str(self.futex)
