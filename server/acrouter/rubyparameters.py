"""The parameters of a Ruby file's methods, for the guard that no edit drops what nobody
asked to remove (``definitions.dropped_definitions``).

Ruby checks a call's arguments against the method when the call runs: an edit asked to
fix a bug in ``def parse(text, encoding = "UTF-8")`` that also drops ``encoding`` passes
every test that calls ``parse(text)``, and every caller that passes an encoding (a gem's
are mostly outside the repository) raises ``ArgumentError``.  So each method's parameters
are read from its ``def`` line (and the lines its parenthesised list goes on to), for the
methods :mod:`.rubydefinitions` reads, by the name a report gives them (``Calc#parse``,
``Calc.create``), and compared:

- positional parameters (``a``, ``a = 1``, a destructuring ``(a, b)``) are passed by
  position: a rename is no loss, fewer of them is, unless the method now takes a rest
  (``*args``) or forwards everything (``...``);
- keyword parameters (``key:``, ``key: 1``) are passed by name: one gone is lost unless
  the method now takes ``**options`` (or ``...``); ``*args`` and ``**options`` gone are
  lost too;
- a parameter kept can break its callers: one made required (its default taken away),
  one passed by position made a keyword, or one taken in another place (a new one put
  before it, the list reordered: :func:`.parameters.moved`);
- a required parameter added breaks every call that does not pass it.

A block parameter (``&block``) is not compared: a block passed to a method that no
longer takes it raises nothing.  A method defined twice in the file (a class reopened,
a branch per Ruby version) is not compared.
"""

from __future__ import annotations

import re
from collections import Counter

from .domain import document_lines
from .members import split_commas
from .parameters import moved, renamed
from .pytrees import cached
from .rubydefinitions import DEF, ruby_members, shown

#: (kind, name): "req", "opt" positional (required, with a default), "kw", "kw=" keyword
#: (required, with a default), "*" the rest, "**" the keyword rest, "&" the block, "..."
#: forwarding; a destructuring parameter's name is ""
Parameter = tuple[str, str]

_NAME = re.compile(r"[a-z_][A-Za-z0-9_]*")
_KEYWORD = re.compile(r"([a-z_]\w*):(?!:)(.*)$", re.DOTALL)
_OPTIONAL = re.compile(r"([a-z_]\w*)\s*=(.*)$", re.DOTALL)
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def signatures(text: str) -> dict[str, tuple[int, list[Parameter]]]:
    """Each method's name as a report gives it -> (its 0-based ``def`` line, its
    parameters), for the methods defined once in ``text``."""

    def read() -> dict[str, tuple[int, list[Parameter]]]:
        methods = [m for m in ruby_members(text) if m.kind == "method"]
        defs = [m for m in methods if DEF.match(m.header)]  # (not an attr_* or alias)
        count = Counter(shown(m) for m in methods)
        lines = document_lines(text)  # (as written: a literal may span lines)
        out: dict[str, tuple[int, list[Parameter]]] = {}
        for m in defs:
            if count[shown(m)] == 1:
                found = _parameter_list(lines, m.line)
                if found is not None:
                    out[shown(m)] = (m.line, [_parameter(p) for p in found])
        return out

    return cached("ruby.signatures", text, read)


def _parameter_list(lines: list[str], i: int) -> list[str] | None:
    """The parameters of the ``def`` on line ``i``, split at their commas, with what
    literals hold blanked (:func:`_masked`); None where they cannot be read (a list left
    open).  The lines after the ``def`` are read only as far as the list needs: 1, 4,
    16, … of them, at most 200 (reading 200 for every ``def`` made a file's reading
    several times slower)."""
    m = DEF.match(lines[i])
    if m is None:
        return None
    last = min(len(lines), i + 200)
    size = 1
    while True:
        whole = i + size >= last
        text = "\n".join([lines[i][m.end() :], *lines[i + 1 : min(i + size, last)]])
        found = _read_list(_masked(text).lstrip(" \t"), whole)
        if found is not _MORE:
            return found
        size *= 4


#: what :func:`_read_list` returns when the lines it was given end inside the list
_MORE: list[str] = []


def _read_list(text: str, whole: bool) -> list[str] | None:
    """The parameters a ``def``'s masked ``text`` starts with (after the name); ``_MORE``
    where ``text`` ends inside them and is not ``whole``."""
    if not text.strip(" \t\n") or text[0] in "=;\n":
        return []  # no parameters (``def x = 1``, ``def x; end``)
    if text[0] != "(":  # ``def parse text, encoding = nil``: to the line's end, and on
        end = 0  # past a line ending in a comma
        while True:
            stop = min(
                (k for k in (text.find("\n", end), text.find(";", end)) if k >= 0), default=-1
            )
            if stop < 0 and not whole and text.rstrip().endswith(","):
                return _MORE
            if stop < 0 or not text[:stop].rstrip().endswith(",") or text[stop] == ";":
                return split_commas(text if stop < 0 else text[:stop])
            end = stop + 1
    depth = 0
    for k, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return split_commas(text[1:k])
    return None if whole else _MORE


#: what may stand before a literal that starts with ``/``, ``%`` or ``?`` (not a value:
#: ``a / b`` divides, ``a ? b : c`` chooses)
_LITERAL_BEFORE = frozenset("=(,[{|&!:")
_PERCENT = re.compile(r"%[qQwWiIrsx]?([^\w\s])")


def _masked(text: str) -> str:
    """``text`` with the insides of its strings, regular expressions, percent literals,
    character literals (``?(``) and special globals (``$"``) blanked and its comments
    spaced out, line breaks kept: its brackets, commas and ``#`` are then code's."""
    out = list(text)
    n, i, before = len(text), 0, ""  # (the last character of code that is not a space)

    def blank(a: int, b: int) -> None:
        for k in range(a, min(b, n)):
            if out[k] != "\n":
                out[k] = "_"

    def closing(j: int, closer: str, opener: str = "") -> int:
        depth = 1
        while j < n:
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if opener and c == opener:
                depth += 1
            elif c == closer:
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return n

    while i < n:
        c = text[i]
        start = not before or before in _LITERAL_BEFORE
        if c in "'\"`":
            j = closing(i + 1, c)
        elif c == "/" and start:
            j = closing(i + 1, "/")
        elif c == "%" and start and (m := _PERCENT.match(text, i)):
            opener = m.group(1)
            closer = _CLOSERS.get(opener, opener)
            j = closing(m.end(), closer, opener if closer != opener else "")
            blank(m.end(), j)
            i, before = j + 1, closer
            continue
        elif c == "?" and start and i + 1 < n and not text[i + 1].isspace():
            j = i + (3 if text[i + 1] == "\\" else 2)  # ?( ?' ?\n
            blank(i + 1, j)
            i, before = j, "?"
            continue
        elif c == "$" and i + 1 < n and not (text[i + 1].isalnum() or text[i + 1] == "_"):
            blank(i + 1, i + 2)  # $" $; $/
            i, before = i + 2, "$"
            continue
        elif c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
            continue
        else:
            if not c.isspace():
                before = c
            i += 1
            continue
        blank(i + 1, j)
        i, before = j + 1, c
    return "".join(out)


def _parameter(text: str) -> Parameter:
    if text == "...":
        return "...", "..."
    for mark in ("**", "*", "&"):
        if text.startswith(mark):
            return mark, text[len(mark) :].strip()
    if m := _KEYWORD.match(text):
        return ("kw=" if m.group(2).strip() else "kw"), m.group(1)
    if m := _OPTIONAL.match(text):
        return "opt", m.group(1)
    if _NAME.fullmatch(text):
        return "req", text
    return "req", ""  # a destructuring parameter: ``(key, value)``


def dropped_parameters(old: str, new: str) -> list[tuple[str, str, int]]:
    """(method, parameter as written: ``encoding``, ``*args``, ``encoding (made
    required)``, the method's 0-based line in ``old``) for each parameter of a method
    ``new`` keeps that its callers can no longer pass as they did (see the module
    docstring)."""
    before, after = signatures(old), signatures(new)
    out: list[tuple[str, str, int]] = []
    for name, (line, params) in before.items():
        if name in after:
            out += [(name, p, line) for p in _lost(params, after[name][1])]
    return out


def _lost(old: list[Parameter], new: list[Parameter]) -> list[str]:
    kinds = {k for k, _ in new}
    if "..." in kinds:  # (it takes every argument; those before it still bind by place)
        return _moved(old, new)
    now = {n: k for k, n in new if n}
    positional = [n for k, n in new if k in ("req", "opt")]
    rest = "*" in kinds
    keywords = any(k == "**" and n != "nil" for k, n in new)
    out: list[str] = []
    before = [n for k, n in old if k in ("req", "opt")]
    if not rest and len(positional) < len(before):  # (a destructuring one: by position)
        gone = [
            n or f"#{i + 1}"
            for i, n in enumerate(before)
            if (n and n not in positional) or (not n and i >= len(positional))
        ]
        for n in gone or [f"#{len(positional) + 1}"]:
            out.append(f"{n} (made keyword)" if now.get(n) in ("kw", "kw=") else n)
    for k, n in old:
        if k in ("kw", "kw=") and now.get(n) not in ("kw", "kw=") and not keywords:
            out.append(n)
        elif k == "*" and not rest:
            out.append(f"*{n}")
        elif k == "**" and n != "nil" and not keywords:
            out.append(f"**{n}")
        elif (k, now.get(n)) in (("opt", "req"), ("kw=", "kw")):
            out.append(f"{n} (made required)")
    return out + _added(old, new) + _moved(old, new)


def _moved(old: list[Parameter], new: list[Parameter]) -> list[str]:
    """The positional parameters a call binds to other arguments after the edit, as
    ``port (moved from 2nd to 3rd place)`` (:func:`.parameters.moved`, by Ruby's rules): a
    required parameter after an optional one or a rest takes its argument from the end
    (``def f(host = nil, port)``: ``f(80)`` binds ``port``), so one put before it moves
    nothing; every number of arguments both lists take is compared."""
    before = [n for k, n in old if k in ("req", "opt")]
    after = [n for k, n in new if k in ("req", "opt")]
    shifted = set(moved(before, after))  # (none when one went: named as lost)
    if not shifted:
        return []
    was, now = _shape(old), _shape(new)
    changed = {
        name
        for count in sorted(set(_arities(was)) & set(_arities(now)))
        for name, at in _bound(was, count).items()
        if name in after and _bound(now, count).get(name) != at
    }
    return [m for m in moved(before, after) if m.partition(" (")[0] in changed]


def _shape(params: list[Parameter]) -> tuple[list[str], list[str], list[str], bool]:
    """A method's positional parameters as Ruby binds them: (the required ones before any
    optional one or rest, the optional ones, the required ones after, whether a rest or
    ``...`` takes what is left)."""
    pre: list[str] = []
    opt: list[str] = []
    post: list[str] = []
    rest = False
    for k, n in params:
        if k == "req":
            (post if opt or rest else pre).append(n)
        elif k == "opt":
            opt.append(n)
        elif k in ("*", "..."):
            rest = True
    return pre, opt, post, rest


def _arities(shape: tuple[list[str], list[str], list[str], bool]) -> range:
    pre, opt, post, rest = shape
    return range(len(pre) + len(post), len(pre) + len(opt) + len(post) + 1 + rest)


def _bound(shape: tuple[list[str], list[str], list[str], bool], count: int) -> dict[str, int]:
    """Each named positional parameter -> the index of the argument it takes from a call
    passing ``count`` arguments (one left to its default is not there)."""
    pre, opt, post, _rest = shape
    out = {n: i for i, n in enumerate(pre)}
    out.update((n, len(pre) + i) for i, n in enumerate(opt[: count - len(pre) - len(post)]))
    out.update((n, count - len(post) + i) for i, n in enumerate(post))
    out.pop("", None)  # (a destructuring parameter)
    return out


def _added(old: list[Parameter], new: list[Parameter]) -> list[str]:
    """The required parameters ``new`` adds (``parse(text)`` to ``parse(text, sep)`` or
    ``parse(text, sep:)``: a call ``parse(line)`` raises), unless spelled out of a rest
    (``*args``, ``**options``) the method no longer takes, or a positional one renamed."""
    had, kinds = {n for _, n in old if n}, {k for k, _ in old}
    spelled = kinds - {k for k, _ in new}
    spelled_anew = renamed(
        [n for k, n in old if k in ("req", "opt")], [n for k, n in new if k in ("req", "opt")]
    )
    return [
        f"{n} (added, required)"
        for k, n in new
        if n
        and n not in had | spelled_anew
        and ((k == "req" and "*" not in spelled) or (k == "kw" and "**" not in spelled))
    ]
