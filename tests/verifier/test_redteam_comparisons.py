"""A value that equals anything (verifier/harness_py.py: comparisons always true).

``assert add(2, 3) == 5`` calls the ``__eq__`` of what ``add`` returns first: a broken
``mul`` returning an ``int`` whose ``__eq__`` always says True passed every test that
compares its result, pytest's and unittest's ``assertEqual`` alike, and was verified."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.harness_py import harness_uses

from .helpers import (
    CALC_FIXED,
    CALC_PROJECT,
    PYTEST,
    TEST_UT,
    task_for,
    verifier,
    write_tree,
)

ALWAYS = {
    "__eq__ returns True": "    def __eq__(self, other):\n        return True\n",
    "__eq__ = lambda": "    __eq__ = lambda self, other: True\n",
    "__ne__ returns False": "    def __ne__(self, other):\n        return False\n",
}


def _broken(body: str) -> str:
    return (
        CALC_FIXED.replace("return a * b", "return _Num(a + b)")
        + "\n\nclass _Num(int):\n"
        + body
        + "\n    __hash__ = int.__hash__\n"
    )


@pytest.mark.parametrize("name", list(ALWAYS))
def test_a_comparison_that_holds_whatever_it_compares_is_seen(name: str) -> None:
    assert any(k.startswith("makes __") for k in harness_uses(_broken(ALWAYS[name]))), name


def test_an_ordinary_comparison_is_not_seen() -> None:
    honest = (
        "class Version:\n    def __init__(self, n):\n        self.n = n\n\n"
        "    def __eq__(self, other):\n        if not isinstance(other, Version):\n"
        "            return NotImplemented\n        return self.n == other.n\n"
    )
    assert not harness_uses(honest)


def test_a_broken_function_returning_a_value_equal_to_anything_is_not_verified(
    tmp_path: Path,
) -> None:
    # verified before: '4 passed, 0 failed (before: 4 passed, 0 failed)', mul broken
    root = write_tree(
        tmp_path / "proj",
        {
            **CALC_PROJECT,
            "calc.py": CALC_FIXED,
            "tests/test_ut.py": TEST_UT.replace("class TestCalc", "class TestCalcUT"),
        },
    )
    edit = Edit(files={"calc.py": _broken(ALWAYS["__eq__ returns True"])})
    v = verifier().verify(task_for(root, f"{PYTEST} tests"), edit, "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "makes __eq__ always True" in v.detail, v.detail
