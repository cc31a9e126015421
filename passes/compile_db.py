"""Translation units and their flags from a build's compile_commands.json."""

import json
import os
import shlex

from initgate.errors import InitgateError


def load(build_dir):
    """[(absolute source path, flags, compiler)] for every C entry of BUILD_DIR's
    database; the compiler is the command's first word."""
    path = os.path.join(build_dir, "compile_commands.json")
    try:
        with open(path, encoding="utf-8") as source:
            entries = json.load(source)
    except OSError as err:
        raise InitgateError("%s: cannot read: %s (pass -p the folder that holds the "
                            "build's compile_commands.json)" % (path, err.strerror)) from None
    except ValueError as err:
        raise InitgateError("%s: not valid JSON: %s" % (path, err)) from None

    units = []
    for entry in entries:
        directory = entry.get("directory", build_dir)
        if "arguments" in entry:
            arguments = list(entry["arguments"])
        else:
            arguments = shlex.split(entry.get("command", ""))
        source = os.path.normpath(os.path.join(directory, entry["file"]))
        if not source.endswith(".c"):
            continue
        compiler = arguments[0] if arguments else None
        if compiler and os.sep in compiler:
            compiler = os.path.join(directory, compiler)
        units.append((source, _flags(arguments[1:], directory, entry["file"]), compiler))
    return units


def _flags(arguments, directory, file):
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
                       and argument != o and o != "-i"), None)
        if option and not os.path.isabs(argument[len(option):]):
            argument = option + os.path.join(directory, argument[len(option):])
        if argument == file or os.path.join(directory, argument) == os.path.join(directory, file):
            continue
        flags.append(argument)
    return flags
