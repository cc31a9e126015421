"""Atomic output: a file is either its old self or its complete new self.

Every command that writes (rewrite, patch-elf, runtime) goes through here, so
Ctrl-C, SIGTERM or a full disk never leave a half-written file behind and an
input file is never touched until its replacement is complete.  A command
that writes several files (rewrite) writes them all or none: write_all
makes every new file complete before it renames the first into place.

There is no fsync: like compilers and linkers, initgate guards against being
interrupted, not against losing power, and an fsync per output costs a build
of many files dearly.
"""

import os
from contextlib import contextmanager

from initgate import interrupts
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
    staged = Staged(path, mode)
    try:
        yield staged.file
        staged.ready()
        staged.commit()
    except BaseException:
        staged.discard()
        raise


def write_atomic(path, data, mode=None):
    with atomic_output(path, mode) as out:
        out.write(data)


def write_all(files, folders=()):
    """Write every (path, data) of `files`, or none of them.

    The missing `folders` are made first, then each new file is written in
    full beside the one it replaces; only once all of them are ready are
    they renamed into place, in the order given, with SIGINT and SIGTERM
    held back for those few renames.  A failure before that leaves every
    file as it was and removes the folders made.
    """
    staged, made = [], []
    try:
        for folder in folders:
            made += _make_folders(folder)
        for path, data in files:
            staged.append(Staged(path))
            try:
                staged[-1].file.write(data)
                staged[-1].ready()
            except OSError as err:
                raise InitgateError("%s: cannot write: %s" % (path, err.strerror)) from None
        with interrupts.held():
            for one in staged:
                one.commit()
    except BaseException:
        for one in staged:
            one.discard()
        for folder in reversed(made):
            try:
                os.rmdir(folder)
            except OSError:
                pass            # it holds what was written before the failure
        raise


class Staged:
    """A file's new contents, written beside it under a temporary name."""

    def __init__(self, path, mode=None):
        self.shown = os.fspath(path)
        self.path = os.path.realpath(self.shown)
        if os.path.isdir(self.path):
            raise InitgateError("%s: a folder, not a file: name a file to write"
                                % self.shown)
        try:
            self.old = os.stat(self.path)
        except OSError:
            self.old = None         # not there, or not reachable: creating it will say why
        self.mode = mode
        if mode is None:
            self.mode = self.old.st_mode & 0o7777 if self.old else 0o666 & ~_umask()
        self.tmp = self.file = None
        try:
            self.file = os.fdopen(self._create(), "wb")
        except BaseException:
            self.discard()
            raise

    def _create(self):
        # The temporary file's name is chosen before it exists: a signal that
        # lands just as the file is created still finds its name to remove.
        directory = os.path.dirname(self.path)
        while True:
            self.tmp = os.path.join(directory, ".initgate-" + os.urandom(8).hex())
            try:
                return os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                               0o600)
            except FileExistsError:
                continue            # someone else's file: try another name
            except OSError as err:
                self.tmp = None
                raise InitgateError("%s: cannot write here: %s"
                                    % (self.shown, err.strerror)) from None

    def ready(self):
        """Close the new file and give it the mode (and owner) it will have."""
        self.file.close()
        old = self.old
        if old and (old.st_uid, old.st_gid) != (os.getuid(), os.getgid()):
            _keep_owner(self.tmp, old)
        os.chmod(self.tmp, self.mode)

    def commit(self):
        try:
            os.replace(self.tmp, self.path)
        except OSError as err:
            raise InitgateError("%s: cannot replace: %s" % (self.shown, err.strerror)) from None
        self.tmp = None

    def discard(self):
        if self.file is not None:
            try:
                self.file.close()
            except OSError:
                pass
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except FileNotFoundError:
                pass
            self.tmp = None


def _make_folders(folder):
    """Make `folder` and its missing parents; return those made, outermost first."""
    missing, asked = [], folder
    while folder and not os.path.isdir(folder):
        if os.path.lexists(folder):
            raise InitgateError("%s: cannot make the folder: %s is not a folder: name a "
                                "folder that can be made there" % (asked, folder))
        missing.append(folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    made = []
    try:
        for one in reversed(missing):
            os.mkdir(one)
            made.append(one)
    except OSError as err:
        for one in reversed(made):
            os.rmdir(one)
        raise InitgateError("%s: cannot make the folder: %s: name a folder that can "
                            "be made there" % (asked, err.strerror)) from None
    return made


@contextmanager
def scratch_folder(prefix):
    """A new private folder under $TMPDIR, removed with all it holds once the
    body ends, however it ends.  Neither its making nor its removal is cut
    short by an interrupt, which would leave it behind."""
    import shutil
    import tempfile

    path = None
    try:
        with interrupts.held():
            path = tempfile.mkdtemp(prefix=prefix)
        yield path
    finally:
        if path is not None:
            with interrupts.held():
                shutil.rmtree(path, ignore_errors=True)


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
