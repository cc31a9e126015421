"""initgate: make a C shared library initialize at load time, on its own thread.

The pipeline is rewrite (initgate.passes), build with the bundled runtime
(initgate.runtime_c, built by initgate.linker.runtime_build), then patch-elf
(initgate.linker.patch_elf).  The command-line entry point is initgate.cli.
"""

__version__ = "0.1.0"
