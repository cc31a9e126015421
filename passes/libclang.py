"""The slice of libclang's C API the rewrite pass uses, declared once.

`clang.cindex` loads the library and wraps most of it, but it has no binding
for a cursor's visibility, presumed locations or pretty printing, and its
cursor walk builds a Python object per child.  This module declares those
functions on the same loaded library (`conf.lib`) with their exact ctypes
signatures, plus a few small helpers the pass calls per function, so that the
rest of the pass never touches ctypes directly.

Everything here is a thin, exact mapping of Index.h; the decisions live in
passes/exported.py.
"""

import ctypes
import os
from ctypes import POINTER, byref, c_int, c_uint, c_void_p

from clang import cindex
from clang.cindex import Cursor, SourceLocation, SourceRange


class CXString(ctypes.Structure):
    """A CXString we release ourselves (cindex's frees itself when collected)."""

    _fields_ = [("data", c_void_p), ("private_flags", c_uint)]

# CXCursorKind values (Index.h); compared as plain ints in the hot loop.
FUNCTION_DECL = 8
PARM_DECL = 10
LINKAGE_SPEC = 23
UNEXPOSED_DECL = 1
COMPOUND_STMT = 202
UNEXPOSED_ATTR = 400
ANNOTATE_ATTR = 406
ASM_LABEL_ATTR = 407
DECL_REF_EXPR = 101
CALL_EXPR = 103

# A CXSourceLocation's int_data is clang's raw SourceLocation: this bit
# marks a location inside a macro expansion.
MACRO_LOCATION = 0x80000000

# CXLinkageKind and CXVisibilityKind.
LINKAGE_EXTERNAL = 4
VISIBILITY_HIDDEN = 1
VISIBILITY_PROTECTED = 2
VISIBILITY_DEFAULT = 3

# CXTranslationUnit_Flags: warnings from headers are of no use to the pass;
# skipped bodies leave only declarations (see passes/analyze.py).
PARSE_SKIP_FUNCTION_BODIES = 0x40
PARSE_IGNORE_NON_ERRORS_FROM_INCLUDED_FILES = 0x4000

# CXChildVisitResult.
VISIT_BREAK, VISIT_CONTINUE, VISIT_RECURSE = 0, 1, 2

# CXPrintingPolicyProperty values used to print a declaration without its body.
POLICY_TERSE_OUTPUT = 17

VISITOR = ctypes.CFUNCTYPE(c_int, Cursor, Cursor, c_void_p)

# cindex names its library after platform.system(), and importing platform
# costs each gated compile of `initgate cc` 2 ms; initgate runs on Linux
# only, so the file is named here, in the folder cindex would look in.
# (Without that file, cindex's own search stands.)
if not cindex.Config.loaded and not cindex.Config.library_file and cindex.Config.library_path:
    _bundled = os.path.join(cindex.Config.library_path, "libclang.so")
    if os.path.isfile(_bundled):
        cindex.Config.set_library_file(_bundled)

# A second handle on the library cindex already loaded: the same code, but
# function objects of our own, so our signatures never disturb cindex's.
lib = ctypes.CDLL(cindex.conf.lib._name)


def _declare(name, argtypes, restype):
    function = getattr(lib, name)
    function.argtypes = argtypes
    function.restype = restype
    return function


getCursorKind = _declare("clang_getCursorKind", [Cursor], c_int)
isCursorDefinition = _declare("clang_isCursorDefinition", [Cursor], c_uint)
getCursorLinkage = _declare("clang_getCursorLinkage", [Cursor], c_int)
getCursorVisibility = _declare("clang_getCursorVisibility", [Cursor], c_int)
getCursorLocation = _declare("clang_getCursorLocation", [Cursor], SourceLocation)
getCursorExtent = _declare("clang_getCursorExtent", [Cursor], SourceRange)
getRangeStart = _declare("clang_getRangeStart", [SourceRange], SourceLocation)
getRangeEnd = _declare("clang_getRangeEnd", [SourceRange], SourceLocation)
isInSystemHeader = _declare("clang_Location_isInSystemHeader", [SourceLocation], c_int)
isFromMainFile = _declare("clang_Location_isFromMainFile", [SourceLocation], c_int)
visitChildren = _declare("clang_visitChildren", [Cursor, VISITOR, c_void_p], c_uint)
getFileLocation = _declare(
    "clang_getExpansionLocation",
    [SourceLocation, POINTER(c_void_p), POINTER(c_uint), POINTER(c_uint), POINTER(c_uint)],
    None)
getPresumedLocation = _declare(
    "clang_getPresumedLocation",
    [SourceLocation, POINTER(CXString), POINTER(c_uint), POINTER(c_uint)], None)
getFileName = _declare("clang_getFileName", [c_void_p], CXString)
getCString = _declare("clang_getCString", [CXString], ctypes.c_char_p)
disposeString = _declare("clang_disposeString", [CXString], None)
getCursorSpelling = _declare("clang_getCursorSpelling", [Cursor], CXString)
getCursorPrintingPolicy = _declare("clang_getCursorPrintingPolicy", [Cursor], c_void_p)
setPolicyProperty = _declare("clang_PrintingPolicy_setProperty", [c_void_p, c_int, c_uint], None)
disposePolicy = _declare("clang_PrintingPolicy_dispose", [c_void_p], None)
getCursorPrettyPrinted = _declare("clang_getCursorPrettyPrinted", [Cursor, c_void_p], CXString)
getCursorResultType = _declare("clang_getCursorResultType", [Cursor], cindex.Type)
getCanonicalType = _declare("clang_getCanonicalType", [cindex.Type], cindex.Type)
getNumArguments = _declare("clang_Cursor_getNumArguments", [Cursor], c_int)
isFunctionInlined = _declare("clang_Cursor_isFunctionInlined", [Cursor], c_uint)
getTranslationUnitCursor = _declare("clang_getTranslationUnitCursor", [c_void_p], Cursor)
getFile = _declare("clang_getFile", [c_void_p, ctypes.c_char_p], c_void_p)
createIndexAction = _declare("clang_IndexAction_create", [c_void_p], c_void_p)
disposeIndexAction = _declare("clang_IndexAction_dispose", [c_void_p], None)

# CXTypeKind values the init function's signature is checked against.
TYPE_VOID = 2
TYPE_INT = 17


_NO_UINT = ctypes.cast(None, POINTER(c_uint))


def take_string(cx_string):
    """The text of a CXString, decoded, after releasing it."""
    try:
        raw = getCString(cx_string)
        return raw.decode("utf-8", "replace") if raw else ""
    finally:
        disposeString(cx_string)


def spelling(cursor):
    return take_string(getCursorSpelling(cursor))


def returned_functions(definition, tu):
    """The names of the functions a definition's body refers to other than by
    calling them (an ifunc resolver's candidates), in order, once each.

    Only resolvers are read this way, and they are short: cindex's own walk
    is fast enough, and a call's callee is its first child."""
    found = []

    def visit(cursor, called):
        kind = cursor.kind.value
        if kind == DECL_REF_EXPR and not called:
            target = cursor.referenced
            if target is not None and target.kind.value == FUNCTION_DECL \
                    and target.spelling not in found:
                found.append(target.spelling)
        for i, child in enumerate(cursor.get_children()):
            visit(child, called or (kind == CALL_EXPR and i == 0))

    definition._tu = tu         # cindex's walk wants it on every cursor it starts from
    for part in definition.get_children():
        if part.kind.value == COMPOUND_STMT:
            visit(part, False)
    return found


def file_location(location):
    """(CXFile handle, line, byte offset) of the expansion site of a location."""
    handle, line, offset = c_void_p(), c_uint(), c_uint()
    getFileLocation(location, byref(handle), byref(line), _NO_UINT, byref(offset))
    return handle.value, line.value, offset.value


def file_name(handle):
    return take_string(getFileName(handle)) if handle else ""


def presumed(location):
    """(file, line, column) as the compiler reports them, honouring #line."""
    name, line, column = CXString(), c_uint(), c_uint()
    getPresumedLocation(location, byref(name), byref(line), byref(column))
    return take_string(name), line.value, column.value


def visit_children(cursor, visit):
    """clang_visitChildren with `visit(child)` returning a VISIT_* value.

    An exception raised by `visit` stops the walk and is raised again here,
    where ctypes cannot swallow it.
    """
    failure = []

    def callback(child, _parent, _data):
        try:
            return visit(child)
        except BaseException as err:      # re-raised below, KeyboardInterrupt included
            failure.append(err)
            return VISIT_BREAK

    visitChildren(cursor, VISITOR(callback), None)
    if failure:
        raise failure[0]


class Children:
    """Lists the direct children of cursors, without descending any further.

    One instance per walk: the C callback is made once, not per cursor.
    """

    def __init__(self):
        self._found = []
        self._failure = []

        def visit(child, _parent, _data):
            try:
                self._found.append(child)
            except BaseException as err:  # re-raised in __call__
                self._failure.append(err)
                return VISIT_BREAK
            return VISIT_CONTINUE

        self._visitor = VISITOR(visit)

    def __call__(self, cursor):
        self._found = []
        visitChildren(cursor, self._visitor, None)
        if self._failure:
            raise self._failure.pop()
        return self._found


class DeclarationPrinter:
    """Prints declarations as the compiler sees them, bodies left out.

    Attributes such as constructor and destructor, and the `inline` and
    `extern` actually written on one declaration, are visible only here.
    """

    def __init__(self, cursor):
        self._policy = getCursorPrintingPolicy(cursor)
        setPolicyProperty(self._policy, POLICY_TERSE_OUTPUT, 1)

    def __call__(self, cursor):
        return take_string(getCursorPrettyPrinted(cursor, self._policy))

    def close(self):
        if self._policy:
            disposePolicy(self._policy)
            self._policy = None


class _IdxDeclInfo(ctypes.Structure):
    """CXIdxDeclInfo, its cursor flattened, cut after the one flag we read."""

    _fields_ = [("entity", c_void_p),
                ("kind", c_int), ("xdata", c_int), ("decl", c_void_p), ("data1", c_void_p),
                ("data2", c_void_p),
                ("loc_data0", c_void_p), ("loc_data1", c_void_p), ("loc_int", c_uint),
                ("semantic_container", c_void_p), ("lexical_container", c_void_p),
                ("is_redeclaration", c_int), ("is_definition", c_int)]


_DECLARATION_CALLBACK = ctypes.CFUNCTYPE(None, c_void_p, POINTER(_IdxDeclInfo))


class _IndexerCallbacks(ctypes.Structure):
    _fields_ = [("abort_query", c_void_p), ("diagnostic", c_void_p),
                ("entered_main_file", c_void_p), ("pp_included_file", c_void_p),
                ("imported_ast_file", c_void_p), ("started_translation_unit", c_void_p),
                ("index_declaration", _DECLARATION_CALLBACK),
                ("index_entity_reference", c_void_p)]


indexTranslationUnit = _declare(
    "clang_indexTranslationUnit",
    [c_void_p, c_void_p, POINTER(_IndexerCallbacks), c_uint, c_uint, c_void_p], c_int)


def defined_functions(index, tu):
    """The declarations (as a cursor's first data word) that define a function,
    or None if the indexer failed.

    With PARSE_SKIP_FUNCTION_BODIES, clang_isCursorDefinition answers no for
    every function, because it looks for the body; the indexer asks the
    declaration itself, which still knows that a body was there.
    """
    found, failure = set(), []

    def declaration(_client, info):
        try:
            info = info.contents
            if info.kind == FUNCTION_DECL and info.is_definition:
                found.add(info.decl)
        except BaseException as err:      # re-raised below, KeyboardInterrupt included
            failure.append(err)

    callbacks = _IndexerCallbacks(index_declaration=_DECLARATION_CALLBACK(declaration))
    action = createIndexAction(index.obj)
    try:
        status = indexTranslationUnit(action, None, byref(callbacks), ctypes.sizeof(callbacks),
                                      0, ctypes.cast(tu.obj, c_void_p))
    finally:
        disposeIndexAction(action)
    if failure:
        raise failure[0]
    return found if status == 0 else None
