"""What a C# file's types declare, for the guard that no edit drops code
(:mod:`.definitions`).

The guard's line patterns see only what starts at column 0, and a C# file's types
usually sit inside a ``namespace { … }`` block, their members deeper still: an edit
could delete a method, a property or a whole class no test reaches, and a passing
``dotnet test`` (or ``make test``) verified it.  :func:`csharp_members` reads a C# file's
code (comments, preprocessor lines, strings (verbatim, interpolated and raw ones too)
and characters set aside, brackets counted, statements read whole) for what each
namespace and type declares, with the type that holds it (``Calc``, ``Calc.Inner``;
namespaces are not named):

- classes, structs, interfaces, enums, records and delegates (kind ``type``);
- methods (``method``), counted one by one (overloads), an explicit interface
  implementation by its own name (``int IComparable.CompareTo(…)``: ``CompareTo``);
  operators too, by their symbol (``operator +``, ``operator checked +``, ``operator
  true``; an explicit interface's ``IAdd<Calc>.operator +``), conversions by their type
  (``operator int``, whether implicit or explicit: C# allows one of the two, and an edit
  turning one into the other drops nothing), and finalizers (``~Calc``);
- constructors (``constructor``, named by their class), static ones too;
- fields (each of ``int a = 1, b;``), constants, properties, events, enum members,
  indexers (``this[]``, each overload counted; ``int IList<int>.this[int i]`` too) and a
  record's positional parameters, its properties (``record Point(int X, int Y);``:
  ``Point.X``, ``Point.Y``; one its body declares itself is that declaration)
  (``variable``).

What a method's, an accessor's or a lambda's body declares is the body's (a local
function).  A class's or struct's primary constructor's parameters are no members, and
the local functions of top-level statements are not read.  :func:`spoken_of` tells the
guard when an instruction names an operator, an indexer or a finalizer, which have no
name of their own ("remove the + operator", "drop the indexer").
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .domain import document_lines
from .edits import BOM
from .members import Kind, Member, Statement, comma_parts, without_leading
from .pytrees import cached

_ID = r"@?[^\W\d]\w*"
_MODIFIERS = (
    r"(?:(?:public|private|protected|internal|static|readonly|const|volatile|virtual|override"
    r"|abstract|sealed|extern|unsafe|async|new|partial|required|file|fixed|ref|scoped)\s+)*"
)
#: a type: ``int``, ``List<Dictionary<string, int>>``, ``int[,]``, ``(int a, string b)``,
#: ``string?``, ``global::System.Int32``
_GENERIC = r"<[^<>;{}]*(?:<[^<>;{}]*(?:<[^<>;{}]*>[^<>;{}]*)*>[^<>;{}]*)*>"
_TYPE = (
    r"(?:delegate\s*\*\s*(?:managed|unmanaged)?\s*(?:\[[^\]]*\])?\s*" + _GENERIC + r"|"
    r"\((?:[^()]|\([^()]*\))*\)|(?:\w+::)?" + _ID + r"(?:\s*" + _GENERIC + r")?"
    r"(?:\s*\.\s*" + _ID + r"(?:\s*" + _GENERIC + r")?)*)"
    r"(?:\s*\?)?(?:\s*\[[\s,]*\])*(?:\s*\?)?(?:\s*\*)*"
)
_TYPE_DECLARATION = re.compile(
    "^"
    + _MODIFIERS
    + r"(class|struct|interface|enum|record(?:\s+(?:class|struct))?)\s+("
    + _ID
    + ")"
)
_DELEGATE = re.compile("^" + _MODIFIERS + r"delegate\s+" + _TYPE + r"\s+(" + _ID + ")")
_NAMESPACE = re.compile(r"^namespace\b")
_EVENT = re.compile("^" + _MODIFIERS + r"event\s+" + _TYPE + r"\s+")
#: a constructor or finalizer: its name and "(" (a finalizer starts ``~``)
_CONSTRUCTOR = re.compile("^" + _MODIFIERS + r"(~?)\s*(" + _ID + r")\s*\(")
#: a member with a type: what follows the type (the name, maybe qualified by the
#: interface it implements, and what comes next)
_TYPED = re.compile("^" + _MODIFIERS + _TYPE + r"\s+(?=[^\s=,;(){}])")
#: a method's name: ``Add(``, ``Map<T>(``, ``IComparable.CompareTo(``
_METHOD = re.compile(
    r"^(?:"
    + _ID
    + r"(?:\s*"
    + _GENERIC
    + r")?\s*\.\s*)*("
    + _ID
    + r")\s*(?:"
    + _GENERIC
    + r")?\s*\("
)
#: a property: its name before ``=>`` (group 2) or the ``{`` that ended the statement
#: (``IFoo.Size``: ``Size``)
_PROPERTY = re.compile(
    r"^(?:" + _ID + r"(?:\s*" + _GENERIC + r")?\s*\.\s*)*(" + _ID + r")\s*(?:(=>)|$)"
)
#: the interface an explicit implementation names: ``IList<int>.``, ``IAdd<Calc>.``
_QUALIFIER = r"(?:" + _ID + r"(?:\s*" + _GENERIC + r")?\s*\.\s*)*"
#: an operator's symbol: ``+``, ``==``, ``>>>``
_SYMBOL = r"[-+*/%&|^!~<>=]+"
#: what follows the type of an indexer: ``this[``, ``IList<int>.this[``
_INDEXER = re.compile("^" + _QUALIFIER + r"(this)\s*\[")
#: what follows the type of an operator (``operator +(``, ``operator checked -(``,
#: ``operator true(``, ``IAdd<Calc>.operator +(``: group 3) or of a conversion (its
#: type ``implicit`` or ``explicit``: ``operator int(``, ``operator checked long(``:
#: group 4)
_OPERATOR = re.compile(
    "^"
    + _QUALIFIER
    + r"(operator)\s*(checked\b\s*)?(?:("
    + _SYMBOL
    + r"|(?:true|false)\b)|("
    + _TYPE
    + r"))\s*\("
)
#: what follows the type of an indexer or operator the patterns above do not read
_NOT_MEMBER = re.compile("^(?:" + _QUALIFIER + r"this\s*\[|operator\b)")
#: one declarator of a field: its name, then ``=`` or nothing
#: (an explicit interface implementation's event: ``IService.Changed``)
_DECLARATOR = re.compile(
    r"^\s*(?:" + _ID + r"(?:\s*" + _GENERIC + r")?\s*\.\s*)*(" + _ID + r")"
    r"\s*(?:=|\[[^\]]*\]\s*$|$)",  # (``fixed byte Data[16];``)
    re.DOTALL,
)
_ENUM_MEMBER = re.compile(r"^(" + _ID + r")\s*(?:=|$)", re.DOTALL)
#: a statement's keywords that are no member's type
_NOT_TYPES = frozenset(("return", "using", "operator", "this", "namespace", "extern"))
#: what may stand between a record's name and its positional parameters' "(": ``<T>``
_PARAMETERS = re.compile(r"\s*(?:" + _GENERIC + r")?\s*\(")
#: a parameter's name: the last word before its default value
_PARAMETER = re.compile("(" + _ID + r")\s*$")
#: an indexer's name (``public int this[int i]``, ``int IList<int>.this[int i]``)
INDEXER = "this[]"


def is_csharp(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is C#."""
    if language and language.lower() in ("csharp", "c#"):
        return True
    return PurePosixPath(path.replace("\\", "/")).suffix.lower() == ".cs"


def csharp_members(text: str) -> list[Member]:
    """The types (kind ``type``), methods, operators and finalizers (``method``),
    constructors (``constructor``), fields, constants, properties, events, enum members,
    indexers and records' positional parameters (``variable``) ``text`` declares in its
    namespaces and type bodies, in order, each with the type that holds it ("" outside
    any type; a record's for its parameters); read once per text inside
    ``shared_trees()``, so the list must not be changed."""
    return cached("csharp.scan", text, lambda: _scan(text))[0]


def type_name(text: str) -> str:
    """A type as a conversion operator's name holds it (``operator List<int>``), its
    spaces made the same wherever it is written: ``List<int>`` for ``List< int >``,
    ``Dictionary<string, int>``, ``(int a, int b)``."""
    tight = re.sub(r"\s*([<>,.?\[\]()*:])\s*", r"\1", " ".join(text.split()))
    return re.sub(r",(?![,\]])", ", ", tight)


def spoken_of(name: str, instruction: str) -> bool:
    """Whether ``instruction`` speaks of the member ``name`` that has no name of its own
    (:func:`csharp_members`), as asking for its removal would: an operator
    (``operator +``, ``operator checked +``) by its symbol (``+``, not in ``++``), a
    conversion (``operator int``) by "conversion", any of them by "operators", an
    indexer (``this[]``) by "indexer", a finalizer (``~Calc``) by "finalizer" or
    "destructor".  (A conversion's type and ``operator true`` are words already.)"""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", instruction)}
    if name == INDEXER:
        return bool(words & {"indexer", "indexers"})
    if name.startswith("~"):
        return bool(words & {"finalizer", "finalizers", "destructor", "destructors"})
    if not name.startswith("operator "):
        return False
    if "operators" in words:
        return True
    what = name.split()[-1]
    if re.fullmatch(_SYMBOL, what):
        return what in re.findall(_SYMBOL, instruction)
    return bool(words & {"conversion", "conversions"}) and what not in ("true", "false")


def csharp_classes(text: str) -> set[str]:
    """The types whose bodies ``text`` holds, by path (``Calc``, ``Calc.Inner``; a record
    with positional parameters, whose list is one), and ""."""
    return cached("csharp.scan", text, lambda: _scan(text))[1]


def csharp_code(text: str) -> list[str]:
    """:func:`code_view` of ``text``, once per text inside ``shared_trees()`` (the
    members' reader and the annotations' share it): the list must not be changed."""
    return cached("csharp.code", text, lambda: code_view(text))


def code_view(text: str) -> list[str]:
    """The lines of ``text`` with comments and preprocessor lines taken out and the
    insides of strings and characters emptied (an interpolation's code with them):
    what is left is code, line for line."""
    out: list[str] = []
    comment = False
    string = ""  # the closing of a string that goes on to the next line: '"' or '"""'
    for line in document_lines(text.removeprefix(BOM)):  # (a byte-order mark is no code)
        kept: list[str] = []
        i, n = 0, len(line)
        if not comment and not string and line.lstrip().startswith("#"):
            out.append("")  # (#if, #region, #pragma: no code)
            continue
        while i < n:
            if comment:
                end = line.find("*/", i)
                if end < 0:
                    break
                comment, i = False, end + 2
                continue
            if string:
                end = _multiline_end(line, i, string)
                if end < 0:
                    break
                string, i = "", end
                kept.append('""')
                continue
            c = line[i]
            if c == "/" and line.startswith("//", i):
                break
            if c == "/" and line.startswith("/*", i):
                comment, i = True, i + 2
                continue
            if c in "$@\"'" and (opening := _STRING.match(line, i)):
                prefix, quotes = opening.group(1), opening.group(2)
                if "@" in prefix:  # (``@"""…``: a verbatim string opening with a quote)
                    quotes = '"'
                i = opening.start(2) + len(quotes)
                if c == "'":
                    i = _char_end(line, i)
                    kept.append("''")
                    continue
                if len(quotes) >= 3:  # a raw string: to the same number of quotes
                    end = line.find(quotes, i)
                    if end < 0:
                        string = quotes
                        break
                    i = end + len(quotes)
                elif "@" in prefix:  # verbatim: "" is a quote, lines go on
                    end = _multiline_end(line, i, '"')
                    if end < 0:
                        string = '"'
                        break
                    i = end
                else:
                    i = _string_end(line, i, "$" in prefix)
                kept.append('""')
                continue
            kept.append(c)
            i += 1
        out.append("".join(kept))
    return out


#: a string's or character's opening: its prefix ($, @, $@, @$, $$) and its quotes
_STRING = re.compile(r"((?:\$+@?|@\$*)?)(\"{3,}|\"|')")


def _char_end(line: str, i: int) -> int:
    """Past the character literal whose text starts at ``line[i]``."""
    while i < len(line):
        if line[i] == "\\":
            i += 2
        elif line[i] == "'":
            return i + 1
        else:
            i += 1
    return i


def _multiline_end(line: str, i: int, closing: str) -> int:
    """Past the ``closing`` of a verbatim (``"``: ``""`` is a quote) or raw string whose
    text goes on at ``line[i]``, or -1 when it goes on to the next line."""
    while True:
        end = line.find(closing, i)
        if end < 0:
            return -1
        if closing == '"' and line.startswith('""', end):
            i = end + 2
            continue
        return end + len(closing)


def _string_end(line: str, i: int, interpolated: bool) -> int:
    """Past the regular string whose text starts at ``line[i]`` (an interpolation's code
    skipped: ``$"{d["k"]}"``), or the line's end."""
    n = len(line)
    while i < n:
        c = line[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        elif interpolated and c == "{":
            if line.startswith("{{", i):
                i += 2
                continue
            depth, i = 1, i + 1
            while i < n and depth:
                if line[i] == '"' or line[i] in "$@" and line[i + 1 : i + 2] in ('"', "@", "$"):
                    opening = _STRING.match(line, i)
                    if opening:
                        i = _string_end(line, opening.end(), "$" in opening.group(1))
                        continue
                depth += {"{": 1, "}": -1}.get(line[i], 0)
                i += 1
        else:
            i += 1
    return n


def _without_attributes(code: str) -> str:
    """``code`` without the attributes it starts with (``[Test] public void …``)."""
    return without_leading(code, "[")


#: the characters that end, open or close something a statement is read by
_SPECIAL = re.compile(r"[{}()\[\];,]")


def _scan(text: str) -> tuple[list[Member], set[str]]:
    raw = document_lines(text)
    found: list[Member] = []
    classes = {""}
    # the braces open: the type whose body each is ("" outside any: a namespace's),
    # or None (code), whether it is an enum's, and the brackets open outside it
    scopes: list[tuple[str | None, bool, int]] = []
    parens = 0
    statement = Statement()
    positional: set[int] = set()  # which of found are a record's positional parameters

    def declared(owner: str, ended_by: str) -> str | None:
        """Records what the statement declares; the path of a type it declares."""
        before = statement.text()[:-1]  # (without what ends it)
        code = _without_attributes(before)
        at = len(before) - len(code)
        body: str | None = None
        for offset, name, kind in _declarations(code, owner, ended_by):
            line = statement.line_at(at + offset)
            found.append(Member(line, name, raw[line].strip(), owner, kind))
            if kind == "type":
                body = f"{owner}.{name}" if owner else name
        if body is not None:
            # a record's positional parameters: its properties (its "body" is their list)
            for offset, name in _positional(code):
                line = statement.line_at(at + offset)
                positional.add(len(found))
                found.append(Member(line, name, raw[line].strip(), body, "variable"))
                classes.add(body)
        return body

    for i, line in enumerate(csharp_code(text)):
        start = 0
        for m in _SPECIAL.finditer(line):
            c = m.group()
            owner, enum, _ = scopes[-1] if scopes else ("", False, 0)
            if owner is None:  # code: only its braces count
                if c == "{":
                    scopes.append((None, False, parens))
                elif c == "}":
                    parens = scopes.pop()[2]
                    if parens == 0 and (scopes[-1][0] if scopes else "") is not None:
                        statement.clear()  # (a body closed)
                    # (an initializer's ``new byte[] { … }`` closed: its "}" is the
                    # statement's, to keep its brackets counted)
                    start = m.start() if parens else m.end()
                continue
            statement.add(line[start : m.end()], i)
            start = m.end()
            if c in "([":
                parens += 1
            elif c in ")]":
                parens = max(0, parens - 1)
            elif parens:
                if c == "{":
                    scopes.append((None, False, parens))
                    parens = 0
            elif enum and c in ",}":
                code = _without_attributes(statement.text()[:-1])
                if member := _ENUM_MEMBER.match(code):
                    at = statement.line_at(len(statement.text()) - 1 - len(code))
                    name = member.group(1).lstrip("@")
                    found.append(Member(at, name, raw[at].strip(), owner, "variable"))
                statement.clear()
                if c == "}":
                    parens = scopes.pop()[2]
            elif c == ";":
                declared(owner, ";")
                statement.clear()
            elif c == "{":
                code = _without_attributes(statement.text()[:-1])
                body = declared(owner, "{")
                if body is not None:
                    classes.add(body)
                    scopes.append((body, _is_enum(code), 0))
                elif _NAMESPACE.match(code):
                    scopes.append((owner, False, 0))
                else:
                    scopes.append((None, False, 0))
                statement.clear()
            elif c == "}":
                if scopes:
                    parens = scopes.pop()[2]
                statement.clear()
        if (scopes[-1][0] if scopes else "") is not None:
            statement.add(line[start:], i)
    # a positional parameter the record's body declares itself is that declaration
    own = {
        (m.owner, m.name)
        for k, m in enumerate(found)
        if m.kind == "variable" and k not in positional
    }
    found = [m for k, m in enumerate(found) if k not in positional or (m.owner, m.name) not in own]
    return found, classes


def _is_enum(code: str) -> bool:
    m = _TYPE_DECLARATION.match(code)
    return m is not None and m.group(1) == "enum"


def _declarations(code: str, owner: str, ended_by: str) -> list[tuple[int, str, Kind]]:
    """What a statement of a namespace (``owner`` "") or of a type body declares, ended
    by ``ended_by`` (``{`` or ``;``): (its offset in ``code``, its name, its kind)."""
    if m := _TYPE_DECLARATION.match(code):
        return [(m.start(2), m.group(2).lstrip("@"), "type")]
    if m := _DELEGATE.match(code):
        return [(m.start(1), m.group(1).lstrip("@"), "type")]
    if not owner:
        return []
    if m := _EVENT.match(code):
        return _declarators(code, m.end())
    own = owner.rpartition(".")[2]
    if (m := _CONSTRUCTOR.match(code)) and m.group(2).lstrip("@") == own:
        if m.group(1):  # a finalizer: ``~Calc``
            return [(m.start(1), "~" + own, "method")]
        return [(m.start(2), own, "constructor")]
    m = _TYPED.match(code)
    if m is None or code[: m.end()].split()[-1] in _NOT_TYPES:
        return []
    rest = code[m.end() :]
    if operator := _OPERATOR.match(rest):
        checked = "checked " if operator.group(2) else ""
        what = operator.group(3) or type_name(operator.group(4))
        return [(m.end() + operator.start(1), f"operator {checked}{what}", "method")]
    if indexer := _INDEXER.match(rest):
        return [(m.end() + indexer.start(1), INDEXER, "variable")]
    if _NOT_MEMBER.match(rest):
        return []  # (an operator not read)
    if method := _METHOD.match(rest):
        return [(m.end() + method.start(1), method.group(1).lstrip("@"), "method")]
    prop = _PROPERTY.match(rest)  # (``Size {``, ``Size => …``; ``size;`` is a field's)
    if prop and (prop.group(2) or ended_by == "{"):
        return [(m.end() + prop.start(1), prop.group(1).lstrip("@"), "variable")]
    return _declarators(code, m.end())


def _positional(code: str) -> list[tuple[int, str]]:
    """The positional parameters of the record ``code`` declares (``record Point(int X,
    [property: Key] int Y = 0)``: ``X``, ``Y``), each with its offset in ``code``."""
    m = _TYPE_DECLARATION.match(code)
    if m is None or not m.group(1).startswith("record"):
        return []
    opening = _PARAMETERS.match(code, m.end())
    if opening is None:
        return []
    depth, end = 1, len(code)
    for j in range(opening.end(), len(code)):
        depth += {"(": 1, ")": -1}.get(code[j], 0)
        if depth == 0:
            end = j
            break
    out: list[tuple[int, str]] = []
    for offset, part in comma_parts(code[:end], opening.end(), angles=True):
        rest = _without_attributes(part)  # (``[property: Key]``)
        if name := _PARAMETER.search(rest.split("=", 1)[0]):
            at = offset + len(part) - len(rest) + name.start(1)
            out.append((at, name.group(1).lstrip("@")))
    return out


def _declarators(code: str, start: int) -> list[tuple[int, str, Kind]]:
    """The names of the declarators of a field or event, ``code[start:]``: each
    comma-separated part's (brackets counted)."""
    return [
        (offset + m.start(1), m.group(1).lstrip("@"), "variable")
        for offset, part in comma_parts(code, start, angles=True)
        if (m := _DECLARATOR.match(part))
    ]
