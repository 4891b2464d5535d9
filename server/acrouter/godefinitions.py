"""What a Go file declares at package level, for the guard that no edit drops code
(:mod:`.definitions`).

The guard's line patterns read a Go method by its name alone: ``func (c *Calc) Size()``
and ``func (b *Bag) Size()`` were both "Size", and an edit deleting ``Bag.Size``, which
no test calls, left the name defined, built, passed and was verified.  What a grouped
declaration holds (``const (⏎  Red = iota⏎  Green⏎)``, ``type (⏎  A struct{}⏎)``) they
did not read at all.  :func:`go_members` reads a Go file's code (comments, strings,
runes and raw strings set aside, brackets counted) for what it declares at package
level:

- its functions and methods (kind ``method``), a method with its receiver's type as
  its owner (``Calc`` for ``func (c *Calc) Size()``, ``Set`` for ``func (s Set[T])
  Add``), counted one by one (a package may hold several ``func init()``);
- its types (kind ``type``), one ``type`` line's or each of a ``type (…)`` group's;
- its variables and constants (kind ``variable``), each name of a ``var`` or
  ``const`` line or group (``A, B = 1, 2``: two);
- the fields of its structs (``variable``: each of ``X, Y int``, an embedded ``*Base``
  by its type's name), the methods of its interfaces (``method``) and the interfaces
  they embed (``variable``, by name: ``io.Writer`` is ``Writer``), with their type as
  owner (an array's or a slice's element struct too: ``type T []struct { … }``).

The blank ``_`` (``func _()``, ``var _ io.Reader = (*T)(nil)``) declares no name a
program can use, and is not read.

What a function's body declares is the body's.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .domain import document_lines
from .members import Kind, Member
from .pytrees import cached

#: a function (group 2) or a method (group 1: its receiver, inside the parentheses)
_FUNC = re.compile(r"^func\s*(?:\(([^()]*(?:\([^()]*\)[^()]*)?)\)\s*)?([^\W\d]\w*)\s*[\[(]")
#: a receiver's type: ``c *Calc``, ``*Calc``, ``Calc``, ``s Set[T]``, ``c (*Calc)``
_RECEIVER = re.compile(r"^\s*(?:[^\W\d]\w*\s+)?\(?\s*\*?\s*([^\W\d]\w*)")
#: ``type T …``, ``var x …``, ``const (``: the keyword and what follows it
_DECLARATION = re.compile(r"^(type|var|const)\b\s*(.*)$")
#: the names a var or const spec starts with (``A, B int``, ``X = iota``, ``Y``)
_NAMES = re.compile(r"^([^\W\d]\w*(?:\s*,\s*[^\W\d]\w*)*)")
#: a spec that is names so far, the list going on to the next line (``A,``)
_LIST = re.compile(r"^[^\W\d]\w*(?:\s*,\s*[^\W\d]\w*)*\s*,$")
_KINDS: dict[str, Kind] = {"type": "type", "var": "variable", "const": "variable"}


def is_go(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is Go."""
    if language and language.lower() == "go":
        return True
    return PurePosixPath(path.replace("\\", "/")).suffix.lower() == ".go"


def go_members(text: str) -> list[Member]:
    """The functions and methods (kind ``method``), types (``type``), variables and
    constants (``variable``) ``text`` declares at package level, in order, a method
    with its receiver's type as its owner ("" for the rest); read once per text inside
    ``shared_trees()``, so the list must not be changed."""
    return cached("go.scan", text, lambda: _scan(text))


def go_classes(text: str) -> set[str]:
    """The types ``text`` declares (a method's, a field's owner), and "" (package level)."""
    return {""} | {m.name for m in go_members(text) if m.kind == "type"}


#: what starts a comment, a raw string, or a string or rune (to its closing quote)
_OPENER = re.compile(r"//|/\*|`|\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?")


def go_code(text: str) -> list[str]:
    """:func:`code_view` of ``text``, read once per text inside ``shared_trees()`` (the
    guard's scope: its definitions and its stub reader share it); not to be changed."""
    return cached(
        "go.code",
        text,
        lambda: code_view(text, cached("definitions.lines", text, lambda: document_lines(text))),
    )


def code_view(text: str, lines: list[str] | None = None) -> list[str]:
    """The lines of ``text`` (``lines``, when they have been read) with comments taken
    out and the insides of strings, runes and raw strings emptied (a raw string's inner
    lines are blank): what is left is code, line for line."""
    out: list[str] = []
    closer = ""  # what ends the block comment or raw string a line starts in
    for line in document_lines(text) if lines is None else lines:
        kept: list[str] = []
        i = 0
        while True:
            if closer:
                end = line.find(closer, i)
                if end < 0:
                    break
                if closer == "`":
                    kept.append("``")
                closer, i = "", end + len(closer)
            m = _OPENER.search(line, i)
            if m is None:
                kept.append(line[i:])
                break
            kept.append(line[i : m.start()])
            token, i = m.group(), m.end()
            if token == "//":
                break
            if token in ("/*", "`"):
                closer = "*/" if token == "/*" else "`"
            else:  # a string or rune: its quotes
                kept.append(token[0] * 2)
        out.append("".join(kept))
    return out


def _scan(text: str) -> list[Member]:
    # (the lines the guard's line patterns read too: made once inside shared_trees())
    raw = cached("definitions.lines", text, lambda: document_lines(text))
    found: list[Member] = []
    depth = 0  # brackets of every kind open before the line
    group = ""  # the keyword of the ``type (``/``var (``/``const (`` group open at depth 1
    continued = False  # whether the line goes on from the one before (``a |⏎  b``)
    names = ""  # the keyword of a spec whose list of names goes on to the next line
    # the struct or interface whose body is open: its type's name, its keyword and the
    # depth of its lines
    body: tuple[str, str, int] | None = None
    listing = False  # whether a struct's line listed names, its type on a later line
    for i, line in enumerate(go_code(text)):
        code = line.strip()
        if not code:
            continue
        if body and depth == body[2] and (not continued or listing):
            # (``nArgSlot, // …⏎  nAuto int32``: a list of names going on)
            listing = body[1] == "struct" and _LIST.match(code) is not None
            found += _body_member(i, body, code.rstrip(","), raw[i].strip())
        if body and depth + _balance(code) < body[2]:
            body = None  # (its "}")
        if continued and names:  # ``A,⏎  B,⏎  C uintptr``: the list goes on
            found += _specs(i, names, code, raw[i].strip())
            names = names if _LIST.match(code) else ""
            depth = max(0, depth + _balance(code))
        elif not continued:
            names = ""
            for part in _statements(code):
                if depth == 0:
                    group = ""
                    if (m := _FUNC.match(part)) and m.group(2) != "_":
                        owner = ""
                        if m.group(1) is not None:
                            receiver = _RECEIVER.match(m.group(1))
                            owner = receiver.group(1) if receiver else ""
                        found.append(Member(i, m.group(2), raw[i].strip(), owner, "method"))
                    elif _FUNC.match(part):
                        pass  # ``func _()`` (a compile-time check) declares no name
                    elif m := _DECLARATION.match(part):
                        word, rest = m.group(1), m.group(2)
                        if rest.startswith("("):
                            group = word
                            rest = rest[1:].strip()
                        found += _specs(i, word, rest, raw[i].strip())
                        names = word if _LIST.match(rest) else ""
                        if word == "type":
                            body = _opens_body(rest, depth + _balance(part)) or body
                            found += _one_line_body(i, rest, raw[i].strip())
                elif depth == 1 and group and not part.startswith(")"):
                    found += _specs(i, group, part, raw[i].strip())
                    names = group if _LIST.match(part) else ""
                    if group == "type":
                        body = _opens_body(part, depth + _balance(part)) or body
                        found += _one_line_body(i, part, raw[i].strip())
                depth = max(0, depth + _balance(part))
            continued = _continues(code)
            continue
        depth = max(0, depth + _balance(code))
        continued = _continues(code)
    return found


#: a type spec whose struct or interface body opens and goes on to the next lines (type
#: parameters first, maybe: ``Pair[K comparable, V any] struct {``; an array's or a
#: slice's: ``semTable [N]struct {``, its elements' fields the type's)
_BRACKETS = r"\[(?:[^\[\]]|\[[^\]]*\])*\]"
_BODY = re.compile(
    r"^([^\W\d]\w*)\s*(?:" + _BRACKETS + r"\s*)?=?\s*(?:" + _BRACKETS + r"\s*)*"
    r"(struct|interface)\s*\{$"
)
#: a field's names (``X, Y int``) or an embedded type (``*pkg.Base``: ``Base``)
_FIELD_NAMES = re.compile(r"^([^\W\d]\w*(?:\s*,\s*[^\W\d]\w*)*)\s+[^\s=]")
_EMBEDDED = re.compile(r"^\*?\s*(?:[^\W\d]\w*\.)?([^\W\d]\w*)\s*(?:\[.*\])?\s*(?:``)?$")
#: an interface's method: ``Area() float64``
_INTERFACE_METHOD = re.compile(r"^([^\W\d]\w*)\s*\(")


def _opens_body(spec: str, after: int) -> tuple[str, str, int] | None:
    """The struct or interface body a type spec opens on its line and leaves open
    (``Point struct {``): its type, its keyword and the depth of its lines."""
    m = _BODY.match(spec.strip())
    return (m.group(1), m.group(2), after) if m and after > 0 and m.group(1) != "_" else None


#: a type spec whose struct or interface body is on its line: ``Base struct{ ID int }``
_ONE_LINE = re.compile(
    r"^([^\W\d]\w*)\s*(?:" + _BRACKETS + r"\s*)?=?\s*(?:" + _BRACKETS + r"\s*)*"
    r"(struct|interface)\s*\{([^{}]*)\}$"
)


def _one_line_body(line: int, spec: str, header: str) -> list[Member]:
    """What a struct's or interface's body written on its type's line declares."""
    m = _ONE_LINE.match(spec.strip())
    if not m or m.group(1) == "_":
        return []
    body = (m.group(1), m.group(2), 0)
    return [f for part in m.group(3).split(";") if part.strip()
            for f in _body_member(line, body, part.strip(), header)]  # fmt: skip


def _body_member(line: int, body: tuple[str, str, int], code: str, header: str) -> list[Member]:
    """What a line of a struct's body declares (its fields: ``X, Y int``, an embedded
    ``*Base``) or of an interface's (a method, an embedded interface by its name:
    ``io.Writer``, ``Container[T]``); a union of a constraint (``~int | ~string``) is
    not read."""
    owner, keyword, _ = body
    if code.startswith("}"):
        return []
    if keyword == "interface":
        if m := _INTERFACE_METHOD.match(code):
            return [Member(line, m.group(1), header, owner, "method")]
        if (m := _EMBEDDED.match(code)) and not code.startswith("*"):
            return [Member(line, m.group(1), header, owner, "variable")]
        return []
    if m := _FIELD_NAMES.match(code):
        names = [n.strip() for n in m.group(1).split(",")]
        return [Member(line, n, header, owner, "variable") for n in names if n != "_"]
    if m := _EMBEDDED.match(code):
        return [Member(line, m.group(1), header, owner, "variable")]
    return []


def _continues(code: str) -> bool:
    """Whether Go's statement goes on after the (stripped) line ``code``: no semicolon
    goes in after an operator, a "," or a "." (not a number's: ``uf = 1.``); an
    opening bracket's lines are counted as inside it."""
    last = code[-1]
    if last.isalnum() or last in "_()[]{}\"'`":
        return False
    if last in "+-":
        return not code.endswith(last * 2)  # ``i++`` ends a statement
    return last != "." or len(code) < 2 or not code[-2].isdigit()


def _statements(code: str) -> list[str]:
    """``code`` cut at its semicolons outside brackets (``t00 t; t01 t``: two specs)."""
    if ";" not in code:
        return [code]
    parts: list[str] = []
    depth, start = 0, 0
    for k, c in enumerate(code):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == ";" and depth == 0:
            parts.append(code[start:k].strip())
            start = k + 1
    parts.append(code[start:].strip())
    return [p for p in parts if p]


def _specs(line: int, word: str, spec: str, header: str) -> list[Member]:
    """The names one type, var or const spec declares (``A, B = 1, 2``: A and B)."""
    m = _NAMES.match(spec)
    if not m:
        return []
    names = [n.strip() for n in m.group(1).split(",")]
    if word == "type":
        names = names[:1]  # ``type A[K, V any] …``: the type parameters are not types
    return [Member(line, n, header, "", _KINDS[word]) for n in names if n != "_"]


def _balance(code: str) -> int:
    """The brackets ``code`` opens less those it closes."""
    opened = code.count("(") + code.count("[") + code.count("{")
    return opened - code.count(")") - code.count("]") - code.count("}")
