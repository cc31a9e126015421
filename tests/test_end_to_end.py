"""The whole pipeline as a user runs it, on the host's own architecture.

held.c is rewritten, compiled, linked with the runtime and patched by the
`initgate` commands; host.c then holds init on a pipe, shows dlopen has
returned, that callers on several threads are asleep at the gate, and that
all of them see the initialized state once the test releases init.
"""

import os

import pytest

from conftest import run, run_initgate

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e")
CFLAGS = ["-O2", "-g", "-Wall", "-Wextra", "-Werror"]


def build_pipeline(tmp_path, patch=True):
    gated = tmp_path / "gated"
    run_initgate("rewrite", "--init", "held_init", "-o", gated,
                 os.path.join(HERE, "held.c"), "--", *CFLAGS, cwd=tmp_path)
    obj = tmp_path / "held.o"
    run(["cc", *CFLAGS, "-fPIC", "-c", gated / "held.c", "-o", obj])
    runtime = tmp_path / "initgate_rt.o"
    run_initgate("runtime", "--cc", "cc", "-o", runtime)
    lib = tmp_path / "libheld.so"
    run(["cc", "-shared", "-o", lib, obj, runtime, "-lpthread"])
    if patch:
        run_initgate("patch-elf", lib)
    return lib


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    exe = tmp_path_factory.mktemp("host") / "host"
    run(["cc", "-O2", "-Wall", "-o", exe, os.path.join(HERE, "host.c"), "-ldl", "-lpthread"])
    return exe


@pytest.mark.parametrize("symbol", ["held_value", "held_value_alias", "held_value_ifunc"])
@pytest.mark.parametrize("patch", [True, False], ids=["patched", "unpatched"])
def test_gate_holds_callers_until_init_is_released(tmp_path, host, patch, symbol):
    lib = build_pipeline(tmp_path, patch=patch)
    env = dict(os.environ, HELD_SYMBOL=symbol)
    if patch:
        proc = run([host, lib, "8"], timeout=120, env=env)
        held = "8 callers blocked at the gate"
    else:
        # Nothing started init at load time: one caller claims it and runs it.
        proc = run([host, lib, "8", "lazy"], timeout=120, env=env)
        held = "1 caller running init, 7 blocked at the gate"
    assert proc.stdout.splitlines() == [
        "dlopen returned while init is held",
        held,
        "8 callers saw the initialized state",
    ]


def test_rewrite_gates_exported_functions_only(tmp_path):
    run_initgate("rewrite", "--init", "held_init", "-o", tmp_path / "out",
                 os.path.join(HERE, "held.c"), cwd=tmp_path)
    text = (tmp_path / "out" / "held.c").read_text()
    body = text.split('#line 1 "', 1)[1]
    assert "int held_value(void)\n{_cgo_wait_runtime_init_done();" in body
    assert "int held_twice_value(void)\n{_cgo_wait_runtime_init_done();" in body
    assert "int held_init(void)\n{\n" in body
    assert "static int twice(int x)\n{\n" in body


def test_gated_library_exports_nothing_of_initgate(tmp_path):
    lib = build_pipeline(tmp_path)
    proc = run(["nm", "-D", "--defined-only", lib])
    names = {line.split()[-1] for line in proc.stdout.splitlines() if line.strip()}
    assert {"held_init", "held_value", "held_twice_value", "held_value_alias",
            "held_value_ifunc"} <= names
    leaked = sorted(n for n in names if "initgate" in n or n.startswith(("_cgo", "x_cgo")))
    assert leaked == []
