"""Translation units and their flags from a build's compile_commands.json.

Each entry's command is read as its compiler reads it, in the entry's
directory: response files (`@file`) expanded, what -Wp, and -Xpreprocessor
pass spelled as plain flags, and relative paths made absolute, since the
parse runs elsewhere.  The source keeps the name the command gives it: that
name is the build's __FILE__, which the rewritten file's `#line` repeats,
and each include folder made absolute is mapped back to its spelling, for
the headers' `#line` (passes/file_names.py).  A relative "directory" is
read from the database's own folder.
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
    """[(absolute source path, flags, compiler, name, folders)] for every C
    entry of BUILD_DIR's database: the compiler is the command's first word,
    the name the source's as the command spells it, folders {include folder
    or file made absolute: the command's spelling}."""
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
    directory = os.path.abspath(os.path.join(build_dir, directory))
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
    flags, folders = _flags(toolchain.plain_flags(words), directory, source)
    return source, flags, compiler, name, folders


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
    # parse runs elsewhere: make them absolute, and remember how they were
    # spelled.  A sysroot is made absolute too, but its headers are the
    # system's, which nothing names in a `#line`.
    flags, folders = [], {}
    expect_path = None
    for argument in arguments:
        if expect_path:
            flags.append(_absolute(argument, directory, folders, expect_path))
            expect_path = None
            continue
        if argument in _PATH_OPTIONS:
            flags.append(argument)
            expect_path = argument
            continue
        option = next((o for o in _JOINED_ONLY + _PATH_OPTIONS
                       if argument.startswith(o) and argument != o), None)
        if option:
            argument = option + _absolute(argument[len(option):], directory, folders, option)
        if os.path.normpath(os.path.join(directory, argument)) == source:
            continue
        flags.append(argument)
    return flags, folders


# Options whose path may be the next word or joined to the option.
_PATH_OPTIONS = ("-I", "-isystem", "-iquote", "-idirafter", "-include", "-imacros",
                 "-isysroot", "--sysroot")
_JOINED_ONLY = ("--sysroot=",)


def _absolute(path, directory, folders, option):
    if os.path.isabs(path):
        return path
    joined = os.path.join(directory, path)
    if option in ("-include", "-imacros"):
        # Found from the working folder, which gcc and clang both name `.`.
        folders[joined] = "./" + path
    elif "sysroot" not in option:
        folders[joined] = path
    return joined
