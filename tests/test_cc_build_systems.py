"""examples/build-systems/ built by make, CMake and Meson through `initgate cc`.

Each build gets the wrapper the way its README says, with the build files
untouched; the test then checks the library with `initgate verify` and
loads it to call its API, which must see the table the init thread filled.
"""

import os
import shutil
import sys

import pytest

from conftest import REPO, installed_launcher, require_tool, run, run_initgate

EXAMPLE = os.path.join(REPO, "examples", "build-systems")
SUM = sum(n * n for n in range(1000))


FRONT_ENDS = ["initgate cc", "initgate-cc"]


def wrapper(cache, front_end="initgate cc"):
    """The wrapper's words; initgate-cc is the installed shell front end."""
    if front_end == "initgate-cc":
        front = [installed_launcher()]
    else:
        front = [sys.executable, "-m", "initgate", "cc"]
    return front + ["--init", "squares_init", "--cache-dir", str(cache), "--"]


@pytest.fixture
def project(tmp_path):
    target = tmp_path / "squares"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("build-*"))
    return target


@pytest.fixture(scope="module")
def caller(tmp_path_factory):
    exe = tmp_path_factory.mktemp("call") / "call"
    run(["cc", "-O2", "-o", exe, os.path.join(REPO, "tests", "cc", "call.c"), "-ldl"])
    return exe


def check_library(lib, caller):
    report = run_initgate("verify", lib).stdout
    assert "result: fully gated (2 exported functions" in report
    assert run([caller, lib, "squares_sum"]).stdout == "%d\n" % SUM
    exported = run(["nm", "-D", "--defined-only", lib]).stdout
    assert "squares_init" not in exported and "initgate" not in exported


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_plain_makefile(project, caller, front_end):
    cc = " ".join(wrapper(project / "cache", front_end) + ["gcc"])
    run(["make", "-C", project, "CC=" + cc])
    check_library(project / "build-make" / "libsquares.so", caller)


@pytest.mark.parametrize("generator", ["Unix Makefiles", "Ninja"])
def test_cmake_launchers(project, caller, generator):
    cmake = require_tool("cmake", "cmake")
    if generator == "Ninja":
        require_tool("ninja", "ninja-build")
    version = run([cmake, "--version"]).stdout.split()[2]
    if tuple(int(p) for p in version.split(".")[:2]) < (3, 21):
        message = "CMAKE_C_LINKER_LAUNCHER needs CMake 3.21; this is %s" % version
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    launcher = ";".join(wrapper(project / "cache"))
    build = project / "build-cmake"
    run([cmake, "-S", project, "-B", build, "-G", generator, "-DCMAKE_C_COMPILER=gcc",
         "-DCMAKE_C_COMPILER_LAUNCHER=" + launcher, "-DCMAKE_C_LINKER_LAUNCHER=" + launcher])
    run([cmake, "--build", build])
    check_library(build / "libsquares.so", caller)


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_meson_compiler(project, caller, front_end):
    meson = require_tool("meson", "meson")
    require_tool("ninja", "ninja-build")
    env = dict(os.environ, CC=" ".join(wrapper(project / "cache", front_end) + ["gcc"]))
    build = project / "build-meson"
    run([meson, "setup", build], cwd=project, env=env)
    run([meson, "compile", "-C", build], env=env)
    check_library(build / "libsquares.so", caller)
