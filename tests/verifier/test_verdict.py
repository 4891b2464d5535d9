"""The before/after comparison rule (a pure function)."""

from __future__ import annotations

import pytest
from acrouter.verifier import TestRun, judge

P, F, S = "passed", "failed", "skipped"


def run(code: int | None = 0, report: bool = True, **outcomes: str) -> TestRun:
    return TestRun(exit_code=code, outcomes=dict(outcomes) if report else None, expects_report=True)


def test_everything_passes() -> None:
    v = judge(run(1, a=P, b=F), run(0, a=P, b=P))
    assert v.verdict == "pass"
    assert (v.tests_passed_before, v.tests_failed_before, v.tests_passed, v.tests_failed) == (
        1,
        1,
        2,
        0,
    )
    assert v.score == 1.0
    assert v.detail == "2 passed, 0 failed (before: 1 passed, 1 failed)"


def test_failing_set_strictly_shrinks() -> None:
    v = judge(run(1, a=P, b=F, c=F), run(1, a=P, b=P, c=F))
    assert v.verdict == "pass" and v.score == pytest.approx(2 / 3)
    assert "fixed 1 of 2 failing tests" in v.detail


def test_same_failures_are_not_a_pass() -> None:
    v = judge(run(1, a=P, b=F), run(1, a=P, b=F))
    assert v.verdict == "fail" and "b" in v.detail


def test_same_failures_and_nothing_broken_are_not_held_against_the_model() -> None:
    # a test that failed before the edit (perhaps unrelated to the request) still fails:
    # the tests cannot tell whether the edit did what was asked
    v = judge(run(1, a=P, b=F, c=F), run(1, a=P, b=F, c=F, d=P))
    assert v.verdict == "fail" and not v.counted
    assert "the 2 tests failing before the edit still fail (b, c)" in v.detail
    assert "do not show whether the edit did what was asked" in v.detail
    # ... but one more failing test, or one fewer passing, is the edit's doing
    assert judge(run(1, a=P, b=F), run(1, a=P, b=F, d=F)).counted
    assert judge(run(1, a=P, b=F), run(1, a=F, b=F)).counted
    assert judge(run(1, a=P, b=F), run(1, b=F)).counted  # a disappeared
    # a bug fix that leaves the failing test failing did not do what was asked
    v = judge(run(1, a=P, b=F), run(1, a=P, b=F), fix_requested=True)
    assert v.verdict == "fail" and v.counted and v.detail.startswith("1 failing test: b")


def test_breaking_a_passing_test_fails_even_if_another_is_fixed() -> None:
    v = judge(run(1, a=P, b=F), run(1, a=F, b=P))
    assert v.verdict == "fail"
    assert v.detail.startswith("broke 1 previously passing test: a")


def test_a_new_failing_test_is_not_a_shrink() -> None:
    v = judge(run(1, a=P, b=F, c=F), run(1, a=P, b=P, c=F, d=F))
    assert v.verdict == "fail" and "newly failing test: d" in v.detail


def test_deleted_tests_are_not_a_pass() -> None:
    v = judge(run(1, a=P, b=F), run(0, a=P))
    assert v.verdict == "fail" and "no longer ran: b" in v.detail


def test_newly_skipped_tests_are_not_a_pass() -> None:
    v = judge(run(1, a=P, b=F), run(0, a=P, b=S))
    assert v.verdict == "fail" and "became skipped: b" in v.detail


def test_skipped_before_and_after_is_fine() -> None:
    assert judge(run(1, a=P, b=F, c=S), run(0, a=P, b=P, c=S)).verdict == "pass"


def test_new_passing_tests_are_fine() -> None:
    assert judge(run(0, a=P), run(0, a=P, b=P)).verdict == "pass"


def test_a_run_that_ran_no_test_fails() -> None:
    assert judge(run(0, a=P), run(0, a=S)).verdict == "fail"
    v = judge(None, run(0))
    assert v.verdict == "fail" and "no test ran" in v.detail


def test_missing_report_is_not_a_pass_even_with_exit_0() -> None:
    v = judge(run(1, a=P, b=F), run(0, report=False))
    assert v.verdict == "fail" and "no test report" in v.detail


def test_all_passed_but_nonzero_exit_fails() -> None:
    v = judge(run(1, a=F), run(3, a=P))
    assert v.verdict == "fail" and "exited with code 3" in v.detail


def test_all_passed_but_the_same_nonzero_exit_before_the_edit_is_not_held() -> None:
    # yarl's pytest.ini: --cov with .coveragerc's fail_under, which its suite misses
    # where optional test dependencies are not installed: exit 1 with every test
    # passing, with the edit and without it (a no-op edit too)
    v = judge(run(1, a=P, b=S), run(1, a=P, b=S))
    assert v.verdict == "fail" and not v.counted
    assert "as it did without the edit" in v.detail
    # ... and another model's edit would meet the same exit: the request stops there
    assert v.exit_error == "exited with code 1"
    # another exit code than before, or a test failing before: still the edit's
    for before in (run(0, a=P, b=S), run(2, a=P, b=S), run(1, a=P, b=F)):
        v = judge(before, run(1, a=P, b=S))
        assert v.verdict == "fail" and v.counted and not v.exit_error, before


def test_pytest_cannot_run_after_the_edit_fails_before_it_too_is_an_error() -> None:
    after = TestRun(
        exit_code=4, expects_report=True, last_line="ImportError while loading conftest"
    )
    assert judge(run(1, a=F), after).verdict == "fail"
    before = TestRun(exit_code=4, expects_report=True)
    v = judge(before, after)
    assert v.verdict == "error" and "even without the edit" in v.detail


def test_no_tests_collected_fails() -> None:
    v = judge(run(1, a=F), TestRun(exit_code=5, expects_report=True))
    assert v.verdict == "fail" and "collected no tests" in v.detail


def test_no_baseline_means_everything_must_pass() -> None:
    assert judge(None, run(0, a=P, b=P)).verdict == "pass"
    assert judge(None, run(1, a=P, b=F)).verdict == "fail"


def test_exit_code_only_runners() -> None:
    ok = TestRun(exit_code=0)
    bad = TestRun(exit_code=2)
    v = judge(None, ok)
    assert v.verdict == "pass" and v.tests_passed is None and v.score is None
    assert judge(None, bad).verdict == "fail"
    missing = judge(None, TestRun(exit_code=127, last_line="sh: 1: npm: not found"))
    assert missing.verdict == "error" and "not found" in missing.detail


def test_timeouts_and_kills_fail_with_their_reason() -> None:
    v = judge(run(1, a=F), TestRun(exit_code=None, timed_out=True, timeout_s=5))
    assert v.verdict == "fail" and "timed out after 5 s" in v.detail
    hung = TestRun(exit_code=None, timed_out=True, timeout_s=5, error_lines=("E: boom",))
    assert judge(run(1, a=F), hung).detail.startswith(
        "the tests timed out after 5 s; first it printed: E: boom"
    )
    v = judge(None, TestRun(exit_code=None, killed="they started more than 64 processes"))
    assert v.verdict == "fail" and "64 processes" in v.detail


def test_resource_hint_is_in_the_detail() -> None:
    after = TestRun(
        exit_code=1,
        outcomes={"a": F},
        expects_report=True,
        resource="a test ran out of memory (limit 8 GiB per process)",
    )
    v = judge(None, after)
    assert v.verdict == "fail" and "out of memory" in v.detail


def test_failure_message_of_a_broken_test_is_shown() -> None:
    after = TestRun(
        exit_code=1, outcomes={"a": F}, expects_report=True, messages={"a": "assert 5 == 6"}
    )
    v = judge(run(0, a=P), after)
    assert "(assert 5 == 6)" in v.detail


def test_tests_that_fail_on_the_missing_network_before_and_after_are_not_held() -> None:
    # found running acrouter complete on a project whose test fetched a URL: a bug fix
    # whose only covering test failed on name resolution, before and after, was counted
    # against the model with no word about the sandbox having no network
    offline = (
        "urllib.error.URLError: <urlopen error [Errno -3] Temporary failure in name resolution>"
    )

    def net(code: int, **outcomes: str) -> TestRun:
        failed = {t: offline for t, o in outcomes.items() if o == F}
        return TestRun(exit_code=code, outcomes=outcomes, expects_report=True, messages=failed)

    v = judge(net(1, a=P, b=F), net(1, a=P, b=F), fix_requested=True)
    assert v.verdict == "fail" and not v.counted
    assert "network" in v.detail and "Temporary failure in name resolution" in v.detail
    # a failure of another kind after the edit, or a new failing test, is the edit's
    other = TestRun(
        exit_code=1, outcomes={"a": P, "b": F}, expects_report=True, messages={"b": "assert 1 == 2"}
    )
    assert judge(net(1, a=P, b=F), other, fix_requested=True).counted
    assert judge(net(1, a=P, b=F), net(1, a=F, b=F), fix_requested=True).counted
    # node's codes as node writes them; a missing file is no missing network
    for said, excused in (
        ("Error: getaddrinfo ENOTFOUND registry.example", True),
        ("connect ECONNREFUSED 10.0.0.1:443", True),
        ("FileNotFoundError: [Errno 2] No such file or directory: 'data.json'", False),
    ):
        run_ = TestRun(exit_code=1, outcomes={"b": F}, expects_report=True, messages={"b": said})
        assert judge(run_, run_, fix_requested=True).counted is not excused, said
