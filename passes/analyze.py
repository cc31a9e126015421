"""Parse one translation unit and find every function definition to gate.

Data flow: the build's flags (passes/toolchain.py) -> a libclang parse ->
errors become SourceError with the compiler's own `file:line:col` -> one walk
over the translation unit's top-level declarations (never into a body) ->
for each definition in a project file, the facts passes/exported.py judges
-> a list of Definition records and, if the file defines it, the init
function's signature.

Two ways to parse, and three ways to treat errors inside function bodies
(Options.skip_bodies and Options.check_bodies):

- The full parse (`--check-bodies libclang`, and the API's default) checks
  every function body: a file that does not compile is reported with the
  compiler's `file:line:col` before anything is written, as the rewrite's
  contract promises.  Each body's `{` comes from the tree.
- On a large file (passes/body_check.py says how large), `initgate
  rewrite`'s default keeps the same promise in less wall time: the
  skipped-body parse below, with the build's own compiler checking the
  whole file on another core at the same time; its error lines are the
  diagnostic.  A smaller file gets the full parse, which costs less there;
  so does any file when the compiler is a clang, is not found or refuses
  the command line, or when the file holds a `#pragma GCC visibility`.
  Where a large file gets the full parse and it is the run's only unit,
  that parse runs on a second thread as the check, beside the skipped-body
  walk (_FullParse), so that the walk and the rendering take no wall time.
- The skipped-body parse alone (`initgate cc`, `initgate rewrite
  --skip-bodies`) reads declarations only, five to ten times faster: what
  decides gating (linkage, visibility, attributes, inline rules) is all in
  the declarations.  Errors outside bodies are still reported; errors
  inside a body are not, and are left to the compiler that builds the
  rewritten file next (the wrapper runs it right after, and `#line` makes
  it name the original file and line).  Where the text does not settle a
  definition (passes/walk.py), the unit is parsed again in full and the
  answer is the full parse's.  What only a body can hold
  is not seen: a `#pragma GCC visibility` inside a function body (hence the
  fallback above), or a call that implicitly declares a function later
  defined `inline` (whose emitted symbol the implicit declaration would
  decide: clang, and so the full parse, emits none either).

"""

import os
import threading

from clang import cindex

from initgate import interrupts, logs
from initgate.errors import SourceError
from initgate.passes import body_check, libclang as lc, toolchain
from initgate.passes.walk import BraceNotInText, Walk

log = logs.logger("initgate.rewrite")


# A plain class rather than a dataclass: the compiler wrapper imports this
# module once per file it compiles.
class Options:
    """What the user said about gating, shared by every file of one run."""

    def __init__(self, init_name, ungated=frozenset(), export_list=None, root=None,
                 continue_on_macro_brace=False, skip_bodies=False,
                 check_bodies=body_check.LIBCLANG, record_unexported=False):
        self.init_name = init_name
        self.ungated = ungated
        self.export_list = export_list           # version_script.ExportList or None
        self.root = root                         # project root: headers under it are rewritten
        self.continue_on_macro_brace = continue_on_macro_brace
        self.skip_bodies = skip_bodies           # parse declarations only (module docstring)
        # What checks function bodies when they are not skipped: "libclang"
        # (its full parse), a compiler command, or None for the build's own
        # compiler (passes/body_check.py).
        self.check_bodies = check_bodies
        # Record definitions that are not exported as well, for _merge to
        # compare across units (set when there is more than one).
        self.record_unexported = record_unexported


_local = threading.local()


def _shared_index():
    # One index per thread (rewrite_units is also called from threads by
    # API users): an index holds libclang's per-index state, which is not
    # shared between threads.  -j runs forked processes (passes/rewrite.py).
    if getattr(_local, "index", None) is None:
        _local.index = cindex.Index.create()
    return _local.index


def forget_index():
    """Drop this thread's index: a forked worker makes its own."""
    _local.index = None


def parse(path, build_flags, skip_bodies=False, quiet=False):
    """A parsed translation unit, or SourceError with the compiler's diagnostic.
    `quiet`: the warnings are another parse's to give (_FullParse)."""
    if not os.path.isfile(path):
        raise SourceError("%s: no such file" % path)
    args = toolchain.parse_flags(build_flags)
    options = lc.PARSE_IGNORE_NON_ERRORS_FROM_INCLUDED_FILES
    if skip_bodies:
        options |= lc.PARSE_SKIP_FUNCTION_BODIES
    for _attempt in range(8):
        log.debug("libclang parse: %s %s", path, " ".join(args))
        try:
            tu = _shared_index().parse(path, args=args, options=options)
        except cindex.TranslationUnitLoadError:
            # The driver refused the command line outright, as it does for a
            # -march or -mcpu of another architecture: without the target's
            # -m options the front end still sees every declaration.
            target = [a for a in args if a.startswith("-m") and a not in ("-m32", "-m64")]
            if not target:
                raise SourceError("%s: libclang could not parse this file with these "
                                  "flags: %s" % (path, " ".join(args))) from None
            say = log.debug if quiet else log.warning
            say("%s: clang refused %s; parsing without them (pass --target=TRIPLE among "
                "the flags for a cross build)", path, " ".join(target))
            args = [a for a in args if a not in target]
            continue

        # gcc options clang has never heard of are dropped one by one: each
        # costs one more parse, which only builds that use them pay.
        unknown = [toolchain.unknown_argument(d.spelling) for d in tu.diagnostics
                   if d.severity >= 3 and d.location.file is None]
        unknown = [flag for flag in unknown if flag and flag in args]
        if not unknown:
            break
        log.debug("dropping options clang does not know: %s", " ".join(unknown))
        args = [a for a in args if a not in unknown]

    errors = [_format_diagnostic(d) for d in tu.diagnostics if d.severity >= 3]
    if errors:
        raise SourceError(errors[0] + "; nothing written for " + path, more=errors[1:])
    return tu


def _format_diagnostic(diagnostic):
    severity = "fatal error" if diagnostic.severity >= 4 else "error"
    if diagnostic.location.file is None:
        return "%s: %s" % (severity, diagnostic.spelling)
    name, line, column = lc.presumed(diagnostic.location)
    return "%s:%d:%d: %s: %s" % (name, line, column, severity, diagnostic.spelling)


def analyze(path, build_flags, options, compiler=None):
    """Every function definition the translation unit of `path` puts in project files.

    `compiler` is the build's compiler for this unit, when compile_commands.json
    names it (options.check_bodies decides what checks the bodies).
    """
    pending = begin(path, build_flags, options, compiler)
    try:
        return pending.finish()
    finally:
        pending.cancel()


def begin(path, build_flags, options, compiler=None, second_parse=False):
    """analyze(), except that what checks the bodies may still run: a Pending
    whose `analysis` is ready now and whose finish() is analyze()'s answer.
    Its caller must call cancel() on every path out.  `second_parse` lets a
    large file that libclang checks be parsed twice at once (_FullParse):
    the caller has one unit, and a core to spare for it."""
    gnu89 = toolchain.uses_gnu89_inline(build_flags)
    check = None
    if not options.skip_bodies:
        check = body_check.start(options.check_bodies, compiler, path, build_flags)
        if check is None and second_parse and _FullParse.pays(path):
            check = _FullParse(path, build_flags)
    if options.skip_bodies or check:
        try:
            analysis = _walk(path, build_flags, options, gnu89, skipped_bodies=True)
        except BraceNotInText as missing:
            log.debug("%s; parsing %s again with function bodies", missing, path)
            analysis = None
        except BaseException as err:
            if isinstance(check, _FullParse) and isinstance(err, SourceError):
                check.tree()        # the full parse's errors, as it alone would give them
            if check:
                check.cancel()
            raise
        if analysis is not None:
            return Pending(analysis, check, lambda: _walk(path, build_flags, options, gnu89))
        if isinstance(check, _FullParse):
            return Pending(_walk(path, build_flags, options, gnu89, tree=check.tree()),
                           None, None)
        if check:
            check.cancel()
    return Pending(_walk(path, build_flags, options, gnu89), None, None)


class _FullParse:
    """libclang's full parse, on a thread of its own, as the check of a large
    file's bodies beside the skipped-body walk, as a compiler's would be
    (passes/body_check.py): the walk and the rendering then cost no wall
    time, and a file that has errors gets the full parse's diagnostics."""

    command = ("libclang's full parse",)

    @staticmethod
    def pays(path):
        # The files a compiler would check, had the build's been a gcc: not
        # a small one, whose parse is mostly its headers, nor one with a
        # visibility pragma, which only the full parse's walk would see.
        try:
            return (os.path.getsize(path) >= body_check.LARGE_FILE
                    and not body_check.has_visibility_pragma(path))
        except OSError:
            return False        # the parse reports it

    def __init__(self, path, build_flags):
        self._outcome = []
        # A daemon: a parse cannot be stopped, and a run that fails first
        # (Ctrl-C) need not wait for it.
        self._thread = threading.Thread(target=self._parse, args=(path, build_flags),
                                        name="initgate full parse", daemon=True)
        self._thread.start()

    def _parse(self, path, build_flags):
        try:
            self._outcome.append((parse(path, build_flags, quiet=True), None))
        except BaseException as err:        # raised again in the thread that asks
            self._outcome.append((None, err))

    def tree(self):
        """The translation unit, once parsed; SourceError if it has errors."""
        self._thread.join()
        tree, error = self._outcome[0]
        if error is not None:
            raise error
        return tree

    def result(self):
        self.tree()
        return True

    def cancel(self):
        pass                    # the thread ends with its parse; nothing waits for it


class Pending:
    """An analysis, and the compiler that may still be checking its bodies."""

    def __init__(self, analysis, check, full_walk):
        self.analysis = analysis
        self.check = check
        self._full_walk = full_walk

    def finish(self):
        """The analysis once the compiler has given its verdict: this one; or,
        where it could not check the file, libclang's full parse's.
        SourceError carries the errors it found."""
        if self.check is None:
            return self.analysis
        if self.check.result():
            log.info("%s: function bodies checked by %s", self.analysis.main_path,
                     self.check.command[0])
            return self.analysis
        return self._full_walk()

    def cancel(self):
        """Stop the compiler if it still runs."""
        if self.check is not None:
            self.check.cancel()


def _walk(path, build_flags, options, gnu89, skipped_bodies=False, tree=None):
    walk = Walk(tree or parse(path, build_flags, skip_bodies=skipped_bodies), path, options,
                gnu89, skipped_bodies=skipped_bodies, index=_shared_index())
    try:
        # Held: ctypes drops an exception raised in a callback of the walk.
        with interrupts.held():
            return walk.run()
    finally:
        walk.close()
