"""Build the runtime in the background while a build is still compiling.

A build's first link needs the runtime object (initgate/cc_cache.py); with
an empty cache, building it holds that link up by a few hundred
milliseconds.  So the first gated compile that finds no runtime for its
compiler starts building one beside itself, in a process of its own, and
goes on with its compile: by the time the build links, the runtime is
there.  The lock that makes concurrent links wait for one builder is taken
here, before the compile goes on, and handed to that process, so that a
link arriving early waits for it rather than building a second one.

A compile that is interrupted stops the builder it started, which stops
its compilers and removes its scratch folder: nothing the call started
outlives it.  The link then builds the runtime itself.

Only the runtime for the C library is built ahead (a compile cannot tell
which a link will want), with the compile's own compiler and target
options; a link that needs another is built then, as before.  A build that
fails here is left to the link, which builds again and reports the error.
Once per cache and compiler: a marker file says it has been started.

bin/initgate-cc starts it sooner still: the first call of a build into a
cache, one it passes through (configure's `cc -v`, its first probes), also
runs `initgate cc` in the background with cc_fast.EARLY_RUNTIME_VAR set,
which builds the runtime for that call's compiler right there
(build_early).  configure's shared-library probe comes a few calls later,
and its link then finds the runtime built, or nearly.
"""

import fcntl
import os
import sys

from initgate import cc_cache, interrupts, logs

log = logs.logger("initgate.cc")


def _claim(cache, cc_argv):
    """(the runtime's path, its lock held) for `cc_argv` (with its target
    options), or None: started before for this cache, built, or being built."""
    marker = os.path.join(cache, "runtime", "started-%s" % cc_cache.digest(
        *cc_argv, cc_cache.runtime_sources_digest())[:24])
    try:
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except OSError:
        return None             # started before, or no cache to build into

    path, lock = cc_cache.runtime_paths(cache, cc_argv, no_libc=False)
    if os.path.isfile(path):
        return None
    fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)            # a link is building it already
        return None
    return path, fd


def build_early(cache, cc_argv):
    """In the process bin/initgate-cc started in the background: build here.
    Nothing of the build's is kept open (a pipe to `tee` would wait for it)."""
    os.closerange(3, 1 << 16)
    try:
        claimed = _claim(cache, cc_argv)
    except Exception:           # noqa: BLE001  (the gated compile or the link says why)
        return 0
    if claimed:
        _build(*claimed, cc_argv)
    return 0


def start(cache, cc_argv):
    """Start building the runtime for `cc_argv` (with its target options),
    unless that was started before for this cache: the builder (a Child,
    whose stop() ends it), or None."""
    claimed = _claim(cache, cc_argv)
    if claimed is None:
        return None
    path, fd = claimed
    from initgate.children import Child

    try:
        # In initgate's group, as a subprocess would be: a Ctrl-C at the
        # build's terminal reaches it after this compile has returned too.
        builder = Child([sys.executable, "-m", "initgate.cc_prebuild", path, str(fd), "--",
                         *cc_argv], null=(0, 1, 2), keep=(fd,), own_group=False, search=False)
        log.debug("building the runtime for %s in the background", " ".join(cc_argv))
        return builder
    except OSError as err:
        log.debug("cannot build the runtime in the background: %s", err.strerror)
        return None
    finally:
        os.close(fd)            # the child holds the lock now, or nobody does


def _build(path, fd, cc_argv):
    """Build, holding the lock `fd`, then let it go."""
    try:
        if not os.path.isfile(path):
            cc_cache.build_runtime_into(path, cc_argv, no_libc=False)
    except Exception:           # noqa: BLE001  (the link builds again and says why)
        pass
    finally:
        os.close(fd)


def main(argv):
    """In the background process start() made: PATH FD -- CC..., the lock inherited."""
    interrupts.install()
    fd = int(argv[1])
    # Nothing else of the build's is kept open: the compile's other inherited
    # descriptors (make's jobserver, a pipe somebody waits on) end with it.
    os.closerange(3, fd)
    os.closerange(fd + 1, 1 << 16)
    try:
        _build(argv[0], fd, argv[3:])
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
