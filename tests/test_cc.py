"""`initgate cc` runs a real compiler: what it gates, what it leaves alone.

Sources are in tests/cc/ (a small library whose quoted include lives next to
it, a file with a warning, one that does not compile) and tests/e2e/ (the
held-init library and the host that proves callers wait at the gate).  Every
test has its own cache folder, so nothing depends on what ran before.
"""

import fcntl
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import REPO, require_tool, run, run_initgate

HERE = os.path.join(REPO, "tests", "cc")
PROJ = os.path.join(HERE, "proj")
E2E = os.path.join(REPO, "tests", "e2e")


def wrap(cache, init, *command, cwd=None, check=True, options=(), stdin=None, env=None):
    """Run `initgate cc --init INIT --cache-dir CACHE [options] -- COMMAND`."""
    argv = [sys.executable, "-m", "initgate", "cc", "--init", init, "--cache-dir", str(cache),
            *options, "--", *map(str, command)]
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, input=stdin,
                          env=env)
    if check and proc.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s%s" % (" ".join(argv), proc.returncode,
                                                        proc.stdout, proc.stderr))
    return proc


@pytest.fixture
def proj(tmp_path):
    """A copy of tests/cc/proj to build in, so outputs never land in the repository."""
    target = tmp_path / "proj"
    shutil.copytree(PROJ, target)
    return target


@pytest.fixture(scope="module")
def caller(tmp_path_factory):
    exe = tmp_path_factory.mktemp("call") / "call"
    run(["cc", "-O2", "-o", exe, os.path.join(HERE, "call.c"), "-ldl"])
    return exe


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    exe = tmp_path_factory.mktemp("host") / "host"
    run(["cc", "-O2", "-o", exe, os.path.join(E2E, "host.c"), "-ldl", "-lpthread"])
    return exe


def test_compile_then_link_gives_a_gated_library(tmp_path, host):
    cache = tmp_path / "cache"
    shutil.copy(os.path.join(E2E, "held.c"), tmp_path)
    wrap(cache, "held_init", "cc", "-O2", "-g", "-fPIC", "-c", "held.c", "-o", "held.o",
         cwd=tmp_path)
    wrap(cache, "held_init", "cc", "-shared", "-o", "libheld.so", "held.o", cwd=tmp_path,
         options=["--manifest", "held.json"])
    lib = tmp_path / "libheld.so"

    # The manifest, gathered from the compile, says held_init is the init.
    report = run_initgate("verify", lib, "--manifest", tmp_path / "held.json").stdout
    assert "result: fully gated" in report
    assert "init     held_init" in report
    proc = run([host, lib, "8"], timeout=120)
    assert proc.stdout.splitlines() == [
        "dlopen returned while init is held",
        "8 callers blocked at the gate",
        "8 callers saw the initialized state",
    ]


def test_compile_and_link_in_one_command(tmp_path, host):
    shutil.copy(os.path.join(E2E, "held.c"), tmp_path)
    wrap(tmp_path / "cache", "held_init", "cc", "-O2", "-fPIC", "-shared", "-o", "libheld.so",
         "held.c", cwd=tmp_path, options=["--manifest", "m.json"])
    report = run_initgate("verify", tmp_path / "libheld.so", "--manifest", tmp_path / "m.json")
    assert "result: fully gated" in report.stdout
    proc = run([host, tmp_path / "libheld.so", "4"], timeout=120)
    assert proc.stdout.splitlines()[1] == "4 callers blocked at the gate"


def test_quoted_includes_and_file_names_point_at_the_original(proj, caller):
    # Built from another folder, so only -iquote can find sub/api.h.
    build = proj / "build"
    build.mkdir()
    wrap(proj / "cache", "api_init", "cc", "-g", "-fPIC", "-shared", "-o", "libapi.so",
         "../sub/api.c", cwd=build)
    lib = build / "libapi.so"
    assert run([caller, lib, "api_answer"]).stdout == "42\n"
    assert run([caller, lib, "api_line"]).stdout == "27\n"

    # __FILE__ is the path as given on the command line, as without the wrapper.
    probe = build / "file.c"
    probe.write_text('#include <stdio.h>\nconst char *api_file(void);\n'
                     'int main(void) { puts(api_file()); return 0; }\n')
    run(["cc", "-o", build / "file", probe, lib, "-Wl,-rpath," + str(build)])
    assert run([build / "file"]).stdout == "../sub/api.c\n"


def test_base_file_names_the_original(proj, caller):
    (proj / "base.c").write_text("static void b_init(void) {}\n"
                                 "const char *base(void) { return __BASE_FILE__; }\n"
                                 "int base_is_original(void) {\n"
                                 "    const char *b = base(), *want = \"%s\";\n"
                                 "    while (*b && *b == *want) { b++; want++; }\n"
                                 "    return *b == *want;\n}\n" % (proj / "base.c"))
    wrap(proj / "cache", "b_init", "cc", "-fPIC", "-shared", "-o", "libbase.so", "base.c",
         cwd=proj)
    assert run([caller, proj / "libbase.so", "base_is_original"]).stdout == "1\n"


def test_debug_info_names_the_original(proj):
    wrap(proj / "cache", "api_init", "cc", "-g", "-fPIC", "-c", "sub/api.c", "-o", "api.o",
         cwd=proj)
    info = run(["readelf", "--debug-dump=info,line", proj / "api.o"]).stdout
    assert str(proj / "cache") not in info
    assert "DW_AT_name" in info and str(proj / "sub" / "api.c") in info
    assert "DW_AT_comp_dir" in info and str(proj) in info


def test_diagnostics_name_the_original_file_and_line(proj):
    proc = wrap(proj / "cache", "x_init", "cc", "-Wall", "-fPIC", "-c", "warns.c", cwd=proj)
    plain = subprocess.run(["cc", "-Wall", "-fPIC", "-c", "warns.c", "-o", "plain.o"],
                           cwd=proj, capture_output=True, text=True)
    assert "warns.c:5:2: warning: #warning" in proc.stderr
    assert "warns.c:4:13: warning: unused variable" in proc.stderr
    assert str(proj / "cache") not in proc.stderr
    assert proc.stderr == plain.stderr


def test_compiler_errors_and_exit_status_are_the_compilers(proj):
    proc = wrap(proj / "cache", "x_init", "cc", "-fPIC", "-c", "broken.c", cwd=proj,
                check=False)
    plain = subprocess.run(["cc", "-fPIC", "-c", "broken.c"], cwd=proj, capture_output=True,
                           text=True)
    assert proc.returncode == plain.returncode == 1
    assert proc.stderr == plain.stderr
    assert "Traceback" not in proc.stderr
    assert not (proj / "broken.o").exists()


@pytest.mark.parametrize("job", [("-E", "api.c"), ("-fPIC", "-c", "api.c"),
                                 ("-shared", "-o", "libx.so", "api.o")])
def test_a_compiler_killed_by_a_signal_exits_as_a_shell_reports_it(proj, job):
    """128 + N, so make says "Error 139" as it would without the wrapper (not 256 - N)."""
    crash = proj / "crash-cc"
    # cc itself for the wrapper's own runs (the runtime build, -dumpmachine);
    # killed by SIGSEGV on the command under test, which has job[0] in it.
    crash.write_text('#!/bin/sh\nfor a; do [ "$a" = "$CRASH_ON" ] && kill -SEGV $$; done\n'
                     'exec cc "$@"\n')
    crash.chmod(0o755)
    (proj / "api.c").write_text("int api(void) { return 1; }\n")
    run(["cc", "-fPIC", "-c", "api.c"], cwd=proj)
    env = dict(os.environ, CRASH_ON=job[0])
    proc = wrap(proj / "cache", "x_init", crash, *job, cwd=proj, check=False, env=env)
    plain = subprocess.run(["sh", "-c", '"$@"', "sh", crash, *job], cwd=proj, env=env)
    assert proc.returncode == plain.returncode == 139, proc.stderr
    assert "Traceback" not in proc.stderr


def make_rules(text):
    """The words of a dependency file, line continuations joined."""
    return text.replace("\\\n", " ").split()


def test_dependency_file_names_the_original(proj):
    (proj / "deps").mkdir()
    wrap(proj / "cache", "api_init", "cc", "-fPIC", "-MD", "-MP", "-MF", "deps/api.d",
         "-c", "sub/api.c", "-o", "api.o", cwd=proj)
    run(["cc", "-fPIC", "-MD", "-MP", "-MF", "deps/plain.d", "-c", "sub/api.c", "-o",
         "plain.o"], cwd=proj)
    deps = make_rules((proj / "deps" / "api.d").read_text())
    assert deps[:3] == ["api.o:", "sub/api.c", "/usr/include/stdc-predef.h"]
    assert deps[1:] == make_rules((proj / "deps" / "plain.d").read_text())[1:]

    # -MMD with no -MF: the .d beside the object, as gcc places it.
    wrap(proj / "cache", "api_init", "cc", "-fPIC", "-MMD", "-c", "sub/api.c", "-o",
         "out.o", cwd=proj)
    assert make_rules((proj / "out.d").read_text()) == ["out.o:", "sub/api.c", "sub/api.h"]


def test_rewritten_copy_is_deterministic_and_holds_no_temporary_path(proj):
    cache = proj / "cache"
    for _ in range(2):
        wrap(cache, "api_init", "cc", "-fPIC", "-c", "sub/api.c", "-o", "api.o", cwd=proj)
    copies = list((cache / "src").rglob("*.c"))
    assert [c.name for c in copies] == ["api.c"]
    text = copies[0].read_text()
    assert '#line 1 "sub/api.c"' in text
    assert "/tmp" not in text.replace(str(proj), "")
    assert str(cache) not in text


def test_several_sources_in_one_command(proj, caller):
    wrap(proj / "cache", "api_init", "cc", "-fPIC", "-c", "sub/api.c", "other.c", cwd=proj)
    wrap(proj / "cache", "api_init", "cc", "-shared", "-o", "libtwo.so", "api.o", "other.o",
         cwd=proj)
    assert "result: fully gated" in run_initgate("verify", proj / "libtwo.so").stdout
    assert run([caller, proj / "libtwo.so", "other_value"]).stdout == "5\n"


def test_x_c_gates_a_file_of_any_name(proj):
    shutil.copy(proj / "sub" / "api.c", proj / "sub" / "api.inc")
    wrap(proj / "cache", "api_init", "cc", "-fPIC", "-shared", "-o", "libinc.so",
         "-x", "c", "sub/api.inc", cwd=proj)
    assert "result: fully gated" in run_initgate("verify", proj / "libinc.so").stdout


def test_init_source_adds_an_init_to_a_library_without_one(proj, caller):
    wrap(proj / "cache", "outside_init", "cc", "-fPIC", "-shared", "-o", "libno.so",
         "no_init.c", cwd=proj, options=["--init-source", "init_source.c"])
    assert "result: fully gated" in run_initgate("verify", proj / "libno.so").stdout
    assert run([caller, proj / "libno.so", "no_init_value"]).stdout == "11\n"
    exported = run(["nm", "-D", "--defined-only", proj / "libno.so"]).stdout
    assert "outside_init" not in exported and "initgate" not in exported


def test_init_source_sees_a_changed_header_at_the_next_link(proj, caller):
    """Nothing of the init source is reused between links: a header it includes
    may have changed, and the next link must build with the new one."""
    (proj / "init_value.h").write_text("#define INIT_VALUE 11\n")
    (proj / "init_header.c").write_text(
        '#include "init_value.h"\n'
        '__attribute__((visibility("hidden"))) int init_source_ran;\n'
        '__attribute__((visibility("hidden"))) int outside_init(void)\n'
        '{ init_source_ran = INIT_VALUE; return 0; }\n')
    for value in (11, 12):
        (proj / "init_value.h").write_text("#define INIT_VALUE %d\n" % value)
        wrap(proj / "cache", "outside_init", "cc", "-fPIC", "-shared", "-o", "libno.so",
             "no_init.c", cwd=proj, options=["--init-source", "init_header.c"])
        assert run([caller, proj / "libno.so", "no_init_value"]).stdout == "%d\n" % value
    assert os.listdir(proj / "cache" / "obj") == []


def test_a_library_without_init_fails_to_link_with_a_hint(proj):
    proc = wrap(proj / "cache", "missing_init", "cc", "-fPIC", "-shared", "-o", "libx.so",
                "other.c", cwd=proj, check=False)
    assert proc.returncode != 0
    assert "no object of this link defines the init function 'missing_init'" in proc.stderr


@pytest.mark.parametrize("args", [
    ["--version"],
    ["-dumpmachine"],
    ["-E", "-fPIC", "sub/api.c"],
    ["-M", "sub/api.c"],
])
def test_information_and_preprocessing_pass_through(proj, args):
    proc = wrap(proj / "cache", "api_init", "cc", *args, cwd=proj)
    plain = run(["cc", *args], cwd=proj)
    assert proc.stdout == plain.stdout
    assert not (proj / "cache").exists()


def test_objects_without_pic_and_executables_are_not_gated(proj):
    wrap(proj / "cache", "api_init", "cc", "-O2", "-c", "sub/api.c", "-o", "nopic.o",
         cwd=proj)
    run(["cc", "-O2", "-c", "sub/api.c", "-o", "plain.o"], cwd=proj)
    assert (proj / "nopic.o").read_bytes() == (proj / "plain.o").read_bytes()

    (proj / "main.c").write_text("int main(void) { return 3; }\n")
    wrap(proj / "cache", "x_init", "cc", "-o", "prog", "main.c", cwd=proj)
    assert subprocess.run([proj / "prog"]).returncode == 3


def test_assembly_passes_through(proj):
    (proj / "start.S").write_text(".text\n.globl start_here\nstart_here:\n\tret\n")
    wrap(proj / "cache", "x_init", "cc", "-fPIC", "-c", "start.S", "-o", "gated.o", cwd=proj)
    run(["cc", "-fPIC", "-c", "start.S", "-o", "plain.o"], cwd=proj)
    assert (proj / "gated.o").read_bytes() == (proj / "plain.o").read_bytes()
    assert not (proj / "cache").exists()


def test_standard_input_passes_through_with_a_warning(proj):
    proc = wrap(proj / "cache", "x_init", "cc", "-fPIC", "-x", "c", "-c", "-", "-o", "in.o",
                cwd=proj, stdin="int f(void) { return 1; }\n")
    # Logged by a quiet call, which configures logging only then.
    assert "initgate: C read from standard input is compiled without the gate" in proc.stderr
    assert (proj / "in.o").exists()


def test_response_file_with_objects_and_shared(proj):
    wrap(proj / "cache", "api_init", "cc", "-fPIC", "-c", "sub/api.c", cwd=proj)
    (proj / "link.rsp").write_text("-shared api.o\n")
    wrap(proj / "cache", "api_init", "cc", "-o", "librsp.so", "@link.rsp", cwd=proj)
    assert "result: fully gated" in run_initgate("verify", proj / "librsp.so").stdout


def test_response_file_with_sources(proj):
    (proj / "compile.rsp").write_text("-fPIC -c sub/api.c -o api.o\n")
    wrap(proj / "cache", "api_init", "cc", "@compile.rsp", cwd=proj)
    wrap(proj / "cache", "api_init", "cc", "-shared", "-o", "libr.so", "api.o", cwd=proj)
    assert "result: fully gated" in run_initgate("verify", proj / "libr.so").stdout


def test_usage_mistakes_exit_2(proj):
    argv = [sys.executable, "-m", "initgate", "cc", "--", "cc", "-c", "x.c"]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=proj)
    assert proc.returncode == 2 and "--init" in proc.stderr
    argv = [sys.executable, "-m", "initgate", "cc", "--init", "x"]
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=proj)
    assert proc.returncode == 2 and "compiler command" in proc.stderr


def test_concurrent_links_share_one_runtime(proj):
    # make -j: several wrappers link at once into an empty cache.
    cache = proj / "cache"
    wrap(cache, "api_init", "cc", "-fPIC", "-c", "sub/api.c", cwd=proj)

    def link(n):
        return wrap(cache, "api_init", "cc", "-shared", "-o", "lib%d.so" % n, "api.o",
                    cwd=proj)
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(link, range(6)))
    assert len(list((cache / "runtime").glob("*.o"))) == 1
    for n in range(6):
        assert "result: fully gated" in run_initgate("verify", proj / ("lib%d.so" % n)).stdout


def test_the_first_gated_compile_builds_the_runtime_for_the_link(proj):
    # The compile takes the runtime's lock before it returns, and hands it
    # to the builder it starts: the link waits for that one, never builds.
    cache = proj / "cache"
    wrap(cache, "api_init", "cc", "-fPIC", "-c", "sub/api.c", cwd=proj)
    assert list((cache / "runtime").glob("started-*"))
    link = wrap(cache, "api_init", "cc", "-shared", "-o", "libp.so", "api.o", cwd=proj,
                options=["-v"])
    assert "building the runtime" not in link.stderr
    assert len(list((cache / "runtime").glob("*.o"))) == 1
    assert "result: fully gated" in run_initgate("verify", proj / "libp.so").stdout


def wait_for_runtime_builds(cache):
    """Until every runtime build that holds its lock has finished."""
    for lock in (cache / "runtime").glob("*.lock"):
        with open(lock) as f:
            fcntl.flock(f, fcntl.LOCK_EX)


def test_composes_with_ccache(proj):
    ccache = require_tool("ccache", "ccache")
    env = dict(os.environ, CCACHE_DIR=str(proj / "ccache"), CCACHE_NOHASHDIR="")
    stats = []
    for n in range(2):
        (proj / "api.o").unlink(missing_ok=True)
        argv = [sys.executable, "-m", "initgate", "cc", "--init", "api_init", "--cache-dir",
                str(proj / "cache"), "--", ccache, "cc", "-g", "-fPIC", "-c", "sub/api.c",
                "-o", "api.o"]
        run(argv, cwd=proj, env=env)
        # The first compile also starts the runtime's build, through ccache
        # too: its compiles are counted once it is done.
        wait_for_runtime_builds(proj / "cache")
        stats.append(dict(line.split("\t") for line in
                          run([ccache, "--print-stats"], env=env).stdout.splitlines()
                          if "\t" in line))

    def more(name):
        return int(stats[1][name]) - int(stats[0][name])
    assert more("direct_cache_hit") + more("preprocessed_cache_hit") == 1
    assert more("cache_miss") == 0
    wrap(proj / "cache", "api_init", ccache, "cc", "-shared", "-o", "libc.so", "api.o",
         cwd=proj)
    assert "result: fully gated" in run_initgate("verify", proj / "libc.so").stdout


def test_a_source_with_nothing_to_gate_compiles_as_it_is(proj):
    proc = wrap(proj / "cache", "x_init", "cc", "-Wall", "-fPIC", "-c", "other.c", "-o",
                "gated.o", cwd=proj, options=["--ungated", "other_value"])
    run(["cc", "-Wall", "-fPIC", "-c", "other.c", "-o", "plain.o"], cwd=proj)
    assert (proj / "gated.o").read_bytes() == (proj / "plain.o").read_bytes()
    assert proc.stderr == ""


def test_verify_recognizes_a_gated_variadic_function(proj):
    wrap(proj / "cache", "variadic_init", "cc", "-O2", "-fPIC", "-shared", "-o", "libva.so",
         "variadic.c", cwd=proj)
    assert "result: fully gated" in run_initgate("verify", proj / "libva.so").stdout


def test_an_export_defined_in_an_included_file_is_refused_clearly(proj):
    (proj / "defs.h").write_text("int in_header(void) { return 1; }\n")
    (proj / "uses.c").write_text('#include "defs.h"\nint uses(void) { return in_header(); }\n')
    proc = wrap(proj / "cache", "x_init", "cc", "-fPIC", "-c", "uses.c", cwd=proj,
                check=False, options=["--root", proj])
    assert proc.returncode == 1
    assert "exported functions defined in" in proc.stderr and "in_header" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (proj / "uses.o").exists()


PROGRAM_API = ("static int ready;\n"
               "int api_init(void) { ready = 42; return 0; }\n"
               "int api_value(void) { return ready; }\n")
PROGRAM_MAIN = ("#include <stdio.h>\nint api_value(void);\n"
                "int main(void) { printf(\"%d\\n\", api_value()); return 0; }\n")


@pytest.mark.parametrize("archive", [False, True], ids=["objects", "static archive"])
def test_program_linked_from_gated_objects_gets_the_runtime(tmp_path, archive):
    (tmp_path / "api.c").write_text(PROGRAM_API)
    (tmp_path / "main.c").write_text(PROGRAM_MAIN)
    cache = tmp_path / "cache"
    wrap(cache, "api_init", "cc", "-O2", "-fPIC", "-c", "api.c", "-o", "api.o", cwd=tmp_path)
    wrap(cache, "api_init", "cc", "-O2", "-c", "main.c", "-o", "main.o", cwd=tmp_path)
    inputs = ["main.o", "api.o"]
    if archive:
        run(["ar", "rcs", tmp_path / "libapi.a", tmp_path / "api.o"])
        inputs = ["main.o", "libapi.a"]
    wrap(cache, "api_init", "cc", "-o", "prog", *inputs, "-lpthread", cwd=tmp_path)

    # Not patched: the first gated call runs init, then returns what init set.
    assert run([tmp_path / "prog"]).stdout == "42\n"
    symbols = run(["nm", tmp_path / "prog"]).stdout
    assert " _initgate_wait" in symbols and " _initgate_rt0_lib" in symbols


def test_program_without_gated_objects_passes_through(tmp_path):
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    cache = tmp_path / "cache"
    wrap(cache, "api_init", "cc", "-c", "main.c", "-o", "main.o", cwd=tmp_path)
    wrap(cache, "api_init", "cc", "-o", "prog", "main.o", cwd=tmp_path)
    assert "_initgate" not in run(["nm", tmp_path / "prog"]).stdout
    assert not (cache / "runtime").exists()


def test_library_gets_nodelete_from_the_linker_even_with_lld(tmp_path):
    require_tool("ld.lld", "lld")
    shutil.copy(os.path.join(E2E, "held.c"), tmp_path)
    wrap(tmp_path / "cache", "held_init", "cc", "-O2", "-fPIC", "-fuse-ld=lld", "-shared",
         "-o", "libheld.so", "held.c", cwd=tmp_path)
    report = run_initgate("verify", tmp_path / "libheld.so").stdout
    assert "ok       library NODELETE" in report and "result: fully gated" in report


def test_failed_patch_leaves_no_unpatched_library(tmp_path, monkeypatch):
    from initgate import cc, cc_fast
    from initgate.errors import ElfError
    from initgate.linker import patch

    shutil.copy(os.path.join(E2E, "held.c"), tmp_path)
    monkeypatch.chdir(tmp_path)

    def refuse(path):
        assert os.path.isfile(path)          # the link did write it
        raise ElfError("%s: refused by the test" % path)

    monkeypatch.setattr(patch, "patch_library", refuse)
    args = cc_fast.parse(["--init", "held_init", "--cache-dir", str(tmp_path / "cache"), "--",
                          "cc", "-O2", "-fPIC", "-shared", "-o", "libheld.so", "held.c"])
    with pytest.raises(ElfError, match="refused by the test"):
        cc.run(args)
    assert not (tmp_path / "libheld.so").exists()


# A compiler driver that starts a "cc1" of its own and waits for it.
TREE_DRIVER = """#!/bin/sh
sleep 1000 &
echo $! > "$READY.tmp" && mv "$READY.tmp" "$READY"
wait
"""


@pytest.mark.parametrize("command", [["--version"], ["-fPIC", "-shared", "-o", "lib.so"]])
def test_sigterm_to_the_wrapper_stops_the_compilers_whole_tree(tmp_path, command):
    # make or a CI runner may signal the wrapper alone: the driver's children
    # must stop with it, not write on after the wrapper has exited.
    from conftest import alive, wait_for

    driver = tmp_path / "driver"
    driver.write_text(TREE_DRIVER)
    driver.chmod(0o755)
    ready = tmp_path / "ready"
    argv = [sys.executable, "-m", "initgate", "cc", "--init", "lib_init", "--cache-dir",
            str(tmp_path / "cache"), "--", str(driver), *command]
    # Passed through, the driver runs as the compile; for a link, the first
    # run is the wrapper's own question to it (its --version, for the runtime).
    proc = subprocess.Popen(argv, cwd=tmp_path, env=dict(os.environ, READY=str(ready)),
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(ready.exists, "the compiler to start its child")
    grandchild = int(ready.read_text())
    proc.terminate()
    _, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stderr) == (130, "initgate: interrupted\n")
    wait_for(lambda: not alive(grandchild), "the compiler's child to stop")
