"""The skipped-body parse (`rewrite_file(..., skip_bodies=True)`, what
`initgate cc` uses) must give the very bytes and records the full parse gives.

It finds each `{` in the text after the declarator instead of in the tree
(passes/braces.py) and falls back to the full parse when the text is not
plain; these tests run both parses on the golden cases, on the reliability
corpus and on shapes chosen to tempt the brace finder, and compare.  The one
intended difference, an error inside a function body, is checked too.
"""

import os
import shlex
import sys

import pytest

from initgate.errors import InitgateError, SourceError
from initgate.passes import braces
from initgate.passes.rewrite import load_exports, make_options, rewrite_file, rewrite_units
from initgate.runtime_c import SOURCE_DIR

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "rewrite")
sys.path.insert(0, os.path.join(HERE, "reliability"))
import rewrite_corpus  # noqa: E402

INIT = b"int lib_init(void) { return 0; }\n"

# Bodies with an error: the full parse refuses them, the skipped one cannot see it.
BODY_ERRORS = {"parse_error", "parse_error_cc", "unbalanced open brace",
               "unbalanced close brace"}


def outcome(units, options):
    """What a run gives: every file's bytes and the records, or the error text."""
    try:
        result = rewrite_units(units, options)
    except InitgateError as err:
        return "error: %s" % err
    return ({path: out.text for path, out in result.files.items()},
            result.gated, result.ungated, result.init_file)


def both(units, **settings):
    full = outcome(units, make_options(skip_bodies=False, **settings))
    skipped = outcome(units, make_options(skip_bodies=True, **settings))
    return full, skipped


def golden_units(scenario):
    case = os.path.join(GOLDEN, scenario)
    with open(os.path.join(case, "args"), encoding="utf-8") as source:
        words = shlex.split(source.read().replace("@RUNTIME_C@", str(SOURCE_DIR)))
    flags = []
    if "--" in words:
        words, flags = words[:words.index("--")], words[words.index("--") + 1:]

    def value(option):
        return words[words.index(option) + 1] if option in words else None

    files = [w for w in words if w.endswith(".c")]
    settings = dict(
        init_name=value("--init"),
        ungated=[words[i + 1] for i, w in enumerate(words) if w == "--ungated"],
        exports=load_exports(os.path.join(case, value("--exports")))
        if value("--exports") else None,
        root=os.path.join(case, value("--root")) if value("--root")
        else os.path.commonpath([os.path.dirname(os.path.join(case, f)) for f in files]),
        continue_on_macro_brace="--skip-macro-braces" in words)
    return case, [(f, flags) for f in files], settings


@pytest.mark.parametrize("scenario", sorted(
    d for d in os.listdir(GOLDEN) if os.path.isdir(os.path.join(GOLDEN, d))))
def test_golden_cases_agree(scenario, monkeypatch):
    case, units, settings = golden_units(scenario)
    monkeypatch.chdir(case)
    full, skipped = both(units, **settings)
    if scenario in BODY_ERRORS:
        assert str(full).startswith("error: ") and not str(skipped).startswith("error: ")
    else:
        assert skipped == full


def corpus_units(name, tmp_path, monkeypatch):
    """The reliability corpus's case `name` written into tmp_path, the
    current folder: its .c files as units with no flags."""
    files, _expected = rewrite_corpus.CASES[name]
    for relative, data in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return [(relative, []) for relative in sorted(files) if relative.endswith(".c")]


@pytest.mark.parametrize("name", sorted(rewrite_corpus.CASES))
def test_reliability_corpus_agrees(name, tmp_path, monkeypatch):
    units = corpus_units(name, tmp_path, monkeypatch)
    full, skipped = both(units, init_name="lib_init", root=str(tmp_path))
    if name in BODY_ERRORS:
        assert str(full).startswith("error: ")
    else:
        assert skipped == full


# Shapes between a declarator and its brace, each after the init function.
TEMPTING = {
    "comment holding a brace": b"int api(void) /* { */ { return 1; }\n",
    "line comment holding a brace": b"int api(void) // {\n{ return 1; }\n",
    "comment with a line splice": b"int api(void) /* *\\\n/ { */ { return 1; }\n",
    "line comment continued": b"int api(void) // \\\n{ not code\n{ return 1; }\n",
    "splices": b"int api(void)\\\n\\\r\n{ return 1; }\n",
    "K&R, declarations out of order":
        b"int api(a, b) char *b; int a; { return a + (b != 0); }\n",
    "K&R, one declaration for two": b"int api(a, b) int a, b; /* x */ { return a + b; }\n",
    "K&R, undeclared parameter": b"int api(a) { return a; }\n",
    "K&R, function pointer parameter":
        b"int api(cb) int (*cb)(int); { return cb(1); }\n",
    "attribute after the declarator":
        b"int api(void) __attribute__((noinline, section(\".text.a)b\"))) { return 1; }\n",
    "asm label on a declaration": b"int api(void) __asm__(\"api\");\n"
                                  b"int api(void) { return 1; }\n",
    "macro before the brace": b"#define NOTHING\nint api(void) NOTHING { return 1; }\n",
    "macro opens the body": b"#define BEGIN {\nint api(void) BEGIN return 1; }\n",
    "declarator from a macro": b"#define DECLARE(n) int n(void)\nDECLARE(api) { return 1; }\n",
    "parameters from a macro": b"#define ARGS (int x)\nint api ARGS { return x; }\n",
    "parameters and brace from a macro, then a block":
        b"#define PARAMS (void) {\nint api PARAMS { int x = 1; } return 0; }\n",
    "parameters and brace from a macro, K&R":
        b"#define PARAMS (a) int a; {\nint api PARAMS { a++; } return a; }\n",
    "attribute from a macro after the declarator":
        b"#define USED __attribute__((used))\nint api(void) USED { return 1; }\n",
    "declarator inside a macro argument":
        b"#define SAME(x) x\nint SAME(api(void)) { return 1; }\n",
    "brace chosen by #if": b"int api(void)\n#if 0\n{ return 2; }\n#else\n{ return 1; }\n#endif\n",
    "#pragma before the brace": b"int api(void)\n#pragma GCC diagnostic push\n{ return 1; }\n",
    "digraph": b"int api(void) <% return 1; %>\n",
    "function returning a function pointer":
        b"static int one(void) { return 1; }\nint (*api(void))(void) { return one; }\n",
    "brace in a header": b'int api(void)\n#include "brace.h"\nreturn 1; }\n',
    "definitions on one line": b"int a1(void) { return 1; } int a2(void) { return 2; }\n",
    "static and hidden around": b"static int s(void) { return 1; }\n"
                                b"__attribute__((visibility(\"hidden\"))) int h(void)"
                                b" { return 2; }\nint api(void) { return s() + h(); }\n",
    "prototype after definition": b"int api(void) { return 1; }\nint api(void);\n",
    "name from an object-like macro (Z_PREFIX)":
        b"#define api z_api\nint api(void) { return 1; }\n",
    "prefixed name, declared first": b"#define api z_api\nint api(void);\n"
                                     b"int api(void) { return 1; }\n",
    "prefixed name, K&R": b"#define api z_api\nint api(a) int a; { return a; }\n",
    "prefixed name, attribute macro": b"#define api z_api\n#define USED __attribute__((used))\n"
                                      b"int api(void) USED { return 1; }\n",
    "prefixed name, brace from a macro": b"#define api z_api\n#define BEGIN {\n"
                                         b"int api(void) BEGIN return 1; }\n",
    "name from a macro argument": b"#define SAME(x) x\nint SAME(api)(void) { return 1; }\n",
    "name and parenthesis from a macro": b"#define OPEN api(\nint OPEN void) { return 1; }\n",
    "name from a function-like macro of its own name":
        b"#define api(v) z_api(v)\nint api(void) { return 1; }\n",
    "whole function from a macro": b"#define GETTER(n) int get_##n(void) { return 1; }\n"
                                   b"GETTER(api)\n",
    "name, parameters and brace from a macro": b"#define HEAD(n) n(void) {\n"
                                               b"int HEAD(api) return 1; }\n",
}


@pytest.mark.parametrize("name", sorted(TEMPTING))
def test_tempting_shapes_agree(name, tmp_path, monkeypatch):
    (tmp_path / "lib.c").write_bytes(INIT + TEMPTING[name])
    (tmp_path / "brace.h").write_bytes(b"{\n")
    monkeypatch.chdir(tmp_path)
    full, skipped = both([("lib.c", ["-std=gnu89"])], init_name="lib_init",
                         root=str(tmp_path), continue_on_macro_brace=True)
    assert skipped == full


# An init function that is not exported, declared before it is defined: the
# skipped-body parse must pass over the declaration and find the definition.
UNEXPORTED_INIT = {
    "static": b"static int lib_init(void);\nint api(void) { return lib_init(); }\n"
              b"static int lib_init(void) { return 0; }\n",
    "hidden": b"__attribute__((visibility(\"hidden\"))) int lib_init(void);\n"
              b"int api(void) { return 1; }\n"
              b"__attribute__((visibility(\"hidden\"))) int lib_init(void) { return 0; }\n",
    "static, K&R": b"static int lib_init();\nint api(void) { return 1; }\n"
                   b"static int lib_init() { return 0; }\n",
}


@pytest.mark.parametrize("name", sorted(UNEXPORTED_INIT))
def test_an_unexported_init_is_found_past_its_declaration(name, tmp_path, monkeypatch):
    (tmp_path / "lib.c").write_bytes(UNEXPORTED_INIT[name])
    monkeypatch.chdir(tmp_path)
    full, skipped = both([("lib.c", ["-std=gnu89"])], init_name="lib_init",
                         root=str(tmp_path))
    assert isinstance(full, tuple) and full[-1] == "lib.c", full
    assert skipped == full


def test_body_errors_are_left_to_the_compiler(tmp_path):
    source = tmp_path / "lib.c"
    source.write_bytes(INIT + b"int api(void) { return undeclared; }\n")
    with pytest.raises(SourceError, match="undeclared"):
        rewrite_file(str(source), [], "lib_init")
    result = rewrite_file(str(source), [], "lib_init", skip_bodies=True)
    assert [d.name for d in result.gated] == ["api"]


def test_errors_outside_bodies_are_still_reported(tmp_path):
    source = tmp_path / "lib.c"
    source.write_bytes(INIT + b"int api(void) { return 1; }\nunknown_type x;\n")
    with pytest.raises(SourceError, match=r"lib.c:3:1: error: unknown type name"):
        rewrite_file(str(source), [], "lib_init", skip_bodies=True)


@pytest.mark.parametrize("text, start, expected", [
    (b") {", 1, 2),
    (b") ;\n\t{", 1, 5),
    (b") /* } */ {", 1, 10),
    (b") X {", 1, None),
    (b")\n# if 1\n{", 1, None),
    (b") __attribute__((a(\"(\"))) {", 1, 26),
    (b") __attribute__((a) {", 1, None),
    (b") __attribute__ x {", 1, None),
    (b") <%", 1, None),
    (b")", 1, None),
])
def test_find_brace(text, start, expected):
    assert braces.find_brace(text, start) == expected


@pytest.mark.parametrize("text, end, expected", [
    (b"int f(void)", 11, False),
    (b"int f PARAMS", 12, True),
    (b"int f(a) int a", 14, True),
    (b"", 0, False),
])
def test_ends_in_name(text, end, expected):
    assert braces.ends_in_name(text, end) == expected
