"""verify: a fully gated library passes; anything ungated is caught and named."""

import json
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "patch"))
import scenarios  # noqa: E402

from conftest import run, run_initgate  # noqa: E402
from initgate.linker.elf import DT_INIT_ARRAYSZ, ElfFile  # noqa: E402


def manifest(tmp_path, ungated=()):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({
        "version": 1, "init": "lib_init",
        "gated": [{"name": n, "file": "lib.c", "line": 1} for n in ("add", "add_twice", "name")],
        "ungated": [{"name": n, "file": "x.c", "line": 2, "reason": "hand-written"}
                    for n in ungated]}))
    return str(path)


def verify(lib, *extra):
    return run_initgate("verify", lib, *extra, check=False)


def lines_about(proc, name):
    return [line.split(None, 1) for line in proc.stdout.splitlines()
            if line.startswith("  ") and line.split(None, 1)[1].startswith(name + ":")]


def built(tmp_path, name="gnu_ld", extra=(), patch=True):
    lib, _ = scenarios.build(name, str(tmp_path), extra_sources=extra)
    if patch:
        run_initgate("patch-elf", lib)
    return lib


@pytest.mark.parametrize("name", ["gnu_ld", "relr", "version_script", "visibility_hidden"])
def test_gated_library_passes(tmp_path, name):
    proc = verify(built(tmp_path, name), "--manifest", manifest(tmp_path))
    assert proc.returncode == 0, proc.stdout
    for function in ("add", "add_twice", "name"):
        assert lines_about(proc, function)[0][0] == "gated"
    assert lines_about(proc, "lib_init")[0][0] == "init"
    assert lines_about(proc, "counter")[0][0] == "data"
    assert "result: fully gated" in proc.stdout


def test_unrewritten_object_is_named(tmp_path):
    proc = verify(built(tmp_path, extra=("unrewritten.c",)), "--manifest", manifest(tmp_path))
    assert proc.returncode == 1
    assert lines_about(proc, "forgotten")[0][0] == "FAIL"
    assert "NOT fully gated" in proc.stdout and "1 not gated" in proc.stdout


def test_manifest_marks_deliberately_ungated(tmp_path):
    lib = built(tmp_path, extra=("unrewritten.c",))
    proc = verify(lib, "--manifest", manifest(tmp_path, ungated=("forgotten",)))
    assert proc.returncode == 0, proc.stdout
    kind, detail = lines_about(proc, "forgotten")[0]
    assert kind == "ungated" and "hand-written (x.c:2)" in detail


def test_init_function_is_known_from_the_file_alone(tmp_path):
    lib = built(tmp_path)
    run(["strip", "--strip-all", lib])
    proc = verify(lib)
    assert proc.returncode == 0, proc.stdout
    assert lines_about(proc, "lib_init")[0][0] == "init"


def gated_from_source(tmp_path, drop_init_note=False):
    """lib.so from a two-function source through rewrite, the runtime and patch-elf."""
    source = tmp_path / "lib.c"
    source.write_text("int lib_init(void) { return 0; }\nint api(void) { return 1; }\n")
    run_initgate("rewrite", "--init", "lib_init", "-o", tmp_path / "out", source)
    rewritten = tmp_path / "out" / "lib.c"
    if drop_init_note:
        # What an initgate from before the init note wrote.
        text = rewritten.read_text()
        rewritten.write_text(text[:text.index("__asm__(\".pushsection .note.initgate")])
    runtime = tmp_path / "rt.o"
    run_initgate("runtime", "-o", runtime)
    lib = tmp_path / "lib.so"
    run(["gcc", "-shared", "-fPIC", "-o", lib, rewritten, runtime, "-lpthread"])
    run_initgate("patch-elf", lib)
    return lib


def test_without_an_init_note_the_init_function_counts_as_ungated(tmp_path):
    lib = gated_from_source(tmp_path, drop_init_note=True)
    proc = verify(lib)
    assert proc.returncode == 1
    assert lines_about(proc, "lib_init")[0][0] == "FAIL"
    proc = verify(lib, "--manifest", manifest(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert lines_about(proc, "lib_init")[0][0] == "init"


def test_unpatched_library_fails(tmp_path):
    proc = verify(built(tmp_path, patch=False), "--manifest", manifest(tmp_path))
    assert proc.returncode == 1
    assert lines_about(proc, "library islibrary")[0][0] == "FAIL"
    assert lines_about(proc, "library init_array entry")[0][0] == "FAIL"


def test_stripped_library_still_checks(tmp_path):
    lib = built(tmp_path)
    run(["strip", "--strip-all", lib])
    proc = verify(lib, "--manifest", manifest(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert lines_about(proc, "add")[0][0] == "gated"


def test_unoptimized_code_is_recognized(tmp_path):
    work = str(tmp_path)
    obj = os.path.join(work, "lib_O0.o")
    run(["gcc", "-O0", "-fPIC", "-c", os.path.join(scenarios.HERE, "lib.c"), "-o", obj])
    lib = os.path.join(work, "libO0.so")
    run(["gcc", "-shared", "-o", lib, obj, *scenarios.runtime_objects(work)])
    run_initgate("patch-elf", lib)
    proc = verify(lib, "--manifest", manifest(tmp_path))
    assert proc.returncode == 0, proc.stdout


def test_hazards_are_warned(tmp_path):
    proc = verify(built(tmp_path, extra=("hazards.c",)), "--manifest", manifest(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert ["warn", "free: shadows a C library or loader name: the C library may call it "
            "before init is done"] in lines_about(proc, "free")
    assert lines_about(proc, "library DF_STATIC_TLS")[0][0] == "warn"


def test_function_written_in_assembly_is_named(tmp_path):
    proc = verify(built(tmp_path, extra=("asm_export.c",)), "--manifest", manifest(tmp_path))
    assert proc.returncode == 1
    kind, detail = lines_about(proc, "asm_export")[0]
    assert kind == "FAIL" and "not gated: runs ret at 0x" in detail


# Stack probe loops written by hand (tests/patch/probe_loops.c): the loop
# -fstack-clash-protection emits is gated; each that does more fails, saying why.
LOOP_END = "a loop whose end does not depend on the stack pointer and constants alone"
PROBE_LOOPS = {
    "probe_loop": ("gated", "calls the gate at 0x"),
    "probe_loop_reads_global": ("FAIL", "in a loop, it reads other than the stack"),
    "probe_loop_counts_global": ("FAIL", LOOP_END),
    "probe_loop_counts_argument": ("FAIL", LOOP_END),
    "probe_loop_stores_below": ("FAIL", "may reach 73728 bytes below the stack pointer at "
                                "the entry, outside the function's stack frame"),
    "probe_loop_stores_above": ("FAIL", "may reach 65544 bytes above the stack pointer at "
                                "the entry, outside the function's stack frame"),
    "probe_loop_stores_global": ("FAIL", "runs mov dword ptr [rip + "),
    "probe_loop_calls": ("FAIL", "runs call 0x"),
}


def test_hand_written_probe_loops(tmp_path):
    proc = verify(built(tmp_path, extra=("probe_loops.c",)), "--manifest", manifest(tmp_path))
    assert proc.returncode == 1
    for name, (kind, why) in PROBE_LOOPS.items():
        found = lines_about(proc, name)
        assert found and found[0][0] == kind and why in found[0][1], (name, proc.stdout)
    assert "%d not gated" % (len(PROBE_LOOPS) - 1) in proc.stdout


def test_constructor_linked_after_the_runtime_is_warned(tmp_path):
    work = str(tmp_path)
    objects = [scenarios.compile_object("lib.c", work)[0], *scenarios.runtime_objects(work),
               scenarios.compile_object("late_ctor.c", work)[0]]
    lib = os.path.join(work, "liblate.so")
    run(["gcc", "-shared", "-o", lib, *objects])
    run_initgate("patch-elf", lib)
    proc = verify(lib)
    assert proc.returncode == 0, proc.stdout
    kind, detail = lines_about(proc, "library init_array order")[0]
    assert kind == "warn" and "1 constructor runs after the init thread starts" in detail


def test_slot_outside_the_init_array_fails(tmp_path):
    """DT_INIT_ARRAYSZ cut short of the reserved slot (the last entry): never run."""
    lib = built(tmp_path)
    with ElfFile(lib) as elf:
        entry = elf.dyn_entry(DT_INIT_ARRAYSZ)
    with open(lib, "r+b") as f:
        f.seek(entry.offset + 8)            # ELF64: d_tag, then d_val
        f.write((entry.value - 8).to_bytes(8, "little"))
    proc = verify(lib)
    assert proc.returncode == 1
    kind, detail = lines_about(proc, "library init_array entry")[0]
    assert kind == "FAIL" and "is not in DT_INIT_ARRAY" in detail


def test_bad_manifest_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    proc = verify(built(tmp_path), "--manifest", str(bad))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "not an initgate rewrite manifest" in proc.stderr


def test_not_elf_is_one_line(tmp_path):
    path = tmp_path / "x.so"
    path.write_text("hello")
    proc = verify(str(path))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1
    assert "not an ELF file" in proc.stderr


def ifunc_library(tmp_path, rewrite=True):
    """The ifunc golden case's library, and the manifest rewrite wrote for it;
    `rewrite` False builds it with no gate in any function."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rewrite", "ifunc",
                          "lib.c")
    manifest_path = tmp_path / "manifest.json"
    run_initgate("rewrite", "--init", "lib_init", "-o", tmp_path / "out", "--manifest",
                 manifest_path, source)
    built_from = tmp_path / "out" / "lib.c"
    if not rewrite:
        # The rewritten file with every gate taken out again.
        text = built_from.read_text()
        built_from.write_text(text.replace("{_cgo_wait_runtime_init_done();", "{"))
    runtime = tmp_path / "rt.o"
    run_initgate("runtime", "-o", runtime)
    lib = tmp_path / "lib.so"
    run(["gcc", "-O2", "-shared", "-fPIC", "-o", lib, built_from, runtime, "-lpthread"])
    run_initgate("patch-elf", lib)
    return lib, str(manifest_path)


def test_ifunc_is_checked_through_the_functions_it_may_return(tmp_path):
    lib, manifest_path = ifunc_library(tmp_path)
    proc = verify(lib, "--manifest", manifest_path)
    assert proc.returncode == 0, proc.stdout
    kind, detail = lines_about(proc, "lib_sum")[0]
    assert kind == "gated" and "sum_unrolled" in detail, detail
    assert lines_about(proc, "lib_mul_fast")[0][0] == "gated"
    kind, detail = lines_about(proc, "lib_resolve_mul")[0]
    assert kind == "ungated" and "resolver of ifunc lib_mul_fast" in detail, detail

    # The file's ifunc notes say it without the manifest.
    proc = verify(lib)
    assert proc.returncode == 0, proc.stdout
    assert lines_about(proc, "lib_sum")[0][0] == "gated"

    run(["strip", "--strip-all", lib])
    proc = verify(lib, "--manifest", manifest_path)
    kind, detail = lines_about(proc, "lib_sum")[0]
    assert kind == "FAIL" and "stripped" in detail, detail


def test_ifunc_no_rewrite_saw_fails(tmp_path):
    # A gated library, and one more object that never went through rewrite.
    source = tmp_path / "lib.c"
    source.write_text("int lib_init(void) { return 0; }\n")
    run_initgate("rewrite", "--init", "lib_init", "-o", tmp_path / "out", source)
    other = tmp_path / "other.c"
    other.write_text("static int f(void) { return 1; }\n"
                     "static int (*pick(void))(void) { return f; }\n"
                     "int api(void) __attribute__((ifunc(\"pick\")));\n")
    runtime = tmp_path / "rt.o"
    run_initgate("runtime", "-o", runtime)
    lib = tmp_path / "lib.so"
    run(["gcc", "-shared", "-fPIC", "-o", lib, tmp_path / "out" / "lib.c", other, runtime,
         "-lpthread"])
    run_initgate("patch-elf", lib)
    proc = verify(lib)
    assert proc.returncode == 1
    kind, detail = lines_about(proc, "api")[0]
    assert kind == "FAIL" and "no initgate rewrite saw" in detail, detail


def test_ifunc_returning_ungated_code_fails(tmp_path):
    lib, manifest_path = ifunc_library(tmp_path, rewrite=False)
    proc = verify(lib, "--manifest", manifest_path)
    assert proc.returncode == 1
    kind, detail = lines_about(proc, "lib_sum")[0]
    assert kind == "FAIL" and "not gated" in detail, detail
