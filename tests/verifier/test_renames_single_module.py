"""A rename across code and tests in a project shaped like six 1.17.0: one module at the
root (``calc.py``), its tests beside it (``test_calc.py``), and a document naming the
function whose headings are underlined with ``>>>>>>`` (six's ``documentation/index.rst``),
which doctest cannot read whole.  Found with ``benchmarks/verify_trust.py --only six``:
``with_metaclass`` renamed in six.py, test_six.py and index.rst came back *fail*, the
tests' changes set aside ("module 'six' has no attribute 'with_metaclass'"): a document
doctest could not read counted as a rename reaching an example's strings, so the rename
was not read as one.  Such a document is now read paragraph by paragraph
(``doctests.document_examples``); a paragraph doctest cannot read is one example, its
whole text.  Anything more than a renaming of the tests is still set aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit
from acrouter.verifier.doctests import document_examples
from acrouter.verifier.testfiles import touched_tests

from .helpers import CALC_FIXED, OVERLAY_AND_NONE, PYTEST, task_for, verifier, write_tree

MODES = OVERLAY_AND_NONE

TEST_CALC = """\
import calc


def test_add():
    assert calc.add(2, 3) == 5


def test_mul():
    assert calc.mul(2, 3) == 6
"""

#: six's documentation/index.rst in small: headings underlined with ">>>", the function
#: named in prose and in a code block, and one example that doctest would run
INDEX = """\
calc
====

Functions
>>>>>>>>>

.. function:: add(a, b)

   Adds, as in::

      from calc import add
      total = add(1, 2)

Products
>>>>>>>>

>>> from calc import mul
>>> mul(2, 3)
6
"""

PLUS = CALC_FIXED.replace("def add(", "def plus(")
TEST_PLUS = TEST_CALC.replace("calc.add(", "calc.plus(")
INDEX_PLUS = INDEX.replace("add", "plus")
PATTERNS = ("test_*.py",)


def _olds(edit: dict[str, str]) -> dict[str, str | None]:
    before = {"calc.py": CALC_FIXED, "test_calc.py": TEST_CALC, "index.rst": INDEX}
    return {rel: before.get(rel) for rel in edit}


def test_a_document_doctest_cannot_read_whole_is_read_paragraph_by_paragraph() -> None:
    examples = document_examples(INDEX)
    assert examples == [
        ("Functions\n>>>>>>>>>\n", ""),  # (a paragraph doctest cannot read: whole)
        ("Products\n>>>>>>>>\n", ""),
        ("from calc import mul\n", ""),
        ("mul(2, 3)\n", "6\n"),
    ]
    # a document doctest reads whole is read as doctest reads it
    assert document_examples(">>> 1 + 1\n2\n\ntext\n") == [("1 + 1\n", "2\n")]


def test_the_rename_is_read_as_one_and_the_document_is_not_put_back() -> None:
    edit = {"calc.py": PLUS, "test_calc.py": TEST_PLUS, "index.rst": INDEX_PLUS}
    tests, renamed, restored = touched_tests(edit, PATTERNS, _olds(edit))
    assert (tests, renamed, restored) == (["test_calc.py"], {"add": "plus"}, {})


def test_a_rename_reaching_an_example_of_such_a_document_is_none() -> None:
    # the example's expected output names the function in a string: renamed as text, it
    # checks something else; the heading paragraph changed too: a change to an example
    index = INDEX.replace(">>> mul(2, 3)\n6\n", ">>> calc.add.__name__\n'add'\n")
    edit = {"calc.py": PLUS, "test_calc.py": TEST_PLUS, "index.rst": index.replace("add", "plus")}
    olds = {**_olds(edit), "index.rst": index}
    _, renamed, restored = touched_tests(edit, PATTERNS, olds)
    assert renamed is None and "index.rst" in restored
    retitled = {**edit, "index.rst": INDEX_PLUS.replace("Products\n>", "Sums\n>")}
    _, renamed, restored = touched_tests(retitled, PATTERNS, _olds(edit))
    assert renamed == {"add": "plus"} and restored == {"index.rst": INDEX}


def _project(root: Path) -> tuple[Path, str]:
    root = write_tree(root, {"calc.py": CALC_FIXED, "test_calc.py": TEST_CALC, "index.rst": INDEX})
    return root, f"{PYTEST} {root / 'test_calc.py'}"


@pytest.mark.parametrize("mode", MODES)
def test_a_rename_in_a_single_module_project_is_verified(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root, command = _project(tmp_path / "proj")
    edit = Edit(files={"calc.py": PLUS, "test_calc.py": TEST_PLUS, "index.rst": INDEX_PLUS})
    v = verifier(**mode).verify(task_for(root, command, kind="refactoring"), edit, "m")
    assert v.verdict == "pass", v.detail
    assert v.detail.startswith(
        "with your tests, add to plus renamed in test_calc.py as in the code: 2 passed, 0 failed"
    ), v.detail


@pytest.mark.parametrize("mode", MODES)
def test_a_change_to_the_tests_beyond_the_rename_is_still_set_aside(
    tmp_path: Path, mode: dict[str, object]
) -> None:
    root, command = _project(tmp_path / "proj")
    broken = PLUS.replace("a + b", "a - b")
    weakened = TEST_PLUS.replace("== 5", "== -1")
    edit = Edit(files={"calc.py": broken, "test_calc.py": weakened, "index.rst": INDEX_PLUS})
    v = verifier(**mode).verify(task_for(root, command, kind="refactoring"), edit, "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith("with your tests (the edit's changes to test_calc.py set aside)"), (
        v.detail
    )
    assert "test_calc.py::test_add" in v.detail, v.detail
