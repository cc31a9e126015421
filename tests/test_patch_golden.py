"""patch-elf on what real builds produce: golden dumps, with readelf as a witness.

Each scenario of tests/patch/scenarios.py is linked, patched, and described
before and after (linker/describe.py); the text must equal
tests/patch/golden/SCENARIO.txt, which also records the commands that built
the input.  INITGATE_UPDATE_GOLDEN=1 rewrites the files, to be read by hand.
The system `readelf` then confirms the same facts from its own parse.
"""

import os
import re
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "patch"))
import scenarios  # noqa: E402

from conftest import require_tool, run_initgate  # noqa: E402
from initgate.linker import targets  # noqa: E402
from initgate.linker.describe import describe  # noqa: E402

GOLDEN = os.path.join(scenarios.HERE, "golden")


def build_or_skip(name, tmp_path):
    missing = scenarios.tool_missing(scenarios.SCENARIOS[name])
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    return scenarios.build(name, str(tmp_path))


def readelf(*args):
    return subprocess.run(["readelf", "-W", *args], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.parametrize("name", sorted(scenarios.SCENARIOS))
def test_golden(name, tmp_path):
    require_tool("readelf", "binutils")
    lib, commands = build_or_skip(name, tmp_path)
    before = describe(lib)
    run_initgate("patch-elf", lib)
    after = describe(lib)
    text = "# built by\n%s\n\n# before patch-elf\n%s\n# after patch-elf\n%s" % (
        commands, before, after)

    path = os.path.join(GOLDEN, name + ".txt")
    if os.environ.get("INITGATE_UPDATE_GOLDEN") == "1":
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        assert text == f.read()

    witness_readelf(lib, after, stripped=scenarios.SCENARIOS[name].strip_first)


def witness_readelf(lib, after, stripped, target=targets.by_arch("x86_64")):
    """The system readelf sees the same dynamic tags, flags, slot and islibrary.

    binutils' readelf reads every architecture's files, whatever the host.
    """
    dynamic = readelf("-d", lib)
    tags = re.findall(r"^\s*0x[0-9a-f]+ \((\w+)\)", dynamic, re.M)
    ours = re.search(r"^dynamic: (.*)$", after, re.M).group(1).split()
    assert [t for t in tags if t != "NULL"] == ours
    if "nodelete: yes" in after:
        assert re.search(r"\(FLAGS_1\)\s+Flags:.*\bNODELETE\b", dynamic)

    # islibrary is the third word of the note's descriptor, in the file's byte order.
    order = "big" if target.big_endian else "little"
    notes = readelf("-n", lib)
    # The runtime's note is type 1, which readelf names NT_VERSION for an unknown owner.
    data = re.search(r"^\s*initgate\s+0x0000002c\s+NT_VERSION.*description data: "
                     r"([0-9a-f ]+)$", notes, re.M)
    assert data.group(1).split()[8:12] == ["%02x" % b for b in (1).to_bytes(4, order)]

    if stripped:
        return
    symbols = readelf("-s", lib)
    rt0 = int(re.search(r"^\s*\d+: ([0-9a-f]+) .* _initgate_rt0_lib$", symbols, re.M)
              .group(1), 16)
    relocs = readelf("-r", lib)
    init = re.search(r"\[\s*\d+\] \.init_array\s+INIT_ARRAY\s+([0-9a-f]+) ([0-9a-f]+) "
                     r"([0-9a-f]+)", readelf("-S", lib))
    start, size = int(init.group(1), 16), int(init.group(3), 16)
    # A RELA relocation in the array with rt0 as its addend, or a slot holding rt0.
    addends = [int(m.group(2), 16) for m in re.finditer(
        r"^([0-9a-f]+)\s+[0-9a-f]+\s+%s\s+([0-9a-f]+)$" % target.relative_name, relocs, re.M)
        if start <= int(m.group(1), 16) < start + size]
    # The array's bytes as the file holds them, read back as words of its width and order.
    words = bytes.fromhex("".join(re.findall(r"^\s*0x[0-9a-f]+ ((?:[0-9a-f]{8} ?){1,4})",
                                             readelf("-x", ".init_array", lib), re.M))
                          .replace(" ", ""))
    width = target.elf_class // 8
    slot_words = [int.from_bytes(words[i:i + width], order) for i in range(0, len(words), width)]
    assert rt0 in addends or rt0 in slot_words
