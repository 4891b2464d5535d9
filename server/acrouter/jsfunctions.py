"""Named functions of a JavaScript or TypeScript text, read from its tokens
(:mod:`.jstokens`): each one's name, parameters and body, for the readers that compare a
function before and after an edit (:mod:`.verifier.jsspecialcases`, :func:`.elisions.js_stubbed`).

A function is found by name where its body's ``{`` follows ``function f(…)``, a method's
``f(…)``, ``f = (…) =>`` (``f = a =>``) or ``f: function (…)`` (a TypeScript return type
between them too); an arrow whose body is an expression, and a function with no name,
are not found.
"""

from __future__ import annotations

from .jstokens import COMMENT, NAME, PUNCT, Token, close, is_, lenient_tokens
from .pytrees import cached

#: a function's parameters and its body's tokens (from its ``{`` to past its ``}``)
Function = tuple[tuple[str, ...], int, int]
#: names before ``(`` that are no function's
KEYWORDS = frozenset(["if", "for", "while", "switch", "catch", "with", "return", "typeof"])


def code_of(text: str) -> list[Token] | None:
    """The tokens of ``text`` but its comments (read leniently), or None; read once per
    text inside ``shared_trees()``, the list not to be changed."""
    return cached("js.code", text, lambda: _code_of(text))


def _code_of(text: str) -> list[Token] | None:
    found = lenient_tokens(text)
    return None if found is None else [t for t in found if t.kind != COMMENT]


def paren_opener(code: list[Token], j: int) -> int | None:
    """The index of the ``(`` that the ``)`` at ``code[j]`` closes."""
    depth = 0
    for k in range(j, -1, -1):
        if is_(code[k], ")"):
            depth += 1
        elif is_(code[k], "("):
            depth -= 1
            if depth == 0:
                return k
    return None


def param_names(code: list[Token], start: int, stop: int) -> tuple[str, ...]:
    """The plain names of a parameter list (``a``, ``b: number``, ``c = 1``); a pattern
    or a rest parameter counts as ``""``."""
    out: list[str] = []
    depth, first = 0, True
    for t in code[start:stop]:
        if t.text in ("(", "[", "{") and t.kind == PUNCT:
            depth += 1
        elif t.text in (")", "]", "}") and t.kind == PUNCT:
            depth -= 1
        if depth == 0 and is_(t, ","):
            first = True
            continue
        if first:
            out.append(t.text if t.kind == NAME else "")
            first = False
    return tuple(out)


def header(code: list[Token], o: int) -> tuple[str, tuple[str, ...]] | None:
    """The name and parameters of the function whose body opens at ``code[o]`` (``{``),
    or None where that brace opens no named function's body: ``function f(a) {``, a
    method ``f(a) {``, ``f = (a) => {`` (``f = a => {`` too), ``f: function (a) {``."""
    j = o - 1
    arrow = j >= 0 and is_(code[j], "=>")
    if arrow:
        j -= 1
    if j < 0:
        return None
    # one parameter without parentheses, given to a name (``f = a => {``, ``f: a => {``;
    # not a return type's last name, ``(a): T => {``, ``(a): x.T => {``)
    assigned = j >= 2 and (
        is_(code[j - 1], "=", "async") or (is_(code[j - 1], ":") and not is_(code[j - 2], ")"))
    )
    if arrow and code[j].kind == NAME and assigned:
        k = j - 1
        if k >= 0 and is_(code[k], "async"):
            k -= 1
        return _property(code, k, (code[j].text,))
    if not is_(code[j], ")"):  # (a return type: ``f(a): number {``)
        k = j
        while k > max(o - 24, 0) and (
            code[k].kind == NAME or is_(code[k], ".", "<", ">", "[", "]", "|", ",", "?")
        ):
            k -= 1
        if not (k > 0 and is_(code[k], ":") and is_(code[k - 1], ")")):
            return None
        j = k - 1
    opener = paren_opener(code, j)
    if opener is None or opener == 0:
        return None
    params = param_names(code, opener + 1, j)
    k = opener - 1
    if not arrow and not is_(code[k], "function"):
        before = code[k]
        if before.kind != NAME or before.text in KEYWORDS:
            return None
        if k > 0 and is_(code[k - 1], ".", "extends"):
            return None  # (a member's call, ``a.b(c)``, or ``extends mixin(B) {``)
        return before.text, params
    k -= 0 if arrow else 1
    if k >= 0 and is_(code[k], "async"):
        k -= 1
    return _property(code, k, params)


def _property(
    code: list[Token], k: int, params: tuple[str, ...]
) -> tuple[str, tuple[str, ...]] | None:
    """The name a function value is given where ``code[k]`` is the ``=`` or the ``:`` before
    it (``f = (a) =>``, ``f: function (a)``), with its ``params``; None for anything else
    (a conditional's other value: ``c ? noop : function (a) {``)."""
    if (
        k >= 1
        and code[k - 1].kind == NAME
        and (is_(code[k], "=") or (is_(code[k], ":") and k >= 2 and is_(code[k - 2], "{", ",")))
    ):
        return code[k - 1].text, params
    return None


def functions(code: list[Token]) -> dict[str, list[Function]]:
    """Each named function's parameters and body, by name."""
    out: dict[str, list[Function]] = {}
    for o, t in enumerate(code):
        if is_(t, "{"):
            found = header(code, o)
            if found is not None:
                out.setdefault(found[0], []).append((found[1], o, close(code, o)))
    return out
