"""The C runtime, end to end: small libraries loaded by a C host.

tests/runtime/held.c is a library whose init the host holds on a pipe (gated
by `initgate rewrite`, as a user's would be);
tests/runtime/host.c loads it and checks one behaviour per mode, proving
"blocked" from the kernel's view of each thread (asleep in futex), never
by sleeping.  Each test compares the host's lines with what the runtime
promises.  Libraries are built with the system compiler, the runtime with
`build_runtime`, and patched with `initgate patch-elf`.
"""

import os
import re
import signal
import subprocess

import pytest

from conftest import require_tool, run, run_initgate
from initgate.linker.runtime_build import build_runtime

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "runtime")
RUNTIME_C = os.path.join(os.path.dirname(HERE), "..", "runtime_c")
TIMEOUT = 60


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    require_tool("cc", "gcc")
    return tmp_path_factory.mktemp("runtime")


@pytest.fixture(scope="module")
def host(work):
    exe = work / "host"
    run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", exe,
         os.path.join(HERE, "host.c"), "-lpthread", "-ldl"])
    return exe


_runtimes = {}


def runtime(work, **options):
    """The runtime object for these build options, built once per module."""
    key = tuple(sorted(options.items()))
    if key not in _runtimes:
        out = work / ("rt-%d.o" % len(_runtimes))
        build_runtime("cc", out, **options)
        _runtimes[key] = out
    return _runtimes[key]


def rewritten(work, name, source, init, flags):
    """`initgate rewrite` of a test library's plain source, with its flags."""
    out = work / (name + "-src")
    run_initgate("rewrite", "--init", init, "-o", out, os.path.join(HERE, source),
                 "--", *flags)
    return out / source


def library(work, name, cflags=(), patch=True, **options):
    obj = work / (name + ".o")
    flags = ["-O2", "-g", "-Wall", "-Wextra", "-Werror", "-fPIC", "-I", RUNTIME_C, *cflags]
    source = rewritten(work, name, "held.c", "held_init", flags)
    run(["cc", *flags, "-c", source, "-o", obj])
    lib = work / (name + ".so")
    run(["cc", "-shared", "-o", lib, obj, runtime(work, **options), "-lpthread", "-ldl"])
    if patch:
        run_initgate("patch-elf", lib)
    return lib


def host_run(host, *args, env=None, check=True):
    full_env = dict(os.environ)
    full_env.pop("INITGATE_DEBUG", None)
    full_env.update(env or {})
    proc = subprocess.run([str(host), *map(str, args)], capture_output=True, text=True,
                          env=full_env, timeout=TIMEOUT)
    if check and proc.returncode != 0:
        raise AssertionError("host %s failed (%d):\n%s%s"
                             % (" ".join(map(str, args)), proc.returncode, proc.stdout,
                                proc.stderr))
    return proc


@pytest.fixture(scope="module")
def patched(work):
    return library(work, "libheld")


@pytest.fixture(scope="module")
def unpatched(work):
    return library(work, "libheld_unpatched", patch=False)


def test_many_callers_wait_at_the_gate_until_init_ends(host, patched):
    proc = host_run(host, "gate", patched, 16)
    assert proc.stdout.splitlines() == [
        "after dlopen: running",
        "16 callers asleep at the gate",
        "while held: running",
        "init thread name libheld-init",
        "init thread blocks the host's signals: yes",
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


def test_constructor_calling_the_api_runs_init_on_the_loading_thread(host, work):
    lib = library(work, "libheld_ctor", cflags=["-DHELD_CTOR"])
    proc = host_run(host, "ctor", lib)
    assert proc.stdout.splitlines() == [
        "after dlopen: done",
        "init ran on the loading thread: yes",
    ]


def test_init_thread_calls_its_own_api_without_waiting(host, patched):
    proc = host_run(host, "call", patched, "lib_self_call_result",
                    env={"HELD_SELF_CALL": "1"})
    # The init thread got in before init set the value: it did not wait.
    assert proc.stdout.splitlines() == ["lib_self_call_result returned 0", "then: done"]


def test_early_notify_opens_the_gate_while_init_goes_on(host, patched):
    proc = host_run(host, "early", patched, 4)
    assert proc.stdout.splitlines() == [
        "4 callers saw 42",
        "init still running on its thread, gate: done",
    ]


def test_failed_init_names_library_function_and_status_then_aborts(host, patched):
    proc = host_run(host, "call", patched, "lib_value", env={"HELD_STATUS": "3"},
                    check=False)
    assert proc.returncode == -signal.SIGABRT
    assert proc.stdout == ""
    assert proc.stderr == ("initgate: libheld.so: init failed with status 3; "
                           "lib_value() cannot run\n")


def test_failure_handler_is_called_instead(host, work):
    lib = library(work, "libheld_handler", cflags=["-DHELD_HANDLER"],
                  failure_handler="held_failed")
    proc = host_run(host, "call", lib, "lib_value", env={"HELD_STATUS": "5"}, check=False)
    assert (proc.returncode, proc.stderr) == (7, "handler: libheld_handler.so lib_value 5\n")


def test_fork_during_init_waits_for_init(host, patched):
    proc = host_run(host, "fork", patched)
    assert proc.stdout.splitlines() == [
        "fork is waiting for init",
        "child saw the initialized state: yes",
    ]


def test_init_thread_may_fork_and_its_child_calls_the_api(host, patched):
    proc = host_run(host, "call", patched, "lib_fork_child_status", env={"HELD_FORK": "1"})
    # The child (a copy of the init thread) got in without waiting: exit 0.
    assert proc.stdout.splitlines() == ["lib_fork_child_status returned 0", "then: done"]


def test_two_gated_libraries_are_independent(host, work):
    lib_a = library(work, "libA", cflags=['-DHELD_PREFIX="A_"'])
    lib_b = library(work, "libB", cflags=['-DHELD_PREFIX="B_"'])
    proc = host_run(host, "two", lib_a, lib_b)
    assert proc.stdout.splitlines() == [
        "both callers asleep",
        "B's caller saw 42",
        "A: running",
        "A's caller saw 42",
    ]


def test_watchdog_warns_once_and_keeps_waiting(host, work):
    lib = library(work, "libheld_watchdog", watchdog_ms=200)
    proc = host_run(host, "watchdog", lib)
    assert proc.stdout.splitlines() == ["warned while held: yes", "caller then saw 42"]
    assert proc.stderr == (
        "initgate: libheld_watchdog.so: lib_value() has waited 200.000 ms for init; "
        "is it called from a constructor, or holding a lock that init needs? "
        "Still waiting\n")


def test_debug_log_reports_start_end_and_waits(host, patched):
    proc = host_run(host, "gate", patched, 3, env={"INITGATE_DEBUG": "1"})
    lines = proc.stderr.splitlines()
    assert len(lines) == 3, proc.stderr
    assert lines[0] == "initgate: libheld.so: init started on its own thread"
    assert re.fullmatch(r"initgate: libheld\.so: init done in \d+\.\d{3} ms", lines[1])
    assert re.fullmatch(r"initgate: libheld\.so: 3 calls waited at the gate, "
                        r"\d+\.\d{3} ms in total", lines[2])


def test_debug_log_names_the_first_call_in_lazy_mode(host, unpatched):
    proc = host_run(host, "call", unpatched, "lib_value", env={"INITGATE_DEBUG": "1"})
    assert proc.stderr.splitlines()[0] == (
        "initgate: libheld_unpatched.so: init started on the first call, in lib_value() "
        "(the library was not patched)")


def test_no_thread_means_init_on_the_first_call(host, patched):
    # A seccomp filter makes clone and clone3 fail with EAGAIN (root ignores
    # RLIMIT_NPROC): the runtime retries a bounded number of times, says so
    # once, and the first call runs init.
    proc = host_run(host, "nothread", patched)
    assert proc.stdout.splitlines() == [
        "after dlopen: not started",
        "first call saw 42",
        "init ran on the caller's thread: yes",
    ]
    assert proc.stderr == ("initgate: libheld.so: cannot start the init thread "
                           "(Resource temporarily unavailable); init will run on the "
                           "first call\n")


def test_init_sees_the_process_arguments(host, patched):
    proc = host_run(host, "args", patched)
    assert proc.stdout.splitlines() == ["argc 3, argv[1] args"]


def test_dlclose_leaves_a_library_with_an_init_thread_loaded(host, unpatched):
    # Unpatched: DF_1_NODELETE is not set, so this is the run-time guard.
    proc = host_run(host, "nodelete", unpatched)
    assert proc.stdout.splitlines() == ["still loaded after dlclose: yes"]


def test_query_api_waits_with_a_timeout_and_never_runs_init(host, patched):
    proc = host_run(host, "wait_for", patched)
    assert proc.stdout.splitlines() == [
        "wait_for(0) while held: 1",
        "wait_for(20) while held: 1",
        "wait_for(-1) after release: 2",
    ]


def test_library_exports_nothing_of_initgate(patched):
    nm = require_tool("nm", "binutils")
    dynamic = run([nm, "-D", "--defined-only", patched]).stdout
    names = [line.split()[-1] for line in dynamic.splitlines() if line.strip()]
    assert sorted(n for n in names if n.startswith("lib_")) == [
        "lib_argc", "lib_argv", "lib_fork_child_status", "lib_init_tid",
        "lib_self_call_result", "lib_state", "lib_value", "lib_wait_for"]
    assert not [n for n in names if re.search(r"initgate|cgo", n)], names


# The no-libc flavour: the same behaviours where they apply.

def bare_library(work, name, patch=True, **options):
    obj = work / (name + ".o")
    flags = ["-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-ffreestanding", "-nostdlib",
             "-fno-stack-protector", "-I", RUNTIME_C]
    source = rewritten(work, name, "bare.c", "bare_init", flags)
    run(["cc", *flags, "-c", source, "-o", obj])
    lib = work / (name + ".so")
    run(["cc", "-shared", "-nostdlib", "-o", lib, obj,
         runtime(work, no_libc=True, **options)])
    if patch:
        run_initgate("patch-elf", lib)
    return lib


@pytest.fixture(scope="module")
def bare(work):
    return bare_library(work, "libbare")


def test_no_libc_library_gates_callers_of_a_glibc_host(host, bare):
    proc = host_run(host, "gate", bare, 8)
    assert proc.stdout.splitlines() == [
        "after dlopen: running",
        "8 callers asleep at the gate",
        "while held: running",
        "init thread name libbare-init",
        "init thread blocks the host's signals: yes",
        "8 callers saw 42",
        "after release: done",
    ]
    assert proc.stderr == ""


def test_no_libc_library_unpatched_runs_init_on_the_first_call(host, work):
    lib = bare_library(work, "libbare_unpatched", patch=False)
    proc = host_run(host, "lazy", lib, 4)
    assert proc.stdout.splitlines()[1] == "1 caller runs init, 3 asleep at the gate"
    assert proc.stdout.splitlines()[3] == "4 callers saw 42"


def test_no_libc_failure_and_debug_log(host, bare):
    proc = host_run(host, "call", bare, "lib_value", check=False,
                    env={"HELD_STATUS": "4", "INITGATE_DEBUG": "1"})
    assert proc.returncode == -signal.SIGABRT
    lines = proc.stderr.splitlines()
    assert lines[0] == "initgate: libbare.so: init started on its own thread"
    assert re.fullmatch(r"initgate: libbare\.so: init failed with status 4 in "
                        r"\d+\.\d{3} ms", lines[1])
    assert lines[2] == "initgate: libbare.so: init failed with status 4; lib_value() cannot run"


def test_no_libc_no_thread_means_init_on_the_first_call(host, bare):
    proc = host_run(host, "nothread", bare)
    assert proc.stdout.splitlines() == [
        "after dlopen: not started",
        "first call saw 42",
        "init ran on the caller's thread: yes",
    ]


def test_no_libc_watchdog(host, work):
    lib = bare_library(work, "libbare_watchdog", watchdog_ms=100)
    proc = host_run(host, "watchdog", lib)
    assert proc.stdout.splitlines() == ["warned while held: yes", "caller then saw 42"]


def test_no_libc_fork_during_init_stops_the_child_clearly(host, bare):
    proc = host_run(host, "orphan", bare)
    assert proc.stdout.splitlines() == [
        "child of a fork during init: aborted",
        "parent then saw 42",
    ]
    assert proc.stderr == (
        "initgate: libbare.so: lib_value() cannot run: this process forked while init "
        "was running, and no thread here will finish it\n")


def test_no_libc_library_exports_nothing_of_initgate(bare):
    nm = require_tool("nm", "binutils")
    names = run([nm, "-D", "--defined-only", bare]).stdout.split()
    assert not [n for n in names if re.search(r"initgate|cgo", n)], names
    needed = run(["readelf", "-d", bare]).stdout
    assert "NEEDED" not in needed
