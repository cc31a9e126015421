"""Argument classification of `initgate cc`: real command lines from real builds.

Each case is a command line as make, CMake, Meson, libtool or a configure
script runs it, with what the wrapper must conclude: what the driver does,
which inputs are C sources to gate, and where the output and dependency
file go.
"""

import pytest

from initgate.cc_args import (
    classify, default_dep_file, expand_response_files, split_compiler,
    split_response_file, target_flags)


def words(line):
    return line.split()


CASES = [
    # (command line, mode, C sources, output, pic, shared)
    ("-O2 -fPIC -c adler32.c -o objs/adler32.o", "compile", ["adler32.c"], "objs/adler32.o",
     True, False),
    ("-O2 -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN -I. -c -o adler32.o adler32.c", "compile",
     ["adler32.c"], "adler32.o", False, False),
    # CMake's Makefile generator.
    ("-DLIB_EXPORTS -I/src/include -O2 -g -fPIC -o CMakeFiles/lib.dir/a.c.o -c /src/a.c",
     "compile", ["/src/a.c"], "CMakeFiles/lib.dir/a.c.o", True, False),
    # CMake's Ninja generator: -MD -MT -MF before the source.
    ("-Dx_EXPORTS -fPIC -MD -MT CMakeFiles/x.dir/a.c.o -MF CMakeFiles/x.dir/a.c.o.d "
     "-o CMakeFiles/x.dir/a.c.o -c /src/a.c", "compile", ["/src/a.c"],
     "CMakeFiles/x.dir/a.c.o", True, False),
    # Meson.
    ("-Ilibfoo.so.p -I. -I.. -fdiagnostics-color=always -D_FILE_OFFSET_BITS=64 -Wall "
     "-Winvalid-pch -O0 -g -fPIC -MD -MQ libfoo.so.p/foo.c.o -MF libfoo.so.p/foo.c.o.d "
     "-o libfoo.so.p/foo.c.o -c ../foo.c", "compile", ["../foo.c"], "libfoo.so.p/foo.c.o",
     True, False),
    ("-o libfoo.so libfoo.so.p/foo.c.o -Wl,--as-needed -Wl,--no-undefined -shared -fPIC "
     "-Wl,--start-group -Wl,-soname,libfoo.so -Wl,--end-group", "link", [], "libfoo.so",
     True, True),
    # libtool, the PIC half and the static half of one source.
    ("-DHAVE_CONFIG_H -I. -I.. -g -O2 -MT dump.lo -MD -MP -MF .deps/dump.Tpo -c dump.c "
     "-fPIC -DPIC -o .libs/dump.o", "compile", ["dump.c"], ".libs/dump.o", True, False),
    ("-DHAVE_CONFIG_H -I. -I.. -g -O2 -MT dump.lo -MD -MP -MF .deps/dump.Tpo -c dump.c "
     "-o dump.o", "compile", ["dump.c"], "dump.o", False, False),
    ("-shared -fPIC -DPIC .libs/dump.o .libs/load.o -g -O2 -Wl,-soname -Wl,libjansson.so.4 "
     "-Wl,--version-script -Wl,./jansson.sym -o .libs/libjansson.so.4.14.0", "link", [],
     ".libs/libjansson.so.4.14.0", True, True),
    # Compile and link in one command.
    ("-shared -fPIC -o libx.so a.c b.c -lm", "link", ["a.c", "b.c"], "libx.so", True, True),
    ("-o prog main.c -L. -lfoo", "link", ["main.c"], "prog", False, False),
    # Several sources, no -o.
    ("-fPIC -c a.c sub/b.c", "compile", ["a.c", "sub/b.c"], None, True, False),
    # -x chooses the language of what follows, until -x none.
    ("-fPIC -c -x c foo.inc -x none bar.cpp", "compile", ["foo.inc"], None, True, False),
    ("-fPIC -c -xc++ foo.c", "compile", [], None, True, False),
    ("-fPIC -c -x assembler-with-cpp start.S", "compile", [], None, True, False),
    # Preprocessing, dependency output, syntax checks and information.
    ("-E -dM -", "preprocess", [], None, False, False),
    ("-E foo.c -o foo.i", "preprocess", ["foo.c"], "foo.i", False, False),
    ("-M -fPIC foo.c", "preprocess", ["foo.c"], None, True, False),
    ("-MM foo.c", "preprocess", ["foo.c"], None, False, False),
    ("-fsyntax-only -fPIC foo.c", "preprocess", ["foo.c"], None, True, False),
    ("--version", "info", [], None, False, False),
    ("-dumpmachine", "info", [], None, False, False),
    ("-print-file-name=libgcc.a", "info", [], None, False, False),
    ("-v", "info", [], None, False, False),
    ("-shared -Wl,--version", "info", [], None, False, True),
    ("-Wl,--version", "info", [], None, False, False),
    ("--help=optimizers", "info", [], None, False, False),
    ("-print-prog-name=ld", "info", [], None, False, False),
    ("--print-search-dirs", "info", [], None, False, False),
    ("-dumpfullversion", "info", [], None, False, False),
    ("-Wl,-v", "info", [], None, False, False),
    ("-O2 -Wl,--help -v", "info", [], None, False, False),
    # Other languages are compiled, not asked about: nothing to gate.
    ("-fPIC -c x.c++", "compile", [], None, True, False),
    ("-c start.S", "compile", [], None, False, False),
    ("-o prog start.s -v", "link", [], "prog", False, False),
    ("-fPIC -c -x c++ noext", "compile", [], None, True, False),
    ("-S -fPIC foo.c", "assemble", ["foo.c"], None, True, False),
    # Values that look like files are values.
    ("-fPIC -include config.c -c a.c -MT x.c -o out.o", "compile", ["a.c"], "out.o", True,
     False),
    ("-fPIC -c a.c -Xlinker b.c", "compile", ["a.c"], None, True, False),
    ("-fPIC -fno-PIC -c a.c", "compile", ["a.c"], None, False, False),
    ("-fpic -c a.c -oa.o", "compile", ["a.c"], "a.o", True, False),
    ("-r -o all.o a.o b.o -shared", "link", [], "all.o", False, True),
]


@pytest.mark.parametrize("line,mode,sources,output,pic,shared", CASES,
                         ids=[c[0][:40] for c in CASES])
def test_classify(line, mode, sources, output, pic, shared):
    command = classify(words(line))
    assert command.mode == mode
    assert [s.path for s in command.sources] == sources
    assert command.output == output
    assert command.pic == pic
    assert command.shared == shared


def test_source_indexes_point_at_the_sources():
    args = words("-fPIC -c a.c -o a.o -I inc b.c")
    command = classify(args)
    assert [args[s.index] for s in command.sources] == ["a.c", "b.c"]


def test_stdin_as_c_is_noticed_and_not_gated():
    command = classify(words("-fPIC -x c -c - -o out.o"))
    assert command.stdin_c
    assert command.sources == []
    assert command.mode == "compile"


def test_relocatable_link_is_not_a_library():
    command = classify(words("-r -o all.o a.o b.o"))
    assert command.relocatable and not command.shared


def test_no_libc_link():
    assert classify(words("-shared -nostdlib -o x.so a.o")).no_libc
    assert not classify(words("-shared -o x.so a.o")).no_libc


@pytest.mark.parametrize("line,source,expected", [
    ("-fPIC -MD -c a.c -o obj/a.o", "a.c", "obj/a.d"),
    ("-fPIC -MMD -c src/a.c", "src/a.c", "a.d"),
    ("-fPIC -MD -MF deps/a.dep -c a.c -o a.o", "a.c", "deps/a.dep"),
    ("-fPIC -Wp,-MD,.a.o.d -c a.c -o a.o", "a.c", ".a.o.d"),
    ("-fPIC -c a.c -o a.o", "a.c", None),
])
def test_dependency_file(line, source, expected):
    assert default_dep_file(classify(words(line)), source) == expected


@pytest.mark.parametrize("line,compiler", [
    ("gcc -c a.c", ["gcc"]),
    ("ccache gcc -c a.c", ["ccache", "gcc"]),
    ("/usr/bin/ccache /usr/bin/cc -c a.c", ["/usr/bin/ccache", "/usr/bin/cc"]),
    ("zig cc -target x86_64-linux-musl -c a.c", ["zig", "cc"]),
    ("ccache", ["ccache"]),
])
def test_split_compiler(line, compiler):
    assert split_compiler(words(line))[0] == compiler


def test_response_file_is_expanded(tmp_path):
    rsp = tmp_path / "objs.rsp"
    rsp.write_text('a.o "b c.o" \'d.o\' e\\ f.o\n-shared\n')
    inner = tmp_path / "inner.rsp"
    inner.write_text("@%s -fPIC" % rsp)
    expanded, did = expand_response_files(["-o", "x.so", "@%s" % inner])
    assert did
    assert expanded == ["-o", "x.so", "a.o", "b c.o", "d.o", "e f.o", "-shared", "-fPIC"]
    command = classify(["-o", "x.so", "@%s" % inner])
    assert command.shared and command.mode == "link" and command.expanded


def test_unreadable_response_file_is_an_argument_like_gcc_says():
    assert expand_response_files(["@/no/such/file"]) == (["@/no/such/file"], False)


def test_response_file_quoting():
    assert split_response_file("  ") == []
    assert split_response_file("''") == [""]
    assert split_response_file('-DX="a b" -I\\ dir') == ["-DX=a b", "-I dir"]


def test_target_flags_keep_only_the_target():
    assert target_flags(words("-m32 -O2 -g --sysroot /sys -march=armv7-a -Wall -o x")) == [
        "-m32", "--sysroot", "/sys", "-march=armv7-a"]


def test_language_still_in_force_at_the_end():
    assert classify(words("-shared -o x.so -x c a.inc")).language_at_end == "c"
    assert classify(words("-shared -o x.so -x c a.inc -x none")).language_at_end is None
    assert classify(words("-shared -o x.so a.c")).language_at_end is None
