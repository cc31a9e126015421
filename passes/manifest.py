"""The manifest: what `initgate rewrite` gated and what it refused, as JSON.

`initgate verify` reads it.  Entries are sorted by file, line and name, and
the JSON is written with a fixed layout, so equal runs give equal bytes.
"""

import json

VERSION = 1


def manifest(init_name, gated, ungated):
    def entry(definition, reason=None):
        # "name" is the symbol's, which `initgate verify` and nm see.
        item = {"name": definition.symbol, "file": definition.file, "line": definition.line}
        if definition.symbol != definition.name:
            item["function"] = definition.name
        if definition.body:
            item["body"] = definition.body
        if reason is not None:
            item["reason"] = reason
        return item

    key = lambda d: (d.file, d.line, d.symbol)
    return {
        "version": VERSION,
        "init": init_name,
        "gated": [entry(d) for d in sorted(gated, key=key)],
        "ungated": [entry(d, d.reason) for d in sorted(ungated, key=key)],
    }


def dumps(document):
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
