"""Lua 5.4 through `initgate cc` file by file, and through `initgate rewrite` as one unit.

File by file: each of Lua's library sources (src/l*.c but the two
programs, lua.c and luac.c) is compiled by the wrapper with -fPIC and the
flags of Lua's `make linux`, and liblua.so is linked by it with Debian's
version script; the init
function (tests/real/lua_init.c, added with --init-source) runs a chunk
through Lua's own API on the init thread.  The stand-alone interpreter,
built from lua.c against liblua.so, then runs a script while init is held
(tests/real/holder.py) until its main thread is seen waiting at the gate.

As one unit: onelua.c includes every library source, the way Lua's own
onelua.c does, and `initgate rewrite --root` must gate each definition
once, in the file that holds it, and gate the same functions as the build
file by file; the library built from that tree exports exactly them.
"""

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import REPO, require_tool, run, run_initgate
from real.holder import InitHolder
from real.sources import copy_tree

REAL = os.path.join(REPO, "tests", "real")
RUNTIME_DIR = os.path.join(REPO, "runtime_c")
FLAGS = ["-O2", "-std=gnu99", "-Wall", "-Wextra", "-DLUA_COMPAT_5_3", "-DLUA_USE_LINUX"]
SCRIPT = """
local words = {}
for word in ("gate the library before it runs"):gmatch("%a+") do words[#words + 1] = word end
local co = coroutine.wrap(function(n) for i = 1, n do coroutine.yield(i * i) end end)
local ok, err = pcall(error, "raised")
print(#words, table.concat(words, "-"), co(3), co(), ok, err)
"""
EXPECTED = "6\tgate-the-library-before-it-runs\t1\t4\tfalse\traised\n"


def library_sources(src):
    return sorted(name for name in os.listdir(src)
                  if name.startswith("l") and name.endswith(".c")
                  and name not in ("lua.c", "luac.c"))


def exported_functions(lib):
    out = run(["nm", "-D", "--defined-only", lib]).stdout
    # Without the version node that Debian's version script adds (name@@LUA_5.4).
    return {line.split()[-1].split("@")[0] for line in out.splitlines()
            if line.split()[1] in "TWi"}


def gated_in_report(report):
    return {line.split()[1].rstrip(":") for line in report.splitlines()
            if line.strip().startswith("gated")}


@pytest.fixture(scope="module")
def lua(tmp_path_factory):
    require_tool("gcc", "gcc")
    build = copy_tree("lua5.4", tmp_path_factory.mktemp("lua") / "lua")
    src = build / "src"
    wrapper = [sys.executable, "-m", "initgate", "cc", "--init", "lua_test_init",
               "--init-source", os.path.join(REAL, "lua_init.c"),
               "--init-cflag=-I%s" % src, "--init-cflag=-I" + REAL,
               "--cache-dir", str(build / "cache"), "--", "gcc"]
    sources = library_sources(src)
    # Debian's patched luaconf.h includes a header that debian/rules writes.
    multiarch = run(["gcc", "-print-multiarch"]).stdout.strip()
    (src / "lua5.4-deb-multiarch.h").write_text(
        '#define DEB_HOST_MULTIARCH "%s"\n' % multiarch)

    def compile_one(name):
        run([*wrapper, *FLAGS, "-fPIC", "-c", name], cwd=src)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(compile_one, sources))
    objects = [name[:-2] + ".o" for name in sources]
    run([*wrapper, "-shared", "-Wl,--version-script,../debian/version-script", "-o",
         "liblua.so", *objects, "-lm", "-ldl"], cwd=src)
    run(["gcc", *FLAGS, "-o", "lua", "lua.c", "-L.", "-llua", "-lm", "-ldl",
         "-Wl,-rpath," + str(src)], cwd=src)
    (build / "script.lua").write_text(SCRIPT)
    return build


def test_every_export_is_gated(lua):
    lib = lua / "src" / "liblua.so"
    report = run_initgate("verify", lib).stdout
    assert "result: fully gated" in report
    exported = exported_functions(lib)
    assert gated_in_report(report) == exported and len(exported) > 150
    assert "lua_test_init" not in exported and "initgate" not in run(["nm", "-D", lib]).stdout


def test_interpreter_runs_a_script_with_init_held(lua):
    with InitHolder() as holder:
        proc = subprocess.run([str(lua / "src" / "lua"), str(lua / "script.lua")],
                              env=holder.env(), pass_fds=holder.pass_fds,
                              capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stdout) == (0, EXPECTED), proc.stderr
    assert len(holder.held) == 1 and holder.unseen == []


def test_one_unit_gates_each_definition_once(lua, tmp_path):
    src = lua / "src"
    sources = library_sources(src)
    (src / "onelua.c").write_text("".join('#include "%s"\n' % name for name in sources))
    (src / "lua_test_init.c").write_text((open(os.path.join(REAL, "lua_init.c")).read()))
    (src / "hold.h").write_text((open(os.path.join(REAL, "hold.h")).read()))
    out = tmp_path / "out"
    manifest = tmp_path / "manifest.json"
    run_initgate("rewrite", "--init", "lua_test_init", "--root", src, "-o", out,
                 "--manifest", manifest, src / "onelua.c", src / "lua_test_init.c",
                 "--", *FLAGS, "-I", src)

    gated = json.loads(manifest.read_text())["gated"]
    names = [entry["name"] for entry in gated]
    assert len(names) == len(set(names))
    # Each gate sits in the file that defines the function, never in onelua.c.
    assert {entry["file"] for entry in gated} <= {str(src / name) for name in sources}
    assert "_cgo_wait_runtime_init_done" not in (out / "onelua.c").read_text()
    assert set(names) == gated_in_report(run_initgate("verify", src / "liblua.so").stdout)

    run(["gcc", *FLAGS, "-fPIC", "-I", RUNTIME_DIR, "-c", "onelua.c", "lua_test_init.c"],
        cwd=out)
    run_initgate("runtime", "-o", out / "initgate_rt.o")
    run(["gcc", "-shared", "-o", "libonelua.so", "onelua.o", "lua_test_init.o",
         "initgate_rt.o", "-lm", "-ldl"], cwd=out)
    run_initgate("patch-elf", out / "libonelua.so")
    assert exported_functions(out / "libonelua.so") == set(names)
    assert "result: fully gated" in run_initgate("verify", out / "libonelua.so").stdout
