"""The names the build's compiler gives the files a unit reads.

A rewritten file's `#line 1` repeats that name, so that __FILE__ (in an
assert's message, say) stays what it was.  clang opened the files under the
same names but in two cases:

- A quoted include found beside the file that includes it is named from
  that file's folder, which clang spells `.` for a file named without one:
  `./name.h`, then `./sub/x.h` for what that includes, where gcc writes
  `name.h` and `sub/x.h`.
- passes/compile_db.py made a database's relative include folders absolute
  for the parse, which runs elsewhere; the build named them as it spelled
  them.

A file whose name is not spelled in its includer's text (a macro names it)
keeps clang's name.
"""

import os

# Deeper include chains than this are left with clang's names.
_DEEPEST = 200


def build_names(analysis, main_name, folders):
    """{file as clang opened it: the build's name for it} for the unit's own
    file and its project files.  `main_name` is the unit's file as the build
    names it; `folders` maps each folder made absolute for the parse to the
    build's spelling of it."""
    names = {analysis.main_path: main_name}
    for path in analysis.project_files:
        _name(analysis, path, names, folders, 0)
    return names


def _name(analysis, path, names, folders, depth):
    known = names.get(path)
    if known is not None or depth > _DEEPEST:
        return known
    name = None
    directive = analysis.includes.get(path)
    if directive:
        includer, spelled, quoted = directive
        beside = os.path.join(os.path.dirname(includer) or ".", spelled)
        if quoted and not os.path.isabs(spelled) and path == beside:
            parent = _name(analysis, includer, names, folders, depth + 1)
            if parent is not None:
                name = parent[:parent.rfind("/") + 1] + spelled
        else:
            name = _in_folder(path, spelled, folders)
    elif path in folders:
        name = folders[path]        # -include FILE
    names[path] = name or path
    return names[path]


def _in_folder(path, spelled, folders):
    """The build's name for a file an include found as `spelled` in one of the
    include folders made absolute, or None if it was not found in those."""
    for absolute, as_given in folders.items():
        if path == absolute.rstrip("/") + "/" + spelled:
            return as_given.rstrip("/") + "/" + spelled
    return None
