"""An edit that answers the tests' own values, read in JavaScript and TypeScript.

The rule of :mod:`.specialcases`, read from tokens (:mod:`acrouter.jstokens`): a branch
the edit added at the top of a function's body (not inside a loop or another block of
it), in a function the file had before,

    if (a === 2 && b === 3) return 5;
    if (text == "Hello World") { return "hello-world"; }
    return a === 2 && b === 3 ? 5 : a - b;

each part of its condition a parameter compared (``===`` or ``==``) with a literal, and
returning a literal (a number, a string, a template with no substitution, ``true``,
``false``, ``null``, an array of those), where a test the edit fixed calls the function
by name and holds each of those values in its own ``it``/``test`` call.  A test is found
by its id, ``file::describe › title`` (jest's; node's and mocha's name it alike): the
call whose title ends the id.  Not read: values that are all a base case's or name-like
(:func:`acrouter.verifier.pinned.trivial`); a parameter the function assigns before the
branch; a function that looked the parameter up before the edit (compared it with a
literal that is not a base case's, used it as a key: ``[p]``, ``.get(p)``, ``.has(p)``,
``.includes(p)``, ``p in``, ``switch (p)``); a conditional expression that is not what
the function returns (only the first condition of a chain of them is read); a function the
edit added, or one not found by name (``function f(``, a method ``f(``, ``f = (...) =>``,
``f: function (``); a test's values held by a constant outside its call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from ..jsdefinitions import is_js
from ..jsfunctions import Function as _Function
from ..jsfunctions import code_of as _code
from ..jsfunctions import functions as _functions
from ..jstokens import NAME, NUMBER, PUNCT, STRING, TEMPLATE, Token, close, is_
from .pinned import Branch, Pins, TestValues, hold, trivial

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_LITERAL_NAMES = {"true": True, "false": False, "null": None}
#: a call whose argument is looked up: ``UNITS.get(unit)``, ``seen.has(x)``
_LOOKUPS = frozenset(["get", "has", "includes", "indexOf"])
_ASSIGNING = frozenset(
    ["=", "+=", "-=", "*=", "/=", "%=", "**=", "??=", "||=", "&&=", "<<=", ">>=", "|=", "&="]
)
_TEST_CALLS = frozenset(["it", "test", "specify"])
#: names after which a ``[`` opens an array literal, not a subscript (``return [x]``)
_BEFORE_EXPRESSION = frozenset(
    "return typeof instanceof in of new delete void throw case do else extends yield await".split()  # noqa: SIM905 (a word list)
)


def _unescaped(body: str) -> str | None:
    """A string literal's value from the text between its quotes (None: an escape not
    read here, a legacy octal)."""
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt == "0" and body[i + 2 : i + 3].isdigit() or nxt[:1].isdigit() and nxt != "0":
            return None
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in ("u", "x"):
            if body[i + 2 : i + 3] == "{" and nxt == "u":
                end = body.find("}", i + 3)
                if end < 0:
                    return None  # (unterminated: read on, it would start over)
                digits, i = body[i + 3 : end], end + 1
            else:
                width = 4 if nxt == "u" else 2
                digits, i = body[i + 2 : i + 2 + width], i + 2 + width
            try:
                out.append(chr(int(digits, 16)))
            except (ValueError, OverflowError):
                return None
        elif nxt in ("\r", "\n"):  # (a line continuation)
            i += 3 if body[i + 1 : i + 3] == "\r\n" else 2
        else:
            out.append(nxt)
            i += 2
    return "".join(out)


def _number(text: str) -> int | float | None:
    text = text.replace("_", "").removesuffix("n")
    try:
        if text[:2].lower() in ("0x", "0o", "0b"):
            return int(text, 0)
        if len(text) > 1 and text[0] == "0" and text[1].isdigit():
            return None  # (a legacy octal)
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() and not any(c in text for c in ".eE") else value


#: how deep arrays of a literal may nest
_MAX_NESTING = 32


def _value(code: list[Token], i: int, end: int, depth: int = 0) -> tuple[object, int] | None:
    """The literal at ``code[i]`` and the index past it, or None."""
    if i >= end or depth > _MAX_NESTING:
        return None
    t = code[i]
    if t.kind == NUMBER:
        n = _number(t.text)
        return None if n is None else (n, i + 1)
    if is_(t, "-") and i + 1 < end and code[i + 1].kind == NUMBER:
        n = _number(code[i + 1].text)
        return None if n is None else (-n, i + 2)
    if t.kind == STRING or (
        t.kind == TEMPLATE and len(t.text) > 1 and t.text[0] == t.text[-1] == "`"
    ):
        s = _unescaped(t.text[1:-1])
        return None if s is None else (s, i + 1)
    if t.kind == NAME and t.text in _LITERAL_NAMES:
        return _LITERAL_NAMES[t.text], i + 1
    if is_(t, "["):
        items: list[object] = []
        j = i + 1
        while j < end and not is_(code[j], "]"):
            found = _value(code, j, end, depth + 1)
            if found is None:
                return None
            items.append(found[0])
            j = found[1]
            if is_(code[j] if j < end else None, ","):
                j += 1
            elif not is_(code[j] if j < end else None, "]"):
                return None
        return (tuple(items), j + 1) if j < end else None
    return None


def _top_level(code: list[Token], o: int, end: int) -> list[int]:
    """The indexes of the tokens directly in the body ``code[o:end]`` (not in a block or
    a bracket of it)."""
    out: list[int] = []
    depth = 0
    for i in range(o + 1, end - 1):
        t = code[i]
        if (
            t.kind == PUNCT
            and t.text in ("(", "[", "{")
            or (t.kind == TEMPLATE and t.text.endswith("${"))
        ):
            depth += 1
            continue
        if (
            t.kind == PUNCT
            and t.text in (")", "]", "}")
            or (t.kind == TEMPLATE and t.text.startswith("}"))
        ):
            depth -= 1
            continue
        if depth == 0:
            out.append(i)
    return out


def _pins(code: list[Token], start: int, stop: int, params: set[str]) -> Pins | None:
    """The parameters a condition ``code[start:stop]`` pins: parts joined by ``&&``,
    each ``p === literal`` or ``literal == p``, a part in parentheses alike."""
    out: Pins = {}
    parts: list[tuple[int, int]] = []
    depth, begin = 0, start
    for i in range(start, stop):
        t = code[i]
        if is_(t, "(", "[", "{"):
            depth += 1
        elif is_(t, ")", "]", "}"):
            depth -= 1
        elif depth == 0 and is_(t, "&&"):
            parts.append((begin, i))
            begin = i + 1
    parts.append((begin, stop))
    for a, b in parts:
        while b - a > 2 and is_(code[a], "(") and close(code, a) == b:
            a, b = a + 1, b - 1
        if b - a < 3:
            return None
        if code[a].kind == NAME and is_(code[a + 1], "===", "=="):
            name, found, stop = code[a].text, _value(code, a + 2, b), b
        elif code[b - 1].kind == NAME and is_(code[b - 2], "===", "=="):
            name, found, stop = code[b - 1].text, _value(code, a, b - 2), b - 2
        else:
            return None
        if name not in params or found is None or found[1] != stop:
            return None
        out[name] = found[0]
    return out


def _branches(code: list[Token], fn: _Function) -> list[tuple[Pins, object, int, str]]:
    """(pins, the literal returned, the index of its ``if``, the condition's text) for
    each ``if`` at the top of the body of ``fn`` that pins parameters and returns a
    literal (not the body of a loop written without braces: ``for (...) if``)."""
    params, o, end = fn
    names = {p for p in params if p}
    out: list[tuple[Pins, object, int, str]] = []
    top = _top_level(code, o, end)
    for n, k in enumerate(top):
        if is_(code[k], "return") and not is_(code[k - 1], ")"):
            found_ternary = _ternary(code, top[n + 1 :], k, names)
            if found_ternary is not None:
                out.append(found_ternary)
            continue
        if not (is_(code[k], "if") and k + 1 < end and is_(code[k + 1], "(")):
            continue
        if is_(code[k - 1], ")"):
            continue
        shut = close(code, k + 1)
        pins = _pins(code, k + 2, shut - 1, names)
        if not pins:
            continue
        j = shut
        braced = j < end and is_(code[j], "{")
        j += braced
        if not (j < end and is_(code[j], "return")):
            continue
        found = _value(code, j + 1, end)
        if found is None:
            continue
        value, j = found
        after = code[j] if j < end else None
        ends = is_(after, ";") or is_(after, "}") or (after is not None and after.newline_before)
        if not ends:
            continue  # (``return 5 + a``)
        j += is_(after, ";")
        if braced and not is_(code[j] if j < end else None, "}"):
            continue
        cond = " ".join(t.text for t in code[k + 2 : shut - 1])
        out.append((pins, value, k, cond))
    return out


def _ternary(
    code: list[Token], rest: list[int], k: int, names: set[str]
) -> tuple[Pins, object, int, str] | None:
    """The branch of ``return COND ? LITERAL : …`` at ``code[k]`` (its ``return``), where
    COND pins parameters (``rest``: the body's top-level indexes after ``k``)."""
    if k + 1 >= len(code) or code[k + 1].newline_before:
        return None  # (``return`` ends at a line break)
    q = None
    for i in rest:
        if is_(code[i], ";", "}"):
            break
        if is_(code[i], "?"):
            q = i
            break
    if q is None or q - k < 4:
        return None
    a, b = k + 1, q
    while b - a > 2 and is_(code[a], "(") and close(code, a) == b:
        a, b = a + 1, b - 1
    pins = _pins(code, a, b, names)
    found = _value(code, q + 1, len(code)) if pins else None
    if not pins or found is None or not is_(code[found[1]] if found[1] < len(code) else None, ":"):
        return None
    return pins, found[0], k, " ".join(t.text for t in code[a:b])


def _literal_before(code: list[Token], c: int) -> tuple[bool, object]:
    """(True, the value) for a literal that ends just before ``code[c]``."""
    for start in (c - 1, c - 2):
        found = _value(code, start, c) if start >= 0 else None
        if found is not None and found[1] == c:
            return True, found[0]
    return False, None


def _keyed(code: list[Token], b: int) -> bool:
    """Whether the ``[`` at ``code[b]``, holding one name, opens a subscript
    (``UNITS[unit]``, ``a?.[k]``) or a computed key (``{ [k]: v }``), not an array
    literal (``return [x]``, ``f([x])``, ``[[x]]``)."""
    before = code[b - 1] if b > 0 else None
    if before is None:
        return False
    if before.kind == NAME:
        return before.text not in _BEFORE_EXPRESSION
    if before.kind in (STRING, NUMBER) or (before.kind == TEMPLATE and before.text[-1] == "`"):
        return True
    if is_(before, ")", "]", "?."):
        return True
    after = code[b + 3] if b + 3 < len(code) else None
    return is_(before, "{", ",") and is_(after, ":")


def _looked_up(code: list[Token], fn: _Function) -> set[str]:
    """The parameters the body of ``fn`` compares with a literal that is not a base
    case's, uses as a key or tests for membership, or switches on."""
    params, o, end = fn
    names = {p for p in params if p}
    out: set[str] = set()
    for i in range(o + 1, end - 1):
        t = code[i]
        if is_(t, "===", "==", "!==", "!="):
            left, right = code[i - 1], code[i + 1]
            if left.kind == NAME and left.text in names and not is_(code[i - 2], ".", "?."):
                found = _value(code, i + 1, end)
                if found is not None and not trivial(found[0]):
                    out.add(left.text)
            elif (
                right.kind == NAME
                and right.text in names
                and not is_(code[i + 2], ".", "?.", "[", "(")
            ):  # (the parameter itself, not ``a.p`` or ``p[0]``)
                ok, value = _literal_before(code, i)
                if ok and not trivial(value):
                    out.add(right.text)
            continue
        if t.kind != NAME or t.text not in names:
            continue
        prev, nxt = code[i - 1], code[i + 1]
        if (is_(prev, "[") and is_(nxt, "]") and _keyed(code, i - 1)) or is_(nxt, "in"):
            out.add(t.text)
        if is_(prev, "(") and is_(nxt, ")", ","):
            before = code[i - 2]
            if is_(before, "switch") or (
                before.kind == NAME and before.text in _LOOKUPS and is_(code[i - 3], ".", "?.")
            ):  # (a method's: ``has(obj, key)`` looks nothing up in ``obj``)
                out.add(t.text)
    return out


def _assigned(code: list[Token], fn: _Function, at: int) -> set[str]:
    """The parameters the body of ``fn`` assigns before ``code[at]``."""
    params, o, _ = fn
    names = {p for p in params if p}
    out: set[str] = set()
    for i in range(o + 1, at):
        t = code[i]
        if (
            t.kind == NAME
            and t.text in names
            and (is_(code[i + 1], *_ASSIGNING, "++", "--") or is_(code[i - 1], "++", "--"))
        ):
            out.add(t.text)
    return out


def js_added_branches(old: str, new: str) -> list[Branch]:
    """(function name, pins, the literal returned, line) for each branch the edit added
    to a JavaScript or TypeScript function the old text had (see the module)."""
    if old == new:
        return []
    before_code, after_code = _code(old), _code(new)
    if before_code is None or after_code is None:
        return []
    before, after = _functions(before_code), _functions(after_code)
    out: list[Branch] = []
    for name, fns in after.items():
        was = before.get(name)
        if not was:
            continue
        had = {cond for fn in was for *_, cond in _branches(before_code, fn)}
        looked_up = set().union(*(_looked_up(before_code, fn) for fn in was))
        for fn in fns:
            for pins, value, at, cond in _branches(after_code, fn):
                if cond in had or looked_up & set(pins):
                    continue
                if _assigned(after_code, fn, at) & set(pins):
                    continue
                if not all(trivial(v) for v in pins.values()):
                    out.append((name, pins, value, after_code[at].line + 1))
    return out


def _titled(title: str, rest: str) -> bool:
    """Whether the id's part after ``::`` names a test titled ``title``."""
    return bool(title) and (
        rest == title or any(rest.endswith(sep + title) for sep in (" › ", " > ", " "))
    )


def _test_calls(code: list[Token]) -> list[tuple[str, int]]:
    """Each ``it``/``test``/``specify`` call of a test file titled by a literal string:
    (its title, the index of its ``(``)."""
    out: list[tuple[str, int]] = []
    for i in range(len(code) - 2):
        if not (code[i].kind == NAME and code[i].text in _TEST_CALLS):
            continue
        j = i + 1
        while j + 1 < len(code) and is_(code[j], ".") and code[j + 1].kind == NAME:
            j += 2  # (``it.only(``, ``test.concurrent(``)
        if not is_(code[j] if j < len(code) else None, "("):
            continue
        found = _value(code, j + 1, len(code))
        if found is not None and isinstance(found[0], str):
            out.append((found[0], j))
    return out


def _read_call(code: list[Token], j: int) -> tuple[set[str], set[tuple[str, object]]]:
    """The names the call whose ``(`` is ``code[j]`` calls, and the values it holds."""
    end = close(code, j)
    calls = {
        code[k].text
        for k in range(j + 1, end - 1)
        if code[k].kind == NAME and is_(code[k + 1], "(")
    }
    held: set[tuple[str, object]] = set()
    for k in range(j + 1, end):
        value = _value(code, k, end)
        if value is not None:
            hold(held, value[0], depth=1)
    return calls, held


def read_js_tests(ids: Sequence[str], test_text: Callable[[str], str | None]) -> list[TestValues]:
    """The JavaScript and TypeScript tests of ``ids`` (``file::describe › title``), each
    read in its own ``it``/``test`` call for the names it calls and the values it holds;
    each file read once, each call once."""
    out: list[TestValues] = []
    files: dict[str, tuple[list[Token], list[tuple[str, int]]] | None] = {}
    read: dict[tuple[str, int], tuple[set[str], set[tuple[str, object]]]] = {}
    for test_id in ids:
        path, sep, rest = test_id.partition("::")
        if not sep or not is_js(path):
            continue
        if path not in files:
            text = test_text(path)
            code = _code(text) if text else None
            files[path] = None if code is None else (code, _test_calls(code))
        found = files[path]
        if found is None:
            continue
        code, titled = found
        for title, j in titled:
            if _titled(title, rest):
                if (path, j) not in read:
                    read[path, j] = _read_call(code, j)
                out.append((test_id, *read[path, j]))
    return out


def js_shown(value: object) -> str:
    """A value as JavaScript writes it."""
    if isinstance(value, tuple):
        return "[" + ", ".join(js_shown(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
