"""The parameters of a JavaScript or TypeScript module's functions, for the guard that no
edit drops what nobody asked to remove (``definitions.dropped_definitions``).

JavaScript passes arguments by position and ignores those a function does not take, so
a parameter an edit drops breaks no call: it changes what the calls mean.  An edit asked
to fix a bug in ``function parse(text, encoding) {…}`` that also drops ``encoding`` runs
every caller that passes one as if it had not, and passes every test that calls
``parse(text)``; one that drops ``a`` of ``scale(a, b)`` hands each caller's first
argument to ``b``.  So :mod:`.jsdefinitions` reads each function's parameters where it
reads the function (a declaration, a class's method or constructor, a declarator's or an
assignment's function or arrow value, a method or a function of an exported object), and
:func:`dropped_parameters` compares two readings of one function.  A parameter is lost
when the function no longer takes it, unless:

- the function now takes a rest parameter (``...args``) or reads ``arguments``: it
  still takes every argument;
- another name took its place (a rename: callers pass by position, not by name);
- nothing read it (its body, a later parameter's default) and no parameter after it is
  kept: the calls that passed it mean what they meant.  An unused one that others
  followed shifts them, and is lost.

A parameter kept in another place is changed (:func:`moved_parameters`): a new one put
before it (``scale(values, factor = 1)`` made ``scale(values, step = 0, factor = 1)``
hands each caller's factor to ``step``), or the parameters reordered; not where the
framework passes each by its decorator (NestJS's ``@Query('skip') skip``).

A destructuring pattern counts by its position (``#2``).  TypeScript's ``this``
parameter is not one: callers do not pass it.
"""

from __future__ import annotations

from collections import Counter

import attrs

from .jstokens import NAME, Token, angles, close, is_, opens
from .parameters import moved

#: a class constructor's parameter properties and a parameter's modifiers (TypeScript)
_MODIFIERS = frozenset(["public", "private", "protected", "readonly", "override"])


@attrs.frozen
class Signature:
    """A function's parameters as written (``a``, ``...rest``; ``""`` for a destructuring
    pattern), whether its code reads each, and whether it reads ``arguments``."""

    params: tuple[str, ...]
    used: tuple[bool, ...]
    reads_arguments: bool = False
    #: for each parameter, whether a call must pass it (no default, not variadic), where
    #: a missing argument is an error (PHP); empty where it is not read (JavaScript)
    required: tuple[bool, ...] = ()
    #: the parameters typed with a class or an interface (``logger: Logger``)
    services: frozenset[str] = frozenset()
    #: the parameters with a decorator (``@Query('q') q``, ``@Inject(TOKEN) t``)
    decorated: frozenset[str] = frozenset()


def signature(code: list[Token], paren: int, end: int, *, arrow: bool = False) -> Signature | None:
    """The signature of the function whose parameter list opens at ``code[paren]`` (its
    ``(``) and whose code ends by ``end``.  With ``arrow``, None unless ``=>`` follows
    the list (``(a, b)`` alone is an expression)."""
    stop = close(code, paren)
    body = _body(code, stop, end, arrow=arrow)
    params, decorated = _parameters(code, paren + 1, stop - 1)
    if body is None:  # a signature alone (an overload's, an interface's, ``declare``):
        if arrow:  # what it declares is what callers pass
            return None
        names = tuple(name.removeprefix("this.") for name, _ in params)
        return Signature(names, (True,) * len(names), decorated=decorated)
    found = _signature(params, code[paren + 1 : stop - 1], code[body[0] : body[1]])
    return attrs.evolve(found, services=_services(code, params, stop - 1), decorated=decorated)


def _services(code: list[Token], params: list[tuple[str, int]], end: int) -> frozenset[str]:
    """The parameters typed with a class or an interface (``logger: Logger``, ``http?:
    HttpClient``), by the capital that starts their type's name."""
    out = set()
    for name, k in params:
        k += 2 if k + 1 < end and is_(code[k + 1], "?") else 1  # (``http?: HttpClient``)
        typed = k + 1 < end and is_(code[k], ":") and code[k + 1].kind == NAME
        if typed and code[k + 1].text[:1].isupper():
            out.add(name.removeprefix("this."))
    return frozenset(out)


def function_value(code: list[Token], v: int, end: int) -> Signature | None:
    """The signature of the function or arrow that ``code[v:end]`` is (``function (a)
    {…}``, ``async (a, b) => …``, ``<T>(x: T): T => x``, ``x => x + 1``); None for any other
    value."""
    if v < end and is_(code[v], "async") and v + 1 < end and not code[v + 1].newline_before:
        v += 1
    if v >= end:
        return None
    if is_(code[v], "function"):
        k = v + 1
        if k < end and is_(code[k], "*"):
            k += 1
        if k < end and code[k].kind == NAME and not is_(code[k], "("):
            k += 1
        return named_signature(code, k, end)
    if code[v].kind == NAME and v + 1 < end and is_(code[v + 1], "=>"):  # x => …
        body = _body(code, v + 1, end, arrow=True)
        if body is None:
            return None
        return _signature([(code[v].text, v)], code[v : v + 1], code[body[0] : body[1]])
    return named_signature(code, v, end, arrow=True)


def named_signature(
    code: list[Token], k: int, end: int, *, arrow: bool = False
) -> Signature | None:
    """The signature of a function or method whose name ends before ``code[k]``:
    ``f<T>(a: T) {…}``, ``m?(a): void;`` (with ``arrow``, an arrow's at ``code[k]``:
    ``<T>(x: T) => x``); None where no parameter list follows."""
    if k < end and is_(code[k], "?", "!"):
        k += 1
    k = type_parameters_end(code, k, end)
    return signature(code, k, end, arrow=arrow) if k < end and is_(code[k], "(") else None


def type_parameters_end(code: list[Token], k: int, end: int) -> int:
    """The index after a type parameter list ``<T, U extends X>`` at ``code[k]``, if any."""
    if k < end and is_(code[k], "<"):
        depth = 0
        while k < end:
            depth += angles(code[k])
            k = close(code, k) if opens(code[k]) else k + 1
            if depth <= 0:
                break
    return k


def _body(code: list[Token], k: int, end: int, *, arrow: bool) -> tuple[int, int] | None:
    """Where the body after a parameter list that ends before ``code[k]`` starts and
    ends (its braces excluded): a ``{…}`` block after an optional return type, or
    with ``arrow`` what follows ``=>`` (a block, or an expression up to ``end``); None
    when there is none (an overload's signature, an interface's method)."""
    depth = 0  # (a return type's ``Map<K, V>``: its comma ends nothing)
    while k < end:
        t = code[k]
        if is_(t, "=>") and arrow:
            k += 1
            if k < end and is_(code[k], "{"):
                stop = close(code, k)
                return k + 1, stop - 1
            return k, end
        if is_(t, "{") and not arrow and not is_(code[k - 1], ":", "|", "&", "<", ",", "=>"):
            stop = close(code, k)
            return k + 1, stop - 1
        if is_(t, ";", ",", "=") and depth <= 0:
            return None
        depth += angles(t)
        k = close(code, k) if opens(t) else k + 1
    return None


def _parameters(
    code: list[Token], i: int, end: int
) -> tuple[list[tuple[str, int]], frozenset[str]]:
    """The parameters of the list ``code[i:end]`` (its parentheses excluded), each with
    the index of the token that binds it; and those of them with a decorator."""
    out: list[tuple[str, int]] = []
    decorated: set[str] = set()
    while i < end:
        k, typed, depth = i, False, 0  # (a type's ``Map<K, V>``: its comma splits nothing)
        while k < end and not (is_(code[k], ",") and depth <= 0):
            if is_(code[k], ":") and not typed:
                typed = True
            elif is_(code[k], "="):
                typed, depth = False, 0
            elif typed:
                depth += angles(code[k])
            k = close(code, k) if opens(code[k]) else k + 1
        found = _parameter(code, i, k)
        if found is not None:
            out.append(found)
            if is_(code[i], "@"):
                decorated.add(found[0].removeprefix("this."))
        i = k + 1
    if out and out[0][0] == "this" and is_(code[out[0][1] + 1], ":"):
        out = out[1:]  # TypeScript's ``this: Window``: not passed
    return out, frozenset(decorated)


def _parameter(code: list[Token], i: int, end: int) -> tuple[str, int] | None:
    """One parameter, ``code[i:end]``: its name as written, "" for a pattern; a
    constructor's parameter property (``private readonly base: number``), which the
    class reads as a field, as ``this.base``."""
    while i < end and is_(code[i], "@"):  # a decorator: @Inject(TOKEN)
        i += 1
        while i < end and (code[i].kind == NAME or is_(code[i], ".")):
            i += 1
        if i < end and is_(code[i], "("):
            i = close(code, i)
    field = False
    while (
        i + 1 < end and is_(code[i], *_MODIFIERS) and not is_(code[i + 1], ":", ",", "?", "=", "!")
    ):
        i, field = i + 1, True
    if i >= end:
        return None
    if field and code[i].kind == NAME:
        return "this." + code[i].text, i
    rest = is_(code[i], "...")
    if rest:
        i += 1
    if i < end and is_(code[i], "{", "["):
        return ("..." if rest else ""), i
    if i < end and code[i].kind == NAME:
        return ("..." if rest else "") + code[i].text, i
    return None


def _signature(params: list[tuple[str, int]], heads: list[Token], body: list[Token]) -> Signature:
    """A signature from its parameters, its list's tokens and its body's: a parameter is
    read when its name appears there more often than its own binding (not after ``.``)."""
    seen: Counter[str] = Counter()
    reads_arguments = False
    for part in (heads, body):
        for k, t in enumerate(part):
            if t.kind != NAME or (k > 0 and is_(part[k - 1], ".", "?.")):
                continue
            seen[t.text] += 1
            reads_arguments = reads_arguments or (part is body and t.text == "arguments")
    names = tuple(name.removeprefix("this.") for name, _ in params)
    used = tuple(
        name in ("", "...") or name.startswith("this.") or seen[name.removeprefix("...")] > 1
        for name, _ in params
    )
    return Signature(names, used, reads_arguments)


def dropped_parameters(old: Signature, new: Signature) -> list[str]:
    """The parameters of ``old`` that ``new``, the same function after an edit, no longer
    takes (see the module docstring): ``encoding``, ``...rest``, ``#2`` for a pattern."""
    if new.reads_arguments or any(p.startswith("...") for p in new.params):
        return []
    now = set(new.params) - {""}
    before = set(old.params)  # ("" too: a pattern in a pattern's place is no new name)
    patterns = new.params.count("")
    out: list[str] = []
    for i, (name, used) in enumerate(zip(old.params, old.used, strict=True)):
        if name and name in now:
            continue
        if not name and old.params[: i + 1].count("") <= patterns:
            continue  # a pattern: as many as before are still taken, in order
        if i < len(new.params) and not name.startswith("...") and new.params[i] not in before:
            continue  # another name (or a pattern) in its place: a rename
        later_kept = any(p in now for p in old.params[i + 1 :] if p)
        if not used and not later_kept:
            continue  # nothing read it, and no argument after it shifts
        out.append(name if name and name != "..." else f"#{i + 1}")
    return out


def moved_parameters(old: Signature, new: Signature, constructor: bool = False) -> list[str]:
    """The parameters of ``old`` that ``new`` takes in another place
    (:func:`.parameters.moved`); for a ``constructor``, not when what shifts them is
    services: new parameters typed with a class or an interface (``private logger:
    Logger``), which a framework injects (Angular's, NestJS's) by their type, not their
    place; nor when each parameter, before and after, has a decorator: a NestJS
    handler's ``@Query('skip') skip``, ``@Param('id') id``, ``@Body() dto``, which the
    framework passes by what the decorator names."""
    if constructor and injected(old, new):
        return []
    if all(p in s.decorated for s in (old, new) for p in s.params):
        return []
    return moved(old.params, new.params)


def injected(old: Signature, new: Signature) -> bool:
    """Whether ``new`` adds parameters to ``old`` and each is a service (typed with a
    class or an interface): a constructor's that a framework injects (Angular, NestJS,
    Symfony's and Laravel's autowiring) by type."""
    added = [p for p in new.params if p and p not in old.params]
    return bool(added) and all(p in new.services for p in added)
