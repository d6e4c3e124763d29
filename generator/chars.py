"""Characters that make text unsafe or read differently from how it is stored.

The validator rejects them (`generator/validate/rules/characters.py`): control characters break the
HTML and make the Atom feeds invalid XML; noncharacters are not text at all; a right-to-left override
shows `…/\u202egpj.exe` as `…/exe.jpg`; U+2028/U+2029 are line breaks to some parsers and not to
others; an embedding or isolate left open changes the direction of whatever follows it. The marks
Arabic editors use in mixed text (RLM, LRM, ALM) and balanced isolates and embeddings are kept, except
in ids, keys and URLs, where no direction character belongs. The diagnostics formatter escapes the same
characters (`visible`), so a content file cannot drive an editor's terminal.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CONTROLS = "".join(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]))  # C0 but tab and LF; DEL; C1
NONCHARACTERS = "".join(map(chr, [*range(0xFDD0, 0xFDF0),
                                  *(plane + low for plane in range(0, 0x110000, 0x10000) for low in (0xFFFE, 0xFFFF))]))
MARKS = "\u200e\u200f\u061c"  # LRM, RLM, ALM
EMBEDDINGS = "\u202a\u202b"  # LRE, RLE: closed by PDF
OVERRIDES = "\u202d\u202e"  # LRO, RLO: closed by PDF
PDF = "\u202c"
ISOLATES = "\u2066\u2067\u2068"  # LRI, RLI, FSI: closed by PDI
PDI = "\u2069"
BIDI = MARKS + EMBEDDINGS + OVERRIDES + PDF + ISOLATES + PDI
SEPARATORS = "\u2028\u2029"  # LINE SEPARATOR, PARAGRAPH SEPARATOR

# The diagnostic code of each kind of problem.
CONTROL, NONCHARACTER, SEPARATOR = "text-control-char", "text-noncharacter", "line-separator"
OVERRIDE, UNBALANCED, IN_IDENTIFIER = "bidi-override", "bidi-unbalanced", "bidi-in-identifier"

_CODE = {**dict.fromkeys(CONTROLS, CONTROL), **dict.fromkeys(NONCHARACTERS, NONCHARACTER),
         **dict.fromkeys(SEPARATORS, SEPARATOR)}


def _char_class(chars: str) -> str:
    """A regular expression class of `chars`, written as ranges."""
    codes = sorted(set(map(ord, chars)))
    ranges, start = [], codes[0]
    for prev, code in zip(codes, codes[1:] + [-1]):
        if code != prev + 1:
            ranges.append(re.escape(chr(start)) + ("" if prev == start else "-" + re.escape(chr(prev))))
            start = code
    return "[" + "".join(ranges) + "]"


_SUSPECTS = CONTROLS + NONCHARACTERS + BIDI + SEPARATORS
_PLAIN = re.compile(_char_class(_SUSPECTS))
# The first scan of every text, five times faster: sre scans a class of BMP ranges quickly, not one that
# lists astral characters, so this takes every astral character (rare here: emoji) for a suspect.
_SCREEN = re.compile(_char_class("".join(c for c in _SUSPECTS if c <= "\uffff"))[:-1] + "\U00010000-\U0010ffff]")
# Markdown turns character references into characters (`&#x202E;`, `&rlm;`): look at those too.
_MARKDOWN = re.compile(_PLAIN.pattern + r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class Found:
    code: str
    index: int  # where it is in the text
    char: str
    written: str  # as written: the character, or the Markdown character reference that makes it


def _decoded(reference: str) -> str:
    """The character a Markdown character reference stands for, as markdown-it decodes it ("" if none)."""
    # Imported here: the diagnostics formatter imports this module, and needs no markdown-it.
    from markdown_it.common.entities import entities
    from markdown_it.common.utils import isValidEntityCode

    body = reference[1:-1]
    if body[0] != "#":
        return entities.get(body, "")
    code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    return chr(code) if isValidEntityCode(code) else ""  # markdown-it shows U+FFFD for the others


def find(text: str, *, identifier: bool = False, markdown: bool = False) -> list[Found]:
    """The first problem of each kind in `text`, by position. `identifier`: an id, key or URL, where every
    direction character is refused; `markdown`: character references count as what they stand for."""
    if _SCREEN.search(text) is None and not (markdown and "&" in text):
        return []  # nearly every text: one scan, in C
    first: dict[str, Found] = {}
    stack: list[Found] = []  # the embeddings, overrides and isolates open on the current line

    def close_line() -> None:
        # An override left open is reported as an override already.
        if opener := next((f for f in stack if f.char not in OVERRIDES), None):
            first.setdefault(UNBALANCED, Found(UNBALANCED, opener.index, opener.char, opener.written))
        stack.clear()

    for m in (_MARKDOWN if markdown else _PLAIN).finditer(text):
        written = m.group()
        char = _decoded(written) if len(written) > 1 else written
        if len(char) != 1 or not _PLAIN.match(char):
            continue
        at = Found("", m.start(), char, written)  # no code: not (yet) a problem
        if stack and text.find("\n", stack[-1].index, at.index) != -1:
            close_line()  # embeddings and isolates end with their paragraph: balanced means on the same line
        code = _CODE.get(char) or (IN_IDENTIFIER if identifier else None)
        problem = Found(code, at.index, char, written) if code else _bidi(at, stack)
        if problem:
            first.setdefault(problem.code, problem)
    close_line()
    return sorted(first.values(), key=lambda f: f.index)


def _bidi(at: Found, stack: list[Found]) -> Found | None:
    """Track one direction character of free text; the problem it shows, if any."""
    char = at.char
    if char in EMBEDDINGS + OVERRIDES + ISOLATES:
        stack.append(at)
        return Found(OVERRIDE, at.index, char, at.written) if char in OVERRIDES else None
    if char == PDF and stack and stack[-1].char not in ISOLATES:
        stack.pop()
        return None
    if char == PDI and any(f.char in ISOLATES for f in stack):
        left_open = None  # an embedding opened inside the isolate and not closed: PDI closes it too
        while (top := stack.pop()).char not in ISOLATES:
            left_open = top if top.char not in OVERRIDES else left_open
        return Found(UNBALANCED, left_open.index, left_open.char, left_open.written) if left_open else None
    if char in (PDF, PDI):  # nothing to close
        return Found(UNBALANCED, at.index, char, at.written)
    return None  # LRM, RLM, ALM


def unsafe(text: str) -> bool:
    """Whether `find(text, identifier=True)` finds anything: rules about an id's, key's or URL's form
    leave such a value to the character rule, whose message names the character."""
    return _SCREEN.search(text) is not None and _PLAIN.search(text) is not None


def name(char: str) -> str:
    """`U+202E (RIGHT-TO-LEFT OVERRIDE)`, or `U+001B` for characters without a name."""
    label = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({label})" if label else "")


_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_VISIBLE = re.compile("[" + re.escape(CONTROLS + "\t\n" + BIDI + SEPARATORS) + "]")


def visible(text: str) -> str:
    """`text` with control, direction and separator characters written as escapes (`\\x1b`, `\\u202e`):
    safe to print on a terminal, and showing where an invisible character is."""
    return _VISIBLE.sub(lambda m: _ESCAPES.get(m.group()) or (
        f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"), text)
