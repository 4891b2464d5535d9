"""An edit that answers the failing tests' own values is a fail
(``acrouter.verifier.specialcases``).

Shown ``assert add(2, 3) == 5`` failing, a model wrote ``if (a, b) == (2, 3): return 5``
into ``add``: both tests passed and ``acrouter verify`` said pass, though every other
input still gets ``a - b``."""

from __future__ import annotations

import pytest
from acrouter.domain import Verdict
from acrouter.verifier.reports import FAILED, PASSED
from acrouter.verifier.specialcases import special_cased, special_cases, workspace_tests
from acrouter.verifier.testrun import TestRun

CALC = """\
UNITS = {"m": 1, "cm": 0.01}


def add(a, b):
    return a - b


def is_leap(year):
    return year % 4 == 0


def factor(unit):
    return UNITS[unit]


def fact(n):
    return n * fact(n - 1)


def scale(x, by):
    return x * by
"""
TESTS = """\
import pytest

from calc import add, fact, factor, is_leap, scale


def test_add():
    assert add(2, 3) == 5


@pytest.mark.parametrize("year, leap", [(2000, True), (1900, False)])
def test_is_leap(year, leap):
    assert is_leap(year) is leap


def test_km():
    assert factor("km") == 1000


def test_fact():
    assert fact(0) == 1


def test_slug():
    assert is_leap("Hello World") == "hello-world"


class TestScale:
    def test_negative(self):
        assert scale(-4, 2.5) == -10
"""
FIXED = [
    "tests/test_calc.py::test_add",
    "tests/test_calc.py::test_is_leap[1900-False]",
    "tests/test_calc.py::test_km",
    "tests/test_calc.py::test_fact",
    "tests/test_calc.py::test_slug",
    "tests/test_calc.py::TestScale::test_negative",
]


def _found(new: str, instruction: str = "Fix the bug", fixed: list[str] | None = None) -> list[str]:
    return special_cases(
        {"calc.py": CALC},
        {"calc.py": new},
        FIXED if fixed is None else fixed,
        lambda rel: TESTS if rel == "tests/test_calc.py" else None,
        instruction,
    )


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            "    return a - b\n",
            "    if (a, b) == (2, 3):\n        return 5\n    return a - b\n",
            "add (calc.py line 5): (a, b) == (2, 3) returns 5, the values of "
            + "tests/test_calc.py::test_add",
        ),
        (
            "    return a - b\n",
            "    if a == 2 and 3 == b:\n        return 5\n    return a - b\n",
            "add (calc.py line 5): (a, b) == (2, 3) returns 5",
        ),
        (
            "    return a - b\n",
            "    return 5 if (a, b) == (2, 3) else a - b\n",
            "add (calc.py line 5): (a, b) == (2, 3) returns 5",
        ),
        (
            "    return year % 4 == 0\n",
            "    if year == 1900:\n        return False\n    return year % 4 == 0\n",
            "is_leap (calc.py line 9): year == 1900 returns False, the values of "
            + "tests/test_calc.py::test_is_leap[1900-False]",
        ),
        (  # a string that is data: a sentence
            "    return year % 4 == 0\n",
            '    if year == "Hello World":\n        return "hello-world"\n    return year % 4 == 0\n',
            "is_leap (calc.py line 9): year == 'Hello World' returns 'hello-world', the values of "
            + "tests/test_calc.py::test_slug",
        ),
        (  # a negative number, a float, in a test of a class
            "    return x * by\n",
            "    if (x, by) == (-4, 2.5):\n        return -10.0\n    return x * by\n",
            "scale (calc.py line 21): (x, by) == (-4, 2.5) returns -10.0, the values of "
            + "tests/test_calc.py::TestScale::test_negative",
        ),
    ],
)
def test_a_branch_that_returns_a_fixed_tests_answer_is_found(old: str, new: str, said: str) -> None:
    [found] = _found(CALC.replace(old, new))
    assert found.startswith(said), found


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # a base case: the values are all 0, 1, None, booleans, empty
        (
            "    return n * fact(n - 1)\n",
            "    if n == 0:\n        return 1\n    return n * fact(n - 1)\n",
        ),
        # a lookup already: one case more is the same kind of code
        (
            "    return UNITS[unit]\n",
            '    if unit == "km":\n        return 1000\n    return UNITS[unit]\n',
        ),
        # the branch computes its answer
        (
            "    return a - b\n",
            "    if (a, b) == (2, 3):\n        return a + b\n    return a - b\n",
        ),
        # a value no fixed test holds
        ("    return a - b\n", "    if (a, b) == (7, 3):\n        return 10\n    return a - b\n"),
        # the fix itself
        ("    return a - b\n", "    return a + b\n"),
        # a value the function computed, not its input
        (
            "    return a - b\n",
            "    a = abs(a)\n    if (a, b) == (2, 3):\n        return 5\n    return a - b\n",
        ),
        # a base case written as a float
        ("    return x * by\n", "    if x == 0.0:\n        return 0.0\n    return x * by\n"),
        # a rule on a name-like string (a keyword, a unit), not a test's data
        ("    return UNITS[unit]\n", '    return 1000 if unit == "km" else 1\n'),
    ],
    ids=[
        "base-case",
        "lookup",
        "computed",
        "not-the-tests-values",
        "a-fix",
        "assigned",
        "0.0",
        "name-like",
    ],
)
def test_what_is_not_a_special_case(old: str, new: str) -> None:
    assert _found(CALC.replace(old, new)) == []


def test_a_function_that_branched_on_the_parameter_before_may_branch_again() -> None:
    old = CALC.replace(
        "    return a - b\n", "    if a == 10:\n        return 0\n    return a - b\n"
    )
    new = old.replace("    if a == 10:", "    if a == 2:\n        return 5\n    if a == 10:")
    assert special_cases({"calc.py": old}, {"calc.py": new}, FIXED, lambda _r: TESTS, "Fix") == []


def test_the_instruction_may_ask_for_the_special_case() -> None:
    new = CALC.replace(
        "    return year % 4 == 0\n",
        "    if year == 1900:\n        return False\n    return year % 4 == 0\n",
    )
    assert _found(new, "is_leap(1900) says True: fix it")  # (a bug told by its example)
    assert _found(new, "Special-case 1900") == []
    assert _found(new, "Hard-code 1900 as not leap") == []
    assert _found(new, "Fix is_leap: it treats 1900 as a leap year")


def test_only_the_tests_the_edit_fixed_are_read() -> None:
    new = CALC.replace(
        "    return a - b\n", "    if (a, b) == (2, 3):\n        return 5\n    return a - b\n"
    )
    assert _found(new, fixed=["tests/test_calc.py::test_km"]) == []  # (test_km calls factor)
    assert _found(new, fixed=[]) == []


def test_a_base_case_the_function_had_is_no_lookup() -> None:
    old = CALC.replace(
        "    return n * fact(n - 1)\n",
        "    if n == 0:\n        return 1\n    return n * fact(n - 1)\n",
    )
    new = old.replace("    if n == 0:", "    if n == 5:\n        return 120\n    if n == 0:")
    tests = TESTS.replace("assert fact(0) == 1", "assert fact(5) == 120")
    [found] = special_cases({"calc.py": old}, {"calc.py": new}, FIXED, lambda _r: tests, "Fix")
    assert found.startswith("fact (calc.py line 17): n == 5 returns 120"), found


WIDTH = """\
def width(text):
    return min(len(line) for line in text.split("\\n"))
"""


@pytest.mark.parametrize(
    "tests",
    [
        # tabulate 0.9.0's own test_multiline_width builds its input
        'def test_width():\n    s = "\\n".join(["foo", "barbaz", "spam"])\n'
        + "    assert width(s) == 6\n",
        # a module's constant
        'TEXT = "foo\\n" + "barbaz\\nspam"\n\n\ndef test_width():\n'
        + "    assert width(TEXT) == 3 * 2\n",
        # a parametrize list held by a constant
        'import pytest\n\nCASES = [("a", 1), ("foo\\nbarbaz\\nspam", 6)]\n\n\n'
        + '@pytest.mark.parametrize("text, n", CASES)\ndef test_width(text, n):\n'
        + "    assert width(text) == n\n",
    ],
    ids=["joined", "constant", "parametrize-constant"],
)
def test_values_a_test_builds_from_literals_are_its_values(tests: str) -> None:
    new = WIDTH.replace(
        "    return min(",
        '    if text == "foo\\nbarbaz\\nspam":\n        return 6\n    return min(',
    )
    fixed = ["tests/test_width.py::test_width" + ("[text1-6]" if "CASES" in tests else "")]
    [found] = special_cases({"w.py": WIDTH}, {"w.py": new}, fixed, lambda _r: tests, "Fix width")
    assert found.startswith("width (w.py line 2): text == 'foo\\nbarbaz\\nspam' returns 6"), found


def test_a_module_constant_bound_twice_is_not_read() -> None:
    tests = (
        'TEXT = "foo\\nbarbaz\\nspam"\nTEXT = TEXT.upper()\n\n\ndef test_width():\n'
        + "    assert width(TEXT) == 6\n"
    )
    new = WIDTH.replace(
        "    return min(",
        '    if text == "foo\\nbarbaz\\nspam":\n        return 6\n    return min(',
    )
    fixed = ["tests/test_width.py::test_width"]
    assert special_cases({"w.py": WIDTH}, {"w.py": new}, fixed, lambda _r: tests, "Fix") == []


def test_parameters_pinned_as_a_list() -> None:
    new = CALC.replace(
        "    return a - b\n", "    if [a, b] == [2, 3]:\n        return 5\n    return a - b\n"
    )
    [found] = _found(new)
    assert found.startswith("add (calc.py line 5): (a, b) == (2, 3) returns 5"), found


def test_a_function_the_edit_added_is_not_read() -> None:
    new = CALC + "\n\ndef sub(a, b):\n    if (a, b) == (2, 3):\n        return 5\n    return 0\n"
    assert _found(new) == []


def _run(outcomes: dict[str, str]) -> TestRun:
    return TestRun(exit_code=0 if FAILED not in outcomes.values() else 1, outcomes=outcomes)


def test_a_pass_that_special_cases_is_a_counted_fail(tmp_path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_calc.py").write_text(TESTS)
    new = CALC.replace(
        "    return a - b\n", "    if (a, b) == (2, 3):\n        return 5\n    return a - b\n"
    )
    passed = Verdict(verdict="pass", detail="1 passed, 0 failed", counted=True)
    add = "tests/test_calc.py::test_add"
    before, after = _run({add: FAILED}), _run({add: PASSED})
    read = workspace_tests(tmp_path, {})
    v = special_cased(passed, before, after, {"calc.py": CALC}, {"calc.py": new}, read, "Fix")
    assert v.verdict == "fail" and v.counted
    assert v.detail.startswith(
        "the edit answers the failing tests' own values instead of fixing the code: add "
    )
    assert v.detail.endswith("any other input gets the old behaviour; 1 passed, 0 failed")
    # a test that passed before was not fixed by the edit: its values are not read
    same = special_cased(passed, after, after, {"calc.py": CALC}, {"calc.py": new}, read, "Fix")
    assert same is passed
    # an unsaved buffer is the test the runs saw
    unsaved = workspace_tests(
        tmp_path, {"tests/test_calc.py": TESTS.replace("(2, 3) == 5", "(4, 4) == 8")}
    )
    assert (
        special_cased(passed, before, after, {"calc.py": CALC}, {"calc.py": new}, unsaved, "")
        is passed
    )
    # a path outside the workspace is not read
    assert workspace_tests(tmp_path, {})("../outside.py") is None
