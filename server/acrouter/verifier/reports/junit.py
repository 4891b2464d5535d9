"""pytest's JUnit XML report (xunit1), read into pytest's own node ids."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from .common import FAILED, PASSED, SKIPPED, Builder, Report, first_line, read_xml


def _junit_id(case: ET.Element) -> str:
    """pytest's node id from an xunit1 test case (``tests/test_x.py::Class::name``);
    ``classname::name`` when the file is not known."""
    classname = case.get("classname") or ""
    name = case.get("name") or ""
    file = case.get("file")
    if file and file.endswith(".py"):
        module = file[:-3].replace("/", ".").replace(os.sep, ".")
        if not classname:  # a collection error: the name is the module
            return file
        if (
            classname == module
            or classname.endswith("." + module)
            or module.endswith("." + classname)
        ):
            return f"{file}::{name}"
        for prefix in (module + ".",):
            if classname.startswith(prefix):
                return f"{file}::{classname[len(prefix) :].replace('.', '::')}::{name}"
        tail = classname.rsplit(".", 1)[-1]
        if tail and tail[0].isupper():
            return f"{file}::{tail}::{name}"
        return f"{file}::{name}"
    return f"{classname}::{name}" if classname else name


def _junit_message(child: ET.Element) -> str:
    text = child.text or ""
    errors = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
    if child.get("message") in (None, "", "collection failure") and errors:
        return errors[-1]
    return child.get("message") or first_line(text) or child.tag


def parse_junit(path: str | os.PathLike[str]) -> Report | None:
    """Per-test outcomes from a JUnit XML report; None if missing, too big or unreadable."""
    root = read_xml(path)
    if root is None:
        return None
    out = Builder()
    for case in root.iter("testcase"):
        test_id = _junit_id(case)
        outcome, message = PASSED, None
        # several <skipped> in one case are skipped subtests of a test that ran (pytest
        # counts it as passed); one is the test itself skipped
        skips = sum(child.tag == "skipped" for child in case)
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = FAILED
                message = message or _junit_message(child)
            elif child.tag == "skipped" and outcome != FAILED and skips == 1:
                outcome = SKIPPED
        if outcome == FAILED and not case.get("classname") and "::" not in test_id:
            out.add_broken(test_id, message or "collection failure")  # a collection error
        else:
            out.add(test_id, outcome, message)
    return out.report()
