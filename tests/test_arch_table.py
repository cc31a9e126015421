"""The test-side toolchain table agrees with the script that installs it.

tests/install_toolchains.sh must install exactly the packages that
tests/arch/toolchains.py names for the cross architectures, for musl and for
gcc -m32, fetch exactly the loaders it names from another release into the
folder it looks in, and never install gcc-multilib, which would remove the
cross compilers.
"""

import os
import re

from arch.toolchains import ARCHES, DEBIAN_ARCH, MUSL, MUSL_ROOTS, gcc_m32, toolchain
from conftest import REPO
from initgate.linker import targets

SCRIPT = os.path.join(REPO, "tests", "install_toolchains.sh")


def script_variable(name):
    text = open(SCRIPT).read()
    return re.search(r'^%s="(.*?)"' % name, text, re.S | re.M).group(1)


def script_packages():
    return set(script_variable("PACKAGES").split())


def test_install_script_installs_exactly_the_table():
    # x86_64's glibc is the machine's own gcc and libc, which the script leaves alone.
    wanted = {p for arch in ARCHES if arch != "x86_64" for p in toolchain(arch).packages}
    wanted |= {p for arch in ARCHES for p in toolchain(arch, "musl").packages}
    wanted |= set(gcc_m32().packages)
    assert script_packages() == wanted


def test_install_script_fetches_exactly_the_loaders_of_other_releases():
    wanted = {"%s:%s" % (DEBIAN_ARCH[arch], row[2]) for arch, row in MUSL.items() if row[2]}
    assert set(script_variable("FETCHED").split()) == wanted
    home = os.path.expanduser("~")
    assert script_variable("MUSL_ROOTS").replace("$HOME", home) == MUSL_ROOTS


def test_install_script_never_installs_gcc_multilib():
    assert not any("multilib" in p for p in script_packages())
    assert "multilib" not in re.sub(r"#.*", "", open(SCRIPT).read())


def test_every_target_has_a_toolchain_row_and_glue():
    assert set(ARCHES) == {t.arch for t in targets.TARGETS}
    assert set(MUSL) == set(ARCHES) - {"x86_64"}  # x86_64's musl is Debian's musl-gcc
    for arch in ARCHES:
        for ext in (".S", ".h"):
            assert os.path.isfile(os.path.join(REPO, "runtime_c", "arch", arch + ext))
