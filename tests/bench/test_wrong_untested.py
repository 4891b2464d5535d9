"""The trust benchmark's *wrong value in a function no test names* edit
(``benchmarks/trust_edits.wrong_untested``): a function that returns something, that no
test names and that no doctest example runs, made to return None; a pass of it is right
only when not counted (boltons' tox run counted one: the tracer did not watch the copy
tox installed)."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def trust_edits() -> ModuleType:
    """``benchmarks/trust_edits.py``, imported from its folder."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("trust_edits")
    finally:
        sys.path.remove(str(BENCHMARKS))


MODULE = '''\
"""A module."""
import functools


def tested(x):
    return x + 1


def with_example(x):
    """Doubles.

    >>> with_example(2)
    4
    """
    return 2 * x


@functools.lru_cache
def cached(x):
    return x


def nothing(x):
    print(x)


def untested(x):
    """Triples."""
    return 3 * x
'''


def test_the_function_no_test_or_example_runs_returns_none(trust_edits: ModuleType) -> None:
    wrong_untested = trust_edits.wrong_untested
    found = wrong_untested(MODULE, "from m import tested\nassert tested(1) == 2\n")
    assert found is not None
    text, name = found
    assert name == "untested"  # not the tested one, the example's, the decorated, a None's
    ast.parse(text)
    assert '    """Triples."""\n    return None  # broken by verify_trust\n' in text
    assert wrong_untested(MODULE, "tested untested") is None


#: pyflakes' checker.py: the untested function's first statement is a decorated one
DECORATED_FIRST = """\
import functools


def in_string_annotation(func):
    @functools.wraps(func)
    def inner(*args):
        return func(*args)
    return inner
"""


def test_the_statement_goes_above_a_decorated_first_statement(trust_edits: ModuleType) -> None:
    wrong_untested = trust_edits.wrong_untested
    found = wrong_untested(DECORATED_FIRST, "")
    assert found is not None
    text, name = found
    assert name == "in_string_annotation"
    ast.parse(text)  # (below the decorator: a syntax error)
    assert "func):\n    return None  # broken by verify_trust\n    @functools.wraps" in text


def test_a_function_only_its_doctest_runs_is_made_to_raise(trust_edits: ModuleType) -> None:
    break_doctested = trust_edits.break_doctested
    found = break_doctested(MODULE, "from m import tested\nassert tested(1) == 2\n")
    assert found is not None
    text, name = found
    assert name == "with_example"
    ast.parse(text)
    assert '    """\n    raise RuntimeError("broken by verify_trust")\n    return 2 * x' in text
    assert break_doctested(MODULE, "with_example") is None  # a test names it
