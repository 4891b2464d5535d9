"""The trust benchmark's *tests hollowed* edit (``benchmarks/trust_edits.hollow_tests``)
must leave valid Python: on parse 1.22.4 it cut ``tests/test_bugs.py``'s
``test_user_type_with_group_count_issue60`` from its inner function's ``def``, leaving
the decorator over ``pass`` (a syntax error, line 31), so that row of the benchmark
measured a syntax error of its own making, not the verifier."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def hollow_tests():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from trust_edits import hollow_tests
    finally:
        sys.path.remove(str(BENCHMARKS))
    return hollow_tests


# the shapes of parse's test_bugs.py and more: a decorated function first in a test, a
# test nested in a test, a body on the def's line, a decorated test, a docstring
TESTS = '''\
import parse


def test_user_type():
    @parse.with_pattern(r"((\\w+))", regex_group_count=2)
    def parse_word(text):
        return text

    assert parse.parse("{:w}", "a", {"w": parse_word})


def test_outer():
    def test_inner():
        assert parse.parse("{}", "x")

    test_inner()


def test_one_line(): assert parse.parse("{}", "x")


@pytest.mark.parametrize("x", [1])
def test_decorated(x):
    """Doc."""
    assert parse.parse("{}", str(x))


class TestIt:
    async def test_method(self):
        assert parse.search("{}", "x")


def test_other():
    assert 1 + 1 == 2
'''


def test_the_hollowed_tests_are_valid_python(tmp_path: Path, hollow_tests) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_bugs.py").write_text(TESTS, encoding="utf-8")
    out = hollow_tests(tmp_path, "parse")
    text = out["tests/test_bugs.py"]
    tree = ast.parse(text)
    bodies = {
        n.name: [type(s).__name__ for s in n.body]
        for n in ast.walk(tree)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    assert bodies == {
        "test_user_type": ["Pass"],
        "test_outer": ["Pass"],
        "test_one_line": ["Pass"],
        "test_decorated": ["Pass"],
        "test_method": ["Pass"],
        "test_other": ["Assert"],
    }
    assert "@pytest.mark.parametrize" in text and "regex_group_count" not in text
