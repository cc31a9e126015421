"""patch-elf and verify on mutated and truncated real libraries
(tests/reliability/fuzz.py), in process and through the commands."""

import os
import struct
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "reliability"))
import fixtures  # noqa: E402
import fuzz  # noqa: E402
import suite  # noqa: E402

from initgate.errors import InitgateError  # noqa: E402
from initgate.linker.elf import ElfFile  # noqa: E402
from initgate.linker.note import read_note  # noqa: E402
from initgate.linker.patch import patch_library  # noqa: E402

SEED = int(os.environ.get("INITGATE_RELIABILITY_SEED", "1"))


@pytest.fixture(scope="module")
def gcc(tmp_path_factory):
    return fixtures.gcc_builder(tmp_path_factory)


def test_fuzzed_libraries_never_crash_hang_or_damage(gcc):
    outcome = fuzz.fuzz(gcc, seed=SEED, count=suite.QUICK["fuzz_inputs"],
                        load_sample=suite.QUICK["fuzz_load"])
    print(outcome.tried, "|", outcome.notes)
    assert outcome.held, outcome.explain()


def test_fuzzed_libraries_through_the_commands(gcc):
    outcome = fuzz.cli_sample(gcc, seed=SEED, count=suite.QUICK["cli_inputs"])
    assert outcome.held, outcome.explain()


def test_a_note_whose_rt0_points_outside_the_code_is_refused(gcc, tmp_path):
    # Found by the fuzz run (seed 2, input 133): the high half of the note's
    # rt0 offset changed.  Reproducer: any unpatched gated library.
    lib = str(tmp_path / "lib.so")
    with open(gcc.held(name="libheld_rt0", patch=False), "rb") as f:
        data = bytearray(f.read())
    with ElfFile(gcc.held(name="libheld_rt0", patch=False)) as elf:
        rt0_field = read_note(elf).desc_offset + 16
    data[rt0_field + 2:rt0_field + 4] = struct.pack("<H", 0x9E30)
    with open(lib, "wb") as f:
        f.write(data)
    out = str(tmp_path / "out.so")
    with pytest.raises(InitgateError, match="outside the library's code"):
        patch_library(lib, out)
    assert not os.path.exists(out)
