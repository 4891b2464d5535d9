"""jest's ``--json`` report, and vitest's ``json`` reporter (the same shape)."""

from __future__ import annotations

import os
import re

import attrs

from .common import ANSI, FAILED, PASSED, SKIPPED, Builder, Report, load_json, rel_path

_JEST_STATUS = {
    "passed": PASSED,
    "failed": FAILED,
    "pending": SKIPPED,
    "skipped": SKIPPED,
    "todo": SKIPPED,
    "disabled": SKIPPED,
}


def parse_jest(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """jest's ``--json`` report (vitest's ``json`` reporter writes the same shape).  A
    test file that could not run at all counts as one failed test named by its file."""
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("testResults"), list):
        return None
    out = Builder()
    passed = failed = 0
    for suite in data["testResults"]:
        if not isinstance(suite, dict):
            continue
        file = rel_path(str(suite.get("name") or suite.get("testFilePath") or ""), root)
        cases = suite.get("assertionResults") or suite.get("testResults") or []
        for case in cases:
            if not isinstance(case, dict):
                continue
            titles = [*(case.get("ancestorTitles") or []), case.get("title") or ""]
            test_id = f"{file}::{' › '.join(str(t) for t in titles)}"
            outcome = _JEST_STATUS.get(str(case.get("status")), FAILED)
            passed += outcome == PASSED
            failed += outcome == FAILED
            msgs = case.get("failureMessages") or []
            out.add(test_id, outcome, str(msgs[0]) if msgs else None)
        if not cases and suite.get("status") == "failed":
            out.add_broken(file, _jest_message(suite.get("message")))
    return attrs.evolve(out.report(), counts=(passed, failed))


#: jest's closing count (``Tests:       1 failed, 1 skipped, 29 passed, 31 total``) and
#: vitest's (``      Tests  1 failed | 204 passed (205)``)
_JEST_TESTS = re.compile(r"^Tests:\s+(.*\d+ total)\s*$")
_VITEST_TESTS = re.compile(r"^\s*Tests\s+(.*?)\s*\(\d+\)\s*$")


def printed_counts(output: str) -> tuple[int, int] | None:
    """(passed, failed) from the last closing count jest or vitest printed in
    ``output``; None when there is none."""
    for line in reversed(ANSI.sub("", output).splitlines()):
        m = _JEST_TESTS.match(line) or _VITEST_TESTS.match(line)
        if m is None:
            continue
        counts = {label: int(n) for n, label in re.findall(r"(\d+) ([a-z]+)", m.group(1))}
        return counts.get("passed", 0), counts.get("failed", 0)
    return None


def _jest_message(raw: object) -> str:
    """The runner's own words for a test file that could not run (``Cannot find
    module 'x' from 'y'``), without colours and jest's banner."""
    text = ANSI.sub("", str(raw or ""))
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("●") and "Test suite failed to run" not in s:
            return s[:200]
    return "the test file failed to run"
