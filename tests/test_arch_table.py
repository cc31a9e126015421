"""The test-side toolchain table agrees with the script that installs it.

tests/install_toolchains.sh must install exactly the packages that
tests/arch/toolchains.py names for the cross architectures, plus musl-tools,
and never gcc-multilib, which would remove the cross compilers.
"""

import os
import re

from arch.toolchains import ARCHES, MUSL_PACKAGE, toolchain
from conftest import REPO
from initgate.linker import targets

SCRIPT = os.path.join(REPO, "tests", "install_toolchains.sh")


def script_packages():
    text = open(SCRIPT).read()
    block = re.search(r'^PACKAGES="(.*?)"', text, re.S | re.M).group(1)
    return set(block.split())


def test_install_script_installs_exactly_the_table():
    # x86_64 is the machine's own gcc and libc, which the script leaves alone.
    wanted = {p for arch in ARCHES if arch != "x86_64" for p in toolchain(arch).packages}
    wanted.add(MUSL_PACKAGE)
    assert script_packages() == wanted


def test_install_script_never_installs_gcc_multilib():
    assert not any("multilib" in p for p in script_packages())
    assert "multilib" not in re.sub(r"#.*", "", open(SCRIPT).read())


def test_every_target_has_a_toolchain_row_and_glue():
    assert set(ARCHES) == {t.arch for t in targets.TARGETS}
    for arch in ARCHES:
        for ext in (".S", ".h"):
            assert os.path.isfile(os.path.join(REPO, "runtime_c", "arch", arch + ext))
