"""The no-libc runtime never touches thread-local storage, on any architecture.

clone0 starts the init thread without a TLS area of its own: the thread
keeps the thread pointer of whichever thread loaded the library, so any
TLS access on it (errno, a stack protector's canary, a __thread variable)
would read or write another thread's data.  So the object that
`initgate runtime --no-libc` builds must hold nothing of TLS, for every
architecture the project builds (tests/arch/toolchains.py):

- readelf: no TLS relocation, no TLS symbol, no TLS section;
- the target's own objdump: no instruction that reads the thread pointer.

Each check first runs on a small object that does use TLS, so a pattern
that matched nothing on some architecture would fail here, not pass.
"""

import re
import subprocess

import pytest

from arch.toolchains import ARCHES, require
from conftest import run
from initgate.linker.runtime_build import build_runtime

# How each architecture's code reads its thread pointer, as objdump prints it.
THREAD_POINTER = {
    "x86_64": r"%[fg]s:",
    "i386": r"%[fg]s:",
    "aarch64": r"\btpidr_el0\b",
    "arm": r"\bmrc\s+(p)?15, 0, \w+, cr13, cr0, \{3\}|__aeabi_read_tp",
    "ppc64le": r"\br13\b",
    "riscv64": r"\btp\b",
    "s390x": r"%a[01]\b",
}

# TLS relocation names on every architecture: R_X86_64_TPOFF32, R_386_TLS_GD,
# R_AARCH64_TLSDESC_*, R_PPC64_TPREL16_HA, R_RISCV_TLS_GD_HI20, R_390_TLS_*...
TLS_RELOCATION = r"\bR_\w*(TLS|TPREL|TPOFF|DTP)\w*"

USES_TLS = "__thread int counter;\nint next_count(void) { return ++counter; }\n"


def tls_uses(chain, obj):
    """Every sign of TLS in the object file `obj`, one string each."""
    found = []
    relocations = run(["readelf", "-rW", obj]).stdout
    found += sorted(set(m.group(0) for m in re.finditer(TLS_RELOCATION, relocations)))
    symbols = run(["readelf", "-sW", obj]).stdout
    found += ["symbol " + line.split()[-1] for line in symbols.splitlines()
              if line.split()[3:4] == ["TLS"]]
    sections = run(["readelf", "-SW", obj]).stdout
    found += ["section " + name for name in re.findall(r"\] (\.t(?:data|bss)\S*)", sections)]

    objdump = subprocess.run([*chain.cc, "-print-prog-name=objdump"], capture_output=True,
                             text=True, check=True).stdout.strip()
    code = run([objdump, "-d", "--no-show-raw-insn", obj]).stdout
    found += [line.strip() for line in code.splitlines()
              if re.search(THREAD_POINTER[chain.arch], line.split(":", 1)[-1])]
    return found


def test_every_architecture_has_a_thread_pointer_pattern():
    assert sorted(THREAD_POINTER) == sorted(ARCHES)


@pytest.mark.parametrize("arch", ARCHES)
def test_no_libc_runtime_holds_no_tls(arch, tmp_path):
    chain = require(arch)

    # The control: local-exec reads the thread pointer on every target.
    source = tmp_path / "uses_tls.c"
    source.write_text(USES_TLS)
    control = tmp_path / "uses_tls.o"
    run([*chain.cc, "-O2", "-fPIC", "-ftls-model=local-exec", "-c", source, "-o", control])
    control_found = tls_uses(chain, control)
    assert any(not f.startswith(("R_", "symbol ", "section ")) for f in control_found), (
        "%s: the thread pointer pattern missed %s" % (arch, control_found))
    assert any(f.startswith("R_") for f in control_found), control_found

    runtime = build_runtime(chain.cc, tmp_path / "rt.o", no_libc=True)
    assert tls_uses(chain, runtime) == []
