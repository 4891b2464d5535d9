"""jest's ``--json`` report, and vitest's ``json`` reporter (the same shape)."""

from __future__ import annotations

import os
import re

from .common import FAILED, PASSED, SKIPPED, Builder, Report, load_json, rel_path

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
            msgs = case.get("failureMessages") or []
            out.add(test_id, outcome, str(msgs[0]) if msgs else None)
        if not cases and suite.get("status") == "failed":
            out.add_broken(file, _jest_message(suite.get("message")))
    return out.report()


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _jest_message(raw: object) -> str:
    """The runner's own words for a test file that could not run (``Cannot find
    module 'x' from 'y'``), without colours and jest's banner."""
    text = _ANSI.sub("", str(raw or ""))
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("●") and "Test suite failed to run" not in s:
            return s[:200]
    return "the test file failed to run"
