"""What every report parser shares: the outcomes, the ``Report`` it returns and the
builder that fills one, and a bounded reader (a test suite cannot make us read
gigabytes)."""

from __future__ import annotations

import json
import logging
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs

log = logging.getLogger(__name__)

#: Outcomes of one test in a report.
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
RANK = {SKIPPED: 0, PASSED: 1, FAILED: 2}  # the worse outcome, the higher
#: a terminal colour code (a runner's coloured console output)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: A report larger than this is not parsed (a test suite cannot make us read gigabytes).
MAX_REPORT_BYTES = 64 * 1024 * 1024


@attrs.frozen
class Report:
    outcomes: dict[str, str]  # test id -> passed | failed | skipped
    messages: dict[str, str]  # test id -> first line of the failure message
    #: entries that are not tests but a file, package or binary that could not run
    #: (a collection error, a build failure), with the runner's message; they are in
    #: ``outcomes`` as failed too
    broken: dict[str, str] = attrs.field(factory=dict)
    #: (passed, failed) as the report itself counts its tests, a test named twice twice
    #: (jest / vitest: checked against the runner's printed summary); None: not counted
    counts: tuple[int, int] | None = None
    #: test id -> the assertions a passed test made, where the report says (PHPUnit)
    assertions: dict[str, int] = attrs.field(factory=dict)


class Builder:
    """A ``Report`` being read, one test at a time."""

    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        self.broken: dict[str, str] = {}

    def add_broken(self, entry: str, message: str) -> None:
        self.add(entry, FAILED, message)
        self.broken[entry] = self.messages.get(entry) or first_line(message)

    def add(self, test_id: str, outcome: str, message: str | None = None) -> None:
        """A test's outcome; a test reported twice keeps its worst outcome (a pytest
        teardown error after a pass is a failure)."""
        if RANK[outcome] >= RANK.get(self.outcomes.get(test_id, SKIPPED), 0):
            self.outcomes[test_id] = outcome
        if outcome == FAILED and message and test_id not in self.messages:
            self.messages[test_id] = first_line(message)

    def report(self) -> Report:
        return Report(self.outcomes, self.messages, self.broken)


def first_line(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


#: a line of a test program's output that says what failed: Unity's ``file:12:name:FAIL:
#: ...``, GoogleTest's ``file.cc:12: Failure``, Catch2's ``FAILED:``, an assertion, an error
_FAILED_LINE = re.compile(r"\bFAIL(?:ED|URE)?\b|\bFailure\b|\bAssert|\bassert|\b[Ee]rror\b")


def salient_line(output: str) -> str:
    """The line of a failed test program's output that best says why: the first that
    names a failure, else its last line (the first is often a passing check's)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if _FAILED_LINE.search(line):
            return first_line(line)
    return first_line(lines[-1]) if lines else ""


def read_report(path: str | os.PathLike[str]) -> str | None:
    try:
        size = os.path.getsize(path)
    except OSError:
        return None
    if size > MAX_REPORT_BYTES:
        log.warning("test report %s is %d bytes; ignored", path, size)
        return None
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def read_xml(path: str | os.PathLike[str]) -> ET.Element | None:
    """An XML report's root element; None if missing, too big or not well-formed (a
    run cut short while writing it)."""
    text = read_report(path)
    if text is None:
        return None
    try:
        return ET.fromstring(text)
    except (ET.ParseError, ValueError) as exc:
        log.debug("unreadable test report %s: %s", path, exc)
        return None


def rel_path(file: str, root: str | None) -> str:
    if root and os.path.isabs(file):
        rel = os.path.relpath(file, root)
        if not rel.startswith(".."):
            return rel
    return file


def load_json(path: str | os.PathLike[str]) -> Any:
    text = read_report(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
