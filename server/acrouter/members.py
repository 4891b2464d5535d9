"""What a class body declares, as the guard against dropped code reads it in languages
whose methods the line patterns do not see (:mod:`.javadefinitions`,
:mod:`.rubydefinitions`, :mod:`.cdefinitions`, :mod:`.godefinitions`,
:mod:`.kotlindefinitions`, :mod:`.phpdefinitions`, :mod:`.csharpdefinitions`)."""

from __future__ import annotations

import bisect
import re
from typing import Literal, NamedTuple

#: a method (a C function), a constructor, a nested type (a C struct, a typedef), a C
#: function's prototype, a C macro (a Rust ``macro_rules!``), a Go variable or constant,
#: a Kotlin property, a PHP constant, property, enum case or used trait, a C# field,
#: property, event or enum member (a Rust constant, static, field or variant), a Rust
#: module or ``impl`` block
Kind = Literal[
    "method", "constructor", "type", "declaration", "macro", "variable", "module", "impl"
]


class Member(NamedTuple):
    """A method, constructor or nested type a class (or module) body declares."""

    line: int  # 0-based
    name: str  # the method's or type's name; a constructor's is its class's
    header: str  # the declaration's first line
    owner: str  # the class whose body declares it, dotted from the file's top level
    kind: Kind = "method"


class Statement:
    """The code of a statement read so far, with the line each piece came from (the
    readers that read a file statement by statement: :mod:`.phpdefinitions`,
    :mod:`.csharpdefinitions`); a line's pieces are joined by a space."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.starts: list[int] = []  # where each line's piece starts in the text
        self.lines: list[int] = []

    def add(self, piece: str, line: int) -> None:
        if not self.parts and not piece.strip():
            return
        if self.lines and self.lines[-1] == line:
            self.parts.append(piece)
        else:
            self.parts.append(" " + piece if self.parts else piece)
            self.starts.append(self.size)
            self.lines.append(line)
        self.size += len(self.parts[-1])

    def text(self) -> str:
        return "".join(self.parts)

    def line_at(self, offset: int) -> int:
        return self.lines[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    def clear(self) -> None:
        self.parts.clear()
        self.starts.clear()
        self.lines.clear()
        self.size = 0


def without_leading(code: str, *openings: str) -> str:
    """``code`` without the bracketed groups it starts with, each opening with one of
    ``openings`` and closed by its "]" (attributes: PHP's ``#[…]``, C#'s ``[…]``, Rust's
    ``#[…]`` and ``#![…]``), and without the spaces before and between them."""
    code = code.lstrip()
    while opening := next((o for o in openings if code.startswith(o)), ""):
        depth = 0
        for j in range(len(opening) - 1, len(code)):
            depth += {"[": 1, "]": -1}.get(code[j], 0)
            if depth == 0:
                code = code[j + 1 :].lstrip()
                break
        else:
            return ""
    return code


def comma_parts(code: str, start: int, *, angles: bool = False) -> list[tuple[int, str]]:
    """The comma-separated parts of ``code[start:]`` outside brackets (``a = f(1, 2),
    b``: two), each with its offset in ``code``; with ``angles``, ``<…>`` are brackets
    too (C#'s ``new Dictionary<string, int>()``; a lambda's ``=>`` is none)."""
    opening, closing = ("([{<", ")]}>") if angles else ("([{", ")]}")
    out: list[tuple[int, str]] = []
    depth, begin = 0, start
    for j in range(start, len(code)):
        c = code[j]
        if c in opening:
            depth += 1
        elif c in closing and not (c == ">" and code[j - 1 : j] == "="):
            depth = max(0, depth - 1)
        elif c == "," and depth == 0:
            out.append((begin, code[begin:j]))
            begin = j + 1
    out.append((begin, code[begin:]))  # (the last, brackets closed or not)
    return out


def split_commas(text: str) -> list[str]:
    """The non-empty parts of ``text`` between its commas outside brackets, stripped (a
    parameter list's parameters)."""
    return [p for _offset, part in comma_parts(text, 0) if (p := part.strip())]


#: an annotation's name after its "@" (a Kotlin use-site target aside: ``@field:Json``)
_AT_NAME = re.compile(r"@\s*(?:[a-z]+\s*:\s*)?([A-Za-z_][\w.]*)")
#: an attribute's name at the start of its part of a ``[…]`` list (a target aside:
#: C#'s ``[return: NotNull]``)
_ATTRIBUTE_NAME = re.compile(r"\s*(?:[a-z]+\s*:\s*)?([A-Za-z_\\][\w.\\]*)")


def annotations_of(codes: list[str], line: int, name: str, marker: str) -> list[str]:
    """The annotations (``marker`` "@": Java's, Kotlin's) or attributes ("[": C#'s,
    "#[": PHP's) written on the lines right above the declaration at ``line`` of
    ``codes`` (a file's code view: comments out, strings emptied) and on its line before
    ``name``: their names (``PreAuthorize``, ``Authorize``), in order; an annotation's
    arguments over several lines are read with it."""
    own = codes[line] if line < len(codes) else ""
    at = re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", own) if name else None
    before = own[: at.start()] if at else ""
    start = _parameter_start(before)
    if start > 0:  # a parameter's property: ``class User(@SerialName("n") val name``
        return _annotation_names(before[start:], marker)
    above: list[str] = []
    # the lines read up from a ")" whose "(" is above: an annotation's arguments, if the
    # line that opens them is an annotation's (not a declaration's parameters)
    pending: list[str] = []
    balance = 0  # closing brackets below the line at hand whose openings are above it
    k = line - 1
    while k >= 0:
        code = codes[k].strip()
        k -= 1
        if not code:
            continue  # (a blank line, a comment's)
        opens = code.count("(") + code.count("[") - code.count(")") - code.count("]")
        if pending or balance + opens < 0:
            pending.append(code)
            balance += opens
            if balance < 0:
                continue
            if not _only_annotations(code, marker):
                break  # (``class A(⏎  val x: Int,⏎) {``: parameters, no annotation's)
            above += pending
            pending = []
            continue
        if _only_annotations(code, marker):
            above.append(code)
            continue
        break
    text = " ".join([*reversed(above), before])
    return _annotation_names(text, marker)


def _only_annotations(code: str, marker: str) -> bool:
    """Whether ``code`` holds annotations (attributes) and nothing else outside their
    brackets: ``@Deprecated``, ``@RequestMapping(`` (its arguments going on), ``[HttpGet,
    Authorize]``; not ``@Suppress("X") val a = 1``, a declaration of its own."""
    if not code.startswith(marker):
        return False
    depth = 0
    i = 0
    while i < len(code):
        c = code[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and not c.isspace():
            if marker == "@" and c == "@" and (m := _AT_NAME.match(code, i)):
                i = m.end()
                continue
            if not (marker == "#[" and c == "#"):
                return False
        i += 1
    return True


def _parameter_start(before: str) -> int:
    """Where the parameter that ends ``before`` starts (after the "(" or "," before it,
    brackets closed between), or 0 when ``before`` opens no parameter list."""
    depth = 0
    for j in range(len(before) - 1, -1, -1):
        c = before[j]
        if c in ")]" or (c == ">" and before[j - 1 : j] != "-"):  # (``Map<K, V>``)
            depth += 1
        elif c == "<" and depth:
            depth -= 1
        elif c in "([":
            if depth == 0:
                return j + 1 if c == "(" else 0
            depth -= 1
        elif c == "," and depth == 0:
            return j + 1
    return 0


def _annotation_names(text: str, marker: str) -> list[str]:
    """The names of the annotations or attributes ``text`` holds outside brackets."""
    names: list[str] = []
    depth = 0
    i = 0
    while i < len(text):
        c = text[i]
        if depth == 0 and marker == "@" and c == "@":
            if (m := _AT_NAME.match(text, i)) and m.group(1) != "interface":
                names.append(m.group(1))
                i = m.end()
                continue
        elif (
            depth == 0
            and marker != "@"
            and text.startswith(marker, i)
            and (i == 0 or text[i - 1] in " \t]")
        ):
            end = i + len(marker)
            inner = 1
            j = end
            while j < len(text) and inner:
                inner += {"[": 1, "]": -1}.get(text[j], 0)
                j += 1
            for _offset, part in comma_parts(text[end : j - 1], 0):
                if (m := _ATTRIBUTE_NAME.match(part)) and m.group(1):
                    found = m.group(1).lstrip("\\")
                    if marker == "[" and found.endswith("Attribute") and found != "Attribute":
                        found = found.removesuffix("Attribute")
                    names.append(found)
            i = j
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        i += 1
    return names
