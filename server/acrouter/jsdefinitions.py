"""What a JavaScript or TypeScript module defines, read from its tokens, for the guard
that no edit drops code (:mod:`.definitions`).

The guard's line patterns see only what starts at column 0: ``function f``, ``class
C``, ``const x``.  An edit could drop, unnoticed by them and passed by tests that never
call it:

- a method of a class (``class Calc { sub (a, b) {…} }``: indented);
- what a module defines by assignment: ``exports.square = …``, ``module.exports.x =
  …``, ``Calc.prototype.mul = …``, ``Calc.create = …``;
- a key of the object a module exports (``module.exports = { parse, stringify }``,
  ``export default {…}``) or a name of an ``export { a, b as c }`` list;
- everything a module wrapped in a function defines: ``(function () { … })()``,
  ``!function () { … }()``, the UMD wrapper's factory (every function of a statement
  that starts like an immediately invoked one counts as the module's scope).

:func:`js_definitions` lists all of these (and the declarations the line patterns see)
from the tokens of :mod:`.jstokens`, read leniently (a guess where JavaScript's grammar
needs more than the tokens before it); None where even that reading fails (an
unterminated string, unbalanced brackets, JSX text), and the guard then keeps to the
line patterns.  Nested functions of a function that is not such a wrapper are its own
business, as in Python: the guard does not read them.  A class's and a class member's
decorators are read with them (``JsDefinition.decorators``: ``@UseGuards(RolesGuard)``
is ``UseGuards``), so that one taken off what the edit keeps is a loss too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

import attrs

from .jsparameters import Signature, function_value, named_signature, type_parameters_end
from .jstokens import (
    COMMENT,
    NAME,
    NUMBER,
    PUNCT,
    REGEX,
    STRING,
    TEMPLATE,
    Token,
    lenient_tokens,
)
from .jstokens import angles as _angles
from .jstokens import close as _close
from .jstokens import is_ as _is
from .jstokens import opens as _opens

#: the files read as JavaScript or TypeScript, by suffix
JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
#: ... or by the editor's language id
JS_LANGUAGES = frozenset(["javascript", "typescript", "javascriptreact", "typescriptreact"])

#: words that may come before a declaration
_MODIFIERS = frozenset(["export", "default", "declare", "abstract", "async"])
#: TypeScript's declarations of types and namespaces, by their first word
_TYPE_DECLARATIONS = frozenset(["interface", "type", "enum", "namespace", "module"])
#: words before a class member's name
_MEMBER_MODIFIERS = frozenset(
    "static async get set public private protected readonly override abstract declare accessor".split()  # noqa: SIM905
)
#: tokens that end an expression: a line break after one of them may end a statement
#: (a type's closing ">": `type A = Map<K, Set<V>>⏎`; a line that a comparison breaks
#: after its ">" is then read as two statements, neither of which declares anything)
_ENDS = frozenset([")", "]", "}", "++", "--", ">", ">>", ">>>", "!"])
#: words that end no expression: a line break after one does not end the statement
#: (``var⏎  a = 1``); not ``void``, which ends a TypeScript type (``): void``; ``const``
#: ends one after ``as``)
_OPEN_WORDS = frozenset(
    "var let new typeof delete in instanceof export import extends case throw else do".split()  # noqa: SIM905
)
#: words whose parenthesised head a statement follows, line break or not
_HEADS = frozenset(["if", "for", "while", "with"])
#: tokens a statement may start with that continue the one before across a line break
_CONTINUES = frozenset(
    ". ?. ( [ , ; : ? = == === != !== + - * / % ** < > <= >= && || ?? & | ^ => in instanceof".split()  # noqa: SIM905
)
#: the first token of an expression statement that invokes a function it defines
_IIFE_STARTS = ("(", "!", "~", "+", "-", "void")


@attrs.frozen
class JsDefinition:
    name: str  # "f", "C", "C.method", "exports.x", "module.exports.x", "export x", "import x"
    line: int  # 0-based
    #: "class", "member" (of the class its name starts with), ...; "value": what
    #: ``module.exports`` is set to, read for its parameters only
    kind: str = "declaration"
    source: str | None = None  # what a declarator's value requires: ``const a = require('x')``
    binds: tuple[str, ...] = ()  # the names an import binds: ``import d, { a as b }``: d, b
    #: the decorators written before a class or a class member, by what they call:
    #: ``@UseGuards(RolesGuard)``: ``UseGuards``
    decorators: tuple[str, ...] = ()
    #: a function's parameters (:mod:`.jsparameters`): a declaration's, a method's, a
    #: function or arrow value's; None for anything else
    signature: Signature | None = attrs.field(default=None, eq=False)


def is_js(path: str, language: str | None = None) -> bool:
    """Whether ``path`` (or the editor's ``language``) is JavaScript or TypeScript."""
    if language and language.lower() in JS_LANGUAGES:
        return True
    return PurePosixPath(path.replace("\\", "/")).suffix.lower() in JS_SUFFIXES


def js_definitions(text: str) -> list[JsDefinition] | None:
    """What the module ``text`` defines (see the module docstring), in order; None where
    its tokens cannot be read."""
    found = lenient_tokens(text)
    if found is None:
        return None
    code: list[Token] = []
    broken = False  # a line break before or inside a comment counts before the next token
    for t in found:
        if t.kind == COMMENT:
            broken = broken or t.newline_before or "\n" in t.text or "\r" in t.text
            continue
        code.append(attrs.evolve(t, newline_before=True) if broken else t)
        broken = False
    out: list[JsDefinition] = []
    _scope(code, 0, len(code), out)
    return out


def _statement_end(code: list[Token], i: int, end: int) -> int:
    """The index just past the statement that starts at ``code[i]`` (before ``end``): its
    ``;``, or a line break after a token that ends an expression before one that cannot
    continue it (automatic semicolon insertion), or a declaration's closing ``}``."""
    declared = _declaration_end(code, i, end)
    if declared is not None:
        return declared
    j, held = i, False
    while j < end:
        t = code[j]
        if j > i and not held and t.newline_before and _ends(code, j - 1) and not _continues(t):
            return j
        held = False
        if t.kind == PUNCT and t.text == ";":
            return j + 1
        if _opens(t):
            held = (
                t.text == "("
                and j > i
                and _is(code[j - 1], *_HEADS)
                and not (j - 1 > i and _is(code[j - 2], ".", "?."))  # Symbol.for(…)
            )
            j = _close(code, j)
            continue
        j += 1
    return end


def _declaration_end(code: list[Token], i: int, end: int) -> int | None:
    """The index just past a function's, a class's or an interface's declaration at
    ``code[i]`` (its body's ``}``: no semicolon follows one); None for any other
    statement."""
    j = i
    while j < end and _is(code[j], *_MODIFIERS):
        j += 1
    if j >= end or not _is(code[j], "function", "class", "interface"):
        return None
    if _is(code[j], "interface") and not (j + 1 < end and code[j + 1].kind == NAME):
        return None  # (a name in sloppy JavaScript)
    if _is(code[i], "export") and j > i + 1 and _is(code[i + 1], "default"):
        return None  # export default function () {…}(): an expression may follow
    k = j + 1
    if _is(code[j], "class", "interface"):  # (its body may open on a line of its own)
        body = _class_body_start(code, k, end)
        return None if body is None else _close(code, body)
    while k < end and not _is(code[k], "("):
        k += 1
    if k >= end:
        return None
    k = _close(code, k)  # the parameters; then a return type (TypeScript), the body
    while k < end and not (
        _is(code[k], ";") or (_is(code[k], "{") and not _is(code[k - 1], ":", "|", "&", "<", ","))
    ):
        if code[k].newline_before and _ends(code, k - 1) and not _continues(code[k]):
            return k  # an overload's signature without a semicolon
        k = _close(code, k) if _opens(code[k]) else k + 1
    if k >= end or _is(code[k], ";"):
        return None if k >= end else k + 1  # an overload's signature, declare function …;
    return _close(code, k)


def _ends(code: list[Token], j: int) -> bool:
    """Whether ``code[j]`` may end an expression (a line break after it may end the
    statement)."""
    t = code[j]
    if t.kind == NAME and t.text == "const":  # 'x' as const⏎ (TypeScript); const⏎  a = 1
        return j > 0 and _is(code[j - 1], "as")
    if t.kind == NAME:
        return t.text not in _OPEN_WORDS
    return t.kind in (NUMBER, STRING, TEMPLATE, REGEX) or t.text in _ENDS


def _continues(t: Token) -> bool:
    """Whether ``t`` continues the statement before it across a line break (``extends``
    too: an interface's heritage on the line after its name, as prettier writes it)."""
    return t.kind == PUNCT and t.text in _CONTINUES or t.text in _CONTINUING_WORDS


_CONTINUING_WORDS = frozenset(["in", "instanceof", "as", "extends", "implements"])


def _scope(code: list[Token], i: int, end: int, out: list[JsDefinition]) -> None:
    """The statements of a module's scope, ``code[i:end]``."""
    decorators: tuple[str, ...] = ()  # those read before the statement they decorate
    while i < end:
        if _is(code[i], ";"):
            i += 1
            continue
        if _is(code[i], "@"):
            name, i = _decorator(code, i, end)
            decorators += (name,) if name else ()
            continue
        nxt = _statement_end(code, i, end)
        _statement(code, i, nxt, out, decorators)
        decorators = ()
        i = max(nxt, i + 1)


def _decorator(code: list[Token], i: int, end: int) -> tuple[str, int]:
    """The name of the decorator at ``code[i]`` (its "@"): what it calls (``a.b`` of
    ``@a.b(…)``), and where the code after it starts."""
    parts: list[str] = []
    i += 1
    while i < end and code[i].kind == NAME:
        parts.append(code[i].text)
        if i + 1 < end and _is(code[i + 1], "."):
            i += 2
            continue
        i += 1
        break
    if i < end and _is(code[i], "("):
        i = _close(code, i)
    return ".".join(parts), i


def _statement(
    code: list[Token], i: int, end: int, out: list[JsDefinition], decorators: tuple[str, ...] = ()
) -> None:
    first = code[i]
    if _is(first, "import") and not _is(code[i + 1] if i + 1 < end else None, "(", "."):
        clause = code[i + 1 : end]  # the string after ``from`` (not ``{ 'a-b' as c }``)
        after_from = next((k for k, t in enumerate(clause) if _is(t, "from")), -1) + 1
        source = next((t for t in clause[after_from:] if t.kind == STRING), None)
        if source is not None:  # import … from 'x', import 'x' (not import('x'), import.meta)
            binds = _import_bindings(code, i + 1, end)
            out.append(JsDefinition(f"import {_key(source)}", first.line, "import", binds=binds))
        return
    j = i
    while j < end and _is(code[j], *_MODIFIERS):
        j += 1
    word = code[j] if j < end else None
    after = code[j + 1] if j + 1 < end else None
    if _is(word, "function"):
        k = j + 1
        if _is(code[k] if k < end else None, "*"):
            k += 1
        if k < end and code[k].kind == NAME:
            found = named_signature(code, k + 1, end)
            out.append(JsDefinition(code[k].text, code[k].line, signature=found))
        return
    if _is(word, "class"):
        named = (
            after is not None and after.kind == NAME and after.text not in ("extends", "implements")
        )
        owner = after.text if named and after is not None else "default"
        if named and after is not None:
            out.append(JsDefinition(owner, after.line, "class", decorators=decorators))
        body = _class_body_start(code, j + 1, end)
        if body is not None:
            _class_body(code, body + 1, _close(code, body) - 1, owner, out)
        return
    if _is(word, "const") and _is(after, "enum"):  # const enum E {…} (TypeScript)
        j, word = j + 1, after
        after = code[j + 1] if j + 1 < end else None
    if _is(word, "const", "let", "var") and after is not None:
        out += _declarators(code, j + 1, end)
        return
    if (
        word is not None
        and word.kind == NAME
        and word.text in _TYPE_DECLARATIONS
        and after is not None
        and after.kind == NAME
    ):
        _type_declaration(code, j, end, out)
        return
    if (_is(word, "module") and after is not None and after.kind == STRING) or (
        _is(word, "global") and _is(after, "{") and after is not None and not after.newline_before
    ):  # declare module 'x' {…} (an ambient module, an augmentation), declare global {…}
        # (``global {`` on one line is no JavaScript; in a module declaration, no declare)
        _type_declaration(code, j, end, out)
        return
    if _is(first, "export") and _is(code[i + 1] if i + 1 < end else None, "{"):
        _export_list(code, i + 2, _close(code, i + 1) - 1, out)
        return
    if _is(first, "export") and _is(word, "{") and j == i + 2:  # export default {…}
        _object_keys(code, j + 1, _close(code, j) - 1, "export default", out)
        return
    if first.kind == NAME and (target := _member_target(code, i, end)) is not None:
        name, k = target
        if name != "module.exports":  # what it holds counts (its keys), not the statement:
            value = function_value(code, k, end)  # (ES modules drop it)
            out.append(JsDefinition(name, first.line, "assignment", signature=value))
        elif _is(code[k] if k < end else None, "{"):
            _object_keys(code, k + 1, _close(code, k) - 1, name, out)
        elif (value := function_value(code, k, end)) is not None:
            # the module's one function (``module.exports = function (path) {…}``): its
            # parameters are compared, the statement is not a definition (kind "value")
            out.append(JsDefinition(name, first.line, "value", signature=value))
        return
    if _is(first, *_IIFE_STARTS):
        for start, stop in _function_bodies(code, i, end):
            _scope(code, start, stop, out)


def _declarators(code: list[Token], k: int, end: int) -> list[JsDefinition]:
    """The names a ``const`` / ``let`` / ``var`` statement declares, its declarators
    starting at ``code[k]`` (``var a = 1, b, c: Map<K, V> = new Map()``: a, b, c; a
    destructuring pattern's names: ``const { a, b: c, ...d } = o``: a, c, d).  A
    declarator whose value is ``require('x')`` (or a property of it) keeps its source,
    so that an instruction to remove imports covers it."""
    found: list[JsDefinition] = []
    while k < end:
        t = code[k]
        after = code[k + 1] if k + 1 < end else None
        if t.kind == NAME and (after is None or _is(after, "=", ",", ":", "!", ";")):
            names = [t]
        elif _is(t, "{", "["):
            names = _pattern_names(code, k, end)
        else:
            names = []
        angles, typed, source = 0, False, None  # (a type's ``<K, V>``; not ``a < b``)
        value: int | None = None
        while k < end and not (_is(code[k], ",") and angles <= 0):
            if _is(code[k], ":") and not typed:
                typed = True
            elif _is(code[k], "=") and value is None:
                typed, angles, value = False, 0, k + 1
                source = _required(code, k + 1, end)
                if k + 1 < end and _is(code[k + 1], "<"):  # a generic arrow: <T, U>(…) => …
                    k = type_parameters_end(code, k + 1, end)
                    continue
            elif typed:
                angles += _angles(code[k])
            k = _close(code, k) if _opens(code[k]) else k + 1
        function = function_value(code, value, k) if value is not None and len(names) == 1 else None
        found += [JsDefinition(n.text, n.line, source=source, signature=function) for n in names]
        k += 1
    return found


def _pattern_names(code: list[Token], i: int, end: int) -> list[Token]:
    """The names the destructuring pattern whose bracket is ``code[i]`` binds: ``{ a, b:
    c, d = 1, [e]: f, ...g }`` binds a, c, d, f, g; ``[x, , { y }, ...z]`` binds x, y, z."""
    keyed = _is(code[i], "{")
    stop = min(_close(code, i) - 1, end)
    names: list[Token] = []
    k = i + 1
    while k < stop:
        e = k  # one element: up to the next comma of this pattern
        while e < stop and not _is(code[e], ","):
            e = _close(code, e) if _opens(code[e]) else e + 1
        t = k
        if t < e and _is(code[t], "..."):
            t += 1
        elif keyed:  # key: target (the key a name, a string, [computed]) or a name
            j = t
            while j < e and not _is(code[j], ":", "="):
                j = _close(code, j) if _opens(code[j]) else j + 1
            if j < e and _is(code[j], ":"):
                t = j + 1
        if t < e and _is(code[t], "{", "["):
            names += _pattern_names(code, t, e)
        elif t < e and code[t].kind == NAME:
            names.append(code[t])
        k = e + 1
    return names


def _import_bindings(code: list[Token], k: int, end: int) -> tuple[str, ...]:
    """The names an ``import`` statement whose clause starts at ``code[k]`` binds:
    ``import d, { a, b as c, type T } from 'x'``: d, a, c, T; ``import * as ns from
    'x'``: ns; ``import x = require('x')`` (TypeScript): x."""
    if k + 1 < end and _is(code[k], "type") and not _is(code[k + 1], "from", ",", "="):
        k += 1  # import type { A } from 'x'
    names: list[str] = []
    while k < end and not _is(code[k], "from", "=") and code[k].kind != STRING:
        t = code[k]
        if _is(t, "{"):
            stop = min(_close(code, k) - 1, end)
            names += [p[-1].text for p in _split(code, k + 1, stop) if p and p[-1].kind == NAME]
            k = stop + 1  # (a, b as c, type T: the last name of each)
            continue
        if t.kind == NAME and t.text != "as":
            names.append(t.text)  # the default's name, or the namespace's after * as
        k += 1
    return tuple(names)


def _required(code: list[Token], v: int, end: int) -> str | None:
    """The module ``code[v:]`` requires when it starts ``require('x')``; else None."""
    if (
        v + 3 < end
        and _is(code[v], "require")
        and _is(code[v + 1], "(")
        and code[v + 2].kind == STRING
        and _is(code[v + 3], ")")
    ):
        return _key(code[v + 2])
    return None


def _type_declaration(code: list[Token], j: int, end: int, out: list[JsDefinition]) -> None:
    """TypeScript's ``interface I {…}``, ``enum E {…}``, ``type T = …`` or ``namespace N
    {…}`` (``module N {…}``, ``namespace A.B {…}``; ``declare module 'x' {…}``, named
    ``module x``; ``declare global {…}``, named ``global``) at ``code[j]``: the name, and what
    its body holds, each named after it: an interface's or an object type's members
    (``I.a``, ``I.m``, each signature of an overload), an enum's members (``E.Red``),
    and what a namespace's statements define (``N.f``, ``N.C``, ``N.C.m``, ``N.I.a``)."""
    word, first = code[j].text, code[j + 1]
    k, name = j + 2, first.text
    if first.kind == STRING:  # declare module 'x': named by its module, quotes aside
        name = f"module {_key(first)}"
    elif word == "global":  # declare global {…}
        k, name = j + 1, "global"
    while word in ("namespace", "module") and k + 1 < end and _is(code[k], "."):
        if code[k + 1].kind != NAME:
            break
        name += "." + code[k + 1].text  # namespace A.B {…}
        k += 2
    if word == "type":
        if k < end and _is(code[k], "<"):  # type T<K = string> = …: its parameters
            angles = 0
            while k < end and not (angles == 0 and _is(code[k], "=")):
                angles += _angles(code[k])
                k = _close(code, k) if _opens(code[k]) else k + 1
        value = k + 1
        literal = value < end and _is(code[k], "=") and _is(code[value], "{")
        if literal and (stop := _close(code, value)) < end and not _is(code[stop], ";"):
            literal = False  # { … } & Other, { … }[]: not an object type alone
        out.append(JsDefinition(name, first.line, "class" if literal else "declaration"))
        if literal:
            _class_body(code, value + 1, _close(code, value) - 1, name, out, typed=True)
        return
    body = _class_body_start(code, k, end) if word == "interface" else k
    if body is None or body >= end or not _is(code[body], "{"):
        out.append(JsDefinition(name, first.line))
        return
    out.append(JsDefinition(name, first.line, "class"))
    stop = _close(code, body) - 1
    if word == "interface":
        _class_body(code, body + 1, stop, name, out, typed=True)
    elif word == "enum":
        _object_keys(code, body + 1, stop, name, out, kind="member")
    else:  # a namespace: its statements, as a module's
        inner: list[JsDefinition] = []
        _scope(code, body + 1, stop, inner)
        out += [
            attrs.evolve(d, name=f"{name}.{d.name}")
            for d in inner
            if d.kind not in ("import", "export")
        ]


def _class_body_start(code: list[Token], k: int, end: int) -> int | None:
    """The ``{`` that opens the body of the class whose name or heritage starts at
    ``code[k]``: not an object type in its type parameters (``<T extends { id: string
    }>``) or an object in its heritage (``extends mixin({…})``)."""
    while k < end:
        if _is(code[k], "{") and not _is(
            code[k - 1], "extends", "implements", ",", "<", ":", "=", "|", "&", "("
        ):
            return k
        k = _close(code, k) if _opens(code[k]) else k + 1
    return None


def _member_target(code: list[Token], i: int, end: int) -> tuple[str, int] | None:
    """``a.b.c =`` (not ``==``) at ``code[i]``, a statement that ends at ``end``: the name
    ``a.b.c`` and the index of the first token of the value; None for anything else
    (``a = 1``, ``a.b()``, a sequence ``a.b = 1, c.d = 2``)."""
    parts = [code[i].text]
    k = i + 1
    while k + 1 < end and _is(code[k], ".") and code[k + 1].kind == NAME:
        parts.append(code[k + 1].text)
        k += 2
    if len(parts) < 2 or k >= end or not _is(code[k], "="):
        return None
    j = k + 1
    while j < end:  # a sequence (a.b = 1, c.d = 2: minified code) is not read
        if _is(code[j], ","):
            return None
        j = _close(code, j) if _opens(code[j]) else j + 1
    return ".".join(parts), k + 1


def _function_bodies(code: list[Token], i: int, end: int) -> Iterator[tuple[int, int]]:
    """The bodies (``{``…``}``, without the braces) of the functions an expression
    statement defines at its own level: not those nested in another function's body."""
    j = i
    while j < end:
        t = code[j]
        if _is(t, "{") and j > i and (_is(code[j - 1], ")", "=>")):
            stop = _close(code, j)
            yield j + 1, stop - 1
            j = stop
            continue
        j += 1


def _class_body(
    code: list[Token], i: int, end: int, owner: str, out: list[JsDefinition], typed: bool = False
) -> None:
    """The methods, accessors and fields of class ``owner``: ``owner.name`` (with
    ``typed``, an interface's or object type's members: ``new (…): T`` is a construct
    signature there, not a method named ``new``)."""
    decorators: tuple[str, ...] = ()  # the next member's
    while i < end:
        t = code[i]
        if _is(t, ";", ","):
            i += 1
            continue
        if _is(t, "@"):  # a decorator: @name, @a.b, @name(…)
            name, i = _decorator(code, i, end)
            decorators += (name,) if name else ()
            continue
        j = i
        while (
            j + 1 < end
            and _is(code[j], *_MEMBER_MODIFIERS)
            and not _is(code[j + 1], "(", "=", ";", ":", "?", "!", "<")
        ):
            j += 1
        if j < end and _is(code[j], "*"):
            j += 1
        if j >= end:
            return
        key = code[j]
        if _is(key, "{"):  # a static block
            i = _close(code, j)
            continue
        if _is(key, "[", "("):  # a computed name, a call signature: skip it, then the rest
            j = _close(code, j) - 1
        elif _is(key, "<"):  # a generic call signature: <T>(x: T): T
            angles = 0
            while j < end and (angles := angles + _angles(code[j])) > 0:
                j += 1
        elif typed and _is(key, "new") and j + 1 < end and _is(code[j + 1], "(", "<"):
            pass  # an interface's construct signature: new (…): T
        elif key.kind in (NAME, STRING, NUMBER):
            stop = _member_end(code, j + 1, end)
            accessor = any(_is(code[k], "get", "set") for k in range(i, j))
            found = None if accessor else _member_signature(code, j + 1, stop)
            out.append(
                JsDefinition(
                    f"{owner}.{_key(key)}",
                    key.line,
                    "member",
                    decorators=decorators,
                    signature=found,
                )
            )
        decorators = ()
        i = _member_end(code, j + 1, end)


def _member_signature(code: list[Token], k: int, stop: int) -> Signature | None:
    """The parameters of a class member whose name ends before ``code[k]`` and whose
    code ends before ``code[stop]``: a method's, or a field's function or arrow value's
    (``handle = (event) => {…}``)."""
    found = named_signature(code, k, stop)
    if found is not None:
        return found
    depth = 0
    while k < stop:  # a field: ``name: Type = value``
        if _is(code[k], "=") and depth <= 0:
            return function_value(code, k + 1, stop)
        depth += _angles(code[k])
        k = _close(code, k) if _opens(code[k]) else k + 1
    return None


def _member_end(code: list[Token], j: int, end: int) -> int:
    """The index just past a class member whose name ends before ``code[j]``: its body's
    ``}``, or the ``;`` or line break that ends a field or a signature."""
    angles = 0  # (``Map<K, V>``: its "," ends no member)
    while j < end:
        t = code[j]
        if _is(t, "{") and not _is(
            code[j - 1], ":", "|", "&", "<", ",", "=", "(", "?", "extends"
        ):  # (``m<T extends { id: string }>()``: a type, not the body)
            return _close(code, j)  # the body (not an object type, nor a field's value)
        if _is(t, ";") or (_is(t, ",") and angles <= 0):  # (``{ a: string, b: number }``)
            return j + 1
        if t.newline_before and _ends(code, j - 1) and (not _continues(t) or _keyed(code, j)):
            return j
        angles += _angles(t)
        if _opens(t):
            j = _close(code, j)
            continue
        j += 1
    return end


def _keyed(code: list[Token], j: int) -> bool:
    """Whether the word ``code[j]`` starts a member of its own: a name followed by ``:``,
    ``?:`` or ``(`` (an interface's ``in: A`` after a line without a semicolon)."""
    after = code[j + 1] if j + 1 < len(code) else None
    return code[j].kind == NAME and _is(after, ":", "?", "(", "?:", "<")


def _object_keys(
    code: list[Token], i: int, end: int, owner: str, out: list[JsDefinition], kind: str = "key"
) -> None:
    """The keys of an object literal ``code[i:end]`` (its braces excluded): ``a``, ``a:
    …``, ``a () {…}``, ``get a () {…}``, ``'a': …``; a spread or a computed key adds none
    (an enum's members too: ``Red = 1``, with ``kind`` "member")."""
    while i < end:
        j = i
        while (
            j + 1 < end
            and _is(code[j], "async", "get", "set", "*")
            and not _is(code[j + 1], ",", ":", "(", "=")
        ):
            j += 1
        key = code[j]
        k = j
        while k < end and not _is(code[k], ","):
            if _opens(code[k]):
                k = _close(code, k)
                continue
            k += 1
        if key.kind in (NAME, STRING, NUMBER) and not _is(key, "..."):
            found = None  # a method's parameters, or a function value's (not an accessor's)
            if not any(_is(code[m], "get", "set") for m in range(i, j)):
                found = named_signature(code, j + 1, k)
                if found is None and j + 1 < k and _is(code[j + 1], ":"):
                    found = function_value(code, j + 2, k)
            out.append(JsDefinition(f"{owner}.{_key(key)}", key.line, kind, signature=found))
        i = k + 1


def _export_list(code: list[Token], i: int, end: int, out: list[JsDefinition]) -> None:
    """``export { a, b as c }``: ``export a``, ``export c`` (the names importers use)."""
    for part in _split(code, i, end):
        names = [t for t in part if t.kind in (NAME, STRING)]
        if names:
            last = names[-1]
            out.append(JsDefinition(f"export {_key(last)}", last.line, "export"))


def _key(t: Token) -> str:
    """A property's name as written: a string's text between its quotes."""
    return t.text[1:-1] if t.kind == STRING else t.text


def _split(code: list[Token], i: int, end: int) -> Iterator[list[Token]]:
    part: list[Token] = []
    for t in code[i:end]:
        if _is(t, ","):
            yield part
            part = []
        else:
            part.append(t)
    yield part
