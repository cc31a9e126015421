"""initgate.passes: the rewrite pass, which gates every exported function.

Data flow, one translation unit at a time:

    toolchain.py   the build's gcc flags -> flags libclang accepts
    compile_db.py  a build's compile_commands.json -> units and their flags
    analyze.py     parse (body_check.py: the build's compiler checks bodies beside)
    walk.py        walk top-level declarations -> Definition records
    facts.py       each top-level function's facts, gathered by facts.c
    braces.py      a skipped body's `{`, found in the text after its declarator
    exported.py    the rules: what is exported, what must never be gated
    rewrite.py     merge the units' records per file -> new file bytes (render.py)
    file_names.py  each file's name in the build, for the `#line` render.py writes
    manifest.py    the JSON record of what was and was not gated
    rewrite_cli.py `initgate rewrite`, the command line over rewrite.py

libclang.py declares the few libclang functions the Python bindings lack.
"""
