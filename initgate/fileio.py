"""Atomic output: a file is either its old self or its complete new self.

Every command that writes (rewrite, patch-elf, runtime) goes through here, so
Ctrl-C, SIGTERM or a full disk never leave a half-written file behind and an
input file is never touched until its replacement is complete.

There is no fsync: like compilers and linkers, initgate guards against being
interrupted, not against losing power, and an fsync per output costs a build
of many files dearly.
"""

import os
from contextlib import contextmanager

from initgate.errors import InitgateError


@contextmanager
def atomic_output(path, mode=None):
    """Yield a binary file object; on success it replaces `path` in one rename.

    `mode` defaults to the mode of the file being replaced, if any, so that
    patching a library in place keeps its permissions; its owner and group
    are kept too where this process may set them (as root).  A symbolic link
    is written through, as patchelf and editors do: `libfoo.so -> libfoo.so.1`
    patched in place patches libfoo.so.1 and leaves the link a link.
    """
    path = os.path.realpath(os.fspath(path))
    directory = os.path.dirname(path)
    try:
        old = os.stat(path)
    except OSError:
        old = None              # not there, or not reachable: creating it will say why
    if mode is None:
        mode = old.st_mode & 0o7777 if old else 0o666 & ~_umask()
    # The temporary file's name is chosen before it exists, inside the try:
    # a signal that lands just as the file is created still finds its name.
    tmp = None
    try:
        while tmp is None:
            tmp = os.path.join(directory, ".initgate-" + os.urandom(8).hex())
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            except FileExistsError:
                tmp = None          # someone else's file: try another name
            except OSError as err:
                tmp = None
                raise InitgateError("%s: cannot write here: %s"
                                    % (path, err.strerror)) from None
        with os.fdopen(fd, "wb") as out:
            yield out
        if old and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
            _keep_owner(tmp, old)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise


def write_atomic(path, data, mode=None):
    with atomic_output(path, mode) as out:
        out.write(data)


def _keep_owner(tmp, old):
    """Give `tmp` the replaced file's owner and group, as far as we may."""
    for uid, gid in ((old.st_uid, old.st_gid), (-1, old.st_gid)):
        try:
            os.chown(tmp, uid, gid)
            return
        except PermissionError:
            continue


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
