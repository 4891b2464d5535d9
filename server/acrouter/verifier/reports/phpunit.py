"""PHPUnit's JUnit XML report (``--log-junit``), each test by its file, class and name
(``tests/CalcTest.php::CalcTest::testAdds``, a data set's as PHPUnit names it:
``... ::testPairs with data set #0``), and the count PHPUnit printed last.

PHPUnit writes the report when its run ends: a run cut short (an ``exit`` in the code
under test, a fatal error) leaves none, where its exit code may still be 0.  In the
report a skipped or incomplete test is ``<skipped/>``; a failure, an error and a risky
test (one that asserted nothing: PHPUnit's ``RiskyTestError``) are failed; a test with a
``<warning>`` passed (PHPUnit fails the run for it only with ``failOnWarning``).  A data
provider that throws leaves a test named ``Error`` with no class in a suite named after
the test method it feeds (``App\\CalcTest::testPairs``): that method could not run, a
broken entry.

That is PHPUnit 9's report.  PHPUnit 10 and 11 (tried: Debian trixie's 11.5.19) write
the same XML, but a risky test is an ordinary ``<testcase>`` there (it passed: PHPUnit
counts it apart, and fails the run for it only with ``failOnRisky``), and a data
provider that throws leaves no ``<testcase>`` at all (its tests no longer run; PHPUnit
prints it as a "PHPUnit error").  So the counts the report is checked by, against what
PHPUnit printed (:func:`phpunit_printed_counts`), are those both versions write alike:
the tests that ran (not skipped nor incomplete), and of them the failures and the
errors other than a risky test's."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import attrs

from .common import (
    ANSI,
    FAILED,
    PASSED,
    SKIPPED,
    Builder,
    Report,
    read_report,
    read_xml,
    rel_path,
)

#: the report's file name in the run's out folder, and the run's output beside it
REPORT_NAME = "phpunit.xml"
OUTPUT_NAME = "output.log"
#: a risky test's error in PHPUnit 9's report (10 and 11 write it as passed)
_RISKY = "PHPUnit\\Framework\\RiskyTestError"
#: a failure's ``file:line`` (its last line in PHPUnit's report)
_AT = re.compile(r"^(/\S+?|\S+\.php):(\d+)$")


def _class(case: ET.Element) -> str:
    """The test's class without its namespace (PHPUnit 9's ``class``, else the dotted
    ``classname``)."""
    name = case.get("class") or (case.get("classname") or "").replace(".", "\\")
    return name.rsplit("\\", 1)[-1]


def _message(child: ET.Element, name: str, root: str | None) -> str:
    """What failed, in a line: PHPUnit's message after the test's own name (its first
    line: ``App\\Tests\\CalcTest::testFails``, or ``Error`` for a data provider's), with
    the place it names (``... (tests/CalcTest.php:7)``)."""
    lines = [ln.strip() for ln in (child.text or "").splitlines() if ln.strip()]
    if lines and (lines[0] == name or lines[0].split("::", 1)[-1].startswith(name)):
        lines = lines[1:]
    place = ""
    if lines and (m := _AT.match(lines[-1])):
        place = f" ({rel_path(m.group(1), root)}:{m.group(2)})"
        lines = lines[:-1]
    text = lines[0] if lines else child.get("type") or child.tag
    if "--- Expected" in lines:  # a comparison's diff: its first removed and added lines
        diff = lines[lines.index("--- Expected") + 1 :]
        want = next((ln[1:] for ln in diff if ln[:1] == "-" and ln != "-"), None)
        got = next((ln[1:] for ln in diff if ln[:1] == "+" and not ln.startswith("+++")), None)
        if want is not None and got is not None:
            text = f"{text.rstrip('.')}: expected {want[:60]}, got {got[:60]}"
    return text[:160] + place


def parse_phpunit(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """Per-test outcomes from PHPUnit's JUnit report; None if missing, too big or
    unreadable.  ``root``: the workspace as the run saw it (the report's paths are
    absolute)."""
    top = read_xml(path)
    if top is None:
        return None
    out = Builder()
    ran = failed = 0
    assertions: dict[str, int] = {}
    for suite in top.iter("testsuite"):
        for case in suite.findall("testcase"):
            name = case.get("name") or ""
            file = rel_path(case.get("file") or suite.get("file") or "", root)
            outcome, message = PASSED, None
            for child in case:
                if child.tag in ("failure", "error"):
                    outcome, message = FAILED, message or _message(child, name, root)
                elif child.tag == "skipped" and outcome != FAILED:
                    outcome = SKIPPED
            ran += outcome != SKIPPED
            failed += any(
                child.tag == "failure" or child.tag == "error" and child.get("type") != _RISKY
                for child in case
            )
            if not case.get("class") and not case.get("classname"):
                # a data provider's error: the method it feeds (the suite's name) never ran
                entry = suite.get("name") or name
                out.add_broken(entry, message or "the data provider failed")
                continue
            test_id = f"{file}::{_class(case)}::{name}" if file else f"{_class(case)}::{name}"
            out.add(test_id, outcome, message)
            made = case.get("assertions") or ""
            if outcome == PASSED and made.isdigit():
                assertions[test_id] = int(made)
    output = ANSI.sub("", read_report(os.path.join(os.path.dirname(path), OUTPUT_NAME)) or "")
    for entry, message in runner_errors(output, root).items():
        out.add_broken(entry, message)  # (PHPUnit 10 and 11: in no <testcase>)
    return attrs.evolve(out.report(), counts=(ran - failed, failed), assertions=assertions)


def runner_errors(output: str, root: str | None = None) -> dict[str, str]:
    """The test methods PHPUnit 10 and 11 could not run, printed under ``There was 1
    PHPUnit error:`` (a data provider that throws or is not static), each with its
    message: ``{"App\\CalcTest::testPairs": "The data provider specified for ... is
    invalid (tests/CalcTest.php:16)"}``."""
    found: dict[str, str] = {}
    inside = False
    lines = output.splitlines()
    for i, line in enumerate(lines):
        text = line.strip()
        if text.startswith("There w"):
            inside = bool(_RUNNER_ERRORS.match(text))
        elif inside and text == "--":
            inside = False
        elif inside and (m := _ENTRY.match(text)):
            said = [ln.strip() for ln in lines[i + 1 : i + 8]]
            body = said[: said.index("") if "" in said else len(said)]
            place = next((ln for ln in said if _AT.match(ln)), "")
            where = ""
            if place and (at := _AT.match(place)):
                where = f" ({rel_path(at.group(1), root)}:{at.group(2)})"
            said_why = ": ".join(ln for ln in body[:2] if not _AT.match(ln)) or "a PHPUnit error"
            found[m.group(1)] = said_why[:200] + where
    return found


#: PHPUnit's closing count: ``OK (3 tests, 5 assertions)``, or ``Tests: 9, Assertions:
#: 4, Errors: 2, Failures: 2, Skipped: 1, Incomplete: 1, Risky: 1.`` (after ``ERRORS!``,
#: ``FAILURES!``, ``WARNINGS!`` or ``OK, but incomplete, skipped, or risky tests!``;
#: PHPUnit 10 and 11 add kinds of more words, ``PHPUnit Deprecations: 2``)
_OK = re.compile(r"^OK \((\d+) tests?, \d+ assertions?\)$")
_TOTALS = re.compile(r"^Tests: (\d+), Assertions: \d+((?:, [\w ]+: \d+)*)\.?$")
_KIND = re.compile(r"([\w ]+): (\d+)")
#: PHPUnit 10 and 11's heading of the errors that are no test's (a data provider's):
#: ``There was 1 PHPUnit error:``, counted in ``Errors: N``
_RUNNER_ERRORS = re.compile(r"^There (?:was|were) (\d+) PHPUnit errors?:$")
#: an entry of such a list: ``1) App\\Tests\\CalcTest::testPairs``
_ENTRY = re.compile(r"^\d+\) (\S+::\w+)$")


def phpunit_printed_counts(output: str) -> tuple[int, int] | None:
    """What PHPUnit printed last, as :func:`parse_phpunit` counts its report: (the
    tests that ran less the failed, the failed), the tests that ran being its tests less
    the skipped and incomplete ones, the failed its failures and its errors less those
    of no test (PHPUnit 10 and 11); None when it printed no count."""
    found: tuple[int, int] | None = None
    runner_errors = 0
    for line in ANSI.sub("", output).splitlines():
        line = line.strip()
        if m := _RUNNER_ERRORS.match(line):
            runner_errors = int(m.group(1))
        elif m := _OK.match(line):
            found = int(m.group(1)), 0
        elif m := _TOTALS.match(line):
            kinds = {k.strip().lower(): int(v) for k, v in _KIND.findall(m.group(2))}
            bad = kinds.get("errors", 0) - runner_errors + kinds.get("failures", 0)
            ran = int(m.group(1)) - kinds.get("skipped", 0) - kinds.get("incomplete", 0)
            found = ran - bad, bad
    return found
