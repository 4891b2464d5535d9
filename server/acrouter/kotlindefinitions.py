"""What a Kotlin file's classes and objects declare, for the guard that no edit drops
code (:mod:`.definitions`).

The guard's line patterns see only what starts at column 0: a Kotlin file's top-level
``fun``, ``class`` and ``object`` lines.  A class's members are indented: an edit could
delete a method no test calls, and the tests passed it, verified.
:func:`kotlin_members` reads a Kotlin file's code (comments, strings, string templates
and raw strings set aside, brackets counted) for what it declares at the top level and
in the body of a class, interface, object or companion object, each with the class
that holds it (``Calc``, ``Calc.Companion``, ``Outer.Inner``):

- functions (kind ``method``), extension functions by their name (``fun
  String.shout()``: ``shout``), counted one by one (overloads);
- secondary constructors (``constructor``, named by their class);
- properties (``variable``), ``val`` and ``var``, a primary constructor's too;
- classes, interfaces, objects and companion objects (``type``).

The properties a class's primary constructor declares (``data class Point(val x: Int,⏎
    var label: String = "")``: ``Point.x``, ``Point.label``; not its plain parameters)
are read as the class's properties, each on the line of its name.

An enum class's entries are its properties (``RED``, ``GREEN(2) { … }``: ``Color.RED``,
``Color.GREEN``), each on the line of its name; what an entry's body declares is the
entry's.

What a function's body or an initializer declares is the body's (an ``object :
Listener { … }`` expression's members too).  A member on the line that opens its class's
body (``object Registry { fun get() {} }``) is not read.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .domain import document_lines
from .members import Kind, Member
from .pytrees import cached

#: modifiers and annotations before a declaration's keyword
_MODIFIERS = (
    r"(?:@[\w.:]+(?:\([^()]*(?:\([^()]*\)[^()]*)*\))?\s*)*"
    r"(?:(?:public|private|protected|internal|open|final|abstract|sealed|override|suspend"
    r"|inline|noinline|crossinline|tailrec|operator|infix|external|data|enum|annotation"
    r"|inner|value|const|lateinit|expect|actual|fun(?=\s+interface))\s+)*"
)
#: a function: its name after type parameters and an extension's receiver
_FUN = re.compile(
    "^" + _MODIFIERS + r"fun\s+(?:<[^>]*(?:<[^>]*>[^>]*)*>\s*)?"
    r"(?:[\w.]+(?:<[^()]*>)?\??\s*\.\s*)?`?(\w+)`?\s*[(<]"
)
#: a class, an interface, an object (``companion object`` with or without its name)
_TYPE = re.compile("^" + _MODIFIERS + r"(class|interface|object)\s+`?(\w+)`?")
_COMPANION = re.compile("^" + _MODIFIERS + r"companion\s+object\b\s*`?(\w*)`?")
_CONSTRUCTOR = re.compile("^" + _MODIFIERS + r"constructor\s*\(")
_PROPERTY = re.compile(
    "^" + _MODIFIERS + r"(?:val|var)\s+(?:<[^>]*>\s*)?"
    r"(?:[\w.]+(?:<[^()=]*>)?\??\s*\.\s*)?`?(\w+)`?\s*(?:[:=]|by\b|get\b|$)"
)


def is_kotlin(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is Kotlin."""
    if language and language.lower() == "kotlin":
        return True
    return PurePosixPath(path.replace("\\", "/")).suffix.lower() in (".kt", ".kts")


def kotlin_members(text: str) -> list[Member]:
    """The functions (kind ``method``), secondary constructors (``constructor``),
    properties (``variable``) and classes (``type``) ``text`` declares at the top level
    and in class bodies, in order, each with the class that holds it ("" at the top
    level); read once per text inside ``shared_trees()``, so the list must not be
    changed."""
    return cached("kotlin.scan", text, lambda: _scan(text))[0]


def kotlin_classes(text: str) -> set[str]:
    """The classes and objects whose bodies ``text`` holds, by path (``Calc``,
    ``Calc.Companion``), and "" (the top level)."""
    return cached("kotlin.scan", text, lambda: _scan(text))[1]


def kotlin_code(text: str) -> list[str]:
    """:func:`code_view` of ``text``, once per text inside ``shared_trees()`` (the
    members' reader and the annotations' share it): the list must not be changed."""
    return cached("kotlin.code", text, lambda: code_view(text))


def code_view(text: str) -> list[str]:
    """The lines of ``text`` with comments taken out (block comments nest) and the
    insides of strings, characters and raw strings emptied, a template's code
    (``"${a.b("x")}"``) with them: what is left is code, line for line."""
    out: list[str] = []
    comment = 0  # how many block comments are open
    raw = False  # inside a raw string
    for line in document_lines(text):
        kept: list[str] = []
        i, n = 0, len(line)
        while i < n:
            if comment:
                if line.startswith("*/", i):
                    comment, i = comment - 1, i + 2
                elif line.startswith("/*", i):
                    comment, i = comment + 1, i + 2
                else:
                    i += 1
                continue
            if raw:
                end = line.find('"""', i)
                if end < 0:
                    break
                while line.startswith('"', end + 3):  # (""""": the last three close it)
                    end += 1
                kept.append('""')
                raw, i = False, end + 3
                continue
            c = line[i]
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                comment, i = 1, i + 2
                continue
            if line.startswith('"""', i):
                raw, i = True, i + 3
                continue
            if c in "\"'":
                i = _string_end(line, i)
                kept.append(c + c)
                continue
            kept.append(c)
            i += 1
        out.append("".join(kept))
    return out


def _string_end(line: str, i: int) -> int:
    """Where the string or character opening at ``line[i]`` ends (its template code
    skipped: ``"${map["k"]}"``), or the line's end."""
    quote, j, n = line[i], i + 1, len(line)
    while j < n:
        c = line[j]
        if c == "\\":
            j += 2
        elif c == quote:
            return j + 1
        elif quote == '"' and line.startswith("${", j):
            depth, j = 1, j + 2
            while j < n and depth:
                if line[j] in "\"'":
                    j = _string_end(line, j)
                    continue
                depth += {"{": 1, "}": -1}.get(line[j], 0)
                j += 1
        else:
            j += 1
    return n


def _scan(text: str) -> tuple[list[Member], set[str]]:
    raw = document_lines(text)
    found: list[Member] = []
    classes = {""}
    # the braces open: for each, the class whose body it is, or None (a body of code)
    scopes: list[str | None] = []
    parens = 0  # parentheses and brackets open
    pending: str | None = None  # a class declared whose body's "{" has not come
    pending_at = (0, 0)  # the braces and parentheses open where it was declared
    pending_enum = False  # whether it is an ``enum class``
    # the enum bodies whose entries go on, by their depth: whether an entry's name is next
    entries: dict[int, bool] = {}
    codes = kotlin_code(text)
    for i, line in enumerate(codes):
        code = line.strip()
        owner = scopes[-1] if scopes else ""
        if code and parens == 0 and owner is not None:
            m = _declaration(code)
            if m is not None and m[0] == "constructor" and (pending is not None or not owner):
                m = None  # a primary constructor: ``class A⏎protected constructor(…)``
            if m is not None:
                kind, name = m
                if kind == "constructor":  # (named by its class, as Java's)
                    name = owner.rpartition(".")[2]
                path = f"{owner}.{name}" if owner else name
                found.append(Member(i, name, raw[i].strip(), owner, kind))
                pending = path if kind == "type" else None
                pending_at = (len(scopes), parens)
                header = _TYPE.match(code) if kind == "type" else None
                pending_enum = header is not None and _ENUM.search(header.group(0)) is not None
                if header is not None:
                    start = len(line) - len(line.lstrip()) + header.end()
                    properties = _primary_properties(codes, i, start)
                    found += [
                        Member(at, p, raw[at].strip(), path, "variable") for at, p in properties
                    ]
                    if properties:
                        classes.add(path)  # (its properties are its, body or not)
        j = 0
        while j < len(code):
            c = code[j]
            if parens == 0 and len(scopes) in entries:  # an enum class's entries
                if c == "@" and (a := _ANNOTATION_NAME.match(code, j)):
                    j = a.end()  # (its arguments are counted as parentheses)
                    continue
                if entries[len(scopes)] and (e := _ENTRY.match(code, j)):
                    enum = scopes[-1] or ""
                    found.append(Member(i, e.group(1), raw[i].strip(), enum, "variable"))
                    entries[len(scopes)] = False
                    j = e.end()
                    continue
                if c == ",":
                    entries[len(scopes)] = True
                elif c == ";":  # the class's other members follow
                    del entries[len(scopes)]
            if c in "([":
                parens += 1
            elif c in ")]":
                parens = max(0, parens - 1)
            elif c == "{":
                if pending is not None and (len(scopes), parens) == pending_at:
                    scopes.append(pending)
                    classes.add(pending)
                    if pending_enum:
                        entries[len(scopes)] = True
                    pending = None
                else:  # (a lambda in the header's parentheses: ``onDone: () -> Unit = {}``;
                    scopes.append(None)  # an enum entry's body)
            elif c == "}" and scopes:
                entries.pop(len(scopes), None)
                scopes.pop()
                if len(scopes) < pending_at[0]:
                    pending = None
            elif c in "=;" and parens == pending_at[1] and len(scopes) == pending_at[0]:
                pending = None  # ``class A = …`` is no body; ``;`` ends the declaration
            j += 1
    return found, classes


#: the modifier that makes a class an enum
_ENUM = re.compile(r"(?<![\w@.])enum\s")
#: an annotation's name, before an enum entry (``@SerialName("red") RED``)
_ANNOTATION_NAME = re.compile(r"@[\w.:]+")
#: an enum entry's name (arguments, a body, "," or ";" may follow)
_ENTRY = re.compile(r"`?([A-Za-z_]\w*)`?")


#: what may stand between a class's name and its primary constructor's "(": type
#: parameters, annotations and modifiers before ``constructor``
_BEFORE_PARAMETERS = re.compile(
    r"\s*(?:<[^<>]*(?:<[^<>]*(?:<[^<>]*>[^<>]*)*>[^<>]*)*>\s*)?"
    r"(?:" + _MODIFIERS + r"constructor\s*)?\("
)
#: a primary constructor's parameter that declares a property: its name
_PARAMETER_PROPERTY = re.compile(
    "^" + _MODIFIERS + r"(?:(?:private|protected|internal|public|override|vararg)\s+)*"
    r"(?:val|var)\s+`?(\w+)`?"
)


def _primary_properties(codes: list[str], i: int, start: int) -> list[tuple[int, str]]:
    """The line and name of each property the primary constructor declares of the class
    whose name ends at ``codes[i][start]`` (``(val x: Int, var y: Int = 0)``, over lines
    too); none without one."""
    chars: list[str] = []
    at: list[int] = []
    for k in range(i, min(len(codes), i + 200)):
        piece = codes[k][start:] if k == i else codes[k]
        chars += [*piece, " "]
        at += [k] * (len(piece) + 1)
    text = "".join(chars)
    m = _BEFORE_PARAMETERS.match(text)
    if m is None:
        return []
    found: list[tuple[int, str]] = []
    depth, part = 1, m.end()
    for k in range(m.end(), len(text)):
        c = text[k]
        if c in "([{<":
            depth += 1
        elif c in ")]}>" and not (c == ">" and text[k - 1] == "-"):  # (``->``: no bracket)
            depth -= 1
        if depth == 0 or (c == "," and depth == 1):
            piece = text[part:k]
            if p := _PARAMETER_PROPERTY.match(piece.strip()):
                offset = part + len(piece) - len(piece.lstrip()) + p.start(1)
                found.append((at[min(offset, len(at) - 1)], p.group(1)))
            part = k + 1
            if depth == 0:
                return found
    return []  # (not closed within 200 lines: not read)


def _declaration(code: str) -> tuple[Kind, str] | None:
    """What the line ``code`` declares: its kind and name."""
    if m := _COMPANION.match(code):
        return "type", m.group(1) or "Companion"
    if m := _TYPE.match(code):
        return "type", m.group(2)
    if m := _FUN.match(code):
        return "method", m.group(1)
    if _CONSTRUCTOR.match(code):
        return "constructor", ""
    if m := _PROPERTY.match(code):
        return "variable", m.group(1)
    return None
