"""The facts of every top-level function declaration, for passes/analyze.py.

One record per function declaration of a translation unit (extern "C"
blocks included), in source order: its cursor, its name, where the name is,
where the declaration ends, where its body opens, and a few flags.  The
pass decides from these alone, and asks libclang again only on rare paths
(attributes, inline rules, the init function).

passes/facts.c gathers them in one call: from Python each libclang call
costs a microsecond or more of ctypes work, which on a large file made the
walk a third of the parse.  It is built with the machine's C compiler on
first use into the cache folder (initgate/cc_cache.py says where), once per
version of facts.c.  Where it cannot be built or loaded, the same facts come
from ctypes calls here (`python_facts`), slower but the same records, which
tests/test_rewrite_facts.py checks on every golden case.  INITGATE_FACTS=python
chooses that way on purpose.
"""

import ctypes
import os
import struct
from collections import namedtuple

from clang.cindex import Cursor

from initgate import logs
from initgate.errors import InitgateError
from initgate.passes import libclang as lc

log = logs.logger("initgate.rewrite")

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "facts.c")

# Flag bits, as facts.c sets them.
DEFINITION = 1 << 0
SYSTEM_HEADER = 1 << 1
MAIN_FILE = 1 << 2
EXTERNAL = 1 << 3
INLINED = 1 << 4
END_IN_MACRO = 1 << 5
BODY = 1 << 6
ANNOTATE = 1 << 7
UNEXPOSED_ATTR = 1 << 8
ASM_LABEL = 1 << 9
VISIBILITY_SHIFT = 10

# struct record, field for field (native sizes and alignment).
RECORD = struct.Struct("@iiPPPPPPIIIIIIII")


def visibility(flags):
    """The CXVisibilityKind a record's flags hold."""
    return (flags >> VISIBILITY_SHIFT) & 3


class Function(namedtuple("Function", "kind xdata d0 d1 d2 file body_file end_file flags "
                                      "line offset body_offset end_offset params_end name")):
    """One function declaration.  file, line, offset: the expansion site of its
    name; end_file, end_offset: of its last token; params_end: where its last
    parameter declaration ends in end_file, if later (K&R); body_file,
    body_offset: of the `{` its body opens with, when flags has BODY.  File
    handles are libclang's CXFile, 0 for none.  For a declaration in a
    system header only the name's place is known."""

    __slots__ = ()

    @property
    def cursor(self):
        """A libclang cursor for the declaration, for the calls facts do not cover."""
        return Cursor(self.kind, self.xdata, (ctypes.c_void_p * 3)(self.d0, self.d1, self.d2))


class Table:
    """The records of one translation unit: `flags[i]` for every one at once,
    `name(i)` and the whole record `self[i]` when the pass gets to it."""

    def __init__(self, flags, record, name):
        self.flags = flags
        self._record, self._name = record, name

    def __len__(self):
        return len(self.flags)

    def __getitem__(self, index):
        return self._record(index)

    def name(self, index):
        return self._name(index)


def gather(tu, full):
    """A Table of every top-level function declaration of `tu`.

    `full`: the parse kept function bodies (otherwise libclang cannot say
    which declarations define, and DEFINITION is never set).
    """
    helper = _helper()
    if helper is None:
        found = python_facts(tu, full)
        return Table([f.flags for f in found], found.__getitem__,
                     lambda index: found[index].name)
    return helper(tu, full)


# The C helper.

_API = ["clang_getTranslationUnitCursor", "clang_visitChildren", "clang_isCursorDefinition",
        "clang_getCursorLinkage", "clang_getCursorVisibility", "clang_getCursorLocation",
        "clang_getCursorExtent", "clang_getRangeStart", "clang_getRangeEnd",
        "clang_Location_isInSystemHeader", "clang_Location_isFromMainFile",
        "clang_getExpansionLocation", "clang_Cursor_isFunctionInlined",
        "clang_getCursorSpelling", "clang_getCString", "clang_disposeString"]


class _Api(ctypes.Structure):
    _fields_ = [(name, ctypes.c_void_p) for name in _API]


class _Helper:
    """Calls facts.c, into buffers kept from one translation unit to the next."""

    def __init__(self, library):
        self.library = library
        self.gather = library.initgate_function_facts
        self.gather.argtypes = [ctypes.POINTER(_Api), ctypes.c_void_p, ctypes.c_int,
                                ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint,
                                ctypes.c_char_p, ctypes.c_uint]
        self.gather.restype = ctypes.c_int
        self.api = _Api(*[ctypes.cast(getattr(lc.lib, name), ctypes.c_void_p).value
                          for name in _API])
        self._grow(16384, 1 << 18)

    def _grow(self, capacity, names):
        self.capacity, self.names_capacity = capacity, names
        self.records = ctypes.create_string_buffer(RECORD.size * capacity)
        self.flags = ctypes.create_string_buffer(4 * capacity)
        self.names = ctypes.create_string_buffer(names)

    def __call__(self, tu, full):
        while True:
            count = self.gather(ctypes.byref(self.api), ctypes.cast(tu.obj, ctypes.c_void_p),
                                int(full), self.records, self.flags, self.capacity,
                                self.names, self.names_capacity)
            if count >= 0:
                break
            self._grow(self.capacity * 4, self.names_capacity * 4)

        # Copies: the buffers serve the next translation unit.
        raw, text = self.records.raw[:count * RECORD.size], self.names.raw
        unpack, size = RECORD.unpack_from, RECORD.size

        def name(index):
            row = unpack(raw, index * size)
            return text[row[14]:row[14] + row[15]].decode("utf-8", "replace")

        def record(index):
            row = unpack(raw, index * size)
            return Function(*row[:14], text[row[14]:row[14] + row[15]].decode("utf-8", "replace"))

        flags = memoryview(self.flags.raw[:4 * count]).cast("I").tolist()
        return Table(flags, record, name)


_loaded = []


def _helper():
    """The C helper (a _Helper), built and loaded once per process; None if it cannot be."""
    if not _loaded:
        _loaded.append(None if os.environ.get("INITGATE_FACTS") == "python" else _load())
    return _loaded[0]


def _load():
    try:
        path = _built()
        try:
            library = ctypes.CDLL(path)
        except OSError:
            # Damaged since it was built (it is only ever renamed into
            # place whole): built again, once.  An intact one that will not
            # load (a cache on a noexec mount) is left, not rebuilt per run.
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    raise
            os.unlink(path)
            library = ctypes.CDLL(_built())
        size = library.initgate_record_size()
    except (OSError, AttributeError, _BuildError) as err:
        log.debug("gathering function facts through ctypes: %s", err)
        return None
    if size != RECORD.size:
        log.debug("%s: a record is %d bytes, not %d; gathering facts through ctypes",
                  path, size, RECORD.size)
        return None
    return _Helper(library)


class _BuildError(Exception):
    pass


def _built():
    """The path of the helper for this facts.c, compiled if it is not there yet."""
    from initgate import cc_cache

    with open(SOURCE, "rb") as f:
        source = f.read()
    key = cc_cache.digest(source, os.uname().machine, str(RECORD.size))[:20]
    try:
        folder = os.path.join(cc_cache.cache_dir(), "facts")
        os.makedirs(folder, exist_ok=True)
    except (OSError, InitgateError) as err:
        raise _BuildError("no cache folder: %s" % err) from None
    path = os.path.join(folder, "facts-%s.so" % key)
    if os.path.isfile(path):
        return path
    error = cc_cache.compile_helper(SOURCE, path, ["-O2", "-std=gnu99", "-shared", "-fPIC"])
    if error:
        raise _BuildError(error)
    log.debug("built %s", path)
    return path


# The same facts through ctypes.

def python_facts(tu, full):
    """What facts.c gathers, one libclang call at a time."""
    cursors = []

    def visit(cursor):
        kind = lc.getCursorKind(cursor)
        if kind == lc.LINKAGE_SPEC:
            return lc.VISIT_RECURSE
        if kind == lc.FUNCTION_DECL:
            cursors.append(cursor)
        return lc.VISIT_CONTINUE

    lc.visit_children(tu.cursor, visit)
    children = lc.Children()
    return [_describe(cursor, full, children) for cursor in cursors]


def _describe(cursor, full, children):
    at = lc.getCursorLocation(cursor)
    flags = SYSTEM_HEADER if lc.isInSystemHeader(at) else 0
    flags |= MAIN_FILE if lc.isFromMainFile(at) else 0
    flags |= EXTERNAL if lc.getCursorLinkage(cursor) == lc.LINKAGE_EXTERNAL else 0
    flags |= (lc.getCursorVisibility(cursor) & 3) << VISIBILITY_SHIFT
    if full and lc.isCursorDefinition(cursor):
        flags |= DEFINITION
    file, line, offset = lc.file_location(at)
    body_file = end_file = body_offset = end_offset = params_end = 0
    if flags & (SYSTEM_HEADER | MAIN_FILE) != SYSTEM_HEADER:
        flags |= INLINED if lc.isFunctionInlined(cursor) else 0
        end = lc.getRangeEnd(lc.getCursorExtent(cursor))
        flags |= END_IN_MACRO if end.int_data & lc.MACRO_LOCATION else 0
        end_file, _line, end_offset = lc.file_location(end)
        params_end = end_offset
        parts = children(cursor)
        for part in parts:
            kind = lc.getCursorKind(part)
            if kind == lc.ANNOTATE_ATTR:
                flags |= ANNOTATE
            elif kind == lc.UNEXPOSED_ATTR:
                flags |= UNEXPOSED_ATTR
            elif kind == lc.ASM_LABEL_ATTR:
                flags |= ASM_LABEL
            elif kind == lc.PARM_DECL:
                part_file, _line, part_end = lc.file_location(
                    lc.getRangeEnd(lc.getCursorExtent(part)))
                if part_file == end_file and part_end > params_end:
                    params_end = part_end
        if parts and lc.getCursorKind(parts[-1]) == lc.COMPOUND_STMT:
            flags |= BODY
            body_file, _line, body_offset = lc.file_location(
                lc.getRangeStart(lc.getCursorExtent(parts[-1])))
    data = cursor.data
    return Function(cursor._kind_id, cursor.xdata, data[0] or 0, data[1] or 0, data[2] or 0,
                    file or 0, body_file or 0, end_file or 0, flags, line, offset, body_offset,
                    end_offset, params_end, lc.spelling(cursor))
