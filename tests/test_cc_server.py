"""The compile server (initgate/cc_server.py) and its client (cc_client.c),
as bin/initgate-cc uses them.

Each test runs the installed initgate-cc with a cache folder of its own.
The first call that gates starts the server; the tests wait for its socket
to appear rather than for a time.  A stand-in compiler, `probe-cc`, writes
down who ran it: when the server ran the call, the compiler's parent is a
worker forked by the server, so its grandparent is the server itself.
Calls are held inside the stand-in on a named pipe the test controls; the
stand-in leaves other compiles, the runtime's, alone.
"""

import os
import signal
import subprocess
import sys

import pytest

from conftest import alive, installed_launcher, require_tool, wait_for
from initgate import cc_fast, cc_server

PROBE = r"""#!/bin/sh
# The runtime's build (the first gated compile starts it beside itself)
# goes straight to gcc: its first step asks for the predefined macros (-dM),
# its compiles name the runtime's folder, its last step is -nostdlib.
case "$*" in
*-dM*|*runtime_c*|*-nostdlib*|--version|-dumpmachine) exec gcc "$@" ;;
esac
{
	echo "parent=$PPID"
	echo "grandparent=$(awk '/^PPid/ {print $2}' /proc/$PPID/status)"
	echo "cwd=$(pwd)"
	echo "umask=$(umask)"
	echo "foo=${PROBE_FOO-}"
} > "$PROBE_OUT"
if [ -n "${PROBE_FD-}" ]; then
	echo "written through $PROBE_FD" > /proc/self/fd/"$PROBE_FD"
fi
if [ -n "${PROBE_HOLD-}" ]; then
	echo $$ > "$PROBE_HOLD.tmp" && mv "$PROBE_HOLD.tmp" "$PROBE_HOLD.pid"
	read line < "$PROBE_HOLD"
fi
[ -z "${PROBE_EXIT-}" ] || exit "$PROBE_EXIT"
exec gcc "$@"
"""

SOURCE = "int lib_answer(void) { return 42; }\n"


class Build:
    """A folder with a cache, probe-cc, lib.c, and the environment to build in."""

    def __init__(self, folder, cache=None):
        require_tool("gcc", "gcc")
        self.folder = folder
        self.cache = cache or folder / "cache"
        self.probe = folder / "probe-cc"
        self.probe.write_text(PROBE)
        self.probe.chmod(0o755)
        self.out = folder / "probe.out"
        (folder / "lib.c").write_text(SOURCE)
        self.env = dict(os.environ, INITGATE_CACHE_DIR=str(self.cache),
                        INITGATE_SERVER_IDLE="300", PROBE_OUT=str(self.out))
        self.env.pop("INITGATE_SERVER", None)

    def argv(self, *words, compiler=None):
        return [installed_launcher(), "--init", "lib_init", "--",
                str(compiler or self.probe), *words]

    def run(self, *words, env=None, **kwargs):
        kwargs.setdefault("cwd", self.folder)
        return subprocess.run(self.argv(*words), env=dict(self.env, **(env or {})),
                              capture_output=True, text=True, timeout=120, **kwargs)

    def compile(self, name="lib.o", **kwargs):
        proc = self.run("-fPIC", "-c", "lib.c", "-o", name, **kwargs)
        assert proc.returncode == 0, proc.stderr
        return (self.folder / name).read_bytes()

    @property
    def socket(self):
        return self.cache / cc_server.SOCKET_NAME

    def server_pid(self):
        try:
            return int((self.cache / cc_server.LOCK_NAME).read_text())
        except (OSError, ValueError):
            return None

    def start_server(self):
        """The first call runs the old way and starts the server: its pid."""
        self.compile("first.o")
        wait_for(self.socket.exists, "the server's socket")
        pid = self.server_pid()
        assert pid and alive(pid)
        return pid

    def probed(self):
        return dict(line.split("=", 1) for line in self.out.read_text().splitlines())

    def served(self, server):
        return int(self.probed()["grandparent"]) == server

    def stop(self):
        pid = self.server_pid()
        if pid and alive(pid):
            os.kill(pid, signal.SIGTERM)
            wait_for(lambda: not alive(pid), "the server to stop")


@pytest.fixture
def build(tmp_path):
    build = Build(tmp_path)
    yield build
    build.stop()


def test_running_pid_names_the_server_while_it_runs(build):
    assert cc_server.running_pid(build.cache) is None
    server = build.start_server()
    assert cc_server.running_pid(build.cache) == server
    build.stop()
    assert cc_server.running_pid(build.cache) is None


def test_a_gated_compile_is_served_and_builds_the_same_object(build):
    server = build.start_server()
    served = build.compile("served.o")
    assert build.served(server)
    assert served == (build.folder / "first.o").read_bytes()
    assert cc_fast.GATED_MARK in served

    direct = subprocess.run([sys.executable, "-m", "initgate", "cc", "--init", "lib_init",
                             "--", str(build.probe), "-fPIC", "-c", "lib.c", "-o", "direct.o"],
                            cwd=build.folder, env=build.env, capture_output=True, text=True)
    assert direct.returncode == 0, direct.stderr
    assert not build.served(server)
    assert (build.folder / "direct.o").read_bytes() == served


def test_the_callers_folder_environment_umask_and_descriptors_reach_the_compiler(build):
    server = build.start_server()
    sub = build.folder / "sub"
    sub.mkdir()
    (sub / "lib.c").write_text(SOURCE)
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.run(
            ["sh", "-c", 'umask 027; exec "$@"', "sh",
             *build.argv("-fPIC", "-c", "lib.c", "-o", "lib.o")],
            cwd=sub, env=dict(build.env, PROBE_FOO="bar", PROBE_FD=str(write_end)),
            pass_fds=[write_end], capture_output=True, text=True, timeout=120)
        os.close(write_end)
        through_fd = os.read(read_end, 100)
    finally:
        os.close(read_end)
    assert proc.returncode == 0, proc.stderr
    probed = build.probed()
    assert build.served(server)
    assert (probed["cwd"], probed["umask"], probed["foo"]) == (str(sub), "0027", "bar")
    assert through_fd == b"written through %d\n" % write_end
    assert (sub / "lib.o").exists()


def test_exit_status_and_messages_are_the_compilers(build):
    server = build.start_server()
    status = build.run("-fPIC", "-c", "lib.c", env={"PROBE_EXIT": "3"})
    assert build.served(server)
    assert status.returncode == 3

    (build.folder / "bad.c").write_text("int lib_bad(void) { return missing; }\n")
    served = build.run("-fPIC", "-c", "bad.c", "-o", "bad.o")
    assert build.served(server)
    direct = build.run("-fPIC", "-c", "bad.c", "-o", "bad.o", env={"INITGATE_SERVER": "0"})
    assert not build.served(server)
    assert served.returncode == direct.returncode == 1
    assert served.stderr == direct.stderr
    assert "missing" in served.stderr


def test_standard_input_reaches_the_compiler(build):
    server = build.start_server()
    proc = build.run("-fPIC", "-x", "c", "-c", "-", "-o", "stdin.o", input=SOURCE)
    assert build.served(server)
    assert proc.returncode == 0, proc.stderr
    assert "standard input" in proc.stderr
    assert b"lib_answer" in (build.folder / "stdin.o").read_bytes()


def held_call(build, hold):
    """A served call held inside probe-cc on the named pipe `hold`: (Popen, pid of probe-cc)."""
    os.mkfifo(hold)
    proc = subprocess.Popen(build.argv("-fPIC", "-c", "lib.c", "-o", "held.o"),
                            cwd=build.folder, env=dict(build.env, PROBE_HOLD=str(hold)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    pid_file = hold.with_name(hold.name + ".pid")
    wait_for(pid_file.exists, "the held call to reach the compiler")
    return proc, int(pid_file.read_text())


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_caller_stops_the_compile(build, signal_number):
    server = build.start_server()
    proc, compiler = held_call(build, build.folder / "hold")
    assert build.served(server)
    proc.send_signal(signal_number)
    _, stderr = proc.communicate(timeout=60)
    # As `initgate cc` without the server: the compiler is stopped, then 130.
    assert proc.returncode == 130, stderr
    assert "initgate: interrupted" in stderr
    wait_for(lambda: not alive(compiler), "the compiler to stop")
    assert alive(server)


def test_a_caller_killed_outright_still_stops_its_compile(build):
    server = build.start_server()
    proc, compiler = held_call(build, build.folder / "hold")
    proc.kill()
    proc.communicate(timeout=60)
    wait_for(lambda: not alive(compiler), "the server to stop the orphaned compile")
    assert alive(server)


def test_many_calls_at_once_each_get_their_own_result(build):
    server = build.start_server()
    calls = []
    for i in range(12):
        (build.folder / ("f%d.c" % i)).write_text("int f%d(void) { return %d; }\n" % (i, i))
        out = build.folder / ("probe%d.out" % i)
        words = ["-fPIC", "-c", "f%d.c" % i, "-o", "f%d.o" % i]
        if i % 3 == 2:
            words[2:3] = ["-DBROKEN=", "-include", "missing-%d.h" % i, "f%d.c" % i]
        calls.append((i, out, subprocess.Popen(
            build.argv(*words), cwd=build.folder, env=dict(build.env, PROBE_OUT=str(out)),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    for i, out, proc in calls:
        _, stderr = proc.communicate(timeout=120)
        if i % 3 == 2:
            assert proc.returncode == 1 and "missing-%d.h" % i in stderr
            continue
        assert proc.returncode == 0, stderr
        build.out = out
        assert build.served(server)
        assert b"f%d" % i in (build.folder / ("f%d.o" % i)).read_bytes()


def test_a_call_outlives_a_killed_server(build):
    server = build.start_server()
    hold = build.folder / "hold"
    proc, _compiler = held_call(build, hold)
    os.kill(server, signal.SIGKILL)
    wait_for(lambda: not alive(server), "the server to die")
    with open(hold, "w") as f:
        f.write("go\n")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert cc_fast.GATED_MARK in (build.folder / "held.o").read_bytes()


def test_verbose_says_the_server_ran_the_call(build):
    server = build.start_server()
    proc = subprocess.run([installed_launcher(), "-v", "--init", "lib_init", "--",
                           str(build.probe), "-fPIC", "-c", "lib.c", "-o", "v.o"],
                          cwd=build.folder, env=build.env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "run by the compile server, pid %d" % server in proc.stderr
    assert "lib.c:1: gated lib_answer" in proc.stderr


def test_calls_run_side_by_side(build):
    server = build.start_server()
    hold = build.folder / "hold"
    proc, compiler = held_call(build, hold)
    other = build.compile("other.o")           # while the first is held
    assert build.served(server)
    with open(hold, "w") as f:
        f.write("go\n")
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert (build.folder / "held.o").read_bytes() == other


def test_a_changed_module_retires_the_server(build):
    server = build.start_server()
    watched = cc_server.__file__
    before = os.stat(watched)
    try:
        os.utime(watched, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
        build.compile("after.o")
        assert not build.served(server)     # run the old way, not by old code
        wait_for(lambda: not alive(server), "the old server to exit")
        build.compile("restart.o")          # starts a fresh server, if the last did not
        wait_for(lambda: build.server_pid() != server and build.socket.exists(),
                 "a fresh server")
    finally:
        os.utime(watched, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_different_initgate_is_run_itself(build):
    build.start_server()
    other = build.folder / "other-initgate"
    other.write_text("#!/bin/sh\necho \"other initgate: $* ${INITGATE_LAUNCHED-}\"\n")
    other.chmod(0o755)
    client = build.cache / cc_server.CLIENT_NAME
    proc = subprocess.run([str(client), str(build.cache), str(other), "--init", "x", "--",
                           "gcc", "-fPIC", "-c", "lib.c"], cwd=build.folder, env=build.env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "other initgate: cc --init x -- gcc -fPIC -c lib.c 1\n"


def test_no_server_without_one(build):
    build.compile("off.o", env={"INITGATE_SERVER": "0"})
    build.compile("off2.o", env={"INITGATE_SERVER": "0"})
    assert not build.socket.exists()
    assert build.server_pid() is None


def test_a_server_is_not_started_for_calls_that_are_passed_through(build):
    # The first by initgate-cc itself, the second by `initgate cc` (-fPIC
    # makes initgate-cc hand it over; -E makes initgate cc pass it through).
    for words in (["-c", "lib.c", "-o", "plain.o"], ["-fPIC", "-E", "lib.c", "-o", "lib.i"]):
        proc = build.run(*words)
        assert proc.returncode == 0, proc.stderr
    # One process between this test and the compiler: `initgate cc`, no server.
    assert build.probed()["grandparent"] == str(os.getpid())
    assert not (build.cache / cc_server.LOCK_NAME).exists()


def test_the_server_exits_when_its_socket_goes(build):
    server = build.start_server()
    build.socket.unlink()
    wait_for(lambda: not alive(server), "the server to exit")
    build.compile("again.o")                # the old way, and a new server
    wait_for(build.socket.exists, "a new server's socket")
    assert build.server_pid() != server


def test_the_server_exits_when_idle(build):
    build.env["INITGATE_SERVER_IDLE"] = "2"  # long enough to see it start
    server = build.start_server()
    wait_for(lambda: not alive(server), "the idle server to exit")
    assert not build.socket.exists()


def test_a_cache_path_longer_than_a_socket_address(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    build = Build(tmp_path, cache=deep / "cache")
    try:
        assert len(str(build.socket)) > 108
        server = build.start_server()
        build.compile("deep.o")
        assert build.served(server)
    finally:
        build.stop()


@pytest.mark.parametrize("where", ["XDG_CACHE_HOME", "HOME"])
def test_the_server_lives_in_the_default_cache_folder(tmp_path, where):
    base = tmp_path / "base"
    cache = base / "initgate" if where == "XDG_CACHE_HOME" else base / ".cache" / "initgate"
    build = Build(tmp_path, cache=cache)
    del build.env["INITGATE_CACHE_DIR"]
    build.env.pop("XDG_CACHE_HOME", None)
    build.env[where] = str(base)
    try:
        server = build.start_server()
        build.compile("default.o")
        assert build.served(server)
    finally:
        build.stop()


def test_the_cache_dir_option_is_where_the_server_lives(build):
    cache = build.folder / "own-cache"
    argv = ["--init", "lib_init", "--cache-dir", str(cache), "--", str(build.probe),
            "-fPIC", "-c", "lib.c", "-o", "own.o"]
    for _ in range(2):
        subprocess.run([installed_launcher(), *argv], cwd=build.folder, env=build.env,
                       check=True, timeout=120)
        wait_for((cache / cc_server.SOCKET_NAME).exists, "the server's socket")
    server = int((cache / cc_server.LOCK_NAME).read_text())
    try:
        assert build.served(server)
        assert not build.socket.exists()
    finally:
        os.kill(server, signal.SIGTERM)
        wait_for(lambda: not alive(server), "the server to stop")


def raw_call(build, fields, magic=cc_server.MAGIC):
    """A request as cc_client.c sends it, without descriptors: the answers."""
    import socket
    import struct

    body = b"".join(f + b"\0" for f in fields)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(str(build.socket))
    conn.sendall(magic + struct.pack("<II", len(body), 0) + body)
    answers = b""
    reset = []
    while True:
        try:
            chunk = conn.recv(100)
        except ConnectionResetError:    # refused with some of the request unread
            reset = [b"reset"]
            break
        if not chunk:
            break
        answers += chunk
    conn.close()
    return [answers[i:i + 1] for i in range(0, len(answers), 5)] + reset


def own(kind):
    return os.readlink("/proc/self/ns/" + kind).encode()


def test_calls_from_elsewhere_are_refused(build):
    build.start_server()
    identity = os.path.realpath(installed_launcher().replace("initgate-cc", "initgate"))
    call = [identity.encode(), own("mnt"), own("pid"), str(build.folder).encode(), b"18",
            b"0", b"1", b"--version"]
    assert set(raw_call(build, call)) == {b"P", b"S"}     # the right caller is served
    other_mount = call[:1] + [b"mnt:[1]"] + call[2:]
    other_pids = call[:2] + [b"pid:[1]"] + call[3:]
    other_initgate = [b"/elsewhere/initgate"] + call[1:]
    not_a_number = call[:5] + [b"x"] + call[6:]
    too_few = call[:6] + [b"3"] + call[7:]
    for refused in (other_mount, other_pids, other_initgate, not_a_number, too_few):
        assert set(raw_call(build, refused)) == {b"P", b"R", b"S"}
    not_ours = raw_call(build, call, magic=b"XXXX")
    assert b"R" in not_ours or b"reset" in not_ours


def test_the_server_under_load_with_callers_killed(tmp_path_factory):
    """The reliability suite's server section (tests/reliability/server.py), quick size."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
    import fixtures
    import server
    import suite

    outcome = server.run(fixtures.gcc_builder(tmp_path_factory), suite.QUICK["server_calls"],
                         seed=1)
    print(outcome.tried)
    assert outcome.held, outcome.explain()
