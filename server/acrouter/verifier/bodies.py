"""Where the functions' bodies are in a C, C++ or Rust file: the brace walk that
:func:`.lines_ccov.function_bodies` and :func:`.lines_rust.fn_bodies` share, over lines
whose comments and literals are already blanks (their ``stripped``).  A brace opened at
the file's level, or within a brace ``kind`` calls a ``"scope"`` (``impl``, ``mod``,
``extern "C"``, ``namespace``), is what ``kind`` says of the code before it: a
``"body"``, a ``"scope"`` or ``"other"`` (a struct, an initializer); braces within a body
or another brace are ``"other"``."""

from __future__ import annotations

from collections.abc import Callable


class Bodies:
    """The brace walk: :meth:`line` each line in turn, then :attr:`found`."""

    def __init__(self, kind: Callable[[str], str]) -> None:
        self.kind = kind
        self.found: list[tuple[int, int]] = []  # (first line, last line) of each body
        self.stack: list[str] = []  # per open brace: "body", "scope" or "other"
        self.start = 0  # the line of the open body's brace
        self.before = ""  # the code since the last ; { or } where a body may open

    def state(self) -> tuple[list[str], str, int]:
        return list(self.stack), self.before, self.start

    def restore(self, state: tuple[list[str], str, int]) -> None:
        self.stack, self.before, self.start = list(state[0]), state[1], state[2]

    def line(self, n: int, text: str) -> None:
        for c in text:
            at_top = all(k == "scope" for k in self.stack)
            if c == "{":
                kind = self.kind(self.before) if at_top else "other"
                self.stack.append(kind)
                if kind == "body":
                    self.start = n
                self.before = ""
            elif c == "}":
                if (self.stack.pop() if self.stack else "") == "body":
                    self.found.append((self.start, n))
                self.before = ""
            elif at_top:
                self.before = "" if c == ";" else self.before + c
        if all(k == "scope" for k in self.stack):
            self.before += " "
