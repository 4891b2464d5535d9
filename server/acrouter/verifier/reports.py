"""Per-test results from what each test runner writes: pytest's JUnit XML, node's test
runner (through a small reporter of ours), jest / vitest / mocha JSON, ``go test
-json``, ``cargo test`` output and ``python -m unittest -v`` output.

Every parser returns a ``Report`` (test id -> passed | failed | skipped, plus the first
line of each failure's message), or None when the file is missing, too big or not the
runner's format.  Test ids are the runner's own names, prefixed with the test file
(or package / test binary) where the runner has one: ``tests/test_x.py::test_y[json]``,
``test/a.test.js::group > adds``, ``example.com/m/calc::TestAdd``,
``tests/integ.rs::adds``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

log = logging.getLogger(__name__)

#: Outcomes of one test in a report.
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
_RANK = {SKIPPED: 0, PASSED: 1, FAILED: 2}
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


class _Builder:
    def __init__(self) -> None:
        self.outcomes: dict[str, str] = {}
        self.messages: dict[str, str] = {}
        self.broken: dict[str, str] = {}

    def add_broken(self, entry: str, message: str) -> None:
        self.add(entry, FAILED, message)
        self.broken[entry] = self.messages.get(entry) or _first_line(message)

    def add(self, test_id: str, outcome: str, message: str | None = None) -> None:
        """A test's outcome; a test reported twice keeps its worst outcome (a pytest
        teardown error after a pass is a failure)."""
        if _RANK[outcome] >= _RANK.get(self.outcomes.get(test_id, SKIPPED), 0):
            self.outcomes[test_id] = outcome
        if outcome == FAILED and message and test_id not in self.messages:
            self.messages[test_id] = _first_line(message)

    def report(self) -> Report:
        return Report(self.outcomes, self.messages, self.broken)


def _first_line(text: str) -> str:
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def _read(path: str | os.PathLike[str]) -> str | None:
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


def _rel(file: str, root: str | None) -> str:
    if root and os.path.isabs(file):
        rel = os.path.relpath(file, root)
        if not rel.startswith(".."):
            return rel
    return file


# --------------------------------------------------------------------------- JUnit (pytest)


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
    return child.get("message") or _first_line(text) or child.tag


def parse_junit(path: str | os.PathLike[str]) -> Report | None:
    """Per-test outcomes from a JUnit XML report; None if missing, too big or unreadable."""
    text = _read(path)
    if text is None:
        return None
    try:
        root = ET.fromstring(text)
    except (ET.ParseError, ValueError) as exc:
        log.debug("unreadable test report %s: %s", path, exc)
        return None
    out = _Builder()
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


# --------------------------------------------------------------------------- node's test runner

#: A reporter for ``node --test`` (``--test-reporter=<this file>``): one JSON line per
#: finished test with its file and the names of its enclosing suites.
NODE_REPORTER = r"""
const stacks = new Map();
export default async function* acrouterReporter(source) {
  for await (const event of source) {
    const d = event.data || {};
    const key = d.file || '';
    if (event.type === 'test:start') {
      const stack = stacks.get(key) || [];
      stack.length = d.nesting;
      stack.push(d.name);
      stacks.set(key, stack);
    } else if (event.type === 'test:pass' || event.type === 'test:fail') {
      const stack = (stacks.get(key) || []).slice(0, d.nesting);
      const details = d.details || {};
      let err;
      if (event.type === 'test:fail' && details.error) {
        const e = details.error.cause || details.error;
        err = String((e && e.message) || e).slice(0, 500);
      }
      yield JSON.stringify({
        file: d.file || null, path: [...stack, d.name], status: event.type.slice(5),
        skip: d.skip !== undefined && d.skip !== false, todo: d.todo !== undefined && d.todo !== false,
        suite: details.type === 'suite', err,
      }) + '\n';
    }
  }
}
"""


def parse_node(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """Results of ``node --test`` from ``NODE_REPORTER``'s lines (suites are not tests,
    as in node's own counts)."""
    text = _read(path)
    if text is None:
        return None
    out = _Builder()
    for line in text.splitlines():
        try:
            ev = json.loads(line)
            names = [str(n) for n in ev["path"]]
        except (ValueError, KeyError, TypeError):
            continue
        if ev.get("suite") and ev.get("status") == "pass":
            continue
        test_id = " > ".join(names)
        if ev.get("file"):
            test_id = f"{_rel(str(ev['file']), root)}::{test_id}"
        if ev.get("status") == "fail" and ev.get("file") and names == [str(ev["file"])]:
            out.add_broken(_rel(str(ev["file"]), root), ev.get("err") or "the test file failed")
        elif ev.get("status") == "fail":
            out.add(test_id, FAILED, ev.get("err") or "failed")
        elif ev.get("skip") or ev.get("todo"):
            out.add(test_id, SKIPPED)
        else:
            out.add(test_id, PASSED)
    return out.report()


# --------------------------------------------------------------------------- jest / vitest

_JEST_STATUS = {
    "passed": PASSED,
    "failed": FAILED,
    "pending": SKIPPED,
    "skipped": SKIPPED,
    "todo": SKIPPED,
    "disabled": SKIPPED,
}


def _load_json(path: str | os.PathLike[str]) -> Any:
    text = _read(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def parse_jest(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """jest's ``--json`` report (vitest's ``json`` reporter writes the same shape).  A
    test file that could not run at all counts as one failed test named by its file."""
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("testResults"), list):
        return None
    out = _Builder()
    for suite in data["testResults"]:
        if not isinstance(suite, dict):
            continue
        file = _rel(str(suite.get("name") or suite.get("testFilePath") or ""), root)
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


# --------------------------------------------------------------------------- mocha


def parse_mocha(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """mocha's ``json`` reporter (``--reporter-option output=FILE``).  Hook failures
    (``"before all" hook``) are failed entries too."""
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list):
        return None
    out = _Builder()

    def tid(t: dict[str, Any]) -> str:
        name = str(t.get("fullTitle") or t.get("title") or "")
        return f"{_rel(str(t['file']), root)}::{name}" if t.get("file") else name

    for t in data["tests"]:
        if not isinstance(t, dict):
            continue
        err = t.get("err") or {}
        if isinstance(err, dict) and err.get("message"):
            out.add(tid(t), FAILED, str(err.get("message")))
        elif t.get("pending") or tid(t) in {tid(p) for p in data.get("pending") or []}:
            out.add(tid(t), SKIPPED)
        else:
            out.add(tid(t), PASSED)
    for t in data.get("failures") or []:
        if isinstance(t, dict):
            err = t.get("err") or {}
            out.add(tid(t), FAILED, str(err.get("message") or "failed"))
    return out.report()


# --------------------------------------------------------------------------- go test -json


_GO_BUILD_FAILED = re.compile(r"^FAIL\s+(\S+)\s+\[(build|setup) failed\]")


def parse_go_json(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """``go test -json`` events.  A package that fails without any failing test (it
    does not build, or its TestMain exits) is one failed entry named by the package."""
    text = _read(path)
    if text is None:
        return None
    out = _Builder()
    output: dict[str, list[str]] = {}
    failed_pkgs: dict[str, None] = {}
    seen = False
    said: list[str] = []  # the compiler's lines before "FAIL pkg [build failed]"
    for line in text.splitlines():
        if not line.startswith("{"):
            if m := _GO_BUILD_FAILED.match(line):
                seen = True
                out.add_broken(m.group(1), said[-1] if said else f"{m.group(2)} failed")
                said = []
            elif line.strip() and not line.startswith("#"):
                said.append(line.strip())
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if not isinstance(ev, dict) or "Action" not in ev:
            continue
        seen = True
        pkg = str(ev.get("Package") or ev.get("ImportPath") or "")
        test = ev.get("Test")
        action = ev["Action"]
        key = f"{pkg}::{test}" if test else pkg
        if action == "output":
            lines = output.setdefault(key, [])
            if len(lines) < 50:
                lines.append(str(ev.get("Output") or ""))
        elif test and action in ("pass", "fail", "skip"):
            outcome = {"pass": PASSED, "fail": FAILED, "skip": SKIPPED}[action]
            out.add(key, outcome, _go_message(output.get(key, [])) if outcome == FAILED else None)
        elif not test and action == "fail" or action == "build-fail":
            failed_pkgs[pkg] = None
    if not seen:
        return None
    for pkg in failed_pkgs:
        if not any(t.startswith(pkg + "::") and o == FAILED for t, o in out.outcomes.items()):
            out.add_broken(pkg, _go_message(output.get(pkg, [])) or "the package failed")
    return out.report()


def _go_message(lines: list[str]) -> str:
    for line in lines:
        s = line.strip()
        if s and not s.startswith(("=== ", "--- ", "FAIL", "ok ", "PASS")):
            return s
    return ""


# --------------------------------------------------------------------------- cargo test

_CARGO_RUNNING = re.compile(r"^\s*Running (?:unittests )?(\S+)")
_CARGO_DOC = re.compile(r"^\s*Doc-tests (\S+)")
_CARGO_TEST = re.compile(r"^test (.+?) \.\.\. (ok|FAILED|ignored(?:, .*)?)$")
_CARGO_BLOCK = re.compile(r"^---- (.+?) stdout ----$")
_CARGO_DOC_LINE = re.compile(r" \(line \d+\)$")
_CARGO_RESULT = re.compile(r"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored")


def parse_cargo(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """``cargo test`` output (libtest's pretty format), prefixed by the test binary's
    source (``src/lib.rs::tests::adds``, ``tests/integ.rs::adds``,
    ``doc:calc::src/lib.rs - add``; a doc test's line number is dropped, so moving
    code does not look like a test disappearing).  A crate that does not compile is
    one failed entry with the compiler's first error.  None when nothing ran."""
    text = _read(path)
    if text is None:
        return None
    out = _Builder()
    unit = ""
    binaries = 0
    failing: str | None = None  # inside a "---- name stdout ----" block
    error: str | None = None
    for line in text.splitlines():
        if m := _CARGO_RUNNING.match(line):
            unit, binaries = m.group(1), binaries + 1
        elif m := _CARGO_DOC.match(line):
            unit, binaries = f"doc:{m.group(1)}", binaries + 1
        elif m := _CARGO_TEST.match(line):
            name, result = _CARGO_DOC_LINE.sub("", m.group(1)), m.group(2)
            outcome = PASSED if result == "ok" else FAILED if result == "FAILED" else SKIPPED
            out.add(f"{unit}::{name}" if unit else name, outcome, None)
        elif m := _CARGO_BLOCK.match(line):
            failing = f"{unit}::{_CARGO_DOC_LINE.sub('', m.group(1))}" if unit else m.group(1)
        elif failing and line.strip() and "panicked at" not in line:
            if failing in out.outcomes and failing not in out.messages:
                out.messages[failing] = line.strip()[:200]
            failing = None
        elif (
            line.startswith("error") and error is None and not line.startswith("error: test failed")
        ):
            error = line.strip()
    if not binaries and not out.outcomes:
        if error:  # the crate did not compile: no test binary ran
            out.add_broken("cargo build", error)
            return out.report()
        return None
    return out.report()


def cargo_counts(text: str) -> tuple[int, int, int]:
    """(passed, failed, ignored) summed over libtest's ``test result:`` lines."""
    totals = [0, 0, 0]
    for line in text.splitlines():
        if m := _CARGO_RESULT.match(line.strip()):
            for i in range(3):
                totals[i] += int(m.group(i + 1))
    return totals[0], totals[1], totals[2]


# --------------------------------------------------------------------------- unittest -v

_UT_START = re.compile(r"^(\S+) \(([\w.]+)\)")
_UT_RESULT = re.compile(r"\.\.\. (ok|FAIL|ERROR|skipped.*|expected failure|unexpected success)\s*$")
_UT_FAILHDR = re.compile(r"^(FAIL|ERROR): (\S+) \(([\w.]+)\)")


def parse_unittest(path: str | os.PathLike[str], root: str | None = None) -> Report | None:
    """``python -m unittest -v`` output: ``test_add (tests.test_calc.T.test_add) ... ok``
    (a docstring's first line may stand between the name and the result).  Ids are
    ``module.Class.test``.  None when no ``Ran N tests`` line was printed."""
    text = _read(path)
    if text is None or not re.search(r"^Ran \d+ tests? in", text, re.MULTILINE):
        return None
    out = _Builder()
    pending: str | None = None
    for line in text.splitlines():
        m = _UT_START.match(line)
        if m:
            pending = _ut_id(m.group(1), m.group(2))
        r = _UT_RESULT.search(line)
        if r and pending:
            result = r.group(1)
            outcome = (
                PASSED
                if result in ("ok", "expected failure")
                else SKIPPED
                if result.startswith("skipped")
                else FAILED
            )
            out.add(pending, outcome, result)
            pending = None
        f = _UT_FAILHDR.match(line)
        if f:
            test_id = _ut_id(f.group(2), f.group(3))
            out.add(test_id, FAILED)
    _ut_messages(text, out)
    return out.report()


def _ut_id(name: str, where: str) -> str:
    if "._FailedTest" in where:  # a module that could not be imported: its name
        return name
    # Python >= 3.11 prints (module.Class.test), older ones (module.Class)
    return where if where.endswith("." + name) else f"{where}.{name}"


def _ut_messages(text: str, out: _Builder) -> None:
    blocks = re.split(r"^={20,}$", text, flags=re.MULTILINE)
    for block in blocks[1:]:
        block = re.split(r"^-{20,}\nRan \d+ tests? in", block, flags=re.MULTILINE)[0]
        head = block.strip().splitlines()
        if not head:
            continue
        f = _UT_FAILHDR.match(head[0])
        if not f:
            continue
        test_id = _ut_id(f.group(2), f.group(3))
        body = [ln for ln in head[1:] if ln.strip() and not ln.startswith("-" * 10)]
        last = next((ln for ln in reversed(body) if not ln.startswith(" ")), None)
        if last and test_id in out.outcomes:
            out.messages[test_id] = last.strip()[:200]
        if "._FailedTest" in f.group(3):  # a module that could not be imported
            out.broken[test_id] = out.messages.get(test_id) or "the test module failed to import"


#: Parsers by runner name (see ``runners.TestPlan.runner``).
PARSERS: dict[str, Callable[[str, str | None], Report | None]] = {
    "node": parse_node,
    "jest": parse_jest,
    "vitest": parse_jest,
    "mocha": parse_mocha,
    "go": parse_go_json,
    "cargo": parse_cargo,
    "unittest": parse_unittest,
}
