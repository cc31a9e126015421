"""`initgate cc --init NAME [options] -- CC ARGS...`: a compiler that gates.

It runs `CC ARGS...` as given, except for two kinds of command:

- Compiling C into position-independent code (`-c`/`-S` with -fPIC or
  -fpic, which every build system passes for shared-library objects; or a
  `-shared` link that compiles sources itself): each C source is rewritten
  (passes/rewrite.py) into the cache (initgate/cc_cache.py) and the copy is
  compiled instead, with `-iquote` the original's folder so that quoted
  includes resolve as before, and prefix maps from the copy's folder to the
  original's, so that DW_AT_name and __BASE_FILE__ name the original.  The
  rewrite's `#line` makes diagnostics, `__FILE__` and line tables point at the
  original file and line.  A dependency file the compiler writes is edited to
  name the original source instead of the copy.  A source with nothing to
  gate is compiled as it is.  What each object's rewrite decided is kept in
  the cache, keyed by the object's bytes, for the link's --manifest.  The
  rewrite parses declarations only (passes/analyze.py): an error inside a
  function body is reported by the compiler itself, on the original file
  and line, as it would be without the wrapper.
- Linking a shared library (`-shared`): the --init-source object and the
  runtime built for the compiler's target go at the end of the link line
  (runtime_c/ABI.md, "The slot's order") with `-z nodelete`, and the output
  is patched in place (linker/patch.py); if patching fails, the output is
  removed, so make never takes an unpatched library for a finished one.

Everything else (preprocessing, -M, --version, executables, objects compiled
without -fPIC, other languages) runs unchanged.  The exit status is the
compiler's (128 + N if signal N killed it, as a shell would report), and its
output goes straight to the terminal.  bin/initgate-cc, the front end builds
use, runs this module's calls in a compile server (initgate/cc_server.py)
once one is up; each runs there as it would here.

Limits, on purpose or not yet lifted:
- Objects compiled without -fPIC stay ungated: they go into executables and
  static archives, which have no runtime to call (--gate-non-pic changes it).
- A program linked from gated objects or archives named on the command line
  (Meson's default b_staticpic makes static archives of -fPIC objects) gets
  the runtime too, unpatched: its first gated call runs init.  A static
  archive found through -l is not looked into, and that link fails with
  undefined `_initgate_*` symbols.  C sources compiled by a program's link
  are not gated.
- An exported function defined in an included file (a header, a `.c` that
  another includes) is refused with a clear error: the wrapper compiles one
  rewritten file per source.  `initgate rewrite --root` handles such trees.
- C read from standard input is compiled ungated, with a warning.
- The cache is never pruned; delete the folder to reclaim it.
"""

import os
import shlex
import sys

from initgate import cc_cache, logs
from initgate.cc_args import default_dep_file, target_flags
from initgate.cc_fast import (
    EARLY_RUNTIME_VAR, LAUNCHED_VAR, exit_status, plan, run_compiler)
from initgate.errors import InitgateError, SourceError, UsageError
from initgate.fileio import write_atomic
from initgate.passes import manifest

log = logs.logger("initgate.cc")

# The pid of the compile server whose worker runs this call, if one does
# (initgate/cc_server.py sets it in the worker).
served_by = None


def add_arguments(parser):
    parser.add_argument("--init", metavar="NAME",
                        help="the library's init function: int NAME(void) or void NAME(void)")
    parser.add_argument("--init-source", metavar="FILE.c",
                        help="a file defining the init function, compiled into every shared "
                             "library this command links")
    parser.add_argument("--init-cflag", action="append", default=[], metavar="FLAG",
                        help="a compiler flag for --init-source (repeatable; write "
                             "--init-cflag=-Idir, since the value starts with a dash)")
    parser.add_argument("--ungated", action="append", default=[], metavar="NAME",
                        help="never gate function NAME (repeatable)")
    parser.add_argument("--exports", metavar="FILE",
                        help="gate only what this version script (or list of names) exports")
    parser.add_argument("--root", metavar="DIR",
                        help="the project folder: an exported function defined in an included "
                             "file under it is reported (the wrapper cannot gate it) rather "
                             "than taken for a system one")
    parser.add_argument("--skip-macro-braces", action="store_true",
                        help="leave a definition whose brace comes from a macro ungated "
                             "instead of failing")
    parser.add_argument("--gate-non-pic", action="store_true",
                        help="also gate C compiled without -fPIC/-fpic")
    parser.add_argument("--manifest", metavar="FILE",
                        help="when linking a library, write what was gated and what was left "
                             "ungated on purpose here, for initgate verify --manifest")
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="where rewritten sources and runtimes are kept (default: $%s, "
                             "else $XDG_CACHE_HOME/initgate)" % cc_cache.ENV_VAR)
    parser.add_argument("command", nargs="*", metavar="-- CC ARGS",
                        help="the compiler command to run")


def run(args):
    words = list(args.command)
    if words and words[0] == "--":
        words = words[1:]
    if not words:
        raise UsageError("cc: give the compiler command after --, e.g. "
                         "initgate cc --init my_init -- gcc -c a.c")
    if not args.init:
        raise UsageError("cc needs --init NAME, the library's init function")
    # The quick path (initgate/cc_fast.py) has planned the call already.
    launched = os.environ.pop(LAUNCHED_VAR, None) or getattr(args, "launched", None)
    planned = getattr(args, "plan", None) or plan(words, args.gate_non_pic)
    cc_argv, cc_args, command, job = planned
    if os.environ.pop(EARLY_RUNTIME_VAR, None):
        # bin/initgate-cc's background copy of a build's first call: the
        # runtime only, never the call itself (initgate/cc_prebuild.py).
        from initgate import cc_prebuild

        try:
            cache = cc_cache.cache_dir(args.cache_dir)
        except InitgateError:
            return 0            # the build's own calls say why
        return cc_prebuild.build_early(cache, cc_argv + target_flags(command.words))
    if job == "pass":
        log.debug("passing through: %s", shlex.join(words))
        return _run(cc_argv + cc_args)

    if served_by:
        log.info("run by the compile server, pid %d (INITGATE_SERVER=0 runs without it)",
                 served_by)
    status = _gate_or_link(args, planned)
    if launched:
        # bin/initgate-cc ran this call without a server: start one for the next.
        from initgate import cc_server

        cc_server.start_if_wanted(args.cache_dir)
    return status


def _gate_or_link(args, planned):
    cc_argv, cc_args, command, job = planned
    if command.stdin_c:
        log.warning("C read from standard input is compiled without the gate; give the "
                    "source as a file to gate it")
    cache = cc_cache.cache_dir(args.cache_dir)
    new_args, copies = cc_args, []
    if command.sources and job != "program":
        new_args, copies = _gate_sources(args, cache, command)
        if new_args is None:
            return _fail_like_the_compiler(cc_argv + cc_args, command, copies)

    if job == "compile":
        builder = None
        if any(copy for _original, copy, _result in copies):
            # The library this object goes into will need the runtime:
            # built beside this compile, not at the link (cc_prebuild.py).
            from initgate import cc_prebuild

            builder = cc_prebuild.start(cache, cc_argv + target_flags(command.words))
        try:
            status = _run(cc_argv + new_args)
        except BaseException:
            if builder is not None:
                builder.stop()      # nothing this call started outlives it
            raise
        if status == 0:
            _fix_dep_files(command, copies)
            _remember_manifests(cache, command, copies)
        return status

    # An -x still in force would make the compiler read the objects as source.
    extra = ["-x", "none"] if command.language_at_end else []
    tflags = target_flags(command.words)
    init_object = _init_object(args, cache, cc_argv, tflags) if args.init_source else None
    if init_object:
        extra.append(init_object)
    extra.append(cc_cache.runtime_object(cache, cc_argv + tflags, command.no_libc))
    if job == "library":
        # NODELETE from the linker itself, which has room for it where patch-elf
        # may find none (lld): dlclose must never unmap code the init thread runs.
        extra.append("-Wl,-z,nodelete")
    output = command.output or "a.out"

    # A linked but unpatched library, or a link stopped half way, would look
    # up to date to make: if the link or the patch fails or is interrupted,
    # the output goes, as a failed link's does.
    try:
        status = _run_link(cc_argv + new_args + extra, args.init)
        if status == 0 and job == "library":
            from initgate.linker.patch import patch_library

            report = patch_library(output)
    except BaseException:
        _remove(output)
        raise
    finally:
        if init_object:
            _remove(init_object)
    if status != 0:
        return status
    _fix_dep_files(command, copies)
    if job == "program":
        # A program is not patched: its first gated call runs init (README).
        log.info("%s: a program with gated objects, linked with the runtime; init runs on "
                 "its first gated call", output)
        return 0
    log.info("%s: linked with the runtime and patched (%d edits)", output, len(report.edits))
    if args.manifest:
        _write_manifest(args, cache, command, copies)
    return 0


def _remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _gate_sources(args, cache, command):
    """(new arguments, [(original, copy, result)]) or (None, SourceError) if rewriting
    failed."""
    from initgate.passes import rewrite

    exports = rewrite.load_exports(args.exports) if args.exports else None
    source_indexes = {s.index for s in command.sources}
    flags = [w for i, w in enumerate(command.words) if i not in source_indexes]
    new_words = list(command.words)
    copies = []
    for source in command.sources:
        try:
            result = rewrite.rewrite_file(source.path, flags, args.init, ungated=args.ungated,
                                          exports=exports, root=args.root,
                                          continue_on_macro_brace=args.skip_macro_braces,
                                          skip_bodies=True)
        except SourceError as err:
            return None, err
        _refuse_edited_headers(source.path, result)
        output = result.files[source.path]
        if not output.changed:
            # Nothing to gate: the original compiles as it is, with its own
            # name in every message (an unchanged copy would carry no #line).
            log.info("%s: nothing to gate, compiled as it is", source.path)
            copies.append((source.path, None, result))
            continue
        copy = cc_cache.store_source(cache, source.path, output.text)
        log.info("%s: compiling the gated copy %s (%d functions gated)", source.path, copy,
                 len(result.gated))
        new_words[source.index] = copy
        copies.append((source.path, copy, result))

    # Quoted includes look first in the including file's folder, which for
    # the copy is the cache: -iquote puts the original's folder right after.
    # -fdebug-prefix-map makes DW_AT_name name the original, not the copy,
    # and -fmacro-prefix-map does the same for __BASE_FILE__ (gcc 8, clang 10).
    front = []
    rewritten = [(original, copy) for original, copy, _result in copies if copy]
    for original, copy in rewritten:
        folder = os.path.dirname(original) or "."
        if folder not in front:
            front += ["-iquote", folder]
    for original, copy in rewritten:
        mapping = "%s=%s" % (os.path.dirname(copy), os.path.dirname(os.path.abspath(original)))
        front += ["-fdebug-prefix-map=" + mapping, "-fmacro-prefix-map=" + mapping]
    return front + new_words, copies


def _refuse_edited_headers(path, result):
    """The wrapper compiles one rewritten file per source; an exported function
    defined in a file it includes (under --root) would stay ungated."""
    for other in result.files.values():
        if other.changed and os.path.normpath(other.path) != os.path.normpath(path):
            names = ", ".join(d.name for d in result.gated if d.path == other.path)
            raise SourceError(
                "%s: exported functions defined in %s, which it includes (%s): initgate cc "
                "gates only the compiled file itself; rewrite the tree first with initgate "
                "rewrite --root, or leave them ungated with --ungated NAME"
                % (path, other.display, names or "see -v"))


def _fail_like_the_compiler(argv, command, error):
    """The rewrite failed: if the compiler fails too, the mistake is the user's and its
    own messages say so; if it succeeds, its output is ungated, so it is removed."""
    log.debug("rewrite failed (%s); running the original command to see why", error)
    status = _run(argv)
    if status != 0:
        return status
    for path in _outputs(command):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    raise error


def _outputs(command):
    if command.output:
        return [command.output]
    if command.mode == "link":
        return ["a.out"]
    suffix = ".s" if command.mode == "assemble" else ".o"
    return [os.path.splitext(os.path.basename(s.path))[0] + suffix for s in command.sources]


def _fix_dep_files(command, copies):
    """Make each dependency file name the original source, not the cached copy."""
    for original, copy, _result in copies:
        path = default_dep_file(command, original)
        if not path or not copy:
            continue
        try:
            with open(path, "rb") as f:
                text = f.read()
        except FileNotFoundError:
            continue
        fixed = text.replace(_make_escape(copy), _make_escape(original))
        if fixed != text:
            write_atomic(path, fixed)


def _remember_manifests(cache, command, copies):
    """Keep what each object's rewrite decided, keyed by the object's bytes, so that
    the link that uses the object (maybe restored by ccache) can write a manifest."""
    if command.mode != "compile":
        return
    for original, _copy, result in copies:
        obj = command.output or os.path.splitext(os.path.basename(original))[0] + ".o"
        try:
            key = cc_cache.file_digest(obj)
        except OSError:
            continue
        document = manifest.manifest(None, result.gated, result.ungated)
        cc_cache.store_manifest(cache, key, manifest.dumps(document))


def _write_manifest(args, cache, command, copies):
    gated, ungated = [], []
    for _original, _copy, result in copies:
        gated += _entries(result.gated)
        ungated += _entries(result.ungated, reasons=True)
    for word in command.words:
        if os.path.isfile(word) and not word.endswith((".c", ".so", ".a")):
            stored = cc_cache.load_manifest(cache, cc_cache.file_digest(word))
            if stored:
                gated += stored["gated"]
                ungated += stored["ungated"]
    document = {"version": manifest.VERSION, "init": args.init,
                "gated": _unique(gated), "ungated": _unique(ungated)}
    write_atomic(args.manifest, manifest.dumps(document))


def _entries(definitions, reasons=False):
    document = manifest.manifest(None, [] if reasons else definitions,
                                 definitions if reasons else [])
    return document["ungated" if reasons else "gated"]


def _unique(entries):
    seen = {}
    for entry in entries:
        seen[(entry["file"], entry["line"], entry["name"])] = entry
    return [seen[key] for key in sorted(seen)]


def _make_escape(path):
    # How gcc spells a file name in a make rule.
    escaped = path.replace("$", "$$").replace(" ", "\\ ").replace("#", "\\#")
    return escaped.encode("utf-8", "surrogateescape")


def _init_object(args, cache, cc_argv, tflags):
    """Compile --init-source (rewritten, for its trampoline) into an object of
    this link's own, which the caller removes after the link.

    Not kept for the next link: what the object holds depends on every header
    the source includes, which no key short of a second preprocessing would
    cover, and the compile costs a link only a few tens of milliseconds.
    """
    from initgate.passes import rewrite

    source = os.path.abspath(args.init_source)
    if not os.path.isfile(source):
        raise UsageError("--init-source %s: no such file" % args.init_source)
    flags = tflags + args.init_cflag
    result = rewrite.rewrite_file(source, flags, args.init, root=None)
    if result.init_file is None:
        raise SourceError("%s: does not define the init function '%s'"
                          % (args.init_source, args.init))
    copy = cc_cache.store_source(cache, source, result.files[source].text)
    mapping = "%s=%s" % (os.path.dirname(copy), os.path.dirname(source))
    compile_flags = tflags + ["-fPIC"] + args.init_cflag + [
        "-iquote", os.path.dirname(source), "-fdebug-prefix-map=" + mapping,
        "-fmacro-prefix-map=" + mapping]
    folder = os.path.join(cache, "obj")
    os.makedirs(folder, exist_ok=True)
    obj = os.path.join(folder, "%s.%d.o" % (os.path.basename(source), os.getpid()))
    try:
        status = _run(cc_argv + compile_flags + ["-c", copy, "-o", obj])
    except BaseException:
        _remove(obj)
        raise
    if status != 0:
        _remove(obj)
        raise SourceError("%s: the init source did not compile (exit %d, messages above)"
                          % (args.init_source, status))
    return obj


def _run(argv):
    log.debug("%s", shlex.join(argv))
    return run_compiler(argv)


def _run_link(argv, init_name):
    """Run the link, its messages passed on as they are, plus a hint for the one
    failure initgate itself causes: no init function in the library."""
    from initgate.children import Child

    log.debug("%s", shlex.join(argv))
    try:
        child = Child(argv, capture=(2,))
    except FileNotFoundError:
        raise UsageError("%s: compiler not found" % argv[0]) from None
    except PermissionError:
        raise UsageError("%s: cannot run this compiler (permission denied)" % argv[0]) from None
    code, stderr = child.communicate()
    sys.stderr.buffer.write(stderr)
    sys.stderr.flush()
    if code != 0 and b"_initgate_user_init" in stderr:
        print("initgate: no object of this link defines the init function '%s': compile "
              "the file that does through initgate cc, or pass --init-source FILE.c"
              % init_name, file=sys.stderr)
    return exit_status(code)
