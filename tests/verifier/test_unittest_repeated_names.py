"""unittest's ``-v`` output names a test by its method (``str(test)``), so instances of
one method run with other parameters (a ``load_tests`` adding one per format,
testscenarios' scenarios of a plain ``TestCase``) print the same line.  Read as one
test, an edit that made one of them stop running (the format dropped from the list the
tests are made from, its code broken) was a counted pass: '1 passed, 0 failed (before:
1 passed, 0 failed)'.  Each is now a test of its own (``name #K``)."""

from __future__ import annotations

from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier.reports.common import FAILED, PASSED
from acrouter.verifier.reports.unittest_verbose import parse_unittest

from .helpers import PYTEST, task_for, verifier, write_tree

FMT = """\
FORMATS = ("json", "csv", "xml")


def dump(kind, value):
    if kind == "json":
        return "[%s]" % value
    if kind == "csv":
        return "%s," % value
    if kind == "xml":
        return "<v>%s</v>" % value
    raise ValueError(kind)
"""
#: one test method, run once per format by load_tests (pytest would never run these)
TEST_FMT = """\
import unittest

import fmt


class DumpTest(unittest.TestCase):
    def __init__(self, method="test_dump", kind="json"):
        super().__init__(method)
        self.kind = kind

    def test_dump(self):
        self.assertIn("1", fmt.dump(self.kind, 1))


def load_tests(loader, tests, pattern):
    suite = loader.suiteClass()
    for kind in fmt.FORMATS:
        suite.addTest(DumpTest("test_dump", kind))
    return suite
"""
UNITTEST = PYTEST.replace("-m pytest -q", "-m unittest")


def test_a_repeated_test_that_no_longer_runs_fails(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"fmt.py": FMT, "test_fmt.py": TEST_FMT})
    dropped = FMT.replace('("json", "csv", "xml")', '("json", "csv")').replace(
        '"<v>%s</v>" % value', '"<v></v>"'
    )
    v = verifier().verify(task_for(root, UNITTEST), Edit(files={"fmt.py": dropped}), "m")
    assert v.verdict == "fail", v.detail
    assert "no longer ran: test_fmt.DumpTest.test_dump #3" in v.detail, v.detail
    assert "(before: 3 passed, 0 failed)" in v.detail, v.detail


def test_a_harmless_edit_of_repeated_tests_passes(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "proj", {"fmt.py": FMT, "test_fmt.py": TEST_FMT})
    commented = FMT.replace("def dump", "# one value in each format\ndef dump")
    v = verifier().verify(task_for(root, UNITTEST), Edit(files={"fmt.py": commented}), "m")
    assert v.verdict == "pass", v.detail
    assert "3 passed, 0 failed" in v.detail, v.detail


VERBOSE = """\
test_dump (test_fmt.DumpTest.test_dump) ... ok
test_dump (test_fmt.DumpTest.test_dump) ... FAIL
test_dump (test_fmt.DumpTest.test_dump) ... ok

======================================================================
FAIL: test_dump (test_fmt.DumpTest.test_dump)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "test_fmt.py", line 12, in test_dump
    self.assertIn("1", fmt.dump(self.kind, 1))
AssertionError: '1' not found in '<v></v>'

----------------------------------------------------------------------
Ran 3 tests in 0.001s

FAILED (failures=1)
"""


def test_each_printing_is_a_test_and_the_failure_stays_its_own(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text(VERBOSE)
    report = parse_unittest(out)
    assert report is not None
    name = "test_fmt.DumpTest.test_dump"
    # the failure's details name the method only: the first printing, which passed,
    # is not made a failure by them
    assert report.outcomes == {name: PASSED, f"{name} #2": FAILED, f"{name} #3": PASSED}
