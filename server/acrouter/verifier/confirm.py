"""A pass that rests on tests the edit fixed is confirmed by a second run.

A verified edit must be right, and a flaky test is the cheapest way to get one wrong: a
test that fails now and then may fail in the run without the edit and pass in the run
with it, and an edit that fixed nothing would pass as "fixed 1 of 1 failing tests".  So
when a pass counts tests as fixed (failing before the edit, passing with it), they are
run once more without the edit (kept in the baseline cache like the first run) and once
more with it.  A test counts as fixed only if it failed in both runs without the edit
and passed in both with it.  When no fixed test holds up, the edit is not verified, and
the verdict is not held against the model: flaky tests say nothing about it.

The second pair of runs runs only the fixed tests where the runner can select them
(pytest: :mod:`.subset`), else the whole suite.  Why a subset keeps the guarantee:

- The second pair is a controlled comparison of its own: the same command, the same
  selection, separate copies, only the edit differs.  A test that failed in the subset
  without the edit and passed in it with the edit did so because of the edit or by
  chance, as in two whole-suite runs: a flaky test fools the confirmation only by
  failing and passing by chance in both pairs, independent runs.  (Alone its rate of
  failing may differ from its rate in the suite; a test flaky only through its suite,
  deterministic alone, then shows the edit's effect on it exactly.)
- A test may behave differently alone than in its suite (it needs state another test
  leaves, or is broken by state another test leaves; module and session fixtures still
  run, in the suite's order).  So the subset can only confirm, never refute: any
  disagreement with the first pair (a fixed test that passed without the edit or did
  not pass with it), a run that did not run exactly the fixed tests (the plugin not
  loaded, an id named otherwise, ``-x``), or that errored, timed out or was stopped,
  falls back to the whole-suite confirmation, which decides as before.  A fixed test
  that only fails alone is thus judged in its suite; one that is flaky alone too is
  caught by the whole-suite pair as before.
- What the second run with the edit checks: the rules of the first, on what it ran.
  Judged against the first run without the edit narrowed to the fixed tests, it must
  pass: no fixed test failing, skipped or missing, no collection error, no timeout or
  stop, no file written that the run without the edit did not write, exit code 0.  The
  rules about the rest of the suite (no previously passing test failing, none gone or
  skipped) are checked once, on the first run with the edit, as they are for every edit
  that fixes nothing: the confirmation is about the fixed tests, and repeating the
  whole suite only for fixes would catch a flaky regression in a fix and not in any
  other edit.  Re-running the whole suite with the edit and only the baseline as a
  subset was considered and not done: the baselines of a state are cached and run beside
  the edited run, so the whole edited rerun is what costs the wall time.
- Too many fixed tests (more than half of the suite) gain little: the whole suite then.

Only passes that rest on fixed tests pay for this: an edit to a project whose tests all
passed before is judged on one run, as is every failing verdict but one kind.

That kind (:func:`reordered`, :func:`unrepeated`): a counted fail that broke tests which
passed without the edit, in a run that ran the tests in another order than the run
without it (pytest-randomly shuffles them every run, and reseeds ``random``).  A suite
whose tests depend on their order fails in some orders and not others, edit or not, so
such a fail would blame a harmless edit on the model.  The tests run once more with the
edit (in another order again); when that run passes, the fail stands but is not counted.
It is never turned into a pass: a wrong edit that breaks a test only in some orders
passes in others, so a pass on a second try says nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ..domain import Verdict
from .reports import FAILED, PASSED
from .testrun import NO_ADDRESS_SPACE, TestRun

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


#: the note of a pass confirmed by a second run of the fixed tests only
SUBSET_NOTE = "confirmed by a second run of the fixed {tests} with and without the edit"


def _ran_exactly(run: TestRun, tests: frozenset[str]) -> bool:
    """``run`` ran ``tests`` and nothing else, to the end."""
    return (
        run.outcomes is not None
        and set(run.outcomes) == tests
        and not (run.broken or run.timed_out or run.killed)
        and not (run.resource or "").startswith(NO_ADDRESS_SPACE)
    )


def failed_alone(before: TestRun, tests: frozenset[str]) -> bool:
    """``before`` (a run of ``tests`` alone without the edit) ran exactly them, and
    every one failed (pytest's exit code 1): it can confirm their fix."""
    return (
        _ran_exactly(before, tests)
        and before.exit_code == 1
        and all(o == FAILED for o in (before.outcomes or {}).values())
    )


def confirm_subset(
    first: Verdict,
    fixed: frozenset[str],
    b1: TestRun,
    again: tuple[TestRun, TestRun],
    judge: Judge,
) -> Verdict | None:
    """``first`` (a pass counting ``fixed`` as fixed, against the first run without the
    edit ``b1``) confirmed by a second run of ``fixed`` alone without the edit and with
    it (``again``); None when that pair cannot confirm it (the caller runs the whole
    suite again): it did not run exactly ``fixed``, ended otherwise than normally, or
    any fixed test did not fail without the edit or did not pass with it."""
    b2, a2 = again
    if not failed_alone(b2, fixed) or not _ran_exactly(a2, fixed):
        return None
    assert a2.outcomes is not None
    if any(o != PASSED for o in a2.outcomes.values()):
        return None
    narrowed = attrs.evolve(
        b1,
        outcomes={t: o for t, o in (b1.outcomes or {}).items() if t in fixed},
        messages={t: m for t, m in b1.messages.items() if t in fixed},
        broken={},
    )
    if judge(narrowed, a2).verdict != "pass":
        return None
    note = SUBSET_NOTE.format(tests="test" if len(fixed) == 1 else "tests")
    return attrs.evolve(first, detail=f"{first.detail}; {note}")


# --------------------------------------------------------------------------- reordered


def reordered(before: TestRun, after: TestRun) -> bool:
    """The tests both runs ran did not run in the same order (the reports list them as
    they ran): a plugin such as pytest-randomly shuffles them every run, or xdist's
    workers took them otherwise."""
    if before.outcomes is None or after.outcomes is None:
        return False
    common = [t for t in after.outcomes if t in before.outcomes]
    position = {t: i for i, t in enumerate(t for t in before.outcomes if t in after.outcomes)}
    return [position[t] for t in common] != sorted(position[t] for t in common)


def regressions(before: TestRun | None, after: TestRun) -> frozenset[str]:
    """The tests that passed without the edit and fail with it."""
    if before is None or before.outcomes is None or after.outcomes is None:
        return frozenset()
    return frozenset(
        t for t, o in before.outcomes.items() if o == PASSED and after.outcomes.get(t) == FAILED
    )


def unrepeated(first: Verdict, broke: frozenset[str], again: Verdict) -> Verdict:
    """``first`` (a counted fail on ``broke``, tests that passed without the edit, in a
    run whose order differed from the run without it) once a second run with the edit,
    in another order again, gave ``again``: when that one passes, the failure did not
    repeat, so it is not held against the model (the tests depend on their order or are
    flaky); the edit is not offered all the same (its pass came on a second try)."""
    if again.verdict != "pass":
        return first
    return attrs.evolve(
        first,
        counted=False,
        detail=f"{first.detail}; not held against the model: the tests ran in another order "
        f"than without the edit (a plugin such as pytest-randomly shuffles them) and "
        f"{_names(broke)} passed in a second run with the edit, in another order again: "
        "they depend on their order or are flaky, so they do not show that the edit broke "
        "them (not offered either: it passed only on a second try)",
    )
