"""The value of a Python expression built from literals alone, without running it.

Tests build their expected values as often as they write them out:
``"\\n".join(["foo", "barbaz", "spam"])``, ``"-" * 10``, ``textwrap.dedent('''...''')``,
``2 ** 10``.  :func:`value_of` computes such an expression from its syntax tree: literals
(what :func:`ast.literal_eval` reads), arithmetic and concatenation of them, a string's
``join`` of literal items, a few string methods that take no code (``strip``, ``lower``,
``upper``, ``encode``...) and ``dedent``.  Nothing else is evaluated: no name, no other
call, no attribute of anything but a literal.  Sizes are bounded before anything is
computed (a string of at most :data:`MAX_SIZE` items, a power with a small exponent), so a
test's ``"x" * 10**9`` costs nothing.
"""

from __future__ import annotations

import ast
import operator
import textwrap

#: the most items (characters, bytes, elements) a computed value may hold
MAX_SIZE = 100_000
#: the largest exponent of a computed power
_MAX_EXPONENT = 256
#: string methods computed on a literal, with no argument or literal ones
_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "capitalize",
        "casefold",
        "encode",
        "decode",
        "replace",
        "splitlines",
        "split",
    }
)
#: the codecs ``encode`` and ``decode`` may name (and their error handlers)
_CODECS = frozenset({"utf-8", "utf8", "ascii", "latin-1", "latin1", "strict", "replace", "ignore"})
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


class _NotLiteral(Exception):
    """The expression holds something that is not computed here."""


def value_of(node: ast.AST) -> tuple[bool, object]:
    """(True, the value) for an expression built from literals alone (see the module),
    else (False, None)."""
    try:
        return True, _value(node)
    except (
        _NotLiteral,
        ValueError,
        TypeError,
        ArithmeticError,
        RecursionError,
        MemoryError,
        UnicodeError,
        LookupError,
    ):
        return False, None


def _sized(value: object) -> object:
    sized = str | bytes | tuple | list | frozenset | set | dict
    if isinstance(value, sized) and len(value) > MAX_SIZE:
        raise _NotLiteral
    return value


def _value(node: ast.AST) -> object:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        items = [_value(e) for e in node.elts]
        kind = {ast.Tuple: tuple, ast.List: list, ast.Set: set}[type(node)]
        return _sized(kind(items))
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):  # (a ``**`` unpacking)
            raise _NotLiteral
        return _sized({_value(k): _value(v) for k, v in zip(node.keys, node.values, strict=True)})  # type: ignore[arg-type]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _value(node.operand)
        if not isinstance(operand, int | float | complex) or isinstance(operand, bool):
            raise _NotLiteral
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.JoinedStr):  # (an f-string with no placeholder)
        if not all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in node.values):
            raise _NotLiteral
        return "".join(v.value for v in node.values)  # type: ignore[attr-defined]
    if isinstance(node, ast.BinOp):
        return _binary(node)
    if isinstance(node, ast.Call):
        return _call(node)
    raise _NotLiteral


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _binary(node: ast.BinOp) -> object:
    op = _ARITHMETIC.get(type(node.op))
    if op is None:
        raise _NotLiteral
    left, right = _value(node.left), _value(node.right)
    if _number(left) and _number(right):
        if isinstance(node.op, ast.Pow) and (
            abs(right) > _MAX_EXPONENT  # type: ignore[arg-type]
            or abs(left) > 2**64  # type: ignore[arg-type]
        ):
            raise _NotLiteral
        return op(left, right)
    sequences = str | bytes | tuple | list
    if isinstance(node.op, ast.Add) and isinstance(left, sequences) and type(left) is type(right):
        return _sized(left + right)  # type: ignore[operator]
    if isinstance(node.op, ast.Mult):
        seq, times = (left, right) if isinstance(left, sequences) else (right, left)
        if isinstance(seq, sequences) and isinstance(times, int) and not isinstance(times, bool):
            if len(seq) * max(times, 0) > MAX_SIZE:
                raise _NotLiteral
            return seq * times
    raise _NotLiteral  # (``"%s" % x`` formats: not computed)


def _call(node: ast.Call) -> object:
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise _NotLiteral
    args = [_value(a) for a in node.args]
    f = node.func
    name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
    if name == "dedent" and (
        isinstance(f, ast.Name)
        or (
            isinstance(f, ast.Attribute)
            and isinstance(f.value, ast.Name)
            and f.value.id == "textwrap"
        )
    ):
        if len(args) != 1 or not isinstance(args[0], str):
            raise _NotLiteral
        return textwrap.dedent(args[0])
    if not isinstance(f, ast.Attribute):
        raise _NotLiteral
    owner = _value(f.value)
    if name == "join" and isinstance(owner, str | bytes) and len(args) == 1:
        items = args[0]
        if not isinstance(items, tuple | list) or not all(type(i) is type(owner) for i in items):
            raise _NotLiteral
        if len(owner) * len(items) + sum(len(i) for i in items) > MAX_SIZE:
            raise _NotLiteral
        return owner.join(items)  # type: ignore[arg-type]
    if name in _METHODS and isinstance(owner, str | bytes):
        if not all(isinstance(a, str | bytes | int) and not isinstance(a, bool) for a in args):
            raise _NotLiteral
        if name in ("encode", "decode") and not all(
            isinstance(a, str) and a.lower().replace("_", "-") in _CODECS for a in args
        ):
            raise _NotLiteral  # (a codec's name is looked up, its error handler too)
        if name == "replace" and len(args) > 1:
            new = args[1]
            if len(owner) * max(1, len(new) if isinstance(new, str | bytes) else 1) > MAX_SIZE:
                raise _NotLiteral
        return _sized(getattr(owner, name)(*args))
    raise _NotLiteral
