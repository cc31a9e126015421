"""clang 18, the release libclang's front end comes from, for rewrite_speed.py.

The rewrite pass parses with the libclang wheel, clang 18.  Debian 12 has
clang 14, 16 and 19 but no 18; Debian 13's clang-18 needs a newer C library
than Debian 12's.  So it is unpacked, with that C library, into a folder of
its own (tools/fetch_release_root.sh, through apt: what it downloads is
checked against the release's signed index), and a copy of the clang
program, kept where clang looks for its own headers, gets the unpacked
loader as its interpreter.  It runs with LD_LIBRARY_PATH naming the unpacked
libraries, and reads the machine's C headers, as every other compiler
measured does.  x86_64 only.

    python benchmarks/clang18.py [DIR]    fetch (once) and print its version
"""

import os
import platform
import subprocess
import sys

from report import BenchError

PACKAGES = ("clang-18", "libllvm18", "libclang-cpp18", "libclang-common-18-dev", "libc6",
            "libstdc++6", "libgcc-s1", "libz3-4", "libzstd1")
RELEASE = "trixie"
LIBRARIES = "usr/lib/x86_64-linux-gnu"
LOADER = LIBRARIES + "/ld-linux-x86-64.so.2"
# Beside the original, so that clang finds its headers (../lib/clang/18).
PROGRAM = "usr/lib/llvm-18/bin/clang-18-here"
FETCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools",
                     "fetch_release_root.sh")


def default_folder():
    from initgate import cc_cache

    return os.path.join(cc_cache.cache_dir(), "clang-18")


def ensure(folder):
    """(command, environment) that run clang 18, fetched into `folder` if it
    is not there yet; BenchError when it cannot be."""
    if platform.machine() != "x86_64":
        raise BenchError("clang 18 is fetched for x86_64 only, not %s" % platform.machine())
    program = os.path.join(folder, PROGRAM)
    if not os.path.exists(program):
        _fetch(folder)
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(folder, LIBRARIES))
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, env=env)
    except OSError as err:
        raise BenchError("%s cannot run: %s" % (program, err.strerror)) from None
    if out.returncode != 0 or "clang version 18." not in out.stdout:
        raise BenchError("%s does not run as clang 18: %s" % (
            program, (out.stderr or out.stdout).strip()[:200]))
    return [program], env


def _fetch(folder):
    if subprocess.run(["sh", FETCH, folder, "amd64", RELEASE, *PACKAGES],
                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode != 0:
        raise BenchError("could not fetch clang-18 from Debian %s (%s)" % (RELEASE, FETCH))

    import lief

    binary = lief.parse(os.path.join(folder, "usr/lib/llvm-18/bin/clang"))
    binary.interpreter = os.path.join(folder, LOADER)
    scratch = os.path.join(folder, PROGRAM + ".tmp")
    binary.write(scratch)
    os.chmod(scratch, 0o755)
    os.replace(scratch, os.path.join(folder, PROGRAM))


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else default_folder()
    try:
        command, env = ensure(folder)
    except BenchError as err:
        print("clang18.py: %s" % err, file=sys.stderr)
        return 1
    print(subprocess.run(command + ["--version"], capture_output=True, text=True,
                         env=env).stdout.splitlines()[0])
    print(command[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
