"""Translation units and their flags from a build's compile_commands.json.

Each entry's command is read as its compiler reads it, in the entry's
directory: response files (`@file`) expanded, what -Wp, and -Xpreprocessor
pass spelled as plain flags, and relative paths made absolute, since the
parse runs elsewhere.  The source keeps the name the command gives it: that
name is the build's __FILE__, which the rewritten file's `#line` repeats.
"""

import json
import os
import shlex

from initgate.cc_args import expand_response_files
from initgate.errors import InitgateError
from initgate.passes import toolchain

REGENERATE = ("regenerate it with the build (CMake: -DCMAKE_EXPORT_COMPILE_COMMANDS=ON; "
              "make: bear -- make)")


def load(build_dir):
    """[(absolute source path, flags, compiler, name)] for every C entry of
    BUILD_DIR's database: the compiler is the command's first word, the name
    the source's as the command spells it."""
    path = os.path.join(build_dir, "compile_commands.json")
    try:
        with open(path, encoding="utf-8") as source:
            entries = json.load(source)
    except OSError as err:
        raise InitgateError("%s: cannot read: %s (pass -p the folder that holds the "
                            "build's compile_commands.json)" % (path, err.strerror)) from None
    except ValueError as err:
        raise InitgateError("%s: not valid JSON: %s" % (path, err)) from None

    if not isinstance(entries, list):
        raise _malformed(path, "not a list of compile commands")
    units = []
    for number, entry in enumerate(entries, 1):
        unit = _unit(entry, build_dir, path, number)
        if unit is not None:
            units.append(unit)
    return units


def _unit(entry, build_dir, path, number):
    if not isinstance(entry, dict):
        raise _malformed(path, "entry %d is not an object" % number)
    file = entry.get("file")
    if not isinstance(file, str) or not file:
        raise _malformed(path, 'entry %d has no "file"' % number)
    directory = entry.get("directory", build_dir)
    if not isinstance(directory, str):
        raise _malformed(path, 'entry %d: "directory" is not a string' % number)
    arguments = _arguments(entry, path, number)

    source = os.path.normpath(os.path.join(directory, file))
    if not source.endswith(".c"):
        return None
    compiler = arguments[0] if arguments else None
    if compiler and os.sep in compiler:
        compiler = os.path.join(directory, compiler)
    words, _ = expand_response_files(arguments[1:], directory)
    name = next((w for w in words if os.path.normpath(os.path.join(directory, w)) == source),
                file)
    return source, _flags(toolchain.plain_flags(words), directory, source), compiler, name


def _arguments(entry, path, number):
    if "arguments" in entry:
        arguments = entry["arguments"]
        if not isinstance(arguments, list) or not all(isinstance(a, str) for a in arguments):
            raise _malformed(path, 'entry %d: "arguments" is not a list of strings' % number)
        return arguments
    command = entry.get("command", "")
    if not isinstance(command, str):
        raise _malformed(path, 'entry %d: "command" is not a string' % number)
    try:
        return shlex.split(command)
    except ValueError as err:
        raise _malformed(path, 'entry %d: "command" cannot be split into words: %s'
                         % (number, err)) from None


def _malformed(path, what):
    return InitgateError("%s: %s: %s" % (path, what, REGENERATE))


def _flags(arguments, directory, source):
    # Relative include paths are relative to the entry's directory, and the
    # parse runs elsewhere: make them absolute.
    flags = []
    joined_options = ("-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros")
    expect_path = False
    for argument in arguments:
        if expect_path:
            flags.append(os.path.join(directory, argument))
            expect_path = False
            continue
        if argument in joined_options:
            flags.append(argument)
            expect_path = True
            continue
        option = next((o for o in joined_options if argument.startswith(o)
                       and argument != o), None)
        if option and not os.path.isabs(argument[len(option):]):
            argument = option + os.path.join(directory, argument[len(option):])
        if os.path.normpath(os.path.join(directory, argument)) == source:
            continue
        flags.append(argument)
    return flags
