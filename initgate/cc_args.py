"""What a gcc or clang command line asks for, as far as `initgate cc` cares.

`classify(words)` reads the arguments of one compiler command (without the
compiler itself) and returns a Command: what the driver will do (only
print information, preprocess, compile, or compile and link), which
inputs are C sources to gate and where they sit in the argument list,
where the output goes, and which dependency file the compiler writes.
Nothing is run and nothing is read but response files (`@file`), which are
expanded the way gcc's driver does so that what they hold is seen too.

The option tables list what takes its value as the next argument; getting
one wrong makes a value look like an input file, so they are the place to
look when a real command line is misread.
"""

import os

# Options whose value is the next argument (when not joined to them).
SEPARATE_VALUE = frozenset("""
    -o -x -I -D -U -include -imacros -isystem -iquote -idirafter -iprefix -iwithprefix
    -iwithprefixbefore -isysroot -imultilib -iframework -MF -MT -MQ -MJ -L -l -Xlinker
    -Xassembler -Xpreprocessor -Xclang -Xanalyzer -mllvm -T -u -z -e -A -B -G -aux-info
    -dumpbase -dumpbase-ext -dumpdir -wrapper --param -target -gcc-toolchain --sysroot
    --include --include-directory --define-macro --undefine-macro --output --language
    -ccc-gcc-name -arch -framework -install_name -rpath -specs --serialize-diagnostics
    -fplugin-arg -Xcuda-ptxas -Xopenmp-target -current_version -compatibility_version
    """.split())

# Options that end the driver's work before compiling anything.
STOP_BEFORE_COMPILE = frozenset(["-E", "-M", "-MM", "-fsyntax-only", "-###"])

# Options that print something about the compiler and compile nothing: these
# words, and any word that starts with one of the prefixes.
INFORMATION = frozenset(["--version", "--target-help", "-v", "-dumpmachine", "-dumpversion",
                         "-dumpfullversion", "-dumpspecs", "-qversion", "-Wl,--version",
                         "-Wl,-v", "-Wl,--help"])
INFORMATION_PREFIXES = ("--help", "-print-", "--print-")

# Extensions gcc compiles as C when no -x says otherwise.
C_EXTENSIONS = (".c",)

# Extensions of the other languages gcc's driver compiles (or assembles, or
# preprocesses) by itself.
OTHER_SOURCE_EXTENSIONS = frozenset("""
    cc cp cxx cpp CPP c++ C m mm M i ii mi s S sx h hh hpp f for f90 f95 go d ads adb
    """.split())

# Launchers that run the next word as the compiler.
LAUNCHERS = frozenset(["ccache", "sccache", "distcc", "icecc", "buildcache"])


# Plain classes rather than dataclasses: every compiler call a build makes
# imports this module, and importing dataclasses costs a tenth of the time a
# call that is only passed through takes.
class Source:
    __slots__ = ("index", "path")

    def __init__(self, index, path):
        self.index = index           # position in Command.words
        self.path = path             # as written on the command line

    def __repr__(self):
        return "Source(index=%r, path=%r)" % (self.index, self.path)

    def __eq__(self, other):
        return isinstance(other, Source) and (self.index, self.path) == (other.index,
                                                                          other.path)


class Command:
    def __init__(self, words, expanded=False):
        self.words = words                 # the arguments, response files expanded
        self.mode = "link"                 # info | preprocess | assemble | compile | link
        self.shared = False                # -shared, linking a shared library
        self.relocatable = False           # -r: a partial link, not a library
        self.pic = False                   # -fPIC or -fpic is in force
        self.sources = []                  # C sources to gate
        self.other_sources = []            # stdin, C++, assembly...
        self.stdin_c = False               # `-` read as C
        self.output = None                 # -o's value
        self.dep_file = None               # -MF / -Wp,-MD,FILE
        self.writes_deps = False           # -MD / -MMD (a .d file beside the output)
        self.no_libc = False               # -nostdlib / -nodefaultlibs / -nolibc
        self.expanded = expanded           # a response file was expanded into words
        self.language_at_end = None        # the -x still in force after the last word

    def __repr__(self):
        return "Command(%s)" % ", ".join("%s=%r" % item for item in vars(self).items())

    @property
    def compiles(self):
        return self.mode in ("assemble", "compile", "link")


def split_compiler(words):
    """(compiler words, argument words): `ccache gcc -c a.c` -> ([ccache, gcc], [-c, a.c])."""
    count = 0
    while count < len(words):
        name = os.path.basename(words[count])
        count += 1
        if name == "zig" and count < len(words) and words[count] == "cc":
            count += 1
            break
        if name not in LAUNCHERS:
            break
    return words[:count], words[count:]


def classify(args):
    """The Command that `args` (a compiler's arguments) describes."""
    words, expanded = expand_response_files(args)
    command = Command(words=words, expanded=expanded)
    language = None
    stops = set()
    i = 0
    while i < len(words):
        word = words[i]
        value = words[i + 1] if i + 1 < len(words) else None

        # An option whose value is the next word: read both, look at a few.
        if word in SEPARATE_VALUE:
            if word in ("-x", "--language"):
                language = None if value == "none" else value
            elif word in ("-o", "--output"):
                command.output = value
            elif word == "-MF":
                command.dep_file = value
            i += 2
            continue

        if word == "-" or not word.startswith("-") or word == "":
            _input(command, i, word, language)
        elif word.startswith("-x") and len(word) > 2:
            language = None if word[2:] == "none" else word[2:]
        elif word.startswith("--language="):
            language = word.split("=", 1)[1]
            language = None if language == "none" else language
        elif word.startswith("-o") and len(word) > 2 and not word.startswith("-objc"):
            command.output = word[2:]
        elif word.startswith("--output="):
            command.output = word.split("=", 1)[1]
        elif word.startswith("-MF") and len(word) > 3:
            command.dep_file = word[3:]
        elif word in ("-MD", "-MMD"):
            command.writes_deps = True
        elif word.startswith(("-Wp,-MD,", "-Wp,-MMD,")):
            command.dep_file = word.split(",", 2)[2]
            command.writes_deps = True
        elif word in ("-c", "-S"):
            stops.add(word)
        elif word in STOP_BEFORE_COMPILE:
            stops.add("-E")
        elif word == "-shared":
            command.shared = True
        elif word == "-r":
            command.relocatable = True
        elif word in ("-fPIC", "-fpic"):
            command.pic = True
        elif word in ("-fno-PIC", "-fno-pic"):
            command.pic = False
        elif word in ("-nostdlib", "-nodefaultlibs", "-nolibc"):
            command.no_libc = True
        i += 1

    command.language_at_end = language
    command.mode = _mode(command, stops)
    return command


def _input(command, index, word, language):
    if word == "-":
        if language == "c":
            command.stdin_c = True
        command.other_sources.append(Source(index, word))
        return
    if language is None:
        is_c = word.endswith(C_EXTENSIONS)
    else:
        is_c = language == "c"
    if is_c:
        command.sources.append(Source(index, word))
    elif language is not None or _looks_like_source(word):
        command.other_sources.append(Source(index, word))


def _looks_like_source(word):
    return "." in word and word.rpartition(".")[2] in OTHER_SOURCE_EXTENSIONS


def _mode(command, stops):
    if "-E" in stops:
        return "preprocess"
    if not command.sources and not command.other_sources:
        # Nothing to compile: --version, -dumpmachine, -print-file-name=...,
        # asking the linker its version, or else a link of objects only.
        if any(_asks_information(w) for w in command.words) or not _has_inputs(command):
            return "info"
    if "-S" in stops:
        return "assemble"
    if "-c" in stops:
        return "compile"
    return "link"


def _asks_information(word):
    return word in INFORMATION or word.startswith(INFORMATION_PREFIXES)


def _has_inputs(command):
    words = command.words
    i = 0
    while i < len(words):
        word = words[i]
        if word in SEPARATE_VALUE:
            if word in ("-l", "-Xlinker"):
                return True
            i += 2
            continue
        if not word.startswith("-") or word.startswith(("-l", "-Wl,")):
            return True
        i += 1
    return False


def expand_response_files(args, directory=None, depth=0):
    """(words, expanded): every readable `@file` replaced by what it holds, like
    gcc.  A relative name, in a response file too, is relative to `directory`
    (default: the working folder), where the compiler runs."""
    words, expanded = [], False
    for arg in args:
        if arg.startswith("@") and len(arg) > 1 and depth < 16:
            name = os.path.join(directory, arg[1:]) if directory else arg[1:]
            try:
                with open(name, encoding="utf-8", errors="surrogateescape") as f:
                    text = f.read()
            except OSError:
                words.append(arg)       # gcc, too, passes an unreadable @x on as is
                continue
            inner, _ = expand_response_files(split_response_file(text), directory, depth + 1)
            words += inner
            expanded = True
        else:
            words.append(arg)
    return words, expanded


def split_response_file(text):
    """Words of a response file as libiberty's buildargv reads them: whitespace
    separates, single and double quotes group, a backslash escapes any character."""
    words, current, quote, have = [], [], None, False
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i + 1])
            have = True
            i += 2
            continue
        if quote:
            if char == quote:
                quote = None
            else:
                current.append(char)
        elif char in "'\"":
            quote, have = char, True
        elif char.isspace():
            if have:
                words.append("".join(current))
                current, have = [], False
        else:
            current.append(char)
            have = True
        i += 1
    if have:
        words.append("".join(current))
    return words


def default_dep_file(command, source_path):
    """Where -MD writes when no -MF names the file: beside -o, or in the working folder."""
    if command.dep_file:
        return command.dep_file
    if not command.writes_deps:
        return None
    if command.output:
        base = command.output
    else:
        base = os.path.basename(source_path)
    stem, ext = os.path.splitext(base)
    return (stem if ext else base) + ".d"


def target_flags(words):
    """The options that choose the target or its ABI, for building the runtime to match."""
    kept = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-target", "--sysroot", "-B", "-gcc-toolchain") and i + 1 < len(words):
            kept += [word, words[i + 1]]
            i += 2
            continue
        if word in ("-m32", "-m64", "-mx32", "-m31", "-mabi=ilp32") or word.startswith(
                ("--target=", "--sysroot=", "-march=", "-mabi=", "-mfloat-abi=", "-mthumb",
                 "-marm", "-mcpu=", "-mbig-endian", "-mlittle-endian", "-B", "-specs=",
                 "--gcc-toolchain=")):
            kept.append(word)
        i += 1
    return kept
