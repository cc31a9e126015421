"""`initgate rewrite`: the command line over passes/rewrite.py.

    initgate rewrite --init NAME (-o OUTDIR | --in-place) FILE.c|DIR... [-- FLAGS]

Arguments become translation units (files, the .c files under folders but
the -o folder, or a build's compile_commands.json), with the flags after
`--` read as gcc reads them (response files expanded); the pass returns
every file's new bytes, and this module writes them, the manifest with
them, all or none (initgate/fileio.py's write_all), and only once every
unit has been analyzed without error: a failure leaves every file as it was.

The pass (passes/rewrite.py, with libclang) and what only some options
need are imported after the compiler that checks a large file's bodies
has been started (passes/body_check.py), so that it runs while libclang
loads; argparse is imported only for a command line that
passes/rewrite_quick.py does not read itself.
"""

import os
import sys

from initgate import logs
from initgate.errors import InitgateError, UsageError
from initgate.fileio import write_all
from initgate.passes import body_check

log = logs.logger("initgate.rewrite")


def add_arguments(parser):
    import argparse

    _add_options(parser)
    parser.add_argument("inputs", nargs=argparse.REMAINDER,
                        metavar="FILE.c|DIR... [-- COMPILER FLAGS]",
                        help="sources or folders of sources; flags after -- are the "
                             "build's compiler flags, used for every file")


def _add_options(parser):
    parser.add_argument("--init", metavar="NAME",
                        help="the library's init function: int NAME(void) or void NAME(void)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="OUTDIR",
                       help="write the rewritten tree here, mirroring it under --root")
    where.add_argument("--in-place", action="store_true", help="edit the sources themselves")
    parser.add_argument("--root", metavar="DIR",
                        help="the project folder: its headers and included .c files are "
                             "rewritten too (default: the folder holding every input)")
    parser.add_argument("--ungated", action="append", default=[], metavar="NAME",
                        help="never gate function NAME (repeatable)")
    parser.add_argument("--exports", metavar="FILE",
                        help="gate only what this GNU ld version script (or list of names, "
                             "one a line) exports")
    parser.add_argument("--manifest", metavar="FILE",
                        help="write the gated and ungated functions here, as JSON")
    parser.add_argument("-p", dest="build_dir", metavar="BUILD_DIR",
                        help="take files and flags from BUILD_DIR/compile_commands.json")
    parser.add_argument("-j", dest="jobs", type=int, default=1, metavar="N",
                        help="rewrite N files in parallel")
    parser.add_argument("--check-bodies", metavar="CC|libclang|none",
                        help="what reports errors inside function bodies: a compiler "
                             "(beside a faster libclang parse), libclang's full parse, or "
                             "nothing (default: for files of 200 KB or more the build's "
                             "compiler, compile_commands.json's, else $CC, else cc; "
                             "libclang for smaller files, or if that compiler is a clang "
                             "or is not found)")
    parser.add_argument("--skip-bodies", action="store_true",
                        help="the same as --check-bodies none: errors inside function "
                             "bodies are left for the build to report")
    parser.add_argument("--skip-macro-braces", action="store_true",
                        help="leave a definition whose opening brace comes from a macro "
                             "ungated (listed in the manifest) instead of failing")


def run(args):
    return run_read(_reparse(args))


def run_read(args):
    """The command, once its line is read (here, or by passes/rewrite_quick.py)."""
    try:
        return _run(args)
    finally:
        body_check.cancel_early()


def _run(args):
    if not args.init:
        raise UsageError("rewrite needs --init NAME, the library's init function")
    if not args.output and not args.in_place:
        raise UsageError("rewrite needs -o OUTDIR or --in-place")
    if args.output and args.in_place:
        # argparse sees the two together only when both come before the files.
        raise UsageError("rewrite takes -o OUTDIR or --in-place, not both")
    if args.jobs < 1:
        raise UsageError("-j needs a positive number")
    if args.skip_bodies and args.check_bodies not in (None, "none"):
        raise UsageError("--skip-bodies leaves bodies unchecked: it cannot go with "
                         "--check-bodies %s" % args.check_bodies)

    _check_destinations(args)
    units = _units(args)
    root = os.path.realpath(args.root) if args.root else _common_folder(u[0] for u in units)
    skip_bodies = args.skip_bodies or args.check_bodies == "none"
    if not skip_bodies and (args.jobs == 1 or len(units) == 1):
        first = units[0]
        body_check.start_early(args.check_bodies, first[2] if len(first) > 2 else None,
                               first[0], first[1])
    result = _rewrite(args, units, root, skip_bodies)
    if result.init_file is None:
        raise InitgateError("no file given defines the init function '%s': name the file "
                            "that does, or check --init" % args.init)

    named = {n for d in result.gated + result.ungated for n in (d.name, d.symbol)}
    for name in args.ungated:
        if name not in named:
            log.warning("--ungated %s: no exported function of that name was found", name)

    read = {os.path.realpath(path): path for path in result.files}
    files = _outputs(args, result, root, read)
    folders = sorted({os.path.dirname(path) for path, _ in files}) if args.output else ()
    if args.manifest:
        from initgate.passes import manifest

        written = {os.path.realpath(path): path for path, _ in files}
        for taken, verb in ((read, "reads"), (written, "writes")):
            other = taken.get(os.path.realpath(args.manifest))
            if other:
                raise UsageError("--manifest %s would overwrite %s, which the rewrite %s: "
                                 "name another file" % (args.manifest, other, verb))
        files.append((args.manifest, manifest.dumps(
            manifest.manifest(args.init, result.gated, result.ungated))))
    write_all(files, folders)
    return 0


def _check_destinations(args):
    """Refuse, before any work, destinations that cannot be what they are named as."""
    if args.root and not os.path.isdir(args.root):
        raise UsageError("--root %s: not a folder: name the project folder, which holds "
                         "every file to rewrite" % args.root)
    if args.output and os.path.exists(args.output) and not os.path.isdir(args.output):
        raise UsageError("-o %s: a file, not a folder: name the folder to write the "
                         "rewritten tree in (it is made if missing)" % args.output)
    if args.manifest and os.path.isdir(args.manifest):
        raise UsageError("--manifest %s: a folder, not a file: name the JSON file to write"
                         % args.manifest)


def _outputs(args, result, root, read):
    """[(path, bytes)] of every file to write but the manifest; `read` holds
    the files the rewrite read, by real path."""
    if args.in_place:
        return [(output.path, output.text) for output in result.files.values()
                if output.changed]
    from initgate.passes import render      # loaded with the pass already

    files = []
    for output in result.files.values():
        target = _mirror(output.path, root, args.output)
        other = read.get(os.path.realpath(target))
        if other == output.path:
            raise UsageError("-o %s would overwrite %s itself: use --in-place to edit "
                             "sources" % (args.output, output.path))
        if other:
            raise UsageError("-o %s would overwrite %s, which the rewrite reads: name a "
                             "folder outside the sources" % (args.output, other))
        text = output.text if output.changed else render.mirrored(output.text, output.display)
        files.append((target, text))
    return files


def _rewrite(args, units, root, skip_bodies):
    from initgate.passes import rewrite

    exports = rewrite.load_exports(args.exports) if args.exports else None
    options = rewrite.make_options(args.init, args.ungated, exports, root,
                                   args.skip_macro_braces, skip_bodies, args.check_bodies)
    return rewrite.rewrite_units(units, options, jobs=args.jobs, progress=_progress(len(units)))


def _reparse(args):
    """Options may also follow the files; everything after `--` is compiler flags."""
    import argparse

    tokens = list(args.inputs or [])
    flags = []
    if "--" in tokens:
        split = tokens.index("--")
        tokens, flags = tokens[:split], tokens[split + 1:]
    parser = argparse.ArgumentParser(prog="initgate rewrite")
    _add_options(parser)
    parser.add_argument("-v", "--verbose", action="count", default=0, dest="late_verbose")
    parser.add_argument("sources", nargs="*")
    late = parser.parse_args(tokens)
    for name, value in vars(late).items():
        default = parser.get_default(name)
        if name == "ungated":
            args.ungated = list(args.ungated) + list(value)
        elif value != default or not hasattr(args, name):
            setattr(args, name, value)
    if late.late_verbose:
        import logging  # noqa: F401  (its presence lets info and debug messages through)

        from initgate.cli import configure_logging

        logs.before_first_message(lambda: configure_logging(late.late_verbose))
    args.flags = flags
    return args


def _units(args):
    sources = []
    for item in args.sources:
        if os.path.isdir(item):
            sources += _walk(item, args.output)
        elif os.path.isfile(item):
            sources.append(item)
        elif os.path.exists(item):
            raise UsageError("%s: not a regular file or a folder: name C sources or "
                             "folders of them" % item)
        else:
            raise UsageError("%s: no such file or folder" % item)
    from initgate.cc_args import expand_response_files

    flags, _ = expand_response_files(args.flags)

    if args.build_dir:
        from initgate.passes import compile_db

        units = compile_db.load(args.build_dir)
        if sources:
            wanted = {os.path.realpath(s) for s in sources}
            units = [u for u in units if os.path.realpath(u[0]) in wanted]
        units = [(path, own + flags, compiler, name, folders)
                 for path, own, compiler, name, folders in units]
    else:
        units = [(path, list(flags)) for path in sources]
    if not units:
        raise UsageError("rewrite needs at least one C file, folder or -p BUILD_DIR")
    return units


def _walk(folder, output):
    """The .c files under `folder`, but for those in the -o folder: a second
    run would read its own first output."""
    output = os.path.realpath(output) if output else None
    sources = []
    for parent, subfolders, files in os.walk(folder):
        kept = []
        for name in sorted(subfolders):
            path = os.path.join(parent, name)
            if output and os.path.realpath(path) == output:
                log.info("%s: left out, it is the -o output folder", path)
            else:
                kept.append(name)
        subfolders[:] = kept
        sources += [os.path.join(parent, f) for f in sorted(files) if f.endswith(".c")]
    return sources


def _common_folder(paths):
    folders = [os.path.dirname(os.path.realpath(p)) for p in paths]
    return os.path.commonpath(folders)


def _mirror(path, root, outdir):
    relative = os.path.relpath(os.path.realpath(path), root)
    if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        raise UsageError("%s is outside the project root %s: pass --root with a folder "
                         "that holds every file to rewrite" % (path, root))
    return os.path.join(outdir, relative)


def _progress(total):
    if total < 8 or not sys.stderr.isatty():
        return None
    done = [0]

    def show(path):
        done[0] += 1
        width = 30
        filled = width * done[0] // total
        sys.stderr.write("\r[%s%s] %d/%d %s\x1b[K" % ("#" * filled, "." * (width - filled),
                                                    done[0], total, os.path.basename(path)))
        if done[0] == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show
