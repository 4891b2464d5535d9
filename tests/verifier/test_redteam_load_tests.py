"""Attacks on the load_tests rule (detection.uses_load_tests): a test module whose
load_tests is not written ``def load_tests(`` at a line's start.  ``python -m unittest``
was then run through pytest, which ignores load_tests: the doctests it adds never ran,
and an edit breaking what only they cover was verified ('1 passed, 0 failed')."""

from __future__ import annotations

from pathlib import Path

import pytest
from acrouter.domain import Edit

from .helpers import PYTEST, task_for, verifier, write_tree

CALC = '''\
def add(a, b):
    """
    >>> add(2, 3)
    5
    """
    return a + b
'''
HEAD = (
    "import doctest\nimport unittest\n\nimport calc\n\n\n"
    "class T(unittest.TestCase):\n    def test_other(self):\n        self.assertTrue(calc)\n\n\n"
)
BODY = (
    "(loader, tests, ignore):\n    tests.addTests(doctest.DocTestSuite(calc))\n    return tests\n"
)
#: (test module, other files): load_tests assigned, imported, or spaced
FORMS = {
    "assigned": (HEAD + "def _doctests" + BODY + "\n\nload_tests = _doctests\n", {}),
    "imported": (
        HEAD + "from suites import load_tests  # noqa: F401\n",
        {"suites.py": "import doctest\n\nimport calc\n\n\ndef load_tests" + BODY},
    ),
    "spaced": (HEAD + "def load_tests " + BODY, {}),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_any_load_tests_keeps_unittest(tmp_path: Path, form: str) -> None:
    module, more = FORMS[form]
    root = write_tree(tmp_path / "proj", {"calc.py": CALC, "test_calc.py": module, **more})
    command = PYTEST.replace("-m pytest -q", "-m unittest")
    broken = {"calc.py": CALC.replace("return a + b", "return a - b")}
    v = verifier().verify(task_for(root, command), Edit(files=broken), "m")
    assert v.verdict == "fail", v.detail
    assert "calc.add" in v.detail, v.detail


def test_a_star_import_may_bring_load_tests(tmp_path: Path) -> None:
    from acrouter.verifier.detection import uses_load_tests

    root = write_tree(tmp_path, {"test_a.py": "from suites import *\n", "suites.py": "x = 1\n"})
    assert uses_load_tests(root, ".", "test*.py")
    (root / "test_a.py").write_text("import suites\n")
    assert not uses_load_tests(root, ".", "test*.py")
