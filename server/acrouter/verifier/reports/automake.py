"""Automake's per-test results (``make check`` under the parallel test harness, the
default since Automake 1.13): for each test of ``TESTS`` the harness's driver writes
``NAME.trs`` beside the test's ``NAME.log`` once the test has ended, its
``:global-test-result:`` one of ``PASS``, ``FAIL``, ``SKIP`` (exit code 77), ``XFAIL``,
``XPASS`` or ``ERROR`` (exit code 99).  The test programs are processes of their own:
the driver, a script of the project's build, writes the ``.trs`` from their exit code.

The run gathers what it needs into one file of its own (see ``runners``: only the files
written after the run started, so a ``.trs`` the user's own ``make check`` left in the
workspace never counts)::

    :acrouter-trs: ./tests/test-reader.trs
    :test-result: FAIL
    :global-test-result: FAIL
    :acrouter-log:
    |test-reader: test-reader.c:12: main: Assertion `r' failed.
    :acrouter-suite: ./tests/test-suite.log

A test is named by its ``.trs`` path from the folder ``make check`` ran in, without the
suffix (``tests/test-reader``).  ``XFAIL`` (a failure ``XFAIL_TESTS`` expects) counts as
skipped, as pytest's xfail does: a test that passed without the edit and is an expected
failure with it is not a pass.  The summary the harness prints (``# PASS:  2``) is the
second witness (``automake_printed_counts``)."""

from __future__ import annotations

import os
import re

import attrs

from .common import ANSI, FAILED, PASSED, RANK, SKIPPED, Builder, Report, read_report, salient_line

#: a test's result -> its outcome (anything else: failed)
_RESULTS = {
    "PASS": PASSED,
    "SKIP": SKIPPED,
    "XFAIL": SKIPPED,
    "FAIL": FAILED,
    "XPASS": FAILED,
    "ERROR": FAILED,
}
#: what a failed test's result says when its log says nothing
_WHY = {
    "XPASS": "passed, where XFAIL_TESTS expects it to fail",
    "ERROR": "a hard error (exit code 99)",
}

#: the line the driver adds to a test's log as it ends (``FAIL adds (exit status: 1)``):
#: the test's own output says more
_DRIVER_LINE = re.compile(r"^(?:PASS|FAIL|SKIP|XFAIL|XPASS|ERROR) \S+ \(exit status: \d+\)\s*$")

TRS_MARK = ":acrouter-trs: "
LOG_MARK = ":acrouter-log:"
SUITE_MARK = ":acrouter-suite: "


@attrs.define
class _Test:
    name: str
    results: list[str] = attrs.field(factory=list)
    global_result: str | None = None
    log: list[str] = attrs.field(factory=list)

    def outcome(self) -> tuple[str, str]:
        """(outcome, the result word it came from)."""
        if self.global_result is not None:
            word = self.global_result
            return _RESULTS.get(word, FAILED), word
        if not self.results:
            return FAILED, ""
        worst = max(self.results, key=lambda w: RANK[_RESULTS.get(w, FAILED)])
        return _RESULTS.get(worst, FAILED), worst


def _test_name(path: str) -> str:
    return path.removesuffix(".trs").removeprefix("./")


def parse_automake(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """Every test the harness ran, by its name; None when the run gathered no ``.trs``
    and no ``test-suite.log`` (it never reached the harness), or the file is missing."""
    text = read_report(path)
    if text is None:
        return None
    tests: list[_Test] = []
    suites = 0
    in_log = False
    for line in text.splitlines():
        if line.startswith(TRS_MARK):
            tests.append(_Test(_test_name(line[len(TRS_MARK) :])))
            in_log = False
        elif line.startswith(SUITE_MARK):
            suites += 1
            in_log = False
        elif line == LOG_MARK:
            in_log = bool(tests)
        elif in_log and line.startswith("|"):
            tests[-1].log.append(line[1:])
        elif tests and not in_log:
            m = re.match(r":(global-test-result|test-result):\s*(\S+)", line)
            if m and m.group(1) == "test-result":
                tests[-1].results.append(m.group(2))
            elif m:
                tests[-1].global_result = m.group(2)
    if not tests and not suites:
        return None
    out = Builder()
    passed = failed = 0
    for test in tests:
        outcome, word = test.outcome()
        message = None
        if outcome == FAILED:
            own = [line for line in test.log if not _DRIVER_LINE.match(line)]
            driver = [line for line in test.log if _DRIVER_LINE.match(line)]
            said = salient_line("\n".join(own)) or (driver[-1].strip() if driver else "")
            message = said or _WHY.get(word) or (f"result {word}" if word else "no result")
        passed += outcome == PASSED
        failed += outcome == FAILED
        out.add(test.name, outcome, message)
    return attrs.evolve(out.report(), counts=(passed, failed))


#: a line of the harness's summary (``# PASS:  2``), colours taken out
_SUMMARY = re.compile(r"^# (PASS|FAIL|XPASS|ERROR|SKIP|XFAIL|TOTAL):\s+(\d+)\s*$")


def automake_printed_counts(output: str) -> tuple[int, int] | None:
    """(passed, failed) summed over the summaries the harness printed (one a folder of
    ``SUBDIRS`` that has tests: the ``# PASS:  2`` lines under ``Testsuite summary``;
    not the same lines at the head of a ``test-suite.log`` that ``VERBOSE=yes`` prints);
    None when it printed none."""
    found = in_summary = False
    passed = failed = 0
    for raw in output.splitlines():
        line = ANSI.sub("", raw).strip()
        if line.startswith("Testsuite summary"):
            in_summary = True
            continue
        if not in_summary or set(line) <= {"="}:
            continue
        m = _SUMMARY.match(line)
        if not m:
            in_summary = False
            continue
        found = True
        word, n = m.group(1), int(m.group(2))
        if word == "PASS":
            passed += n
        elif word in ("FAIL", "XPASS", "ERROR"):
            failed += n
    return (passed, failed) if found else None
