"""Values tests build from literals, computed without running them
(``acrouter.pyvalues``): what the special-case reader compares a branch's literals with.

tabulate's own test builds its input as ``"\\n".join(["foo", "barbaz", "spam"])``; an
edit that wrote ``if multiline_s == "foo\\nbarbaz\\nspam": return 6`` was read as no
special case, since the test held no such literal."""

from __future__ import annotations

import ast

import pytest
from acrouter.pyvalues import MAX_SIZE, value_of


def _value(source: str) -> tuple[bool, object]:
    return value_of(ast.parse(source, mode="eval").body)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("5", 5),
        ("-2.5", -2.5),
        ("(2, 'a', [None])", (2, "a", [None])),
        ("{'a': 1, 2: (3,)}", {"a": 1, 2: (3,)}),
        ('"\\n".join(["foo", "barbaz", "spam"])', "foo\nbarbaz\nspam"),
        ('", ".join(("a", "b"))', "a, b"),
        ('b"-".join([b"x", b"y"])', b"x-y"),
        ('"-" * 3 + "x"', "---x"),
        ("3 * [0]", [0, 0, 0]),
        ("(1, 2) + (3,)", (1, 2, 3)),
        ("2 ** 10 - 1", 1023),
        ("7 // 2 + 7 % 2", 4),
        ("1 / 4", 0.25),
        ('f"plain"', "plain"),
        ('"  Hello ".strip().lower()', "hello"),
        ('"a,b".split(",")', ["a", "b"]),
        ('"x".encode()', b"x"),
        ('"abc".replace("b", "B")', "aBc"),
        ('textwrap.dedent("""\\n    a\\n      b\\n""")', "\na\n  b\n"),
        ('dedent("  x\\n  y")', "x\ny"),
    ],
)
def test_a_value_built_from_literals_is_computed(source: str, value: object) -> None:
    assert _value(source) == (True, value)


@pytest.mark.parametrize(
    "source",
    [
        "x",  # a name
        "len('abc')",  # a call of anything else
        "'a'.join(names)",
        "'a'.join([1, 2])",  # (a TypeError in Python too)
        "f'{x}'",  # a placeholder
        "'%s' % 3",  # formatting
        "os.path.join('a', 'b')",
        "'a'.format(3)",
        "1 / 0",
        "-'a'",
        "[*xs]",
        "{**d}",
        "'abc'.strip(chars)",
        "'a' if x else 'b'",
        "dedent('a', 'b')",
        "wrap.dedent('a')",  # (not textwrap's)
        "b'x'.decode('unicode-escape', 'test.handler1')",  # (CPython's own test_codecs)
        "'x'.encode('rot13')",
        "True + 1",  # (booleans are no numbers here)
        "1 < 2",
    ],
)
def test_anything_else_is_not(source: str) -> None:
    assert _value(source) == (False, None)


@pytest.mark.parametrize(
    "source",
    [
        f"'x' * {MAX_SIZE + 1}",
        "'x' * 10 ** 9",
        "[0] * 10 ** 12",
        "10 ** 10 ** 9",
        "(2 ** 70) ** 3",
        f"'ab'.replace('a', 'a' * {MAX_SIZE})",
        "'-'.join(['a' * 1000] * 1000)",
    ],
)
def test_a_value_too_large_is_not_computed(source: str) -> None:
    # (refused before anything is computed: computed, they would take minutes or all
    # the memory)
    assert _value(source) == (False, None)
