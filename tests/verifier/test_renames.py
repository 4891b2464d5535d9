"""A rename across code and tests (``add`` to ``plus`` in calc.py and in its tests) is
verified on the tests renamed: they are the user's tests under the new names.  Before,
the code change was first judged with the tests as they were, which still call ``add``:
every model's rename failed, and was held against it.  Anything more than a renaming of
what the code renamed is judged as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.edits import texts_before
from acrouter.verifier.renames import renames_in_tests, renaming

from .helpers import CALC_FIXED, TEST_CALC, pytest_cmd, task_for, verifier, write_tree

PLUS = CALC_FIXED.replace("def add(", "def plus(")
TEST_PLUS = TEST_CALC.replace("add", "plus")  # also test_add -> test_plus: see below
#: the tests with the function renamed, the test's own name kept
RENAMED = TEST_CALC.replace("import add,", "import plus,").replace("assert add(", "assert plus(")

GONE, MADE = {"add"}, {"plus"}


def test_a_renaming_is_read_from_the_tokens() -> None:
    assert renaming(TEST_CALC, RENAMED, GONE, MADE) == {"add": "plus"}
    # layout and a comment that follows the rename (or not) are no change
    wrapped = RENAMED.replace("assert plus(2, 3) == 5", "assert plus(\n        2, 3\n    ) == 5")
    assert renaming(TEST_CALC, wrapped, GONE, MADE) == {"add": "plus"}
    old = TEST_CALC.replace("def test_add():", "def test_add():  # add adds")
    assert renaming(
        old, RENAMED.replace("def test_add():", "def test_add():  # plus adds"), GONE, MADE
    )
    assert renaming(
        old, RENAMED.replace("def test_add():", "def test_add():  # add adds"), GONE, MADE
    )
    assert (
        renaming(old, RENAMED.replace("def test_add():", "def test_add():  # fine"), GONE, MADE)
        is None
    )


@pytest.mark.parametrize(
    "new",
    [
        RENAMED.replace("== 5", "== 6"),  # what it checks
        RENAMED.replace("assert plus(2, 3)", "assert plus(2, 2)"),
        RENAMED.replace("def test_add", "def _test_add"),  # a name the code did not rename
        TEST_PLUS,  # test_add -> test_plus: not a name of the code
        RENAMED.replace("    assert mul(2, 3) == 6\n", "    pass\n"),  # a test emptied
        RENAMED + "\n\ndef test_more():\n    assert plus(1, 1) == 2\n",  # more tokens
    ],
)
def test_anything_more_than_the_renaming_is_not_one(new: str) -> None:
    assert renaming(TEST_CALC, new, GONE, MADE) is None


def test_two_names_never_become_one() -> None:
    both = RENAMED.replace("plus, mul", "plus").replace("assert mul(", "assert plus(")
    assert renaming(TEST_CALC, both, {"add", "mul"}, {"plus"}) is None
    assert renaming(
        TEST_CALC,
        RENAMED.replace("plus, mul", "plus, times").replace("assert mul(", "assert times("),
        {"add", "mul"},
        {"plus", "times"},
    )


def test_a_string_is_never_renamed() -> None:
    old = 'import calc\n\n\ndef test_add():\n    assert getattr(calc, "add")(2, 3) == 5\n'
    new = old.replace('"add"', '"plus"')
    assert renaming(old, new, GONE, MADE) is None


def test_names_python_or_the_harness_gives_are_never_renamed() -> None:
    # a code module defining assertEqual (or print, or __eq__) does not make the tests'
    # assertEqual its own: renamed to assertTrue, the test would check less
    old = "import unittest\n\n\nclass T(unittest.TestCase):\n    def test(self):\n        self.assertEqual(1, 1)\n"
    new = old.replace("assertEqual", "assertTrue")
    assert renaming(old, new, {"assertEqual"}, {"assertTrue"}) is None
    assert renaming("print(1)\n", "show(1)\n", {"print"}, {"show"}) is None
    assert renaming("x.__eq__(1)\n", "x.eq(1)\n", {"__eq__"}, {"eq"}) is None


def test_the_new_name_must_be_new_to_the_test_file() -> None:
    # "plus" already means something in the old test: renaming add to it would merge them
    old = TEST_CALC + "\n\ndef plus(a, b):\n    return 0\n"
    new = RENAMED + "\n\ndef plus(a, b):\n    return 0\n"
    assert renaming(old, new, GONE, MADE) is None


def test_only_names_the_code_renamed_count(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_CALC})
    tests = ["tests/test_calc.py"]

    def renames(edit: dict[str, str], unsaved: dict[str, str]) -> dict[str, str] | None:
        return renames_in_tests(tests, edit, texts_before(root, edit, unsaved))

    edit = {"calc.py": PLUS, "tests/test_calc.py": RENAMED}
    assert renames(edit, {}) == {"add": "plus"}
    # the code keeps add (plus is new beside it): the tests' change is a real change
    both = {"calc.py": CALC_FIXED + PLUS.split("\n\n\n")[0] + "\n", "tests/test_calc.py": RENAMED}
    assert renames(both, {}) is None
    # what the edit was made from is the editor's buffer when there is one
    assert renames(edit, {"calc.py": PLUS}) is None


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", {"calc.py": CALC_FIXED, "tests/test_calc.py": TEST_CALC})


def test_a_rename_across_code_and_tests_is_verified(proj: Path) -> None:
    edit = Edit(files={"calc.py": PLUS, "tests/test_calc.py": RENAMED})
    v = verifier().verify(task_for(proj, pytest_cmd(proj), kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    assert v.detail.startswith(
        "with your tests, add to plus renamed in tests/test_calc.py as in the code: "
        "2 passed, 0 failed"
    ), v.detail


def test_a_rename_that_also_breaks_the_code_fails(proj: Path) -> None:
    broken = PLUS.replace("a + b", "a - b")
    edit = Edit(files={"calc.py": broken, "tests/test_calc.py": RENAMED})
    v = verifier().verify(task_for(proj, pytest_cmd(proj), kind="refactoring"), edit, "m")
    assert v.verdict == "fail" and "test_add" in v.detail, v.detail


def test_a_rename_with_a_weakened_test_is_judged_with_the_tests_as_they_were(proj: Path) -> None:
    broken = PLUS.replace("a + b", "a - b")
    weakened = RENAMED.replace("assert plus(2, 3) == 5", "assert plus(2, 3) == -1")
    edit = Edit(files={"calc.py": broken, "tests/test_calc.py": weakened})
    v = verifier().verify(task_for(proj, pytest_cmd(proj), kind="refactoring"), edit, "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith(
        "with your tests (the edit's changes to tests/test_calc.py set aside)"
    )


def test_a_test_named_after_what_it_tests_keeps_its_old_name(tmp_path: Path) -> None:
    # a doctest is named after its function (calc.py::calc.add): renamed, it is the same
    # test, not one that stopped running (found with humanize's intcomma)
    doc = '    """\n    >>> add(2, 3)\n    5\n    """\n'
    calc = CALC_FIXED.replace("def add(a, b):\n", "def add(a, b):\n" + doc)
    root = write_tree(tmp_path / "proj", {"calc.py": calc, "tests/test_calc.py": TEST_CALC})
    plus = calc.replace("add(", "plus(")
    edit = Edit(files={"calc.py": plus, "tests/test_calc.py": RENAMED})
    command = pytest_cmd(root, "--doctest-modules", str(root / "calc.py"))
    v = verifier().verify(task_for(root, command, kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    assert "3 passed, 0 failed (before: 3 passed, 0 failed)" in v.detail, v.detail
    # the doctest failing under its new name is a failing test, named as before
    broken = plus.replace("a + b", "a - b")
    edit = Edit(files={"calc.py": broken, "tests/test_calc.py": RENAMED})
    v = verifier().verify(task_for(root, command, kind="refactoring"), edit, "m")
    assert v.verdict == "fail" and "calc.py::calc.add" in v.detail, v.detail
