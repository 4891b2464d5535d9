"""Doctests are tests inside the code: an edit that rewrites a docstring's expected
output to what its broken code prints is judged with the docstring as it was.  Before,
a function covered only by its doctest, broken and its doctest rewritten to match, was a
verified edit (``pytest --doctest-modules``)."""

from __future__ import annotations

from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier.doctests import with_old_doctests

from .helpers import PYTEST, task_for, verifier, write_tree

CALC = '''\
"""Arithmetic.

>>> add(1, 1)
2
"""


def add(a, b):
    """Add two numbers.

    >>> add(2, 3)
    5
    """
    return a + b


class Calc:
    def twice(self, x):
        """
        >>> Calc().twice(4)
        8
        """
        return 2 * x
'''


def test_the_docstrings_whose_examples_changed_are_put_back() -> None:
    cheat = CALC.replace("return a + b", "return a - b").replace("    5\n", "    -1\n")
    assert with_old_doctests(CALC, cheat) == CALC.replace("return a + b", "return a - b")
    # a class method's, by its qualified name; the rest of the file is the edit's
    cheat = CALC.replace("return 2 * x", "return 3 * x").replace("        8\n", "        12\n")
    assert with_old_doctests(CALC, cheat) == CALC.replace("return 2 * x", "return 3 * x")
    # prose, code and new examples where there were none are no change to the tests
    prose = CALC.replace("Add two numbers.", "Add two numbers (ints or floats).")
    assert with_old_doctests(CALC, prose) is None
    assert with_old_doctests(CALC, CALC.replace("return a + b", "return b + a")) is None
    extra = CALC.replace(
        "    def twice",
        '    def half(self, x):\n        """\n        >>> 1\n        1\n        """\n        return x / 2\n\n    def twice',
    )
    assert with_old_doctests(CALC, extra) is None
    # no old text, or a file that does not parse: nothing to put back
    assert with_old_doctests(None, CALC) is None
    assert with_old_doctests(CALC, "def broken(:\n") is None


def test_an_example_added_to_a_docstring_with_examples_is_judged_whole() -> None:
    more = CALC.replace(
        "    >>> add(2, 3)\n    5\n", "    >>> add(2, 3)\n    5\n    >>> add(0, 0)\n    0\n"
    )
    assert with_old_doctests(CALC, more) == CALC


def _project(tmp_path: Path) -> tuple[Path, str]:
    root = write_tree(
        tmp_path / "proj",
        {"calc.py": CALC, "tests/test_other.py": "def test_nothing():\n    pass\n"},
    )
    return root, f"{PYTEST} --doctest-modules {root / 'calc.py'} {root / 'tests'}"


def test_a_bug_with_its_doctest_rewritten_to_match_is_not_verified(tmp_path: Path) -> None:
    root, command = _project(tmp_path)
    cheat = CALC.replace("return a + b", "return a - b").replace("    5\n", "    -1\n")
    cheat = cheat.replace(">>> add(1, 1)\n2\n", ">>> add(1, 1)\n0\n")
    v = verifier().verify(task_for(root, command), Edit(files={"calc.py": cheat}), "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith("with your tests (the doctests of calc.py as they were): "), v.detail
    assert "calc.py::calc.add" in v.detail


def test_a_fix_with_a_new_doctest_example_passes(tmp_path: Path) -> None:
    root, command = _project(tmp_path)
    buggy = CALC.replace("return a + b", "return a + b if a else b - 1")
    (root / "calc.py").write_text(buggy)
    fixed = buggy.replace("return a + b if a else b - 1", "return a + b").replace(
        "    >>> add(2, 3)\n    5\n", "    >>> add(2, 3)\n    5\n    >>> add(0, 3)\n    3\n"
    )
    v = verifier().verify(task_for(root, command), Edit(files={"calc.py": fixed}), "m")
    assert v.verdict == "pass", v.detail
    assert v.detail.startswith("with your tests: "), v.detail
    assert "with its changes to calc.py: " in v.detail


TUTORIAL = """Using calc
==========

>>> from calc import add
>>> add(2, 3)
5
"""

#: like jsonpointer's tests.py: the tutorial's examples run as a test
TESTS_PY = """import doctest
import unittest


def load_tests(loader, tests, ignore):
    tests.addTests(doctest.DocFileSuite("doc/tutorial.rst"))
    return tests
"""


def test_a_tutorial_run_as_tests_is_the_users_tests_too(tmp_path: Path) -> None:
    # the code's only test is the tutorial's example: a bug with the example rewritten
    # to match was verified (the document is no test file by its name)
    code = "def add(a, b):\n    return a + b\n"
    root = write_tree(
        tmp_path / "proj", {"calc.py": code, "doc/tutorial.rst": TUTORIAL, "tests.py": TESTS_PY}
    )
    command = f"{PYTEST.replace('-m pytest -q', '-m unittest')} tests"
    cheat = {
        "calc.py": code.replace("a + b", "a - b"),
        "doc/tutorial.rst": TUTORIAL.replace("5\n", "-1\n"),
    }
    v = verifier().verify(task_for(root, command), Edit(files=cheat), "m")
    assert v.verdict == "fail", v.detail
    assert v.detail.startswith("with your tests (the doctests of doc/tutorial.rst as they were)"), (
        v.detail
    )
    # prose changed around the examples is no change to the tests
    prose = {"doc/tutorial.rst": TUTORIAL.replace("Using calc", "Using calc, the adder")}
    v = verifier().verify(task_for(root, command), Edit(files=prose), "m")
    assert v.verdict == "pass" and not v.detail.startswith("with your tests"), v.detail


def test_suites_a_test_module_adds_in_load_tests_run(tmp_path: Path) -> None:
    # `python -m unittest` ran through pytest when the interpreter has it, and pytest
    # ignores load_tests: the doctests it adds never ran, and an edit breaking what
    # only they cover was verified ("1 passed, 0 failed")
    tests = (
        "import doctest\nimport unittest\n\nimport calc\n\n\n"
        "class T(unittest.TestCase):\n    def test_other(self):\n        self.assertTrue(calc)\n\n\n"
        "def load_tests(loader, tests, ignore):\n"
        "    tests.addTests(doctest.DocTestSuite(calc))\n    return tests\n"
    )
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "test_calc.py": tests})
    command = PYTEST.replace("-m pytest -q", "-m unittest")
    broken = {"calc.py": CALC.replace("return a + b", "return a - b")}
    v = verifier().verify(task_for(root, command), Edit(files=broken), "m")
    assert v.verdict == "fail", v.detail
    assert "calc.add" in v.detail and "expected 2, got 0" in v.detail, v.detail


def test_a_renamed_functions_doctest_is_still_the_users(tmp_path: Path) -> None:
    # add renamed to plus across code and tests: the docstring is found under the new
    # name, and one whose examples changed beyond the renaming is put back, renamed
    sigma = {"add": "plus"}
    renamed = CALC.replace("add", "plus")
    assert with_old_doctests(CALC, renamed, sigma) is None
    hollowed = renamed.replace("    >>> plus(2, 3)\n    5\n", "    >>> 1\n    1\n")
    assert with_old_doctests(CALC, hollowed, sigma) == renamed
    # end to end: broken, renamed, its doctest (its only test) hollowed -> not verified
    root, command = _project(tmp_path)
    edit = {
        "calc.py": hollowed.replace("return a + b", "return a - b").replace(
            ">>> plus(1, 1)\n2\n", ">>> 2\n2\n"
        )
    }
    v = verifier().verify(task_for(root, command, text="Rename add to plus"), Edit(files=edit), "m")
    assert v.verdict == "fail", v.detail
