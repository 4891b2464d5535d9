"""A pass that rests on tests the edit fixed is confirmed by a second run.

A verified edit must be right, and a flaky test is the cheapest way to get one wrong: a
test that fails now and then may fail in the run without the edit and pass in the run
with it, and an edit that fixed nothing would pass as "fixed 1 of 1 failing tests".  So
when a pass counts tests as fixed (failing before the edit, passing with it), both runs
are made once more: the run without the edit (kept in the baseline cache like the
first) and the run with it.  A test counts as fixed only if it failed in both runs
without the edit and passed in both with it; the second run with the edit must pass the
same rules as the first.  When no fixed test holds up, the edit is not verified, and the
verdict is not held against the model: flaky tests say nothing about it.

Only passes that rest on fixed tests pay for this: an edit to a project whose tests all
passed before is judged on one run, as is every failing verdict.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ..domain import Verdict
from .reports import FAILED, PASSED
from .testrun import TestRun

Judge = Callable[[TestRun | None, TestRun], Verdict]


def fixed_tests(before: TestRun | None, after: TestRun) -> frozenset[str]:
    """The tests that failed without the edit and pass with it."""
    if before is None or before.outcomes is None or after.outcomes is None:
        return frozenset()
    return frozenset(
        t for t, o in before.outcomes.items() if o == FAILED and after.outcomes.get(t) == PASSED
    )


def _names(tests: frozenset[str] | set[str], limit: int = 3) -> str:
    items = sorted(tests)
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def confirm(
    first: Verdict,
    fixed: frozenset[str],
    before: tuple[TestRun, TestRun],
    after: tuple[TestRun, TestRun],
    judge: Judge,
) -> Verdict:
    """``first`` (a pass counting ``fixed`` as fixed) checked against a second run
    without the edit (``before[1]``) and with it (``after[1]``)."""
    b1, b2 = before
    _, a2 = after
    again = judge(b1, a2)
    if again.verdict != "pass":
        return _unconfirmed(first, f"a second run with the edit did not pass: {again.detail}")
    b2_out = b2.outcomes or {}
    a2_out = a2.outcomes or {}
    passed_before = {t for t in fixed if b2_out.get(t) != FAILED}
    failed_after = {t for t in fixed if a2_out.get(t) != PASSED}
    held = fixed - passed_before - failed_after
    flaky = []
    if passed_before:
        flaky.append(f"{_names(passed_before)} did not fail in a second run without the edit")
    if failed_after:
        flaky.append(f"{_names(failed_after)} did not pass in a second run with it")
    if not held:
        return _unconfirmed(
            first,
            "; ".join(flaky)
            + ": these tests are flaky, so they do not show that the edit fixed anything",
        )
    note = "confirmed by a second run with and without the edit"
    if flaky:
        note += f" ({'; '.join(flaky)}: flaky, not counted as fixed)"
    return attrs.evolve(first, detail=f"{first.detail}; {note}")


def _unconfirmed(first: Verdict, why: str) -> Verdict:
    return attrs.evolve(
        first,
        verdict="fail",
        detail=f"not confirmed: {why} (first run: {first.detail})",
        counted=False,
        failures=(),
    )
