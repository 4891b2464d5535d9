"""What a class body declares, as the guard against dropped code reads it in languages
whose methods the line patterns do not see (:mod:`.javadefinitions`,
:mod:`.rubydefinitions`, :mod:`.cdefinitions`, :mod:`.godefinitions`,
:mod:`.kotlindefinitions`, :mod:`.phpdefinitions`, :mod:`.csharpdefinitions`)."""

from __future__ import annotations

import bisect
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
