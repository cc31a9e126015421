"""One walk over a parsed translation unit: the function definitions to gate.

passes/analyze.py parses; this walks the tree's top-level declarations
(never into a body) and, for each definition in a project file, decides
from the facts passes/exported.py judges whether the symbol is exported
and whether it is gated: a list of Definition records and, if the file
defines it, the init function's signature.

With bodies skipped the tree holds no brace: each definition's `{` is found
in the text after its declarator (passes/braces.py), which also tells
definitions (`{`) from declarations (`;`); libclang's indexer settles what
the text does not (clang_isCursorDefinition says no to every function whose
body was skipped).  When the text after some declarator is not plainly a
`{` (a macro, a preprocessor line, a digraph), or an ifunc's resolver must
be read, the walk raises BraceNotInText and passes/analyze.py parses the
unit again in full, so both ways give the same bytes.

Exported symbols whose code is another function's are settled once every
definition is known: an alias runs its target's body, an ifunc whatever
its resolver returns, and the gate goes into those bodies.

Speed: the walk is the only part of the pass that is not the parse itself.
It visits top-level declarations only, never a body, and reads what it
needs about each from one table that passes/facts.c fills in a single call
(passes/facts.py), checking the flags (system header, linkage) before the
rest; only attributes, inline rules, aliases and the init function ask
libclang anything more.
"""

import ctypes
import os
import re
from collections import namedtuple

from initgate import logs
from initgate.errors import SourceError
from initgate.passes import braces, exported, facts, late_attributes, libclang as lc

log = logs.logger("initgate.rewrite")

# `#line N`, or the `# N "file"` form that preprocessors write.  Not anchored
# to a line start, which is ten times faster on a large file: text that only
# looks like one (in a string) merely sends the file down the exact path.
_LINE_DIRECTIVE = re.compile(rb"#[ \t]*(?:line\b|[0-9])")

# The visibilities that put a symbol in the dynamic symbol table.
_VISIBLE = (lc.VISIBILITY_DEFAULT, lc.VISIBILITY_PROTECTED)

# A declaration that may make an exported symbol another function's code:
# `alias` and `ifunc` are among the attributes libclang does not expose.
_MAY_ALIAS = facts.EXTERNAL | facts.UNEXPOSED_ATTR


class Definition(namedtuple("Definition", "name file line path brace macro exported reason "
                                          "symbol body")):
    """One function definition in a project file, and what the pass decided.

    A tuple rather than an object: a large file has thousands, and this is
    the one record the walk creates per exported function.  Fields:
    name: the C name; file, line: as the compiler names them (#line
    honoured), for the manifest and messages; path: the file that holds the
    opening brace, as clang opened it; brace: byte offset of `{` in path, -1
    when a macro supplies it; macro: the macro that supplies the brace, or
    ""; exported: whether the symbol reaches the dynamic symbol table;
    reason: "" when gated, otherwise why not (exported.* reasons); symbol:
    the name in the symbol table (an `asm` label changes it); body: "" when
    the code is the symbol's own definition, else the function whose body
    the symbol runs (an alias's target, an ifunc's implementation), which
    is where the gate goes.
    """

    __slots__ = ()

    @property
    def gated(self):
        return self.exported and not self.reason


class InitFunction(namedtuple("InitFunction", "path returns_void")):
    """The init function: the file that defines it (as clang opened it), and
    whether it returns void rather than int."""

    __slots__ = ()


class Analysis:
    def __init__(self, main_path):
        self.main_path = main_path
        self.definitions = []
        self.init = None
        self.outside_root = []       # exported definitions we may not edit
        self.project_files = []      # files under the root this unit includes
        self.includes = {}           # project file -> how its first #include named it
        self.ifuncs = {}             # gated ifunc symbol -> the functions it may run
        self.init_in_header = None   # (file, line) of a static or hidden init in a header


class BraceNotInText(Exception):
    """A skipped-body parse met a definition it cannot settle from the text alone."""


class Walk:
    def __init__(self, tu, path, options, gnu89, skipped_bodies=False, index=None):
        self.tu = tu
        self.index = index           # for the indexer, when the text does not say
        self.options = options
        self.gnu89 = gnu89
        self.skipped_bodies = skipped_bodies
        self.analysis = Analysis(path)
        tu_pointer = ctypes.cast(tu.obj, ctypes.c_void_p)
        self.main_file = lc.getFile(tu_pointer, os.fsencode(path)) or 0
        self.functions = None        # facts.Table: every top-level function declaration
        self.by_name = None          # name -> declarations (Function), built when needed
        self.printer = lc.DeclarationPrinter(tu.cursor)
        self.children = lc.Children()
        self.project = {}            # file handle -> (clang's name, in project?)
        self.contents = {}           # file name -> bytes
        self.unexported = []         # indices of static or hidden definitions: init candidates
        self.line_directives = {}    # file handle -> has `#line` or `# N "file"`
        self.braces = {}             # skipped bodies: declaration -> (file handle, `{`)
        self.indexed = None          # skipped bodies: the indexer's definitions
        self.aliases = {}            # symbol -> (declaration, "alias" or "ifunc", target)
        self.late = {}               # attributes after definitions (passes/late_attributes.py)
        self.explain = log.debugging()   # -vv: name what is not exported, too

    def close(self):
        self.printer.close()

    def run(self):
        table = self.functions = facts.gather(self.tu, not self.skipped_bodies)
        self.late = late_attributes.find(self.tu, self._contents)
        if self.skipped_bodies:
            # Bodies skipped: which declarations define is found out below,
            # for the few that could be gated.
            for index, flags in enumerate(table.flags):
                if not flags & facts.SYSTEM_HEADER:
                    self._definition(index)
        else:
            for index, flags in enumerate(table.flags):
                if flags & facts.DEFINITION:
                    self._definition(index)
                elif flags & _MAY_ALIAS == _MAY_ALIAS and not flags & facts.SYSTEM_HEADER:
                    self._alias_declaration(self.functions[index])
        for symbol, (declaration, kind, target) in self.aliases.items():
            if kind == "alias":
                self._alias(declaration, symbol, target)
            else:
                self._ifunc(declaration, symbol, target)
        self._find_unexported_init()

        # A mirrored tree needs the project's headers even where nothing in
        # them changes: the rewritten .c still includes them by relative path.
        if self.options.root:
            seen = set()
            for inclusion in self.tu.get_includes():
                name = inclusion.include.name
                if name not in seen and _under(name, self.options.root):
                    seen.add(name)
                    self.analysis.project_files.append(name)
                    self.analysis.includes[name] = self._directive(inclusion)
        return self.analysis

    def _directive(self, inclusion):
        """(the including file, the name between the quotes or brackets, quoted?)
        of an #include, or None where a macro spells the name or -include
        names the file."""
        if inclusion.source is None:
            return None
        includer = inclusion.source.name
        offset = inclusion.location.offset
        try:
            text = self._contents(includer)[offset:offset + 4096]
        except OSError:
            return None
        close = {b'"': b'"', b"<": b">"}.get(text[:1])
        end = text.find(close, 1) if close else -1
        if end < 0:
            return None
        return includer, os.fsdecode(text[1:end]), close == b'"'

    def _file(self, handle):
        known = self.project.get(handle)
        if known is None:
            name = lc.file_name(handle)
            inside = handle == self.main_file or _under(name, self.options.root)
            known = self.project[handle] = (name, inside)
        return known

    def _definition(self, index):
        # The flags first, which cost nothing, so that the static and hidden
        # functions most files are full of are passed over at once: perhaps
        # one is the init function, looked for only if no exported one turns
        # up (with bodies skipped, only then is it asked whether it defines).
        flags = self.functions.flags[index]
        if not flags & facts.EXTERNAL:
            self._unexported(index)
            return
        visible = facts.visibility(flags) in _VISIBLE
        if self.late:
            visibility = self._late(self.functions[index]).get("visibility")
            if visibility:
                visible = visibility in ("default", "protected")
        if not visible and flags & facts.MAIN_FILE:
            self._unexported(index)
            return
        function = self.functions[index]
        if flags & facts.MAIN_FILE:
            handle = self.main_file
        else:
            # Also the main file when a macro spells the name.
            handle = function.file
            if handle != self.main_file and flags & facts.SYSTEM_HEADER:
                return
            if handle == self.main_file and not visible:
                self._unexported(index)
                return
        if self.skipped_bodies and not self._defines(function):
            if flags & facts.UNEXPOSED_ATTR:
                self._alias_declaration(function)
            return

        name = function.name
        if name == self.options.init_name:
            self._init(function, handle)
        if self.skipped_bodies:
            brace_handle, brace = self._brace_in_text(function)
        else:
            if not flags & facts.BODY:
                return
            brace_handle, brace = function.body_file, function.body_offset
        brace_name, in_project = self._file(brace_handle)
        if not in_project and not visible:
            return
        if visible and flags & facts.INLINED:
            visible = exported.inline_emits_symbol(
                [self.printer(f.cursor) for f in self._redeclarations(name)], name, self.gnu89)

        macro = ""
        if not self.skipped_bodies:
            brace, macro = self._brace_at(brace_name, brace)
        symbol = self._symbol(function)
        reason = self._reason(function, symbol, macro)

        file, line = self._presumed(function)
        definition = Definition(
            name=name, file=file, line=line, path=brace_name,
            brace=-1 if macro else brace, macro=macro, exported=visible, reason=reason,
            symbol=symbol, body="")
        if definition.exported and not in_project:
            self.analysis.outside_root.append(definition)
            return
        self.analysis.definitions.append(definition)

    def _unexported(self, index):
        self.unexported.append(index)
        if self.options.record_unexported:
            self._record_unexported(index)
        if self.explain:
            self._explain_unexported(self.functions[index])

    def _explain_unexported(self, function):
        # -vv: why a definition of the project's is not gated, when it is
        # because it is not exported (the others are named at -v).
        if self.skipped_bodies and not self._defines_by_text(function):
            return
        name, in_project = self._file(function.file)
        if not in_project:
            return
        why = "static" if not function.flags & facts.EXTERNAL else "hidden"
        file, line = self._presumed(function)
        log.debug("%s:%d: %s is not exported (%s)", file, line, function.name, why)

    def _record_unexported(self, index):
        # One unit may make a function static or hidden (through a macro)
        # that another, which includes its file, exports: such a split is
        # reported (passes/rewrite.py, _merge) only if both views are there.
        # Only what the text says plainly is recorded: the function is not
        # gated here, so it is not worth the indexer or the full parse.
        flags = self.functions.flags[index]
        function = self.functions[index]
        if not flags & facts.MAIN_FILE and flags & facts.SYSTEM_HEADER \
                and function.file != self.main_file:
            return
        if self.skipped_bodies:
            if not self._defines_by_text(function):
                return
            try:
                brace_handle, brace = self._brace_in_text(function)
            except BraceNotInText:
                return
        elif flags & facts.BODY:
            brace_handle, brace = function.body_file, function.body_offset
        else:
            return
        brace_name, in_project = self._file(brace_handle)
        if not in_project:
            return
        macro = ""
        if not self.skipped_bodies:
            brace, macro = self._brace_at(brace_name, brace)
        file, line = self._presumed(function)
        self.analysis.definitions.append(Definition(
            name=function.name, file=file, line=line, path=brace_name,
            brace=-1 if macro else brace, macro=macro, exported=False, reason="",
            symbol=self._symbol(function), body=""))

    def _presumed(self, function):
        """(file, line) of a function's name as the compiler reports them,
        honouring #line.

        Without a line directive in the file, the file and line of the
        expansion site are the same thing, and need no more libclang calls.
        """
        handle = function.file
        name, _in_project = self._file(handle)
        if handle not in self.line_directives:
            self.line_directives[handle] = _LINE_DIRECTIVE.search(self._contents(name))
        if self.line_directives[handle]:
            file, line, _column = lc.presumed(lc.getCursorLocation(function.cursor))
            return file, line
        return name, function.line

    def _find_unexported_init(self):
        if self.analysis.init is not None:
            return
        name = self.options.init_name
        for index in self.unexported:
            if self.functions.name(index) == name:
                function = self.functions[index]
                if self.skipped_bodies and not self._defines(function):
                    continue
                if function.file == self.main_file:
                    self._init(function, function.file)
                    return
                # A static or hidden one in a header: each unit that
                # includes it would get a trampoline of its own.
                if not function.flags & facts.SYSTEM_HEADER:
                    self.analysis.init_in_header = self._presumed(function)

    def _reason(self, function, symbol, macro, as_exported=True):
        """Why the definition `function` is not gated, or "" (exported.py):
        by what it is, and, `as_exported`, by what the user said of its
        symbol.  A static function an alias exports is judged by what it is
        alone: what was said of the alias is the alias's own reason."""
        annotations = set()
        if function.flags & facts.ANNOTATE:
            annotations = {lc.spelling(part) for part in self.children(function.cursor)
                           if lc.getCursorKind(part) == lc.ANNOTATE_ATTR}
        attributes = self._attributes(function) if function.flags & facts.UNEXPOSED_ATTR \
            else set()
        if self.late:
            attributes |= set(self._late(function))
        return exported.ungated_reason(
            function.name, symbol=symbol, init_name=self.options.init_name,
            annotations=annotations, attributes=attributes,
            ungated_names=self.options.ungated if as_exported else (),
            export_list=self.options.export_list if as_exported else None,
            brace_from_macro=bool(macro))

    def _attributes(self, function):
        # An attribute written on an earlier declaration is inherited by the
        # definition but printed only with the declaration that wrote it.
        found = exported.attributes(self.printer(function.cursor))
        for declaration in self._redeclarations(function.name):
            if declaration.flags & facts.UNEXPOSED_ATTR:
                found |= exported.attributes(self.printer(declaration.cursor))
        return found

    def _late(self, function):
        """The attributes written after `function`'s definition, which clang
        dropped and gcc applies (passes/late_attributes.py)."""
        return self.late.get((self._file(function.file)[0], function.offset), {})

    def _symbol(self, function):
        """The name the symbol table holds: the C name, or its `asm` label."""
        if not function.flags & facts.ASM_LABEL:
            return function.name
        for part in self.children(function.cursor):
            if lc.getCursorKind(part) == lc.ASM_LABEL_ATTR:
                return lc.spelling(part)
        return function.name

    # Aliases and ifuncs: exported symbols whose code is another function's.

    def _alias_declaration(self, function):
        """Note an exported declaration that is an alias or an ifunc; they are
        settled once every definition is known (run)."""
        if facts.visibility(function.flags) not in _VISIBLE:
            return
        found = exported.alias_target(self.printer(function.cursor))
        if found is not None:
            self.aliases.setdefault(self._symbol(function), (function,) + found)

    def _alias(self, declaration, symbol, target):
        """An exported alias runs its target's body: gate that body, even the
        body of a static or hidden function, unless the alias itself or the
        target's nature says not to."""
        seen = {symbol}
        while target in self.aliases and target not in seen:
            seen.add(target)
            _other, kind, next_target = self.aliases[target]
            if kind == "ifunc":
                self._ifunc(declaration, symbol, next_target)
                return
            target = next_target
        body = self._defined(target)
        if body is None:
            file, line = self._presumed(declaration)
            raise SourceError("%s:%d: error: '%s' is an alias of '%s', which this file does "
                              "not define as a C function, so its code cannot be gated; "
                              "define it here, or pass --ungated %s to leave it ungated"
                              % (file, line, declaration.name, target, symbol))
        self._gate_body(declaration, symbol, body)

    def _ifunc(self, declaration, symbol, resolver):
        """An exported ifunc runs whatever function its resolver returns: gate
        every function the resolver names other than by calling it.  The
        resolver runs while the loader relocates the library, long before
        init, so it is never gated itself."""
        if self.skipped_bodies:
            raise BraceNotInText("ifunc '%s' needs its resolver's body" % symbol)
        file, line = self._presumed(declaration)
        function = self._defined(resolver)
        if function is None:
            raise SourceError("%s:%d: error: the resolver '%s' of ifunc '%s' is not defined "
                              "in this file; define it here, or pass --ungated %s to leave "
                              "the ifunc ungated" % (file, line, resolver, symbol, symbol))
        self._ungate(resolver, exported.IFUNC_RESOLVER)
        returned = lc.returned_functions(function.cursor, self.tu)
        if not returned:
            raise SourceError("%s:%d: error: the resolver '%s' of ifunc '%s' names no function "
                              "to return, so initgate cannot tell which code to gate; return "
                              "the implementations by name, or pass --ungated %s to leave "
                              "the ifunc ungated" % (file, line, resolver, symbol, symbol))
        for name in returned:
            body = self._defined(name)
            if body is None:
                raise SourceError("%s:%d: error: ifunc '%s' may resolve to '%s', which this "
                                  "file does not define, so its code cannot be gated here; "
                                  "define it in this file, or pass --ungated %s to leave the "
                                  "ifunc ungated" % (file, line, symbol, name, symbol))
            if self._gate_body(declaration, symbol, body).gated:
                self.analysis.ifuncs.setdefault(symbol, []).append(self._symbol(body))

    def _gate_body(self, declaration, symbol, body):
        """Record the exported `symbol` (declared by `declaration`) as running
        the definition `body`, gated there unless a reason says otherwise;
        return the Definition."""
        brace_handle, brace = self._site(body)
        brace_name, in_project = self._file(brace_handle)
        macro = ""
        if not self.skipped_bodies:
            brace, macro = self._brace_at(brace_name, brace)
        body_symbol = self._symbol(body)
        reason = self._reason(declaration, symbol, "")
        if not reason:
            own = self._record(body_symbol)
            if own is not None and own.exported and own.reason != exported.NOT_IN_EXPORTS:
                reason = own.reason     # the same code, whatever its name
            else:
                reason = self._reason(body, body_symbol, macro, as_exported=False)
        file, line = self._presumed(body)
        definition = Definition(
            name=declaration.name, file=file, line=line, path=brace_name,
            brace=-1 if macro else brace, macro=macro, exported=True, reason=reason,
            symbol=symbol, body=body_symbol)
        if not in_project:
            self.analysis.outside_root.append(definition)
        else:
            self.analysis.definitions.append(definition)
        return definition

    def _site(self, function):
        """(file handle, offset) of a definition's `{`."""
        if self.skipped_bodies:
            return self._brace_in_text(function)
        return function.body_file, function.body_offset

    def _defined(self, symbol):
        """The definition whose symbol is `symbol` in this unit, or None."""
        # By its C name first; an asm label's symbol can be any function's.
        table = self.functions
        labelled = (table[i] for i in range(len(table)) if table.flags[i] & facts.ASM_LABEL)
        for candidates in (self._redeclarations(symbol), labelled):
            for function in candidates:
                if function.flags & facts.SYSTEM_HEADER \
                        and not function.flags & facts.MAIN_FILE:
                    continue
                if self._symbol(function) != symbol:
                    continue
                if self.skipped_bodies and self._defines(function):
                    return function
                if not self.skipped_bodies and function.flags & facts.BODY:
                    return function
        return None

    def _record(self, symbol):
        for definition in self.analysis.definitions:
            if definition.symbol == symbol and not definition.body:
                return definition
        return None

    def _ungate(self, symbol, reason):
        # Only where it would be gated: what is ungated already keeps its reason.
        definitions = self.analysis.definitions
        for i, definition in enumerate(definitions):
            if definition.symbol == symbol and definition.gated:
                definitions[i] = definition._replace(reason=reason)

    def _redeclarations(self, name):
        if self.by_name is None:
            self.by_name = {}
            table = self.functions
            for index in range(len(table)):
                self.by_name.setdefault(table.name(index), []).append(index)
        return [self.functions[index] for index in self.by_name.get(name, [])]

    # Skipped bodies: which declarations define, and where their `{` is.

    def _defines(self, function):
        """Whether `function` (outside system headers: _definition passes over
        every one of them, defined or not) defines its function, from the text
        after its declarator, else from libclang's indexer.

        clang_isCursorDefinition says no to every function once bodies are
        skipped (it looks for the body); the indexer still knows, but costs
        as much as the parse itself, so it is asked only when the text does
        not say.
        """
        known = self._defines_by_text(function)
        if known is not None:
            return known
        if self.indexed is None:
            self.indexed = lc.defined_functions(self.index, self.tu)
            if self.indexed is None:
                raise BraceNotInText("libclang's indexer failed")
        return function.d0 in self.indexed

    def _defines_by_text(self, function):
        """What the text after the declarator says of _defines(): True, False,
        or None when it does not say."""
        handle, offset = function.end_file, function.end_offset
        data = self._contents(self._file(handle)[0]) if handle else b""
        if function.flags & facts.END_IN_MACRO:
            # The declarator ends inside a macro's argument, as in zlib's
            # `int f OF((int x));`: `offset` is where the macro's name is.
            found = braces.after_invocation(data, offset)
        else:
            found = braces.after_declarator(data, offset)
            if found is None and function.params_end > offset:
                return True         # K&R: parameter declarations follow
        if found == braces.DECLARATION:
            return False
        if found is not None:
            self.braces[function.d0] = (handle, found)
            return True
        return None

    def _brace_in_text(self, function):
        """(file handle, offset) of a skipped body's `{`, or BraceNotInText.

        A name that comes from a macro (zlib's Z_PREFIX renames every
        function so) is no obstacle by itself: the text is read only when
        the declarator's last token is the file's own, not a macro's or a
        macro argument's (END_IN_MACRO), and a `{` that follows it with
        nothing but trivia between is the body's.  A macro that supplies
        the declarator's end, and so may supply the brace, sends the unit to
        the full parse.
        """
        known = self.braces.get(function.d0)
        if known is not None:
            return known
        handle, offset = function.end_file, function.end_offset
        path = self._file(handle)[0] if handle else ""
        brace = None
        if path and not function.flags & facts.END_IN_MACRO:
            data = self._contents(path)
            knr_end = function.params_end
            if knr_end > offset or not braces.ends_in_name(data, offset):
                brace = braces.find_brace(data, knr_end)
        if brace is None:
            raise BraceNotInText("%s: the text after the declarator of '%s' (offset %d) "
                                  "is not plainly its opening brace"
                                  % (path, function.name, offset))
        return handle, brace

    def _brace_at(self, path, offset):
        """(offset of `{`, "") when the file spells the brace, else (offset, macro).

        Clang puts a token that follows a backslash-newline at the splice,
        so line splices are stepped over before looking for the brace.
        """
        data = self._contents(path)
        brace = offset
        while data[brace:brace + 1] == b"\\":
            newline = brace + 1 + (data[brace + 1:brace + 2] == b"\r")
            if data[newline:newline + 1] != b"\n":
                break
            brace = newline + 1
        if data[brace:brace + 1] == b"{":
            return brace, ""
        return offset, self._macro_name(data, offset)

    @staticmethod
    def _macro_name(data, offset):
        if data[offset:offset + 2] == b"<%":
            return "<%"             # the digraph for `{`: no macro at all
        if data[offset:offset + 3] == b"??<":
            return "??<"            # the trigraph for `{` (-trigraphs, -std=c99)
        end = offset
        while end < len(data) and (data[end:end + 1].isalnum() or data[end:end + 1] == b"_"):
            end += 1
        return data[offset:end].decode("utf-8", "replace") or "?"

    def _contents(self, path):
        data = self.contents.get(path)
        if data is None:
            with open(path, "rb") as source:
                data = self.contents[path] = source.read()
        return data

    def _init(self, function, handle):
        name, _in_project = self._file(handle)
        cursor = function.cursor
        file, line, _column = lc.presumed(lc.getCursorLocation(cursor))
        result = lc.getCanonicalType(lc.getCursorResultType(cursor))._kind_id
        if result not in (lc.TYPE_VOID, lc.TYPE_INT) or lc.getNumArguments(cursor) > 0:
            raise SourceError("%s:%d: error: init function '%s' must be declared "
                              "'int %s(void)' or 'void %s(void)'"
                              % (file, line, self.options.init_name,
                                 self.options.init_name, self.options.init_name))
        self.analysis.init = InitFunction(path=name, returns_void=result == lc.TYPE_VOID)


def _under(path, root):
    if not root:
        return False
    path = os.path.realpath(path)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
