"""The comparison rule: is the project better after the edit than before it?

A pure function of two test runs.  With per-test results an edit passes only when no
test that passed before fails now, no test from before disappeared or became
skipped, at least one test ran, and either everything passes or the set of failing
tests strictly shrank.  A run that should have produced per-test results but did
not (a conftest calling ``sys.exit(0)``) never passes, nor does a jest / vitest report
that the count the runner printed does not back where the run without the edit printed
one that did (``results.summary_check``: the tests' process may have written it).  Without per-test results
(``make test``, a shell line with several runners) an edit passes iff the suite exits
0, and the verdict is marked weak: deleted or skipped tests cannot be seen.

Blame: a verdict is ``counted`` (evidence about the model) unless the set-up explains
it.  Tests that cannot run even without the edit (a ModuleNotFoundError during
collection, a build failure, a missing command) give verdict "error" with the
runner's own message; tests that time out, or (for exit-code commands) fail, without
the edit too give "fail" with ``counted`` False, and so does an edit after which exactly
the tests that failed before still fail and nothing else broke, unless the request asks
for a fix (the failing tests may have nothing to do with a refactoring or a new
function; for a bug fix they are what the edit should have fixed).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

import attrs

from ..domain import Verdict
from .offline import needed_network, offline
from .reports import FAILED, PASSED, SKIPPED
from .testrun import COMMAND_MISSING, NO_ADDRESS_SPACE, PYTEST_CANNOT_RUN, TestRun, failures_of
from .written import describe


def _names(tests: Iterable[str], limit: int = 3) -> str:
    items = sorted(tests)
    shown = ", ".join(items[:limit])
    return f"{shown} and {len(items) - limit} more" if len(items) > limit else shown


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _summary(before: TestRun | None, after: TestRun) -> str:
    parts = []
    if after.outcomes is not None:
        text = f"{after.passed} passed, {after.failed} failed"
        if after.skipped:
            text += f", {after.skipped} skipped"
        parts.append(text)
    elif after.exit_code is not None:
        parts.append(f"tests exited with code {after.exit_code}")
    if before is not None and before.outcomes is not None:
        parts.append(f"(before: {before.passed} passed, {before.failed} failed)")
    elif before is not None and before.exit_code is not None and before.outcomes is None:
        parts.append(f"(before: exit code {before.exit_code})")
    return " ".join(parts)


def _with(reason: str, before: TestRun | None, after: TestRun) -> str:
    summary = _summary(before, after)
    text = f"{reason}; {summary}" if summary else reason
    if after.resource and after.resource not in text:
        text += f"; {after.resource}"
    return text


def _same_trouble(before: TestRun, after: TestRun) -> bool:
    """``after`` cannot run either, and the edit added no trouble of its own (no newly
    broken file, no previously passing test failing)."""
    if not (
        after.cannot_run or (after.outcomes is None and not after.timed_out and not after.killed)
    ):
        return False
    if before.outcomes is None or after.outcomes is None:
        return True
    if set(after.broken) - set(before.broken):
        return False
    return not any(
        o == PASSED and after.outcomes.get(t) == FAILED for t, o in before.outcomes.items()
    )


def judge(
    before: TestRun | None,
    after: TestRun,
    weak: str | None = None,
    *,
    fix_requested: bool = False,
) -> Verdict:
    """The verdict for ``after`` (the run with the edit) against ``before`` (without it;
    None when no baseline was run).  ``weak``: why the command's per-test results
    cannot be read (the verdict says so).  ``fix_requested``: the request asks for a fix
    (a bug-fixing task), so tests failing before the edit are taken to be what it should
    fix, and an edit that leaves them failing is held against the model.  ``duration_ms``
    is left for the caller."""
    v = _judge(before, after, fix_requested)
    if v.verdict == "error":
        v = attrs.evolve(v, counted=False)
    if weak:
        v = attrs.evolve(v, weak=True, detail=f"{v.detail} [weak: {weak}]")
    return v


def _judge(before: TestRun | None, after: TestRun, fix_requested: bool) -> Verdict:
    """The rules in order: the set-up's fault, runs that did not finish, runs without
    per-test results, then the per-test comparison."""
    j = _Judgement(before, after, fix_requested)
    for rule in (_setup_fault, _no_address_space, _rewritten, _unfinished, _unwitnessed):
        v = rule(j)
        if v is not None:
            return v
    if after.outcomes is None:
        return _exit_code_only(j)
    lost = _lost_tests(j, after.outcomes)
    return lost if lost is not None else _failing_tests(j)


class _Judgement:
    """The two runs being compared, and the verdict's counts and score."""

    def __init__(self, before: TestRun | None, after: TestRun, fix_requested: bool) -> None:
        self.before = before
        self.after = after
        self.fix_requested = fix_requested
        #: the baseline's per-test results, when it has them
        self.old = before.outcomes if before is not None else None
        self.b_passed = before.passed if before is not None else None
        self.b_failed = before.failed if before is not None else None
        if before is not None and self.b_failed is None and _clean_exit(before):
            self.b_failed = 0  # an exit-code command that exited 0: nothing failed before
        self.a_passed, self.a_failed = after.passed, after.failed
        ran = self.ran = (self.a_passed or 0) + (self.a_failed or 0)
        self.score: float | None = None
        if self.a_passed is not None and self.a_failed is not None and ran > 0:
            self.score = self.a_passed / ran

    def verdict(self, kind: str, detail: str, counted: bool = True) -> Verdict:
        return Verdict(
            verdict=kind,
            detail=detail,
            tests_passed_before=self.b_passed,
            tests_failed_before=self.b_failed,
            tests_passed=self.a_passed,
            tests_failed=self.a_failed,
            score=self.score if kind != "error" else None,
            counted=counted,
            failures=failures_of(self.after) if kind == "fail" else (),
        )

    def fail(self, reason: str, counted: bool = True) -> Verdict:
        """A failing verdict: ``reason`` followed by the counts."""
        return self.verdict("fail", _with(reason, self.before, self.after), counted)


def _clean_exit(run: TestRun) -> bool:
    """A run without per-test results (an exit-code command) that exited 0."""
    return (
        run.outcomes is None
        and run.exit_code == 0
        and not (run.expects_report or run.timed_out or run.killed)
    )


def _setup_fault(j: _Judgement) -> Verdict | None:
    """The tests cannot run, with or without the edit: the set-up's fault."""
    before, after = j.before, j.after
    if before is None or not before.cannot_run or not _same_trouble(before, after):
        return None
    code = after.exit_code
    why = after.why_not() or before.why_not()
    if (before.resource or "").startswith(NO_ADDRESS_SPACE):  # a last line of "#"
        why = before.resource or why
    if before.network and code not in (0, None):  # (Maven offline: an artifact ~/.m2 lacks)
        v = j.verdict("error", needed_network(code, before.network), counted=False)
        return attrs.evolve(v, setup_error=before.network)
    what = f"exit code {code}" if code is not None else "no exit code"
    if code in PYTEST_CANNOT_RUN and after.expects_report:
        what += f", {PYTEST_CANNOT_RUN[code]}"
    elif code in COMMAND_MISSING:
        what += f", {COMMAND_MISSING[code]}"
    elif code == 0 and after.expects_report and after.outcomes is None:
        what += ", no test report"  # (a Gradle build whose Test tasks report elsewhere)
    v = j.verdict(
        "error",
        f"the tests cannot run even without the edit ({what}): {why}".rstrip(": "),
        counted=False,
    )
    return attrs.evolve(v, setup_error=why or what)


def _no_address_space(j: _Judgement) -> Verdict | None:
    """A run, with or without the edit, in which V8 could not reserve a new thread's
    address space under the sandbox's limit (vitest's threads pool: a worker, and its
    test file's results, gone, or the whole run; the other threads may die of it too,
    "JavaScript heap out of memory"): its results say nothing about the edit, and no
    run to pass on."""
    for run in (j.after, j.before):
        if run is not None and (run.resource or "").startswith(NO_ADDRESS_SPACE):
            return j.fail(f"the tests could not run in the sandbox: {run.resource}", counted=False)
    return None


def _rewritten(j: _Judgement) -> Verdict | None:
    """A run that wrote the tests' files or code that the run without the edit did not
    write (:mod:`.written`): the code under test runs before the runner reads the tests
    it has not collected yet, so what ran were not the tests the edit is judged by."""
    before, after = j.before, j.after
    new = {p: k for p, k in after.wrote.items() if before is None or p not in before.wrote}
    if not new:
        return None
    return j.fail(
        f"the tests' run {describe(new)}, which the run without the edit did not: the code "
        "under test may have changed the tests before they ran, so the results cannot "
        "verify this edit; not verified",
        counted=False,
    )


def _unfinished(j: _Judgement) -> Verdict | None:
    """Runs that did not finish: stopped by the sandbox, or timed out."""
    before, after = j.before, j.after
    if after.killed:  # the process or write bound; the machine's free space is not the edit's
        return j.fail(f"the tests were stopped: {after.killed}", counted=not after.low_space)
    if not after.timed_out:
        return None
    if before is not None and before.timed_out:
        return j.fail(
            f"the tests time out after {after.timeout_s:g} s even without the edit",
            counted=False,
        )
    # what it printed before it hung: a failure Django's ``--parallel`` could not send back
    # (no tblib) leaves a pool that may hang at exit, its traceback already printed
    return j.fail(f"the tests timed out after {after.timeout_s:g} s" + _printed(after, "; first "))


def _unwitnessed(j: _Judgement) -> Verdict | None:
    """A jest / vitest / RSpec / minitest / Surefire / Automake report that the runner's
    printed count does not back, where the run without the edit had one that did: the
    tests' process (the code under test runs in it) may have written or rewritten the
    report."""
    before, after = j.before, j.after
    if after.summary in ("", "agrees") or after.outcomes is None:
        return None
    if before is not None and before.summary != "agrees":
        return None  # its reporters print no count (a config of the project's)
    what = (
        "the runner printed no count of its tests"
        if after.summary == "missing"
        else f"the runner's count differs from its report ({after.summary})"
    )
    return j.fail(
        f"{what}: the report may have been written by the tests' process, where the code "
        "under test runs, so it cannot verify this edit",
        counted=False,
    )


def _exit_code_only(j: _Judgement) -> Verdict:
    """A run without per-test results: a runner that should have left a report never
    passes; any other command passes iff it exits 0."""
    before, after = j.before, j.after
    code = after.exit_code
    if code in COMMAND_MISSING and not after.expects_report:
        return j.verdict(
            "error",
            f"the test command was {COMMAND_MISSING[code]} (exit code {code}): "
            f"{after.last_line}".rstrip(": "),
        )
    if after.expects_report:
        if code in PYTEST_CANNOT_RUN or code in COMMAND_MISSING:
            what = PYTEST_CANNOT_RUN.get(code) or COMMAND_MISSING[code]
            if code == 5:
                return j.fail("no test ran (pytest collected no tests)")
            return j.fail(
                f"pytest could not run the tests (exit code {code}, {what})"
                + (f": {after.last_line}" if after.last_line else "")
            )
        return j.fail(
            f"the test run produced no test report (exit code {code}{_printed(after, '; ')}); "
            "did it exit early?"
        )
    if code == 0 and before is not None and before.outcomes is not None:
        # (a script running pytest: its report came without the edit, none with it)
        return j.fail(
            f"the test run left no per-test results (exit code 0), where the run without "
            f"the edit left them ({before.passed} passed, {before.failed} failed); did it "
            "exit early?"
        )
    if code == 0 and before is not None and before.closing and not after.closing:
        # (unittest below make: its summary came without the edit, none with it)
        return j.fail(
            f"the test run printed no closing line of its runner (exit code 0), where the "
            f"run without the edit printed {before.closing!r}; did it exit early?"
        )
    if code == 0:
        return j.verdict("pass", _summary(before, after) or "tests exited 0")
    if (
        before is not None
        and before.outcomes is None
        and before.exit_code not in (0, None)
        and not before.expects_report
    ):
        if before.network:
            return j.verdict(
                "error", needed_network(before.exit_code, before.network), counted=False
            )
        return j.fail("the tests fail even without the edit", counted=False)
    if code is None:
        return j.verdict("fail", "the tests did not finish")
    printed = _printed(after, "")
    return j.fail(f"the tests failed ({printed})" if printed else "the tests failed")


def _printed(run: TestRun, before: str) -> str:
    """The error lines a run without per-test results printed (a linter's that failed
    before the runner), for its verdict: ``before`` and "it printed: ...", or ""."""
    if not run.error_lines:
        return ""
    return f"{before}it printed: " + " | ".join(run.error_lines)


def _lost_tests(j: _Judgement, outcomes: Mapping[str, str]) -> Verdict | None:
    """What the edit took away: files that no longer run, no test run at all, tests
    that passed and now fail, disappeared or became skipped."""
    before, after, old = j.before, j.after, j.old
    if before is not None and old is not None:
        newly_broken = sorted(set(after.broken) - set(before.broken))
        if newly_broken:
            entry = newly_broken[0]
            return j.fail(
                f"with the edit {_names(newly_broken)} could not run ({after.broken[entry]})"
            )
    if j.ran == 0:
        gone = sorted(old or {})
        tail = f": {_names(gone)} no longer ran" if gone else ""
        return j.fail(f"no test ran{tail}")
    if before is None or old is None:
        return None
    broken = [t for t, o in old.items() if o == PASSED and outcomes.get(t) == FAILED]
    if broken:
        first = after.messages.get(min(broken))
        why = f" ({first})" if first else ""
        return j.fail(
            f"broke {_plural(len(broken), 'previously passing test')}: {_names(broken)}{why}"
        )
    missing = [t for t in old if t not in outcomes and t not in before.broken]
    if missing:
        return j.fail(
            f"{_plural(len(missing), 'test')} from before the edit no longer ran: {_names(missing)}"
        )
    newly_skipped = [t for t, o in old.items() if o != SKIPPED and outcomes.get(t) == SKIPPED]
    if newly_skipped:
        return j.fail(
            f"{_plural(len(newly_skipped), 'test')} became skipped: {_names(newly_skipped)}"
        )
    return None


def _failing_tests(j: _Judgement) -> Verdict:
    """Nothing was lost: the edit passes when everything passes, or when the failing
    tests are a strict subset of those failing before (and the run exited normally)."""
    before, after = j.before, j.after
    failing = after.failing()
    if failing:
        before_failing = before.failing() if before is not None and j.old is not None else None
        if before_failing is not None and failing < before_failing:
            if after.exit_code not in (0, 1):
                return j.fail(f"the test run exited with code {after.exit_code}")
            fixed = len(before_failing) - len(failing)
            return j.verdict(
                "pass",
                _with(f"fixed {fixed} of {len(before_failing)} failing tests", before, after),
            )
        new = sorted(failing - (before_failing or set()))
        if before_failing is not None and not new and offline(failing, before, after):
            # every failure is the sandbox's missing network, before the edit and after
            # it: the tests cannot show anything about the edit, fix or not
            assert before is not None
            said = after.messages[min(failing)]
            v = j.fail(
                f"{_names(sorted(failing))} failed before and after the edit on a network "
                f"error ({said}): the tests run without network, so tests that need it "
                "cannot verify an edit; leave them out of the test command",
                counted=False,
            )
            return attrs.evolve(v, network_error=f"{_names(sorted(failing))}: {said}")
        if before_failing is not None and not new and not j.fix_requested:
            # exactly the failures of before the edit, and nothing lost or broken: unless
            # the request is a fix, the failing tests may have nothing to do with it, so
            # this says nothing about the model
            return j.fail(
                f"the {_plural(len(failing), 'test')} failing before the edit still "
                f"{'fails' if len(failing) == 1 else 'fail'} ({_names(failing)}) and nothing "
                "that passed broke: these tests do not show whether the edit did what was "
                "asked",
                counted=False,
            )
        shown = new or sorted(failing)
        first = after.messages.get(shown[0])
        why = f" ({first})" if first else ""
        label = "newly failing" if new and before_failing is not None else "failing"
        return j.fail(f"{_plural(len(shown), f'{label} test')}: {_names(shown)}{why}")
    if after.exit_code != 0:
        code = after.exit_code
        if (
            before is not None
            and j.old is not None
            and before.exit_code == code
            and not before.failing()
        ):
            # the same exit with every test passing, without the edit too: what fails is
            # the command beyond its tests (pytest-cov's fail_under, a step after the
            # runner), which the edit did not change and another model's would meet too
            v = j.fail(
                f"every reported test passed but the run exited with code {code}, as it "
                "did without the edit: something in the test command other than its tests "
                "fails (a coverage threshold, a step after the tests), so it cannot show "
                "whether the edit is right; make the command exit 0 when its tests pass",
                counted=False,
            )
            return attrs.evolve(v, exit_error=f"exited with code {code}")
        return j.fail(f"every reported test passed but the run exited with code {code}")
    return j.verdict("pass", _summary(before, after))


def fewer_assertions(
    verdict: Verdict, before: TestRun | None, after: TestRun, edited: Collection[str]
) -> Verdict:
    """A counted pass in which a test passed with fewer assertions than it made without
    the edit (PHPUnit counts them), its file not among the ``edited``: not counted.  A
    test stops at its first failing assertion; one that stops there and still passes
    had its failure swallowed (the code under test silencing PHPUnit's result from
    inside the run, from pieces no tripwire reads), or took another path through the
    test.  An edit that keeps the behaviour the tests check keeps their counts."""
    if verdict.verdict != "pass" or not verdict.counted or before is None:
        return verdict
    fewer = sorted(
        t
        for t, made in after.assertions.items()
        if made < before.assertions.get(t, made) and t.split("::", 1)[0] not in edited
    )
    if not fewer:
        return verdict
    first = fewer[0]
    said = (
        f"{_plural(len(fewer), 'test')} passed with fewer assertions than before the edit: "
        f"{_names(fewer)} ({after.assertions[first]}, {before.assertions[first]} before); "
        "a test that stops early and passes may have had its failure swallowed: not counted"
    )
    # (said in ``unrun`` too: the apply prompt warns of a pass that says less than usual)
    return attrs.evolve(verdict, detail=f"{verdict.detail}; {said}", counted=False, unrun=said)
