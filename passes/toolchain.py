"""The compiler flags libclang parses a file with, derived from the build's own.

The build's flags are gcc's: they may name options clang does not know, ask for
-Werror, or rely on gcc accepting with a warning what clang rejects by default
(implicit declarations, implicit int, int conversions).  What decides whether a
function is exported (-fvisibility, -std, -D, -I, -include, -m) must reach
libclang unchanged; what only matters for code generation, linking or warnings
is dropped, and each drop is logged at debug level.  What -Wp, and
-Xpreprocessor hand the preprocessor counts as the plain flags it is.

The libclang wheel ships no compiler resource headers (<stddef.h>,
<stdatomic.h>), so every parse gets `-resource-dir` pointing at the clang-tidy
wheel of the same major version, which carries them.
"""

import functools
import importlib.util
import os
import re

from initgate import logs
from initgate.errors import ToolchainError

log = logs.logger("initgate.rewrite")

# Options that take their value as the next argument and matter to parsing.
KEEP_WITH_VALUE = {"-I", "-D", "-U", "-include", "-imacros", "-isystem", "-iquote",
                   "-idirafter", "-iprefix", "-iwithprefix", "-isysroot", "-x",
                   "-target", "--target", "-std", "--sysroot", "-imultilib"}

# Options that take their value as the next argument and do not matter to parsing.
DROP_WITH_VALUE = {"-o", "-MF", "-MT", "-MQ", "-Xlinker", "-Xassembler", "-T",
                   "-aux-info", "-dumpbase", "-dumpdir", "-wrapper", "--param"}

# -f options that change what the front end sees or decides; every other -f
# option is code generation or diagnostics, and gcc has many clang lacks.
KEEP_F = re.compile(r"-f(no-)?(visibility|gnu89-inline|pic|PIC|pie|PIE|signed-char|"
                    r"unsigned-char|short-enums|short-wchar|ms-extensions|gnu-keywords|"
                    r"asm|builtin|freestanding|hosted|openmp|common|dollars-in-identifiers|"
                    r"trigraphs|declspec|wchar-type|blocks|extended-identifiers|"
                    r"signed-bitfields|unsigned-bitfields|strict-flex-arrays|"
                    r"ms-compatibility|delayed-template-parsing|char8_t|"
                    r"preprocessed|working-directory)")

# What clang rejects by default but gcc only warns about must still parse; and
# the build's own warning options mean nothing to this parse.  Every warning
# is off (not computing them makes the parse 15% faster) but one group: the
# pass reads "attribute declaration must precede definition"
# (passes/late_attributes.py), which costs nothing measurable.
TOLERANCE = ["-Wno-error", "-Wno-unknown-warning-option",
             "-Wno-error=implicit-function-declaration", "-Wno-error=implicit-int",
             "-Wno-error=int-conversion", "-Wno-error=incompatible-pointer-types",
             "-Wno-error=incompatible-function-pointer-types", "-Wno-error=return-type",
             "-Wno-everything", "-Wignored-attributes", "-Wno-error=ignored-attributes"]

# Dependency-file options the preprocessor (cc1) takes with their value as the
# next word, as -Wp,-MD,FILE and -Xpreprocessor -MF -Xpreprocessor FILE pass them.
CPP_DEPENDENCY_WITH_VALUE = {"-MD", "-MMD", "-MF", "-MT", "-MQ"}

GNU89_STANDARDS = {"c89", "c90", "gnu89", "gnu90", "iso9899:1990", "iso9899:199409"}


@functools.lru_cache(maxsize=1)
def resource_dir():
    """clang's resource directory (built-in headers) from the clang-tidy wheel."""
    spec = importlib.util.find_spec("clang_tidy")
    if spec is not None and spec.origin:
        data_lib = os.path.join(os.path.dirname(spec.origin), "data", "lib", "clang")
        if os.path.isdir(data_lib):
            for version in sorted(os.listdir(data_lib), reverse=True):
                candidate = os.path.join(data_lib, version)
                if os.path.isfile(os.path.join(candidate, "include", "stddef.h")):
                    return candidate
    raise ToolchainError(
        "clang's resource headers (stddef.h) were not found: install the PyPI "
        "package clang-tidy of libclang's major version (pip install 'clang-tidy>=18.1,<19')")


def parse_flags(flags):
    """The build's flags as libclang should see them, with their source files removed."""
    kept = []
    dropped = []
    flags = plain_flags(flags)
    i = 0
    while i < len(flags):
        flag = flags[i]
        following = flags[i + 1] if i + 1 < len(flags) else None
        if flag in KEEP_WITH_VALUE and following is not None:
            kept += [flag, following]
            i += 2
            continue
        if flag in DROP_WITH_VALUE:
            dropped += [flag] + ([following] if following is not None else [])
            i += 2
            continue
        if _keep(flag):
            kept.append(flag)
        else:
            dropped.append(flag)
        i += 1
    if dropped:
        log.debug("flags not passed to libclang: %s", " ".join(dropped))
    return ["-resource-dir", resource_dir()] + kept + TOLERANCE


def plain_flags(flags):
    """The build's flags, with what -Wp,A,B and -Xpreprocessor A hand the
    preprocessor spelled as the driver's own flags A and B: gcc's -Wp,-DNAME
    defines NAME as -DNAME does, and must for the parse too.  Dependency-file
    options among them are left out: the parse writes none."""
    words = []
    i = 0
    while i < len(flags):
        flag = flags[i]
        if flag.startswith("-Wp,"):
            words += _preprocessor_words(flag[4:].split(","))
            i += 1
            continue
        # Every word takes its own -Xpreprocessor: `-D NAME` is two of them.
        passed = []
        while i + 1 < len(flags) and flags[i] == "-Xpreprocessor":
            passed.append(flags[i + 1])
            i += 2
        if passed:
            words += _preprocessor_words(passed)
            continue
        words.append(flag)
        i += 1
    return words


def _preprocessor_words(words):
    kept = []
    value_follows = False
    for word in words:
        if value_follows:
            value_follows = False
        elif word in CPP_DEPENDENCY_WITH_VALUE:
            value_follows = True
        elif word and not word.startswith("-M"):
            kept.append(word)
    return kept


def _keep(flag):
    if not flag.startswith("-"):
        return False            # a source or object file of the build command
    if flag.startswith(("-I", "-D", "-U", "-std=", "-x", "--sysroot=", "-isystem",
                        "-iquote", "-idirafter", "-nostdinc", "-ansi", "-m", "--target=",
                        "-undef", "-nostdlib", "-trigraphs", "-pthread")):
        return not flag.startswith(("-MD", "-MMD", "-MP", "-MF", "-MT", "-MQ", "-MG"))
    if flag.startswith("-f"):
        return KEEP_F.match(flag) is not None
    # Warnings, optimization, debug info, dependency files and linker options
    # do not change what a declaration means.
    return flag in ("-pedantic", "--pedantic")


def uses_gnu89_inline(flags):
    """True when `inline` follows GNU89 rules for these flags, as clang decides it."""
    gnu89 = False
    for flag in flags:
        if flag.startswith("-std="):
            gnu89 = flag[5:] in GNU89_STANDARDS
        elif flag == "-ansi":
            gnu89 = True
    for flag in flags:
        if flag == "-fgnu89-inline":
            gnu89 = True
        elif flag == "-fno-gnu89-inline":
            gnu89 = False
    return gnu89


def unknown_argument(spelling):
    """The option a driver diagnostic rejects ("unknown argument", "unsupported
    option ... for target"), if that is what it says."""
    match = re.match(r"(?:unknown argument:?|unsupported option) '([^']+)'", spelling)
    return match.group(1) if match else None
