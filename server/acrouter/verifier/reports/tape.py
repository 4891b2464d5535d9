"""``tape`` output: TAP (Test Anything Protocol) on stdout."""

from __future__ import annotations

import os
import re

from .common import FAILED, PASSED, SKIPPED, Builder, Report, read_report

_TAP_POINT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?(.*?)\s*$")
_TAP_DIRECTIVE = re.compile(r"\s#\s*(skip|todo)\b.*$", re.IGNORECASE)
_TAP_PLAN = re.compile(r"^1\.\.(\d+)\b")
_TAP_COMMENT = re.compile(r"^# (.+?)\s*$")
_TAP_YAML = re.compile(r"^\s+(operator|expected|actual|at):\s*(.*)$")


def parse_tape(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """tape's TAP output.  A test is one assertion: ``NAME #K`` for the K-th assertion
    of the test ``NAME`` (tape's ``# NAME`` lines; a name seen again gets `` (2)``), so
    an assertion that no longer runs shows as a test that disappeared.  A run without
    its plan line (``1..N``), with a plan it did not keep, or that bailed out did not
    finish: a broken ``tape`` entry.  None when no TAP was printed."""
    text = read_report(path)
    if text is None:
        return None
    out = Builder()
    name, k = "", 0
    seen: dict[str, int] = {}  # test name -> times seen
    plan: int | None = None
    points = 0
    bailed: str | None = None
    failing: str | None = None  # the assertion whose YAML block may follow
    for line in text.splitlines():
        if plan is None and (m := _TAP_COMMENT.match(line)):
            seen[m.group(1)] = seen.get(m.group(1), 0) + 1
            n = seen[m.group(1)]
            name, k, failing = m.group(1) + (f" ({n})" if n > 1 else ""), 0, None
        elif m := _TAP_POINT.match(line):
            points += 1
            k += 1
            desc = m.group(3)
            directive = _TAP_DIRECTIVE.search(" " + desc)
            test_id = f"{name or '(no test name)'} #{k}"
            if directive:
                out.add(test_id, SKIPPED)  # a skipped or TODO assertion does not count
            elif m.group(1) == "ok":
                out.add(test_id, PASSED)
            else:
                out.add(test_id, FAILED, desc or "not ok")
                failing = test_id
        elif m := _TAP_PLAN.match(line):
            plan = int(m.group(1))
        elif line.startswith("Bail out!"):
            bailed = line.strip()
        elif failing and (m := _TAP_YAML.match(line)) and m.group(1) != "at":
            msg = out.messages.get(failing, "")
            value = " ".join(m.group(2).split())
            out.messages[failing] = f"{msg}; {m.group(1)}: {value}"[:200]
    if not points and plan is None and not bailed:
        return None
    if bailed:
        out.add_broken("tape", bailed)
    elif plan is None:
        out.add_broken("tape", "the TAP output has no plan line (1..N): the run ended early")
    elif plan != points:
        out.add_broken("tape", f"tape planned {plan} assertions but reported {points}")
    return out.report()
