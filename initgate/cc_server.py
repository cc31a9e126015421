"""The compile server: `initgate cc` calls from bin/initgate-cc, each run in a
fork of one process that has already started Python and loaded libclang.

Of what a gated compile adds to the compiler's own time, about two thirds
is the interpreter starting and importing the pass (45 to 60 ms a call,
measured in benchmarks/zlib_build.py's build); the parse and the rewrite
are the rest.  The server pays the imports once.  For each call,
initgate/cc_client.c (which bin/initgate-cc runs) connects and sends the
command line, its folder, environment, umask, nice value and every
descriptor it holds; the server forks a worker, which takes all of those
on and runs `initgate cc` exactly as a fresh process would, then reports
the worker's wait status.  A call the server cannot take, the client runs
the old way, so the server only ever makes calls faster.

Lifetime: `initgate cc`, run by bin/initgate-cc (INITGATE_LAUNCHED in its
environment), starts a server in the cache folder after a call that gated
or linked, unless one holds the lock or INITGATE_SERVER=0.  A server stops
taking calls, lets its workers finish and exits when any of these happens:
no call for INITGATE_SERVER_IDLE seconds (default 300); SIGTERM; its socket is
removed or replaced (a cache folder deleted); a module it imported has
changed on disk (a new version installed: its next call is refused and
runs the old way, which starts a fresh server).

What a worker does not take on from its caller, so it differs from a fresh
process: resource limits (ulimit), cgroup and namespaces are the server's,
and a nice value lower than the server's cannot be restored.  The server
runs as the same user only: the socket is mode 0600 and each caller's uid
is checked.
"""

import os
import select
import socket
import struct
import sys

PROTOCOL = "1"                  # initgate/cc_client.c and bin/initgate-cc say the same
SOCKET_NAME = "cc-server-%s.sock" % PROTOCOL
LOCK_NAME = "cc-server-%s.lock" % PROTOCOL
# By machine (`uname -m`): a home folder may be shared by machines of two kinds.
CLIENT_NAME = "cc-client-%s-%s" % (PROTOCOL, os.uname().machine)
MAGIC = b"IGC" + PROTOCOL.encode()
SWITCH_VAR = "INITGATE_SERVER"
IDLE_VAR = "INITGATE_SERVER_IDLE"
CLIENT_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cc_client.c")


# Starting one, from `initgate cc`.

def start_if_wanted(cache_option):
    """After a call bin/initgate-cc made the old way: start a server for the
    next calls in the call's cache folder (--cache-dir, else the default),
    unless one is running there (its lock is held) or it is switched off."""
    import fcntl

    from initgate.cc_cache import cache_dir
    from initgate.errors import InitgateError

    if os.environ.get(SWITCH_VAR) == "0":
        return
    try:
        cache = cache_dir(cache_option)
        fd = os.open(os.path.join(cache, LOCK_NAME), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
                     0o600)
    except (OSError, InitgateError):
        return                  # no cache folder: the call has said so, or will
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return                  # a server is running, or starting
    finally:
        os.close(fd)            # the server takes the lock itself
    import subprocess

    identity = os.path.realpath(sys.argv[0])
    # Its own session, no descriptor of the build's (a pipe to `tee`, make's
    # jobserver): the build must not wait for it.
    # -P: the server's folder (the cache) is not put on sys.path (Python 3.11+).
    isolated = ["-P"] if sys.version_info >= (3, 11) else []
    subprocess.Popen([sys.executable, *isolated, "-m", "initgate.cc_server", cache, identity],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, cwd=cache, close_fds=True,
                     start_new_session=True)


def running_pid(cache):
    """The pid of the server running in the folder `cache`, which its lock file
    names, or None.  (Read, never locked: a lock taken even for a moment could
    make a server that is starting give up.)"""
    try:
        with open(os.path.join(cache, LOCK_NAME), "rb") as f:
            pid = int(f.read())
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            if b"initgate.cc_server" in f.read().split(b"\0"):
                return pid
    except (OSError, ValueError):
        pass
    return None


# The server.

def serve(cache, identity):
    import fcntl
    import signal

    lock = os.open(os.path.join(cache, LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return 0                # another server won the race
    os.ftruncate(lock, 0)
    os.write(lock, b"%d\n" % os.getpid())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    os.chdir(cache)             # and binds a relative name: sun_path holds 107 bytes
    if not _build_client(cache):
        return 0                # no client, no calls: nothing to serve
    _preload()
    watched = _module_files(identity)

    try:
        os.unlink(SOCKET_NAME)  # a dead server's: the lock says none is running
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o077)
    try:
        listener.bind(SOCKET_NAME)
    finally:
        os.umask(old_mask)
    listener.listen(64)
    listener.setblocking(False)
    Server(listener, identity, watched, lock).run(_idle_seconds())
    return 0


def _idle_seconds():
    try:
        return max(0.1, float(os.environ.get(IDLE_VAR, "300")))
    except ValueError:
        return 300.0


def _build_client(cache):
    """The client in the cache, built from this cc_client.c; False if it cannot be."""
    from initgate.cc_cache import compile_helper, digest
    from initgate.fileio import write_atomic

    with open(CLIENT_SOURCE, "rb") as f:
        key = digest(f.read(), os.uname().machine).encode()
    stamp = CLIENT_NAME + ".key"
    try:
        with open(stamp, "rb") as f:
            if f.read() == key and os.access(CLIENT_NAME, os.X_OK):
                return True
    except OSError:
        pass
    if compile_helper(CLIENT_SOURCE, CLIENT_NAME, ["-O2"]) is not None:
        return False
    write_atomic(stamp, key)
    return True


def _preload():
    """Import what a call runs, so that no worker pays for it.

    Nothing here may depend on a caller's environment or folder, and no
    thread may be started: workers are forked from this process.
    """
    from clang import cindex

    from initgate import cc, cc_fast, cli  # noqa: F401
    from initgate.linker import patch, runtime_build  # noqa: F401
    from initgate.passes import rewrite, toolchain
    from initgate.passes.render import gate_header

    cindex.conf.lib             # loads libclang and declares its functions
    toolchain.resource_dir()
    gate_header()
    del rewrite


def _module_files(identity):
    """(path, mtime, size) of every module of initgate, libclang's binding and
    LIEF this process has loaded: a new version of any of them ends it."""
    paths = {identity, CLIENT_SOURCE, os.path.abspath(__file__)}    # this is __main__
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and name.split(".")[0] in ("initgate", "clang", "lief"):
            paths.add(path)
    return [(path, _stat(path, *_CHANGED)) for path in sorted(paths)]


def _stat(path, *fields):
    """Those fields of os.stat(path), or None once it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return tuple(getattr(st, field) for field in fields)


# What tells a new version of a module from the one loaded, and a socket
# from the one bound.
_CHANGED = ("st_mtime_ns", "st_size")
_SAME_FILE = ("st_dev", "st_ino")


class Server:
    def __init__(self, listener, identity, watched, lock):
        self.listener = listener
        self.identity = identity
        self.watched = watched
        self.lock = lock
        self.socket_id = _stat(SOCKET_NAME, *_SAME_FILE)
        self.workers = {}       # pid -> its caller's connection
        self.hung_up = set()    # pids whose caller has gone

    def run(self, idle):
        import signal
        import time

        wake_read, wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
        self.wake = wake_read
        open_for_calls = True
        last_call = time.monotonic()
        while open_for_calls or self.workers:
            poller = select.poll()
            poller.register(wake_read, select.POLLIN)
            if open_for_calls:
                poller.register(self.listener, select.POLLIN)
            for pid, conn in self.workers.items():
                if pid not in self.hung_up:
                    poller.register(conn, select.POLLRDHUP)
            events = poller.poll(1000)
            _drain(wake_read)
            self._reap()
            for fd, mask in events:
                if fd != wake_read and fd != self.listener.fileno():
                    self._caller_gone(fd)
            if open_for_calls and any(fd == self.listener.fileno() for fd, _ in events):
                if self._accept_all():
                    last_call = time.monotonic()
                else:
                    open_for_calls = False
            if open_for_calls and (stop or self._socket_replaced() or (
                    not self.workers and time.monotonic() - last_call > idle)):
                open_for_calls = False
            if not open_for_calls and self.listener.fileno() >= 0:
                self._close_listener()
        return 0

    def _accept_all(self):
        """Take every waiting call; False once this server must stop taking them."""
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return True
            if self._stale():
                conn.close()    # before 'P': the client runs the call the old way
                return False
            conn.setblocking(True)
            try:
                pid = os.fork()
            except OSError:
                conn.close()    # out of processes or memory: the client runs the call
                continue
            if pid == 0:
                self._become_worker(conn)
            self.workers[pid] = conn
            _send(conn, b"P", pid)

    def _stale(self):
        return any(_stat(path, *_CHANGED) != seen for path, seen in self.watched)

    def _socket_replaced(self):
        return _stat(SOCKET_NAME, *_SAME_FILE) != self.socket_id

    def _close_listener(self):
        if not self._socket_replaced():
            try:
                os.unlink(SOCKET_NAME)
            except OSError:
                pass
        self.listener.close()

    def _reap(self):
        while self.workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.workers.pop(pid, None)
            self.hung_up.discard(pid)
            if conn is not None:
                _send(conn, b"S", status)
                conn.close()

    def _caller_gone(self, fd):
        """The caller was killed outright: its worker gets SIGTERM, as make's
        compiler would from make, and stops its compiler."""
        for pid, conn in self.workers.items():
            if conn.fileno() == fd and pid not in self.hung_up:
                self.hung_up.add(pid)
                try:
                    os.kill(pid, 15)
                except ProcessLookupError:
                    pass

    def _become_worker(self, conn):
        import signal

        status = 1
        worker = Worker(conn, self.identity)
        try:
            signal.set_wakeup_fd(-1)
            for number in (signal.SIGCHLD, signal.SIGHUP, signal.SIGTERM):
                signal.signal(number, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for other in self.workers.values():
                other.close()
            self.listener.close()
            os.close(self.wake)
            os.close(self.lock)
            status = worker.run()
        except SystemExit as end:   # argparse's --help, --version and usage errors
            status = end.code if isinstance(end.code, int) else 0 if end.code is None else 1
        except BaseException:   # noqa: B036 -- a worker never returns into the loop
            import traceback

            traceback.print_exc()
        finally:
            # The call is over.  A caller that has its status may be gone
            # already, and the server then stops this worker with SIGTERM:
            # cli.py would make that a traceback on the caller's stderr.
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except (OSError, ValueError):
                status = status or 120
            # The status from here too, in case the server itself is gone by
            # the time this process ends; the client takes the first.
            _send(worker.conn, b"S", (status & 0xFF) << 8)
            os._exit(status)


class Worker:
    """One call, in the forked child: take on the caller's world, then run it."""

    def __init__(self, conn, identity):
        self.conn = conn
        self.identity = identity

    def run(self):
        request = self._receive()
        if request is None:
            _send(self.conn, b"R", 0)
            return 0
        cwd, mask, nice, argv, env = request
        try:
            os.chdir(cwd)
        except OSError:         # gone since: the client's own run says what it says
            _send(self.conn, b"R", 0)
            return 0
        os.umask(mask)
        if nice > os.getpriority(os.PRIO_PROCESS, 0):
            os.setpriority(os.PRIO_PROCESS, 0, nice)
        os.environ.clear()
        os.environ.update(env)
        sys.argv = [self.identity, "cc"] + argv
        for stream in (sys.stdout, sys.stderr):
            if stream is not None and hasattr(stream, "reconfigure"):
                stream.reconfigure(line_buffering=stream.isatty())

        from initgate import cc, cli

        cc.served_by = os.getppid()
        return cli.main(["cc"] + argv)

    def _receive(self):
        """(folder, umask, nice, argv, environment) of the call, its descriptors
        installed; None if this server must not take it."""
        conn = self.conn
        uid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                  12))[1]
        if uid != os.getuid():
            return None
        head, fds = _receive_head(conn)
        if head is None:
            return None
        length, count = struct.unpack_from("<II", head, 4)
        targets = list(struct.unpack_from("<%di" % count, head, 12))
        if len(fds) != count:
            for fd in fds:
                os.close(fd)
            return None
        body = _receive_exactly(conn, length)
        fields = body.split(b"\0")[:-1]
        try:
            identity, mount_ns, pid_ns, cwd, mask, nice, argc = fields[:7]
            mask, nice, argc = int(mask), int(nice), int(argc)
        except ValueError:      # not cc_client.c's request
            identity = None
        if identity is not None and (len(body) != length or len(fields) < 7 + argc):
            identity = None     # cut short: never run a call with half its environment
        if identity is None or (os.fsdecode(identity), mount_ns, pid_ns) != (
                self.identity, _namespace("mnt"), _namespace("pid")):
            for fd in fds:
                os.close(fd)
            return None
        argv = [os.fsdecode(word) for word in fields[7:7 + argc]]
        env = {}
        for entry in fields[7 + argc:]:
            name, _, value = entry.partition(b"=")
            env[os.fsdecode(name)] = os.fsdecode(value)
        self._install(targets, fds)
        return os.fsdecode(cwd), mask, nice, argv, env

    def _install(self, targets, fds):
        """The caller's descriptors at its own numbers; every other low one closed."""
        top = max(targets + [2]) + 1
        # detach: the old socket object must not close a number it no longer owns.
        self.conn = socket.socket(fileno=_move_above(self.conn.detach(), top))
        fds = [_move_above(fd, top) for fd in fds]
        for target, fd in zip(targets, fds):
            os.dup2(fd, target, inheritable=True)
            os.close(fd)
        wanted = set(targets)
        for fd in _open_fds():
            if fd < top and fd not in wanted:
                try:
                    os.close(fd)
                except OSError:     # the listing's own descriptor, closed already
                    pass


def _namespace(kind):
    """As cc_client.c reads it: the caller must share the server's mount and
    pid namespaces (its paths and pids must mean the same here)."""
    try:
        return os.readlink("/proc/self/ns/" + kind).encode()
    except OSError:
        return b""


def _move_above(fd, floor):
    import fcntl

    if fd >= floor:
        return fd
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, floor)
    os.close(fd)
    return moved


def _open_fds():
    return [int(name) for name in os.listdir("/proc/self/fd")]


def _receive_head(conn):
    """The request's fixed part and the descriptors that came with it."""
    fds = []
    data = b""
    message, ancillary, _flags, _addr = conn.recvmsg(
        12, socket.CMSG_SPACE(253 * 4), socket.MSG_CMSG_CLOEXEC)
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(payload) - len(payload) % 4
            fds.extend(struct.unpack("%di" % (usable // 4), payload[:usable]))
    data = message + _receive_exactly(conn, 12 - len(message)) if message else b""
    if len(data) < 12 or data[:4] != MAGIC:
        for fd in fds:
            os.close(fd)
        return None, []
    count = struct.unpack_from("<I", data, 8)[0]
    return data + _receive_exactly(conn, 4 * count), fds


def _receive_exactly(conn, size):
    chunks = []
    while size > 0:
        chunk = conn.recv(min(size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _send(conn, kind, value):
    try:
        conn.sendall(kind + struct.pack("<i", value))
    except OSError:
        pass                    # the caller has gone


def _drain(fd):
    try:
        while os.read(fd, 512):
            pass
    except (BlockingIOError, InterruptedError):
        pass


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], sys.argv[2]))
