"""Maven Surefire's per-test reports (``target/surefire-reports/TEST-*.xml``, JUnit
XML), gathered by the run itself into its own folder (see ``runners``: only those
written after the run started, so a stale report in the user's ``target/`` never
counts), and the closing count Maven printed (``Tests run: 5, Failures: 0, Errors: 0,
Skipped: 1``)."""

from __future__ import annotations

import os
import re

import attrs

from .common import ANSI, FAILED, PASSED, Builder, Report
from .junit import parse_junit


def parse_surefire(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """Every Surefire report in the folder ``path`` (one a test class, from every
    module), each test by its class and name (``calc.CalcTest::adds``); ``@Disabled`` /
    ``@Ignore`` is skipped.  None when the folder holds no readable report (the run
    wrote none: it never reached its tests)."""
    try:
        names = sorted(n for n in os.listdir(path) if n.endswith(".xml"))
    except OSError:
        return None
    out = Builder()
    passed = failed = 0
    found = False
    for name in names:
        report = parse_junit(os.path.join(path, name))
        if report is None:
            continue
        found = True
        for test_id, outcome in report.outcomes.items():
            passed += outcome == PASSED
            failed += outcome == FAILED
            out.add(test_id, outcome, report.messages.get(test_id))
        for entry, message in report.broken.items():
            out.add_broken(entry, message)
    if not found:
        return None
    return attrs.evolve(out.report(), counts=(passed, failed))


#: Surefire's count of a module's tests under ``Results:`` (not the per-class lines,
#: which go on with ``, Time elapsed: ...``), after Maven's ``[INFO]`` / ``[ERROR]``
_PRINTED = re.compile(
    r"^(?:\[\w+\]\s+)?Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)"
    # (a test that failed and then passed when Surefire ran it again,
    # rerunFailingTestsCount, counts as run and passed, here and in its report)
    r"(?:, Flakes: \d+)?\s*$"
)


def surefire_printed_counts(output: str) -> tuple[int, int] | None:
    """(passed, failed) summed over the counts Surefire printed for each module; None
    when it printed none (``mvn -q`` prints no count)."""
    found = False
    passed = failed = 0
    for line in output.splitlines():
        if m := _PRINTED.match(ANSI.sub("", line).strip()):
            run, failures, errors, skipped = (int(g) for g in m.groups())
            found = True
            passed += run - failures - errors - skipped
            failed += failures + errors
    return (passed, failed) if found else None
