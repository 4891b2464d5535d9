"""What a PHP file's classes declare, for the guard that no edit drops code
(:mod:`.definitions`).

The guard's line patterns read a PHP method by its name alone, and no class constant,
property or enum case at all: an edit deleting ``Calc::size()`` while ``Bag::size()``
stays in the same file, or a property or constant no test reaches, passed the tests
and was verified.  :func:`php_members` reads a PHP file's code (what lies outside
``<?php … ?>``, comments, strings, heredocs and nowdocs set aside, brackets counted)
for what it declares at the top level (inside ``namespace`` blocks and top-level
``if`` / ``try`` / loop blocks too: ``if (!function_exists('f')) { function f() … }``)
and in the body of a class, interface, trait or enum, each with the class that holds it:

- functions and methods (kind ``method``), counted one by one;
- classes, interfaces, traits and enums (``type``);
- constants (``variable``): each of a ``const A = 1, B = 2;`` statement, top-level or
  in a class, and a top-level ``define('NAME', …)``;
- properties (``variable``, named with their ``$``: ``$total``), each of a statement,
  and those a constructor promotes (``__construct(private int $x)``: ``$x``);
- enum cases (``variable``) and the traits a class uses (``use Sized;``: ``use
  Sized``).

What a function's body, a closure or an anonymous class (``new class { … }``) declares
is the body's; what follows ``__halt_compiler();`` is data.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from .domain import document_lines
from .members import Kind, Member, Statement, comma_parts, without_leading
from .pytrees import cached

_ATTRIBUTE_START = "#["
#: a name: PHP's letters are ASCII's and any byte past it (``Café``, in any encoding)
_ID = r"[\w\x80-\U0010ffff]+"
_CLASS = re.compile(
    r"^(?:(?:abstract|final|readonly)\s+)*(class|interface|trait|enum)\s+(" + _ID + ")",
    re.IGNORECASE,
)
_FUNCTION = re.compile(
    r"^(?:(?:public|protected|private|static|final|abstract)\s+)*function\b\s*&?\s*("
    + _ID
    + r")\s*\(",
    re.IGNORECASE,
)
_CONST = re.compile(r"^(?:(?:public|protected|private|final)\s+)*const\s+", re.IGNORECASE)
#: one constant of a ``const`` statement: its name (after a type, PHP 8.3) and ``=``
_CONST_NAME = re.compile(r"^\s*(?:[\w\\?|&()]+\s+)?(" + _ID + r")\s*=")
_PROPERTY = re.compile(
    r"^(?:(?:public|protected|private|static|readonly|var|final|abstract)(?:\(set\))?\s+)+"
    r"(?!function\b|const\b)",
    re.IGNORECASE,
)
_CASE = re.compile(r"^case\s+(" + _ID + ")", re.IGNORECASE)
_USE = re.compile(r"^use\s+", re.IGNORECASE)
_DEFINE = re.compile(r"^\\?define\s*\(\s*(['\"])(\w+)\1", re.IGNORECASE)
#: a statement whose block is the top level's still: a namespace's, a control
#: structure's (``if (!function_exists('f')) {``, ``} else {``, ``try {``)
_CONTROL = re.compile(
    r"^(?:namespace\b|if\b|else\b|elseif\b|else\s+if\b|while\b|for\b|foreach\b|switch\b"
    r"|try\b|catch\b|finally\b|do\b|declare\b)",
    re.IGNORECASE,
)
#: a control structure's header before ``:`` (``if ($a):`` … ``endif;``), a top-level
#: ``switch``'s ``case 1:`` / ``default:``
_COLON = re.compile(
    r"^(?:(?:if|elseif|while|for|foreach|switch|declare)\s*\(.*\)|else|case\b.*|default)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_HEREDOC = re.compile(r"<<<\s*([\"']?)([A-Za-z_\x80-\uffff][\w\x80-\uffff]*)\1")
#: what opens PHP code in a text: ``<?php``, ``<?=``
_OPEN_TAG = re.compile(r"<\?(?:php\b|=)", re.IGNORECASE)
#: the characters that end, open or close something a statement is read by
_SPECIAL = re.compile(r"[{}()\[\];:]")
#: the end of a file's code: ``__halt_compiler();`` (a PHAR's stub)
_HALT = re.compile(r"\b__halt_compiler\s*\(", re.IGNORECASE)
#: a string kept as written in the code view: a name (``define('LIMIT', 1)``)
_NAME_STRING = re.compile(r"^[\w\\]*$")


def is_php(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is PHP."""
    if language and language.lower() == "php":
        return True
    suffix = PurePosixPath(path.replace("\\", "/")).suffix.lower()
    return suffix in (".php", ".phtml", ".php3", ".php4", ".php5", ".php7", ".php8", ".phps")


def php_members(text: str) -> list[Member]:
    """The functions and methods (kind ``method``), classes (``type``), constants,
    properties, enum cases and trait uses (``variable``) ``text`` declares at the top
    level and in class bodies, in order, each with the class that holds it ("" at the
    top level); read once per text inside ``shared_trees()``, so the list must not be
    changed."""
    return cached("php.scan", text, lambda: _scan(text))[0]


def php_classes(text: str) -> set[str]:
    """The classes, interfaces, traits and enums whose bodies ``text`` holds, and ""
    (the top level)."""
    return cached("php.scan", text, lambda: _scan(text))[1]


def php_code(text: str) -> list[str]:
    """:func:`code_view` of ``text``, once per text inside ``shared_trees()`` (the
    members' reader and the annotations' share it): the list must not be changed."""
    return cached("php.code", text, lambda: code_view(text))


def code_view(text: str) -> list[str]:
    """The lines of ``text`` with what is not code taken out: what lies outside the PHP
    tags (``?>`` reads as the ``;`` it is), comments, the insides of strings (a string
    that is a name, ``'LIMIT'``, is kept), heredocs and nowdocs, and what follows
    ``__halt_compiler();``.  Line for line."""
    out: list[str] = []
    html = True  # outside <?php … ?>
    comment = False  # inside /* … */
    quote = ""  # the quote of a string that goes on to the next line
    heredoc = ""  # the label that closes a heredoc or nowdoc
    lines = document_lines(text)
    for line in lines:
        kept: list[str] = []
        i, n = 0, len(line)
        if heredoc:
            rest = line.lstrip()
            after = rest[len(heredoc) :]
            if not rest.startswith(heredoc) or (after[:1].isalnum() or after[:1] == "_"):
                out.append("")
                continue
            heredoc, i = "", n - len(after)
        while i < n:
            if html:
                at = line.find("<?", i)
                if at < 0:
                    break
                opening = _OPEN_TAG.match(line, at)
                if opening is None:  # (``<?xml``: text)
                    i = at + 2
                    continue
                html, i = False, opening.end()
                continue
            if comment:
                end = line.find("*/", i)
                if end < 0:
                    break
                comment, i = False, end + 2
                continue
            if quote:
                i = _string_end(line, i, quote)
                if i < 0:  # (the string goes on)
                    break
                quote = ""
                kept.append('""')
                continue
            c = line[i]
            if c == "?" and line.startswith("?>", i):
                kept.append(";")
                html, i = True, i + 2
                continue
            if c == "/" and line.startswith("//", i) or c == "#" and not line.startswith("#[", i):
                end = line.find("?>", i)  # (a line comment ends at ?>)
                if end < 0:
                    break
                i = end
                continue
            if c == "/" and line.startswith("/*", i):
                comment, i = True, i + 2
                continue
            if c == "<" and line.startswith("<<<", i) and (m := _HEREDOC.match(line, i)):
                heredoc = m.group(2)
                kept.append('""')
                break
            if c in "'\"`":
                end = _string_end(line, i + 1, c)
                if end < 0:
                    quote = c
                    break
                inside = line[i + 1 : end - 1]
                kept.append(c + inside + c if _NAME_STRING.match(inside) else c + c)
                i = end
                continue
            kept.append(c)
            i += 1
        code = "".join(kept)
        if halted := _HALT.search(code):  # what follows is data
            out.append(code[: halted.end()] + ");")
            out += [""] * (len(lines) - len(out))
            break
        out.append(code)
    return out


def _string_end(line: str, i: int, quote: str) -> int:
    """Where the string of ``quote`` whose text goes on at ``line[i]`` ends (past its
    closing quote; an interpolation's code skipped: ``"{$a["k"]}"``), or -1 when it
    goes on to the next line."""
    n = len(line)
    while i < n:
        c = line[i]
        if c == "\\":
            i += 2
        elif c == quote:
            return i + 1
        elif quote != "'" and c == "{" and line.startswith("{$", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if line[i] in "\"'" and line[i] != quote or line[i] == quote == '"':
                    end = _string_end(line, i + 1, line[i])
                    if end < 0:
                        return -1
                    i = end
                    continue
                depth += {"{": 1, "}": -1}.get(line[i], 0)
                i += 1
        else:
            i += 1
    return -1


def _scan(text: str) -> tuple[list[Member], set[str]]:
    raw = document_lines(text)
    found: list[Member] = []
    classes = {""}
    # the braces open: the class whose body each is, "" (a block of the top level:
    # a namespace's, an if's) or None (code), with the brackets open outside it
    scopes: list[tuple[str | None, int]] = []
    parens = 0  # parentheses and brackets open in the statement
    statement = Statement()

    def declared(owner: str) -> None:
        for offset, name, kind in _declarations(statement.text(), owner):
            line = statement.line_at(offset)
            found.append(Member(line, name, raw[line].strip(), owner, kind))
            if kind == "type":
                classes.add(name)

    for i, line in enumerate(php_code(text)):
        start = 0
        for m in _SPECIAL.finditer(line):
            c = m.group()
            owner = scopes[-1][0] if scopes else ""
            if owner is None:  # code: only its braces count
                if c == "{":
                    scopes.append((None, parens))
                elif c == "}":
                    parens = scopes.pop()[1]
                    if parens == 0 and (scopes[-1][0] if scopes else "") is not None:
                        statement.clear()  # (a function's body closed)
                    start = m.end()
                continue
            statement.add(line[start : m.end()], i)
            start = m.end()
            if c in "([":
                parens += 1
            elif c in ")]":
                parens = max(0, parens - 1)
            elif parens:
                if c == "{":
                    scopes.append((None, parens))
                    parens = 0
                elif c == "}" and scopes:
                    parens = scopes.pop()[1]
            elif c == ";":
                declared(owner)
                statement.clear()
            elif c == ":":
                if owner == "" and _COLON.match(statement.text()[:-1].strip()):
                    statement.clear()
            elif c == "{":
                code = _without_attributes(statement.text()[:-1])
                body: str | None = None
                m_class = _CLASS.match(code)
                if m_class and owner == "":
                    body = m_class.group(2)
                elif owner == "" and (not code.strip() or _CONTROL.match(code)):
                    body = ""  # (a bare ``{ … }`` block of the top level too)
                declared(owner)
                scopes.append((body, parens))
                statement.clear()
            elif c == "}":
                if scopes:
                    parens = scopes.pop()[1]
                statement.clear()
        if (scopes[-1][0] if scopes else "") is not None:
            statement.add(line[start:], i)
    return found, classes


def _without_attributes(code: str) -> str:
    """``code`` without the attributes it starts with (``#[Route('/a')] public …``)."""
    return without_leading(code, _ATTRIBUTE_START)


def _declarations(statement: str, owner: str) -> list[tuple[int, str, Kind]]:
    """What a statement of the top level (``owner`` "") or of a class body declares:
    (its offset in the statement, its name, its kind)."""
    stripped = statement.lstrip()
    code = _without_attributes(stripped)
    at = len(statement) - len(code)
    if m := _FUNCTION.match(code):
        found: list[tuple[int, str, Kind]] = [(at + m.start(1), m.group(1), "method")]
        if owner and m.group(1).lower() == "__construct":
            found += _promoted(code, at, m.end())
        return found
    if owner == "":
        if m := _CLASS.match(code):
            return [(at + m.start(2), m.group(2), "type")]
        guarded = _unguarded(code)  # (``if (!defined('X')) define('X', 1);``)
        if m := _DEFINE.match(guarded):
            return [(at + len(code) - len(guarded) + m.start(2), m.group(2), "variable")]
        if code[:5].lower() == "const" and (m := _CONST.match(code)):
            return _listed(code, at, m.end(), _CONST_NAME, "")
        return []
    if m := _CONST.match(code):
        return _listed(code, at, m.end(), _CONST_NAME, "")
    if m := _CASE.match(code):
        return [(at + m.start(1), m.group(1), "variable")]
    if m := _USE.match(code):
        return [
            (o, "use " + name.lstrip("\\"), "variable")
            for o, name, _k in _listed(code, at, m.end(), _TRAIT, "")
        ]
    if m := _PROPERTY.match(code):
        return _listed(code, at, m.end(), _PROPERTY_NAME, "$")
    return []


#: a braceless control structure's header (``if (…)``, ``else``) or a ``defined('X') or``
#: (``||``; ``!defined('X') and``, ``&&``)
_GUARD = re.compile(
    r"^(?:(?:if|elseif|while|for|foreach)\s*\(|else\b|!?\s*\\?defined\s*\()", re.IGNORECASE
)
_OR = re.compile(r"^(?:or\b|and\b|\|\||&&)", re.IGNORECASE)


def _unguarded(code: str) -> str:
    """A top-level statement without the braceless control headers it starts with
    (``if (!defined('X')) define('X', 1);``: ``define('X', 1);``) and without a
    ``defined('X') or`` (``||``, ``and``, ``&&``) before it: what the statement runs
    when it runs."""
    while m := _GUARD.match(code):
        rest = code[m.end() :]
        if m.group().endswith("("):
            depth = 1
            for j, c in enumerate(rest):
                depth += {"(": 1, ")": -1}.get(c, 0)
                if depth == 0:
                    rest = rest[j + 1 :]
                    break
            else:
                return code
        rest = rest.lstrip()
        if "defined" in m.group().lower():
            if not (o := _OR.match(rest)):
                return code
            rest = rest[o.end() :].lstrip()
        code = rest
    return code


#: a constructor's parameter that declares a property (``private readonly Foo $foo``)
_PROMOTED = re.compile(
    r"^(?:(?:public|protected|private|readonly)(?:\(set\))?\s+)+[^$]*\$(" + _ID + ")",
    re.IGNORECASE,
)


def _promoted(code: str, at: int, start: int) -> list[tuple[int, str, Kind]]:
    """The properties a constructor's parameters (``code[start:]``, after its ``(``)
    declare: ``__construct(private int $x, $y)``: ``$x``."""
    out: list[tuple[int, str, Kind]] = []
    depth, begin = 0, start
    for j in range(start, len(code)):
        c = code[j]
        if c in "([{":
            depth += 1
        elif c in ")]}" and depth:
            depth -= 1
        elif c in ",)" and depth == 0:
            piece = code[begin:j]
            param = _without_attributes(piece)
            if m := _PROMOTED.match(param):
                offset = begin + len(piece) - len(param) + m.start(1)
                out.append((at + offset, "$" + m.group(1), "variable"))
            if c == ")":
                break
            begin = j + 1
    return out


#: a trait a ``use`` statement names (``\Foo\Bar``)
_TRAIT = re.compile(r"^\s*(\\?" + _ID + r"(?:\\" + _ID + ")*)")
#: a property of a statement: after its type, ``$name``
_PROPERTY_NAME = re.compile(r"^[^$=]*\$(" + _ID + ")")


def _listed(
    code: str, at: int, start: int, item: re.Pattern[str], prefix: str
) -> list[tuple[int, str, Kind]]:
    """The names ``item`` reads in each comma-separated part of ``code[start:]`` (brackets
    counted; a ``use`` statement's adaptations, ``{ … }``, not read)."""
    rest = code[: len(code) - 1] if code.endswith((";", "{")) else code
    return [
        (at + offset + m.start(1), prefix + m.group(1), "variable")
        for offset, part in comma_parts(rest, start)
        if (m := item.match(part))
    ]
