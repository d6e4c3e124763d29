"""JSON Schema `pattern`s are ECMA-262 regular expressions; evaluate them with ECMA-262's meaning.

Python's `re` differs on `$`: without the multiline flag ECMA's `$` matches only at the end of the
input, Python's also before a final "\\n", so `^[a-z0-9]+$` accepted the key "death-toll\\n" (which then
became a folder name, a URL and a CSS class). `\\d`, `\\w`, `\\s` and `\\b` differ too (Python's are
Unicode-aware: `\\d` matches Arabic-Indic digits); the schemas do not use them, and a pattern that does
is refused here rather than silently read another way.
"""
from __future__ import annotations

import re
from functools import cache

_DIFFERENT_ESCAPES = set("dDwWsSbB")


@cache
def ecma_regex(pattern: str) -> re.Pattern:
    """`pattern` compiled so that Python's `search` agrees with ECMA-262's `test` (no flags)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            escaped = pattern[i + 1:i + 2]
            if escaped in _DIFFERENT_ESCAPES:
                raise ValueError(f"pattern {pattern!r}: `\\{escaped}` means one thing in JSON Schema (ECMA-262) "
                                 "and another in Python; spell the characters out, as in [0-9]")
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            if pattern[i + 1:i + 2] == "]" or pattern[i + 1:i + 3] == "^]":
                raise ValueError(f"pattern {pattern!r}: `[]` and `[^]` differ between ECMA-262 and Python")
            in_class = True
        elif c == "$":
            c = r"\Z"  # the end of the input, not "before a final newline"
        out.append(c)
        i += 1
    return re.compile("".join(out))
