"""Tests that fail before the edit and still fail after it, with nothing else broken:
for a request that is not a fix (a docstring, a refactoring) they may have nothing to do
with it, so the attempt is not held against the model; for a bug fix they are what the
edit should have fixed, and it is.

The whole loop: the Orchestrator with a fake gateway, the real prompts and the real
sandboxed verifier on a tiny project whose suite has one failing test."""

from __future__ import annotations

from pathlib import Path

from .helpers import CALC, CALC_FIXED, needs_bwrap, route, write_tree

TESTS = (
    "from calc import add, mul\n\n\n"
    "def test_add():\n    assert add(2, 3) == 5\n\n\n"
    "def test_mul():\n    assert mul(2, 3) == 6\n"
)
DOCSTRING = (
    "calc.py\n```python\n<<<<<<< SEARCH\ndef mul(a, b):\n=======\ndef mul(a, b):\n"
    '    """The product of a and b."""\n>>>>>>> REPLACE\n```\n'
)


@needs_bwrap
def test_a_docstring_in_a_project_with_a_failing_test_is_not_held_against_the_model(
    tmp_path: Path,
) -> None:
    # add() is broken before the request, and the request is about mul()
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TESTS})
    (root / ".git").mkdir()
    task, result, _, memory = route(
        root, "Write a docstring for mul", {"cheap": DOCSTRING, "strong": DOCSTRING}, 2
    )
    assert task.kind != "bug_fixing"
    assert [(a.verdict, a.counted) for a in result.attempts] == [("fail", False)] * 2
    assert not result.verified and result.edit is None  # still no verified edit
    assert "the 1 test failing before the edit still fails" in result.attempts[0].detail
    assert "test_add" in result.attempts[0].detail
    assert "No model is at fault here" in result.why
    assert "leave them out of the test command" in result.why
    assert [a.counted for a in memory.outcomes()[0].attempts] == [False, False]


@needs_bwrap
def test_a_bug_fix_that_leaves_the_failing_test_failing_is_held_against_the_model(
    tmp_path: Path,
) -> None:
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "tests/test_calc.py": TESTS})
    (root / ".git").mkdir()
    fix = (
        "calc.py\n```python\n<<<<<<< SEARCH\n"
        + CALC
        + "=======\n"
        + CALC_FIXED
        + ">>>>>>> REPLACE\n```\n"
    )
    task, result, _, memory = route(root, "Fix the bug in add", {"cheap": DOCSTRING, "strong": fix})
    assert task.kind == "bug_fixing"
    assert [(a.model, a.verdict, a.counted) for a in result.attempts] == [
        ("cheap", "fail", True),
        ("strong", "pass", True),
    ]
    assert result.attempts[0].detail.startswith("1 failing test: tests/test_calc.py::test_add")
    assert result.verified and result.final_model == "strong"
    assert [a.counted for a in memory.outcomes()[0].attempts] == [True, True]
