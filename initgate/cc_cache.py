"""The folder where `initgate cc` keeps rewritten sources and built runtimes.

Where: --cache-dir, else $INITGATE_CACHE_DIR, else $XDG_CACHE_HOME/initgate,
else ~/.cache/initgate.  Never beside the user's files.

What, and why it is safe with `make -j`:
- src/KEY/NAME.c: a rewritten source.  KEY hashes the original's absolute
  folder and the rewritten bytes, so the same input always lands on the same
  path with the same bytes (ccache sees an unchanged command line and file),
  and the folder holds nothing but that one file (quoted includes cannot
  find a stranger there).  Writers race only to write identical bytes, and
  each write is one atomic rename.
- runtime/KEY.o: the runtime for one compiler identity (its command, its
  --version and -dumpmachine answers, the target options of the link, the
  runtime's own sources).  A lock file makes concurrent links wait for the
  first builder instead of all building it.  The first gated compile starts
  that builder ahead of the link, and leaves runtime/started-KEY to say so
  (initgate/cc_prebuild.py).
- obj/NAME.PID.o: an --init-source compiled for one link, removed after it.
- manifest/KEY.json: what the rewrite gated in the object whose bytes hash
  to KEY, for the manifest the link writes.
"""

import fcntl
import functools
import os

try:
    # hashlib's own import loads OpenSSL first, 4 ms of every gated compile;
    # the built-in BLAKE2 module is the same hash without it.
    from _blake2 import blake2b
except ImportError:
    from hashlib import blake2b

from initgate import logs
from initgate.errors import InitgateError, ToolchainError
from initgate.fileio import write_atomic
from initgate.runtime_c import SOURCE_DIR

log = logs.logger("initgate.cc")

ENV_VAR = "INITGATE_CACHE_DIR"


def cache_dir(option=None):
    """The cache folder (created), as an absolute path."""
    folder = option or os.environ.get(ENV_VAR)
    if not folder:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
            os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "initgate")
    folder = os.path.abspath(folder)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise InitgateError("%s: cannot create the cache folder: %s; set %s or pass "
                            "--cache-dir" % (folder, err.strerror, ENV_VAR)) from None
    return folder


def digest(*parts):
    hasher = blake2b(digest_size=32)
    for part in parts:
        if isinstance(part, str):
            part = part.encode("utf-8", "surrogateescape")
        hasher.update(len(part).to_bytes(8, "little"))
        hasher.update(part)
    return hasher.hexdigest()


def store_source(cache, original, text):
    """Write rewritten `text` of `original` into the cache; return its path."""
    key = digest(os.path.dirname(os.path.abspath(original)), text)[:24]
    folder = os.path.join(cache, "src", key)
    path = os.path.join(folder, os.path.basename(original))
    if _same_bytes(path, text):
        return path
    os.makedirs(folder, exist_ok=True)
    write_atomic(path, text, mode=0o644)
    return path


def _same_bytes(path, text):
    try:
        with open(path, "rb") as f:
            return f.read() == text
    except OSError:
        return False


def compile_helper(source, path, flags):
    """Build the C file `source` into `path` with the machine's own compiler
    (cc, else gcc, else clang): None once built, else why it was not.  It
    is written to a scratch file and renamed into place, so that builders
    racing each other only ever replace it with the same bytes."""
    from initgate import children

    scratch = "%s.%d.tmp" % (path, os.getpid())
    for compiler in ("cc", "gcc", "clang"):
        command = [compiler, *flags, "-o", scratch, source]
        try:
            code, _out, err = children.run(command)
        except OSError:
            continue
        if code == 0:
            os.replace(scratch, path)
            return None
        try:
            os.unlink(scratch)
        except OSError:
            pass
        return "%s failed: %s" % (" ".join(command), err.strip()[:300])
    return "no C compiler (cc, gcc or clang) on PATH"


def compiler_identity(cc_argv):
    """What makes two compilers build the same runtime: their answers, not their names."""
    return list(_identity(tuple(cc_argv)))


@functools.lru_cache(maxsize=8)
def _identity(cc_argv):
    from initgate import children

    answers = []
    for probe in (("--version",), ("-dumpmachine",)):
        try:
            _code, out, messages = children.run(cc_argv + probe)
        except OSError as err:
            raise ToolchainError("%s: cannot run the compiler: %s"
                                 % (cc_argv[0], err.strerror)) from None
        answers.append(out + messages)
    return tuple(answers)


def runtime_sources_digest():
    files = []
    for folder, _subfolders, names in os.walk(SOURCE_DIR):
        for name in names:
            if name.endswith((".c", ".h", ".S")):
                files.append(os.path.join(folder, name))
    parts = []
    for path in sorted(files):
        with open(path, "rb") as f:
            parts += [os.path.relpath(path, SOURCE_DIR), f.read()]
    return digest(*parts)


def runtime_object(cache, cc_argv, no_libc):
    """The runtime object for compiler `cc_argv` (with its target options), built once."""
    path, lock = runtime_paths(cache, cc_argv, no_libc)
    if os.path.isfile(path):
        return path
    with _locked(lock):
        if not os.path.isfile(path):
            build_runtime_into(path, cc_argv, no_libc)
    return path


def runtime_paths(cache, cc_argv, no_libc):
    """(object, lock file) of the runtime for `cc_argv`, its folder created."""
    identity = compiler_identity(cc_argv)
    key = digest(*cc_argv, *identity, "no-libc" if no_libc else "libc",
                 runtime_sources_digest())[:24]
    folder = os.path.join(cache, "runtime")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, key + ".o"), os.path.join(folder, key + ".lock")


def build_runtime_into(path, cc_argv, no_libc):
    """Build the runtime to `path`, its lock held by the caller."""
    # Imported only to build: its imports (thread pools, tempfile, pathlib)
    # would cost every later link 13 ms.
    from initgate.linker.runtime_build import build_runtime

    log.info("building the runtime for %s into %s", " ".join(cc_argv), path)
    build_runtime(cc_argv, path, no_libc=no_libc)


class _locked:
    def __init__(self, path):
        self.path = path
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def file_digest(path):
    with open(path, "rb") as f:
        return digest(f.read())


def store_manifest(cache, key, data):
    folder = os.path.join(cache, "manifest")
    os.makedirs(folder, exist_ok=True)
    write_atomic(os.path.join(folder, key + ".json"), data, mode=0o644)


def load_manifest(cache, key):
    # json only here: the rewrite finds its helper through this module, and
    # would pay json's import (2 ms) on every run.
    import json

    try:
        with open(os.path.join(cache, "manifest", key + ".json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
