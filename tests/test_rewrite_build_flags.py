"""The build's flags as `initgate rewrite` reads them: what -Wp, and
-Xpreprocessor pass, response files (`@file`), and compile_commands.json
entries that use both, relative to their own directory.  The golden cases
preprocessor_flags and response_file run the same from the command line."""

import json
import os

from conftest import run_initgate
from initgate.passes import compile_db, toolchain

LIB = "int lib_init(void) { return 0; }\n"


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_wp_options_are_read_as_plain_flags():
    assert toolchain.plain_flags(["-O2", "-Wp,-DA,-UB,-Iinc", "-c"]) == \
        ["-O2", "-DA", "-UB", "-Iinc", "-c"]


def test_xpreprocessor_options_are_read_as_plain_flags():
    assert toolchain.plain_flags(["-Xpreprocessor", "-DA", "-Xpreprocessor", "-I",
                                  "-Xpreprocessor", "inc", "-g"]) == ["-DA", "-I", "inc", "-g"]


def test_dependency_options_passed_to_the_preprocessor_are_left_out():
    flags = toolchain.plain_flags(["-Wp,-MD,lib.d", "-Wp,-MMD,x.d,-DA", "-Wp,-MP",
                                   "-Xpreprocessor", "-MF", "-Xpreprocessor", "y.d"])
    assert flags == ["-DA"]


def test_the_parse_sees_wp_defines():
    parse = toolchain.parse_flags(["-Wp,-DHIDE", "-Wp,-Iinc"])
    assert "-DHIDE" in parse and "-Iinc" in parse


def compile_commands(tmp_path, arguments):
    write(tmp_path / "build/compile_commands.json", json.dumps(
        [{"directory": str(tmp_path / "build"), "file": "../src/lib.c",
          "arguments": arguments}]))


def test_an_entrys_response_files_are_read_in_its_directory(tmp_path):
    write(tmp_path / "build/args.rsp", "-I../inc '-DNAME=\"a b\"' @more.rsp @missing.rsp\n")
    write(tmp_path / "build/more.rsp", "-DHIDE\n")
    write(tmp_path / "src/lib.c", LIB)
    compile_commands(tmp_path, ["gcc", "@args.rsp", "-c", "../src/lib.c"])
    [(path, flags, compiler, name, folders)] = compile_db.load(str(tmp_path / "build"))
    assert path == str(tmp_path / "src/lib.c")
    assert name == "../src/lib.c"
    assert flags == ["-I" + str(tmp_path / "build/../inc"), '-DNAME="a b"', "-DHIDE",
                     "@missing.rsp", "-c"]
    assert folders == {str(tmp_path / "build/../inc"): "../inc"}


def test_an_entrys_preprocessor_include_paths_are_made_absolute(tmp_path):
    write(tmp_path / "src/lib.c", LIB)
    compile_commands(tmp_path, ["gcc", "-Wp,-I../inc,-DX", "-Xpreprocessor", "-I",
                                "-Xpreprocessor", "../inc2", "-c", "../src/lib.c"])
    [(_, flags, _, _, _)] = compile_db.load(str(tmp_path / "build"))
    assert flags == ["-I" + str(tmp_path / "build/../inc"), "-DX",
                     "-I", str(tmp_path / "build/../inc2"), "-c"]


def test_an_entrys_sysroot_and_forced_includes_are_made_absolute(tmp_path):
    write(tmp_path / "src/lib.c", LIB)
    compile_commands(tmp_path, ["gcc", "--sysroot=sys", "-isysroot", "sys2", "-include",
                                "cfg.h", "-iquote/abs", "-c", "../src/lib.c"])
    [(_, flags, _, _, folders)] = compile_db.load(str(tmp_path / "build"))
    build = str(tmp_path / "build")
    assert flags == ["--sysroot=" + build + "/sys", "-isysroot", build + "/sys2",
                     "-include", build + "/cfg.h", "-iquote/abs", "-c"]
    # A sysroot's headers are the system's: no `#line` names them.
    assert folders == {build + "/cfg.h": "./cfg.h"}


def test_a_build_whose_flags_are_in_response_files(tmp_path):
    write(tmp_path / "inc/cfg.h", "#define CFG 1\n")
    write(tmp_path / "src/lib.c", '#include "cfg.h"\n' + LIB +
          "#ifdef HIDE\nstatic\n#endif\nint lib_f(void) { return CFG; }\n"
          "int lib_g(void) { return lib_f(); }\n")
    write(tmp_path / "build/args.rsp", "-I../inc @more.rsp\n")
    write(tmp_path / "build/more.rsp", "-DHIDE\n")
    compile_commands(tmp_path, ["gcc", "@args.rsp", "-c", "../src/lib.c", "-o", "lib.o"])
    run_initgate("rewrite", "--init", "lib_init", "-p", "build", "-o", "out",
                 "--manifest", "m.json", cwd=tmp_path)
    gated = [e["name"] for e in json.loads((tmp_path / "m.json").read_text())["gated"]]
    assert gated == ["lib_g"]


def test_response_files_on_the_command_line_are_read_in_the_working_folder(tmp_path):
    write(tmp_path / "inc/cfg.h", "#define CFG 1\n")
    write(tmp_path / "lib.c", '#include "cfg.h"\n' + LIB +
          "#ifdef HIDE\nstatic\n#endif\nint lib_f(void) { return CFG; }\n")
    write(tmp_path / "flags.rsp", "-Iinc \"-DHIDE\"\n")
    run_initgate("rewrite", "--init", "lib_init", "-o", "out", "--manifest", "m.json",
                 "lib.c", "--", "@flags.rsp", cwd=tmp_path)
    assert json.loads((tmp_path / "m.json").read_text())["gated"] == []
    assert os.path.exists(tmp_path / "out/inc/cfg.h")
