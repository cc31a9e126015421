"""initgate: make a C shared library initialize at load time, on its own thread.

The pipeline is rewrite (initgate.passes), build with the bundled runtime
(initgate.runtime_c, built by initgate.linker.runtime_build), then patch-elf
(initgate.linker.patch_elf).  The command-line entry point is initgate.cli.
"""

import os as _os

__version__ = "0.1.0"

# In the repository, initgate.passes, .linker and .runtime_c are the folders
# passes/, linker/ and runtime_c/ beside this one (pyproject.toml maps them);
# a wheel installs them inside this package.  The development install
# (tools/venv.sh) is editable in setuptools' compat mode, a plain path in a
# .pth file, because the import hook of its default mode costs 15 ms of
# start-up (it imports pathlib, urllib and ipaddress), paid by every compiler
# call a build makes through `initgate cc`.  With no hook, the package finds
# its subpackages in the repository's top folder itself.  That folder holds
# no other package a module of initgate imports.
if not _os.path.isdir(_os.path.join(__path__[0], "passes")):
    __path__.append(_os.path.dirname(_os.path.abspath(__path__[0])))
