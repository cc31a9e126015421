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


def note_rt0_fields(gcc, name):
    """(the library's bytes, the file offsets of the note's two rt0 words)."""
    path = gcc.held(name=name, patch=False)
    with open(path, "rb") as f:
        data = bytearray(f.read())
    with ElfFile(path) as elf:
        desc = read_note(elf).desc_offset
    return data, desc + 16, desc + 40


def patched(data, tmp_path):
    """patch_library on a library of bytes `data`: its output's path."""
    lib, out = str(tmp_path / "lib.so"), str(tmp_path / "out.so")
    with open(lib, "wb") as f:
        f.write(data)
    try:
        patch_library(lib, out)
    except InitgateError:
        assert not os.path.exists(out)      # a refused patch writes nothing
        raise
    return out


def test_a_note_whose_rt0_points_outside_the_code_is_refused(gcc, tmp_path):
    # Found by the fuzz run (seed 2, input 133): the high half of the note's
    # rt0 offset changed.  Reproducer: any unpatched gated library, with both
    # copies of rt0 changed alike, so that they agree.
    data, *fields = note_rt0_fields(gcc, "libheld_rt0")
    for field in fields:
        data[field + 2:field + 4] = struct.pack("<H", 0x9E30)
    with pytest.raises(InitgateError, match="outside the library's code"):
        patched(data, tmp_path)


@pytest.mark.parametrize("copy", [0, 1])
def test_a_note_whose_rt0_points_elsewhere_in_the_code_is_refused(gcc, tmp_path, copy):
    # Found by the full fuzz run (seed 1, input 550): one bit of the note's
    # rt0 flipped, so that it still lands in the code, mid-function.  The
    # patched library's loader jumped there and died of SIGILL.
    data, *fields = note_rt0_fields(gcc, "libheld_rt0_again")
    data[fields[copy] + 1] ^= 0x08
    with pytest.raises(InitgateError, match="gives _initgate_rt0_lib two addresses"):
        patched(data, tmp_path)


def test_a_note_from_before_the_second_rt0_is_still_read(gcc, tmp_path):
    data, first, _second = note_rt0_fields(gcc, "libheld_ten_words")
    # n_descsz, n_type, then "initgate\0" padded to 12 bytes come before the descriptor.
    descsz = first - 16 - 20
    assert struct.unpack_from("<I", data, descsz) == (44,)
    struct.pack_into("<I", data, descsz, 40)
    with ElfFile(patched(data, tmp_path)) as elf:
        assert read_note(elf).islibrary == 1
