"""CTest's per-test report (``ctest --output-junit FILE``, CMake 3.21 and newer): JUnit
XML that ctest itself writes as its tests end, one ``<testcase>`` a test of the
``add_test`` calls, each by its name; its ``status`` says how it went (``run``,
``fail``, ``notrun``: skipped by ``SKIP_RETURN_CODE`` or a failed fixture, ``disabled``).
The test programs are processes of their own: none of them writes the report."""

from __future__ import annotations

import os

import attrs

from .common import FAILED, PASSED, SKIPPED, Builder, Report, read_xml, salient_line

#: a test's ``status`` -> its outcome (any other status: failed)
_STATUS = {"run": PASSED, "fail": FAILED, "notrun": SKIPPED, "disabled": SKIPPED}


def parse_ctest(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """Every test of a ctest JUnit report, by its name; None when the file is missing,
    too big or not ctest's (no ``testsuite`` root)."""
    suite = read_xml(path)
    if suite is None:
        return None
    if suite.tag != "testsuite":
        return None
    out = Builder()
    passed = failed = 0
    for case in suite.iter("testcase"):
        name = case.get("name") or ""
        outcome = _STATUS.get(case.get("status") or "", FAILED)
        message = None
        if outcome == FAILED:
            failure = case.find("failure")
            said = failure.get("message") if failure is not None else ""
            output = case.findtext("system-out") or ""
            message = said or salient_line(output) or f"status {case.get('status')!r}"
        passed += outcome == PASSED
        failed += outcome == FAILED
        out.add(name, outcome, message)
    return attrs.evolve(out.report(), counts=(passed, failed))
