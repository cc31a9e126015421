"""The C runtime, end to end: small libraries loaded by a C host.

tests/runtime/held.c and bare.c are one test library in two flavours: with
the C library and the pthreads runtime (`libc`), and with no C library and
the clone0 runtime (`nolibc`).  Both are gated by `initgate rewrite`, as a
user's library would be, and their init is held on a pipe the host writes
to.  tests/runtime/host.c loads them and checks one behaviour per mode,
proving "blocked" from the kernel's view of each thread (asleep in futex),
never by sleeping.  Each test compares the host's lines with what the
runtime promises, for both flavours wherever the behaviour applies to both.
The init thread itself (its attributes, signals, stack, and what happens
when it cannot be started) is tested in test_runtime_thread.py.
"""

import re
import signal

import pytest

from conftest import require_tool, run
from runtime.build import FLAVOURS, build, host, host_run  # noqa: F401 (fixtures)


# The warning the watchdog prints, but for the library, function and limit.
WATCHDOG = ("initgate: {lib}: {function}() has waited {ms}.000 ms for init; "
            "is it called from a constructor, or holding a lock that init needs? "
            "Still waiting")


@pytest.fixture(params=list(FLAVOURS))
def flavour(request):
    return request.param


@pytest.fixture
def gated(build, flavour):
    return build.library(flavour)


@pytest.fixture
def unpatched(build, flavour):
    return build.library(flavour, "_unpatched", patch=False)


def test_many_callers_wait_at_the_gate_until_init_ends(host, gated):
    proc = host_run(host, "gate", gated, 16)
    assert proc.stdout.splitlines() == [
        "after dlopen: running",
        "16 callers asleep at the gate",
        "while held: running",
        "16 callers saw 42",
        "after release: done",
    ]
    assert proc.stderr == ""


def test_unpatched_library_runs_init_on_the_first_call_once(host, unpatched):
    proc = host_run(host, "lazy", unpatched, 8)
    assert proc.stdout.splitlines() == [
        "after dlopen: not started",
        "1 caller runs init, 7 asleep at the gate",
        "while held: running",
        "8 callers saw 42",
        "after release: done",
    ]


def test_constructor_calling_the_api_runs_init_on_the_loading_thread(host, build, flavour):
    lib = build.library(flavour, "_ctor", cflags=["-DHELD_CTOR"])
    proc = host_run(host, "ctor", lib)
    assert proc.stdout.splitlines() == [
        "after dlopen: done",
        "init ran on the loading thread: yes",
    ]


@pytest.mark.parametrize("patch", [True, False], ids=["own-thread", "first-call"])
def test_init_calls_its_own_api_without_waiting(host, build, flavour, patch):
    # On its own thread, or (unpatched) on the first caller's: either way
    # the thread running init must not wait for itself.
    lib = build.library(flavour, "" if patch else "_unpatched", patch=patch)
    proc = host_run(host, "call", lib, "lib_self_call_result", env={"HELD_SELF_CALL": "1"})
    # Init's call got in before init set the value: it did not wait.
    assert proc.stdout.splitlines() == ["lib_self_call_result returned 0", "then: done"]


def test_early_notify_opens_the_gate_while_init_goes_on(host, gated):
    proc = host_run(host, "early", gated, 4)
    assert proc.stdout.splitlines() == [
        "4 callers saw 42",
        "init still running on its thread, gate: done",
    ]


def test_failed_init_names_library_function_and_status_then_aborts(host, gated):
    proc = host_run(host, "call", gated, "lib_value", env={"HELD_STATUS": "3"},
                    check=False)
    assert proc.returncode == -signal.SIGABRT
    assert proc.stdout == ""
    assert proc.stderr == ("initgate: %s: init failed with status 3; "
                           "lib_value() cannot run\n" % gated.name)


def test_failure_handler_is_called_instead(host, build):
    lib = build.library("libc", "_handler", cflags=["-DHELD_HANDLER"],
                        failure_handler="held_failed")
    proc = host_run(host, "call", lib, "lib_value", env={"HELD_STATUS": "5"}, check=False)
    assert (proc.returncode, proc.stderr) == (7, "handler: libheld_handler.so lib_value 5\n")


def test_fork_during_init_waits_for_init(host, build):
    proc = host_run(host, "fork", build.library("libc"))
    assert proc.stdout.splitlines() == [
        "fork is waiting for init",
        "child saw the initialized state: yes",
    ]


def test_init_thread_may_fork_and_its_child_calls_the_api(host, build):
    proc = host_run(host, "call", build.library("libc"), "lib_fork_child_status",
                    env={"HELD_FORK": "1"})
    # The child (a copy of the init thread) got in without waiting: exit 0.
    assert proc.stdout.splitlines() == ["lib_fork_child_status returned 0", "then: done"]


def test_no_libc_fork_during_init_stops_the_child_clearly(host, build):
    proc = host_run(host, "orphan", build.library("nolibc"))
    assert proc.stdout.splitlines() == [
        "child of a fork during init: aborted",
        "parent then saw 42",
    ]
    assert proc.stderr == (
        "initgate: libbare.so: lib_value() cannot run: this process forked while init "
        "was running, and no thread here will finish it\n")


def test_two_gated_libraries_are_independent(host, build, flavour):
    lib_a = build.library(flavour, "_A", cflags=['-DHELD_PREFIX="A_"'])
    lib_b = build.library(flavour, "_B", cflags=['-DHELD_PREFIX="B_"'])
    proc = host_run(host, "two", lib_a, lib_b)
    assert proc.stdout.splitlines() == [
        "both callers asleep",
        "B's caller saw 42",
        "A: running",
        "A's caller saw 42",
    ]


def test_watchdog_warns_once_per_call_however_long_it_waits(host, build, flavour):
    # Init stays held for five more limits after the warnings: a watchdog
    # that warned on every limit would have warned again by then.
    lib = build.library(flavour, "_watchdog", watchdog_ms=100)
    proc = host_run(host, "watchdog", lib, 100, 5, 2)
    assert proc.stdout.splitlines() == [
        "first warning after at least 100 ms: yes",
        "caller then saw 42",
    ]
    assert sorted(proc.stderr.splitlines()) == [
        WATCHDOG.format(lib=lib.name, function=function, ms=100)
        for function in ("lib_self_call_result", "lib_value")]


def test_watchdog_default_is_ten_seconds(host, build):
    # The default build, on a clock that moves only while the runtime
    # waits on it (fake_clock.c): ten seconds pass in microseconds.  One
    # caller, so the clock stops when it warns and the host reads the time
    # of the warning.  The no-libc flavour reads the kernel's clock
    # directly, where no preload reaches; the default is the same option.
    lib = build.library("libc")
    proc = host_run(host, "watchdog", lib, 10000, 0, 1,
                    env={"LD_PRELOAD": str(build.preload("fake_clock"))})
    assert proc.stdout.splitlines() == [
        "first warning after at least 10000 ms: yes",
        "caller then saw 42",
    ]
    assert proc.stderr == WATCHDOG.format(lib=lib.name, function="lib_value", ms=10000) + "\n"


def test_debug_log_reports_start_end_and_waits(host, gated):
    proc = host_run(host, "gate", gated, 3, env={"INITGATE_DEBUG": "1"})
    lib = re.escape(gated.name)
    lines = proc.stderr.splitlines()
    assert len(lines) == 3, proc.stderr
    assert lines[0] == "initgate: %s: init started on its own thread" % gated.name
    assert re.fullmatch(r"initgate: %s: init done in \d+\.\d{3} ms" % lib, lines[1])
    assert re.fullmatch(r"initgate: %s: 3 calls waited at the gate, "
                        r"\d+\.\d{3} ms in total" % lib, lines[2])


def test_debug_log_names_the_first_call_in_lazy_mode(host, unpatched):
    proc = host_run(host, "call", unpatched, "lib_value", env={"INITGATE_DEBUG": "1"})
    assert proc.stderr.splitlines()[0] == (
        "initgate: %s: init started on the first call, in lib_value() "
        "(the library was not patched)" % unpatched.name)


def test_debug_log_reports_a_failed_init_and_its_time(host, gated):
    proc = host_run(host, "call", gated, "lib_value", check=False,
                    env={"HELD_STATUS": "4", "INITGATE_DEBUG": "1"})
    assert proc.returncode == -signal.SIGABRT
    lines = proc.stderr.splitlines()
    assert lines[0] == "initgate: %s: init started on its own thread" % gated.name
    assert re.fullmatch(r"initgate: %s: init failed with status 4 in "
                        r"\d+\.\d{3} ms" % re.escape(gated.name), lines[1])
    assert lines[2] == ("initgate: %s: init failed with status 4; lib_value() cannot run"
                        % gated.name)


def test_init_sees_the_process_arguments(host, gated):
    proc = host_run(host, "args", gated)
    assert proc.stdout.splitlines() == ["argc 3, argv[1] args"]


def test_dlclose_leaves_a_library_with_an_init_thread_loaded(host, build):
    # Unpatched: DF_1_NODELETE is not set, so this is the run-time guard.
    proc = host_run(host, "nodelete", build.library("libc", "_unpatched", patch=False))
    assert proc.stdout.splitlines() == ["still loaded after dlclose: yes"]


@pytest.mark.parametrize("status", [0, 3], ids=["init-succeeds", "init-fails"])
def test_query_api_waits_with_a_timeout_then_reports_the_end(host, gated, status):
    proc = host_run(host, "wait_for", gated, env={"HELD_STATUS": str(status)})
    end = "done" if status == 0 else "failed, status %d" % status
    assert proc.stdout.splitlines() == [
        "after dlopen: running",
        "wait_for(0) while held: running",
        "wait_for(50) while held: running",
        "it returned after at least 50 ms: yes",
        "wait_for(-1) after release: " + end,
        "then: " + end,
    ]


def test_library_exports_nothing_of_initgate(build):
    nm = require_tool("nm", "binutils")
    dynamic = run([nm, "-D", "--defined-only", build.library("libc")]).stdout
    names = [line.split()[-1] for line in dynamic.splitlines() if line.strip()]
    assert sorted(n for n in names if n.startswith("lib_")) == [
        "lib_argc", "lib_argv", "lib_fork_child_status", "lib_init_detached",
        "lib_init_stack", "lib_init_stack_size", "lib_init_tid", "lib_self_call_result",
        "lib_state", "lib_status", "lib_value", "lib_wait_for"]
    assert not [n for n in names if re.search(r"initgate|cgo", n)], names


def test_no_libc_library_exports_nothing_of_initgate_and_needs_nothing(build):
    bare = build.library("nolibc")
    nm = require_tool("nm", "binutils")
    names = run([nm, "-D", "--defined-only", bare]).stdout.split()
    assert not [n for n in names if re.search(r"initgate|cgo", n)], names
    needed = run(["readelf", "-d", bare]).stdout
    assert "NEEDED" not in needed
