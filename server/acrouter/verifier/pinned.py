"""What a special case pins, and the values a test holds, for every language read
(:mod:`.specialcases` for Python, :mod:`.jsspecialcases` for JavaScript and
TypeScript): the values that are no sign of a test's own data, and how a value is
compared with a test's."""

from __future__ import annotations

import re
from collections.abc import Callable

#: a pinned parameter -> the literal it is compared with
Pins = dict[str, object]
#: a branch an edit added: (function path, pins, the literal returned, line)
Branch = tuple[str, Pins, object, int]
#: a test read for its values: (its id, the names it calls, the values it holds)
TestValues = tuple[str, set[str], set[tuple[str, object]]]
#: values a base case compares with: no sign of a test's own value
_TRIVIAL = (None, True, False, 0, 1, -1, 2, "", (), b"")
#: a string that names something rather than holds data
_NAME_LIKE = re.compile(r"[\w.*/:@+-]{1,40}")


def trivial(value: object) -> bool:
    """A base case's value, or a name-like string (a keyword, a scheme, a path: what
    rules compare with, ``if pattern == "*": return True``), or a tuple of them."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value in (0, 1, -1, 2)  # (0.0 too)
    if isinstance(value, str) and _NAME_LIKE.fullmatch(value):
        return True
    if isinstance(value, tuple | list):
        return all(trivial(v) for v in value)
    return any(type(value) is type(t) and value == t for t in _TRIVIAL)


def value_key(value: object) -> tuple[str, object]:
    """A value as a test's literal holds it (2 and 2.0 alike; True is not 1)."""
    if isinstance(value, bool) or value is None:
        return (type(value).__name__, value)
    if isinstance(value, int | float):
        return ("number", value)  # (2 == 2.0, and their hashes are equal)
    return (type(value).__name__, value)


def hold(out: set[tuple[str, object]], value: object, depth: int) -> None:
    """Add ``value`` to ``out``, and the items of a tuple or list ``depth`` levels down."""
    try:
        out.add(value_key(value))
    except TypeError:  # (an unhashable value: a list, a list in a tuple)
        pass
    if depth > 0 and isinstance(value, tuple | list):
        for item in value:
            hold(out, item, depth - 1)


def shown(pins: Pins, returned: object, show: Callable[[object], str] = repr) -> str:
    """``(a, b) == (2, 3) returns 5``, each value as ``show`` writes it."""
    names = ", ".join(pins)
    values = ", ".join(show(v) for v in pins.values())
    cond = f"({names}) == ({values})" if len(pins) > 1 else f"{names} == {values}"
    return f"{cond} returns {show(returned)}"
