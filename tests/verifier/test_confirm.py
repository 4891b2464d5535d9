"""A pass that counts tests as fixed is confirmed by a second run with and without the
edit: a flaky test must not turn an edit that fixed nothing into a verified one."""

from __future__ import annotations

from pathlib import Path

from acrouter.domain import Edit
from acrouter.verifier import TestRun, judge
from acrouter.verifier.confirm import confirm, fixed_tests

from .helpers import CALC, CALC_FIXED, pytest_cmd, task_for, verifier, write_tree

P, F = "passed", "failed"


def run(code: int = 0, **outcomes: str) -> TestRun:
    return TestRun(exit_code=code, outcomes=dict(outcomes), expects_report=True)


def check(b1: TestRun, a1: TestRun, b2: TestRun, a2: TestRun):
    first = judge(b1, a1)
    assert first.verdict == "pass"
    return confirm(first, fixed_tests(b1, a1), (b1, b2), (a1, a2), judge)


def test_a_fix_that_holds_up_is_confirmed() -> None:
    v = check(run(1, a=P, b=F), run(0, a=P, b=P), run(1, a=P, b=F), run(0, a=P, b=P))
    assert v.verdict == "pass" and v.counted
    assert v.detail.endswith("; confirmed by a second run with and without the edit")


def test_a_flaky_test_is_not_a_fix() -> None:
    # b failed once without the edit, but passes without it on the second run
    v = check(run(1, a=P, b=F), run(0, a=P, b=P), run(0, a=P, b=P), run(0, a=P, b=P))
    assert v.verdict == "fail" and not v.counted  # flaky tests say nothing about the model
    assert v.detail.startswith(
        "not confirmed: b did not fail in a second run without the edit: these tests are "
        "flaky, so they do not show that the edit fixed anything"
    )
    # ... or fails with the edit on the second run
    v = check(run(1, a=P, b=F), run(0, a=P, b=P), run(1, a=P, b=F), run(1, a=P, b=F))
    assert v.verdict == "fail" and not v.counted
    assert "a second run with the edit did not pass" in v.detail


def test_one_real_fix_among_flaky_ones_is_confirmed_and_the_flaky_named() -> None:
    b = run(1, a=P, b=F, c=F)
    v = check(b, run(0, a=P, b=P, c=P), run(1, a=P, b=F, c=P), run(0, a=P, b=P, c=P))
    assert v.verdict == "pass"
    assert "(c did not fail in a second run without the edit: flaky, not counted as fixed)" in (
        v.detail
    )


def test_a_second_run_with_the_edit_that_breaks_a_test_is_not_confirmed() -> None:
    v = check(run(1, a=P, b=F), run(0, a=P, b=P), run(1, a=P, b=F), run(1, a=F, b=P))
    assert v.verdict == "fail" and not v.counted
    assert "broke 1 previously passing test: a" in v.detail


def test_no_fixed_test_needs_no_confirmation() -> None:
    assert fixed_tests(run(0, a=P), run(0, a=P, b=P)) == frozenset()
    assert fixed_tests(None, run(0, a=P)) == frozenset()
    assert fixed_tests(run(1, a=P, b=F), run(1, a=P, b=F)) == frozenset()


FLAKY = """\
import os

def _runs():
    with open({log!r}) as f:
        return f.read().count("run")

def test_mul():
    from calc import mul
    assert mul(2, 3) == 6

def test_flaky():
    assert _runs() != 1, "fails only in the first run of the suite"
"""
COUNT = "def pytest_sessionstart(session):\n    open({log!r}, 'a').write('run\\n')\n"


def test_an_edit_that_fixes_nothing_is_not_verified_by_a_flaky_test(tmp_path: Path) -> None:
    # the suite counts its runs in a file outside the workspace (sandbox "none" lets it);
    # test_flaky fails in the first run only: the run without the edit
    log = tmp_path / "runs.log"
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "tests/test_flaky.py": FLAKY.format(log=str(log)),
            "conftest.py": COUNT.format(log=str(log)),
        },
    )
    task = task_for(root, pytest_cmd(root))
    noop = Edit(files={"calc.py": CALC + "\n# a comment\n"})
    v = verifier(sandbox="none", parallel_baseline=False, confirm_fixes=False).verify(
        task, noop, "m"
    )
    # fooled: the edit "fixed" the test
    assert v.verdict == "pass" and v.detail == "2 passed, 0 failed (before: 1 passed, 1 failed)"
    log.unlink()
    ver = verifier(sandbox="none", parallel_baseline=False)
    v = ver.verify(task, noop, "m")
    assert v.verdict == "fail" and not v.counted, v.detail
    assert "tests/test_flaky.py::test_flaky did not fail in a second run without" in v.detail
    # test_flaky alone passed without the edit: flaky, or failing in its suite only
    # because of another test; the fixed test alone cannot tell, so the whole suite ran
    # again, with and without the edit: three runs without the edit, three with it
    assert log.read_text().count("run") == 6
    assert ver.baseline_runs == 3


def test_a_real_fix_is_confirmed_in_the_sandbox_and_its_second_baseline_cached(
    tmp_path: Path,
) -> None:
    root = write_tree(
        tmp_path / "proj",
        {
            "calc.py": CALC,
            "tests/test_calc.py": (
                "from calc import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
            ),
        },
    )
    ver = verifier()
    task = task_for(root, pytest_cmd(root))
    v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED}), "m")
    assert v.verdict == "pass" and v.counted
    # one test, the one fixed: nothing to gain from running it alone (the whole suite)
    assert v.detail.endswith("; confirmed by a second run with and without the edit")
    assert ver.baseline_runs == 2
    v = ver.verify(task, Edit(files={"calc.py": CALC_FIXED + "\n"}), "m")
    assert v.verdict == "pass" and ver.baseline_runs == 2  # both runs without the edit cached
