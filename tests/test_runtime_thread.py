"""The init thread itself, end to end: what it looks like while init is held,
and what happens when it cannot be started.

The host (tests/runtime/host_thread.c) reads the kernel's view of the init
thread: its name, its signal mask against everything a thread can block
at all, the mapping below its stack; the libc test library (held.c) also
reports its own pthread attributes.  When no thread can be created, the
runtime retries EAGAIN a bounded number of times, then hands init to the
first call: tests/runtime/refuse_threads.c, preloaded, refuses exactly as
many times as a test needs, and a seccomp filter refuses every time.
"""

import re
import resource
import signal

import pytest

from runtime.build import FLAVOURS, RUNTIME_C, build, host, host_run  # noqa: F401 (fixtures)

NO_THREAD = ("initgate: {lib}: cannot start the init thread (Resource temporarily "
             "unavailable); init will run on the first call\n")


def start_tries():
    """How many times the runtime tries to start its thread (internal.h)."""
    with open("%s/internal.h" % RUNTIME_C) as f:
        return int(re.search(r"#define INITGATE_START_TRIES (\d+)", f.read()).group(1))


def other_stack_limit():
    """glibc's default thread stack is RLIMIT_STACK: make it 4 MiB, so a
    runtime that left the size to glibc would not pass for 8 MiB."""
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    soft = 4 << 20 if hard == resource.RLIM_INFINITY else min(4 << 20, hard)
    resource.setrlimit(resource.RLIMIT_STACK, (soft, hard))


def glibc_reserved():
    """glibc keeps the first real-time signals for itself (cancellation and
    setxid), and pthread_sigmask never blocks them: signal 32 up to its
    SIGRTMIN.  A thread that blocked them would hang every setuid() in the process."""
    return list(range(32, signal.SIGRTMIN))


@pytest.mark.parametrize("flavour", list(FLAVOURS))
def test_init_thread_is_named_blocks_every_signal_and_has_a_guard_page(host, build,
                                                                      flavour):
    lib = build.library(flavour)
    unblocked = " ".join(map(str, glibc_reserved())) if flavour == "libc" else "none"
    expected = [
        "init thread name %s-init" % lib.name.split(".")[0],
        "init thread leaves unblocked: " + unblocked,
        "page below the init thread's stack: ---p, faults",
    ]
    if flavour == "libc":
        expected += ["init thread detached: yes", "init thread stack size %d" % (8 << 20)]
    proc = host_run(host, "thread", lib, preexec_fn=other_stack_limit)
    assert proc.stdout.splitlines() == expected
    assert proc.stderr == ""


def test_init_thread_stack_size_is_set_at_build_time(host, build):
    lib = build.library("libc", "_stack", stack_size=3 << 20)
    proc = host_run(host, "thread", lib, preexec_fn=other_stack_limit)
    assert proc.stdout.splitlines()[-1] == "init thread stack size %d" % (3 << 20)


@pytest.mark.parametrize("flavour", list(FLAVOURS))
def test_no_thread_means_init_on_the_first_call(host, build, flavour):
    # A seccomp filter makes clone and clone3 fail with EAGAIN every time
    # (root ignores RLIMIT_NPROC): the runtime retries a bounded number of
    # times, says so once, and the first call runs init.
    lib = build.library(flavour)
    proc = host_run(host, "nothread", lib)
    assert proc.stdout.splitlines() == [
        "after dlopen: not started",
        "first call saw 42",
        "init ran on the caller's thread: yes",
    ]
    assert proc.stderr == NO_THREAD.format(lib=lib.name)


def test_transient_eagain_is_retried_and_init_gets_its_thread(host, build):
    # Refused on every try but the last: a runtime that gave up sooner
    # would run init on the first call, and say so.
    refusals = start_tries() - 1
    proc = host_run(host, "gate", build.library("libc"), 2,
                    env={"LD_PRELOAD": str(build.preload("refuse_threads")),
                         "REFUSE_THREADS": str(refusals)})
    assert proc.stdout.splitlines() == [
        "after dlopen: running",
        "2 callers asleep at the gate",
        "while held: running",
        "2 callers saw 42",
        "after release: done",
        "refused %d thread creations" % refusals,
    ]
    assert proc.stderr == ""


def test_eagain_on_every_try_falls_back_to_the_first_call(host, build):
    # Refused exactly as many times as the runtime tries: one try more
    # would succeed, so this holds the bound as well as the fallback.
    tries = start_tries()
    lib = build.library("libc")
    proc = host_run(host, "first_call", lib,
                    env={"LD_PRELOAD": str(build.preload("refuse_threads")),
                         "REFUSE_THREADS": str(tries)})
    assert proc.stdout.splitlines() == [
        "after dlopen: not started",
        "first call saw 42",
        "init ran on the caller's thread: yes",
        "refused %d thread creations" % tries,
    ]
    assert proc.stderr == NO_THREAD.format(lib=lib.name)
