"""The rewrite pass as a Python API: analyze translation units, merge, render.

`rewrite_file` is what a compiler wrapper calls for one translation unit: it
returns the new bytes of the file and of any project header it defines
exported functions in, with the gated and ungated records, and writes
nothing.  `rewrite_units` does the same for many translation units (with
their own flags), merges the edits every unit makes to a shared file (a
header, or a `.c` that another `.c` includes), and reports units that
disagree about one definition.  The CLI (passes/rewrite_cli.py) only turns
arguments into these calls and writes what they return.
"""

import os

from initgate import logs
from initgate.errors import InitgateError, SourceError
from initgate.passes import analyze as analysis_mod, body_check, exported, file_names, render
from initgate.passes import version_script
from initgate.passes.analyze import Options

log = logs.logger("initgate.rewrite")


class FileOutput:
    """One file the pass produced: `text` is the whole new file."""

    def __init__(self, path, display, text, changed):
        self.path = path           # the file as clang opened it (the original to replace)
        self.display = display     # the name in `#line` and the manifest
        self.text = text
        self.changed = changed


class RewriteResult:
    def __init__(self):
        self.files = {}            # path -> FileOutput
        self.gated = []            # Definition records, sorted
        self.ungated = []          # exported but not gated, sorted
        self.init_file = None      # display name of the file defining init
        self.main_path = None      # rewrite_file's own file

    def text(self, path=None):
        """The new bytes of `path` (default: the file rewrite_file was given)."""
        return self.files[path or self.main_path].text


def load_exports(path):
    """An ExportList from a version script or a list of names."""
    try:
        with open(path, encoding="utf-8") as source:
            return version_script.ExportList(source.read(), path)
    except OSError as err:
        raise InitgateError("%s: cannot read the export list: %s" % (path, err.strerror)) from None
    except UnicodeDecodeError as err:
        raise InitgateError("%s: not UTF-8 text (byte 0x%02x at offset %d): --exports takes "
                            "a GNU ld version script or a list of names, one a line"
                            % (path, err.object[err.start], err.start)) from None


def rewrite_file(path, flags, init_name, *, ungated=(), exports=None, root=None,
                 continue_on_macro_brace=False, skip_bodies=False,
                 check_bodies=body_check.LIBCLANG):
    """Rewrite one translation unit in memory; nothing is written.

    `flags` are the build's compiler flags for `path`; `exports` an
    ExportList (see load_exports) or None; `root` the project folder whose
    headers may be edited (None: only `path` itself); `skip_bodies` parses
    declarations only, leaving errors inside function bodies to the compiler
    (passes/analyze.py); otherwise `check_bodies` says what checks them (see
    make_options).  Returns a RewriteResult whose files always include
    `path`.
    """
    options = make_options(init_name, ungated, exports, root, continue_on_macro_brace,
                           skip_bodies, check_bodies)
    result = rewrite_units([(path, list(flags))], options)
    result.main_path = path
    return result


def make_options(init_name, ungated=(), exports=None, root=None, continue_on_macro_brace=False,
                 skip_bodies=False, check_bodies=body_check.LIBCLANG):
    """Options for rewrite_units.  `check_bodies` says what checks function
    bodies when they are parsed: "libclang" (the full parse), None (the
    build's compiler, with bodies skipped by libclang), or a compiler
    command (passes/body_check.py)."""
    return Options(init_name=init_name, ungated=frozenset(ungated), export_list=exports,
                   root=os.path.realpath(root) if root else None,
                   continue_on_macro_brace=continue_on_macro_brace, skip_bodies=skip_bodies,
                   check_bodies=check_bodies)


def rewrite_units(units, options, jobs=1, progress=None):
    """Rewrite translation units [(path, flags)], [(path, flags, compiler)],
    [(path, flags, compiler, name)] or [(path, flags, compiler, name,
    folders)]; see the module docstring.  `name` is the file as the build's
    command names it (default: `path`), which `#line` repeats so that
    __FILE__ stays what the build made it; `folders` maps include folders
    made absolute in `flags` to the build's spelling (passes/file_names.py)."""
    names = {unit[0]: (unit[3] if len(unit) > 3 and unit[3] else unit[0],
                       unit[4] if len(unit) > 4 else {}) for unit in units}
    if len(units) == 1:
        return _rewrite_one(units[0], options, progress, names)
    options = Options(**dict(vars(options), record_unexported=True))
    return _result(_analyze_all(units, options, jobs, progress), options, names)


def _rewrite_one(unit, options, progress, names):
    """One unit, whose files are rendered while the compiler checking its
    bodies (passes/body_check.py) may still run: that is time the command
    would otherwise spend waiting for it.  What is rendered is kept unless
    the compiler's verdict changes the analysis."""
    path, flags = unit[:2]
    pending = analysis_mod.begin(path, flags, options, unit[2] if len(unit) > 2 else None,
                                 second_parse=True)
    try:
        try:
            early = _render_files([pending.analysis], options, names)
        except (InitgateError, ValueError):
            early = None        # raised again below, after the compiler's errors
        analysis = pending.finish()
    finally:
        pending.cancel()
    if progress:
        progress(path)
    return _result([analysis], options, names,
                   early if analysis is pending.analysis else None)


def _result(analyses, options, names, rendered=None):
    """The RewriteResult of these analyses; `rendered` is what _render_files
    made of them, if it has run already."""
    _check(analyses, options)
    files, init_file, merged = rendered or _render_files(analyses, options, names)
    result = RewriteResult()
    result.files = files
    result.init_file = init_file
    for definitions in merged.values():
        for definition in definitions.values():
            if definition.gated:
                result.gated.append(definition)
            elif definition.exported:
                result.ungated.append(definition)
    key = lambda d: (d.file, d.line, d.symbol)
    result.gated.sort(key=key)
    result.ungated.sort(key=key)
    for definition in result.gated:
        log.info("%s:%d: gated %s", definition.file, definition.line, _called(definition))
    for definition in result.ungated:
        log.info("%s:%d: not gated %s (%s)", definition.file, definition.line,
                 _called(definition), definition.reason)
    return result


def _called(definition):
    """A definition as -v names it: the C name, the symbol if an asm label
    renames it, and the body it runs if that is another function's."""
    text = definition.name
    if definition.symbol != definition.name:
        text += " (symbol %s)" % definition.symbol
    if definition.body:
        text += ", in the body of %s" % definition.body
    return text


def _render_files(analyses, options, names):
    """({path: FileOutput} for every file the analyses touch, the display
    name of the file that defines init or None, what _merge made of them);
    `names` maps a unit's path to (its name in the build's command, the
    include folders made absolute for the parse)."""
    spelling = _Spelling(analyses)
    built = _build_names(analyses, names, spelling)
    merged = _merge(analyses, spelling)
    init = [a.init for a in analyses if a.init is not None]
    init_paths = {spelling(i.path) for i in init}
    if len(init_paths) > 1:
        raise SourceError("init function '%s' is defined in more than one file: %s"
                          % (options.init_name, ", ".join(sorted(init_paths))))

    paths = [a.main_path for a in analyses] + list(merged)
    paths += [path for a in analyses for path in a.project_files]
    in_header = [a.init_in_header for a in analyses if a.init_in_header]
    if not init and in_header:
        raise SourceError("%s:%d: error: the init function '%s' is defined static or hidden "
                          "in a header, which would give each file that includes it an init "
                          "of its own: define it in one .c file"
                          % (in_header[0] + (options.init_name,)))
    files, init_file = {}, None
    for path in dict.fromkeys(spelling(p) for p in paths):
        definitions = merged.get(path, {})
        braces = [d.brace for d in definitions.values() if d.gated]
        init_here = next(((options.init_name, i.returns_void) for i in init
                          if spelling(i.path) == path), None)
        original = _read(path)
        # `#line 1` names the file itself, as the build's compiler named it:
        # that is what __FILE__ said before the rewrite.
        display = built.get(path, path)
        ifuncs = {symbol: bodies for a in analyses if spelling(a.main_path) == path
                  for symbol, bodies in a.ifuncs.items()}
        text = render.render(original, display, braces, init_here, sorted(ifuncs.items()))
        files[path] = FileOutput(path, display, text, text != original)
        if init_here:
            init_file = display
    return files, init_file, merged


def _build_names(analyses, names, spelling):
    """{file: its name in the build}: a unit's own file as its command names
    it, before any name another unit's includes give it (an included .c)."""
    per_unit = []
    for analysis in analyses:
        name, folders = names.get(analysis.main_path, (analysis.main_path, {}))
        per_unit.append(file_names.build_names(analysis, name, folders))
    built = {spelling(a.main_path): n[a.main_path] for a, n in zip(analyses, per_unit)}
    for unit_names in per_unit:
        for path, name in unit_names.items():
            built.setdefault(spelling(path), name)
    return built


def _analyze_all(units, options, jobs, progress):
    analyses, errors = [], []
    if jobs <= 1 or len(units) <= 1:
        for unit in units:
            try:
                analyses.append(_analyze_unit(unit, options))
            except SourceError as err:
                errors.append(err)
            if progress:
                progress(unit[0])
    else:
        # Processes, not threads: libclang parses with the GIL released, but
        # the decisions over each tree are Python and would run one thread
        # at a time.  Forked workers inherit the loaded libclang and the options;
        # each makes its own index.  Results keep the order of `units`.
        # Imported here: the compiler wrapper rewrites one file per call.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(units)), mp_context=context,
                                   initializer=_worker_start)
        try:
            futures = {pool.submit(_analyze_unit, unit, options): index
                       for index, unit in enumerate(units)}
            done = [None] * len(units)
            for future in as_completed(futures):
                done[futures[future]] = future
                if progress:
                    progress(units[futures[future]][0])
        except BaseException:
            # Ctrl-C or SIGTERM: the files not started yet are not started.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
        for future in done:
            try:
                analyses.append(future.result())
            except SourceError as err:
                errors.append(err)
    if errors:
        raise SourceError(str(errors[0]), more=errors[0].more + [
            line for err in errors[1:] for line in err.lines()])
    return analyses


def _analyze_unit(unit, options):
    path, flags = unit[:2]
    return analysis_mod.analyze(path, flags, options, unit[2] if len(unit) > 2 else None)


def _worker_start():
    """A forked -j worker makes its own libclang index and leaves interrupts to
    the parent, which stops handing out files: Ctrl-C is ignored here, and
    SIGTERM ends the worker quietly instead of with a traceback."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    analysis_mod.forget_index()


# The other spellings of `{`, as the analysis names them in place of a macro.
_OTHER_BRACES = {"<%": "digraph", "??<": "trigraph"}


def _check(analyses, options):
    """Refuse definitions that cannot be gated, unless the user chose otherwise."""
    problems = []
    for analysis in analyses:
        for definition in analysis.outside_root:
            problems.append(
                "%s:%d: error: exported function '%s' is defined outside the project "
                "(%s); pass --root with a folder that contains it so it can be gated"
                % (definition.file, definition.line, definition.name, definition.path))
        for definition in analysis.definitions:
            if definition.exported and definition.reason == exported.NAKED:
                problems.append(
                    "%s:%d: error: '%s' is naked: its body is assembly, where no gate can "
                    "be inserted; call _initgate_wait from that assembly (runtime_c/ABI.md) "
                    "and pass --ungated %s, or mark it INITGATE_UNGATED"
                    % (definition.file, definition.line, definition.name, definition.symbol))
        if options.continue_on_macro_brace:
            _warn_skipped(analysis.definitions)
            continue
        for definition in analysis.definitions:
            if definition.exported and definition.reason == exported.MACRO_BRACE \
                    and definition.macro in _OTHER_BRACES:
                problems.append(
                    "%s:%d: error: definition of '%s' opens its body with the %s '%s'; "
                    "the gate cannot be inserted there: write '{' instead, or pass "
                    "--skip-macro-braces to leave it ungated"
                    % (definition.file, definition.line, definition.name,
                       _OTHER_BRACES[definition.macro], definition.macro))
            elif definition.exported and definition.reason == exported.MACRO_BRACE:
                problems.append(
                    "%s:%d: error: definition of '%s' comes from macro '%s'; the gate "
                    "cannot be inserted there: spell the opening brace out in the file, "
                    "or pass --skip-macro-braces to leave it ungated"
                    % (definition.file, definition.line, definition.name, definition.macro))
    if problems:
        problems = sorted(set(problems))
        raise SourceError(problems[0], more=problems[1:])


def _warn_skipped(definitions):
    # --skip-macro-braces leaves exported code ungated: never without a word.
    for definition in definitions:
        if definition.exported and definition.reason == exported.MACRO_BRACE:
            log.warning("%s:%d: warning: '%s' is left ungated: its opening brace comes "
                        "from '%s' (--skip-macro-braces)", definition.file, definition.line,
                        definition.name, definition.macro)


class _Spelling:
    """One name for each file, however the translation units spelled it: a
    unit's own file as the user named it, another (a header, an included
    `.c`, which clang may call `./part.c`) as the first unit to see it did."""

    def __init__(self, analyses):
        self._names = {}        # realpath -> the name
        self._known = {}        # a spelling -> the name; realpath is slow per definition
        for analysis in analyses:
            self(analysis.main_path)

    def __call__(self, path):
        name = self._known.get(path)
        if name is None:
            name = self._known[path] = self._names.setdefault(os.path.realpath(path), path)
        return name


def _merge(analyses, spelling):
    """path -> {brace key -> Definition}, one entry per definition however many
    translation units saw it; a disagreement between units is an error.  A
    file's own unit is heard first, so the manifest names its definitions as
    the user named the file."""
    own, others = [], []
    for analysis in analyses:
        main = spelling(analysis.main_path)
        for definition in analysis.definitions:
            path = spelling(definition.path)
            (own if path == main else others).append((path, definition))
    merged = {}
    for path, definition in own + others:
        # An alias shares its target's brace: each symbol has its own entry.
        key = (definition.brace, definition.symbol) if definition.brace >= 0 \
            else ("macro", definition.line, definition.symbol)
        place = merged.setdefault(path, {})
        earlier = place.get(key)
        if earlier is None:
            place[key] = definition
        elif (earlier.gated, earlier.exported) != (definition.gated, definition.exported):
            raise SourceError(
                "%s:%d: error: translation units disagree about '%s': one %s it, "
                "another %s it (compile them with the same flags, or mark it "
                "INITGATE_UNGATED)"
                % (definition.file, definition.line, definition.name,
                   _verb(earlier), _verb(definition)))
    return merged


def _verb(definition):
    if definition.gated:
        return "gates"
    if definition.exported:
        return "leaves ungated (%s)" % definition.reason
    return "does not export"


def _read(path):
    try:
        with open(path, "rb") as source:
            return source.read()
    except OSError as err:
        raise InitgateError("%s: cannot read: %s" % (path, err.strerror)) from None
