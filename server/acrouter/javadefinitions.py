"""What a Java class declares inside its body, for the guard that no edit drops code
(:mod:`.definitions`).

The guard's line patterns see only what starts at column 0: a Java file's imports and
its top-level classes.  An edit could drop, unnoticed by them and passed by tests that
never call it, a method of a class (``    public static int neg(int a) {``: indented) or
a nested class.  :func:`java_members` lists the methods and nested classes, interfaces,
enums and records each class body declares, read from the file's code with its
comments, strings, character literals and text blocks taken out, and braces counted:
what a method's body or an anonymous class declares (``new Runnable() { public void
run() … }``, which an edit may rightly turn into a lambda) is that body's business, as
in Python, and so is a class declared inside a method (a local class).  What javac
makes on its own is not listed (an enum's ``values``, a record's accessors, bridge
methods).  A declaration may break its line before its name or its "(" (``public
static <T> Collector<T, ?, Long>⏎    counting()``), not elsewhere.

A record's components are its fields (kind ``variable``, each on the line of its name:
``record Pair<A, B>(A first,⏎    @Nullable B second)``, ``(String... parts)``); javac
makes each a private final field and an accessor.  An accessor the record writes
itself (``public int x() { return x; }`` for its component ``x``) is not listed: it is
there while the component is, written or made, so an edit leaving it to javac drops
nothing.  A compact constructor (``Point { … }``) is its body's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from .domain import document_lines
from .members import Member, comma_parts
from .pytrees import cached

#: the editor's language id and the suffix of the files read as Java
JAVA_LANGUAGE = "java"
JAVA_SUFFIX = ".java"

#: words before a member's type
_MODIFIERS = [
    *("public", "private", "protected", "static", "final", "abstract", "synchronized"),
    *("native", "default", "strictfp", "sealed", "non-sealed"),
]
_MODIFIER = "(?:" + "|".join(_MODIFIERS) + ")"
_ANNOTATION = r"@[\w$.]+(?:\s*\([^()]*\))?"
#: a type: ``int``, ``java.util.List<String>``, ``Map.Entry<K, V>[]``
_TYPE = r"[A-Za-z_$][\w$.]*(?:\s*<[^(){};=]*>)?(?:\s*\[\s*\])*"
#: a method: modifiers and annotations, type parameters, return type, name, "("
_METHOD = re.compile(
    rf"^\s*(?:(?:{_MODIFIER}|{_ANNOTATION})(?:\s+|(?=<)))*(?:<[^(){{}};=]*>\s*)?({_TYPE})\s+"
    r"([A-Za-z_$][\w$]*)\s*(\(|$)"
)
#: a line that holds only a method's head before its name (``public static <T>
#: Collector<T, ?, Long>``), its name starting the next line (``    counting() {``)
_HEAD = re.compile(
    rf"^\s*(?:(?:{_MODIFIER}|{_ANNOTATION})(?:\s+|(?=<)))*(?:<[^(){{}};=]*>\s*)?({_TYPE})\s*$"
)
_NAME_FIRST = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*(\(|$)")
#: a nested type: ``static class Inner``, ``private enum Kind``, ``record Point(``
_NESTED = re.compile(
    rf"^\s*(?:(?:{_MODIFIER}|{_ANNOTATION})\s+)*(?:class|interface|@interface|enum|record)\s+"
    r"([A-Za-z_$][\w$]*)"
)
#: a declaration of a type anywhere on a line: the next "{" opens a class body
_DECLARES_TYPE = re.compile(r"(?<![\w$.])(class|interface|enum|record)\s+([A-Za-z_$][\w$]*)")
#: a constructor: modifiers and annotations, type parameters, its class's name, "("
_CONSTRUCTOR = re.compile(
    rf"^\s*(?:(?:{_MODIFIER}|{_ANNOTATION})(?:\s+|(?=<)))*(?:<[^(){{}};=]*>\s*)?"
    r"([A-Za-z_$][\w$]*)\s*\("
)
#: what follows a constructor's "(" when it takes nothing and does nothing: its "{",
#: a ``super();`` maybe, and its "}" (group 1) or the line's end (the next closes it)
_EMPTY_BODY = re.compile(r"^\s*\)\s*\{\s*(?:super\(\s*\);\s*)?(\})?\s*$")
#: words a method's return type cannot be (a statement's first word, a modifier: a
#: constructor's "public Calc(")
_NOT_TYPES = frozenset(
    "return throw new else yield case assert do goto package import var".split()  # noqa: SIM905
    + _MODIFIERS
)
#: words a method's name cannot be
_NOT_NAMES = frozenset(
    "if for while switch catch synchronized return new throw super this assert try do else".split()  # noqa: SIM905
)


def is_java(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is Java."""
    if language and language.lower() == JAVA_LANGUAGE:
        return True
    return PurePosixPath(path.replace("\\", "/")).suffix.lower() == JAVA_SUFFIX


def java_code(text: str) -> list[str]:
    """:func:`code_view` of ``text``, once per text inside ``shared_trees()`` (the
    members' reader and the annotations' share it): the list must not be changed."""
    return cached("java.code", text, lambda: code_view(text))


def code_view(text: str) -> list[str]:
    """The lines of ``text`` with comments taken out and the insides of strings,
    character literals and text blocks emptied (a text block's lines are blank): what
    is left is code, line for line."""
    out: list[str] = []
    closer = ""  # what ends the block comment or text block a line starts in
    for line in document_lines(text):
        kept: list[str] = []
        i, n = 0, len(line)
        while i < n:
            if closer:
                end = line.find(closer, i)
                if end < 0:
                    break
                if closer == '"""':
                    kept.append('""')
                closer, i = "", end + len(closer)
                continue
            c = line[i]
            if line.startswith("//", i):
                break
            if line.startswith(("/*", '"""'), i):
                closer = "*/" if c == "/" else '"""'
                i += 2 if c == "/" else 3
                continue
            if c in "\"'":
                j = i + 1
                while j < n and line[j] != c:
                    j += 2 if line[j] == "\\" else 1
                kept.append(c + c)
                i = j + 1
                continue
            kept.append(c)
            i += 1
        out.append("".join(kept))
    return out


def java_members(text: str) -> list[Member]:
    """Each method, constructor and nested type, field (each of ``int a = 1, b;``), enum
    constant and record component (kind ``variable``) a class body of ``text`` declares
    (not a record's own accessors; a constructor that takes nothing and does nothing is
    left out: javac makes the same when it goes); read once per text inside
    ``shared_trees()``, so the list must not be changed."""
    return cached("java.scan", text, lambda: _scan(text))[0]


def java_classes(text: str) -> set[str]:
    """The classes (interfaces, enums, records) whose bodies ``text`` holds, dotted from
    their top-level class (``Calc``, ``Calc.Inner``); not anonymous or local ones."""
    return cached("java.scan", text, lambda: _scan(text))[1]


def _scan(text: str) -> tuple[list[Member], set[str]]:
    lines = document_lines(text)
    found: list[Member] = []
    classes: set[str] = set()
    # for each open brace, the class whose body it opens (None: a method's body, an
    # initializer, an anonymous class, or anything inside one of those)
    scopes: list[str | None] = []
    declares = ""  # the type whose declaration was seen and whose "{" has not come yet
    keyword = ""  # its keyword (``enum``: its body starts with its constants)
    declared_at = (0, 0)  # where its name ends (a record's header follows: its components)
    components: dict[str, set[str]] = {}  # each record's components, by its dotted name
    enums: set[int] = set()  # the depths of the enum bodies whose constants go on
    fields = _Fields(found, lines)
    codes = java_code(text)
    for i, code in enumerate(codes):
        owner = ".".join(s or "" for s in scopes) if scopes and scopes[-1] else ""
        if owner:
            header = lines[i].strip()
            accessors = components.get(owner, set())  # (a record's: javac makes them)
            if m := _NESTED.match(code):
                found.append(Member(i, m.group(1), header, owner, "type"))
            elif (
                (m := _CONSTRUCTOR.match(code))
                and m.group(1) == scopes[-1]
                and _starts_declaration(codes, i)
            ):
                if not _does_nothing(codes, i, m.end()):
                    found.append(Member(i, m.group(1), header, owner, "constructor"))
            elif (
                (m := _METHOD.match(code))
                and _a_method(m.group(1), m.group(2))
                and (m.group(3) == "(" or _opens_on_next(codes, i))
            ):
                if not (m.group(2) in accessors and _EMPTY_PARAMETERS.match(code, m.end())):
                    found.append(Member(i, m.group(2), header, owner))
            elif (
                (m := _NAME_FIRST.match(code))
                and (m.group(2) == "(" or _opens_on_next(codes, i))
                and (head := _head_before(codes, i))
                and _a_method(head, m.group(1))
                and not (m.group(1) in accessors and _EMPTY_PARAMETERS.match(code, m.end()))
            ):
                found.append(Member(i, m.group(1), header, owner))
        decl = _DECLARES_TYPE.search(code)
        for j, c in enumerate(code):
            body_level = bool(scopes) and scopes[-1] is not None
            if decl and j == decl.start():
                keyword, declares = decl.group(1), decl.group(2)
                declared_at = (i, decl.end(2))
            if body_level:
                owner = ".".join(s or "" for s in scopes)
                if c == "{" and (fields.assigned() or len(scopes) in enums):
                    scopes.append(None)  # (an initializer's, an enum constant's body)
                    fields.add(c, i)
                    fields.inside = len(scopes)
                    declares = ""
                    continue
                if c in ",;}" and len(scopes) in enums and not fields.parens:
                    fields.constant(owner)
                    if c != ",":
                        enums.discard(len(scopes))
                    if c != "}":
                        continue
                elif c == ";" and not fields.parens:
                    fields.declared(owner)
                    declares = ""
                    continue
                elif c not in "{}":
                    fields.add(c, i)
                    continue
            if c == "{":  # a class declared inside a method's body is the body's
                body = declares if declares and all(scopes) else None
                scopes.append(body)
                if body:
                    dotted = ".".join(s or "" for s in scopes)
                    classes.add(dotted)
                    if keyword == "enum":
                        enums.add(len(scopes))
                    elif keyword == "record":
                        read = _components(codes, declared_at, (i, j))
                        components[dotted] = {name for _, name in read}
                        found += [
                            Member(at, name, lines[at].strip(), dotted, "variable")
                            for at, name in read
                        ]
                declares = ""
                if body_level:
                    fields.clear()  # (a member's body, a nested class's)
            elif c == "}":
                if scopes:
                    if fields.inside == len(scopes):  # an initializer's closed
                        fields.inside = 0
                        scopes.pop()
                        fields.add(c, i)
                        continue
                    enums.discard(len(scopes))
                    scopes.pop()
                    if scopes and scopes[-1] is not None:
                        fields.clear()
            elif c == ";":
                declares = ""  # ``record R(int x);`` is no Java, but a statement ends
    return found, classes


class _Fields:
    """The code of a class body's statement read so far, character by character with
    their lines, and the fields and enum constants it declares."""

    def __init__(self, found: list[Member], lines: list[str]) -> None:
        self.found, self.lines = found, lines
        self.chars: list[str] = []
        self.at: list[int] = []
        self.parens = 0
        self.equals = False  # an "=" outside brackets: what follows is a value
        self.inside = 0  # the depth of the initializer's braces open, or 0

    def add(self, c: str, line: int) -> None:
        if self.inside and c != "}":
            return
        if c in "([":
            self.parens += 1
        elif c in ")]":
            self.parens = max(0, self.parens - 1)
        elif c == "=" and not self.parens and (self.chars[-1:] or [""])[0] not in "=!<>":
            self.equals = True
        self.chars.append(c)
        self.at.append(line)

    def assigned(self) -> bool:
        """Whether a "{" here opens a value (``= { 1, 2 }``, ``= new T() { … }``, a
        lambda's body, ``f(new T() { … })``, ``@A({"x"})``), not a member's body."""
        return self.equals or self.parens > 0

    def clear(self) -> None:
        self.chars.clear()
        self.at.clear()
        self.parens, self.equals = 0, False

    def declared(self, owner: str) -> None:
        """Records the fields the statement ended by ";" declares (``int a = 1, b;``)."""
        code = "".join(self.chars)
        start = len(code) - len(rest := _without_annotations(code))
        m = _FIELD.match(rest)
        if m and m.group(1).split("<")[0].strip() not in _NOT_TYPES:
            # (a comma inside ``<…>`` splits a part no declarator starts: ``new
            # HashMap<String, Integer>()``'s `` Integer>()``; one counted as a bracket would
            # not close after ``(1 << N)``)
            for offset, part in comma_parts(code, start + m.start(2)):
                if d := _DECLARATOR.match(part):
                    self._record(owner, offset + d.start(1), d.group(1))
        self.clear()

    def constant(self, owner: str) -> None:
        """Records the enum constant the statement is (``RED``, ``GREEN("g") { … }``)."""
        code = "".join(self.chars)
        start = len(code) - len(rest := _without_annotations(code))
        if m := _CONSTANT.match(rest):
            self._record(owner, start + m.start(1), m.group(1))
        self.clear()

    def _record(self, owner: str, offset: int, name: str) -> None:
        line = self.at[offset]
        self.found.append(Member(line, name, self.lines[line].strip(), owner, "variable"))


def _without_annotations(code: str) -> str:
    """``code`` without the annotations it starts with (``@Deprecated``, ``@A(x = 1)``)."""
    code = code.lstrip()
    while m := re.match(r"@\s*[\w$.]+\s*", code):
        code = code[m.end() :]
        if code.startswith("("):
            depth = 0
            for j, c in enumerate(code):
                depth += {"(": 1, ")": -1}.get(c, 0)
                if depth == 0:
                    code = code[j + 1 :]
                    break
            else:
                return ""
        code = code.lstrip()
    return code


#: a field: modifiers (and type annotations: ``private static @Stable int x``), its
#: type and its first declarator's name, then "=", ",", "[" or the statement's end
_FIELD = re.compile(
    rf"^(?:(?:{_MODIFIER}|transient|volatile)\s+|{_ANNOTATION}\s*)*({_TYPE})\s+"
    r"([A-Za-z_$][\w$]*)\s*(?:[=,\[]|$)"
)
#: one declarator: its name, maybe ``[]``, then "=" or nothing
_DECLARATOR = re.compile(r"^\s*([A-Za-z_$][\w$]*)\s*(?:\[\s*\]\s*)*(?:=|$)", re.DOTALL)
#: an enum constant: its name, then arguments, a body or nothing
_CONSTANT = re.compile(r"^([A-Za-z_$][\w$]*)\s*(?:[({]|$)", re.DOTALL)


#: what follows a method's "(" when it takes no parameters
_EMPTY_PARAMETERS = re.compile(r"\s*\)")
#: a record component's name, ending its part of the header's list
_LAST_NAME = re.compile(r"([A-Za-z_$][\w$]*)\s*$")


def _components(
    codes: list[str], start: tuple[int, int], end: tuple[int, int]
) -> list[tuple[int, str]]:
    """The line and name of each component of the record whose name ends at ``start``
    (line, column) and whose body's "{" is at ``end``: ``record Pair<A, B>(A first,⏎
    @Nullable B second) implements …``, ``(String... parts)``; none when its header holds
    no list, or one the "{" at ``end`` falls inside."""
    chars: list[str] = []
    at: list[int] = []
    for k in range(start[0], end[0] + 1):
        piece = codes[k][start[1] if k == start[0] else 0 : end[1] if k == end[0] else None]
        chars += [*piece, " "]
        at += [k] * (len(piece) + 1)
    text = "".join(chars)
    n, j = len(text), 0
    while j < n and text[j].isspace():
        j += 1
    if text.startswith("<", j):  # its type parameters
        depth = 0
        while j < n:
            depth += {"<": 1, ">": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                break
        while j < n and text[j].isspace():
            j += 1
    if not text.startswith("(", j):
        return []
    found: list[tuple[int, str]] = []
    parens = angles = 0
    part = j + 1
    for k in range(j, n):
        c = text[k]
        if c == "(":
            parens += 1
        elif c == ")":
            parens -= 1
        elif parens == 1 and c in "<>":
            angles = max(0, angles + (1 if c == "<" else -1))
        if parens == 0 or (c == "," and parens == 1 and angles == 0):
            m = _LAST_NAME.search(text, part, k)
            if m and text[part : m.start()].strip():  # (a type before the name)
                found.append((at[m.start(1)], m.group(1)))
            part = k + 1
            if parens == 0:
                return found
    return []  # (not closed before a "{": ``(@A({1, 2}) int x)`` is not read)


def _starts_declaration(codes: list[str], i: int) -> bool:
    """Whether line ``i`` starts a declaration: the code before it ends one (";", "{",
    "}") or is an annotation, not an expression going on (``Field ERA = new⏎
    Field("era")`` calls a constructor)."""
    before = _first_code(codes, range(i - 1, -1, -1)).rstrip()
    return not before or before[-1] in ";{}" or before.lstrip().startswith("@")


def _does_nothing(codes: list[str], i: int, start: int) -> bool:
    """Whether the constructor whose "(" ends at ``start`` of line ``i`` takes no
    parameters and has an empty body (``public Calc() { }``, ``Calc() {⏎}``, a
    ``super();`` alone)."""
    m = _EMPTY_BODY.match(codes[i][start:])
    if m is None:
        return False
    return m.group(1) is not None or _first_code(codes, range(i + 1, len(codes))).strip() == "}"


def _first_code(codes: list[str], order: Iterable[int]) -> str:
    """The first line of ``codes``, taken in ``order``, that holds code ("" when none
    does)."""
    return next((codes[k] for k in order if codes[k].strip()), "")


def _head_before(codes: list[str], i: int) -> str:
    """The return type the last line with code before line ``i`` ends with, when that
    line holds nothing but a method's head (modifiers, type parameters, type); ""
    otherwise."""
    m = _HEAD.match(_first_code(codes, range(i - 1, -1, -1)))
    return m.group(1) if m else ""


def _opens_on_next(codes: list[str], i: int) -> bool:
    """Whether the next line that holds code starts with the "(" of a declaration whose
    name ended line ``i`` (``public <U> CompletionStage<U> thenApply⏎    (Function…``)."""
    return _first_code(codes, range(i + 1, len(codes))).lstrip().startswith("(")


def _a_method(type_: str, name: str) -> bool:
    return type_.split("<")[0].strip() not in _NOT_TYPES and name not in _NOT_NAMES
